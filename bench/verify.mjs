// The cost of verifying one 1 KB Telnyx webhook inside workerd, on the WebCrypto path and on the
// pure-JS fallback (@noble/ed25519), with the edge's own verifier (bench/workers/verify-worker.ts).
import { msPerOperation, startBenchWorker } from './in-workerd.mjs';

export async function benchVerification({ root }) {
  const mf = await startBenchWorker(root, 'verify-worker.ts');
  try {
    return {
      webcryptoMs: await msPerOperation(mf, 'engine=webcrypto', 2000),
      nobleMs: await msPerOperation(mf, 'engine=noble', 60),
    };
  } finally {
    await mf.dispose();
  }
}
