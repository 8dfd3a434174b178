// Records older than RETENTION_DAYS are deleted by the hourly cron, table by table, a bounded
// number of rows per statement so no single D1 query runs long. Report files and report_runs are
// not records: they are kept (an R2 lifecycle rule can expire the files if wanted).
//
// One thing goes sooner: the bodies of the webhook events a pool has acted on. They are most of
// what D1 holds (a pool's every event, about 1.3 KB each: at 100,000 messages a day, some 300 MB a
// day, so 90 days would pass D1's 10 GB), and once acted on their outcome lives in the messages
// and opt-out records. They are cleared after PROCESSED_BODY_DAYS, a week, about when the pool's
// own inbox forgets them too: after that the body is gone everywhere, and what it did stays. The
// row (id, type, times, deliveries, outcome) stays for RETENTION_DAYS. The query names its index
// (migration 0009), so apply the migrations before deploying, as the README's deploy steps do.
// Bodies of events nothing acted on (no pool, quarantined, failed) are the only copy: kept.

const BATCH = 5_000;
/** Days the body of a webhook event that was acted on is kept (the rest of its row: RETENTION_DAYS). */
export const PROCESSED_BODY_DAYS = 7;
/** Statements per table per run; what is left over goes next hour. */
const MAX_ROUNDS = 20;

/** Each table with the column that dates its rows (ISO 8601 text, or "YYYY-MM-DDTHH:MM"). */
const RECORD_TABLES: ReadonlyArray<{ table: string; column: string; keep?: string }> = [
  { table: 'messages', column: 'created_at' },
  { table: 'opt_out_events', column: 'at' },
  { table: 'calls', column: 'started_at' },
  { table: 'lookup_events', column: 'at' },
  { table: 'lookup_hits', column: 'minute' },
  { table: 'webhook_events', column: 'received_at' },
  { table: 'forward_failures', column: 'at' },
  // A dead letter never redriven is the only copy of an event the business never got: kept.
  { table: 'forward_dead_letters', column: 'dead_at', keep: 'redriven_at IS NULL' },
  { table: 'cron_runs', column: 'started_at' },
];

export async function purgeOldRecords(
  db: D1Database,
  retentionDays: number,
  now: number,
): Promise<Record<string, number>> {
  const cutoff = new Date(now - retentionDays * 86_400_000).toISOString();
  const deleted: Record<string, number> = {};
  for (const { table, column, keep } of RECORD_TABLES) {
    deleted[table] = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const result = await db
        .prepare(
          `DELETE FROM ${table} WHERE rowid IN
             (SELECT rowid FROM ${table} WHERE ${column} < ? ${keep ? `AND NOT (${keep})` : ''} LIMIT ${BATCH})`,
        )
        .bind(cutoff)
        .run();
      deleted[table] += result.meta.changes;
      if (result.meta.changes < BATCH) break;
    }
  }
  // A sync run's drift rows go with it.
  const [drift, runs] = await db.batch([
    db
      .prepare(
        'DELETE FROM connection_sync_drift WHERE run_id IN (SELECT id FROM connection_sync_runs WHERE started_at < ?)',
      )
      .bind(cutoff),
    db.prepare('DELETE FROM connection_sync_runs WHERE started_at < ?').bind(cutoff),
  ]);
  deleted.connection_sync_drift = drift!.meta.changes;
  deleted.connection_sync_runs = runs!.meta.changes;
  return deleted;
}

/** Clears the bodies of acted-on webhook events older than PROCESSED_BODY_DAYS; returns how many. */
export async function clearProcessedBodies(db: D1Database, now: number): Promise<number> {
  const cutoff = new Date(now - PROCESSED_BODY_DAYS * 86_400_000).toISOString();
  let cleared = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = await db
      .prepare(
        `UPDATE webhook_events SET body = '' WHERE rowid IN
           (SELECT rowid FROM webhook_events INDEXED BY webhook_events_processed_bodies
            WHERE state = 'processed' AND body != '' AND received_at < ? LIMIT ${BATCH})`,
      )
      .bind(cutoff)
      .run();
    cleared += result.meta.changes;
    if (result.meta.changes < BATCH) break;
  }
  return cleared;
}
