// Helpers for the simulator's own tests: calling its Telnyx API and its control API, reading what
// the webhook receiver got, and checking Telnyx's error shape. The simulator is the main worker
// of the "sim" test project (SELF, with its Durable Object as env.ACCOUNT); every webhook it
// sends lands on the receiver (env.RECEIVER).
import { SELF, env } from 'cloudflare:test';
import { expect } from 'vitest';
import { SEED_PROFILE_IDS } from '../../sim/seed';

export const BASE = 'http://127.0.0.1:8788';
/** SIM_WEBHOOK_BASE in the sim test project (vitest.config.ts). */
export const DEFAULT_WEBHOOK_URL = 'http://edge.receiver.test/webhooks/messaging';
export const MARKETING = SEED_PROFILE_IDS.marketing;
export const SUPPORT = SEED_PROFILE_IDS.support;
/** A long code on the marketing profile. */
export const CHICAGO = '+13125550100';
/** A long code on the support profile. */
export const AUSTIN = '+15125550100';
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Settings under which nothing leaves on its own: sends and inbound messages wait an hour (in
 * simulator time) for their webhooks, so the Durable Object's alarm never fires during a test and
 * POST /sim/flush alone decides when, and in which order, webhooks go out. Retries are immediate,
 * so one flush plays a whole retry sequence.
 */
export const HELD = { latency_ms: { sent: 3_600_000, finalized: 3_600_000, inbound: 3_600_000 }, retry_delay_ms: 0 };
/** Settings under which webhooks fall due at once and the alarm delivers them without a flush. */
export const IMMEDIATE = { latency_ms: { sent: 0, finalized: 0, inbound: 0 }, retry_delay_ms: 0 };

type Json = Record<string, unknown>;

/**
 * The simulator's one Durable Object, to which its entry (sim/index.ts, SELF here) hands every
 * request. The helpers call it directly: through SELF each call takes longer than the one before
 * (in this version of the pool, 50 calls take 0.15 s at first and 0.8 s after 200 more), which
 * would slow a file of a few hundred calls to seconds a test. Tests of the entry use SELF.
 */
export function account(): DurableObjectStub {
  return env.ACCOUNT.get(env.ACCOUNT.idFromName('account'));
}

/** A request through the simulator's entry worker, as a client makes it. */
export function throughEntry(path: string, init?: RequestInit): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, init);
}

function request(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] = 'application/json';
  }
  return account().fetch(`${BASE}${path}`, init);
}

/** A Telnyx API call, with a bearer token (the simulator accepts any when SIM_API_KEY is empty). */
export function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return request(method, path, body, { authorization: 'Bearer KEY_test', ...headers });
}

/** A control API call (/sim/...), which needs no token. */
export function control(method: string, path: string, body?: unknown) {
  return request(method, path, body);
}

/** The JSON body of a control call that must succeed. */
export async function controlOk<T = Json>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await control(method, path, body);
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBeLessThan(300);
  return JSON.parse(text) as T;
}

/** Back to the seeded account and a silent receiver, with `settings` applied on top of the defaults. */
export async function resetAll(settings: Json = HELD): Promise<void> {
  await controlOk('POST', '/sim/reset');
  await env.RECEIVER.fetch('http://receiver/__receiver/reset', { method: 'POST' });
  if (Object.keys(settings).length > 0) await controlOk('PATCH', '/sim/settings', settings);
}

export async function patchSettings(settings: Json): Promise<Json> {
  return (await controlOk<{ data: Json }>('PATCH', '/sim/settings', settings)).data;
}

/** Delivers every pending webhook, retries included; returns the number of delivery attempts. */
export async function flush(): Promise<number> {
  return (await controlOk<{ attempts: number }>('POST', '/sim/flush')).attempts;
}

export async function advanceClock(ms: number): Promise<string> {
  return (await controlOk<{ clock: string }>('POST', '/sim/clock', { advance_ms: ms })).clock;
}

export async function simState(): Promise<Json & { counts: Record<string, number> }> {
  return controlOk('GET', '/sim/state');
}

/** What the receiver will answer: `responses` in turn, then `otherwise`. */
export async function scriptReceiver(
  responses: Array<{ status?: number; delay_ms?: number; body?: string }>,
  otherwise?: { status?: number; delay_ms?: number; body?: string },
): Promise<void> {
  const response = await env.RECEIVER.fetch('http://receiver/__receiver/script', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ responses, otherwise }),
  });
  expect(response.status).toBe(200);
}

export interface WebhookEnvelope {
  data: { record_type: string; id: string; event_type: string; occurred_at: string; payload: Message };
  meta: { attempt: number; delivered_to: string };
}

export interface Received {
  url: string;
  method: string;
  headers: Record<string, string>;
  /** The body exactly as it arrived. */
  body: string;
  at: number;
  json: WebhookEnvelope;
}

/** Every request the receiver got, in order of arrival, with the body parsed. */
export async function received(): Promise<Received[]> {
  const response = await env.RECEIVER.fetch('http://receiver/__receiver/received');
  const list = (await response.json()) as Array<Omit<Received, 'json'>>;
  return list.map((r) => ({ ...r, json: JSON.parse(r.body) as WebhookEnvelope }));
}

/** The events the receiver got, as event_type strings in order of arrival. */
export async function receivedTypes(): Promise<string[]> {
  return (await received()).map((r) => r.json.data.event_type);
}

export interface Delivery {
  seq: number;
  event_id: string;
  event_type: string;
  message_id: string | null;
  url: string | null;
  attempt: number;
  status: number | null;
  latency_ms: number | null;
  outcome: string;
  error: string | null;
  response: string | null;
  at: string;
}

export async function deliveries(query = ''): Promise<Delivery[]> {
  return (await controlOk<{ data: Delivery[] }>('GET', `/sim/deliveries${query}`)).data;
}

export interface MessageAddress {
  phone_number: string;
  carrier: string;
  line_type: string;
  status?: string;
}

/** Telnyx's message object, as far as the tests read it. */
export interface Message extends Json {
  id: string;
  record_type: string;
  direction: string;
  type: string;
  from: MessageAddress;
  to: MessageAddress[];
  text: string;
  encoding: string;
  parts: number;
  messaging_profile_id: string | null;
  received_at: string;
  sent_at: string | null;
  completed_at: string | null;
  cost: { amount: string; currency: string } | null;
  errors: Array<{ code: string; title: string; detail: string }>;
  media: Array<Record<string, unknown>>;
  webhook_url: string | null;
  webhook_failover_url: string | null;
  wait_seconds?: number | null;
}

/** POST /v2/messages that must succeed; returns the message. */
export async function send(body: Json, path = '/v2/messages'): Promise<Message> {
  const response = await api('POST', path, body);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { data: Message }).data;
}

/** POST /v2/messages/number_pool from the marketing profile's pool. */
export function sendFromPool(to: string, body: Json = {}): Promise<Message> {
  return send(
    { messaging_profile_id: MARKETING, to, text: 'Hello from the pool', ...body },
    '/v2/messages/number_pool',
  );
}

export async function getMessage(id: string): Promise<Message> {
  const response = await api('GET', `/v2/messages/${id}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { data: Message }).data;
}

/** GET /sim/messages: stored messages, newest first. */
export async function storedMessages(): Promise<Message[]> {
  return (await controlOk<{ data: Message[] }>('GET', '/sim/messages')).data;
}

export interface TelnyxError {
  code: string;
  title: string;
  detail?: string;
  source?: { pointer?: string; parameter?: string };
}

/**
 * Checks that `response` is Telnyx's error body with one error of `status` and `code` (and, when
 * given, `pointer` or `parameter` as its source); returns that error.
 */
export async function expectError(
  response: Response,
  status: number,
  code: string,
  source?: { pointer?: string; parameter?: string },
): Promise<TelnyxError> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(text) as { errors: TelnyxError[] };
  expect(body.errors).toHaveLength(1);
  const error = body.errors[0]!;
  expect(error).toMatchObject({ code, title: expect.any(String), detail: expect.any(String) });
  expect(error.code).toMatch(/^\d+$/);
  if (source !== undefined) expect(error.source).toEqual(source);
  return error;
}

/** Waits until the start of a fresh wall-clock second, so a burst of calls falls in one rate window. */
export async function startOfSecond(): Promise<void> {
  await scheduler.wait(1000 - (Date.now() % 1000) + 5);
}

/** Polls `check` until it returns a value other than undefined (for tests of the alarm, which no flush drives). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms.`);
    await scheduler.wait(20);
  }
}
