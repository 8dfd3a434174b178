// CallSession: one Durable Object per Telnyx call_session_id, holding every leg of the call. It
// takes each verified call event into storage before the webhook is answered (once per event id),
// then, off the webhook's path, feeds the events to the engine (engine.ts) in the order they
// happened and carries out what the engine decides: Call Control commands with a command_id saved
// before they leave, deadlines as alarms, flow lookups, questions to the business, voicemail
// forwards, and the call's record in D1.
//
// Everything the engine decides is stored as tasks in the same turn as the state that led to it,
// so an eviction at any point loses nothing: the next event or the safety alarm resumes the tasks,
// and a command resent after a restart carries the same command_id, which Telnyx ignores if it has
// already seen it.

import { readValue, writeValue } from '../../../shared/sql-kv';
import { DurableObject } from 'cloudflare:workers';
import { enqueueForward } from '../../../shared/forward';
import { standardWebhookHeaders } from '../../../shared/forward/signing';
import { log, setLogLevel } from '../../../shared/log';
import { telnyxClientFromEnv } from '../../../shared/telnyx/client';
import { TelnyxApiError } from '../../../shared/telnyx/errors';
import type { CallAction } from '../../../shared/telnyx/types';
import { connectionRouting } from '../connections';
import { flowForNumber, getFlow, type Flow } from '../flows';
import { callRecord, writeCallRecord } from '../records';
import {
  newCall,
  react,
  type CallState,
  type CommandAction,
  type DeadlineName,
  type Effect,
  type Input,
} from './engine';
import { encodeClientState, inputOf } from './inputs';
import { SESSION_SCHEMA } from './schema';

/** A verified call event, as the webhook route hands it over. */
export interface CallEvent {
  id: string;
  /** Telnyx's call_session_id, which names this object. */
  sessionId: string;
  eventType: string;
  occurredAt: string | undefined;
  body: string;
  /** When the webhook reached the Worker (ms since the epoch): the start of the event's timeline. */
  arrivedAt: number;
  /** The call's connection (Call Control application), whose edge.forward_url gets the event. */
  connectionId?: string;
}

export interface TimelineEntry {
  at: string;
  kind: 'event' | 'command' | 'step' | 'note';
  /** JSON text: what came in, went out, or was decided (kept as text across the RPC boundary). */
  detail: string;
}

export interface CallView {
  state: CallState | null;
  timeline: TimelineEntry[];
}

/** If a pending event or task is left behind (the object was evicted), the alarm resumes it. */
const SAFETY_MS = 10_000;
/** A call whose end never arrives is cleared (and recorded as unfinished) this long after it began. */
const MAX_LIFETIME_MS = 48 * 3600_000;
/**
 * A D1 record or a voicemail forward that fails (D1 or the queue unavailable) is tried again this
 * much later, for as long as the object keeps the call. Tasks run in order, so a failing one cannot
 * stay pending without holding up the call; it is finished as failed and queued again instead.
 */
const RETRY_MS = 60_000;
const RETRIED: ReadonlySet<Task['type']> = new Set(['record', 'forward_recording', 'forward_event']);
/** Tasks beside the call (its D1 record, forwards): run after everything the call itself waits on. */
const SIDE_TASKS = "'record', 'forward_recording', 'forward_event'";
/**
 * A command Telnyx did not answer (after the client's own quick resends) is sent again this much
 * later, with the same command_id, up to COMMAND_ATTEMPTS times in all: about 10 s, well inside
 * Telnyx's 60 s command_id window. Only then does the flow give up on it.
 */
const COMMAND_RESEND_MS = 2_000;
/**
 * A flow lookup that failed (KV or D1 unavailable) is tried again this much later, up to
 * FLOW_LOOKUP_ATTEMPTS times in all; then the call goes on with no flow (refused if incoming), so
 * it reaches a decision rather than ringing until its deadline or, dialled out, waiting for ever.
 */
const FLOW_LOOKUP_RETRY_MS = 2_000;
const FLOW_LOOKUP_ATTEMPTS = 3;
/** What #command returns for a command kept pending to be sent again (its task is not finished). */
const HELD_FOR_RETRY = Symbol('held for retry');

/** Until when a task is held to be tried again (0: not held). */
function heldUntil(task: Task): number {
  return task.type === 'command' ? (task.not_before ?? 0) : 0;
}
const COMMAND_ATTEMPTS = 5;
/** How long a finished call's storage is kept for GET /calls/{id} before it is deleted. */
export const KEEP_AFTER_END_MS = 24 * 3_600_000;

type Task =
  | {
      type: 'command';
      leg: string;
      action: CommandAction;
      body: Record<string, unknown>;
      step: number;
      command_id: string;
      /** 1 for the first sending; a command Telnyx did not answer is sent again, up to COMMAND_ATTEMPTS. */
      attempt?: number;
      /** When it is to be sent again (ms): until then the call's own tasks wait behind it, in order. */
      not_before?: number;
    }
  | {
      type: 'resolve_flow';
      called: string | null;
      connection_id: string | null;
      flow_id: string | null;
      /** 1 for the first lookup; one that failed (KV or D1 unavailable) is tried again. */
      attempt?: number;
    }
  | { type: 'ask'; url: string; deadline_ms: number; context: Record<string, unknown>; step: number }
  | { type: 'forward_recording'; url: string; body: Record<string, unknown> }
  /** An event as Telnyx sent it, to the call's connection's forward_url if it has one. */
  | { type: 'forward_event'; event_id: string; connection_id: string; event_type: string; occurred_at: string | null }
  | { type: 'record' };

type EventRow = {
  event_id: string;
  event_type: string;
  occurred_at: string | null;
  received_at: number;
  body: string;
};

export class CallSession extends DurableObject<Env> {
  readonly #sql: SqlStorage;
  #state: CallState | null = null;
  #pumping: Promise<void> | undefined;
  #again = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    setLogLevel(env.LOG_LEVEL);
    this.#sql = ctx.storage.sql;
    void ctx.blockConcurrencyWhile(async () => {
      // The tables are made by the first event, not here: a GET for a call that never came (or
      // was cleaned up) must not leave storage behind.
      if (this.#hasTables()) {
        this.#sql.exec(SESSION_SCHEMA); // adds what a newer schema has
        const row = this.#sql.exec<{ state: string }>('SELECT state FROM call WHERE id = 1').toArray()[0];
        this.#state = row ? (JSON.parse(row.state) as CallState) : null;
      }
    });
  }

  #hasTables(): boolean {
    return this.#sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'call'").toArray().length > 0;
  }

  #ensureTables(): void {
    if (!this.#hasTables()) this.#sql.exec(SESSION_SCHEMA);
  }

  // --- Intake -----------------------------------------------------------------------------------

  /**
   * Stores a verified event (once per event id) and returns whether Telnyx had delivered it
   * before. Once this returns the event is durable and the webhook can be answered; the call acts
   * on it right after.
   */
  async receiveEvent(event: CallEvent): Promise<{ duplicate: boolean }> {
    this.#ensureTables();
    if (this.#getValue<string>('session_id') === undefined) {
      this.#setValue('session_id', event.sessionId);
      // Whatever happens to the call (a hangup Telnyx never delivers), its storage goes in the end.
      this.#setValue('cleanup_at', Date.now() + MAX_LIFETIME_MS);
    }
    const row = this.#sql
      .exec<{ deliveries: number }>(
        `INSERT INTO events (event_id, event_type, occurred_at, received_at, body, state)
         VALUES (?, ?, ?, ?, ?, 'pending')
         ON CONFLICT (event_id) DO UPDATE SET deliveries = deliveries + 1
         RETURNING deliveries`,
        event.id,
        event.eventType,
        event.occurredAt ?? null,
        event.arrivedAt,
        event.body,
      )
      .toArray()[0];
    const duplicate = (row?.deliveries ?? 1) > 1;
    // The forward is planned in the same turn as the event is stored: once Telnyx has its 200, the
    // business gets the event too, whatever fails afterwards (the task is retried).
    if (!duplicate && event.connectionId !== undefined) {
      this.#addTask({
        type: 'forward_event',
        event_id: event.id,
        connection_id: event.connectionId,
        event_type: event.eventType,
        occurred_at: event.occurredAt ?? null,
      });
    }
    if (duplicate) {
      this.#timeline('event', { event_type: event.eventType, event_id: event.id, result: 'duplicate delivery' });
      return { duplicate };
    }
    await this.#armAlarm(Date.now() + SAFETY_MS);
    this.ctx.waitUntil(this.#pump());
    return { duplicate };
  }

  /** The call as it stands, and what happened to it, for GET /calls/{call_session_id}. */
  async view(): Promise<CallView> {
    if (!this.#hasTables()) return { state: null, timeline: [] };
    const timeline = this.#sql
      .exec<{ at: number; kind: TimelineEntry['kind']; detail: string }>(
        'SELECT at, kind, detail FROM timeline ORDER BY seq',
      )
      .toArray()
      .map((r) => ({ at: new Date(r.at).toISOString(), kind: r.kind, detail: r.detail }));
    return { state: this.#state, timeline };
  }

  /** Lets a test or an operator wait until everything received so far has been acted on. */
  async settle(): Promise<void> {
    if (!this.#hasTables()) return;
    await this.#pump();
  }

  // --- The pump: events and tasks, one at a time, in order ---------------------------------------

  #pump(): Promise<void> {
    if (this.#pumping !== undefined) {
      this.#again = true;
      return this.#pumping;
    }
    this.#pumping = (async () => {
      try {
        do {
          this.#again = false;
          while (await this.#step()) this.#again = true;
        } while (this.#again);
      } finally {
        this.#pumping = undefined;
        await this.#armAlarm();
      }
    })();
    return this.#pumping;
  }

  /**
   * Does one thing, in this order of precedence:
   *   - a pending hangup (after the pending events that happened before it): it must stop commands
   *     still queued for a caller who has gone;
   *   - a pending task of the call itself (flow lookup, command, question to the business);
   *   - the earliest pending event;
   *   - a task on the side (the D1 record, a forward), which must never hold up the call;
   *   - a due deadline.
   */
  async #step(): Promise<boolean> {
    const hangup = this.#sql
      .exec<EventRow>(
        `SELECT event_id, event_type, occurred_at, received_at, body FROM events
         WHERE state = 'pending' AND event_type = 'call.hangup' ORDER BY julianday(occurred_at), received_at LIMIT 1`,
      )
      .toArray()[0];
    if (hangup !== undefined) {
      // What happened before it is taken first (an answer, a bridge: the record needs them), still
      // ahead of every queued command, which the hangup then skips.
      const before = this.#sql
        .exec<EventRow>(
          `SELECT event_id, event_type, occurred_at, received_at, body FROM events
           WHERE state = 'pending' AND event_type != 'call.hangup' AND julianday(occurred_at) < julianday(?)
           ORDER BY julianday(occurred_at), received_at LIMIT 1`,
          hangup.occurred_at,
        )
        .toArray()[0];
      this.#takeEvent(before ?? hangup);
      return true;
    }
    const task = this.#nextTask(false);
    const parsed = task === undefined ? undefined : (JSON.parse(task.payload) as Task);
    // A task of the call waiting to be tried again holds the call's line; events and side tasks go on.
    if (task !== undefined && !(heldUntil(parsed!) > Date.now())) {
      await this.#run(task.seq, parsed!);
      return true;
    }
    // By the time it happened, not by its text: Telnyx's timestamps may differ in precision or
    // offset ("…:05.1Z" against "…:05.095+00:00"), which sort wrongly as text.
    const event = this.#sql
      .exec<EventRow>(
        `SELECT event_id, event_type, occurred_at, received_at, body FROM events
         WHERE state = 'pending' ORDER BY julianday(occurred_at), received_at LIMIT 1`,
      )
      .toArray()[0];
    if (event !== undefined) {
      this.#takeEvent(event);
      return true;
    }
    const sideTask = this.#nextTask(true);
    if (sideTask !== undefined) {
      await this.#run(sideTask.seq, JSON.parse(sideTask.payload) as Task);
      return true;
    }
    const deadline = this.#sql
      .exec<{ name: DeadlineName; step: number }>(
        'SELECT name, step FROM deadlines WHERE at <= ? ORDER BY at LIMIT 1',
        Date.now(),
      )
      .toArray()[0];
    if (deadline !== undefined) {
      this.#sql.exec('DELETE FROM deadlines WHERE name = ?', deadline.name);
      this.#apply({ type: 'deadline', name: deadline.name, step: deadline.step }, `deadline ${deadline.name}`);
      return true;
    }
    return false;
  }

  #nextTask(side: boolean): { seq: number; payload: string } | undefined {
    return this.#sql
      .exec<{ seq: number; payload: string }>(
        `SELECT seq, payload FROM tasks WHERE state = 'pending' AND (type IN (${SIDE_TASKS})) = ? ORDER BY seq LIMIT 1`,
        side ? 1 : 0,
      )
      .toArray()[0];
  }

  #takeEvent(event: EventRow): void {
    let payload: Record<string, unknown> = {};
    try {
      payload = ((JSON.parse(event.body) as { data?: { payload?: Record<string, unknown> } }).data?.payload ??
        {}) as Record<string, unknown>;
    } catch {
      // Stored only after its envelope parsed; kept as ignored if it somehow does not.
    }
    const input = inputOf(event.event_type, payload);
    const detail = {
      event_type: event.event_type,
      event_id: event.event_id,
      occurred_at: event.occurred_at,
      received_at: new Date(event.received_at).toISOString(),
      leg: payload.call_control_id ?? null,
      ...(event.event_type === 'call.gather.ended' && {
        digits: payload.digits ?? null,
        status: payload.status ?? null,
      }),
      ...(event.event_type === 'call.hangup' && { hangup_cause: payload.hangup_cause ?? null }),
    };
    const ignored = input === undefined ? 'nothing to do' : this.#apply(input, detail);
    // An event for a leg whose call.initiated has not arrived yet (Telnyx delivers out of order)
    // waits for it, rather than being lost: a hangup or an answer that came first still counts.
    const deferred = ignored === 'unknown leg';
    this.#sql.exec(
      'UPDATE events SET state = ?, note = ? WHERE event_id = ?',
      deferred ? 'deferred' : ignored === undefined ? 'applied' : 'ignored',
      ignored ?? null,
      event.event_id,
    );
    // A new leg may be what deferred events were waiting for.
    if (input?.type === 'initiated' && ignored === undefined) {
      this.#sql.exec("UPDATE events SET state = 'pending' WHERE state = 'deferred'");
    }
    if (input === undefined) this.#timeline('event', { ...detail, result: 'recorded' });
  }

  /**
   * Feeds one input to the engine and stores the new state with everything it decided, in one
   * turn (no await), so the two never disagree. Returns why the input changed nothing, if it didn't.
   */
  #apply(input: Input, about: Record<string, unknown> | string): string | undefined {
    const now = Date.now();
    const before = this.#state ?? newCall(this.#getValue<string>('session_id') ?? this.ctx.id.toString(), now);
    const outcome = react(before, input, now);
    const label = typeof about === 'string' ? { input: about } : about;
    this.#timeline('event', {
      ...label,
      result: outcome.ignored === undefined ? 'applied' : `ignored: ${outcome.ignored}`,
    });
    if (outcome.ignored !== undefined) return outcome.ignored;
    const state = outcome.state;
    for (const node of state.path.slice(before.path.length)) {
      this.#timeline('step', { node, kind: state.flow?.nodes[node]?.kind ?? null, step: state.step });
    }
    for (const effect of outcome.effects) this.#plan(effect, state);
    // The record in D1: when the call starts, when it ends, and for what comes after (a recording).
    if (input.type === 'initiated' && before.main_leg === null) this.#addTask({ type: 'record' });
    if (state.status === 'ended' && input.type !== 'deadline') this.#addTask({ type: 'record' });
    this.#state = state;
    this.#sql.exec(
      'INSERT INTO call (id, state) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state',
      JSON.stringify(state),
    );
    return undefined;
  }

  #plan(effect: Effect, state: CallState): void {
    switch (effect.type) {
      case 'command':
        this.#addTask({ ...effect, step: state.step, command_id: crypto.randomUUID() });
        return;
      case 'deadline':
        this.#sql.exec(
          `INSERT INTO deadlines (name, at, step) VALUES (?, ?, ?)
           ON CONFLICT (name) DO UPDATE SET at = excluded.at, step = excluded.step`,
          effect.name,
          effect.at,
          effect.step,
        );
        return;
      case 'cancel_deadlines':
        this.#sql.exec('DELETE FROM deadlines');
        return;
      case 'resolve_flow':
        this.#addTask({
          type: 'resolve_flow',
          called: effect.called,
          connection_id: effect.connection_id,
          flow_id: effect.flow_id,
        });
        return;
      case 'ask':
        this.#addTask({
          type: 'ask',
          url: effect.url,
          deadline_ms: effect.deadline_ms,
          context: effect.context,
          step: state.step,
        });
        return;
      case 'forward_recording':
        this.#addTask({ type: 'forward_recording', url: effect.url, body: effect.body });
        return;
      case 'ended':
        this.#setValue('cleanup_at', Date.now() + KEEP_AFTER_END_MS);
        return;
      case 'note':
        this.#timeline('note', { text: effect.text });
        return;
    }
  }

  #addTask(task: Task): void {
    this.#sql.exec(
      "INSERT INTO tasks (type, payload, state, created_at) VALUES (?, ?, 'pending', ?)",
      task.type,
      JSON.stringify(task),
      Date.now(),
    );
  }

  // --- Tasks ----------------------------------------------------------------------------------

  async #run(seq: number, task: Task): Promise<void> {
    let result: unknown = null;
    let failed = false;
    try {
      switch (task.type) {
        case 'command':
          result = await this.#command(seq, task);
          if (result === HELD_FOR_RETRY) return;
          break;
        case 'resolve_flow': {
          const { flow, source } = await this.#resolveFlow(task);
          this.#finish(seq, 'done', { flow_id: flow?.id ?? null, source });
          this.#apply({ type: 'flow_resolved', flow, source }, `flow: ${flow?.id ?? 'none'} (${source})`);
          return;
        }
        case 'ask': {
          const next = await this.#ask(task);
          this.#finish(seq, 'done', { next });
          this.#apply(
            { type: 'ask_answered', step: task.step, next },
            `the business answered: ${next ?? 'nothing usable'}`,
          );
          return;
        }
        case 'forward_recording':
          await enqueueForward(this.env, {
            id: `${this.#state?.session_id ?? 'call'}:voicemail`,
            url: task.url,
            body: JSON.stringify(task.body),
            profile_id: this.#state?.connection_id ?? 'voice',
            event_type: 'voicemail.saved',
            created_at: new Date().toISOString(),
          });
          this.#timeline('note', { text: `voicemail queued for forwarding to ${new URL(task.url).host}` });
          break;
        case 'record':
          if (this.#state !== null) await writeCallRecord(this.env.DB, callRecord(this.#state, Date.now()));
          break;
        case 'forward_event': {
          const url = (await connectionRouting(this.env, task.connection_id))?.forward_url;
          const body = this.#sql
            .exec<{ body: string }>('SELECT body FROM events WHERE event_id = ?', task.event_id)
            .toArray()[0]?.body;
          if (url && body !== undefined) {
            await enqueueForward(this.env, {
              id: task.event_id,
              url,
              body,
              profile_id: task.connection_id,
              event_type: task.event_type,
              created_at: task.occurred_at ?? new Date().toISOString(),
            });
          }
          result = { forwarded: Boolean(url && body !== undefined) };
          break;
        }
      }
    } catch (error) {
      failed = true;
      result = { error: error instanceof Error ? error.message : String(error) };
      log.error('call_task_failed', { session: this.#state?.session_id, task: task.type, error });
      // A TypeError or RangeError (a body over the queue's size limit, say) will fail the same way
      // every time: logged, not retried.
      const permanent = error instanceof TypeError || error instanceof RangeError;
      if (RETRIED.has(task.type) && !permanent) this.#retryLater(task);
      if (task.type === 'resolve_flow') {
        const attempt = task.attempt ?? 1;
        if (attempt < FLOW_LOOKUP_ATTEMPTS) {
          // Queued again rather than held: nothing of the call can come before its flow anyway.
          this.#retryLater({ ...task, attempt: attempt + 1 }, FLOW_LOOKUP_RETRY_MS);
        } else {
          this.#finish(seq, 'failed', result);
          const detail = error instanceof Error ? error.message : String(error);
          this.#apply(
            { type: 'flow_resolved', flow: null, source: `the flow could not be looked up (${detail})` },
            'flow: none (lookup failed)',
          );
          return;
        }
      }
    }
    this.#finish(seq, failed ? 'failed' : 'done', result);
  }

  /**
   * Keeps a command pending, to be sent again `afterMs` from now. It keeps its place at the head
   * of the call's line (#step waits for it), unlike #retryLater, which queues a task again at the
   * back: the call's commands must reach Telnyx in order.
   */
  #holdForRetry(seq: number, task: Extract<Task, { type: 'command' }>, afterMs: number): void {
    const held = { ...task, not_before: Date.now() + afterMs };
    this.#sql.exec('UPDATE tasks SET payload = ? WHERE seq = ?', JSON.stringify(held), seq);
  }

  #retryLater(task: Task, afterMs = RETRY_MS): void {
    const retries = this.#getValue<Array<{ at: number; task: Task }>>('retries') ?? [];
    // One pending retry per kind of task: a later record supersedes an earlier one.
    const others = retries.filter((r) => task.type !== 'record' || r.task.type !== 'record');
    this.#setValue('retries', [...others, { at: Date.now() + afterMs, task }]);
  }

  /** Queues the retries that are due as tasks again. */
  #requeueDueRetries(): void {
    const retries = this.#getValue<Array<{ at: number; task: Task }>>('retries') ?? [];
    if (retries.length === 0) return;
    const now = Date.now();
    for (const retry of retries.filter((r) => r.at <= now)) this.#addTask(retry.task);
    this.#setValue(
      'retries',
      retries.filter((r) => r.at > now),
    );
  }

  #finish(seq: number, state: 'done' | 'failed', result: unknown): void {
    this.#sql.exec(
      'UPDATE tasks SET state = ?, result = ?, done_at = ? WHERE seq = ?',
      state,
      JSON.stringify(result ?? null),
      Date.now(),
      seq,
    );
  }

  /** Sends one command (resent with the same command_id on a 5xx or silence, by the client). */
  async #command(seq: number, task: Extract<Task, { type: 'command' }>): Promise<unknown> {
    const leg = this.#state?.legs[task.leg];
    if (leg === undefined || leg.state === 'hangup') {
      // The leg ended after the command was decided: never command a call that has ended.
      this.#timeline('command', { action: task.action, leg: task.leg, result: 'skipped: the leg has ended' });
      return { skipped: 'leg ended' };
    }
    const started = Date.now();
    try {
      const client = telnyxClientFromEnv(this.env);
      await client.callAction(
        task.leg,
        task.action as CallAction,
        {
          ...task.body,
          client_state: encodeClientState({ s: task.step }),
          command_id: task.command_id,
        } as never,
      );
      this.#timeline('command', {
        action: task.action,
        leg: task.leg,
        command_id: task.command_id,
        result: 'ok',
        sent_at: new Date(started).toISOString(),
        ms: Date.now() - started,
      });
      return { ok: true };
    } catch (error) {
      // Telnyx's 90018 ("Call has already ended"); older answers say so only in words.
      const ended =
        error instanceof TelnyxApiError &&
        error.status === 422 &&
        (error.errors.some((e) => e.code === '90018') || /ended|not active|hung ?up/i.test(error.message));
      // No answer, or a 5xx, even after the client's own resends: Telnyx may well have carried it
      // out. Sent again a little later with the same command_id (which Telnyx dedupes for 60 s)
      // rather than given up on, which would hang up a caller because Telnyx was slow.
      // Telnyx's rate limit (429) refused nothing for good: sent again once it allows, as above.
      const limited = error instanceof TelnyxApiError && error.status === 429;
      const unknown = !ended && (!(error instanceof TelnyxApiError) || error.outcome === 'unknown' || limited);
      const attempt = task.attempt ?? 1;
      const resend = unknown && attempt < COMMAND_ATTEMPTS;
      const resendMs = Math.max(COMMAND_RESEND_MS, (limited && error.retryAfterMs) || 0);
      const detail = error instanceof Error ? error.message : String(error);
      this.#timeline('command', {
        action: task.action,
        leg: task.leg,
        command_id: task.command_id,
        result: ended
          ? 'the call had already ended'
          : resend
            ? `${limited ? 'rate limited' : 'no answer'} (${detail}); sending again in ${resendMs / 1000} s`
            : `failed: ${detail}`,
        sent_at: new Date(started).toISOString(),
        ms: Date.now() - started,
      });
      if (ended) {
        // The leg is gone even if its hangup webhook never comes: the engine hears it now.
        this.#apply(
          { type: 'hangup', leg: task.leg, cause: 'unknown', source: null },
          `${task.action}: the call had ended`,
        );
      } else if (resend) {
        // It stays first in the call's line: a later command of the flow (a speak after an answer
        // Telnyx has not confirmed) must not overtake it and fail on a call not yet answered.
        this.#holdForRetry(seq, { ...task, attempt: attempt + 1 }, resendMs);
        return HELD_FOR_RETRY;
      } else {
        log.warn('call_command_failed', { session: this.#state?.session_id, action: task.action, error });
        this.#apply({ type: 'command_failed', step: task.step, action: task.action, detail }, `${task.action} failed`);
      }
      return { error: detail };
    }
  }

  /**
   * The flow for a new call: the one its dial named, else the one that claims the called number,
   * else the connection's, else the stored flow `default`; none means the call is refused.
   */
  async #resolveFlow(task: Extract<Task, { type: 'resolve_flow' }>): Promise<{ flow: Flow | null; source: string }> {
    if (task.flow_id !== null) {
      const flow = await getFlow(this.env, task.flow_id);
      return flow
        ? { flow, source: 'the dial' }
        : { flow: null, source: `the dial named flow ${task.flow_id}, which is gone` };
    }
    // A call dialled out runs only the flow it was dialled with: one placed without a flow (at the
    // edge, or straight at Telnyx on the same application) is the business's own, and only recorded.
    if (this.#state?.direction === 'outgoing') return { flow: null, source: 'dialled without a flow' };
    if (task.called !== null) {
      const flow = await flowForNumber(this.env, task.called);
      if (flow) return { flow, source: 'the number called' };
    }
    if (task.connection_id !== null) {
      const routing = await connectionRouting(this.env, task.connection_id);
      if (routing?.flow_id) {
        const flow = await getFlow(this.env, routing.flow_id);
        if (flow) return { flow, source: 'the connection' };
      }
    }
    const fallback = await getFlow(this.env, 'default');
    return fallback ? { flow: fallback, source: 'the default flow' } : { flow: null, source: 'no flow' };
  }

  /** POSTs the call's context to the business, signed; the node it names, if it answers in time. */
  async #ask(task: Extract<Task, { type: 'ask' }>): Promise<string | null> {
    const body = JSON.stringify(task.context);
    try {
      const headers = await standardWebhookHeaders(this.env.FORWARD_SIGNING_SECRET, crypto.randomUUID(), body);
      const response = await fetch(task.url, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'user-agent': 'telnyx-edge' },
        body,
        signal: AbortSignal.timeout(task.deadline_ms),
      });
      if (!response.ok) return null;
      const answer = (await response.json()) as { next?: unknown };
      return typeof answer?.next === 'string' ? answer.next : null;
    } catch (error) {
      log.info('ask_business_no_answer', { session: this.#state?.session_id, error });
      return null;
    }
  }

  // --- Alarms -----------------------------------------------------------------------------------

  override async alarm(): Promise<void> {
    if (!this.#hasTables()) return;
    this.#requeueDueRetries();
    await this.#pump();
    const cleanup = this.#getValue<number>('cleanup_at');
    // Not while anything is still to run or to be tried again (a record D1 refused, say).
    if (cleanup !== undefined && cleanup <= Date.now() && !this.#busy()) {
      if (this.#state !== null && this.#state.status !== 'ended') {
        // No hangup ever came: the record must not say "active" for ever.
        const now = Date.now();
        this.#state = {
          ...this.#state,
          status: 'ended',
          ended_at: now,
          outcome: this.#state.outcome ?? 'unfinished: no hangup was received',
        };
        this.#sql.exec('UPDATE call SET state = ? WHERE id = 1', JSON.stringify(this.#state));
        try {
          await writeCallRecord(this.env.DB, callRecord(this.#state, now));
        } catch (error) {
          // Kept until the record is written: the retry's alarm comes back to clean up after it.
          log.error('call_record_failed_at_cleanup', { session: this.#state.session_id, error });
          this.#retryLater({ type: 'record' });
          await this.#armAlarm();
          return;
        }
      }
      await this.ctx.storage.deleteAll();
      this.#state = null;
    }
  }

  /** Something is still to run, or to be tried again: the call's storage must stay. */
  #busy(): boolean {
    return (
      this.#sql.exec("SELECT 1 FROM tasks WHERE state = 'pending' LIMIT 1").toArray().length > 0 ||
      (this.#getValue<unknown[]>('retries') ?? []).length > 0
    );
  }

  /** The alarm at the earliest of: a deadline, the cleanup, and `extra` (a safety net). */
  async #armAlarm(extra?: number): Promise<void> {
    // A cleanup that is due waits for what is still to run or to be retried (its own times are
    // below); set for the past meanwhile, the alarm would fire again and again until then.
    const retries = this.#getValue<Array<{ at: number }>>('retries') ?? [];
    const cleanup = this.#getValue<number>('cleanup_at');
    const times = [
      this.#sql.exec<{ at: number | null }>('SELECT MIN(at) AS at FROM deadlines').toArray()[0]?.at ?? undefined,
      cleanup !== undefined && this.#busy() ? Math.max(cleanup, Date.now() + SAFETY_MS) : cleanup,
      ...retries.map((r) => r.at),
      this.#sql
        .exec<{ at: number | null }>(
          "SELECT MIN(json_extract(payload, '$.not_before')) AS at FROM tasks WHERE state = 'pending'",
        )
        .toArray()[0]?.at ?? undefined,
      extra,
    ].filter((t): t is number => typeof t === 'number');
    const pending =
      this.#sql
        .exec(
          "SELECT 1 FROM tasks WHERE state = 'pending' UNION ALL SELECT 1 FROM events WHERE state = 'pending' LIMIT 1",
        )
        .toArray().length > 0;
    if (pending) times.push(Date.now() + SAFETY_MS);
    if (times.length === 0) return;
    const at = Math.min(...times);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at || current < Date.now()) await this.ctx.storage.setAlarm(at);
  }

  // --- Small storage helpers -----------------------------------------------------------------------

  #timeline(kind: TimelineEntry['kind'], detail: Record<string, unknown>): void {
    this.#sql.exec(
      'INSERT INTO timeline (at, kind, detail) VALUES (?, ?, ?)',
      Date.now(),
      kind,
      JSON.stringify(detail),
    );
  }

  #getValue<T>(key: string): T | undefined {
    return readValue<T>(this.#sql, key);
  }

  #setValue(key: string, value: unknown): void {
    writeValue(this.#sql, key, value);
  }
}
