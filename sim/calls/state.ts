// A call leg as the simulator keeps it: Telnyx's ids, who called whom, where it stands (parked,
// ringing, answered, ended), what is playing or being gathered on it, and what it is bridged to.
// Legs of one call share a call_session_id (an inbound call and the leg a transfer creates).
// Timers say what happens to a leg next and when (the far end answers, a speak ends, a gather
// times out); the alarm, every request and POST /sim/clock run the ones that are due.

import { notFound } from '../../shared/errors';
import type { SimContext } from '../context';

export type Direction = 'incoming' | 'outgoing';
export type LegStatus = 'parked' | 'ringing' | 'answered' | 'ended';

/** What the far end of an outgoing leg does (the destination table in sim/README.md). */
export type FarEnd = 'answer' | 'busy' | 'no_answer' | 'reject' | 'not_found' | 'answer_then_hangup' | 'machine';

export interface MediaItem {
  id: string;
  kind: 'speak' | 'playback';
  duration_ms: number | null;
  media_url?: string | null;
  media_name?: string | null;
  overlay?: boolean;
  started?: boolean;
}

export interface PromptPart {
  kind: 'speak' | 'playback';
  duration_ms: number;
  media_url?: string | null;
  media_name?: string | null;
}

export interface Gather {
  id: string;
  kind: 'gather' | 'gather_using_speak' | 'gather_using_audio';
  gather_id: string | null;
  digits: string;
  minimum_digits: number;
  maximum_digits: number;
  terminating_digit: string;
  valid_digits: string;
  timeout_millis: number;
  inter_digit_timeout_millis: number;
  initial_timeout_millis: number;
  maximum_tries: number;
  tries: number;
  /** The prompt (and the invalid prompt) of gather_using_speak/audio. */
  prompt: PromptPart | null;
  invalid_prompt: PromptPart | null;
  /** What plays now: the parts left of the current prompt, first playing. */
  playing: PromptPart[];
}

export interface Recording {
  id: string;
  format: 'mp3' | 'wav';
  channels: 'single' | 'dual';
  started_at: number;
  origin: string;
}

export interface Hangup {
  hangup_cause: string;
  hangup_source: 'caller' | 'callee' | 'unknown';
  sip_hangup_cause: string;
}

export interface Leg {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  connection_id: string;
  direction: Direction;
  from: string;
  to: string;
  caller_id_name: string | null;
  status: LegStatus;
  client_state: string | null;
  /** Primary webhook URL first, then the failover URL. */
  urls: string[];
  start_time: number;
  answered_at: number | null;
  end_time: number | null;
  hangup: Hangup | null;
  far_end: FarEnd | null;
  timeout_secs: number;
  answering_machine_detection: string;
  record_from_answer: { id: string; format: 'mp3' | 'wav'; channels: 'single' | 'dual' } | null;
  bridged_with: string | null;
  park_after_unbridge: string | null;
  /** For a leg a transfer created: the leg being transferred; on that leg, the new leg while it rings. */
  transfer_of: string | null;
  transfer_to: string | null;
  /** A dial with bridge_on_answer: the leg (link_to) to bridge with once this one is answered. */
  bridge_on_answer: string | null;
  media: MediaItem[];
  overlays: MediaItem[];
  gather: Gather | null;
  recording: Recording | null;
  custom_headers: unknown[];
  sip_headers: unknown[];
  /** The simulator's own origin, for the recording URLs it serves. */
  origin: string;
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

/** Telnyx's call_control_id: "v3:" and an opaque token. */
export function newCallControlId(): string {
  return `v3:${base64url(crypto.getRandomValues(new Uint8Array(36)))}`;
}

export function loadLeg(ctx: SimContext, callControlId: string): Leg | undefined {
  const row = ctx.store.first<{ body: string }>('SELECT body FROM calls WHERE call_control_id = ?', callControlId);
  return row === undefined ? undefined : (JSON.parse(row.body) as Leg);
}

export function requireLeg(ctx: SimContext, callControlId: string): Leg {
  const leg = loadLeg(ctx, callControlId);
  if (leg === undefined) throw notFound(`No call with call_control_id ${callControlId}.`);
  return leg;
}

export function saveLeg(ctx: SimContext, leg: Leg): void {
  ctx.store.run(
    `INSERT INTO calls (call_control_id, call_session_id, seq, alive, body) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (call_control_id) DO UPDATE SET alive = excluded.alive, body = excluded.body`,
    leg.call_control_id,
    leg.call_session_id,
    ctx.store.next('call_seq'),
    leg.status === 'ended' ? 0 : 1,
    JSON.stringify(leg),
  );
}

export function sessionLegs(ctx: SimContext, callSessionId: string): Leg[] {
  return ctx.store
    .all<{ body: string }>('SELECT body FROM calls WHERE call_session_id = ? ORDER BY seq', callSessionId)
    .map((row) => JSON.parse(row.body) as Leg);
}

export type TimerKind =
  | 'ring'
  | 'timeout'
  | 'abandon'
  | 'time_limit'
  | 'far_hangup'
  | 'media_end'
  | 'gather_prompt_end'
  | 'gather_wait'
  | 'gather_inter'
  | 'gather_total'
  | 'record_max';

export function setTimer(ctx: SimContext, leg: Leg, kind: TimerKind, dueAt: number, data: unknown = {}): void {
  ctx.store.run(
    'INSERT INTO call_timers (call_control_id, kind, due_at, data) VALUES (?, ?, ?, ?)',
    leg.call_control_id,
    kind,
    dueAt,
    JSON.stringify(data),
  );
}

/** Clears a leg's timers of `kinds`, or all of them. */
export function clearTimers(ctx: SimContext, leg: Leg, kinds?: readonly TimerKind[]): void {
  if (kinds === undefined) {
    ctx.store.run('DELETE FROM call_timers WHERE call_control_id = ?', leg.call_control_id);
    return;
  }
  for (const kind of kinds) {
    ctx.store.run('DELETE FROM call_timers WHERE call_control_id = ? AND kind = ?', leg.call_control_id, kind);
  }
}

export function nextTimerDue(ctx: SimContext): number | undefined {
  return ctx.store.first<{ due: number | null }>('SELECT MIN(due_at) AS due FROM call_timers')?.due ?? undefined;
}

/** One line of a call's timeline (GET /sim/calls/{id}): a command received, an event sent, a control action. */
export function note(
  ctx: SimContext,
  leg: Leg,
  kind: 'command' | 'event' | 'control',
  name: string,
  detail: Record<string, unknown>,
  at: number,
): void {
  ctx.store.run(
    'INSERT INTO call_timeline (call_session_id, call_control_id, kind, name, detail, at) VALUES (?, ?, ?, ?, ?, ?)',
    leg.call_session_id,
    leg.call_control_id,
    kind,
    name,
    JSON.stringify(detail),
    ctx.iso(at),
  );
}
