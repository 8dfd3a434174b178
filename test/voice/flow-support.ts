// Helpers for the call flow tests: numbers good and bad, the bundle called over HTTP as an admin
// (or as anyone), a clean flow store (D1 tables and KV keys) per test, and what the store holds.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../workers/index';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL } from '../support/sim';
import { testEnv as env } from '../support/test-env';

/** A flow document or any part of one, read and written loosely. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Doc = any;

/** Valid +E.164 numbers of several countries (shared/phone's own test set). */
export const GOOD_NUMBERS = [
  '+13125550123',
  '+14165550123',
  '+442079460000',
  '+4915112345678',
  '+61412345678',
  '+18005550100',
];

/** Numbers strict +E.164 refuses: national, spaced, too short, leading 0, a URI, not text, empty, not assigned. */
export const BAD_NUMBERS: unknown[] = [
  '3125550123',
  '+1 312 555 0123',
  '+1312555',
  '+0123456789',
  'tel:+13125550123',
  13125550123,
  '',
  '+15551234567',
];

export interface Reply {
  status: number;
  headers: Headers;
  body: Doc;
}

/**
 * One request to the bundle, with its waitUntil work done. `json` is sent as JSON; `raw` as it is
 * (for bad JSON and other content types). Admin unless `token` says otherwise (null: no header).
 */
export async function call(
  method: string,
  path: string,
  options: { json?: unknown; raw?: string; type?: string; token?: string | null } = {},
): Promise<Reply> {
  const body = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
  const headers = new Headers();
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  if (token !== null) headers.set('authorization', `Bearer ${token}`);
  if (body !== undefined) headers.set('content-type', options.type ?? 'application/json');
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}${path}`, { method, headers, body }) as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : JSON.parse(text) };
}

/** The data of a reply that must have the given status. */
export function dataOf(reply: Reply, status = 200): Doc {
  if (reply.status !== status)
    throw new Error(`expected ${status}, got ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.data;
}

/** The pointers of a reply's errors, in order. */
export const pointersOf = (reply: Reply): string[] => reply.body.errors.map((e: Doc) => e.source?.pointer);

/** Removes every flow: D1 rows and claims, and the KV documents and number index. */
export async function clearFlows(): Promise<void> {
  await env.DB.batch([env.DB.prepare('DELETE FROM flow_numbers'), env.DB.prepare('DELETE FROM flows')]);
  for (const prefix of ['flow:', 'flow-number:']) {
    const { keys } = await env.CONFIG.list({ prefix });
    await Promise.all(keys.map((key) => env.CONFIG.delete(key.name)));
  }
}

/** What the store holds: flow rows, claims (number → flow id), KV documents and index entries. */
export async function stored() {
  const rows = (await env.DB.prepare('SELECT id FROM flows ORDER BY id').all<{ id: string }>()).results;
  const claims = (
    await env.DB.prepare('SELECT number, flow_id FROM flow_numbers ORDER BY number').all<{
      number: string;
      flow_id: string;
    }>()
  ).results;
  const docs = (await env.CONFIG.list({ prefix: 'flow:' })).keys.map((k) => k.name);
  const index = (await env.CONFIG.list({ prefix: 'flow-number:' })).keys.map((k) => k.name);
  return {
    rows: rows.map((r) => r.id),
    claims: Object.fromEntries(claims.map((c) => [c.number, c.flow_id])),
    docs,
    index,
  };
}

/** A small valid flow: a greeting, then a hangup. */
export function simpleFlow(fields: Doc = {}): Doc {
  return {
    name: 'Greeting',
    start: 'hello',
    nodes: { hello: { kind: 'speak', text: 'Hello', next: 'bye' }, bye: { kind: 'hangup' } },
    ...fields,
  };
}
