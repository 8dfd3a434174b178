// Cron triggers fire at least once: the same scheduled time may run twice, even at the same
// moment. Each job claims its (job, scheduled time) in D1 before doing anything (cron_runs,
// migration 0008); of two claims at once exactly one inserts the row. A failed run may be taken
// again by a later firing of the same time, and so may a run still marked running long after any
// Worker could still be on it (a cron invocation lasts at most 15 minutes).

const STALE_RUNNING_MS = 20 * 60_000;

export type CronJobResult = Record<string, unknown>;

/** True when this invocation owns the run of `job` at `scheduledTime`. */
export async function claimCronRun(
  db: D1Database,
  job: string,
  scheduledTime: number,
  now = Date.now(),
): Promise<boolean> {
  const row = await db
    .prepare(
      `INSERT INTO cron_runs (job, scheduled_time, status, started_at) VALUES (?, ?, 'running', ?)
       ON CONFLICT (job, scheduled_time) DO UPDATE SET status = 'running', started_at = excluded.started_at,
         finished_at = NULL, detail = NULL
       WHERE cron_runs.status = 'failed' OR (cron_runs.status = 'running' AND cron_runs.started_at < ?)
       RETURNING job`,
    )
    .bind(job, scheduledTime, new Date(now).toISOString(), new Date(now - STALE_RUNNING_MS).toISOString())
    .first<{ job: string }>();
  return row !== null;
}

export async function finishCronRun(
  db: D1Database,
  job: string,
  scheduledTime: number,
  outcome: { ok: true; detail: CronJobResult } | { ok: false; error: string },
): Promise<void> {
  await db
    .prepare(`UPDATE cron_runs SET status = ?, finished_at = ?, detail = ? WHERE job = ? AND scheduled_time = ?`)
    .bind(
      outcome.ok ? 'ok' : 'failed',
      new Date().toISOString(),
      JSON.stringify(outcome.ok ? outcome.detail : { error: outcome.error.slice(0, 500) }),
      job,
      scheduledTime,
    )
    .run();
}

/**
 * Runs `work` once per (job, scheduled time): claims the run, records what it did or why it
 * failed, and rethrows a failure so the cron invocation shows it. Returns undefined when another
 * invocation has (or had) the run.
 */
export async function runCronJobOnce(
  db: D1Database,
  job: string,
  scheduledTime: number,
  work: () => Promise<CronJobResult>,
): Promise<CronJobResult | undefined> {
  if (!(await claimCronRun(db, job, scheduledTime))) return undefined;
  try {
    const detail = await work();
    await finishCronRun(db, job, scheduledTime, { ok: true, detail });
    return detail;
  } catch (error) {
    await finishCronRun(db, job, scheduledTime, {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}
