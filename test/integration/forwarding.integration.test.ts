// Forwarding events to the business's own URL (shared/forward/): Standard Webhooks
// signing against the spec's published vector; the queue consumer against a scripted receiver
// (2xx acks, anything else retried with 30 s, 60 s, ... 12 h backoff and recorded in D1, nothing
// sent unsigned); the dead-letter consumer (stored once per message id); the dead-letter routes
// (list, get, redrive one, redrive many); and RELIABILITY.md row 30: the business's URL down for
// hours, the event retried, dead-lettered, listed, redriven and delivered, never lost.
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { Router, type IRequest } from 'itty-router';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { errorResponse, notFound } from '../../shared/errors';
import type { EdgeArgs } from '../../shared/worker';
import { checkForwardConfig, forwardQueues, registerForwardRoutes } from '../../shared/forward';
import {
  consumeDeadLetters,
  consumeForwardBatch,
  enqueueForward,
  retryDelaySeconds,
  type ForwardMessage,
  type ForwardOptions,
} from '../../shared/forward/queue';
import {
  SigningSecretError,
  signStandardWebhook,
  signingKeyBytes,
  standardWebhookHeaders,
  verifyStandardWebhook,
} from '../../shared/forward/signing';
import { testEnv as env } from '../support/test-env';

/** A proper Standard Webhooks secret: "whsec_" + base64 of 32 fixed bytes. */
const SECRET = `whsec_${btoa(String.fromCharCode(...Array.from({ length: 32 }, (_, i) => (i * 37 + 11) % 256)))}`;
const HOOK = 'http://biz.receiver.test/hook';
const PROFILE = '40017000-0000-4000-8000-000000000001';
const OTHER_PROFILE = '40017000-0000-4000-8000-000000000002';
const FWD = 'telnyx-edge-forward';
const DLQ = 'telnyx-edge-forward-dlq';

// ---- helpers ------------------------------------------------------------------------------------

interface Received {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

async function receiver(path: string, body?: unknown): Promise<unknown> {
  const response = await env.RECEIVER.fetch(`http://biz.receiver.test/__receiver/${path}`, {
    method: body === undefined && path === 'received' ? 'GET' : 'POST',
    ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return response.json();
}

const scriptReceiver = (script: { responses?: object[]; otherwise?: object }) => receiver('script', script);
/** What reached the business's URL (other tests may use the receiver for other hosts). */
const receivedAtBusiness = async () =>
  ((await receiver('received')) as Received[]).filter((r) => new URL(r.url).host === 'biz.receiver.test');

let eventCounter = 0;
function forwardMessage(overrides: Partial<ForwardMessage> = {}): ForwardMessage {
  const id = overrides.id ?? `ev-${++eventCounter}-0000-4000-8000-000000000000`;
  const body = JSON.stringify({
    data: {
      record_type: 'event',
      id,
      event_type: 'message.received',
      payload: { from: { phone_number: '+13125551234' }, to: [{ phone_number: '+13125550100' }], text: 'secret words' },
    },
  });
  return {
    id,
    url: HOOK,
    body,
    profile_id: PROFILE,
    event_type: 'message.received',
    created_at: '2026-04-20T10:00:00.000Z',
    ...overrides,
  };
}

const forwardEnv = (overrides: Partial<Env> = {}) => ({ ...env, FORWARD_SIGNING_SECRET: SECRET, ...overrides }) as Env;

type Queued = { body: unknown; attempts?: number; id?: string };

/** A batch as Cloudflare Queues would deliver it, with every message's retry() spied on. */
function batchOf(queue: string, messages: Queued[]) {
  const batch = createMessageBatch<unknown>(
    queue,
    messages.map((m, i) => ({
      id: m.id ?? `queue-msg-${i}`,
      timestamp: new Date(1_776_000_000_000),
      attempts: m.attempts ?? 1,
      body: m.body,
    })),
  );
  const retries = batch.messages.map((message) => vi.spyOn(message, 'retry'));
  return { batch, retries };
}

async function consume(messages: Queued[], bindings: Partial<Env> = {}, options: ForwardOptions = {}) {
  const { batch, retries } = batchOf(FWD, messages);
  const ctx = createExecutionContext();
  await consumeForwardBatch(batch as MessageBatch<ForwardMessage>, forwardEnv(bindings), options);
  const result = await getQueueResult(batch, ctx);
  return {
    result,
    /** The delaySeconds each message was retried with; undefined when it was not retried. */
    delays: retries.map((spy) => (spy.mock.calls.length === 0 ? undefined : spy.mock.calls[0]![0]?.delaySeconds)),
  };
}

async function deadLetter(messages: Queued[], bindings: Partial<Env> = {}, now?: number) {
  const { batch, retries } = batchOf(DLQ, messages);
  const ctx = createExecutionContext();
  await consumeDeadLetters(
    batch as MessageBatch<ForwardMessage>,
    forwardEnv(bindings),
    now === undefined ? {} : { now: () => now },
  );
  return { result: await getQueueResult(batch, ctx), retries };
}

interface FailureRow {
  message_id: string;
  attempt: number;
  url: string;
  status: number | null;
  error: string;
  response_excerpt: string | null;
  retry_delay_seconds: number | null;
}

const failures = async (id?: string) =>
  (
    await env.DB.prepare(`SELECT * FROM forward_failures ${id ? 'WHERE message_id = ?' : ''} ORDER BY seq`)
      .bind(...(id ? [id] : []))
      .all<FailureRow>()
  ).results;

const deadRows = async () =>
  (await env.DB.prepare('SELECT * FROM forward_dead_letters ORDER BY dead_at, id').all<Record<string, unknown>>())
    .results;

/** A stand-in for FORWARD_QUEUE that records what would be queued (nothing reaches a real consumer). */
function recordingQueue(options: { fail?: boolean } = {}) {
  const sent: { body: ForwardMessage; contentType?: string }[] = [];
  const calls = { send: 0, sendBatch: 0 };
  const queue = {
    async send(body: ForwardMessage, opts?: QueueSendOptions) {
      calls.send++;
      if (options.fail) throw new Error('Queue send failed');
      sent.push({ body: structuredClone(body), contentType: opts?.contentType });
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    },
    async sendBatch(messages: Iterable<MessageSendRequest<ForwardMessage>>) {
      calls.sendBatch++;
      if (options.fail) throw new Error('Queue send failed');
      const list = [...messages];
      expect(list.length).toBeLessThanOrEqual(100);
      for (const m of list) sent.push({ body: structuredClone(m.body), contentType: m.contentType });
      return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
    },
    async metrics() {
      return { backlogCount: 0, backlogBytes: 0 };
    },
  };
  return { queue: queue as unknown as Queue, sent, calls };
}

/** The forwarding routes on a router of their own, behind the entry point's error handler. */
function forwardingApi(bindings: Partial<Env> = {}) {
  const router = Router<IRequest, EdgeArgs>({ catch: (error, request) => errorResponse(error, request) });
  registerForwardRoutes(router);
  router.all('*', () => {
    throw notFound();
  });
  return async (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { 'content-type': 'application/json' };
    }
    const response: Response = await router.fetch(
      new Request(`https://edge.test${path}`, init),
      forwardEnv(bindings),
      createExecutionContext(),
    );
    return { status: response.status, json: (await response.json()) as any };
  };
}

let logs: { log: MockInstance; warn: MockInstance; error: MockInstance };
const logged = () =>
  [...logs.log.mock.calls, ...logs.warn.mock.calls, ...logs.error.mock.calls].map((c) => c.join(' ')).join('\n');

beforeEach(async () => {
  await env.DB.batch([
    env.DB.prepare('DELETE FROM forward_failures'),
    env.DB.prepare('DELETE FROM forward_dead_letters'),
  ]);
  await receiver('reset', {});
  logs = {
    log: vi.spyOn(console, 'log').mockImplementation(() => {}),
    warn: vi.spyOn(console, 'warn').mockImplementation(() => {}),
    error: vi.spyOn(console, 'error').mockImplementation(() => {}),
  };
});
afterEach(() => vi.restoreAllMocks());

// ---- signing ------------------------------------------------------------------------------------

describe('Standard Webhooks signing', () => {
  // The example of the spec (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md).
  const vector = {
    secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
    timestamp: 1614265330,
    body: '{"test": 2432232314}',
    signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
  };
  const vectorHeaders = {
    'webhook-id': vector.id,
    'webhook-timestamp': String(vector.timestamp),
    'webhook-signature': vector.signature,
  };

  it("matches the spec's published example", async () => {
    expect(await signStandardWebhook(vector.secret, vector.id, vector.timestamp, vector.body)).toBe(vector.signature);
    expect(await standardWebhookHeaders(vector.secret, vector.id, vector.body, vector.timestamp)).toEqual(
      vectorHeaders,
    );
  });

  it('verifies the example, from a Headers object or a plain record, within ±300 s', async () => {
    for (const headers of [vectorHeaders, new Headers(vectorHeaders)]) {
      expect(await verifyStandardWebhook(vector.secret, headers, vector.body, vector.timestamp)).toEqual({ ok: true });
    }
    for (const skew of [-300, 300]) {
      expect((await verifyStandardWebhook(vector.secret, vectorHeaders, vector.body, vector.timestamp + skew)).ok).toBe(
        true,
      );
    }
  });

  it.each([
    ['a tampered body', { body: '{"test": 2432232315}' }, 'no_matching_signature'],
    ['a re-serialised body', { body: '{"test":2432232314}' }, 'no_matching_signature'],
    ['the wrong secret', { secret: SECRET }, 'no_matching_signature'],
    ['a stale timestamp (301 s old)', { now: vector.timestamp + 301 }, 'timestamp_outside_window'],
    ['a timestamp 301 s ahead', { now: vector.timestamp - 301 }, 'timestamp_outside_window'],
    ['another id', { headers: { 'webhook-id': 'msg_other' } }, 'no_matching_signature'],
    ['letters in the timestamp', { headers: { 'webhook-timestamp': '1614265330abc' } }, 'malformed_timestamp'],
    ['no signature header', { headers: { 'webhook-signature': '' } }, 'missing_headers'],
    [
      'a v2 signature only',
      { headers: { 'webhook-signature': vector.signature.replace('v1', 'v2') } },
      'no_matching_signature',
    ],
  ])(
    'refuses %s',
    async (_name, change: { body?: string; secret?: string; now?: number; headers?: object }, reason) => {
      const result = await verifyStandardWebhook(
        change.secret ?? vector.secret,
        { ...vectorHeaders, ...change.headers },
        change.body ?? vector.body,
        change.now ?? vector.timestamp,
      );
      expect(result).toMatchObject({ ok: false, reason });
    },
  );

  it('accepts a header with several signatures when one matches (key rotation)', async () => {
    const headers = { ...vectorHeaders, 'webhook-signature': `v1,${btoa('x'.repeat(32))} ${vector.signature}` };
    expect(await verifyStandardWebhook(vector.secret, headers, vector.body, vector.timestamp)).toEqual({ ok: true });
  });

  it('uses a secret without the whsec_ prefix as its raw UTF-8 bytes', async () => {
    const raw = '0123456789abcdef0123456789abcdef';
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(raw),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode('id.1.{}')));
    expect(await signStandardWebhook(raw, 'id', 1, '{}')).toBe(`v1,${btoa(String.fromCharCode(...mac))}`);
  });

  it.each([
    ['missing', undefined, /not set/],
    ['empty', '', /not set/],
    ['whsec_ with text that is not base64', 'whsec_test_0123456789', /not standard base64/],
    ['whsec_ with a 12-byte key', `whsec_${btoa('abcdefghijkl')}`, /12-byte key/],
    ['a short raw secret', 'short', /5-byte key/],
  ])('refuses a secret that is %s', (_name, secret, message) => {
    expect(() => signingKeyBytes(secret)).toThrow(SigningSecretError);
    expect(() => signingKeyBytes(secret)).toThrow(message);
    expect(() => checkForwardConfig({ ...env, FORWARD_SIGNING_SECRET: secret } as Env)).toThrow(message);
  });

  it('the spec example secret decodes to its 24 bytes', () => {
    expect(signingKeyBytes(vector.secret)).toHaveLength(24);
    expect(() => checkForwardConfig(forwardEnv())).not.toThrow();
  });
});

// ---- the queue consumer -------------------------------------------------------------------------

describe('enqueueForward', () => {
  it('queues the message as JSON', async () => {
    const { queue, sent } = recordingQueue();
    const message = forwardMessage();
    await enqueueForward(forwardEnv({ FORWARD_QUEUE: queue }), message);
    expect(sent).toEqual([{ body: message, contentType: 'json' }]);
  });

  it('refuses a message that could never be delivered, before queueing anything', async () => {
    const { queue, sent } = recordingQueue();
    const bindings = forwardEnv({ FORWARD_QUEUE: queue });
    await expect(enqueueForward(bindings, forwardMessage({ url: 'ftp://biz.example/hook' }))).rejects.toThrow(
      /http or https/,
    );
    await expect(enqueueForward(bindings, forwardMessage({ url: 'not a url' }))).rejects.toThrow(/not a URL/);
    await expect(enqueueForward(bindings, forwardMessage({ body: 'x'.repeat(130 * 1024) }))).rejects.toThrow(/over/);
    await expect(enqueueForward(bindings, { ...forwardMessage(), id: '' })).rejects.toThrow(TypeError);
    expect(sent).toEqual([]);
  });
});

describe('consumeForwardBatch', () => {
  it('POSTs the exact body, signed, and acks on 2xx', async () => {
    const message = forwardMessage();
    const before = Math.floor(Date.now() / 1000);
    const { result, delays } = await consume([{ body: message }]);
    expect(result.explicitAcks).toEqual(['queue-msg-0']);
    expect(result.retryMessages).toEqual([]);
    expect(delays).toEqual([undefined]);

    const received = await receivedAtBusiness();
    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request).toMatchObject({ url: HOOK, method: 'POST', body: message.body });
    expect(request!.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'telnyx-edge',
      'webhook-id': message.id,
    });
    const timestamp = Number(request!.headers['webhook-timestamp']);
    expect(timestamp).toBeGreaterThanOrEqual(before);
    expect(timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(await verifyStandardWebhook(SECRET, request!.headers, request!.body, timestamp)).toEqual({ ok: true });
    expect(await failures()).toEqual([]);
  });

  it('acks any 2xx (202 with an empty body)', async () => {
    await scriptReceiver({ responses: [{ status: 202, body: '' }] });
    const { result } = await consume([{ body: forwardMessage() }]);
    expect(result.explicitAcks).toEqual(['queue-msg-0']);
  });

  it('the backoff: 30 s doubling, capped at 12 h (the Queues maximum)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 50].map(retryDelaySeconds)).toEqual([
      30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720, 43200, 43200, 43200,
    ]);
    expect(retryDelaySeconds(0)).toBe(30);
    expect(retryDelaySeconds(Number.NaN)).toBe(30);
  });

  it('500 → retried with 30, 60, 480 and 43200 s for attempts 1, 2, 5 and 12; each failure recorded', async () => {
    await scriptReceiver({ otherwise: { status: 500, body: '{"error":"database is down"}' } });
    const message = forwardMessage();
    const attempts = [1, 2, 5, 12];
    const { result, delays } = await consume(attempts.map((n, i) => ({ body: message, attempts: n, id: `q${i}` })));
    expect(delays).toEqual([30, 60, 480, 43200]);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId).sort()).toEqual(['q0', 'q1', 'q2', 'q3']);
    expect(result.retryBatch.retry).toBe(false);

    const rows = await failures(message.id);
    expect(
      rows.map((r) => [r.attempt, r.status, r.error, r.retry_delay_seconds]).sort((a, b) => +a[0]! - +b[0]!),
    ).toEqual([
      [1, 500, 'HTTP 500', 30],
      [2, 500, 'HTTP 500', 60],
      [5, 500, 'HTTP 500', 480],
      [12, 500, 'HTTP 500', 43200],
    ]);
    expect(rows[0]).toMatchObject({ url: HOOK, response_excerpt: '{"error":"database is down"}' });
  });

  it('a 4xx and a redirect are failures too (redirects are not followed)', async () => {
    await scriptReceiver({ responses: [{ status: 410 }] });
    expect((await consume([{ body: forwardMessage() }])).delays).toEqual([30]);
    await scriptReceiver({ responses: [{ status: 302 }] });
    const message = forwardMessage();
    expect((await consume([{ body: message, attempts: 3 }])).delays).toEqual([120]);
    expect((await failures(message.id))[0]).toMatchObject({
      status: 302,
      error: 'HTTP 302: redirects are not followed',
    });
    expect(await receivedAtBusiness()).toHaveLength(2);
  });

  it('a slow URL times out and is retried', async () => {
    await scriptReceiver({ responses: [{ status: 200, delay_ms: 1000 }] });
    const message = forwardMessage();
    const started = Date.now();
    const { result, delays } = await consume([{ body: message, attempts: 2 }], {}, { timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(900);
    expect(delays).toEqual([60]);
    expect(result.explicitAcks).toEqual([]);
    expect(await failures(message.id)).toEqual([
      expect.objectContaining({ attempt: 2, status: null, error: 'timed out after 100 ms', retry_delay_seconds: 60 }),
    ]);
  });

  it.each([
    ['missing', ''],
    ['not base64 after whsec_', 'whsec_test_0123456789'],
  ])('a signing secret that is %s: nothing is sent, every message retried, loudly logged', async (_name, secret) => {
    const messages = [forwardMessage(), forwardMessage()];
    const { result, delays } = await consume(
      messages.map((m) => ({ body: m, attempts: 3 })),
      { FORWARD_SIGNING_SECRET: secret },
    );
    expect(delays).toEqual([120, 120]);
    expect(result.explicitAcks).toEqual([]);
    expect(await receivedAtBusiness()).toEqual([]);
    expect(logs.error.mock.calls.join('\n')).toMatch(/"event":"forward_signing_secret_unusable"/);
    const rows = await failures();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.error).toMatch(/^not sent: FORWARD_SIGNING_SECRET/);
  });

  it('one bad message does not hold up the batch: malformed and non-http messages are dead-lettered at once', async () => {
    const good = forwardMessage();
    const ftp = forwardMessage({ url: 'ftp://biz.example/hook' });
    const { result, delays } = await consume([
      { body: good, id: 'good' },
      { body: { hello: 'world' }, id: 'junk' },
      { body: ftp, id: 'ftp' },
    ]);
    expect(result.explicitAcks.sort()).toEqual(['ftp', 'good', 'junk']);
    expect(delays).toEqual([undefined, undefined, undefined]);
    expect((await receivedAtBusiness()).map((r) => r.body)).toEqual([good.body]);
    const dead = await deadRows();
    expect(dead.map((r) => [r.id, r.last_error])).toEqual(
      expect.arrayContaining([
        [ftp.id, 'the forward URL must be http or https'],
        ['malformed:junk', 'not a ForwardMessage'],
      ]),
    );
    expect(dead.find((r) => r.id === 'malformed:junk')!.body).toBe('{"hello":"world"}');
  });

  it('a D1 outage while recording failures does not change what happens to the messages', async () => {
    await scriptReceiver({ otherwise: { status: 503 } });
    const failingDb = {
      prepare: () => {
        throw new Error('D1 is unavailable');
      },
    } as unknown as D1Database;
    const { delays } = await consume([{ body: forwardMessage() }], { DB: failingDb });
    expect(delays).toEqual([30]);
    expect(logs.error.mock.calls.join('\n')).toMatch(
      /forward_failures_not_recorded.*D1 is unavailable|D1 is unavailable.*forward_failures_not_recorded/,
    );
  });

  it('never logs a message body, its text or whole phone numbers', async () => {
    await scriptReceiver({ responses: [{ status: 200 }, { status: 500 }] });
    await consume([{ body: forwardMessage() }]);
    await consume([{ body: forwardMessage() }]);
    await deadLetter([{ body: forwardMessage() }]);
    const output = logged();
    expect(output).toMatch(/forward_delivered/);
    expect(output).toMatch(/forward_failed/);
    expect(output).toMatch(/forward_dead_lettered/);
    expect(output).not.toMatch(/secret words|3125551234|3125550100/);
  });

  it('forwardQueues dispatches both queue names to their consumers', async () => {
    expect(Object.keys(forwardQueues).sort()).toEqual([FWD, DLQ]);
    const message = forwardMessage();
    const { batch } = batchOf(DLQ, [{ body: message }]);
    const ctx = createExecutionContext();
    await forwardQueues[DLQ]!(batch, forwardEnv(), ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(['queue-msg-0']);
    expect((await deadRows()).map((r) => r.id)).toEqual([message.id]);
  });
});

// ---- dead letters -------------------------------------------------------------------------------

describe('consumeDeadLetters', () => {
  it('stores each dead letter with its last failure, once per message id, and acks', async () => {
    await scriptReceiver({ otherwise: { status: 503, body: 'maintenance' } });
    const message = forwardMessage();
    await consume([{ body: message, attempts: 11 }]);

    const first = await deadLetter([{ body: message, id: 'd1' }]);
    const again = await deadLetter([{ body: message, id: 'd2' }]);
    expect(first.result.explicitAcks).toEqual(['d1']);
    expect(again.result.explicitAcks).toEqual(['d2']);
    const rows = await deadRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: message.id,
      url: HOOK,
      body: message.body,
      profile_id: PROFILE,
      event_type: 'message.received',
      created_at: message.created_at,
      attempts: 11,
      last_status: 503,
      last_error: 'HTTP 503',
      deaths: 1,
      redriven_at: null,
      redrive_count: 0,
    });
  });

  it('a dead letter with no recorded failure is stored too', async () => {
    const message = forwardMessage();
    await deadLetter([{ body: message }]);
    expect(await deadRows()).toEqual([expect.objectContaining({ id: message.id, attempts: null, last_error: null })]);
  });

  it('when D1 fails the dead letter is retried, not acked (so not lost)', async () => {
    const failingDb = {
      prepare: () => {
        throw new Error('D1 is unavailable');
      },
    } as unknown as D1Database;
    const { result, retries } = await deadLetter([{ body: forwardMessage(), attempts: 2 }], { DB: failingDb });
    expect(result.explicitAcks).toEqual([]);
    expect(retries[0]!.mock.calls).toEqual([[{ delaySeconds: 60 }]]);
  });
});

// ---- routes -------------------------------------------------------------------------------------

describe('dead-letter routes', () => {
  /** Three dead letters a minute apart: a (profile 1), b (profile 2), c (profile 1). */
  async function seed() {
    const t0 = Date.parse('2026-04-20T10:00:00.000Z');
    const a = forwardMessage({ id: 'aaaaaaaa-0000-4000-8000-000000000000' });
    const b = forwardMessage({ id: 'bbbbbbbb-0000-4000-8000-000000000000', profile_id: OTHER_PROFILE });
    const c = forwardMessage({ id: 'cccccccc-0000-4000-8000-000000000000', event_type: 'message.finalized' });
    await deadLetter([{ body: a }], {}, t0);
    await deadLetter([{ body: b }], {}, t0 + 60_000);
    await deadLetter([{ body: c }], {}, t0 + 120_000);
    return { a, b, c };
  }

  it('lists newest first, without bodies, with Telnyx paging', async () => {
    const { a, b, c } = await seed();
    const api = forwardingApi();
    const { status, json } = await api('GET', '/forwarding/dead-letters');
    expect(status).toBe(200);
    expect(json.data.map((r: { id: string }) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(json.meta).toEqual({ page_number: 1, page_size: 20, total_pages: 1, total_results: 3 });
    expect(json.data[0]).toEqual({
      record_type: 'forward_dead_letter',
      id: c.id,
      state: 'dead',
      url: HOOK,
      profile_id: PROFILE,
      event_type: 'message.finalized',
      created_at: c.created_at,
      attempts: null,
      last_status: null,
      last_error: null,
      last_failure_at: null,
      deaths: 1,
      dead_at: '2026-04-20T10:02:00.000Z',
      redriven_at: null,
      redrive_count: 0,
      body_bytes: new TextEncoder().encode(c.body).length,
    });

    const page2 = await api('GET', '/forwarding/dead-letters?page[size]=2&page[number]=2');
    expect(page2.json.data.map((r: { id: string }) => r.id)).toEqual([a.id]);
    expect(page2.json.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 2, total_results: 3 });

    const profile = await api('GET', `/forwarding/dead-letters?filter[profile_id]=${OTHER_PROFILE}`);
    expect(profile.json.data.map((r: { id: string }) => r.id)).toEqual([b.id]);
    expect(profile.json.meta.total_results).toBe(1);
  });

  it.each([
    ['page[size]=251', 'page[size]'],
    ['page[size]=0', 'page[size]'],
    ['page[number]=x', 'page[number]'],
    ['filter[state]=gone', 'filter[state]'],
  ])('400 in Telnyx shape for %s', async (query, parameter) => {
    const { status, json } = await forwardingApi()('GET', `/forwarding/dead-letters?${query}`);
    expect(status).toBe(400);
    expect(json.errors[0]).toMatchObject({ code: '10015', title: 'Bad Request', source: { parameter } });
  });

  it('GET one answers with the body; 404 in Telnyx shape for an unknown id', async () => {
    const { a } = await seed();
    const api = forwardingApi();
    const { status, json } = await api('GET', `/forwarding/dead-letters/${a.id}`);
    expect(status).toBe(200);
    expect(json.data).toMatchObject({ id: a.id, body: a.body, state: 'dead' });
    const missing = await api('GET', '/forwarding/dead-letters/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0]).toMatchObject({ code: '10005', title: 'Resource not found' });
  });

  it('redrive one: queued again with the same id, marked, and allowed again', async () => {
    const { a, b } = await seed();
    const { queue, sent } = recordingQueue();
    const api = forwardingApi({ FORWARD_QUEUE: queue });

    const first = await api('POST', `/forwarding/dead-letters/${a.id}/redrive`);
    expect(first.status).toBe(200);
    expect(first.json.data).toMatchObject({ id: a.id, state: 'redriven', redrive_count: 1 });
    expect(first.json.data.redriven_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(sent).toEqual([{ body: a, contentType: 'json' }]);

    const second = await api('POST', `/forwarding/dead-letters/${a.id}/redrive`);
    expect(second.json.data).toMatchObject({ id: a.id, state: 'redriven', redrive_count: 2 });
    expect(sent).toHaveLength(2);

    const states = await api('GET', '/forwarding/dead-letters?filter[state]=redriven');
    expect(states.json.data.map((r: { id: string }) => r.id)).toEqual([a.id]);
    const dead = await api('GET', '/forwarding/dead-letters?filter[state]=dead');
    expect(dead.json.data.map((r: { id: string }) => r.id)).not.toContain(a.id);
    expect(dead.json.data.map((r: { id: string }) => r.id)).toContain(b.id);

    const missing = await api('POST', '/forwarding/dead-letters/nope/redrive');
    expect(missing.status).toBe(404);
    expect(missing.json.errors[0].code).toBe('10005');
  });

  it('redrive one: when the queue refuses, 503 and the row stays dead', async () => {
    const { a } = await seed();
    const { queue } = recordingQueue({ fail: true });
    const { status, json } = await forwardingApi({ FORWARD_QUEUE: queue })(
      'POST',
      `/forwarding/dead-letters/${a.id}/redrive`,
    );
    expect(status).toBe(503);
    expect(json.errors[0]).toMatchObject({ code: '10007', title: 'Queue unavailable' });
    expect((await deadRows()).find((r) => r.id === a.id)).toMatchObject({ redriven_at: null, redrive_count: 0 });
  });

  it('a redriven message that dies again is dead again, in the same row', async () => {
    const { a } = await seed();
    const { queue } = recordingQueue();
    await forwardingApi({ FORWARD_QUEUE: queue })('POST', `/forwarding/dead-letters/${a.id}/redrive`);
    await deadLetter([{ body: a }]);
    expect((await deadRows()).find((r) => r.id === a.id)).toMatchObject({
      deaths: 2,
      redriven_at: null,
      redrive_count: 1,
    });
  });

  it('redrive all, or one profile: only dead ones, oldest first; unsendable ones counted, not sent', async () => {
    const { a, b, c } = await seed();
    await consume([{ body: { junk: true }, id: 'junk' }]); // dead-lettered at once as malformed:junk
    const { queue, sent } = recordingQueue();
    const api = forwardingApi({ FORWARD_QUEUE: queue });

    const profile = await api('POST', '/forwarding/dead-letters/redrive', { profile_id: PROFILE });
    expect(profile.status).toBe(200);
    expect(profile.json.data).toMatchObject({ redriven: 2, ids: [a.id, c.id], remaining: 0, cannot_redrive: 0 });
    expect(sent.map((s) => s.body)).toEqual([a, c]);

    const rest = await api('POST', '/forwarding/dead-letters/redrive');
    expect(rest.json.data).toMatchObject({ redriven: 1, ids: [b.id], remaining: 0, cannot_redrive: 1 });
    const none = await api('POST', '/forwarding/dead-letters/redrive', '');
    expect(none.json.data).toMatchObject({ redriven: 0, ids: [], remaining: 0 });
    expect(sent).toHaveLength(3);

    const bad = await api('POST', '/forwarding/dead-letters/redrive', { profile_id: 7 });
    expect(bad.status).toBe(400);
    expect(bad.json.errors[0].source).toEqual({ pointer: '/profile_id' });
    expect((await api('POST', '/forwarding/dead-letters/redrive', '[1]')).status).toBe(400);
    const notJson = await api('POST', '/forwarding/dead-letters/redrive', 'nope');
    expect(notJson.status).toBe(400);
    expect(notJson.json.errors[0].code).toBe('10023');
    expect(sent).toHaveLength(3);
  });

  it('redrive all is bounded: at most 100 a call, and says how many remain', async () => {
    const insert = env.DB.prepare(
      `INSERT INTO forward_dead_letters (id, url, body, profile_id, event_type, created_at, deaths, dead_at, redrive_count)
       VALUES (?, ?, ?, ?, 'message.received', '2026-04-20T10:00:00.000Z', 1, ?, 0)`,
    );
    await env.DB.batch(
      Array.from({ length: 103 }, (_, i) =>
        insert.bind(
          `ev-${String(i).padStart(3, '0')}`,
          HOOK,
          JSON.stringify({ n: i }),
          PROFILE,
          new Date(1_776_000_000_000 + i * 1000).toISOString(),
        ),
      ),
    );
    const { queue, sent, calls } = recordingQueue();
    const api = forwardingApi({ FORWARD_QUEUE: queue });
    const first = await api('POST', '/forwarding/dead-letters/redrive');
    expect(first.json.data).toMatchObject({ redriven: 100, remaining: 3, limit: 100 });
    expect(first.json.data.ids[0]).toBe('ev-000');
    expect(calls.sendBatch).toBe(1);
    const second = await api('POST', '/forwarding/dead-letters/redrive');
    expect(second.json.data).toMatchObject({ redriven: 3, remaining: 0, ids: ['ev-100', 'ev-101', 'ev-102'] });
    expect(new Set(sent.map((s) => s.body.id)).size).toBe(103);
  });
});

// ---- RELIABILITY.md row 30 ----------------------------------------------------------------------

describe('RELIABILITY row 30: the business URL down for hours', () => {
  it('retried with growing delays, never acked, dead-lettered and listed, then redriven and delivered: none lost', async () => {
    await scriptReceiver({ otherwise: { status: 503, body: '{"error":"down for maintenance"}' } });
    const message = forwardMessage();

    // wrangler.toml: max_retries = 10, so the queue delivers 11 times before dead-lettering.
    const delays: (number | undefined)[] = [];
    for (let attempt = 1; attempt <= 11; attempt++) {
      const {
        result,
        delays: [delay],
      } = await consume([{ body: message, attempts: attempt }]);
      expect(result.explicitAcks).toEqual([]);
      delays.push(delay);
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3840, 7680, 15360, 30720]);
    expect(delays.reduce((sum, d) => sum! + d!, 0)).toBeGreaterThan(16 * 3600); // hours of trying
    const tried = await receivedAtBusiness();
    expect(tried).toHaveLength(11);
    expect(new Set(tried.map((r) => r.headers['webhook-id']))).toEqual(new Set([message.id]));
    expect(new Set(tried.map((r) => r.body))).toEqual(new Set([message.body]));
    expect((await failures(message.id)).map((f) => f.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    // The queue moves it to the dead-letter queue: it is kept, once, and listed.
    await deadLetter([{ body: message }]);
    await deadLetter([{ body: message }]); // at-least-once: the same dead letter twice
    const { queue, sent } = recordingQueue();
    const api = forwardingApi({ FORWARD_QUEUE: queue });
    const listed = await api('GET', '/forwarding/dead-letters?filter[state]=dead');
    expect(listed.json.data).toEqual([
      expect.objectContaining({ id: message.id, attempts: 11, last_status: 503, last_error: 'HTTP 503', deaths: 1 }),
    ]);
    expect((await api('GET', `/forwarding/dead-letters/${message.id}`)).json.data.body).toBe(message.body);

    // The URL is back; the operator redrives; the queue delivers the redriven message afresh.
    await receiver('reset', {});
    const redrive = await api('POST', `/forwarding/dead-letters/${message.id}/redrive`);
    expect(redrive.status).toBe(200);
    expect(sent).toEqual([{ body: message, contentType: 'json' }]);
    const { result } = await consume([{ body: sent[0]!.body, attempts: 1 }]);
    expect(result.explicitAcks).toEqual(['queue-msg-0']);
    const delivered = await receivedAtBusiness();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.body).toBe(message.body);
    expect(delivered[0]!.headers['webhook-id']).toBe(message.id);
    expect(
      await verifyStandardWebhook(SECRET, delivered[0]!.headers, delivered[0]!.body, Math.floor(Date.now() / 1000)),
    ).toEqual({ ok: true });
    expect((await api('GET', '/forwarding/dead-letters?filter[state]=dead')).json.data).toEqual([]);
  });
});
