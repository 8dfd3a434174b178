// Helpers for the simulator's voice tests: connections and Call Control through its /v2 API, calls
// played from the control API, and the call webhooks the receiver got. Voice tests freeze the
// simulator's clock, so a phone answers or a gather times out only when a test advances it.
import { expect } from 'vitest';
import { SEED_VOICE_IDS } from '../../sim/seed';
import { HELD, ISO, api, controlOk, flush, received, resetAll } from './support';

export const APPLICATION = SEED_VOICE_IDS.callControlApplication;
export const CREDENTIAL = SEED_VOICE_IDS.credentialConnection;
export const PROFILE = SEED_VOICE_IDS.outboundVoiceProfile;
/** The seeded application's URLs in the sim test project (SIM_WEBHOOK_BASE is http://edge.receiver.test). */
export const VOICE_URL = 'http://edge.receiver.test/webhooks/voice';
export const VOICE_FAILOVER_URL = 'http://edge.receiver.test/webhooks/voice/failover';
/** An account number (Chicago) on the seeded application. */
export const OUR_NUMBER = '+13125550100';
/** Someone calling in. */
export const CALLER = '+12065550123';
export const DIGITS_ID = /^\d{19}$/;
export const CALL_CONTROL_ID = /^v3:[A-Za-z0-9_-]{40,}$/;

type Json = Record<string, unknown>;

/** The seeded account, nothing leaving on its own, and a frozen clock. */
export async function resetVoice(settings: Json = {}): Promise<void> {
  await resetAll({ ...HELD, ...settings });
  await controlOk('POST', '/sim/clock', { freeze: true });
}

export async function advance(ms: number): Promise<void> {
  await controlOk('POST', '/sim/clock', { advance_ms: ms });
}

/** A /v2 call that must answer `status`; returns its `data`. */
export async function apiOk<T = Json>(method: string, path: string, body?: unknown, status = 200): Promise<T> {
  const response = await api(method, path, body);
  const text = await response.text();
  expect(response.status, `${method} ${path}: ${text}`).toBe(status);
  return (JSON.parse(text) as { data: T }).data;
}

export interface CallIds {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
}

/** Someone calls one of the account numbers (POST /sim/calls/inbound). */
export async function callIn(from = CALLER, to = OUR_NUMBER): Promise<CallIds & { event_id: string }> {
  return controlOk('POST', '/sim/calls/inbound', { from, to });
}

export function action(id: string, name: string, body: Json = {}): Promise<Response> {
  return api('POST', `/v2/calls/${id}/actions/${name}`, body);
}

export async function actionOk(id: string, name: string, body: Json = {}): Promise<Json> {
  return apiOk(`POST`, `/v2/calls/${id}/actions/${name}`, body);
}

export async function dial(to: string, body: Json = {}): Promise<CallIds & Json> {
  return apiOk('POST', '/v2/calls', { connection_id: APPLICATION, from: OUR_NUMBER, to, ...body });
}

/** The other party does something (POST /sim/calls/{id}/{what}). */
export function farEnd(id: string, what: string, body?: Json): Promise<Json> {
  return controlOk('POST', `/sim/calls/${id}/${what}`, body ?? {});
}

export interface CallEvent {
  id: string;
  event_type: string;
  occurred_at: string;
  payload: Json;
  url: string;
}

/** The call events the receiver got (after delivering what is pending), in order of arrival. */
export async function callEvents(filter?: { leg?: string }): Promise<CallEvent[]> {
  await flush();
  return (await received())
    .filter((r) => r.json.data.event_type.startsWith('call.'))
    .map((r) => ({ ...(r.json.data as unknown as Omit<CallEvent, 'url'>), url: r.url }))
    .filter(
      (e) =>
        filter?.leg === undefined || e.payload.call_control_id === filter.leg || e.payload.call_leg_id === filter.leg,
    );
}

export async function eventTypes(filter?: { leg?: string }): Promise<string[]> {
  return (await callEvents(filter)).map((e) => e.event_type);
}

/** The events of one leg as `event_type` strings, with a status or cause where the event has one. */
export async function legStory(callControlId: string): Promise<string[]> {
  return (await callEvents({ leg: callControlId })).map((e) => {
    const p = e.payload;
    const detail = p.status ?? p.hangup_cause ?? p.digit ?? p.result;
    return detail === undefined ? e.event_type : `${e.event_type} ${String(detail)}`;
  });
}

/** An inbound call, answered, with its first events delivered. */
export async function answeredCall(): Promise<CallIds> {
  const call = await callIn();
  await actionOk(call.call_control_id, 'answer');
  await flush();
  return call;
}

export function base64(text: string): string {
  return btoa(text);
}

/**
 * `later` came `ms` after `earlier`, give or take the few milliseconds the simulator adds so that
 * call events stamped at the same moment still have strictly increasing occurred_at.
 */
export function expectGap(earlier: CallEvent, later: CallEvent, ms: number): void {
  const gap = Date.parse(later.occurred_at) - Date.parse(earlier.occurred_at);
  expect(gap).toBeGreaterThanOrEqual(ms - 5);
  expect(gap).toBeLessThanOrEqual(ms + 5);
}

/** The fields every call event of `call` carries (the SUBSET's common payload fields). */
export function legFields(call: CallIds, parties: { from: string; to: string }, clientState: string | null = null) {
  return {
    call_control_id: call.call_control_id,
    call_leg_id: call.call_leg_id,
    call_session_id: call.call_session_id,
    client_state: clientState,
    connection_id: APPLICATION,
    ...parties,
  };
}

/** What call.initiated adds to them, for a leg placed from or to `caller`. */
export function initiatedFields(direction: 'incoming' | 'outgoing', caller: string) {
  return {
    direction,
    state: direction === 'incoming' ? 'parked' : 'bridging',
    caller_id_name: caller,
    start_time: expect.stringMatching(ISO),
    connection_codecs: expect.any(String),
    offered_codecs: expect.any(String),
    custom_headers: [],
    sip_headers: [],
    tags: [],
  };
}
