// The cost of verifying one 1 KB Telnyx webhook inside workerd, on the WebCrypto path and on the
// tweetnacl fallback. The verifier runs in a real workerd (Miniflare); each figure is the time of a
// request that verifies N times minus that of one that verifies none, over N, median of 5 rounds.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import path from 'node:path';

export async function benchVerification({ root, rounds = 5 }) {
  const outfile = path.join(root, '.wrangler', 'bench', 'verify-worker.js');
  await build({
    entryPoints: [path.join(root, 'bench', 'workers', 'verify-worker.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    outfile,
    logLevel: 'error',
  });
  const mf = new Miniflare({ modules: true, scriptPath: outfile, compatibilityDate: '2026-04-20' });
  try {
    const timed = async (engine, n) => {
      const started = performance.now();
      const response = await mf.dispatchFetch(`http://bench.local/?engine=${engine}&n=${n}`);
      const result = await response.json();
      if (result.n !== n || result.bodyBytes !== 1024)
        throw new Error(`bench worker answered ${JSON.stringify(result)}`);
      return performance.now() - started;
    };
    const perVerify = async (engine, n) => {
      await timed(engine, Math.ceil(n / 10)); // warm up: JIT, key import
      const samples = [];
      for (let round = 0; round < rounds; round++) {
        const empty = await timed(engine, 0);
        const full = await timed(engine, n);
        samples.push((full - empty) / n);
      }
      samples.sort((a, b) => a - b);
      return samples[Math.floor(samples.length / 2)];
    };
    return {
      webcryptoMs: await perVerify('webcrypto', 2000),
      tweetnaclMs: await perVerify('tweetnacl', 60),
    };
  } finally {
    await mf.dispose();
  }
}
