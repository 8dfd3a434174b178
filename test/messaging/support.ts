// Helpers for every messaging test: calling the bundle with its waitUntil work finished, pools
// (messaging profiles with numbers) made fresh for each test, waiting for work the bundle does after
// it has answered (the webhooks the simulator delivers are separate requests), the pool's Durable
// Object and its storage, what reached the simulator (requests with their times, outbound messages
// with the edge id their webhook URL carries), signed webhooks posted to the bundle, the webhook
// receiver that stands in for a business's URL, and wall-clock times for quiet-hours windows.
import { createExecutionContext, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../workers/index';
import type { NumberPool } from '../../workers/messaging/pool/number-pool';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import { signedHeaders } from '../support/webhooks';

const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

/** Telnyx's error object, as the bundle renders every failure. */
export interface ErrorObject {
  code: string;
  title: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
  meta?: Record<string, unknown>;
}

/** Loosely typed JSON, for reading answers field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  /** Telnyx's envelope ({ data } or { errors: ErrorObject[] }, with meta on lists), read loosely. */
  body: Json;
}

export interface EdgeInit {
  method?: string;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  headers?: Record<string, string>;
}

/** A request to the bundle, as an admin, with its waitUntil work finished. */
export async function edge(path: string, init: EdgeInit = {}): Promise<Answer> {
  const ctx = createExecutionContext();
  const body = init.body === undefined || typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const request = new Request(`${EDGE_URL}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...AUTH, ...(body !== undefined && { 'content-type': 'application/json' }), ...init.headers },
    body,
  });
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, env, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

/** An answer that must be a 2xx; its data. */
export function ok(answer: Answer): Json {
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`expected a 2xx, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body.data;
}

/** The one error of a refusal, checked against what is expected of it. */
export function expectError(answer: Answer, status: number, code: string, source?: ErrorObject['source']): ErrorObject {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.errors).toHaveLength(1);
  const error: ErrorObject = answer.body.errors[0];
  expect(error.code).toBe(code);
  expect(error.title).toEqual(expect.any(String));
  if (source !== undefined) expect(error.source).toEqual(source);
  return error;
}

/** Sends through the bundle (POST /v2/messages unless `path` says otherwise). */
export function send(
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
  path = '/v2/messages',
): Promise<Answer> {
  return edge(path, { body, headers });
}

/** GET /v2/messages/{id} through the bundle: the edge's view of a message. */
export async function edgeMessage(id: string): Promise<Json> {
  return ok(await edge(`/v2/messages/${id}`));
}

/** The status the edge reports for a message. */
export async function edgeStatus(id: string): Promise<string> {
  return (await edgeMessage(id)).to[0].status;
}

// --- Pools ---------------------------------------------------------------------------------------

/** Telnyx's pool settings with both number types weighted 1 and no stickiness or geomatch. */
export const PLAIN_POOL = {
  long_code_weight: 1,
  toll_free_weight: 1,
  skip_unhealthy: true,
  sticky_sender: false,
  geomatch: false,
};

export interface NumberSpec {
  phone_number: string;
  type?: 'long-code' | 'toll-free' | 'short-code';
  mps?: number;
}

/** A new messaging profile (a pool) with `numbers` added, in that order; Telnyx's required fields filled in. */
export async function createPool(
  fields: Record<string, unknown> = {},
  numbers: Array<string | NumberSpec> = [],
): Promise<Json> {
  const profile = ok(
    await edge('/v2/messaging_profiles', {
      body: {
        name: `pool ${crypto.randomUUID().slice(0, 8)}`,
        whitelisted_destinations: ['US', 'CA'],
        number_pool_settings: PLAIN_POOL,
        ...fields,
      },
    }),
  );
  for (const number of numbers) await addNumber(profile.id, number);
  return profile;
}

export async function addNumber(profileId: string, number: string | NumberSpec): Promise<Json> {
  const body = typeof number === 'string' ? { phone_number: number } : number;
  return ok(await edge(`/v2/messaging_profiles/${profileId}/phone_numbers`, { body }));
}

export async function listNumbers(profileId: string): Promise<Json[]> {
  return ok(await edge(`/v2/messaging_profiles/${profileId}/phone_numbers?page[size]=250`));
}

/**
 * Deletes every profile the bundle holds, which frees their numbers (and cancels their alarms).
 * Storage lasts for the whole file and a number belongs to one pool at a time, so each test starts
 * from no pools at all.
 */
export async function removeAllPools(): Promise<void> {
  for (;;) {
    const profiles: Json[] = ok(await edge('/v2/messaging_profiles?page[size]=250'));
    if (profiles.length === 0) return;
    for (const profile of profiles) ok(await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'DELETE' }));
  }
}

// --- The pool's Durable Object -------------------------------------------------------------------

export function poolStub(profileId: string): DurableObjectStub<NumberPool> {
  return env.NUMBER_POOL.get(env.NUMBER_POOL.idFromName(profileId));
}

/** Rows of a query run on the pool's own SQLite storage. */
export function poolSql<T = Json>(profileId: string, query: string, ...bindings: unknown[]): Promise<T[]> {
  return runInDurableObject(
    poolStub(profileId),
    (_instance, state) => state.storage.sql.exec(query, ...bindings).toArray() as unknown as T[],
  );
}

export interface OutboxRow {
  id: string;
  state: string;
  status: string | null;
  due_at: number;
  sender: string | null;
  attempts: number;
  updated_at: number;
}

export function outbox(profileId: string): Promise<OutboxRow[]> {
  return poolSql<OutboxRow>(
    profileId,
    'SELECT id, state, status, due_at, sender, attempts, updated_at FROM outbox ORDER BY seq',
  );
}

/** When the pool's alarm is set for, or null. */
export function poolAlarm(profileId: string): Promise<number | null> {
  return runInDurableObject(poolStub(profileId), (_instance, state) => state.storage.getAlarm());
}

/**
 * Sets bindings on the pool's Durable Object itself, which reads its own env (an env passed to
 * worker.fetch reaches the routes, not the object); returns a function that puts them back.
 */
export async function setPoolBindings(
  profileId: string,
  bindings: Record<string, string>,
): Promise<() => Promise<void>> {
  const stub = poolStub(profileId);
  const before = await runInDurableObject(stub, (instance) => {
    const own = (instance as unknown as { env: Record<string, unknown> }).env;
    const saved = Object.fromEntries(Object.keys(bindings).map((k) => [k, own[k]]));
    Object.assign(own, bindings);
    return saved;
  });
  return async () => {
    await runInDurableObject(stub, (instance) => {
      Object.assign((instance as unknown as { env: Record<string, unknown> }).env, before);
    });
  };
}

// --- Waiting -------------------------------------------------------------------------------------

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `check` until it stops throwing (an unmet expect) or `timeoutMs` passes, then returns
 * what it returned, or throws its last error. For work the bundle does after it has answered.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(intervalMs);
    }
  }
}

/**
 * Waits until the pool has acted on an inbound message: its D1 record is written at the end of
 * the pool's run that handled it, after any reply has gone to Telnyx.
 */
export async function messageHandled(inboundMessageId: string, timeoutMs = 5000): Promise<void> {
  await eventually(async () => {
    const row = await env.DB.prepare("SELECT 1 AS x FROM messages WHERE id = ? AND direction = 'inbound'")
      .bind(inboundMessageId)
      .first();
    expect(row, `inbound message ${inboundMessageId} not handled yet`).not.toBeNull();
  }, timeoutMs);
}

export interface InboxEntry {
  state: string;
  deliveries: number;
  actions: string[];
}

/**
 * Waits until the pool has acted on a webhook event (its inbox row is no longer pending); the row.
 * The pool writes its inbox's history to D1 later, in batches (see processedEvent for that record).
 */
export function eventHandled(profileId: string, eventId: string, timeoutMs = 5000): Promise<InboxEntry> {
  return eventually(async () => {
    const [row] = await poolSql<{ state: string; deliveries: number; actions: string | null }>(
      profileId,
      'SELECT state, deliveries, actions FROM inbox WHERE event_id = ?',
      eventId,
    );
    expect(row?.state, `inbox event ${eventId}`).toMatch(/^(done|failed)$/);
    return { state: row!.state, deliveries: row!.deliveries, actions: JSON.parse(row!.actions ?? '[]') as string[] };
  }, timeoutMs);
}

// --- The simulator's side ------------------------------------------------------------------------

export interface SimRequest {
  seq: number;
  method: string;
  path: string;
  status: number;
  fault: string | null;
  at: string;
}

/** Every send (POST /v2/messages and /v2/messages/number_pool) that reached the simulator, oldest first. */
export async function simSends(): Promise<SimRequest[]> {
  const rows = (await sim<{ data: SimRequest[] }>('/sim/requests?path=/v2/messages&limit=1000')).data;
  return rows.filter((r) => r.method === 'POST');
}

/**
 * The simulator's outbound messages, oldest first (its own list is newest first), each with the
 * edge id its webhook URL carries (`edge_id`, or null).
 */
export async function simMessages(): Promise<Json[]> {
  const rows = (await sim<{ data: Json[] }>('/sim/messages?limit=500')).data.reverse();
  return rows
    .filter((m) => m.direction === 'outbound')
    .map((m) => ({
      ...m,
      edge_id: m.webhook_url ? new URL(m.webhook_url).searchParams.get('edge_id') : null,
    }));
}

/** Messages the simulator sent (outbound) to `to`, oldest first. */
export async function simMessagesTo(to: string): Promise<Json[]> {
  return (await simMessages()).filter((m) => m.to[0].phone_number === to);
}

export async function simSettings(settings: Record<string, unknown>): Promise<void> {
  await sim('/sim/settings', { method: 'PATCH', body: settings });
}

export async function fault(body: Record<string, unknown>): Promise<void> {
  await sim('/sim/faults', { body });
}

/** Someone texts `to` (a number of the simulated account); the simulator's message and event ids. */
export async function inbound(from: string, to: string, text: string): Promise<{ messageId: string; eventId: string }> {
  const answer = await sim<{ event_id: string; message: { id: string } }>('/sim/messages/inbound', {
    body: { from, to, text },
  });
  return { messageId: answer.message.id, eventId: answer.event_id };
}

// --- Webhooks into the bundle ---------------------------------------------------------------------

/** A Telnyx messaging event envelope. */
export function eventBody(eventType: string, payload: Record<string, unknown>, id = crypto.randomUUID()): string {
  return JSON.stringify({
    data: { record_type: 'event', id, event_type: eventType, occurred_at: new Date().toISOString(), payload },
    meta: { attempt: 1, delivered_to: `${EDGE_URL}/webhooks/messaging` },
  });
}

/** An inbound message.received payload: `from` texts the pool number `to`. */
export function inboundPayload(from: string, to: string, text: string): Record<string, unknown> {
  return {
    record_type: 'message',
    direction: 'inbound',
    id: crypto.randomUUID(),
    type: 'SMS',
    from: { phone_number: from, carrier: 'T-Mobile USA', line_type: 'Wireless' },
    to: [{ phone_number: to, status: 'webhook_delivered', carrier: 'Telnyx', line_type: 'Wireless' }],
    text,
    media: [],
    parts: 1,
    encoding: 'GSM-7',
    errors: [],
    received_at: new Date().toISOString(),
  };
}

/** POSTs a body to the bundle's messaging webhook, signed as Telnyx signs; the answer and its time. */
export async function postWebhook(body: string, path = '/webhooks/messaging'): Promise<{ status: number; ms: number }> {
  const ctx = createExecutionContext();
  const started = performance.now();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}${path}`, { method: 'POST', body, headers: signedHeaders(body) }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    env,
    ctx,
  );
  await response.text();
  const ms = performance.now() - started;
  await waitOnExecutionContext(ctx);
  return { status: response.status, ms };
}

/** The bundle's D1 record of a webhook event. */
export async function webhookRow(
  eventId: string,
): Promise<{ state: string; deliveries: number; event_type: string | null } | null> {
  return env.DB.prepare('SELECT state, deliveries, event_type FROM webhook_events WHERE event_id = ?')
    .bind(eventId)
    .first();
}

/** Waits until the bundle has acted on the event and written it to D1. */
export function processedEvent(eventId: string, timeoutMs = 5000) {
  return eventually(async () => {
    const row = await webhookRow(eventId);
    expect(row?.state, `webhook event ${eventId}`).toMatch(/^(processed|no_pool|quarantined|failed)$/);
    return row!;
  }, timeoutMs);
}

// --- The receiver (a business's URL) --------------------------------------------------------------

export interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

export async function receiver(path: 'reset' | 'script' | 'received', body?: unknown): Promise<Json> {
  const response = await env.RECEIVER.fetch(`http://control.receiver.test/__receiver/${path}`, {
    method: path === 'received' ? 'GET' : 'POST',
    ...(body !== undefined && { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return response.json();
}

/** What reached the receiver at `host`. */
export async function receivedAt(host: string): Promise<Received[]> {
  return ((await receiver('received')) as Received[]).filter((r) => new URL(r.url).host === host);
}

// --- Wall clocks, for quiet hours ----------------------------------------------------------------

/** "HH:MM" of the wall clock in `timeZone` at `ms`. */
export function wallClock(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    ms,
  );
}

/** "HH:MM" moved by `hours`, round the clock. */
export function shiftHHMM(hhmm: string, hours: number): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return `${String((((h + hours) % 24) + 24) % 24).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
