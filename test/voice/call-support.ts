// Helpers for calls end to end: the simulator plays the caller and the far ends (its control API),
// its call webhooks reach the bundle over the test network, the bundle's CallSession acts on them
// and commands the simulator back. Everything runs in real time with the simulator's voice timings
// shortened, so tests wait with `eventually` rather than sleeping.
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../workers/index';
import type { Flow } from '../../workers/voice/flows/types';
import type { CallSession } from '../../workers/voice/session/call-session';
import { EDGE_URL, resetSimulator, sim } from '../support/sim';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { testEnv as env } from '../support/test-env';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

/** An account number on the simulator's seeded Call Control application. */
export const OUR_NUMBER = '+13125550100';
export const CALLER = '+12065550123';
/** Transfer targets, by the simulator's table of last two digits. */
export const ANSWERS = '+13125550150';
export const BUSY = '+13125550181';
export const NEVER_ANSWERS = '+13125550186';

/** The bundle over HTTP with the admin token; the JSON body (or {}). */
export async function edge(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<{ status: number; body: Json }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    }) as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : JSON.parse(text) };
}

export async function edgeOk(path: string, init: { method?: string; body?: unknown } = {}): Promise<Json> {
  const answer = await edge(path, init);
  expect(answer.status, `${init.method ?? 'GET'} ${path}: ${JSON.stringify(answer.body)}`).toBeLessThan(300);
  return answer.body.data;
}

/** The simulator back to its seed, webhooks delivered at once, calls playing out in milliseconds. */
export async function resetVoice(): Promise<void> {
  await resetSimulator();
  await sim('/sim/settings', {
    method: 'PATCH',
    body: {
      voice: {
        ring_ms: 50,
        inbound_ring_ms: 60_000,
        speak_ms_per_char: 0,
        speak_min_ms: 30,
        playback_ms: 30,
        callee_hangup_ms: 300,
      },
    },
  });
  await resetReceiver();
  await env.DB.exec('DELETE FROM calls');
  for (const flow of (await edgeOk('/flows?page[size]=250')) as Flow[]) {
    await edge(`/flows/${flow.id}`, { method: 'DELETE' });
  }
}

export async function createFlow(flow: Record<string, unknown>): Promise<Flow> {
  const answer = await edge('/flows', { body: flow });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.data;
}

export interface CallIds {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
}

/** Someone calls one of the account numbers. */
export async function callIn(from = CALLER, to = OUR_NUMBER): Promise<CallIds> {
  return sim<CallIds>('/sim/calls/inbound', { body: { from, to } });
}

/** The caller (or a far end) does something: dtmf {digits}, hangup, answer, refuse, busy. */
export async function farEnd(callControlId: string, what: string, body: Json = {}): Promise<void> {
  await sim(`/sim/calls/${encodeURIComponent(callControlId)}/${what}`, { body });
}

export interface SimTimelineRow {
  call_control_id: string;
  kind: string; // event | command | ...
  name: string;
  detail: Json;
  at: string;
  delivery?: string;
}

/** The simulator's view of a call: its legs and timeline (events sent, commands received). */
export async function simCall(
  callControlId: string,
): Promise<{ call: Json; legs: Json[]; timeline: SimTimelineRow[] }> {
  return (
    await sim<{ data: { call: Json; legs: Json[]; timeline: SimTimelineRow[] } }>(
      `/sim/calls/${encodeURIComponent(callControlId)}`,
    )
  ).data;
}

/** The commands the simulator received for a call, in order, as their action names. */
export async function commandsAtSim(callControlId: string): Promise<string[]> {
  return (await simCall(callControlId)).timeline.filter((r) => r.kind === 'command').map((r) => r.name);
}

/** GET /calls/{session} at the bundle. */
export async function edgeCall(sessionId: string): Promise<Json> {
  return edgeOk(`/calls/${encodeURIComponent(sessionId)}`);
}

export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * Waits until the bundle's view of the call is waiting for `what` (or has ended: 'nothing'). For
 * 'digits' it also waits until the simulator is gathering: the bundle waits for digits from the
 * moment it decides on the gather, a moment before the command reaches Telnyx, and a digit
 * pressed in between is one no gather hears (as on a real call).
 */
export async function waitingFor(sessionId: string, what: string, timeoutMs = 10_000): Promise<Json> {
  return eventually(async () => {
    const call = await edgeCall(sessionId);
    expect(call.state?.waiting_for, JSON.stringify(call.state)).toBe(what);
    if (what === 'digits') {
      // The leg the flow talks to: the caller's on an inbound call, the called party's on an outbound one.
      const main = (call.state.legs as Json[]).find((l) => l.role === 'caller' || l.role === 'callee');
      const leg = (await simCall(main.call_control_id as string)).call;
      expect(leg.gather, 'the simulator has not started the gather yet').not.toBeNull();
    }
    return call;
  }, timeoutMs);
}

export async function receivedAt(host: string): Promise<Json[]> {
  const all = (await (await env.RECEIVER.fetch('http://x.receiver.test/__receiver/received')).json()) as Json[];
  return all.filter((r) => new URL(r.url).host === host);
}

export async function scriptReceiver(body: Json): Promise<void> {
  await env.RECEIVER.fetch('http://x.receiver.test/__receiver/script', { method: 'POST', body: JSON.stringify(body) });
}

export async function resetReceiver(): Promise<void> {
  await env.RECEIVER.fetch('http://x.receiver.test/__receiver/reset', { method: 'POST' });
}

/**
 * The commands the simulator carried out for a call, in order: a resend it recognised by its
 * command_id (answered as the first was, nothing done) is left out.
 */
export async function executedAtSim(callControlId: string): Promise<string[]> {
  return (await simCall(callControlId)).timeline
    .filter((r) => r.kind === 'command' && r.detail?.duplicate !== true)
    .map((r) => r.name);
}

/** The simulator's command rows for a call, duplicates included, with their command_id. */
export async function commandRowsAtSim(
  callControlId: string,
): Promise<Array<{ name: string; leg: string; command_id: string | null; duplicate: boolean }>> {
  return (await simCall(callControlId)).timeline
    .filter((r) => r.kind === 'command')
    .map((r) => ({
      name: r.name,
      leg: r.call_control_id,
      command_id: r.detail?.command_id ?? null,
      duplicate: r.detail?.duplicate === true,
    }));
}

/** A fault at the simulator: { target: 'api' | 'webhooks', kind, count, path?, delay_ms? }. */
export async function simFault(fault: Json): Promise<void> {
  await sim('/sim/faults', { body: fault });
}

/** Moves the simulator's clock: { advance_ms?, freeze? }. */
export async function simClock(body: { advance_ms?: number; freeze?: boolean }): Promise<void> {
  await sim('/sim/clock', { body });
}

/** The simulator's request log for paths starting with `prefix`, oldest first. */
export async function simRequests(
  prefix: string,
): Promise<Array<{ method: string; path: string; status: number; fault: string | null; note: string | null }>> {
  return (await sim<{ data: Json[] }>(`/sim/requests?limit=1000&path=${encodeURIComponent(prefix)}`)).data;
}

/** The path of a Call Control action on a leg, as the bundle's client requests it. */
export function actionPath(callControlId: string, action: string): string {
  return `/v2/calls/${encodeURIComponent(callControlId)}/actions/${action}`;
}

/** Waits until the call's D1 record says it has ended; the bundle's whole view of it. */
export async function endedCall(sessionId: string, timeoutMs = 10_000): Promise<Json> {
  return eventually(async () => {
    const view = await edgeCall(sessionId);
    expect(view.record?.status, JSON.stringify(view.state)).toBe('ended');
    return view;
  }, timeoutMs);
}

/** The edge's timeline entries of one kind for a call (event, command, step, note). */
export function timelineOf(view: Json, kind: string): Json[] {
  return (view.timeline as Json[]).filter((e) => e.kind === kind).map((e) => e.detail);
}

/** The call's CallSession Durable Object. */
export function callSessionStub(sessionId: string): DurableObjectStub<CallSession> {
  return env.CALL_SESSION.get(env.CALL_SESSION.idFromName(sessionId));
}

/** The leg of a call at the simulator that goes to `to` (a transfer's or a dial's far end). */
export async function legTo(callControlId: string, to: string): Promise<Json> {
  return eventually(async () => {
    const leg = (await simCall(callControlId)).legs.find((l) => l.to === to);
    expect(leg, `no leg to ${to} yet`).toBeDefined();
    return leg;
  });
}
