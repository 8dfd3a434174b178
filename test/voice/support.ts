// Helpers for the connection tests: calling the bundle as an admin (optionally with bindings changed,
// e.g. VOICE_CONNECTIONS_MODE), reading answers, Telnyx-shaped errors, a clean store per test, and
// the simulator's connection endpoints and request log for upstream mode.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../workers/index';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';

/** Loosely typed JSON, for reading answers field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface Answer {
  status: number;
  headers: Headers;
  body: Json;
}

export interface EdgeInit {
  method?: string;
  body?: unknown;
  /** Bindings laid over the test env for this request (e.g. { VOICE_CONNECTIONS_MODE: 'upstream' }). */
  bindings?: Partial<Record<keyof Env, unknown>>;
}

export const UPSTREAM = { VOICE_CONNECTIONS_MODE: 'upstream' } as const;

/** A request to the bundle as an admin, with its waitUntil work finished. */
export async function edge(path: string, init: EdgeInit = {}): Promise<Answer> {
  const ctx = createExecutionContext();
  const body = init.body === undefined ? undefined : JSON.stringify(init.body);
  const request = new Request(`${EDGE_URL}${path}`, {
    method: init.method ?? (body === undefined ? 'GET' : 'POST'),
    headers: {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body,
  });
  const bindings = { ...env, ...init.bindings } as typeof env;
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, bindings, ctx);
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

/** The data of a 2xx answer (the whole body for V1, which has no envelope). */
export function ok(answer: Answer): Json {
  if (answer.status < 200 || answer.status > 299) {
    throw new Error(`expected a 2xx, got ${answer.status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body.data ?? answer.body;
}

/** The one error of a refusal, checked against what is expected of it. */
export function expectError(answer: Answer, status: number, source?: { pointer?: string; parameter?: string }): Json {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body.errors).toHaveLength(1);
  const error = answer.body.errors[0];
  expect(error.code).toMatch(/^\d+$/);
  expect(error.title).toEqual(expect.any(String));
  if (source !== undefined) expect(error.source).toEqual(source);
  return error;
}

const PREFIXES = ['sip-connection:', 'sip-fqdn:', 'sip-ip:', 'outbound-voice-profile:'];

/** Every connection record in KV and every claim and sync row in D1 gone: each test starts empty. */
export async function clearStore(): Promise<void> {
  for (const prefix of PREFIXES) {
    for (;;) {
      const page = await env.CONFIG.list({ prefix });
      await Promise.all(page.keys.map((k) => env.CONFIG.delete(k.name)));
      if (page.list_complete) break;
    }
  }
  await env.DB.batch([
    env.DB.prepare('DELETE FROM connection_user_names'),
    env.DB.prepare('DELETE FROM connection_sync_drift'),
    env.DB.prepare('DELETE FROM connection_sync_runs'),
  ]);
}

/** The raw KV record of a connection (what the edge keeps). */
export function storedConnection(id: string): Promise<Json> {
  return env.CONFIG.get(`sip-connection:${id}`, 'json');
}

/** A fresh credential connection body with a user name no other test uses. */
export function credentialBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    connection_name: `office ${crypto.randomUUID().slice(0, 6)}`,
    user_name: `user${crypto.randomUUID().replace(/-/g, '').slice(0, 12)}`,
    password: 'my123secure456password789',
    ...fields,
  };
}

export interface SimRequest {
  method: string;
  path: string;
  status: number;
}

/** What reached the simulator's API since the last reset, optionally only under `path`. */
export async function simRequests(path?: string): Promise<SimRequest[]> {
  const query = path === undefined ? '' : `?path=${encodeURIComponent(path)}`;
  return (await sim<{ data: SimRequest[] }>(`/sim/requests${query}`)).data;
}

/** One fault at the simulator's API (see sim/README.md: POST /sim/faults). */
export async function fault(body: Record<string, unknown>): Promise<void> {
  await sim('/sim/faults', { body: { target: 'api', count: 1, ...body } });
}

/** Calls the simulator's own v2 API, as the Telnyx portal would change things behind the edge. */
export async function telnyx(path: string, init: { method?: string; body?: unknown } = {}): Promise<Json> {
  return (await sim<{ data: Json }>(`/v2${path}`, init)).data;
}
