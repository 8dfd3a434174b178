// Running a benchmark worker inside workerd (Miniflare) and timing work there. Time inside a Worker
// only moves on I/O, so a figure is taken from outside: the time of a request that does the work
// N times, minus that of one that does it 0 times, over N; the median of several rounds.
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import path from 'node:path';

/** Bundles `entry` (a TypeScript worker under bench/workers/) and starts it in Miniflare. */
export async function startBenchWorker(root, entry, options = {}) {
  const outfile = path.join(root, '.wrangler', 'bench', `${path.basename(entry, '.ts')}.js`);
  await build({
    entryPoints: [path.join(root, 'bench', 'workers', entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    conditions: ['workerd', 'worker', 'browser'],
    external: ['cloudflare:*'],
    target: 'es2022',
    outfile,
    logLevel: 'error',
  });
  return new Miniflare({ modules: true, scriptPath: outfile, compatibilityDate: '2026-04-20', ...options });
}

/** Milliseconds per operation of `GET <query>&n=N`, with a warm-up, median of `rounds`. */
export async function msPerOperation(mf, query, n, rounds = 5) {
  const timed = async (count) => {
    const started = performance.now();
    const response = await mf.dispatchFetch(`http://bench.local/?${query}&n=${count}`);
    if (!response.ok) throw new Error(`bench worker answered ${response.status}: ${await response.text()}`);
    const result = await response.json();
    if (result.n !== count) throw new Error(`bench worker answered ${JSON.stringify(result)}`);
    return performance.now() - started;
  };
  await timed(Math.ceil(n / 10)); // warm up: JIT, caches
  const samples = [];
  for (let round = 0; round < rounds; round++) {
    const empty = await timed(0);
    const full = await timed(n);
    samples.push((full - empty) / n);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}
