// The cost of verifying one 1 KB Telnyx webhook inside workerd, on the WebCrypto path and on the
// tweetnacl fallback, with the edge's own verifier (bench/workers/verify-worker.ts).
import { msPerOperation, startBenchWorker } from './in-workerd.mjs';

export async function benchVerification({ root }) {
  const mf = await startBenchWorker(root, 'verify-worker.ts');
  try {
    return {
      webcryptoMs: await msPerOperation(mf, 'engine=webcrypto', 2000),
      tweetnaclMs: await msPerOperation(mf, 'engine=tweetnacl', 60),
    };
  } finally {
    await mf.dispose();
  }
}
