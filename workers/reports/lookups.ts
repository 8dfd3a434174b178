// The lookup part of a report, from D1's `lookup_hits` (cache hits counted per minute) and
// `lookup_events` (everything else: a Telnyx call, a stale answer, an invalid number, an error),
// migration 0001. "Cost saved" is what the cache hits would have cost at LOOKUP_PRICE_USD each.

import type { LookupFigures } from './types';

export async function lookupSection(
  db: D1Database,
  day: { from: string; to: string },
  pricePerLookupUsd: number,
): Promise<LookupFigures> {
  // lookup_hits.minute is "YYYY-MM-DDTHH:MM" (no zone), which compares with the day names as text.
  const [hits, events] = await db.batch<Record<string, number | null>>([
    db.prepare('SELECT SUM(count) AS hits FROM lookup_hits WHERE minute >= ?1 AND minute < ?2').bind(day.from, day.to),
    db
      .prepare(
        `SELECT COUNT(*) AS events, SUM(upstream_calls) AS upstream,
           COUNT(*) FILTER (WHERE cache = 'STALE') AS stale, COUNT(*) FILTER (WHERE cache = 'ERROR') AS errors
         FROM lookup_events WHERE at >= ?1 AND at < ?2`,
      )
      .bind(day.from, day.to),
  ]);
  const cacheHits = hits!.results[0]?.hits ?? 0;
  const e = events!.results[0] ?? {};
  const lookups = cacheHits + (e.events ?? 0);
  return {
    lookups,
    cache_hits: cacheHits,
    hit_rate: lookups === 0 ? null : cacheHits / lookups,
    upstream_calls: e.upstream ?? 0,
    stale_served: e.stale ?? 0,
    errors: e.errors ?? 0,
    price_per_lookup_usd: pricePerLookupUsd,
    cost_saved_usd: Math.round(cacheHits * pricePerLookupUsd * 1e6) / 1e6,
  };
}
