// Days the daily report has missed. The report of a day is built by the first hourly cron at or
// after REPORT_HOUR_UTC the next day; if no cron ran from then to midnight (an outage, a deploy
// gap), that day would be left without one. So each run also looks back a week for days that had
// activity and have no report yet. A day with no records at all (before the edge was deployed,
// or a quiet one) is not built: there is nothing to report, and POST /reports/run can still make it.

import { addDays } from './days';

export const LOOK_BACK_DAYS = 7;

async function hadActivity(db: D1Database, day: string): Promise<boolean> {
  const next = addDays(day, 1);
  const row = await db
    .prepare(
      `SELECT EXISTS (SELECT 1 FROM messages WHERE created_at >= ?1 AND created_at < ?2)
           OR EXISTS (SELECT 1 FROM calls WHERE started_at >= ?1 AND started_at < ?2)
           OR EXISTS (SELECT 1 FROM lookup_events WHERE at >= ?1 AND at < ?2)
           OR EXISTS (SELECT 1 FROM lookup_hits WHERE minute >= ?1 AND minute < ?2) AS active`,
    )
    .bind(day, next)
    .first<{ active: number }>();
  return row?.active === 1;
}

/** The days before `yesterday`, oldest first, within the look-back, with records and no report. */
export async function missedDays(db: D1Database, yesterday: string): Promise<string[]> {
  const oldest = addDays(yesterday, -LOOK_BACK_DAYS);
  const { results } = await db
    .prepare('SELECT date FROM report_runs WHERE date >= ? AND date < ?')
    .bind(oldest, yesterday)
    .all<{ date: string }>();
  const reported = new Set(results.map((r) => r.date));
  const missed: string[] = [];
  for (let back = LOOK_BACK_DAYS; back >= 1; back--) {
    const day = addDays(yesterday, -back);
    if (!reported.has(day) && (await hadActivity(db, day))) missed.push(day);
  }
  return missed;
}
