// The dead letters of forwarding, for an operator (the entry point requires the admin token):
//
//   GET  /forwarding/dead-letters                  newest first, without bodies; Telnyx paging
//        ?page[number]=1&page[size]=20 (at most 250)&filter[profile_id]=...&filter[state]=dead|redriven
//   GET  /forwarding/dead-letters/{id}             one, with the body it was to deliver
//   POST /forwarding/dead-letters/{id}/redrive     queue it again (same id, so the receiver can dedupe
//                                                  by webhook-id); allowed again and again, each counted
//   POST /forwarding/dead-letters/redrive          every dead one (optionally { "profile_id": ... }),
//                                                  oldest first, at most 100 a call; says how many remain
//
// A redrive sends to the queue first and records it after, so a failure in between can cause a
// second delivery (which the receiver dedupes) but never a lost event. Two bulk redrives at the
// same moment may both send the same dead letters, for the same reason.

import { ApiError, TelnyxCode, badRequest, jsonResponse, notFound, unprocessable } from '../errors';
import { API_BODY_LIMIT, decodeUtf8, parseJsonText, readBodyBytes } from '../http';
import { log } from '../log';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../worker';
import { checkForwardMessage, type ForwardMessage } from './queue';
import { rowToMessage, type DeadLetterRow } from './store';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 250;
export const BULK_REDRIVE_LIMIT = 100;
/** Keeps OFFSET a small integer for SQLite. */
const MAX_PAGE_NUMBER = 10_000_000;
/** Queues take at most 100 messages and 256 KB per sendBatch. */
const SEND_BATCH_BYTES = 200 * 1024;

/** SQL for "has an http(s) URL and is a real message", the rows a bulk redrive can send. */
const SENDABLE = "(url LIKE 'http://%' OR url LIKE 'https://%') AND id NOT LIKE 'malformed:%'";

const STATES = ['dead', 'redriven'] as const;
type State = (typeof STATES)[number];

/** A dead letter as the API shows it; `body` only when one is asked for by id. */
export interface DeadLetterRecord {
  record_type: 'forward_dead_letter';
  id: string;
  state: State;
  url: string;
  profile_id: string;
  event_type: string;
  created_at: string;
  /** Attempt number of the last recorded failure (null when none was recorded). */
  attempts: number | null;
  last_status: number | null;
  last_error: string | null;
  last_failure_at: string | null;
  deaths: number;
  dead_at: string;
  redriven_at: string | null;
  redrive_count: number;
  body_bytes: number;
  body?: string;
}

const utf8 = new TextEncoder();

function present(row: DeadLetterRow, withBody: boolean): DeadLetterRecord {
  return {
    record_type: 'forward_dead_letter',
    id: row.id,
    state: row.redriven_at === null ? 'dead' : 'redriven',
    url: row.url,
    profile_id: row.profile_id,
    event_type: row.event_type,
    created_at: row.created_at,
    attempts: row.attempts,
    last_status: row.last_status,
    last_error: row.last_error,
    last_failure_at: row.last_failure_at,
    deaths: row.deaths,
    dead_at: row.dead_at,
    redriven_at: row.redriven_at,
    redrive_count: row.redrive_count,
    body_bytes: utf8.encode(row.body).length,
    ...(withBody && { body: row.body }),
  };
}

function pageParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) {
    throw badRequest(`${name} must be a whole number from 1 to ${max}.`, { parameter: name });
  }
  return value;
}

/** The path's {id}, URL-decoded (ids of malformed messages hold a ':'). */
function idParam(request: EdgeRequest<{ id: string }>): string {
  try {
    return decodeURIComponent(request.params.id);
  } catch {
    throw notFound('No dead letter has that id.');
  }
}

async function findRow(db: D1Database, id: string): Promise<DeadLetterRow> {
  const row = await db.prepare('SELECT * FROM forward_dead_letters WHERE id = ?').bind(id).first<DeadLetterRow>();
  if (row === null) throw notFound(`No dead letter with id ${id}.`);
  return row;
}

/** The stored message, checked as enqueueForward would check it; 422 when it can never be sent. */
function redrivable(row: DeadLetterRow): ForwardMessage {
  const message = rowToMessage(row);
  try {
    checkForwardMessage(message);
  } catch (error) {
    throw unprocessable(
      TelnyxCode.badRequest,
      'Cannot redrive',
      `Dead letter ${row.id} cannot be sent again: ${error instanceof Error ? error.message : error}`,
    );
  }
  return message;
}

function queueUnavailable(cause: unknown, meta: Record<string, unknown> = {}): ApiError {
  log.error('forward_redrive_enqueue_failed', { error: cause, ...meta });
  return new ApiError(
    503,
    {
      code: TelnyxCode.unexpected,
      title: 'Queue unavailable',
      detail: 'The forwarding queue did not accept the message; nothing was marked redriven. Try again.',
      meta,
    },
    { cause },
  );
}

/** Sends messages with as few sendBatch calls as the Queues limits allow. */
async function sendAll(queue: Queue, messages: readonly ForwardMessage[]): Promise<void> {
  let chunk: MessageSendRequest<ForwardMessage>[] = [];
  let bytes = 0;
  const flush = async () => {
    if (chunk.length > 0) await queue.sendBatch(chunk);
    chunk = [];
    bytes = 0;
  };
  for (const message of messages) {
    const size = utf8.encode(JSON.stringify(message)).length + 100;
    if (chunk.length === 100 || (chunk.length > 0 && bytes + size > SEND_BATCH_BYTES)) await flush();
    chunk.push({ body: message, contentType: 'json' });
    bytes += size;
  }
  await flush();
}

async function markRedriven(db: D1Database, ids: readonly string[], at: string): Promise<DeadLetterRow[]> {
  const { results } = await db
    .prepare(
      `UPDATE forward_dead_letters SET redriven_at = ?1, redrive_count = redrive_count + 1
       WHERE id IN (SELECT value FROM json_each(?2))
       RETURNING *`,
    )
    .bind(at, JSON.stringify(ids))
    .all<DeadLetterRow>();
  return results;
}

/** An optional JSON object body: none (or only whitespace) is {}; anything else must be a JSON object. */
async function optionalJsonObject(request: Request): Promise<Record<string, unknown>> {
  const text = decodeUtf8(await readBodyBytes(request, API_BODY_LIMIT));
  if (text === undefined) {
    throw badRequest('The request body is not valid UTF-8.', { pointer: '/' }, TelnyxCode.invalidJson);
  }
  if (text.trim() === '') return {};
  const value = parseJsonText(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.', { pointer: '/' });
  }
  return value as Record<string, unknown>;
}

/**
 * Queues up to BULK_REDRIVE_LIMIT dead letters again (of one profile, or all), oldest first, and
 * marks them redriven. Used by POST /forwarding/dead-letters/redrive and by the hourly cron when
 * DEAD_LETTER_REDRIVE is "hourly".
 */
export async function redriveDeadLetters(env: Env, profileId: string | undefined) {
  const dead = profileId === undefined ? 'redriven_at IS NULL' : 'redriven_at IS NULL AND profile_id = ?';
  const binds = profileId === undefined ? [] : [profileId];
  // Rows that can never be sent (a malformed message, a URL that is not http(s)) are left out, so
  // that they cannot block the rest; they are counted, and shown by GET with filter[state]=dead.
  const sendable = `${dead} AND ${SENDABLE}`;
  const { results: rows } = await env.DB.prepare(
    `SELECT * FROM forward_dead_letters WHERE ${sendable} ORDER BY dead_at ASC, id ASC LIMIT ?`,
  )
    .bind(...binds, BULK_REDRIVE_LIMIT)
    .all<DeadLetterRow>();

  // The few that pass the SQL test and still fail the full check (a URL with a password) are skipped.
  const messages: ForwardMessage[] = [];
  const skipped: { id: string; detail: string }[] = [];
  for (const row of rows) {
    try {
      messages.push(redrivable(row));
    } catch (error) {
      skipped.push({
        id: row.id,
        detail: error instanceof ApiError ? (error.errors[0]?.detail ?? '') : String(error),
      });
    }
  }
  try {
    await sendAll(env.FORWARD_QUEUE, messages);
  } catch (error) {
    throw queueUnavailable(error, { profile_id: profileId ?? null });
  }
  const redriven = await markRedriven(
    env.DB,
    messages.map((m) => m.id),
    new Date().toISOString(),
  );
  const counts = await env.DB.prepare(
    `SELECT COUNT(*) FILTER (WHERE ${SENDABLE}) AS remaining, COUNT(*) FILTER (WHERE NOT (${SENDABLE})) AS unsendable
     FROM forward_dead_letters WHERE ${dead}`,
  )
    .bind(...binds)
    .first<{ remaining: number; unsendable: number }>();
  // Skipped rows passed the SQL test, so they are counted there; they belong with the unsendable.
  const remaining = Math.max(0, (counts?.remaining ?? 0) - skipped.length);
  log.info('forward_redriven', { count: redriven.length, skipped: skipped.length, remaining, profile_id: profileId });
  return {
    record_type: 'forward_redrive' as const,
    redriven: redriven.length,
    ids: messages.map((m) => m.id),
    // Still dead and sendable after this call: call again while this is not 0.
    remaining,
    // Dead, but they can never be sent as stored (no http(s) URL, malformed); not retried here.
    cannot_redrive: (counts?.unsendable ?? 0) + skipped.length,
    skipped,
    limit: BULK_REDRIVE_LIMIT,
  };
}

export function registerForwardRoutes(router: EdgeRouter): void {
  router.get<EdgeRequest, EdgeArgs>('/forwarding/dead-letters', async (request, env) => {
    const query = new URL(request.url).searchParams;
    const size = pageParam(query, 'page[size]', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const number = pageParam(query, 'page[number]', 1, MAX_PAGE_NUMBER);
    const where: string[] = [];
    const binds: unknown[] = [];
    const profileId = query.get('filter[profile_id]');
    if (profileId !== null) {
      where.push('profile_id = ?');
      binds.push(profileId);
    }
    const state = query.get('filter[state]');
    if (state !== null) {
      if (!(STATES as readonly string[]).includes(state)) {
        throw badRequest(`filter[state] must be one of ${STATES.join(', ')}.`, { parameter: 'filter[state]' });
      }
      where.push(state === 'dead' ? 'redriven_at IS NULL' : 'redriven_at IS NOT NULL');
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const [count, page] = await env.DB.batch<Record<string, unknown>>([
      env.DB.prepare(`SELECT COUNT(*) AS total FROM forward_dead_letters ${clause}`).bind(...binds),
      env.DB.prepare(
        `SELECT * FROM forward_dead_letters ${clause} ORDER BY dead_at DESC, id DESC LIMIT ? OFFSET ?`,
      ).bind(...binds, size, (number - 1) * size),
    ]);
    const total = Number(count!.results[0]?.total ?? 0);
    return jsonResponse({
      data: (page!.results as unknown as DeadLetterRow[]).map((row) => present(row, false)),
      meta: {
        page_number: number,
        page_size: size,
        total_pages: Math.max(1, Math.ceil(total / size)),
        total_results: total,
      },
    });
  });

  router.post<EdgeRequest, EdgeArgs>('/forwarding/dead-letters/redrive', async (request, env) => {
    const body = await optionalJsonObject(request);
    const profileId = body.profile_id;
    if (profileId !== undefined && typeof profileId !== 'string') {
      throw badRequest('profile_id must be a string.', { pointer: '/profile_id' });
    }
    return jsonResponse({ data: await redriveDeadLetters(env, profileId) });
  });

  router.get<EdgeRequest<{ id: string }>, EdgeArgs>('/forwarding/dead-letters/:id', async (request, env) => {
    return jsonResponse({ data: present(await findRow(env.DB, idParam(request)), true) });
  });

  router.post<EdgeRequest<{ id: string }>, EdgeArgs>('/forwarding/dead-letters/:id/redrive', async (request, env) => {
    const row = await findRow(env.DB, idParam(request));
    const message = redrivable(row);
    try {
      await env.FORWARD_QUEUE.send(message, { contentType: 'json' });
    } catch (error) {
      throw queueUnavailable(error, { id: row.id });
    }
    const [updated] = await markRedriven(env.DB, [row.id], new Date().toISOString());
    log.info('forward_redriven', { id: row.id, event_type: row.event_type, profile_id: row.profile_id });
    return jsonResponse({ data: present(updated ?? row, false) });
  });
}
