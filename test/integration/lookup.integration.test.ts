// Number lookup through the bundle (workers/lookup), against the Telnyx simulator: cache hits and
// misses counted at the simulator, partial types, refresh, stale answers while Telnyx fails,
// rate limits, negative caching, input forms, auth, the batch route, and the D1 record of each
// lookup. Clock-driven expiry is in lookup-service.integration.test.ts.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../../workers/index';
import { forgetMemoryCache } from '../../workers/lookup/cache';
import { flushLookupRecords } from '../../workers/lookup/events';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, resetSimulator, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';

const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };
const MOBILE = '+13125550100';
const OTHER = '+12125550111';

interface Answer {
  status: number;
  headers: Headers;
  body: {
    data?: Record<string, unknown>;
    errors?: Array<Record<string, unknown>>;
    meta?: Record<string, number>;
  };
}

/** A request to the bundle, with its waitUntil work (cache writes, D1 records) finished. */
async function edge(path: string, init: RequestInit = {}, bindings: Partial<Env> = {}): Promise<Answer> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}${path}`, { ...init, headers: { ...AUTH, ...init.headers } }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const lookup = (number: string, query = '', init: RequestInit = {}) =>
  edge(`/v2/number_lookup/${encodeURIComponent(number)}${query}`, init);

/** A batch answer's items. */
function items(answer: Answer): Array<Record<string, unknown>> {
  return answer.body.data as unknown as Array<Record<string, unknown>>;
}

/** How many lookups of `number` reached the simulator, per type. */
async function upstreamLookups(number: string): Promise<Record<string, number>> {
  const rows = (await sim<{ data: Array<{ phone_number: string; type: string; count: number }> }>('/sim/lookups')).data;
  return Object.fromEntries(rows.filter((r) => r.phone_number === number).map((r) => [r.type, r.count]));
}

async function lookupRequests(): Promise<string[]> {
  const rows = (await sim<{ data: Array<{ path: string }> }>('/sim/requests?path=/v2/number_lookup&limit=1000')).data;
  return rows.map((r) => r.path);
}

async function fault(body: Record<string, unknown>) {
  await sim('/sim/faults', { body });
}

beforeEach(async () => {
  await resetSimulator();
  const { keys } = await env.LOOKUP_CACHE.list();
  await Promise.all(keys.map((key) => env.LOOKUP_CACHE.delete(key.name)));
  forgetMemoryCache();
  await flushLookupRecords(env.DB);
  await env.DB.exec('DELETE FROM lookup_events; DELETE FROM lookup_hits');
});

describe('GET /v2/number_lookup/{phone_number}', () => {
  it('asks Telnyx once, then answers from the cache', async () => {
    const first = await lookup(MOBILE, '?type=carrier');
    expect(first.status).toBe(200);
    expect(first.headers.get('x-cache')).toBe('MISS');
    expect(first.headers.get('age')).toBe('0');
    expect(first.body.data).toMatchObject({
      record_type: 'number_lookup',
      phone_number: MOBILE,
      national_format: '(312) 555-0100',
      country_code: 'US',
      carrier: { type: 'mobile' },
      portability: { lrn: expect.stringMatching(/^\d{10}$/) },
    });
    expect(first.body.data).not.toHaveProperty('caller_name');

    const second = await lookup(MOBILE, '?type=carrier');
    expect(second.headers.get('x-cache')).toBe('HIT');
    expect(second.body.data).toEqual(first.body.data);
    expect(await upstreamLookups(MOBILE)).toEqual({ carrier: 1 });
  });

  it('with both types cached for one, asks Telnyx only for the other', async () => {
    await lookup(MOBILE, '?type=carrier');
    const both = await lookup(MOBILE, '?type=carrier&type=caller-name');
    expect(both.headers.get('x-cache')).toBe('MISS');
    expect(both.body.data).toMatchObject({
      carrier: { type: 'mobile' },
      caller_name: { caller_name: expect.any(String) },
    });
    expect(await lookupRequests()).toEqual([
      '/v2/number_lookup/%2B13125550100?type=carrier',
      '/v2/number_lookup/%2B13125550100?type=caller-name',
    ]);
    const again = await lookup(MOBILE, '?type=caller-name&type=carrier');
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.body.data).toEqual(both.body.data);
  });

  it('reads a lookup without type as a carrier lookup', async () => {
    const answer = await lookup(MOBILE);
    expect(answer.body.data).toHaveProperty('carrier');
    expect(answer.body.data).not.toHaveProperty('caller_name');
  });

  it('accepts +E.164, URL-encoded or not, and national digits of DEFAULT_COUNTRY (with or without the 1)', async () => {
    for (const form of [
      '/v2/number_lookup/+13125550100',
      '/v2/number_lookup/%2B13125550100',
      '/v2/number_lookup/13125550100',
      '/v2/number_lookup/3125550100',
    ]) {
      const answer = await edge(form);
      expect([form, answer.status, answer.body.data?.phone_number]).toEqual([form, 200, MOBILE]);
    }
    expect(await upstreamLookups(MOBILE)).toEqual({ carrier: 1 });
  });

  it('refuses bad numbers with 422 before asking Telnyx', async () => {
    for (const bad of ['15551234567', '+1 312 555 0100', '+0123', '+12345678901234567', 'abc', '+1٣١٢٥٥٥٠١٠٠']) {
      const answer = await lookup(bad);
      expect([bad, answer.status]).toEqual([bad, 422]);
      expect(answer.body.errors![0]).toMatchObject({
        code: expect.stringMatching(/^100(02|16)$/),
        source: { parameter: 'phone_number' },
      });
    }
    expect(await lookupRequests()).toEqual([]);
  });

  it('refuses an unknown type with 400 naming the allowed ones, before asking Telnyx', async () => {
    const answer = await lookup(MOBILE, '?type=carrier&type=cnam');
    expect(answer.status).toBe(400);
    expect(answer.body.errors![0]).toMatchObject({ source: { parameter: 'type' } });
    expect(answer.body.errors![0]!.detail).toMatch(/"carrier", "caller-name"/);
    expect(await lookupRequests()).toEqual([]);
  });

  it('asks Telnyx again for Cache-Control: no-cache or ?refresh=true', async () => {
    await lookup(MOBILE);
    expect((await lookup(MOBILE, '', { headers: { 'cache-control': 'no-cache' } })).headers.get('x-cache')).toBe(
      'MISS',
    );
    expect((await lookup(MOBILE, '?refresh=true')).headers.get('x-cache')).toBe('MISS');
    expect((await lookup(MOBILE)).headers.get('x-cache')).toBe('HIT');
    expect(await upstreamLookups(MOBILE)).toEqual({ carrier: 3 });
  });

  it('shares one Telnyx call among concurrent misses for the same number and type', async () => {
    await fault({ target: 'api', kind: 'slow', delay_ms: 200, path: '/v2/number_lookup' });
    const answers = await Promise.all(Array.from({ length: 10 }, () => lookup(MOBILE, '?type=caller-name')));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(200));
    expect(new Set(answers.map((a) => JSON.stringify(a.body.data))).size).toBe(1);
    expect(await upstreamLookups(MOBILE)).toEqual({ 'caller-name': 1 });
  });

  it('answers 502 in Telnyx shape when Telnyx fails and nothing is cached', async () => {
    await fault({ target: 'api', kind: '500', count: 3, path: '/v2/number_lookup' });
    const answer = await lookup(MOBILE);
    expect(answer.status).toBe(502);
    expect(answer.body.errors![0]).toMatchObject({
      code: '10007',
      title: 'Bad Gateway',
      detail: expect.stringMatching(/Telnyx answered 500/),
    });
    expect(await lookupRequests()).toHaveLength(3); // the read policy's two retries, no more
  });

  it('serves the kept entry, marked STALE, when Telnyx fails on a refresh', async () => {
    const fresh = await lookup(MOBILE);
    await fault({ target: 'api', kind: '500', count: 3, path: '/v2/number_lookup' });
    const stale = await lookup(MOBILE, '?refresh=true');
    expect(stale.status).toBe(200);
    expect(stale.headers.get('x-cache')).toBe('STALE');
    expect(stale.body.data).toEqual(fresh.body.data);
  });

  it('answers a Telnyx 429 with 429 and its Retry-After, without retrying', async () => {
    await fault({ target: 'api', kind: '429', reset_seconds: 7, path: '/v2/number_lookup' });
    const answer = await lookup(OTHER);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(answer.body.errors![0]).toMatchObject({ code: '10011' });
    expect(await lookupRequests()).toHaveLength(1);
  });

  it("remembers Telnyx's 422 for a number, and answers it without asking again", async () => {
    await sim('/sim/settings', { method: 'PATCH', body: { lookup_refused_countries: ['CA'] } });
    const first = await lookup('+14165550100');
    expect(first.status).toBe(422);
    expect(first.body.errors![0]).toMatchObject({ code: '10002' });
    const second = await lookup('+14165550100');
    expect(second.status).toBe(422);
    expect(second.body.errors).toEqual(first.body.errors);
    expect(await upstreamLookups('+14165550100')).toEqual({ carrier: 1 });
  });

  it('needs the admin token', async () => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(new Request(`${EDGE_URL}/v2/number_lookup/${MOBILE}`), env, ctx);
    expect(response.status).toBe(401);
    expect(await lookupRequests()).toEqual([]);
  });

  it('records lookups in D1 for the reports: misses one by one, the number masked; hits counted', async () => {
    await lookup(MOBILE);
    await lookup(MOBILE);
    await lookup(MOBILE, '?type=caller-name');
    await lookup('15551234567'); // not a number: refused before it becomes a lookup, so not recorded
    await flushLookupRecords(env.DB);
    const events = await env.DB.prepare(
      'SELECT phone_masked, country, types, cache, upstream_calls, status FROM lookup_events ORDER BY id',
    ).all();
    expect(events.results).toEqual([
      { phone_masked: '+*******0100', country: 'US', types: 'carrier', cache: 'MISS', upstream_calls: 1, status: 200 },
      {
        phone_masked: '+*******0100',
        country: 'US',
        types: 'caller-name',
        cache: 'MISS',
        upstream_calls: 1,
        status: 200,
      },
    ]);
    const hits = await env.DB.prepare('SELECT country, types, count FROM lookup_hits').all();
    expect(hits.results).toEqual([{ country: 'US', types: 'carrier', count: 1 }]);
    const whole = JSON.stringify([events.results, hits.results]);
    expect(whole).not.toContain('3125550100');
  });
});

describe('POST /lookup/batch', () => {
  const batch = (body: unknown, bindings: Partial<Env> = {}) =>
    edge(
      '/lookup/batch',
      { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } },
      bindings,
    );

  it('answers in input order, looks each number up once, and reports per-number errors', async () => {
    await lookup(OTHER); // already cached
    const answer = await batch({
      numbers: [MOBILE, 'not a number', OTHER, '3125550100', '+13125559950'],
      types: ['carrier'],
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual([
      expect.objectContaining({ input: MOBILE, phone_number: MOBILE, status: 200, cache: 'MISS' }),
      expect.objectContaining({
        input: 'not a number',
        status: 422,
        errors: [expect.objectContaining({ source: { pointer: '/numbers/1' } })],
      }),
      expect.objectContaining({ input: OTHER, phone_number: OTHER, status: 200, cache: 'HIT' }),
      expect.objectContaining({ input: '3125550100', phone_number: MOBILE, status: 200, cache: 'MISS' }),
      expect.objectContaining({ input: '+13125559950', status: 200 }),
    ]);
    expect(answer.body.meta).toEqual({
      numbers: 5,
      unique: 3,
      hits: 1,
      misses: 2,
      stale: 0,
      errors: 1,
      upstream_calls: 2,
    });
    expect(await upstreamLookups(MOBILE)).toEqual({ carrier: 1 });
  });

  it('keeps going when one number fails upstream: a partial failure is not a failed batch', async () => {
    await sim('/sim/settings', { method: 'PATCH', body: { lookup_refused_countries: ['CA'] } });
    const answer = await batch({ numbers: ['+14165550100', MOBILE] });
    expect(answer.status).toBe(200);
    expect(items(answer).map((item) => item.status)).toEqual([422, 200]);
  });

  it('stays within LOOKUP_BATCH_UPSTREAM_BUDGET Telnyx calls; the rest get a retryable error', async () => {
    const numbers = ['+13125550101', '+13125550102', '+13125550103', '+13125550104'];
    const answer = await batch({ numbers }, { LOOKUP_BATCH_UPSTREAM_BUDGET: '2' });
    expect(answer.status).toBe(200);
    const statuses = items(answer).map((item) => item.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    expect(statuses.filter((s) => s === 503)).toHaveLength(2);
    expect(answer.body.meta!.upstream_calls).toBe(2);
    expect(await lookupRequests()).toHaveLength(2);
  });

  it('refuses an empty batch, more than 100 numbers, and types that are not a list', async () => {
    expect((await batch({ numbers: [] })).status).toBe(400);
    const tooMany = Array.from({ length: 101 }, (_, i) => `+1312555${String(i).padStart(4, '0')}`);
    const refused = await batch({ numbers: tooMany });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]).toMatchObject({ source: { pointer: '/numbers' } });
    expect((await batch({ numbers: [MOBILE], types: 'carrier' })).status).toBe(400);
    expect((await batch({ numbers: [MOBILE], types: ['lrn'] })).status).toBe(400);
    expect(await lookupRequests()).toEqual([]);
  });

  it('takes exactly 100 numbers', async () => {
    const hundred = Array.from({ length: 100 }, () => MOBILE);
    const answer = await batch({ numbers: hundred });
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toMatchObject({ numbers: 100, unique: 1, upstream_calls: 1 });
  });
});
