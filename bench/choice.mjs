// The cost of choosing a sending number in a pool of 10,000 numbers with 100,000 sticky entries,
// inside a SQLite-backed Durable Object (bench/workers/choice-worker.ts).
import { msPerOperation, startBenchWorker } from './in-workerd.mjs';

export async function benchChoice({ root }) {
  const mf = await startBenchWorker(root, 'choice-worker.ts', {
    durableObjects: { POOL: { className: 'ChoiceBench', useSQLite: true } },
  });
  try {
    await mf.dispatchFetch('http://bench.local/?n=0'); // seeds the pool and its sticky table
    return { msPerChoice: await msPerOperation(mf, 'x=1', 20_000) };
  } finally {
    await mf.dispose();
  }
}
