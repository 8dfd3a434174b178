// The daily summary, POSTed to REPORT_WEBHOOK_URL as a chat message (render/summary.ts). A day's
// summary is sent once: the attempt is claimed in report_runs first (of two cron invocations at
// once, one claims it), and a delivered row is never claimed again. A failed attempt is retried by
// later hourly crons, up to MAX_ATTEMPTS. A Worker that dies between a successful POST and
// recording it leaves a claim that is retaken after CLAIM_STALE_MS: the one case where a summary
// could arrive twice, and it needs a crash at that exact moment.

import { log } from '../../shared/log';
import type { ReportsConfig } from './config';
import { reportSummary } from './render/summary';
import { getReportFile } from './store';
import type { Report } from './types';

export const MAX_ATTEMPTS = 5;
const CLAIM_STALE_MS = 15 * 60_000;
const POST_TIMEOUT_MS = 10_000;

export type DeliveryOutcome = 'delivered' | 'failed' | 'not_configured' | 'not_due';

async function claim(db: D1Database, day: string, now: number): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE report_runs SET delivery_status = 'sending', delivery_attempts = delivery_attempts + 1,
         delivery_claimed_at = ?2, delivery_error = NULL
       WHERE date = ?1 AND delivery_attempts < ?3
         AND (delivery_status IS NULL OR delivery_status IN ('pending', 'failed', 'not_configured')
              OR (delivery_status = 'sending' AND delivery_claimed_at < ?4))
       RETURNING date`,
    )
    .bind(day, new Date(now).toISOString(), MAX_ATTEMPTS, new Date(now - CLAIM_STALE_MS).toISOString())
    .first();
  return row !== null;
}

async function settle(db: D1Database, day: string, status: 'delivered' | 'failed', error?: string): Promise<void> {
  await db
    .prepare(
      `UPDATE report_runs SET delivery_status = ?2, delivery_error = ?3,
         delivered_at = CASE WHEN ?2 = 'delivered' THEN ?4 ELSE delivered_at END
       WHERE date = ?1`,
    )
    .bind(day, status, error ?? null, new Date().toISOString())
    .run();
}

/** Sends the summary of `day` unless it was sent (or is being sent) already. */
export async function deliverSummary(
  env: Pick<Env, 'DB' | 'REPORTS'>,
  day: string,
  config: ReportsConfig,
  report?: Report,
): Promise<DeliveryOutcome> {
  if (config.webhookUrl === undefined) {
    await env.DB.prepare(
      "UPDATE report_runs SET delivery_status = 'not_configured' WHERE date = ? AND delivery_status IS NULL",
    )
      .bind(day)
      .run();
    return 'not_configured';
  }
  if (!(await claim(env.DB, day, Date.now()))) return 'not_due';
  try {
    const stored = report ?? ((await (await getReportFile(env.REPORTS, day, 'json'))?.json()) as Report | undefined);
    if (stored === undefined) throw new Error(`the report file of ${day} is missing from R2`);
    const response = await fetch(config.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reportSummary(stored)),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await settle(env.DB, day, 'delivered');
    log.info('report_summary_delivered', { date: day });
    return 'delivered';
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    await settle(env.DB, day, 'failed', detail.slice(0, 300));
    log.warn('report_summary_failed', { date: day, error: detail });
    return 'failed';
  }
}

/** A failed summary waits this long before it is tried again (in practice: the next hourly run). */
const RETRY_AFTER_MS = 30 * 60_000;

/** Days whose summary failed at least RETRY_AFTER_MS ago and may be tried again. */
export async function failedDeliveries(db: D1Database, now = Date.now()): Promise<string[]> {
  const { results } = await db
    .prepare(
      `SELECT date FROM report_runs WHERE delivery_status = 'failed' AND delivery_attempts < ? AND delivery_claimed_at < ?
       ORDER BY date`,
    )
    .bind(MAX_ATTEMPTS, new Date(now - RETRY_AFTER_MS).toISOString())
    .all<{ date: string }>();
  return results.map((r) => r.date);
}
