// Webhook events: created when something happens (a send, an inbound message), each with the
// time it is due. When it falls due (the Durable Object's alarm, or POST /sim/flush) the state
// change it carries is applied (a message becomes "sent", then "delivered"), and then it is
// delivered as Telnyx delivers: signed, to the primary URL up to N attempts, then to the
// failover URL, every attempt recorded. Faults set with POST /sim/faults bend this on purpose:
// drop, duplicate, delay or reorder.

import type { SimContext } from '../context';
import { signerFor } from './signer';

export interface EventData {
  record_type: 'event';
  id: string;
  event_type: string;
  occurred_at: string;
  payload: Record<string, unknown>;
}

interface EventRow extends Record<string, SqlStorageValue> {
  id: string;
  seq: number;
  event_type: string;
  message_id: string | null;
  data: string;
  urls: string;
  url_index: number;
  attempt: number;
  due_at: number;
  state: string;
  copies: number;
  applied: number;
}

export interface NewEvent {
  eventType: string;
  payload: Record<string, unknown>;
  /** Primary URL first, then the failover URL; empty when nothing should be delivered. */
  urls: string[];
  dueAt: number;
  /** When it happened, if not when it is due (call events: strictly increasing, see calls/events.ts). */
  occurredAt?: number;
  /** The message whose state this event moves forward (its payload becomes the message). */
  messageId?: string;
}

/** States: pending (waiting for due_at), held (a reorder fault), sending, delivered, failed, dropped, no_url. */
export function createEvent(ctx: SimContext, event: NewEvent): string {
  const id = crypto.randomUUID();
  const data: EventData = {
    record_type: 'event',
    id,
    event_type: event.eventType,
    occurred_at: ctx.iso(event.occurredAt ?? event.dueAt),
    payload: event.payload,
  };
  const fault = takeWebhookFault(ctx);
  let state = 'pending';
  let dueAt = event.dueAt;
  let copies = 1;
  if (fault?.kind === 'delay') dueAt += fault.delayMs;
  if (fault?.kind === 'duplicate') copies = 2;
  if (fault?.kind === 'drop') state = 'drop'; // applied when due, then not delivered
  if (fault?.kind === 'reorder') state = 'held';
  ctx.store.run(
    `INSERT INTO events (id, seq, event_type, message_id, data, urls, due_at, state, copies)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    ctx.store.next('event_seq'),
    event.eventType,
    event.messageId ?? null,
    JSON.stringify(data),
    JSON.stringify(event.urls),
    dueAt,
    state,
    copies,
  );
  if (fault?.kind === 'reorder' && fault.lastOfBatch) releaseHeld(ctx);
  return id;
}

interface WebhookFault {
  kind: 'drop' | 'duplicate' | 'delay' | 'reorder';
  delayMs: number;
  lastOfBatch: boolean;
}

function takeWebhookFault(ctx: SimContext): WebhookFault | undefined {
  const row = ctx.store.first<{ id: number; kind: string; remaining: number; params: string }>(
    "SELECT id, kind, remaining, params FROM faults WHERE target = 'webhooks' AND remaining > 0 ORDER BY id LIMIT 1",
  );
  if (row === undefined) return undefined;
  ctx.store.run('UPDATE faults SET remaining = remaining - 1 WHERE id = ?', row.id);
  const params = JSON.parse(row.params) as { delay_ms?: number };
  return {
    kind: row.kind as WebhookFault['kind'],
    delayMs: params.delay_ms ?? 0,
    lastOfBatch: row.remaining === 1,
  };
}

/** Releases events held by a reorder fault, newest first, so they arrive in reverse order. */
export function releaseHeld(ctx: SimContext): void {
  const held = ctx.store.all<{ id: string }>("SELECT id FROM events WHERE state = 'held' ORDER BY seq DESC");
  const base = ctx.now();
  held.forEach((row, i) => {
    ctx.store.run("UPDATE events SET state = 'pending', due_at = ? WHERE id = ?", base + i, row.id);
  });
}

/** The earliest time an event is due, for the alarm. */
export function nextDue(ctx: SimContext): number | undefined {
  const row = ctx.store.first<{ due: number | null }>(
    "SELECT MIN(due_at) AS due FROM events WHERE state IN ('pending', 'drop')",
  );
  return row?.due ?? undefined;
}

/**
 * The run in progress. The alarm and POST /sim/flush both process events, and while one awaits a
 * delivery the Durable Object lets the other in: side by side they would deliver out of order, and
 * a flush could return while the alarm still had an attempt (and its retries) to come. So runs
 * take turns. A reset bumps the generation, which ends a run after its current attempt.
 */
let running: Promise<unknown> = Promise.resolve();
let generation = 0;

/**
 * Processes due events in order (all pending ones when `everything`, as POST /sim/flush asks),
 * up to `limit`, after any run already in progress. Returns how many delivery attempts were made.
 */
export function processDueEvents(ctx: SimContext, options: { everything?: boolean; limit?: number } = {}) {
  const run = running.then(() => processInTurn(ctx, options));
  running = run.catch(() => undefined);
  return run;
}

/** Ends the run in progress after its current attempt, so nothing of it lands after a reset. */
export async function stopDeliveries(): Promise<void> {
  generation++;
  await running;
}

async function processInTurn(ctx: SimContext, options: { everything?: boolean; limit?: number }) {
  const limit = options.limit ?? 500;
  const started = generation;
  let attempts = 0;
  for (let i = 0; i < limit && generation === started; i++) {
    const row = ctx.store.first<EventRow>(
      `SELECT * FROM events WHERE state IN ('pending', 'drop') ${options.everything ? '' : 'AND due_at <= ?'}
       ORDER BY due_at, seq LIMIT 1`,
      ...(options.everything ? [] : [ctx.now()]),
    );
    if (row === undefined) break;
    applyStateChange(ctx, row);
    if (row.state === 'drop') {
      ctx.store.run("UPDATE events SET state = 'dropped' WHERE id = ?", row.id);
      record(ctx, row, { url: null, attempt: 0, outcome: 'dropped' });
      continue;
    }
    attempts++;
    await attemptDelivery(ctx, row);
  }
  return attempts;
}

/** The message a due event belongs to takes the state the event reports, delivered or not. */
function applyStateChange(ctx: SimContext, row: EventRow): void {
  if (row.applied) return;
  ctx.store.run('UPDATE events SET applied = 1 WHERE id = ?', row.id);
  if (row.message_id === null) return;
  const data = JSON.parse(row.data) as EventData;
  ctx.store.run('UPDATE messages SET body = ? WHERE id = ?', JSON.stringify(data.payload), row.message_id);
  if (row.event_type === 'message.finalized') countOutcome(ctx, data.payload);
}

/** Per-number delivery results, which Telnyx's skip_unhealthy judges numbers by. */
function countOutcome(ctx: SimContext, message: Record<string, unknown>): void {
  const from = (message.from as { phone_number?: string } | undefined)?.phone_number;
  const to = (message.to as Array<{ status?: string }> | undefined)?.[0];
  const errors = (message.errors as Array<{ code?: string }> | undefined) ?? [];
  if (!from || !to) return;
  const delivered = to.status === 'delivered' ? 1 : 0;
  const spam = errors.some((e) => ['40002', '40003', '40015'].includes(e.code ?? '')) ? 1 : 0;
  ctx.store.run(
    `INSERT INTO number_outcomes (phone_number, finalized, delivered, spam) VALUES (?, 1, ?, ?)
     ON CONFLICT (phone_number) DO UPDATE SET finalized = finalized + 1, delivered = delivered + excluded.delivered,
       spam = spam + excluded.spam`,
    from,
    delivered,
    spam,
  );
}

async function attemptDelivery(ctx: SimContext, row: EventRow): Promise<void> {
  const urls = JSON.parse(row.urls) as string[];
  const url = urls[row.url_index];
  if (url === undefined) {
    ctx.store.run("UPDATE events SET state = 'no_url' WHERE id = ?", row.id);
    record(ctx, row, { url: null, attempt: 0, outcome: 'no_url' });
    return;
  }
  // The signer first: if the key is unusable the event stays pending instead of stuck in 'sending'.
  const signer = await signerFor(ctx.env.SIM_SIGNING_KEY);
  // Marked before the request leaves, so an alarm and a flush never send the same attempt twice.
  ctx.store.run("UPDATE events SET state = 'sending' WHERE id = ?", row.id);
  const totalAttempts =
    (ctx.store.first<{ n: number }>(
      'SELECT COUNT(*) AS n FROM deliveries WHERE event_id = ? AND url IS NOT NULL',
      row.id,
    )?.n ?? 0) + 1;
  const data = JSON.parse(row.data) as EventData;
  const body = JSON.stringify({ data, meta: { attempt: totalAttempts, delivered_to: url } });
  const timestamp = String(Math.floor(Date.now() / 1000));
  const started = Date.now();
  let status: number | null = null;
  let error: string | null = null;
  let response: string | null = null;
  try {
    const answer = await fetch(url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'telnyx-webhooks (simulator)',
        'telnyx-timestamp': timestamp,
        'telnyx-signature-ed25519': await signer.sign(timestamp, body),
      },
      signal: AbortSignal.timeout(ctx.settings.webhook_timeout_ms),
    });
    status = answer.status;
    response = (await answer.text().catch(() => '')).slice(0, 500);
  } catch (e) {
    error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  const ok = status !== null && status >= 200 && status < 300;
  record(ctx, row, {
    url,
    attempt: row.attempt + 1,
    status,
    latencyMs: Date.now() - started,
    outcome: ok
      ? 'delivered'
      : status === null
        ? error?.startsWith('TimeoutError')
          ? 'timeout'
          : 'error'
        : 'rejected',
    error,
    response,
  });

  const settings = ctx.settings;
  if (ok) {
    // A duplicate fault sends the same event (same id) once more, at once.
    if (row.copies > 1) ctx.store.run("UPDATE events SET state = 'pending', copies = copies - 1 WHERE id = ?", row.id);
    else ctx.store.run("UPDATE events SET state = 'delivered' WHERE id = ?", row.id);
  } else if (row.attempt + 1 < settings.attempts_per_url) {
    ctx.store.run(
      "UPDATE events SET state = 'pending', attempt = attempt + 1, due_at = ? WHERE id = ?",
      ctx.now() + settings.retry_delay_ms,
      row.id,
    );
  } else if (row.url_index + 1 < urls.length) {
    ctx.store.run(
      "UPDATE events SET state = 'pending', attempt = 0, url_index = url_index + 1, due_at = ? WHERE id = ?",
      ctx.now(),
      row.id,
    );
  } else {
    ctx.store.run("UPDATE events SET state = 'failed' WHERE id = ?", row.id);
  }
}

interface DeliveryRecord {
  url: string | null;
  attempt: number;
  status?: number | null;
  latencyMs?: number;
  outcome: string;
  error?: string | null;
  response?: string | null;
}

function record(ctx: SimContext, row: EventRow, delivery: DeliveryRecord): void {
  ctx.store.run(
    `INSERT INTO deliveries (event_id, event_type, message_id, url, attempt, status, latency_ms, outcome, error, response, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    row.id,
    row.event_type,
    row.message_id,
    delivery.url,
    delivery.attempt,
    delivery.status ?? null,
    delivery.latencyMs ?? null,
    delivery.outcome,
    delivery.error ?? null,
    delivery.response ?? null,
    new Date().toISOString(),
  );
  ctx.store.trim('deliveries');
}
