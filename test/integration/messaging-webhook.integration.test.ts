// POST /webhooks/messaging, the real route: refusals change nothing (RELIABILITY.md rows 1-6, 29,
// here through the deployed entry point); a genuine webhook is stored in D1 before it is
// acknowledged; the same event delivered twice, or twice at once, is stored once (rows 7, 8); a
// signed body that is not an event is acknowledged and quarantined (row 11); and a failed write
// answers 5xx so that Telnyx delivers again rather than the webhook being lost.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../workers/index';
import { strangerKey } from '../support/keys';
import { testEnv as env } from '../support/test-env';
import { sampleEvent, signedHeaders } from '../support/webhooks';

interface Row {
  event_id: string;
  source: string;
  event_type: string | null;
  path: string;
  deliveries: number;
  body: string;
  state: string;
}

async function deliver(
  body: string,
  headers: Record<string, string>,
  bindings: Partial<Env> = {},
  path = '/webhooks/messaging',
) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`https://edge.test${path}`, { method: 'POST', body, headers }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

async function stored(): Promise<Row[]> {
  return (await env.DB.prepare('SELECT * FROM webhook_events ORDER BY received_at, event_id').all<Row>()).results;
}

beforeEach(async () => {
  await env.DB.exec('DELETE FROM webhook_events');
});
afterEach(() => vi.restoreAllMocks());

describe('refusals store nothing', () => {
  const body = sampleEvent();
  it.each([
    ['no headers', { 'content-type': 'application/json' }],
    ['a stranger key', signedHeaders(body, { secretKey: strangerKey.secretKey })],
    ['a stale timestamp', signedHeaders(body, { timestamp: String(Math.floor(Date.now() / 1000) - 301) })],
    ['letters in the timestamp', signedHeaders(body, { timestamp: `${Math.floor(Date.now() / 1000)}abc` })],
  ])('401 for %s', async (_name, headers) => {
    const response = await deliver(body, headers);
    expect(response.status).toBe(401);
    expect(await stored()).toEqual([]);
  });

  it('401 for a re-serialised body', async () => {
    const headers = signedHeaders(body);
    expect((await deliver(JSON.stringify(JSON.parse(body)) + ' ', headers)).status).toBe(401);
    expect(await stored()).toEqual([]);
  });

  it('503 when TELNYX_PUBLIC_KEY is missing, for an otherwise genuine webhook', async () => {
    const response = await deliver(body, signedHeaders(body), { TELNYX_PUBLIC_KEY: '' });
    expect(response.status).toBe(503);
    expect(await stored()).toEqual([]);
  });

  it('413 for a body over 256 KiB', async () => {
    const big = JSON.stringify({ data: { pad: 'x'.repeat(300 * 1024) } });
    expect((await deliver(big, signedHeaders(big))).status).toBe(413);
    expect(await stored()).toEqual([]);
  });
});

describe('genuine webhooks', () => {
  it('are stored, body byte for byte, before the 200', async () => {
    const body = sampleEvent('11111111-1111-4111-8111-111111111111');
    const response = await deliver(body, signedHeaders(body));
    expect(response.status).toBe(200);
    expect(await stored()).toEqual([
      expect.objectContaining({
        event_id: '11111111-1111-4111-8111-111111111111',
        source: 'messaging',
        event_type: 'message.received',
        path: '/webhooks/messaging',
        deliveries: 1,
        body,
        // Acted on after the answer: no pool owns +13125550100 in this test, so it is marked so.
        state: 'no_pool',
      }),
    ]);
  });

  it('the same event delivered again (a retry, or to the failover URL) is stored once, and counted', async () => {
    const first = sampleEvent('22222222-2222-4222-8222-222222222222');
    const retry = first.replace('"attempt":1', '"attempt":2');
    expect((await deliver(first, signedHeaders(first))).status).toBe(200);
    expect((await deliver(retry, signedHeaders(retry), {}, '/webhooks/messaging/failover')).status).toBe(200);
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ path: '/webhooks/messaging', deliveries: 2, body: first });
  });

  it('identical deliveries at the same moment are stored once', async () => {
    const body = sampleEvent('33333333-3333-4333-8333-333333333333');
    const responses = await Promise.all([deliver(body, signedHeaders(body)), deliver(body, signedHeaders(body))]);
    expect(responses.map((r) => r.status)).toEqual([200, 200]);
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.deliveries).toBe(2);
  });

  it('a signed body that is not a Telnyx event is acknowledged and quarantined', async () => {
    for (const body of ['not json at all', '{"data":{"no":"id"}}', '[]']) {
      expect((await deliver(body, signedHeaders(body))).status).toBe(200);
    }
    const rows = await stored();
    expect(rows.map((r) => [r.state, r.event_type, r.event_id.startsWith('unparsed:')])).toEqual([
      ['quarantined', null, true],
      ['quarantined', null, true],
      ['quarantined', null, true],
    ]);
  });

  it('answers 5xx, so Telnyx delivers again, when the event cannot be stored', async () => {
    const body = sampleEvent('44444444-4444-4444-8444-444444444444');
    // D1 failing is the one thing that cannot be made to happen for real here.
    const failingDb = {
      prepare: () => {
        throw new Error('D1 is unavailable');
      },
    } as unknown as D1Database;
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await deliver(body, signedHeaders(body), { DB: failingDb });
    expect(response.status).toBe(500);
    expect(logged.mock.calls.join('\n')).toMatch(/D1 is unavailable.*"event":"unhandled_error"/);
    expect(await response.text()).not.toContain('D1 is unavailable');
    expect(await stored()).toEqual([]);
  });
});
