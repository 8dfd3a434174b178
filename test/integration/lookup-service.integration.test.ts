// The lookup service (workers/lookup/service.ts) with an injected clock, against real KV and the
// Telnyx simulator: freshness per type, the stale window, negative-cache expiry, and a Telnyx
// that does not answer in time.
import { beforeEach, describe, expect, it } from 'vitest';
import { telnyxClientFromEnv } from '../../shared/telnyx/client';
import { forgetMemoryCache } from '../../workers/lookup/cache';
import { lookupConfig } from '../../workers/lookup/config';
import { lookupNumber, type LookupDeps } from '../../workers/lookup/service';
import { resetSimulator, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';

const DAY = 86_400_000;
const NUMBER = '+14155550120';

let clock = 0;
let deferred: Promise<unknown>[] = [];

function deps(overrides: Partial<LookupDeps> = {}): LookupDeps {
  return {
    kv: env.LOOKUP_CACHE,
    config: lookupConfig(env),
    client: telnyxClientFromEnv(env),
    now: () => clock,
    defer: (work) => void deferred.push(work),
    ...overrides,
  };
}

/** A lookup, with its deferred cache writes done before the next one starts. */
async function look(types: Array<'carrier' | 'caller-name'>, options: { refresh?: boolean } = {}, d = deps()) {
  try {
    return await lookupNumber(d, NUMBER, types, options);
  } finally {
    await Promise.allSettled(deferred);
    deferred = [];
  }
}

async function upstreamCount(): Promise<number> {
  const rows = (await sim<{ data: Array<{ phone_number: string; count: number }> }>('/sim/lookups')).data;
  return rows.filter((r) => r.phone_number === NUMBER).reduce((sum, r) => sum + r.count, 0);
}

beforeEach(async () => {
  await resetSimulator();
  const { keys } = await env.LOOKUP_CACHE.list();
  await Promise.all(keys.map((key) => env.LOOKUP_CACHE.delete(key.name)));
  forgetMemoryCache();
  clock = Date.parse('2026-11-01T00:00:00Z');
});

describe('freshness', () => {
  it('keeps a carrier answer 30 days and a caller name 7 days (the defaults)', async () => {
    expect((await look(['carrier', 'caller-name'])).cache).toBe('MISS');
    clock += 7 * DAY - 1000;
    expect((await look(['carrier', 'caller-name'])).cache).toBe('HIT');
    clock += 2000; // caller name now past 7 days; carrier still fresh
    const partly = await look(['carrier', 'caller-name']);
    expect(partly.cache).toBe('MISS');
    const paths = (await sim<{ data: Array<{ path: string }> }>('/sim/requests?path=/v2/number_lookup')).data.map(
      (r) => r.path,
    );
    expect(paths.at(-1)).toBe('/v2/number_lookup/%2B14155550120?type=caller-name');
    clock += 23 * DAY;
    expect((await look(['carrier'])).cache).toBe('MISS');
    expect(await upstreamCount()).toBe(4); // carrier twice, caller name twice
  });

  it('reports the age of the oldest part of the answer', async () => {
    await look(['carrier']);
    clock += 3600_000;
    await look(['caller-name']);
    clock += 60_000;
    const answer = await look(['carrier', 'caller-name']);
    expect(answer).toMatchObject({ cache: 'HIT', ageSeconds: 3660 });
  });
});

describe('when Telnyx fails', () => {
  it('serves an expired answer as STALE within LOOKUP_STALE_SECONDS, and 502 after it', async () => {
    const fresh = await look(['carrier']);
    clock += 31 * DAY; // past the 30-day TTL, within the 30-day stale window
    await sim('/sim/faults', { body: { target: 'api', kind: '500', count: 3, path: '/v2/number_lookup' } });
    const stale = await look(['carrier']);
    expect(stale).toMatchObject({ cache: 'STALE', ageSeconds: 31 * 86_400 });
    expect(stale.record).toEqual(fresh.record);

    clock += 30 * DAY; // past the stale window too
    await sim('/sim/faults', { body: { target: 'api', kind: '500', count: 3, path: '/v2/number_lookup' } });
    await expect(look(['carrier'])).rejects.toMatchObject({ status: 502 });
  });

  it('treats a Telnyx that does not answer in time like one that fails', async () => {
    await look(['carrier']);
    clock += 31 * DAY;
    await sim('/sim/faults', { body: { target: 'api', kind: 'slow', delay_ms: 400, path: '/v2/number_lookup' } });
    const impatient = deps({ client: telnyxClientFromEnv(env, { timeouts: { read: 100 }, readRetries: 0 }) });
    const answer = await look(['carrier'], {}, impatient);
    expect(answer.cache).toBe('STALE');
  });
});

describe('negative cache', () => {
  it("remembers Telnyx's 422 for LOOKUP_NEGATIVE_TTL_SECONDS, then asks again", async () => {
    await sim('/sim/settings', { method: 'PATCH', body: { lookup_refused_countries: ['US'] } });
    await expect(look(['carrier'])).rejects.toMatchObject({ status: 422 });
    clock += 299_000;
    await expect(look(['carrier'])).rejects.toMatchObject({ status: 422 });
    expect(await upstreamCount()).toBe(1);
    clock += 2000;
    await expect(look(['carrier'])).rejects.toMatchObject({ status: 422 });
    expect(await upstreamCount()).toBe(2);
  });
});
