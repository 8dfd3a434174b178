// The two modes (VOICE_CONNECTIONS_MODE) and, for upstream mode, the calls to Telnyx.
//
//   local     the edge is the store: it makes ids, applies Telnyx's defaults and keeps the objects.
//   upstream  Telnyx is the store: every write goes to Telnyx first and the edge keeps Telnyx's
//             answer (reads are served from that copy, which the hourly sync refreshes).
//
// Connection writes are not idempotent (a repeated create makes a second connection), so each one
// is sent once with the shared client's `send` policy. Telnyx refusing (4xx) changed nothing: its
// status and errors go back to the caller as they came, and the edge's copy stays as it was. A 5xx,
// a timeout or an unreadable answer means the write may or may not have happened:
//   - an update or a delete is settled at once by reading the record back (reads are safe to repeat):
//     the edge keeps what Telnyx now holds, and answers 200 when the write took effect;
//   - a create cannot be found again by reading (Telnyx gave no id), so the answer is 502 with
//     outcome "unknown", nothing is kept, and the hourly sync mirrors the connection if Telnyx made it.
// Nothing is ever resent blindly.

import { ApiError, TelnyxCode, misconfigured } from '../../../shared/errors';
import { telnyxClientFromEnv, type TelnyxClient, type TelnyxRequest } from '../../../shared/telnyx/client';
import { TelnyxApiError } from '../../../shared/telnyx/errors';
import type { Origin, TelnyxObject } from './store';

export type Mode = 'local' | 'upstream';

/** The origin of what a write in `mode` stores. */
export const originIn = (mode: Mode): Origin => (mode === 'local' ? 'edge' : 'telnyx');

/**
 * In upstream mode, a record the edge made in local mode is not at Telnyx: updating it there would
 * only meet a 404, so the edge says what is going on instead.
 */
export function notAtTelnyx(what: string, id: string): ApiError {
  return new ApiError(409, {
    code: TelnyxCode.badRequest,
    title: 'Not at Telnyx',
    detail:
      `${what} ${id} was made while VOICE_CONNECTIONS_MODE was "local" and Telnyx does not have it. ` +
      'Delete it and create it again in upstream mode, or switch back to local mode.',
  });
}

export function modeOf(env: Pick<Env, 'VOICE_CONNECTIONS_MODE'>): Mode {
  const mode = (env.VOICE_CONNECTIONS_MODE ?? '').trim().toLowerCase() || 'local';
  if (mode === 'local' || mode === 'upstream') return mode;
  throw misconfigured(`VOICE_CONNECTIONS_MODE is "${env.VOICE_CONNECTIONS_MODE}"; it must be "local" or "upstream".`);
}

type TelnyxEnv = Pick<Env, 'TELNYX_API_KEY' | 'TELNYX_API_BASE'>;

function unknownOutcome(error: TelnyxApiError, what: string): ApiError {
  return new ApiError(
    502,
    {
      code: TelnyxCode.unexpected,
      title: 'Outcome unknown',
      detail:
        `Telnyx did not confirm the ${what} (${error.failure === 'http' ? `HTTP ${error.status}` : error.failure}); ` +
        'it may or may not have happened. The edge changed its copy only as far as it could confirm; ' +
        'the hourly sync brings it in line with Telnyx.',
      meta: { outcome: 'unknown' },
    },
    { cause: error },
  );
}

/** Telnyx's refusal as the caller's answer: the same status and errors (and Retry-After on a 429). */
function refusal(error: TelnyxApiError): ApiError {
  const headers: Record<string, string> = {};
  if (error.status === 429 && error.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.ceil(error.retryAfterMs / 1000));
  }
  return new ApiError(error.status ?? 502, error.errors, { headers, cause: error });
}

function unreachable(error: TelnyxApiError): ApiError {
  return new ApiError(
    502,
    {
      code: TelnyxCode.unexpected,
      title: 'Telnyx unavailable',
      detail: `Telnyx did not answer (${error.failure === 'http' ? `HTTP ${error.status}` : error.failure}); try again later.`,
    },
    { cause: error },
  );
}

/** A read (safe to repeat); Telnyx's refusal or silence as the caller's error. */
export async function readUpstream<T>(env: TelnyxEnv, request: TelnyxRequest): Promise<T> {
  try {
    return (await telnyxClientFromEnv(env).read<T>(request)).body;
  } catch (error) {
    if (!(error instanceof TelnyxApiError)) throw error;
    throw error.outcome === 'rejected' ? refusal(error) : unreachable(error);
  }
}

function dataOf(body: unknown): TelnyxObject {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (typeof data !== 'object' || data === null || typeof (data as { id?: unknown }).id !== 'string') {
    throw new ApiError(502, {
      code: TelnyxCode.unexpected,
      title: 'Unexpected answer from Telnyx',
      detail: 'Telnyx answered without the record it should return.',
    });
  }
  return data as TelnyxObject;
}

/** What the edge does with its copy when a write's outcome had to be settled by reading back. */
export interface Settle {
  /** The record as Telnyx now holds it, when the write did not take effect: keep it as the copy. */
  keep(data: TelnyxObject): Promise<void>;
  /** Telnyx has no such record (any more): drop the copy. */
  gone(): Promise<void>;
}

async function attempt<T>(
  env: TelnyxEnv,
  what: string,
  request: TelnyxRequest,
  settle: (client: TelnyxClient, unknown: ApiError) => Promise<T>,
): Promise<T | TelnyxObject> {
  const client = telnyxClientFromEnv(env);
  try {
    const { body } = await client.send<unknown>(request);
    // A delete's answer is not needed (Telnyx sends the deleted record, or nothing).
    return request.method === 'DELETE' ? (undefined as T) : dataOf(body);
  } catch (error) {
    if (!(error instanceof TelnyxApiError)) throw error;
    if (error.outcome === 'rejected') throw refusal(error);
    return settle(client, unknownOutcome(error, what));
  }
}

/** A create, sent once: Telnyx's record, or an error (502 "unknown" when it may have been made). */
export async function createUpstream(
  env: TelnyxEnv,
  what: string,
  path: string,
  body: Record<string, unknown>,
): Promise<TelnyxObject> {
  return attempt(env, what, { method: 'POST', path, body }, (_client, unknown) => Promise.reject(unknown));
}

/**
 * An update, sent once. After an unknown outcome the record is read back: if `patch` shows in it
 * the update took effect and the record is returned; otherwise the edge keeps what Telnyx holds
 * and the caller gets the 502.
 */
export async function updateUpstream(
  env: TelnyxEnv,
  what: string,
  path: string,
  patch: Record<string, unknown>,
  took: (data: TelnyxObject) => boolean,
  settle: Settle,
): Promise<TelnyxObject> {
  try {
    return await attempt(env, what, { method: 'PATCH', path, body: patch }, async (client, unknown) => {
      const readBack = await readBackRecord(client, path);
      if (readBack === undefined) throw unknown;
      if (!readBack.found) throw refusalNotFound(path);
      if (took(readBack.data)) return readBack.data;
      await settle.keep(readBack.data);
      throw unknown;
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) await settle.gone();
    throw error;
  }
}

/** A delete, sent once; after an unknown outcome, settled by reading the record back. */
export async function deleteUpstream(env: TelnyxEnv, what: string, path: string, settle: Settle): Promise<void> {
  try {
    await attempt(env, what, { method: 'DELETE', path }, async (client, unknown) => {
      const readBack = await readBackRecord(client, path);
      if (readBack === undefined) throw unknown;
      if (!readBack.found) return undefined;
      await settle.keep(readBack.data);
      throw unknown;
    });
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) await settle.gone();
    throw error;
  }
}

function refusalNotFound(path: string): ApiError {
  return new ApiError(404, {
    code: TelnyxCode.notFound,
    title: 'Resource not found',
    detail: `Telnyx has no record at ${path}.`,
  });
}

type ReadBack = { found: true; data: TelnyxObject } | { found: false };

/** GET of the record a write addressed; undefined when Telnyx cannot say. */
async function readBackRecord(client: TelnyxClient, path: string): Promise<ReadBack | undefined> {
  try {
    const { body } = await client.read<unknown>({ method: 'GET', path });
    return { found: true, data: dataOf(body) };
  } catch (error) {
    if (error instanceof TelnyxApiError && error.status === 404) return { found: false };
    return undefined;
  }
}

/** Every record of a Telnyx list, page by page (250 a page, Telnyx's largest). */
export async function listUpstream(client: TelnyxClient, path: string): Promise<TelnyxObject[]> {
  const all: TelnyxObject[] = [];
  for (let page = 1; page <= 1000; page++) {
    const { body } = await client.read<{ data?: TelnyxObject[]; meta?: { total_pages?: number } }>({
      method: 'GET',
      path,
      query: { 'page[number]': String(page), 'page[size]': '250' },
    });
    const data = Array.isArray(body?.data) ? body.data : [];
    all.push(...data);
    const pages = body?.meta?.total_pages;
    if (data.length === 0 || (typeof pages === 'number' ? page >= pages : data.length < 250)) break;
  }
  return all;
}

export { telnyxClientFromEnv };
