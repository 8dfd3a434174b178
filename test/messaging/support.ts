// Helpers for the messaging tests: calling the bundle with its waitUntil work finished, pools
// (messaging profiles with numbers) made fresh for each test, waiting for work the bundle does after
// it has answered (the webhooks the simulator delivers are separate requests), and reading what
// reached the simulator.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../workers/index';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';

export const AUTH = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

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
  body: { data?: Json; errors?: ErrorObject[]; meta?: Record<string, number> };
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
  const error = answer.body.errors![0]!;
  expect(error.code).toBe(code);
  expect(error.title).toEqual(expect.any(String));
  if (source !== undefined) expect(error.source).toEqual(source);
  return error;
}

/** Telnyx's pool settings with every number type allowed and no stickiness or geomatch. */
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

/** A new messaging profile (a pool) with `numbers` added; Telnyx's required fields filled in. */
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
 * Deletes every profile the bundle holds, which frees their numbers. Storage lasts for the whole
 * file and the simulator has few numbers, so each test starts from no pools at all.
 */
export async function removeAllPools(): Promise<void> {
  for (;;) {
    const profiles: Json[] = ok(await edge('/v2/messaging_profiles?page[size]=250'));
    if (profiles.length === 0) return;
    for (const profile of profiles) ok(await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'DELETE' }));
  }
}

/** Sends through the bundle (POST /v2/messages unless `path` says otherwise). */
export function send(body: Record<string, unknown>, headers: Record<string, string> = {}, path = '/v2/messages') {
  return edge(path, { body, headers });
}

/**
 * Calls `check` until it stops throwing (an unmet expect) or `timeoutMs` passes, then returns
 * what it returned, or throws its last error. For work the bundle does after it has answered.
 */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 5000, intervalMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

// --- The simulator's side ------------------------------------------------------------------------

export interface SimRequest {
  seq: number;
  method: string;
  path: string;
  status: number;
}

/** Every send (POST /v2/messages and /v2/messages/number_pool) that reached the simulator. */
export async function simSends(): Promise<SimRequest[]> {
  const rows = (await sim<{ data: SimRequest[] }>('/sim/requests?path=/v2/messages&limit=1000')).data;
  return rows.filter((r) => r.method === 'POST');
}

/** The simulator's messages, oldest first (its own list is newest first). */
export async function simMessages(): Promise<Json[]> {
  return (await sim<{ data: Json[] }>('/sim/messages?limit=500')).data.reverse();
}

/** Messages the simulator sent (outbound) to `to`, oldest first. */
export async function simMessagesTo(to: string): Promise<Json[]> {
  return (await simMessages()).filter((m) => m.direction === 'outbound' && m.to[0].phone_number === to);
}

export async function simSettings(settings: Record<string, unknown>): Promise<void> {
  await sim('/sim/settings', { method: 'PATCH', body: settings });
}

/** Someone texts `to` (a number of the simulated account); the simulator's message and event ids. */
export async function inbound(from: string, to: string, text: string): Promise<{ messageId: string; eventId: string }> {
  const answer = await sim<{ event_id: string; message: { id: string } }>('/sim/messages/inbound', {
    body: { from, to, text },
  });
  return { messageId: answer.message.id, eventId: answer.event_id };
}

/**
 * Waits until the pool has acted on an inbound message: its D1 record is written at the end of
 * the pool's run that handled it, after any reply has gone to Telnyx.
 */
export async function handled(inboundMessageId: string, timeoutMs = 5000): Promise<void> {
  await eventually(async () => {
    const row = await env.DB.prepare("SELECT 1 AS x FROM messages WHERE id = ? AND direction = 'inbound'")
      .bind(inboundMessageId)
      .first();
    expect(row, `inbound message ${inboundMessageId} not handled yet`).not.toBeNull();
  }, timeoutMs);
}
