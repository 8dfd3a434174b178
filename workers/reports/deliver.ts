// The daily summary, POSTed to REPORT_WEBHOOK_URL as a chat message (render/summary.ts). A day's
// summary is sent at most once:
//   - the attempt is claimed in report_runs first (of two cron invocations at once, one claims it);
//   - a row that is delivered, or still `sending`, is never claimed by the cron again;
//   - once the chat tool has answered 2xx the row is never marked failed, whatever happens after.
// A refused or unanswered attempt is marked failed and retried by later hourly crons, up to
// MAX_ATTEMPTS. A Worker that dies mid-attempt leaves the row `sending`: whether the chat tool got
// it is unknown, so nothing resends it by itself; `POST /reports/run?date=...&deliver=true` is the
// operator's way to send it (again), and also to try once more after MAX_ATTEMPTS failures.

import { log } from '../../shared/log';
import type { ReportsConfig } from './config';
import { reportSummary } from './render/summary';
import { getReportFile } from './store';
import type { Report } from './types';

export const MAX_ATTEMPTS = 5;
const CLAIM_STALE_MS = 15 * 60_000;
const POST_TIMEOUT_MS = 10_000;

export type DeliveryOutcome = 'delivered' | 'failed' | 'not_configured' | 'not_due';

/**
 * Claims the day's delivery. The cron claims only a day not yet tried, or failed fewer than
 * MAX_ATTEMPTS times; an operator (`force`) claims any day not being sent this very moment.
 */
async function claim(db: D1Database, day: string, now: number, force: boolean): Promise<boolean> {
  const row = await db
    .prepare(
      `UPDATE report_runs SET delivery_status = 'sending',
         delivery_attempts = CASE WHEN ?5 THEN 1 ELSE delivery_attempts + 1 END,
         delivery_claimed_at = ?2, delivery_error = NULL
       WHERE date = ?1 AND (
         (?5 AND (delivery_status IS NOT 'sending' OR delivery_claimed_at < ?4))
         OR (delivery_attempts < ?3 AND (delivery_status IS NULL OR delivery_status IN ('failed', 'not_configured'))))
       RETURNING date`,
    )
    .bind(day, new Date(now).toISOString(), MAX_ATTEMPTS, new Date(now - CLAIM_STALE_MS).toISOString(), force ? 1 : 0)
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

/**
 * Sends the summary of `day` unless it was sent (or is being sent) already; with `force` (an
 * operator's explicit request) it is sent again whatever happened before.
 */
export async function deliverSummary(
  env: Pick<Env, 'DB' | 'REPORTS'>,
  day: string,
  config: ReportsConfig,
  options: { report?: Report; force?: boolean } = {},
): Promise<DeliveryOutcome> {
  if (config.webhookUrl === undefined) {
    await env.DB.prepare(
      "UPDATE report_runs SET delivery_status = 'not_configured' WHERE date = ? AND delivery_status IS NULL",
    )
      .bind(day)
      .run();
    return 'not_configured';
  }
  if (!(await claim(env.DB, day, Date.now(), options.force === true))) return 'not_due';
  try {
    const stored =
      options.report ?? ((await (await getReportFile(env.REPORTS, day, 'json'))?.json()) as Report | undefined);
    if (stored === undefined) throw new Error(`the report file of ${day} is missing from R2`);
    const response = await fetch(config.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reportSummary(stored)),
      signal: AbortSignal.timeout(POST_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    await settle(env.DB, day, 'failed', detail.slice(0, 300));
    log.warn('report_summary_failed', { date: day, error: detail });
    return 'failed';
  }
  // The chat tool has it. From here on the row may only become `delivered`; if D1 will not take
  // even that, it stays `sending`, which nothing resends by itself.
  for (let attempt = 1; ; attempt++) {
    try {
      await settle(env.DB, day, 'delivered');
      break;
    } catch (error) {
      if (attempt === 3) {
        log.error('report_summary_delivered_unrecorded', { date: day, error });
        break;
      }
    }
  }
  log.info('report_summary_delivered', { date: day });
  return 'delivered';
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
