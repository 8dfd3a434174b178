// The control API's side of calls (/sim/calls, /sim/recordings): someone calls one of the
// account's numbers, presses digits, hangs up; the far end of an outgoing or transferred leg
// answers, refuses or is busy while it rings; and a call's timeline (commands received, events
// sent and how their delivery went) for a test or a person to read.

import { ApiError, badRequest, jsonResponse, notFound } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import type { SimContext } from '../context';
import type { ControlRouter } from '../control';
import { applyFields, asControlError, list, object, str, type Fields } from '../api/fields';
import { decodePathSegment } from '../api/params';
import { findResource } from '../connections/store';
import { applicationUrls } from './dial';
import { emitInitiated } from './events';
import { answerLeg, endLeg, farEndResponds, farSide } from './legs';
import { pressDigit } from './media';
import { party } from './params';
import { newCallControlId, note, requireLeg, saveLeg, sessionLegs, setTimer, type Leg } from './state';

const header = object({ name: str({ min: 1 }), value: str() });
const INBOUND_FIELDS: Fields = {
  from: party,
  caller_id_name: str({ max: 128 }),
  custom_headers: list(header, { default: [] }),
  sip_headers: list(header, { default: [] }),
};

/** POST /sim/calls/inbound: someone calls an account number; call.initiated goes to its application. */
export function placeInboundCall(ctx: SimContext, body: Record<string, unknown>, origin: string) {
  if (body.from === undefined)
    throw badRequest("'from' is required: the caller's +E.164 number or SIP URI.", { pointer: '/from' });
  const f = asControlError(() => applyFields(INBOUND_FIELDS, body, { custom_headers: [], sip_headers: [] }));
  const number = ctx.store.first<{ connection_id: string | null }>(
    'SELECT connection_id FROM numbers WHERE phone_number = ?',
    typeof body.to === 'string' ? body.to : '',
  );
  if (number === undefined) {
    throw badRequest("'to' must be one of the account's numbers; see GET /sim/state.", { pointer: '/to' });
  }
  const application =
    number.connection_id === null ? undefined : findResource(ctx, number.connection_id, ['call_control_application']);
  if (application === undefined) {
    throw badRequest(`${String(body.to)} is on no Call Control application, so nothing would take the call.`, {
      pointer: '/to',
    });
  }
  const at = ctx.now();
  const leg: Leg = {
    call_control_id: newCallControlId(),
    call_leg_id: crypto.randomUUID(),
    call_session_id: crypto.randomUUID(),
    connection_id: application.id,
    direction: 'incoming',
    from: f.from as string,
    to: body.to as string,
    caller_id_name: (f.caller_id_name as string | undefined) ?? null,
    status: 'parked',
    client_state: null,
    urls: applicationUrls(application),
    start_time: at,
    answered_at: null,
    end_time: null,
    hangup: null,
    far_end: null,
    timeout_secs: 30,
    answering_machine_detection: 'disabled',
    record_from_answer: null,
    bridged_with: null,
    park_after_unbridge: null,
    transfer_of: null,
    transfer_to: null,
    bridge_on_answer: null,
    media: [],
    overlays: [],
    gather: null,
    recording: null,
    custom_headers: f.custom_headers as unknown[],
    sip_headers: f.sip_headers as unknown[],
    origin,
  };
  note(ctx, leg, 'control', 'inbound', { from: leg.from, to: leg.to }, at);
  const eventId = emitInitiated(ctx, leg, at);
  setTimer(ctx, leg, 'abandon', at + ctx.settings.voice.inbound_ring_ms);
  setTimer(ctx, leg, 'time_limit', at + 14_400_000);
  saveLeg(ctx, leg);
  return {
    call_control_id: leg.call_control_id,
    call_leg_id: leg.call_leg_id,
    call_session_id: leg.call_session_id,
    event_id: eventId,
  };
}

function conflict(detail: string): ApiError {
  return badRequest(detail);
}

/** Why the other party of `leg` cannot do `what` now; undefined when it can. */
function refusal(leg: Leg, what: string, body: Record<string, unknown>): ApiError | undefined {
  if (leg.status === 'ended') return conflict('The call has ended.');
  switch (what) {
    case 'dtmf':
      if (typeof body.digits !== 'string' || !/^[0-9A-D#*]{1,128}$/.test(body.digits)) {
        return badRequest("'digits' must be DTMF digits: 0-9, A-D, # and *.", { pointer: '/digits' });
      }
      if (leg.status !== 'answered') return conflict('Digits can be pressed once the call is answered.');
      return undefined;
    case 'hangup':
      if (leg.status === 'ringing') return conflict('A ringing destination does not hang up: use refuse or busy.');
      return undefined;
    default:
      if (leg.status !== 'ringing') return conflict(`Only a ringing outgoing call can be told to ${what}.`);
      return undefined;
  }
}

/**
 * What the other party of a leg does: press digits, hang up, or (an outgoing leg's far end) answer,
 * refuse, be busy. Checked before anything is written, so a refused action leaves no trace in the
 * call's timeline.
 */
export function farEndDoes(ctx: SimContext, leg: Leg, what: string, body: Record<string, unknown>) {
  const problem = refusal(leg, what, body);
  if (problem) throw problem;
  const at = ctx.now();
  note(ctx, leg, 'control', what, body, at);
  switch (what) {
    case 'dtmf':
      for (const digit of body.digits as string) pressDigit(ctx, leg, digit, at);
      break;
    case 'hangup':
      if (leg.status === 'parked') endLeg(ctx, leg, at, 'originator_cancel', 'caller');
      else endLeg(ctx, leg, at, 'normal_clearing', farSide(leg));
      break;
    default:
      if (what === 'answer') {
        leg.far_end = 'answer';
        answerLeg(ctx, leg, at);
      } else {
        farEndResponds(ctx, leg, what === 'busy' ? 'busy' : 'refuse', at);
      }
  }
  saveLeg(ctx, leg);
  return controlView(ctx, leg);
}

/** A leg as the control API shows it: its state, with times as ISO 8601. */
export function controlView(ctx: SimContext, leg: Leg) {
  const time = (ms: number | null) => (ms === null ? null : ctx.iso(ms));
  return {
    ...leg,
    is_alive: leg.status !== 'ended',
    start_time: time(leg.start_time),
    answered_at: time(leg.answered_at),
    end_time: time(leg.end_time),
  };
}

/** GET /sim/calls/{id}: the leg, the other legs of its call, and the call's timeline. */
export function callTimeline(ctx: SimContext, leg: Leg) {
  const timeline = ctx.store
    .all<{ seq: number; call_control_id: string; kind: string; name: string; detail: string; at: string }>(
      'SELECT seq, call_control_id, kind, name, detail, at FROM call_timeline WHERE call_session_id = ? ORDER BY seq',
      leg.call_session_id,
    )
    .map((row) => {
      const detail = JSON.parse(row.detail) as Record<string, unknown>;
      const delivery =
        row.kind === 'event'
          ? (ctx.store.first<{ outcome: string }>(
              'SELECT outcome FROM deliveries WHERE event_id = ? ORDER BY seq DESC LIMIT 1',
              detail.event_id,
            )?.outcome ?? 'pending')
          : undefined;
      return { ...row, detail, ...(delivery !== undefined && { delivery }) };
    });
  return {
    call: controlView(ctx, leg),
    legs: sessionLegs(ctx, leg.call_session_id).map((l) => controlView(ctx, l)),
    timeline,
  };
}

/** GET /sim/recordings/{id}.{mp3|wav}: some bytes of silence, as long as the recording (at most 5 s). */
export function recordingFile(ctx: SimContext, file: string): Response {
  const match = /^([0-9a-f-]{36})\.(mp3|wav)$/.exec(file);
  const row = match && ctx.store.first<{ body: string }>('SELECT body FROM recordings WHERE id = ?', match[1]);
  if (!match || !row) throw notFound(`No recording ${file}.`);
  const recording = JSON.parse(row.body) as { started_at: number; ended_at: number };
  const seconds = Math.min(5, Math.max(1, Math.round((recording.ended_at - recording.started_at) / 1000)));
  if (match[2] === 'wav') {
    const samples = 8000 * seconds;
    const bytes = new Uint8Array(44 + samples * 2);
    const view = new DataView(bytes.buffer);
    const text = (offset: number, s: string) => [...s].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
    text(0, 'RIFF');
    view.setUint32(4, 36 + samples * 2, true);
    text(8, 'WAVEfmt ');
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, 1, true);
    view.setUint32(24, 8000, true);
    view.setUint32(28, 16000, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, 'data');
    view.setUint32(40, samples * 2, true);
    return new Response(bytes, { headers: { 'content-type': 'audio/wav' } });
  }
  // MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) of silence: 417 bytes each, about 38 a second.
  const frames = 38 * seconds;
  const bytes = new Uint8Array(frames * 417);
  for (let i = 0; i < frames; i++) bytes.set([0xff, 0xfb, 0x90, 0x64], i * 417);
  return new Response(bytes, { headers: { 'content-type': 'audio/mpeg' } });
}

export function registerCallControl(router: ControlRouter): void {
  router.post('/sim/calls/inbound', async (request, ctx) =>
    jsonResponse(placeInboundCall(ctx, await readJsonObject(request), new URL(request.url).origin), 201),
  );
  router.get('/sim/calls', (request, ctx) => {
    const url = new URL(request.url);
    const alive = url.searchParams.get('alive');
    const rows = ctx.store.all<{ body: string }>(
      `SELECT body FROM calls ${alive === 'true' ? 'WHERE alive = 1' : ''} ORDER BY rowid DESC LIMIT 200`,
    );
    return jsonResponse({ data: rows.map((r) => controlView(ctx, JSON.parse(r.body) as Leg)) });
  });
  router.get('/sim/calls/:id', (request, ctx) =>
    jsonResponse({ data: callTimeline(ctx, requireLeg(ctx, decodePathSegment(request.params.id))) }),
  );
  for (const what of ['dtmf', 'hangup', 'answer', 'refuse', 'busy']) {
    router.post(`/sim/calls/:id/${what}`, async (request, ctx) => {
      const leg = requireLeg(ctx, decodePathSegment(request.params.id));
      const body = request.headers.get('content-type') === null ? {} : await readJsonObject(request);
      return jsonResponse({ data: farEndDoes(ctx, leg, what, body) });
    });
  }
  router.get('/sim/recordings/:file', (request, ctx) => recordingFile(ctx, decodePathSegment(request.params.file)));
}
