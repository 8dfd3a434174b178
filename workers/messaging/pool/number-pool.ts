// The NumberPool Durable Object: one per messaging profile, holding the pool's live state (its
// numbers, their throughput and health, sticky senders, opt-outs, the outbox of queued and
// scheduled sends). Every send of the pool passes through it, one at a time, which is what makes
// "never past an opt-out", "never twice" and "never over a number's rate" hold.
//
// A send's life: checked (opt-out, sender, timing) → an outbox row → Telnyx, now or when its
// time or throughput slot comes (the alarm). The row is marked `sending` before the request
// leaves; a send whose outcome is unknown (5xx, timeout) is never resent. Telnyx's webhooks for
// the message name the row (`?edge_id=` in the webhook URL the pool gave Telnyx), so even an
// unknown send is settled when its message.sent arrives.

import { rowsInsertStatements, type RowsInsert } from '../../../shared/d1-rows';
import { readValue, writeValue } from '../../../shared/sql-kv';
import { DurableObject } from 'cloudflare:workers';
import { ApiError, TelnyxCode, type TelnyxErrorObject } from '../../../shared/errors';
import { keywordOf } from '../../../shared/keywords';
import { nextAllowedTime } from '../../../shared/local-time';
import { log, setLogLevel } from '../../../shared/log';
import { telnyxClientFromEnv, type TelnyxClient } from '../../../shared/telnyx/client';
import { TelnyxApiError } from '../../../shared/telnyx/errors';
import { ACCOUNT_MPS, defaultMps } from '../../../shared/telnyx/throughput';
import type { OutboundMessagePayload } from '../../../shared/telnyx/types';
import { recordMessages, recordOptOut, type MessageRecord } from '../records';
import {
  PoolIndex,
  STICKY_MS,
  chooseSender,
  isInvalidSourceCode,
  isSpamCode,
  isUnhealthy,
  type Health,
} from './choose';
import { helpReply, startConfirmation, stopConfirmation } from './replies';
import { findAccountPlace, forgetPastSeconds, takeAccountPlace } from './account-rate';
import { POOL_SCHEMA, type OutboxState } from './schema';
import { enqueueForward } from '../../../shared/forward';
import type { EventOutcome, InboxEvent, PoolContext, PoolEvent, PoolNumber, PoolResult, SendRequest } from './types';

/** How long an unknown send waits for its webhook before it is called failed. */
export const UNKNOWN_TIMEOUT_MS = 10 * 60_000;
const IDEMPOTENCY_MS = 24 * 3600_000;
const ALARM_BATCH = 50;
/** A send that cannot leave for want of configuration (TELNYX_API_KEY) is tried again this late. */
const MISCONFIGURED_RETRY_MS = 60_000;
const INBOX_BATCH = 100;
/** An event whose handling fails this many times is set aside (state 'failed') and logged. */
const INBOX_ATTEMPTS = 5;
/** A sent message with no final status this long after its last news is read back from Telnyx... */
const RECONCILE_AFTER_MS = 3600_000;
/** ...for three days after it was sent, at most this many a pool an hour (rate limits). */
const RECONCILE_WINDOW_MS = 3 * 86_400_000;
const RECONCILE_BATCH = 50;
/** Message records D1 refused are written again this much later. */
const RECORD_RETRY_MS = 60_000;
/** At most this many of them go again in one alarm run (a long D1 outage leaves many). */
const RECORD_RETRY_BATCH = 500;
/**
 * Events wait this long before the alarm acts on them, so that a burst is handled in one run (one
 * D1 write for its records, not one per event). Replies to STOP or HELP go out this much later.
 */
const INBOX_DELAY_MS = 200;
/** The inbox's history goes to D1 in batches of this many rows, or when its oldest is this old. */
const HISTORY_BATCH = 100;
const HISTORY_DELAY_MS = 5_000;
/** The pool's inbox history in D1 (webhook_events), as the webhooks of no pool are kept there too. */
const HISTORY_INSERT: RowsInsert = {
  table: 'webhook_events',
  columns: ['event_id', 'source', 'event_type', 'occurred_at', 'received_at', 'path', 'deliveries', 'body', 'state'],
  onConflict: 'ON CONFLICT (event_id) DO UPDATE SET deliveries = excluded.deliveries, state = excluded.state',
};
/** Events are kept this long after they are handled: a late duplicate still finds its id. */
const INBOX_KEEP_MS = 7 * 86_400_000;
/** Sent, failed and cancelled messages stay readable (GET /v2/messages/{id}) this long. */
const OUTBOX_KEEP_MS = 30 * 86_400_000;
const PRUNE_EVERY_MS = 10 * 60_000;
/** Statuses in the order they happen; a late event never moves a message backwards. */
const STATUS_RANK: Record<string, number> = {
  scheduled: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  delivery_unconfirmed: 4,
  delivery_failed: 4,
  sending_failed: 4,
  expired: 4,
};
/** The outbox columns #update may change (updated_at it always sets). */
const UPDATABLE_COLUMNS = [
  'state',
  'due_at',
  'reserved',
  'sender',
  'attempts',
  'telnyx_id',
  'status',
  'message',
  'errors',
] as const;
type UpdatableColumn = (typeof UPDATABLE_COLUMNS)[number];
/** The rank of a final status: nothing comes after it. */
const FINAL_RANK = 4;

interface InboxRow {
  event_id: string;
  event_type: string;
  occurred_at: string | null;
  path: string;
  edge_id: string | null;
  body: string;
  deliveries: number;
  state: 'pending' | 'done' | 'failed';
  attempts: number;
  received_at: number;
}

interface OutboxRow {
  id: string;
  kind: 'send' | 'reply';
  state: OutboxState;
  due_at: number;
  reserved: number;
  created_at: number;
  request: string;
  sender: string | null;
  chosen_by_pool: number;
  attempts: number;
  telnyx_id: string | null;
  status: string | null;
  message: string | null;
  errors: string | null;
}

type Message = Record<string, unknown>;

function failure(status: number, error: TelnyxErrorObject, headers?: Record<string, string>): PoolResult<never> {
  return { ok: false, status, errors: [error], ...(headers && { headers }) };
}

export class NumberPool extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  #index: PoolIndex | undefined;
  /** Sends under way to Telnyx, by outbox id: a repeat of their Idempotency-Key waits for them. */
  readonly #inFlight = new Map<string, Promise<PoolResult<Message>>>();

  constructor(state: DurableObjectState, env: Env) {
    super(state, env);
    setLogLevel(env.LOG_LEVEL);
    this.#sql = state.storage.sql;
    void state.blockConcurrencyWhile(async () => {
      this.#sql.exec(POOL_SCHEMA);
      // A request that was under way when the object stopped may have reached Telnyx: it is never
      // resent, and the alarm settles it (its webhook, or the timeout) even if nothing else comes.
      const interrupted = this.#sql.exec(
        "UPDATE outbox SET state = 'unknown', status = 'unknown', updated_at = ? WHERE state = 'sending'",
        Date.now(),
      ).rowsWritten;
      if (interrupted > 0) await this.#armAlarm();
    });
  }

  // --- Small storage helpers ------------------------------------------------------------------

  /** Rows as the given shape; the query's columns must match it. */
  #all<T>(query: string, ...bindings: unknown[]): T[] {
    return this.#sql.exec(query, ...bindings).toArray() as unknown as T[];
  }

  #first<T>(query: string, ...bindings: unknown[]): T | undefined {
    return this.#all<T>(query, ...bindings)[0];
  }

  #getValue<T>(key: string): T | undefined {
    return readValue<T>(this.#sql, key);
  }

  #setValue(key: string, value: unknown): void {
    writeValue(this.#sql, key, value);
  }

  /** The profile and edge URL of the latest call, kept for the alarm, which has no request. */
  #remember(context: PoolContext): PoolContext {
    const json = JSON.stringify(context);
    // Written only when it changed: most calls carry the same profile as the last one.
    if (json !== this.#contextJson) {
      this.#setValue('context', context);
      this.#contextJson = json;
    }
    return context;
  }

  #contextJson: string | undefined;

  #context(): PoolContext | undefined {
    return this.#getValue<PoolContext>('context');
  }

  #indexNow(): PoolIndex {
    if (this.#index === undefined) {
      const numbers = this.#all<PoolNumber>('SELECT phone_number, type, mps, country, area_code FROM numbers');
      const unhealthy = this.#all<Health & { phone_number: string }>('SELECT * FROM health')
        .filter((h) => isUnhealthy(h))
        .map((h) => h.phone_number);
      this.#index = new PoolIndex(numbers, unhealthy);
    }
    return this.#index;
  }

  // --- Numbers --------------------------------------------------------------------------------

  async addNumber(context: PoolContext, number: PoolNumber): Promise<PoolNumber> {
    this.#remember(context);
    this.#sql.exec(
      `INSERT INTO numbers (phone_number, type, mps, country, area_code, added_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (phone_number) DO UPDATE SET type = excluded.type, mps = excluded.mps`,
      number.phone_number,
      number.type,
      number.mps,
      number.country,
      number.area_code,
      new Date().toISOString(),
    );
    // Adding a number again is how an operator clears its health after fixing it.
    this.#sql.exec('DELETE FROM health WHERE phone_number = ?', number.phone_number);
    this.#index = undefined;
    return number;
  }

  async removeNumber(phoneNumber: string): Promise<boolean> {
    const removed = this.#sql.exec('DELETE FROM numbers WHERE phone_number = ?', phoneNumber).rowsWritten > 0;
    this.#sql.exec('DELETE FROM sticky WHERE sender = ?', phoneNumber);
    this.#index = undefined;
    return removed;
  }

  async listNumbers(): Promise<Array<PoolNumber & { added_at: string; health: Health & { healthy: boolean } }>> {
    const health = new Map(
      this.#all<Health & { phone_number: string }>('SELECT * FROM health').map((h) => [h.phone_number, h]),
    );
    return this.#all<PoolNumber & { added_at: string }>('SELECT * FROM numbers ORDER BY phone_number').map((n) => {
      const h = health.get(n.phone_number) ?? {
        finalized: 0,
        delivered: 0,
        spam: 0,
        invalid_source: 0,
        phone_number: n.phone_number,
      };
      return {
        ...n,
        health: {
          finalized: h.finalized,
          delivered: h.delivered,
          spam: h.spam,
          invalid_source: h.invalid_source,
          healthy: !isUnhealthy(h),
        },
      };
    });
  }

  /** Everything the pool holds, for a deleted profile. */
  async clear(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.#sql.exec(POOL_SCHEMA);
    // What this instance remembers of the storage just wiped goes too: a send arriving before
    // the pool's record is gone must write its context again, or the alarm would have none.
    this.#index = undefined;
    this.#contextJson = undefined;
    this.#alarmAt = undefined;
  }

  // --- Opt-outs -------------------------------------------------------------------------------

  #optedOut(recipient: string): boolean {
    return this.#first('SELECT 1 AS x FROM opt_outs WHERE recipient = ?', recipient) !== undefined;
  }

  #optOut(
    context: PoolContext,
    recipient: string,
    sender: string | null,
    keyword: string | null,
    source: string,
  ): boolean {
    const changed =
      this.#sql.exec(
        'INSERT INTO opt_outs (recipient, sender, keyword, source, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
        recipient,
        sender,
        keyword,
        source,
        Date.now(),
      ).rowsWritten > 0;
    if (changed) {
      this.#sql.exec(
        'INSERT INTO opt_out_log (recipient, action, keyword, source, at) VALUES (?, ?, ?, ?, ?)',
        recipient,
        'opt_out',
        keyword,
        source,
        Date.now(),
      );
      this.ctx.waitUntil(
        recordOptOut(this.env.DB, {
          profile_id: context.profile.id,
          pool_number: sender,
          recipient,
          action: 'opt_out',
          keyword,
          source,
        }),
      );
    }
    return changed;
  }

  #optIn(
    context: PoolContext,
    recipient: string,
    keyword: string | null,
    source: string,
    note: string | null = null,
    poolNumber: string | null = null,
  ): boolean {
    const changed = this.#sql.exec('DELETE FROM opt_outs WHERE recipient = ?', recipient).rowsWritten > 0;
    if (changed) {
      const action = source === 'operator' ? 'cleared' : 'opt_in';
      this.#sql.exec(
        'INSERT INTO opt_out_log (recipient, action, keyword, source, note, at) VALUES (?, ?, ?, ?, ?, ?)',
        recipient,
        action,
        keyword,
        source,
        note,
        Date.now(),
      );
      this.ctx.waitUntil(
        recordOptOut(this.env.DB, {
          profile_id: context.profile.id,
          pool_number: poolNumber,
          recipient,
          action,
          keyword,
          source,
        }),
      );
    }
    return changed;
  }

  async listOptOuts(): Promise<
    Array<{ recipient: string; sender: string | null; keyword: string | null; source: string; at: number }>
  > {
    return this.#all('SELECT recipient, sender, keyword, source, at FROM opt_outs ORDER BY at');
  }

  /** An operator lifts an opt-out (recorded with who asked and why). */
  async clearOptOut(context: PoolContext, recipient: string, note: string | null): Promise<boolean> {
    this.#remember(context);
    return this.#optIn(context, recipient, null, 'operator', note);
  }

  // --- Sending --------------------------------------------------------------------------------

  async send(context: PoolContext, request: SendRequest): Promise<PoolResult<Message>> {
    try {
      const result = await this.#send(context, request);
      // The id the first answer to a key gave (the edge's, if the send waited; else Telnyx's):
      // a repeat names the message by it too, whatever the message has become since.
      if (request.idempotencyKey !== null && result.ok && typeof result.value.id === 'string') {
        this.#sql.exec(
          'INSERT INTO idempotent_answers (idempotency_key, answered_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
          request.idempotencyKey,
          result.value.id,
        );
      }
      return result;
    } finally {
      // Written after the answer, not before it.
      this.ctx.waitUntil(this.#flushRecords());
    }
  }

  async #send(context: PoolContext, request: SendRequest): Promise<PoolResult<Message>> {
    this.#remember(context);
    const now = Date.now();
    if (request.idempotencyKey !== null) {
      const earlier = this.#first<OutboxRow>(
        'SELECT * FROM outbox WHERE idempotency_key = ? AND created_at > ?',
        request.idempotencyKey,
        now - IDEMPOTENCY_MS,
      );
      if (earlier) {
        // Still on its way to Telnyx: wait for that answer, so both callers get the same message id.
        const pending = this.#inFlight.get(earlier.id);
        const result = pending ? await pending : this.#resultOf(earlier);
        const answered = this.#first<{ answered_id: string }>(
          'SELECT answered_id FROM idempotent_answers WHERE idempotency_key = ?',
          request.idempotencyKey,
        )?.answered_id;
        return result.ok && answered !== undefined && result.value.id !== answered
          ? { ok: true, value: { ...result.value, id: answered } }
          : result;
      }
      // An expired key may be reused.
      this.#sql.exec('UPDATE outbox SET idempotency_key = NULL WHERE idempotency_key = ?', request.idempotencyKey);
      this.#sql.exec('DELETE FROM idempotent_answers WHERE idempotency_key = ?', request.idempotencyKey);
    }
    // A deployment that cannot reach Telnyx says so now, rather than accepting sends it cannot make.
    const client = this.#client();
    if (client instanceof ApiError) return { ok: false, status: client.status, errors: client.errors };
    // Never past an opt-out, and never around one by way of another number of the pool.
    if (this.#optedOut(request.to)) return this.#blocked(request.to);

    const choice = this.#chooseSender(context, request);
    if (!choice.ok) return choice;
    const { sender, chosenByPool } = choice.value;

    let due = request.sendAt ?? now;
    const quiet = context.profile.edge.quiet_hours;
    if (quiet.enabled) due = nextAllowedTime(due, request.toTimeZone, { start: quiet.start, end: quiet.end });

    const row: OutboxRow = {
      id: crypto.randomUUID(),
      kind: 'send',
      state: 'scheduled',
      due_at: due,
      reserved: 0,
      created_at: now,
      request: JSON.stringify(request),
      sender,
      chosen_by_pool: chosenByPool ? 1 : 0,
      attempts: 0,
      telnyx_id: null,
      status: 'scheduled',
      message: null,
      errors: null,
    };
    if (due <= now) {
      const slot = this.#reserve(context, sender, request, now);
      if (!slot.ok) return slot;
      Object.assign(row, { state: 'queued', due_at: slot.value, reserved: 1, status: 'queued' });
    }
    this.#insert(row, request.idempotencyKey);
    if (chosenByPool && context.profile.number_pool_settings?.sticky_sender) this.#stick(request.to, sender, now);

    if (row.state === 'queued' && row.due_at <= now) return this.#deliver(context, row);
    this.#recordRow(context, row);
    await this.#armAlarm();
    return { ok: true, value: this.#messageOf(row) };
  }

  #blocked(recipient: string): PoolResult<never> {
    return failure(409, {
      code: '40300',
      title: 'Blocked due to STOP message',
      detail: `${recipient} has opted out of this messaging profile; messages to it are blocked until it sends START.`,
      source: { pointer: '/to' },
    });
  }
  /** A send whose recipient opted out while it waited: failed, as Telnyx's 40300 would fail it. */
  #failBlocked(context: PoolContext, row: OutboxRow, recipient: string): PoolResult<never> {
    const blocked = this.#blocked(recipient);
    this.#update(row, {
      state: 'failed',
      status: 'sending_failed',
      errors: JSON.stringify(blocked.ok ? [] : blocked.errors),
    });
    this.#recordRow(context, row);
    return blocked;
  }

  #chooseSender(context: PoolContext, request: SendRequest): PoolResult<{ sender: string; chosenByPool: boolean }> {
    const index = this.#indexNow();
    if (request.from !== null) {
      if (!index.numbers.has(request.from)) {
        return failure(400, {
          code: '40305',
          title: "Invalid 'from' address",
          detail: `${request.from} is not a number of messaging profile ${context.profile.id}.`,
          source: { pointer: '/from' },
        });
      }
      return { ok: true, value: { sender: request.from, chosenByPool: false } };
    }
    const pool = context.profile.number_pool_settings as {
      long_code_weight: number;
      toll_free_weight: number;
      skip_unhealthy: boolean;
      sticky_sender?: boolean;
      geomatch?: boolean;
    } | null;
    const sticky = this.#first<{ sender: string; last_at: number }>(
      'SELECT sender, last_at FROM sticky WHERE recipient = ?',
      request.to,
    );
    const stickySender = sticky !== undefined && Date.now() - sticky.last_at <= STICKY_MS ? sticky.sender : undefined;
    const base = {
      skipUnhealthy: pool?.skip_unhealthy ?? true,
      sticky: pool?.sticky_sender ?? false,
      geomatch: pool?.geomatch ?? false,
      geomatchCountry: context.profile.edge.geomatch_country,
    };
    const recipient = { areaCode: request.toAreaCode, country: request.toCountry };
    const choice = request.useShortCode
      ? (chooseSender(index, { ...base, weights: { 'short-code': 1 } }, recipient, undefined) ??
        (context.profile.edge.short_code_fallback
          ? chooseSender(index, { ...base, weights: { 'long-code': 1 } }, recipient, stickySender)
          : undefined))
      : chooseSender(
          index,
          { ...base, weights: { 'long-code': pool?.long_code_weight ?? 1, 'toll-free': pool?.toll_free_weight ?? 1 } },
          recipient,
          stickySender,
        );
    if (choice === undefined) {
      return failure(400, {
        code: '40305',
        title: "Invalid 'from' address",
        detail: request.useShortCode
          ? 'The pool has no short code to send from (set edge.short_code_fallback to fall back to a long code).'
          : 'The pool has no number that may send: add numbers, or give a number type a weight above 0.',
        source: { pointer: '/messaging_profile_id' },
      });
    }
    return { ok: true, value: { sender: choice.sender, chosenByPool: true } };
  }

  #stick(recipient: string, sender: string, now: number): void {
    this.#sql.exec(
      `INSERT INTO sticky (recipient, sender, last_at) VALUES (?, ?, ?)
       ON CONFLICT (recipient) DO UPDATE SET sender = excluded.sender, last_at = excluded.last_at`,
      recipient,
      sender,
      now,
    );
  }

  /**
   * The next free slot for a message's parts on its number and on the account lane, reserved; or
   * 40318 when that slot is beyond the queue horizon (nothing reserved then). While Telnyx's rate
   * limit has the pool paused, nothing leaves before the pause ends.
   */
  #reserve(context: PoolContext, sender: string, request: SendRequest, now: number): PoolResult<number> {
    const number = this.#indexNow().numbers.get(sender);
    const kind = request.type === 'MMS' ? 'mms' : 'sms';
    const numberMps =
      number?.mps ??
      context.profile.edge.mps[number?.type ?? 'long-code'] ??
      defaultMps(number?.type ?? 'long-code', request.toCallingCode);
    const accountMps =
      kind === 'mms'
        ? Number(this.env.ACCOUNT_MMS_MPS || ACCOUNT_MPS.mms)
        : Number(this.env.ACCOUNT_SMS_MPS || ACCOUNT_MPS.sms);
    const parts = request.type === 'MMS' ? 1 : request.parts;
    const lane = `number:${sender}`;
    // The number's turn first (its sends go strictly in order), then a place in the account's rate.
    let from = Math.max(now, this.#getValue<number>('paused_until') ?? 0);
    const next = this.#first<{ next_free_at: number }>('SELECT next_free_at FROM lanes WHERE lane = ?', lane);
    if (next) from = Math.max(from, next.next_free_at);
    const place = findAccountPlace(this.#sql, kind, from, accountMps);
    const at = place.at;
    const horizonMs = Number(this.env.QUEUE_HORIZON_SECONDS || 14_400) * 1000;
    if (at - now > horizonMs) {
      const retryAfter = Math.ceil((at - now - horizonMs) / 1000);
      return failure(
        429,
        {
          code: '40318',
          title: 'Message queue full',
          detail: `${sender}'s queue would hold this message ${Math.round((at - now) / 1000)} s, beyond the ${horizonMs / 1000} s limit. Send later or add numbers.`,
        },
        { 'retry-after': String(Math.max(1, retryAfter)) },
      );
    }
    takeAccountPlace(this.#sql, kind, place, parts, accountMps);
    this.#sql.exec(
      'INSERT INTO lanes (lane, next_free_at) VALUES (?, ?) ON CONFLICT (lane) DO UPDATE SET next_free_at = excluded.next_free_at',
      lane,
      at + (parts / numberMps) * 1000,
    );
    return { ok: true, value: at };
  }

  #insert(row: OutboxRow, idempotencyKey: string | null): void {
    const seq = (this.#getValue<number>('seq') ?? 0) + 1;
    this.#setValue('seq', seq);
    this.#sql.exec(
      `INSERT INTO outbox (id, seq, kind, state, due_at, reserved, created_at, updated_at, request, sender, chosen_by_pool,
         attempts, telnyx_id, status, message, errors, idempotency_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      row.id,
      seq,
      row.kind,
      row.state,
      row.due_at,
      row.reserved,
      row.created_at,
      Date.now(),
      row.request,
      row.sender,
      row.chosen_by_pool,
      row.attempts,
      row.telnyx_id,
      row.status,
      row.message,
      row.errors,
      idempotencyKey,
    );
  }

  /**
   * Applies `changes` to the row and writes just those columns: a copy of the row read earlier
   * (before an await) cannot put back what has changed meanwhile in the columns it does not touch.
   */
  #update(row: OutboxRow, changes: Partial<Pick<OutboxRow, UpdatableColumn>>): void {
    Object.assign(row, changes);
    const columns = (Object.keys(changes) as UpdatableColumn[]).filter((c) => UPDATABLE_COLUMNS.includes(c));
    this.#sql.exec(
      `UPDATE outbox SET ${columns.map((c) => `${c} = ?, `).join('')}updated_at = ? WHERE id = ?`,
      ...columns.map((c) => row[c]),
      Date.now(),
      row.id,
    );
  }

  /** Sends one outbox row to Telnyx now, remembering the attempt while it is in flight. */
  #deliver(context: PoolContext, row: OutboxRow): Promise<PoolResult<Message>> {
    const attempt = this.#deliverNow(context, row).finally(() => {
      if (this.#inFlight.get(row.id) === attempt) this.#inFlight.delete(row.id);
    });
    this.#inFlight.set(row.id, attempt);
    return attempt;
  }

  /**
   * The row is `sending` before the request leaves. Webhooks for it may be acted on while the
   * request is under way (the object takes other work while it waits), so whatever Telnyx answers
   * is checked against what the row knows by then: a settled row is never set back.
   */
  async #deliverNow(context: PoolContext, given: OutboxRow): Promise<PoolResult<Message>> {
    // The row as it is now, not as the caller read it: the alarm reads its batch once and then
    // waits on Telnyx for each row, and a cancel, the pool's deletion, a STOP or Telnyx's 429 may
    // come in between. (No await separates this check from the row turning `sending` below.)
    const row = this.#first<OutboxRow>('SELECT * FROM outbox WHERE id = ?', given.id);
    if (row === undefined || row.state !== 'queued') return { ok: true, value: this.#messageOf(row ?? given) };
    const request = JSON.parse(row.request) as SendRequest;
    if (row.kind === 'send' && this.#optedOut(request.to)) return this.#failBlocked(context, row, request.to);
    const pausedUntil = this.#getValue<number>('paused_until') ?? 0;
    if (pausedUntil > Date.now()) {
      this.#update(row, { due_at: pausedUntil, reserved: 0 });
      this.#recordRow(context, row);
      await this.#armAlarm();
      return { ok: true, value: this.#messageOf(row) };
    }
    const client = this.#client();
    if (client instanceof ApiError) {
      // Nothing left: the row waits for the configuration to be fixed, and is not lost.
      log.error('send_waits_for_configuration', { id: row.id, problem: client.message });
      this.#update(row, {
        state: 'queued',
        status: 'queued',
        due_at: Date.now() + MISCONFIGURED_RETRY_MS,
        reserved: 0,
      });
      await this.#armAlarm();
      return { ok: true, value: this.#messageOf(row) };
    }
    this.#update(row, { state: 'sending', status: 'sending', attempts: row.attempts + 1 });
    const hook = (path: string) => `${context.webhookBase}${path}?edge_id=${row.id}`;
    let body: { data?: unknown };
    try {
      ({ body } = await client.sendMessage({
        from: row.sender!,
        to: request.to,
        ...(request.text !== '' && { text: request.text }),
        ...(request.mediaUrls.length > 0 && { media_urls: request.mediaUrls }),
        ...(request.subject !== null && { subject: request.subject }),
        type: request.type,
        webhook_url: hook('/webhooks/messaging'),
        webhook_failover_url: hook('/webhooks/messaging/failover'),
        use_profile_webhooks: false,
      }));
    } catch (error) {
      const settled = this.#settledMeanwhile(row);
      if (settled) {
        // Its webhooks already said it went out: Telnyx's late failure answer changes nothing.
        log.warn('send_answer_after_webhook', { id: row.id, error });
        return { ok: true, value: this.#messageOf(settled) };
      }
      if (error instanceof TelnyxApiError) return this.#afterRefusal(context, row, request, error);
      // Not Telnyx's answer but a fault here, after the request may have left: never resent.
      this.#update(row, { state: 'unknown', status: 'unknown' });
      this.#recordRow(context, row);
      await this.#armAlarm();
      throw error;
    }
    const message = body.data as Message | undefined;
    if (message) {
      // Telnyx names its own profile; the business's clients know the pool by the edge's id.
      message.messaging_profile_id = context.profile.id;
      // The edge encoded the text before Telnyx saw it, so Telnyx cannot know it did.
      if (request.smartEncodingApplied) message.smart_encoding_applied = true;
    }
    const telnyxId = (message?.id as string | undefined) ?? null;
    const settled = this.#settledMeanwhile(row);
    if (settled) {
      if (settled.telnyx_id === null && telnyxId !== null) this.#update(settled, { telnyx_id: telnyxId });
      return { ok: true, value: message ?? this.#messageOf(settled) };
    }
    this.#update(row, {
      state: 'sent',
      status: (message?.to as Array<{ status?: string }> | undefined)?.[0]?.status ?? 'queued',
      telnyx_id: telnyxId,
      message: message ? JSON.stringify(message) : null,
    });
    this.#recordRow(context, row);
    return { ok: true, value: message ?? this.#messageOf(row) };
  }

  /** The row as stored, when something (its webhooks) moved it on from `sending` meanwhile. */
  #settledMeanwhile(row: OutboxRow): OutboxRow | undefined {
    const stored = this.#first<OutboxRow>('SELECT * FROM outbox WHERE id = ?', row.id);
    if (stored === undefined || stored.state === 'sending') return undefined;
    Object.assign(row, stored);
    return row;
  }

  /** Telnyx's client, or the configuration problem (a missing or bad secret) that prevents one. */
  #client(): TelnyxClient | ApiError {
    try {
      return telnyxClientFromEnv(this.env);
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
  }

  async #afterRefusal(
    context: PoolContext,
    row: OutboxRow,
    request: SendRequest,
    error: TelnyxApiError,
  ): Promise<PoolResult<Message>> {
    if (error.outcome === 'unknown') {
      // It may have gone out. Never resend: its webhook (or the timeout) settles it.
      this.#update(row, { state: 'unknown', status: 'unknown' });
      this.#recordRow(context, row);
      log.warn('send_outcome_unknown', { id: row.id, failure: error.failure, status: error.status });
      await this.#armAlarm();
      return failure(502, {
        code: '10007',
        title: 'Outcome unknown',
        detail:
          'Telnyx did not confirm this send (it may have gone out). The edge will not resend it; ' +
          `follow it with GET /v2/messages/${row.id}. Send with an Idempotency-Key to retry safely.`,
        meta: { edge_id: row.id },
      });
    }
    if (error.status === 429) {
      // Telnyx's rate limit is the account's: the whole pool waits, no stampede onto other numbers.
      const until = Date.now() + Math.max(1000, error.retryAfterMs ?? 1000);
      this.#setValue('paused_until', until);
      this.#update(row, { state: 'queued', status: 'queued', due_at: until, reserved: 0 });
      this.#recordRow(context, row);
      await this.#armAlarm();
      return { ok: true, value: this.#messageOf(row) };
    }
    if (error.code === '40300') {
      this.#optOut(context, request.to, row.sender, null, 'telnyx');
    }
    if (isInvalidSourceCode(error.code) && row.sender) {
      this.#markInvalidSource(row.sender);
      // Nothing was sent, so another number of the pool may try (once).
      if (row.chosen_by_pool && row.attempts < 2) {
        const choice = this.#chooseSender(context, request);
        if (choice.ok && choice.value.sender !== row.sender) {
          // The other number's own rate holds for the retry too.
          const slot = this.#reserve(context, choice.value.sender, request, Date.now());
          if (slot.ok) {
            this.#update(row, {
              sender: choice.value.sender,
              state: 'queued',
              status: 'queued',
              due_at: slot.value,
              reserved: 1,
            });
            if (slot.value <= Date.now()) return this.#deliver(context, row);
            this.#recordRow(context, row);
            await this.#armAlarm();
            return { ok: true, value: this.#messageOf(row) };
          }
        }
      }
    }
    this.#update(row, { state: 'failed', status: 'sending_failed', errors: JSON.stringify(error.errors) });
    this.#recordRow(context, row);
    return { ok: false, status: error.status ?? 502, errors: error.errors };
  }

  #markInvalidSource(sender: string): void {
    this.#sql.exec(
      `INSERT INTO health (phone_number, invalid_source) VALUES (?, 1)
       ON CONFLICT (phone_number) DO UPDATE SET invalid_source = invalid_source + 1`,
      sender,
    );
    this.#sql.exec('DELETE FROM sticky WHERE sender = ?', sender);
    this.#index?.unhealthy.add(sender);
  }

  /** The answer an earlier send with the same Idempotency-Key got. */
  #resultOf(row: OutboxRow): PoolResult<Message> {
    if (row.state === 'failed' && row.errors) {
      const errors = JSON.parse(row.errors) as TelnyxErrorObject[];
      return { ok: false, status: errors[0]?.code === '40300' ? 409 : 400, errors };
    }
    return { ok: true, value: row.message ? (JSON.parse(row.message) as Message) : this.#messageOf(row) };
  }

  /** A message the edge holds (queued, scheduled, unknown, failed), in Telnyx's message shape. */
  #messageOf(row: OutboxRow): Message {
    if (row.message) return JSON.parse(row.message) as Message;
    const request = JSON.parse(row.request) as SendRequest;
    const context = this.#context();
    return {
      record_type: 'message',
      direction: 'outbound',
      id: row.id,
      type: request.type,
      messaging_profile_id: context?.profile.id ?? null,
      from: { phone_number: row.sender, carrier: '', line_type: '' },
      to: [{ phone_number: request.to, status: row.status ?? row.state, carrier: '', line_type: '' }],
      text: request.text,
      subject: request.subject,
      media: request.mediaUrls.map((url) => ({ url, content_type: null, sha256: null, size: null })),
      encoding: request.encoding,
      parts: request.parts,
      smart_encoding_applied: request.smartEncodingApplied,
      webhook_url: request.webhookUrl,
      webhook_failover_url: null,
      errors: row.errors ? JSON.parse(row.errors) : [],
      cost: null,
      received_at: new Date(row.created_at).toISOString(),
      sent_at: null,
      completed_at: null,
      send_at: row.state === 'scheduled' ? new Date(row.due_at).toISOString() : null,
      tags: [],
    };
  }

  async getMessage(id: string): Promise<Message | undefined> {
    const row = this.#first<OutboxRow>('SELECT * FROM outbox WHERE id = ? OR telnyx_id = ?', id, id);
    if (row !== undefined) return this.#messageOf(row);
    const inbound = this.#first<{ message: string }>('SELECT message FROM inbound_messages WHERE id = ?', id);
    return inbound === undefined ? undefined : (JSON.parse(inbound.message) as Message);
  }

  /** Cancels a send that has not left: scheduled, or queued for throughput. */
  async cancelMessage(id: string): Promise<PoolResult<Message>> {
    const row = this.#first<OutboxRow>('SELECT * FROM outbox WHERE id = ? OR telnyx_id = ?', id, id);
    if (row === undefined) {
      return failure(404, {
        code: TelnyxCode.notFound,
        title: 'Not found',
        detail: `No message ${id} is held by this pool.`,
      });
    }
    if (row.state !== 'scheduled' && row.state !== 'queued') {
      return failure(409, {
        code: '10015',
        title: 'Message can not be cancelled',
        detail: `Message ${id} is ${row.status ?? row.state}; only scheduled or queued messages, which have not left, can be cancelled.`,
      });
    }
    // A queued row holds a throughput slot; giving it back would let the next send jump ahead of
    // rows already promised later slots, so the slot simply goes unused.
    this.#update(row, { state: 'cancelled', status: 'cancelled' });
    const context = this.#context();
    if (context) this.#recordRow(context, row);
    this.ctx.waitUntil(this.#flushRecords());
    return { ok: true, value: this.#messageOf(row) };
  }

  #recordRow(context: PoolContext, row: OutboxRow): void {
    const request = JSON.parse(row.request) as SendRequest;
    const message = row.message ? (JSON.parse(row.message) as OutboundMessagePayload) : undefined;
    const final = message?.completed_at ? message : undefined;
    const firstError: { code?: string; title?: string } | undefined =
      (message?.errors?.[0] as { code?: string; title?: string } | undefined) ??
      (row.errors ? (JSON.parse(row.errors) as TelnyxErrorObject[])[0] : undefined);
    this.#queueRecord({
      id: row.id,
      telnyx_id: row.telnyx_id,
      profile_id: context.profile.id,
      direction: 'outbound',
      kind: row.kind,
      pool_number: row.sender,
      other: request.to,
      other_country: request.toCountry,
      type: request.type,
      parts: request.parts,
      encoding: request.encoding,
      state: row.state,
      status: row.status,
      error_code: firstError?.code ?? null,
      error_title: firstError?.title ?? null,
      cost: message?.cost?.amount ?? null,
      cost_currency: message?.cost?.currency ?? null,
      // A scheduled or queued send counts on the day it is due to leave, not the day it was asked
      // for: a report built before it leaves must not lose it for good.
      created_at: Math.max(row.created_at, row.due_at),
      sent_at: message?.sent_at ?? null,
      finalized_at: final?.completed_at ?? null,
    });
  }

  /**
   * Message records wait here and are written to D1 together: at the end of an alarm run, or after
   * a send's answer. A row per event, written one by one, cost more than the event itself.
   */
  #pendingRecords = new Map<string, MessageRecord>();

  #queueRecord(record: MessageRecord): void {
    this.#pendingRecords.set(record.id, record);
  }

  /** The flush under way: flushes run one after another, so an older record never lands last. */
  #flushing: Promise<void> = Promise.resolve();

  /**
   * Writes the waiting records to D1. `retry` (the alarm) also takes those D1 refused before, the
   * oldest first and a bounded number, unless a newer record of the same message replaces them.
   */
  #flushRecords(options: { retry?: boolean } = {}): Promise<void> {
    const run = this.#flushing.then(() => this.#flushRecordsNow(options.retry === true));
    this.#flushing = run.catch(() => undefined);
    return run;
  }

  async #flushRecordsNow(retry: boolean): Promise<void> {
    const refused = retry
      ? this.#all<{ id: string; record: string }>(
          'SELECT id, record FROM unrecorded ORDER BY failed_at LIMIT ?',
          RECORD_RETRY_BATCH,
        )
      : [];
    const records = new Map(refused.map((r) => [r.id, JSON.parse(r.record) as MessageRecord]));
    for (const record of this.#pendingRecords.values()) records.set(record.id, record);
    this.#pendingRecords.clear();
    if (records.size === 0) return;
    if (await recordMessages(this.env.DB, [...records.values()])) {
      // Only the versions just written: a newer one refused meanwhile stays.
      for (const r of refused) this.#sql.exec('DELETE FROM unrecorded WHERE id = ? AND record = ?', r.id, r.record);
      return;
    }
    // D1 refused them: kept in the pool's storage, so neither a retry nor an eviction loses a
    // final status from the reports, and written by the alarm a minute later. (Flushes run one at
    // a time, so what is kept here is the newest record of its message the pool has written.)
    const now = Date.now();
    for (const record of records.values()) {
      this.#sql.exec(
        `INSERT INTO unrecorded (id, record, failed_at) VALUES (?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET record = excluded.record, failed_at = excluded.failed_at`,
        record.id,
        JSON.stringify(record),
        now,
      );
    }
    await this.#armAlarm();
  }

  // --- Replies (HELP, STOP and START answers) ---------------------------------------------------

  async #reply(context: PoolContext, from: string, to: string, text: string): Promise<void> {
    const callingCode = to.startsWith('+1') ? '1' : '';
    const request: SendRequest = {
      to,
      toCallingCode: callingCode,
      toCountry: null,
      toAreaCode: null,
      toTimeZone: 'UTC',
      from,
      type: 'SMS',
      text,
      subject: null,
      mediaUrls: [],
      parts: 1,
      encoding: 'GSM-7',
      smartEncodingApplied: false,
      sendAt: null,
      useShortCode: false,
      webhookUrl: null,
      idempotencyKey: null,
    };
    const now = Date.now();
    const row: OutboxRow = {
      id: crypto.randomUUID(),
      kind: 'reply',
      state: 'queued',
      due_at: now,
      reserved: 0,
      created_at: now,
      request: JSON.stringify(request),
      sender: from,
      chosen_by_pool: 0,
      attempts: 0,
      telnyx_id: null,
      status: 'queued',
      message: null,
      errors: null,
    };
    const slot = this.#reserve(context, from, request, now);
    // A number whose queue already reaches past the 4-hour horizon still answers at once: a STOP
    // or HELP reply hours late is worth less than one message over the number's rate.
    if (slot.ok) Object.assign(row, { due_at: slot.value, reserved: 1 });
    this.#insert(row, null);
    if (row.due_at <= now) await this.#deliver(context, row);
    else await this.#armAlarm();
  }

  // --- Telnyx's webhooks ----------------------------------------------------------------------

  /**
   * Takes verified events into the inbox and returns, for each, whether Telnyx had delivered it
   * before. Once this returns, the events are in durable storage: their webhooks can be
   * acknowledged. The pool acts on them in its alarm, which runs right after. Several at once:
   * webhooks that arrive while one call is under way come together in the next (events.ts).
   */
  async receiveEvents(context: PoolContext, events: InboxEvent[]): Promise<Array<{ duplicate: boolean }>> {
    this.#remember(context);
    const now = Date.now();
    const results = events.map((event) => ({ duplicate: !this.#storeInboxEvent(event, now) }));
    // An alarm already due soon enough will take these events too; only otherwise arm one.
    const fresh = results.some((r) => !r.duplicate);
    if (fresh && !(this.#alarmAt !== undefined && this.#alarmAt <= now + INBOX_DELAY_MS)) await this.#armAlarm();
    return results;
  }

  /** Acts on one event of the inbox. */
  async #handle(context: PoolContext, event: PoolEvent): Promise<EventOutcome> {
    const forwardDefault = context.profile.edge.forward_url;
    switch (event.eventType) {
      case 'message.received':
        return { actions: await this.#received(context, event.payload), forwardUrl: forwardDefault };
      case 'message.sent':
      case 'message.finalized':
        return this.#receipt(context, event);
      default:
        log.info('messaging_event_ignored', { event_type: event.eventType, event_id: event.id });
        return { actions: ['ignored'], forwardUrl: forwardDefault };
    }
  }

  /** Acts on pending inbox events in the order they came, forwarding each when it should be. */
  async #drainInbox(context: PoolContext): Promise<void> {
    const pending = this.#all<InboxRow>(
      "SELECT * FROM inbox WHERE state = 'pending' ORDER BY received_at, rowid LIMIT ?",
      INBOX_BATCH,
    );
    for (const row of pending) {
      try {
        const envelope = JSON.parse(row.body) as { data?: { payload?: Record<string, unknown> } };
        const event: PoolEvent = {
          id: row.event_id,
          eventType: row.event_type,
          occurredAt: row.occurred_at ?? undefined,
          payload: envelope.data?.payload ?? {},
          edgeId: row.edge_id,
        };
        // Acted on already, only its forward failed: a second go must not act again (a second
        // HELP reply, or a START undoing the STOP that came after it). Only the forward is retried.
        // (Only an event tried before can have been.)
        const acted =
          row.attempts === 0
            ? undefined
            : this.#first<{ forward_url: string | null }>(
                'SELECT forward_url FROM inbox_acted WHERE event_id = ?',
                row.event_id,
              );
        let forwardUrl = acted?.forward_url ?? null;
        if (acted === undefined) {
          const outcome = await this.#handle(context, event);
          forwardUrl = outcome.forwardUrl;
          const actions = JSON.stringify(outcome.actions);
          if (forwardUrl === null) {
            // Nothing left that could fail: done in the same turn.
            this.#sql.exec("UPDATE inbox SET state = 'done', actions = ? WHERE event_id = ?", actions, row.event_id);
            continue;
          }
          this.#sql.exec('UPDATE inbox SET actions = ? WHERE event_id = ?', actions, row.event_id);
          this.#sql.exec('INSERT INTO inbox_acted (event_id, forward_url) VALUES (?, ?)', row.event_id, forwardUrl);
        }
        if (forwardUrl !== null) {
          await enqueueForward(this.env, {
            id: row.event_id,
            url: forwardUrl,
            body: row.body,
            profile_id: context.profile.id,
            event_type: row.event_type,
            created_at: row.occurred_at ?? new Date(row.received_at).toISOString(),
          });
        }
        this.#sql.exec("UPDATE inbox SET state = 'done' WHERE event_id = ?", row.event_id);
        this.#sql.exec('DELETE FROM inbox_acted WHERE event_id = ?', row.event_id);
      } catch (error) {
        // Left pending for the next alarm, up to a limit: one bad event must not block the rest.
        const attempts = row.attempts + 1;
        this.#sql.exec(
          'UPDATE inbox SET attempts = ?, state = ? WHERE event_id = ?',
          attempts,
          attempts >= INBOX_ATTEMPTS ? 'failed' : 'pending',
          row.event_id,
        );
        log.error('messaging_event_failed', { event_id: row.event_id, event_type: row.event_type, attempts, error });
      }
    }
  }

  /** The inbox's history, written to D1 (webhook_events) in one batch, then pruned after a week. */
  async #recordInbox(context: PoolContext): Promise<void> {
    const rows = this.#all<InboxRow>(
      "SELECT * FROM inbox WHERE recorded = 0 AND state != 'pending' ORDER BY received_at, rowid LIMIT ?",
      HISTORY_BATCH,
    );
    // History waits for a full batch, or until its oldest row is HISTORY_DELAY_MS old.
    const due =
      rows.length >= HISTORY_BATCH || (rows[0] !== undefined && Date.now() - rows[0].received_at >= HISTORY_DELAY_MS);
    if (due) {
      try {
        await this.env.DB.batch(
          rowsInsertStatements(
            this.env.DB,
            HISTORY_INSERT,
            rows.map((r) => [
              r.event_id,
              'messaging',
              r.event_type,
              r.occurred_at,
              new Date(r.received_at).toISOString(),
              r.path,
              r.deliveries,
              r.body,
              r.state === 'done' ? 'processed' : 'failed',
            ]),
          ),
        );
        this.#sql.exec(
          'UPDATE inbox SET recorded = 1 WHERE event_id IN (SELECT value FROM json_each(?))',
          JSON.stringify(rows.map((r) => r.event_id)),
        );
      } catch (error) {
        log.error('webhook_history_failed', { profile_id: context.profile.id, error });
      }
    }
    this.#prune();
  }

  /** Forgets what is past keeping, at most every PRUNE_EVERY_MS (each run walks an index). */
  #prune(): void {
    const now = Date.now();
    if (this.#prunedAt !== undefined && now - this.#prunedAt < PRUNE_EVERY_MS) return;
    this.#prunedAt = now;
    this.#sql.exec('DELETE FROM inbox WHERE received_at < ? AND recorded = 1', now - INBOX_KEEP_MS);
    this.#sql.exec('DELETE FROM inbound_messages WHERE received_at < ?', now - INBOX_KEEP_MS);
    this.#sql.exec(
      'DELETE FROM idempotent_answers WHERE idempotency_key NOT IN (SELECT idempotency_key FROM outbox WHERE idempotency_key IS NOT NULL)',
    );
    // An event that failed for good (its forward never queued) leaves its mark here.
    this.#sql.exec(
      "DELETE FROM inbox_acted WHERE event_id NOT IN (SELECT event_id FROM inbox WHERE state = 'pending')",
    );
    // Messages that are settled or never left; the D1 records keep their history for reports.
    this.#sql.exec(
      "DELETE FROM outbox INDEXED BY outbox_created WHERE created_at < ? AND state IN ('sent', 'failed', 'cancelled')",
      now - OUTBOX_KEEP_MS,
    );
  }

  async #received(context: PoolContext, payload: Record<string, unknown>): Promise<string[]> {
    const person = (payload.from as { phone_number?: string } | undefined)?.phone_number;
    const ours = (payload.to as Array<{ phone_number?: string }> | undefined)?.[0]?.phone_number;
    if (!person || !ours) return ['ignored: no from or to'];
    if (typeof payload.id === 'string') {
      // Clients know the pool by the edge's profile id, as for outbound messages.
      const message = { ...payload, messaging_profile_id: context.profile.id };
      this.#sql.exec(
        'INSERT OR IGNORE INTO inbound_messages (id, message, received_at) VALUES (?, ?, ?)',
        payload.id,
        JSON.stringify(message),
        Date.now(),
      );
    }
    this.#queueRecord({
      id: String(payload.id ?? crypto.randomUUID()),
      telnyx_id: (payload.id as string | undefined) ?? null,
      profile_id: context.profile.id,
      direction: 'inbound',
      kind: 'inbound',
      pool_number: ours,
      other: person,
      other_country: null,
      type: (payload.type as string | undefined) ?? null,
      parts: (payload.parts as number | undefined) ?? null,
      encoding: (payload.encoding as string | undefined) ?? null,
      state: 'received',
      status: 'received',
      error_code: null,
      error_title: null,
      cost: null,
      cost_currency: null,
      created_at: Date.now(),
      sent_at: null,
      finalized_at: null,
    });
    const keyword = keywordOf(payload.text as string | undefined);
    const word = typeof payload.text === 'string' ? payload.text.trim().slice(0, 40) : null;
    if (keyword === 'stop') {
      // One confirmation per change: a second STOP changes nothing and gets no second message.
      if (!this.#optOut(context, person, ours, word, 'keyword')) return ['already opted out'];
      await this.#reply(context, ours, person, stopConfirmation(context.profile));
      return ['opted out', 'confirmation sent'];
    }
    if (keyword === 'start') {
      if (!this.#optIn(context, person, word, 'keyword', null, ours)) return ['not opted out'];
      await this.#reply(context, ours, person, startConfirmation(context.profile));
      return ['opted in', 'confirmation sent'];
    }
    if (keyword === 'help') {
      await this.#reply(context, ours, person, helpReply(context.profile));
      return ['help sent'];
    }
    return ['received'];
  }

  async #receipt(context: PoolContext, event: PoolEvent): Promise<EventOutcome> {
    const payload = event.payload;
    const telnyxId = payload.id as string | undefined;
    const row =
      (event.edgeId ? this.#first<OutboxRow>('SELECT * FROM outbox WHERE id = ?', event.edgeId) : undefined) ??
      (telnyxId ? this.#first<OutboxRow>('SELECT * FROM outbox WHERE telnyx_id = ?', telnyxId) : undefined);
    const sender = (payload.from as { phone_number?: string } | undefined)?.phone_number;
    const status = (payload.to as Array<{ status?: string }> | undefined)?.[0]?.status;
    const errorCode = (payload.errors as Array<{ code?: string }> | undefined)?.[0]?.code;
    const actions: string[] = [];

    // Once per message: a second final event from Telnyx for it (a read-back, then the late webhook
    // itself) says nothing new about the number. A final status the edge set itself (an unknown
    // send given up after 10 minutes: state failed) is no outcome of the number's, so Telnyx's
    // late word still counts.
    const alreadyFinal =
      row !== undefined && row.state === 'sent' && (STATUS_RANK[row.status ?? ''] ?? -1) >= FINAL_RANK;
    if (event.eventType === 'message.finalized' && sender && !alreadyFinal) {
      this.#countOutcome(sender, status, errorCode);
      actions.push('health');
    }
    if (row === undefined) {
      return { actions: [...actions, 'not a message of this pool'], forwardUrl: context.profile.edge.forward_url };
    }
    if (row.state === 'unknown') actions.push('reconciled');
    const current = STATUS_RANK[row.status ?? ''] ?? -1;
    const incoming = STATUS_RANK[status ?? ''] ?? -1;
    if (incoming >= current || row.state === 'unknown') {
      this.#update(row, {
        state: 'sent',
        status: status ?? row.status,
        telnyx_id: telnyxId ?? row.telnyx_id,
        message: JSON.stringify({ ...payload, messaging_profile_id: context.profile.id }),
      });
      actions.push(`status:${status}`);
    } else {
      // An event older than what the row already knows (Telnyx may deliver out of order).
      actions.push('stale event');
    }
    this.#recordRow(context, row);
    const request = JSON.parse(row.request) as SendRequest;
    return { actions, forwardUrl: request.webhookUrl ?? context.profile.edge.forward_url };
  }

  #countOutcome(sender: string, status: string | undefined, errorCode: string | undefined): void {
    if (!this.#indexNow().numbers.has(sender)) return;
    this.#sql.exec(
      `INSERT INTO health (phone_number, finalized, delivered, spam, invalid_source) VALUES (?, 1, ?, ?, ?)
       ON CONFLICT (phone_number) DO UPDATE SET finalized = finalized + 1, delivered = delivered + excluded.delivered,
         spam = spam + excluded.spam, invalid_source = invalid_source + excluded.invalid_source`,
      sender,
      status === 'delivered' ? 1 : 0,
      isSpamCode(errorCode) ? 1 : 0,
      isInvalidSourceCode(errorCode) ? 1 : 0,
    );
    const health = this.#first<Health & { phone_number: string }>(
      'SELECT * FROM health WHERE phone_number = ?',
      sender,
    );
    if (isUnhealthy(health)) {
      // A sticky sender is dropped when its number turns unhealthy.
      if (!this.#index?.unhealthy.has(sender)) this.#sql.exec('DELETE FROM sticky WHERE sender = ?', sender);
      this.#index?.unhealthy.add(sender);
    }
  }

  // --- Hourly housekeeping (the messaging worker's cron) ----------------------------------------

  /**
   * Forgets sticky senders past their 8 days (choice already ignores them; this keeps the table
   * from growing for ever), and reads back from Telnyx the messages it accepted whose final status
   * never arrived: a lost message.finalized would otherwise leave them "sent" in the reports.
   */
  async housekeep(
    now = Date.now(),
    options: { readBack?: boolean } = {},
  ): Promise<{ sticky_expired: number; checked: number; settled: number }> {
    const stickyExpired = this.#sql.exec('DELETE FROM sticky WHERE last_at < ?', now - STICKY_MS).rowsWritten;
    const context = this.#context();
    const client = this.#client();
    if (context === undefined || client instanceof ApiError || options.readBack === false) {
      return { sticky_expired: stickyExpired, checked: 0, settled: 0 };
    }
    const stale = this.#all<OutboxRow>(
      `SELECT * FROM outbox WHERE state = 'sent' AND telnyx_id IS NOT NULL AND status IN ('queued', 'sending', 'sent')
         AND updated_at <= ? AND created_at >= ? ORDER BY updated_at LIMIT ?`,
      now - RECONCILE_AFTER_MS,
      now - RECONCILE_WINDOW_MS,
      RECONCILE_BATCH,
    );
    let settled = 0;
    for (const row of stale) {
      let payload: Record<string, unknown> | undefined;
      try {
        payload = (await client.retrieveMessage(row.telnyx_id!)).body.data as Record<string, unknown> | undefined;
      } catch (error) {
        // Any other failure (429, 5xx) ends this run so the pool does not press on a struggling API.
        if (!(error instanceof TelnyxApiError && error.status === 404)) {
          log.warn('reconcile_read_failed', { id: row.id, error });
          break;
        }
      }
      // Read again: a webhook may have settled the row while Telnyx was being asked.
      const current = this.#first<OutboxRow>('SELECT * FROM outbox WHERE id = ?', row.id);
      if (current === undefined) continue;
      const status = (payload?.to as Array<{ status?: string }> | undefined)?.[0]?.status;
      if (payload === undefined || (STATUS_RANK[status ?? ''] ?? -1) <= (STATUS_RANK[current.status ?? ''] ?? -1)) {
        // Nothing new (or Telnyx no longer has it, 404): to the back of the line, so the next run
        // asks about others first; this one is asked again in an hour, until the window closes.
        this.#sql.exec('UPDATE outbox SET updated_at = ? WHERE id = ?', Date.now(), row.id);
        continue;
      }
      if (this.#inboxReadBack(current, payload, status!)) settled++;
      // To the back of the line too: if its event could not be acted on, the others come first.
      this.#sql.exec('UPDATE outbox SET updated_at = ? WHERE id = ?', Date.now(), current.id);
    }
    if (settled > 0) await this.#armAlarm();
    return { sticky_expired: stickyExpired, checked: stale.length, settled };
  }

  /**
   * What a read-back learned, put in the inbox as the event whose webhook was lost: the alarm acts
   * on it like any other (status, number health, the record) and forwards it to the business, so
   * the business hears of the final status too. Its id names the message and the status, so the
   * same news read back twice is one event; its meta says it was read back, not delivered.
   * False when that event was already in the inbox.
   */
  #inboxReadBack(row: OutboxRow, payload: Record<string, unknown>, status: string): boolean {
    const final = (STATUS_RANK[status] ?? -1) >= FINAL_RANK;
    const id = `read-back:${row.telnyx_id}:${status}`;
    const occurredAt = (final ? payload.completed_at : payload.sent_at) ?? new Date().toISOString();
    const eventType = final ? 'message.finalized' : 'message.sent';
    const body = JSON.stringify({
      data: { record_type: 'event', id, event_type: eventType, occurred_at: occurredAt, payload },
      meta: { attempt: 0, delivered_to: null, read_back: true },
    });
    return this.#storeInboxEvent(
      { id, eventType, occurredAt: String(occurredAt), path: 'read-back', edgeId: row.id, body },
      Date.now(),
    );
  }

  /**
   * Puts an event in the inbox once per event id; true when it is new, false for a repeat (whose
   * deliveries are counted).
   */
  #storeInboxEvent(event: InboxEvent, receivedAt: number): boolean {
    const row = this.#first<{ deliveries: number }>(
      `INSERT INTO inbox (event_id, seq, event_type, occurred_at, path, edge_id, body, state, received_at)
       VALUES (?, 0, ?, ?, ?, ?, ?, 'pending', ?)
       ON CONFLICT (event_id) DO UPDATE SET deliveries = deliveries + 1
       RETURNING deliveries`,
      event.id,
      event.eventType,
      event.occurredAt ?? null,
      event.path,
      event.edgeId,
      event.body,
      receivedAt,
    );
    return (row?.deliveries ?? 1) === 1;
  }

  // --- The alarm: queued and scheduled sends, unknown sends that never settled ------------------

  async #armAlarm(): Promise<void> {
    const next = this.#first<{ at: number | null }>(
      `SELECT MIN(at) AS at FROM (
         SELECT MIN(received_at) + ? AS at FROM inbox WHERE state = 'pending'
         UNION ALL SELECT MIN(received_at) + ? AS at FROM inbox WHERE state != 'pending' AND recorded = 0
         UNION ALL SELECT MIN(due_at) AS at FROM outbox WHERE state IN ('scheduled', 'queued')
         UNION ALL SELECT MIN(updated_at) + ? AS at FROM outbox WHERE state = 'unknown'
         UNION ALL SELECT MIN(failed_at) + ? AS at FROM unrecorded)`,
      INBOX_DELAY_MS,
      HISTORY_DELAY_MS,
      UNKNOWN_TIMEOUT_MS,
      RECORD_RETRY_MS,
    )?.at;
    if (next === null || next === undefined) return;
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > next) {
      const at = Math.max(next, Date.now());
      await this.ctx.storage.setAlarm(at);
      this.#alarmAt = at;
    } else {
      this.#alarmAt = current;
    }
  }

  /** When the alarm is set for, as last seen here (saves reading it for every event). */
  #alarmAt: number | undefined;
  #prunedAt: number | undefined;

  override async alarm(): Promise<void> {
    this.#alarmAt = undefined;
    const context = this.#context();
    if (context === undefined) return;
    await this.#drainInbox(context);
    const now = Date.now();
    const due = this.#all<OutboxRow>(
      "SELECT * FROM outbox WHERE state IN ('scheduled', 'queued') AND due_at <= ? ORDER BY due_at, seq LIMIT ?",
      now,
      ALARM_BATCH,
    );
    for (const listed of due) {
      // Read again: each delivery below waits on Telnyx, and meanwhile a row further down the list
      // may have been cancelled or settled. Writing the listed copy back would undo that.
      const row = this.#first<OutboxRow>(
        "SELECT * FROM outbox WHERE id = ? AND state IN ('scheduled', 'queued') AND due_at <= ?",
        listed.id,
        now,
      );
      if (row === undefined) continue;
      const request = JSON.parse(row.request) as SendRequest;
      // Someone may have opted out while the message waited.
      if (row.kind === 'send' && this.#optedOut(request.to)) {
        this.#failBlocked(context, row, request.to);
        continue;
      }
      if (!row.reserved) {
        const slot = this.#reserve(context, row.sender!, request, Date.now());
        if (!slot.ok) {
          this.#update(row, { state: 'failed', status: 'sending_failed', errors: JSON.stringify(slot.errors) });
          this.#recordRow(context, row);
          continue;
        }
        this.#update(row, { state: 'queued', status: 'queued', due_at: slot.value, reserved: 1 });
        if (slot.value > Date.now()) continue;
      }
      await this.#deliver(context, row);
    }
    // Unknown sends whose webhook never came: Telnyx most likely never took them.
    for (const row of this.#all<OutboxRow>(
      "SELECT * FROM outbox WHERE state = 'unknown' AND updated_at <= ?",
      now - UNKNOWN_TIMEOUT_MS,
    )) {
      this.#update(row, {
        state: 'failed',
        status: 'sending_failed',
        errors: JSON.stringify([
          {
            code: '10007',
            title: 'Outcome unknown',
            detail: `Telnyx never confirmed this send within ${UNKNOWN_TIMEOUT_MS / 60_000} minutes; it was not resent.`,
          },
        ]),
      });
      this.#recordRow(context, row);
    }
    forgetPastSeconds(this.#sql, Date.now());
    await this.#recordInbox(context);
    await this.#flushRecords({ retry: true });
    await this.#armAlarm();
  }
}
