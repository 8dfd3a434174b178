// Forwarding events to the business's own URL, off the webhook's 2-second path, through Cloudflare
// Queues (at-least-once):
//
//   enqueueForward       puts a ForwardMessage on FORWARD_QUEUE ("telnyx-edge-forward")
//   consumeForwardBatch  POSTs each message's body to its URL, signed as Standard Webhooks
//                        (signing.ts). 2xx: ack. Anything else (another status, a redirect, a
//                        timeout, a network error, an unusable FORWARD_SIGNING_SECRET): the attempt
//                        is recorded in D1 (forward_failures) and the message retried after 30 s,
//                        60 s, 120 s ... up to 12 h. After wrangler.toml's max_retries the queue
//                        moves it to the dead-letter queue.
//   consumeDeadLetters   keeps every dead letter in D1 (forward_dead_letters), once per message id,
//                        for GET /forwarding/dead-letters and its redrive (routes.ts).
//
// Nothing is lost: a message is acked only once the URL answered 2xx or the dead letter is stored.
// No message's failure escapes as an exception (that would retry the whole batch), and no message
// body (it carries what people wrote) reaches the logs.

import { mapWithConcurrency } from '../concurrency';
import { log } from '../log';
import { SigningSecretError, importSigningKey, standardWebhookHeaders } from './signing';
import { recordFailures, storeDeadLetter, type FailureRecord } from './store';

export const FORWARD_QUEUE_NAME = 'telnyx-edge-forward';
export const FORWARD_DLQ_NAME = 'telnyx-edge-forward-dlq';

export interface ForwardMessage {
  /** Stable across retries and redrives: it becomes the `webhook-id` header. Use the Telnyx event id. */
  id: string;
  /** The business's URL (http or https). */
  url: string;
  /** The JSON to POST, exactly as it is to be signed and sent. */
  body: string;
  profile_id: string;
  event_type: string;
  /** ISO 8601: when the event was created. */
  created_at: string;
}

/** How long one POST may take before it counts as failed. */
export const DEFAULT_TIMEOUT_MS = 10_000;
/** The first retry waits this long; each further one twice as long as the one before. */
export const BASE_RETRY_DELAY_SECONDS = 30;
/** The longest delay Cloudflare Queues allows (12 h). */
export const MAX_RETRY_DELAY_SECONDS = 43_200;
/** Queues refuse messages over 128 KB; this leaves room for the other fields and the envelope. */
export const MAX_BODY_BYTES = 120 * 1024;
/** Workers open at most six outbound connections at once; more would only wait inside the runtime. */
const CONCURRENCY = 6;
const EXCERPT_CHARS = 200;
export const USER_AGENT = 'telnyx-edge';

export interface ForwardOptions {
  /** Per-POST timeout (default 10 s); tests pass a short one. */
  timeoutMs?: number;
  /** The clock, in milliseconds (default Date.now). */
  now?: () => number;
}

/** The delay before the next try after `attempts` failed ones: 30 s, 60 s, 120 s, ... capped at 12 h. */
export function retryDelaySeconds(attempts: number): number {
  const n = Number.isFinite(attempts) ? Math.max(1, Math.floor(attempts)) : 1;
  return Math.min(MAX_RETRY_DELAY_SECONDS, BASE_RETRY_DELAY_SECONDS * 2 ** Math.min(n - 1, 20));
}

const utf8 = new TextEncoder();

/** What is wrong with `url` as a forward URL, or undefined when it is a usable http(s) URL. */
export function forwardUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'the forward URL is not a URL';
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'the forward URL must be http or https';
  if (parsed.username || parsed.password) return 'the forward URL must not carry a user name or password';
  return undefined;
}

/** A queue body as a ForwardMessage, or undefined when it is not one (every field a string, id/url/body non-empty). */
export function parseForwardMessage(value: unknown): ForwardMessage | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const fields = ['id', 'url', 'body', 'profile_id', 'event_type', 'created_at'] as const;
  if (!fields.every((name) => typeof v[name] === 'string')) return undefined;
  if (v.id === '' || v.url === '' || v.body === '') return undefined;
  return Object.fromEntries(fields.map((name) => [name, v[name]])) as unknown as ForwardMessage;
}

/** Refuses a message that could never be delivered or would not fit in a queue message. */
export function checkForwardMessage(message: ForwardMessage): void {
  if (parseForwardMessage(message) === undefined) {
    throw new TypeError('A ForwardMessage needs string id, url, body, profile_id, event_type and created_at.');
  }
  const problem = forwardUrlProblem(message.url);
  if (problem) throw new TypeError(`Cannot forward event ${message.id}: ${problem}.`);
  const bytes = utf8.encode(message.body).length;
  if (bytes > MAX_BODY_BYTES) {
    throw new RangeError(`Cannot forward event ${message.id}: its body is ${bytes} bytes, over ${MAX_BODY_BYTES}.`);
  }
}

/**
 * Queues one event for delivery to the business's URL. Throws (TypeError, RangeError) for a
 * message that could never be delivered, and when the queue refuses it: the caller decides
 * whether to fail its own request so that the event is not lost.
 */
export async function enqueueForward(env: Env, message: ForwardMessage): Promise<void> {
  checkForwardMessage(message);
  await env.FORWARD_QUEUE.send(message, { contentType: 'json' });
}

// ---- Delivery -----------------------------------------------------------------------------------

type Outcome =
  | { ok: true; status: number; ms: number }
  | { ok: false; status: number | null; error: string; excerpt: string | null; ms: number };

/** The start of an answer, for the operator; never more than a few hundred bytes read. */
async function excerptOf(response: Response): Promise<string | null> {
  if (response.body === null) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < EXCERPT_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } catch {
    // A body that breaks off (or times out) still leaves what arrived.
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes).replace(/\s+/g, ' ').trim();
  return text === '' ? null : text.slice(0, EXCERPT_CHARS);
}

async function post(message: ForwardMessage, key: CryptoKey, timeoutMs: number, nowMs: number): Promise<Outcome> {
  const headers = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    ...(await standardWebhookHeaders(key, message.id, message.body, Math.floor(nowMs / 1000))),
  };
  const started = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    // Redirects are not followed: the signed body goes only to the URL the business configured.
    const response = await fetch(message.url, {
      method: 'POST',
      headers,
      body: message.body,
      redirect: 'manual',
      signal,
    });
    if (response.status >= 200 && response.status < 300) {
      await response.body?.cancel().catch(() => {});
      return { ok: true, status: response.status, ms: Date.now() - started };
    }
    const excerpt = await excerptOf(response);
    const redirect = response.status >= 300 && response.status < 400;
    const location = response.headers.get('location');
    return {
      ok: false,
      status: response.status,
      error: redirect
        ? `HTTP ${response.status}: redirects are not followed${location ? ` (to ${location.slice(0, 200)})` : ''}`
        : `HTTP ${response.status}`,
      excerpt,
      ms: Date.now() - started,
    };
  } catch (error) {
    const timedOut = signal.aborted || (error instanceof Error && error.name === 'TimeoutError');
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      status: null,
      error: timedOut ? `timed out after ${timeoutMs} ms` : `network error: ${reason}`.slice(0, 300),
      excerpt: null,
      ms: Date.now() - started,
    };
  }
}

/** Marks a message for a later try; never throws (retry after ack is a no-op the runtime warns about). */
function retryLater(message: Message<unknown>, delaySeconds: number): void {
  try {
    message.retry({ delaySeconds });
  } catch (error) {
    log.error('forward_retry_failed', { queue_message_id: message.id, error });
  }
}

/** A queue body that is not a ForwardMessage, kept as a dead letter rather than dropped. */
function malformedAsMessage(message: Message<unknown>): ForwardMessage {
  let body: string;
  try {
    body = JSON.stringify(message.body) ?? String(message.body);
  } catch {
    body = String(message.body);
  }
  return {
    id: `malformed:${message.id}`,
    url: '',
    body,
    profile_id: '',
    event_type: '',
    created_at: message.timestamp.toISOString(),
  };
}

/**
 * Consumes a batch of FORWARD_QUEUE. Each message is acked or retried on its own; this function
 * does not throw for any one message's failure.
 */
export async function consumeForwardBatch(
  batch: MessageBatch<ForwardMessage>,
  env: Env,
  options: ForwardOptions = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // An unusable secret stops every delivery (nothing is sent unsigned); the messages wait with
  // the usual backoff, so once an operator sets the secret they go out, or are dead-lettered and
  // can be redriven.
  let key: CryptoKey | undefined;
  let keyProblem: string | undefined;
  try {
    key = await importSigningKey(env.FORWARD_SIGNING_SECRET);
  } catch (error) {
    keyProblem =
      error instanceof SigningSecretError ? error.message : `FORWARD_SIGNING_SECRET could not be used: ${error}`;
    log.error('forward_signing_secret_unusable', {
      problem: keyProblem,
      queue: batch.queue,
      messages: batch.messages.length,
      action: 'nothing sent; every message retried later',
    });
  }

  const failures: FailureRecord[] = [];
  await mapWithConcurrency(batch.messages, CONCURRENCY, async (queued) => {
    try {
      const message = parseForwardMessage(queued.body);
      const problem = message === undefined ? 'not a ForwardMessage' : forwardUrlProblem(message.url);
      if (message === undefined || problem !== undefined) {
        // It could never be delivered: dead-letter it now instead of retrying it for hours.
        const dead = message ?? malformedAsMessage(queued);
        const at = new Date(now()).toISOString();
        // The failure first: the dead letter takes its attempt and error from it.
        await recordFailures(env.DB, [
          {
            messageId: dead.id,
            attempt: queued.attempts,
            url: dead.url,
            profileId: dead.profile_id,
            eventType: dead.event_type,
            status: null,
            error: problem ?? 'not a ForwardMessage',
            responseExcerpt: null,
            retryDelaySeconds: null,
            at,
          },
        ]);
        await storeDeadLetter(env.DB, dead, at);
        log.error('forward_dead_lettered_at_once', { id: dead.id, queue_message_id: queued.id, problem });
        queued.ack();
        return;
      }

      const delaySeconds = retryDelaySeconds(queued.attempts);
      const fail = (outcome: { status: number | null; error: string; excerpt: string | null; ms?: number }) => {
        failures.push({
          messageId: message.id,
          attempt: queued.attempts,
          url: message.url,
          profileId: message.profile_id,
          eventType: message.event_type,
          status: outcome.status,
          error: outcome.error,
          responseExcerpt: outcome.excerpt,
          retryDelaySeconds: delaySeconds,
          at: new Date(now()).toISOString(),
        });
        retryLater(queued, delaySeconds);
      };

      if (key === undefined) {
        fail({ status: null, error: `not sent: ${keyProblem}`, excerpt: null });
        return;
      }
      const outcome = await post(message, key, timeoutMs, now());
      if (outcome.ok) {
        queued.ack();
        log.info('forward_delivered', {
          id: message.id,
          event_type: message.event_type,
          profile_id: message.profile_id,
          url: message.url,
          status: outcome.status,
          attempt: queued.attempts,
          ms: outcome.ms,
        });
        return;
      }
      fail(outcome);
      log.warn('forward_failed', {
        id: message.id,
        event_type: message.event_type,
        profile_id: message.profile_id,
        url: message.url,
        status: outcome.status,
        error: outcome.error,
        attempt: queued.attempts,
        retry_in_seconds: delaySeconds,
        ms: outcome.ms,
      });
    } catch (error) {
      // A bug or D1 failing for this message: try it again later, leave the others alone.
      log.error('forward_consumer_error', { queue_message_id: queued.id, error });
      retryLater(queued, retryDelaySeconds(queued.attempts));
    }
  });

  // The record of why is for the operator; failing to write it must not change what the queue does.
  try {
    await recordFailures(env.DB, failures);
  } catch (error) {
    log.error('forward_failures_not_recorded', { failures: failures.length, error });
  }
}

/**
 * Consumes the dead-letter queue: stores each message in forward_dead_letters (once per message
 * id), then acks it. When D1 fails the message is retried, so it is not lost.
 */
export async function consumeDeadLetters(
  batch: MessageBatch<ForwardMessage>,
  env: Env,
  options: Pick<ForwardOptions, 'now'> = {},
): Promise<void> {
  const now = options.now ?? Date.now;
  for (const queued of batch.messages) {
    try {
      const message = parseForwardMessage(queued.body) ?? malformedAsMessage(queued);
      const stored = await storeDeadLetter(env.DB, message, new Date(now()).toISOString());
      queued.ack();
      (stored ? log.error : log.info)('forward_dead_lettered', {
        id: message.id,
        event_type: message.event_type,
        profile_id: message.profile_id,
        url: message.url,
        duplicate: !stored,
        action:
          'kept in D1; list with GET /forwarding/dead-letters, redrive with POST /forwarding/dead-letters/{id}/redrive',
      });
    } catch (error) {
      log.error('forward_dead_letter_not_stored', { queue_message_id: queued.id, error });
      retryLater(queued, retryDelaySeconds(queued.attempts));
    }
  }
}
