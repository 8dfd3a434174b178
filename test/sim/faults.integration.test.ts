// Faults set with POST /sim/faults. API faults, taken by the next matching /v2 calls in the order
// they were set: 429 (with x-ratelimit-* headers and reset_seconds), 500 (nothing done), 500_after
// (the work done, the caller told it failed), slow (delay_ms), and path-scoped faults that only
// their path takes. Webhook faults, taken by the next events created: drop (never delivered, a
// 'dropped' record, the message still reaches its final state), duplicate (the same event id
// twice), delay (due later, occurred_at unchanged) and reorder (a batch released newest first).
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CHICAGO,
  api,
  control,
  controlOk,
  deliveries,
  expectError,
  flush,
  getMessage,
  patchSettings,
  received,
  receivedTypes,
  resetAll,
  send,
  simState,
  storedMessages,
} from './support';

const PERSON = '+12065550123';

interface FaultRow {
  id: number;
  target: string;
  kind: string;
  remaining: number;
  path_prefix: string | null;
  params: string;
}

async function fault(body: Record<string, unknown>): Promise<FaultRow[]> {
  const response = await control('POST', '/sim/faults', body);
  expect(response.status).toBe(201);
  return ((await response.json()) as { data: FaultRow[] }).data;
}

async function requestLog(): Promise<Array<{ method: string; path: string; status: number; fault: string | null }>> {
  return (
    await controlOk<{ data: Array<{ method: string; path: string; status: number; fault: string | null }> }>(
      'GET',
      '/sim/requests',
    )
  ).data;
}

function listProfiles() {
  return api('GET', '/v2/messaging_profiles');
}

function sendOne(text = 'Under test') {
  return api('POST', '/v2/messages', { from: CHICAGO, to: PERSON, text });
}

beforeEach(() => resetAll());

describe('API faults', () => {
  it('429: the next `count` calls are refused with rate-limit headers, then calls succeed', async () => {
    const rows = await fault({ target: 'api', kind: '429', count: 2 });
    expect(rows).toEqual([
      { id: expect.any(Number), target: 'api', kind: '429', remaining: 2, path_prefix: null, params: '{}' },
    ]);
    for (let i = 0; i < 2; i++) {
      const response = await listProfiles();
      await expectError(response, 429, '10011');
      expect(response.headers.get('x-ratelimit-limit')).toBe('200');
      expect(response.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(response.headers.get('x-ratelimit-reset')).toBe('1');
    }
    expect((await listProfiles()).status).toBe(200);
    expect((await controlOk<{ data: FaultRow[] }>('GET', '/sim/faults')).data).toEqual([]);
    expect((await requestLog()).map((r) => [r.status, r.fault])).toEqual([
      [429, '429'],
      [429, '429'],
      [200, null],
    ]);
  });

  it('429 with reset_seconds sets x-ratelimit-reset', async () => {
    await fault({ target: 'api', kind: '429', reset_seconds: 7 });
    expect((await listProfiles()).headers.get('x-ratelimit-reset')).toBe('7');
  });

  it('500: the call fails and nothing is done', async () => {
    await fault({ target: 'api', kind: '500' });
    await expectError(await sendOne(), 500, '10007');
    expect(await storedMessages()).toEqual([]);
    expect(await flush()).toBe(0);
    expect(await received()).toEqual([]);
  });

  it('500_after: the call fails, yet the message is stored and its webhooks go out', async () => {
    await fault({ target: 'api', kind: '500_after' });
    await expectError(await sendOne('Sent after all'), 500, '10007');
    const [message, ...others] = await storedMessages();
    expect(others).toEqual([]);
    expect(message).toMatchObject({ text: 'Sent after all', direction: 'outbound' });
    await flush();
    const webhooks = await received();
    expect(webhooks.map((w) => [w.json.data.event_type, w.json.data.payload.id])).toEqual([
      ['message.sent', message!.id],
      ['message.finalized', message!.id],
    ]);
    expect((await getMessage(message!.id)).to[0]!.status).toBe('delivered');
  });

  it('500_after: a call that fails anyway keeps its real answer, and the fault waits for one that succeeds', async () => {
    await fault({ target: 'api', kind: '500_after' });
    const refused = await api('POST', '/v2/messages', { from: CHICAGO, to: PERSON }); // no text: 40316
    await expectError(refused, 400, '40316');
    expect(await storedMessages()).toEqual([]);
    await expectError(await sendOne('Sent after all'), 500, '10007');
    expect(await storedMessages()).toHaveLength(1);
  });

  it('slow: the answer comes after delay_ms, and is the normal answer', async () => {
    await fault({ target: 'api', kind: 'slow', delay_ms: 300 });
    const started = Date.now();
    const response = await listProfiles();
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(response.status).toBe(200);
    const quick = Date.now();
    await listProfiles();
    expect(Date.now() - quick).toBeLessThan(300);
  });

  it('a path-scoped fault is taken only by calls under that path', async () => {
    await fault({ target: 'api', kind: '500', path: '/v2/messaging_profiles' });
    expect((await sendOne()).status).toBe(200);
    await expectError(await api('GET', `/v2/messages/${crypto.randomUUID()}`), 404, '10005');
    expect((await controlOk<{ data: FaultRow[] }>('GET', '/sim/faults')).data).toMatchObject([
      { remaining: 1, path_prefix: '/v2/messaging_profiles' },
    ]);
    await expectError(await api('GET', `/v2/messaging_profiles/${crypto.randomUUID()}`), 500, '10007');
    expect((await listProfiles()).status).toBe(200);
  });

  it('takes faults in the order they were set', async () => {
    await fault({ target: 'api', kind: '429' });
    const rows = await fault({ target: 'api', kind: '500' });
    expect(rows.map((r) => r.kind)).toEqual(['429', '500']);
    expect((await listProfiles()).status).toBe(429);
    expect((await listProfiles()).status).toBe(500);
    expect((await listProfiles()).status).toBe(200);
  });

  it('clears every fault with DELETE /sim/faults', async () => {
    await fault({ target: 'api', kind: '500', count: 5 });
    await fault({ target: 'webhooks', kind: 'drop', count: 5 });
    expect((await controlOk<{ data: FaultRow[] }>('DELETE', '/sim/faults')).data).toEqual([]);
    expect((await controlOk<{ data: FaultRow[] }>('GET', '/sim/faults')).data).toEqual([]);
    expect((await sendOne()).status).toBe(200);
  });
});

describe('webhook faults', () => {
  it('drop: the event is never delivered, a dropped record is kept, and the message still ends', async () => {
    await fault({ target: 'webhooks', kind: 'drop', count: 2 });
    const message = await send({ from: CHICAGO, to: PERSON, text: 'Into the void' });
    expect(await flush()).toBe(0);
    expect(await received()).toEqual([]);
    const log = await deliveries(`?message_id=${message.id}`);
    expect(log.map((d) => [d.event_type, d.url, d.attempt, d.outcome])).toEqual([
      ['message.sent', null, 0, 'dropped'],
      ['message.finalized', null, 0, 'dropped'],
    ]);
    const final = await getMessage(message.id);
    expect(final.to[0]!.status).toBe('delivered');
    expect(final.completed_at).not.toBeNull();
    expect((await simState()).counts.events_pending).toBe(0);
  });

  it('drop with count 1 takes only the next event', async () => {
    await fault({ target: 'webhooks', kind: 'drop' });
    await send({ from: CHICAGO, to: PERSON, text: 'Half lost' });
    await flush();
    expect(await receivedTypes()).toEqual(['message.finalized']);
  });

  it('duplicate: the same event, same id, is delivered twice', async () => {
    await fault({ target: 'webhooks', kind: 'duplicate' });
    await send({ from: CHICAGO, to: PERSON, text: 'Twice' });
    await flush();
    const webhooks = await received();
    expect(webhooks.map((w) => w.json.data.event_type)).toEqual(['message.sent', 'message.sent', 'message.finalized']);
    expect(webhooks[0]!.json.data).toEqual(webhooks[1]!.json.data);
    expect(webhooks.map((w) => w.json.meta.attempt)).toEqual([1, 2, 1]);
  });

  it('delay: the event falls due delay_ms later, after a later event, with its occurred_at unchanged', async () => {
    await patchSettings({ latency_ms: { sent: 0, finalized: 60_000 } });
    await fault({ target: 'webhooks', kind: 'delay', delay_ms: 600_000 });
    await send({ from: CHICAGO, to: PERSON, text: 'Slow news' });
    expect((await simState()).counts.events_pending).toBe(2);
    await flush();
    const webhooks = await received();
    expect(webhooks.map((w) => w.json.data.event_type)).toEqual(['message.finalized', 'message.sent']);
    const [finalized, sent] = webhooks.map((w) => Date.parse(w.json.data.occurred_at));
    expect(finalized! - sent!).toBe(60_000);
  });

  it('reorder: a batch of `count` events is released newest first', async () => {
    await fault({ target: 'webhooks', kind: 'reorder', count: 3 });
    for (const text of ['one', 'two']) {
      await controlOk('POST', '/sim/messages/inbound', { from: PERSON, to: CHICAGO, text });
    }
    expect((await simState()).counts.events_pending).toBe(2); // held
    await controlOk('POST', '/sim/messages/inbound', { from: PERSON, to: CHICAGO, text: 'three' });
    await flush();
    const webhooks = await received();
    expect(webhooks.map((w) => w.json.data.payload.text)).toEqual(['three', 'two', 'one']);
    // The events were created in order: their occurred_at says so.
    const times = webhooks.map((w) => w.json.data.occurred_at);
    expect([...times].sort()).toEqual([...times].reverse());
  });

  it('reorder: a batch cut short by DELETE /sim/faults is released at once', async () => {
    await fault({ target: 'webhooks', kind: 'reorder', count: 3 });
    for (const text of ['one', 'two']) {
      await controlOk('POST', '/sim/messages/inbound', { from: PERSON, to: CHICAGO, text });
    }
    await controlOk('DELETE', '/sim/faults');
    await flush();
    expect((await received()).map((w) => w.json.data.payload.text)).toEqual(['two', 'one']);
  });
});
