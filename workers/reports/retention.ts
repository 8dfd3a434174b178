// Records older than RETENTION_DAYS are deleted by the hourly cron, table by table, a bounded
// number of rows per statement so no single D1 query runs long. Report files and report_runs are
// not records: they are kept (an R2 lifecycle rule can expire the files if wanted).

const BATCH = 5_000;
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
