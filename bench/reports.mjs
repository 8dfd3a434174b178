// The time to build a day's report over 100,000 messages, 20,000 calls and 50,000 lookups in local
// D1 (bench/workers/report-worker.ts): the cron's whole job, queries to files in R2.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { msPerOperation, startBenchWorker } from './in-workerd.mjs';

/** The statements of the project's D1 migrations, in order (comments dropped, split at `;`). */
function migrationStatements(root) {
  const dir = path.join(root, 'migrations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), 'utf8')
        .replace(/--[^\n]*/g, '')
        .split(/;\s*(?:\n|$)/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
}

export async function benchReports({ root }) {
  const mf = await startBenchWorker(root, 'report-worker.ts', {
    d1Databases: ['DB'],
    kvNamespaces: ['CONFIG'],
    r2Buckets: ['REPORTS'],
  });
  try {
    const db = await mf.getD1Database('DB');
    for (const statement of migrationStatements(root)) await db.prepare(statement).run();
    const seeded = await (await mf.dispatchFetch('http://bench.local/seed', { method: 'POST' })).json();
    const msPerReport = await msPerOperation(mf, 'x=1', 1, 3);
    // The report must have read the seeded day: 94 of every 100 messages are sends that went out.
    const { sent } = await (await mf.dispatchFetch('http://bench.local/?n=1')).json();
    if (sent !== 94_000) throw new Error(`the report counted ${sent} messages sent, not 94,000`);
    return { msPerReport, seeded };
  } finally {
    await mf.dispose();
  }
}
