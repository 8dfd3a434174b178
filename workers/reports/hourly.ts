// Hour-by-hour activity of a day, for the report's chart. Hours are UTC, read from the ISO text of
// each timestamp (characters 12-13), so the grouping happens in SQL.

import { SENT } from './messaging';
import type { Report } from './types';

export async function hourlyActivity(db: D1Database, day: { from: string; to: string }): Promise<Report['hourly']> {
  const hour = (column: string) => `CAST(substr(${column}, 12, 2) AS INTEGER)`;
  const [messages, calls, events, hits] = await db.batch<{ hour: number; a: number; b?: number }>([
    db
      .prepare(
        `SELECT ${hour('created_at')} AS hour, COUNT(*) FILTER (WHERE kind = 'send' AND ${SENT}) AS a,
           COUNT(*) FILTER (WHERE direction = 'inbound') AS b
         FROM messages WHERE created_at >= ?1 AND created_at < ?2 GROUP BY 1`,
      )
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT ${hour('started_at')} AS hour, COUNT(*) AS a FROM calls WHERE started_at >= ?1 AND started_at < ?2 GROUP BY 1`,
      )
      .bind(day.from, day.to),
    db
      .prepare(`SELECT ${hour('at')} AS hour, COUNT(*) AS a FROM lookup_events WHERE at >= ?1 AND at < ?2 GROUP BY 1`)
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT ${hour('minute')} AS hour, SUM(count) AS a FROM lookup_hits WHERE minute >= ?1 AND minute < ?2 GROUP BY 1`,
      )
      .bind(day.from, day.to),
  ]);
  const hours = Array.from({ length: 24 }, (_, h) => ({
    hour: h,
    messages_sent: 0,
    messages_received: 0,
    calls: 0,
    lookups: 0,
  }));
  const at = (h: number) => hours[h] ?? hours[0]!;
  for (const row of messages!.results) {
    at(row.hour).messages_sent += row.a;
    at(row.hour).messages_received += row.b ?? 0;
  }
  for (const row of calls!.results) at(row.hour).calls += row.a;
  for (const row of [...events!.results, ...hits!.results]) at(row.hour).lookups += row.a;
  return hours;
}
