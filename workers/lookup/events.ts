// What the reports learn about lookups (migrations/0001_lookup_records.sql): a row for every
// lookup that was not a plain cache hit (it asked Telnyx, fell back to a kept answer, or failed),
// with the number masked; and cache hits counted per minute, country and types.
//
// Both are written after the answer (ctx.waitUntil), and in batches: each isolate collects them and
// writes them together once FLUSH_ROWS event rows have gathered or FLUSH_MS have passed since its
// last write. Writing per lookup cost more than the cache hit it recorded (measured on wrangler
// dev: a cache hit ran at a third of its speed with a D1 row each, at about 0.9 of a trivial
// route with hits counted). The price: if the runtime evicts an isolate, what it had not yet
// written (at most FLUSH_ROWS event rows and FLUSH_MS of hit counts) is missing from the statistics; the
// lookups themselves were answered.

import { rowsInsertStatements, type RowsInsert } from '../../shared/d1-rows';
import { log, maskDigits } from '../../shared/log';
import type { PhoneNumber } from '../../shared/phone';
import type { NumberLookupType } from '../../shared/telnyx/types';

export type LookupOutcome = 'HIT' | 'MISS' | 'STALE' | 'INVALID' | 'ERROR';

export interface LookupEvent {
  number: PhoneNumber;
  types: readonly NumberLookupType[];
  cache: LookupOutcome;
  upstreamCalls: number;
  upstreamMs: number | undefined;
  status: number;
  at: Date;
}

const FLUSH_ROWS = 50;

const LOOKUP_EVENTS: RowsInsert = {
  table: 'lookup_events',
  columns: ['at', 'phone_masked', 'country', 'types', 'cache', 'upstream_calls', 'upstream_ms', 'status'],
};
const LOOKUP_HITS: RowsInsert = {
  table: 'lookup_hits',
  columns: ['minute', 'country', 'types', 'count'],
  onConflict: 'ON CONFLICT (minute, country, types) DO UPDATE SET count = count + excluded.count',
};
const FLUSH_MS = 5_000;

let rows: LookupEvent[] = [];
let hits = new Map<string, { minute: string; country: string; types: string; count: number }>();
let lastFlush = 0;

/** Queues `events` and, when a batch is due, hands the write to `defer` (ctx.waitUntil). */
export function recordLookups(
  db: D1Database,
  events: readonly LookupEvent[],
  defer: (work: Promise<unknown>) => void,
): void {
  for (const event of events) {
    if (event.cache !== 'HIT') {
      rows.push(event);
      continue;
    }
    const minute = event.at.toISOString().slice(0, 16);
    const country = event.number.country ?? '';
    const types = event.types.join(',');
    const key = `${minute}|${country}|${types}`;
    const counted = hits.get(key);
    if (counted) counted.count++;
    else hits.set(key, { minute, country, types, count: 1 });
  }
  // Hit counts stay one row a minute however many there are, so only rows and time force a write.
  if (rows.length >= FLUSH_ROWS || Date.now() - lastFlush >= FLUSH_MS) defer(flushLookupRecords(db));
}

/** Writes everything queued now (a batch that is due, the cron, or a test). */
export async function flushLookupRecords(db: D1Database): Promise<void> {
  const [events, counts] = [rows, [...hits.values()]];
  rows = [];
  hits = new Map();
  lastFlush = Date.now();
  if (events.length === 0 && counts.length === 0) return;
  try {
    await db.batch([
      ...rowsInsertStatements(
        db,
        LOOKUP_EVENTS,
        events.map((e) => [
          e.at.toISOString(),
          maskDigits(e.number.e164),
          e.number.country ?? null,
          e.types.join(','),
          e.cache,
          e.upstreamCalls,
          e.upstreamMs ?? null,
          e.status,
        ]),
      ),
      ...rowsInsertStatements(
        db,
        LOOKUP_HITS,
        counts.map((h) => [h.minute, h.country, h.types, h.count]),
      ),
    ]);
  } catch (error) {
    // A lost statistic must not become a failed lookup; say so loudly in the logs instead.
    log.error('lookup_record_failed', { error, lookups: events.length + counts.reduce((n, h) => n + h.count, 0) });
  }
}
