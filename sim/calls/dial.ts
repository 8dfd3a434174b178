// POST /v2/calls (Telnyx's CallRequest, answered with CallWithRecordingId) and the outgoing legs
// a dial or a transfer creates. The far end of an outgoing leg behaves by the last two digits of
// the destination (DESTINATIONS, the table in sim/README.md), unless the control API answers,
// refuses or busies it while it rings.

import type { SimContext } from '../context';
import { applyFields, defaultsOf, invalidField, requireFields } from '../api/fields';
import { findResource } from '../connections/store';
import { repeatOf, remember } from './dedupe';
import { emitInitiated } from './events';
import { DIAL_FIELDS, oneMediaSource } from './params';
import { loadLeg, newCallControlId, saveLeg, setTimer, type FarEnd, type Leg } from './state';

/** The far end by the destination's last two digits. */
export const DESTINATIONS: ReadonlyArray<{ first: number; last: number; far_end: FarEnd }> = [
  { first: 0, last: 79, far_end: 'answer' },
  { first: 80, last: 84, far_end: 'busy' },
  { first: 85, last: 89, far_end: 'no_answer' },
  { first: 90, last: 93, far_end: 'reject' },
  { first: 94, last: 95, far_end: 'not_found' },
  { first: 96, last: 97, far_end: 'answer_then_hangup' },
  { first: 98, last: 99, far_end: 'machine' },
];

/** What the destination does: by its last two digits (a SIP URI's user part's), "answer" when it has none. */
export function farEndFor(to: string): FarEnd {
  const user = to.startsWith('sip') ? to.slice(to.indexOf(':') + 1).split('@')[0]! : to;
  const match = /(\d\d)$/.exec(user);
  if (match === null) return 'answer';
  const digits = Number(match[1]);
  return DESTINATIONS.find((row) => digits >= row.first && digits <= row.last)!.far_end;
}

export interface OutgoingLeg {
  call_session_id?: string;
  connection_id: string;
  from: string;
  to: string;
  caller_id_name: string | null;
  client_state: string | null;
  urls: string[];
  timeout_secs: number;
  time_limit_secs: number;
  answering_machine_detection: string;
  record_from_answer: Leg['record_from_answer'];
  custom_headers: unknown[];
  sip_headers: unknown[];
  transfer_of: string | null;
  bridge_on_answer: string | null;
  park_after_unbridge: string | null;
  origin: string;
}

/** What a dial's or a transfer's body says about the leg it creates, read the same way for both. */
export function legOptions(f: Record<string, unknown>) {
  return {
    to: f.to as string,
    caller_id_name: (f.from_display_name as string | undefined) ?? null,
    timeout_secs: f.timeout_secs as number,
    time_limit_secs: f.time_limit_secs as number,
    answering_machine_detection: f.answering_machine_detection as string,
    custom_headers: f.custom_headers as unknown[],
    sip_headers: f.sip_headers as unknown[],
    park_after_unbridge: null,
  };
}

/** A new outgoing leg: call.initiated now, then the far end's answer (or not) after voice.ring_ms. */
export function createOutgoingLeg(ctx: SimContext, options: OutgoingLeg, at: number): Leg {
  const leg: Leg = {
    call_control_id: newCallControlId(),
    call_leg_id: crypto.randomUUID(),
    call_session_id: options.call_session_id ?? crypto.randomUUID(),
    connection_id: options.connection_id,
    direction: 'outgoing',
    from: options.from,
    to: options.to,
    caller_id_name: options.caller_id_name,
    status: 'ringing',
    client_state: options.client_state,
    urls: options.urls,
    start_time: at,
    answered_at: null,
    end_time: null,
    hangup: null,
    far_end: farEndFor(options.to),
    timeout_secs: options.timeout_secs,
    answering_machine_detection: options.answering_machine_detection,
    record_from_answer: options.record_from_answer,
    bridged_with: null,
    park_after_unbridge: options.park_after_unbridge,
    transfer_of: options.transfer_of,
    transfer_to: null,
    bridge_on_answer: options.bridge_on_answer,
    media: [],
    overlays: [],
    gather: null,
    recording: null,
    custom_headers: options.custom_headers,
    sip_headers: options.sip_headers,
    origin: options.origin,
  };
  emitInitiated(ctx, leg, at);
  if (leg.far_end !== 'no_answer') setTimer(ctx, leg, 'ring', at + ctx.settings.voice.ring_ms);
  setTimer(ctx, leg, 'timeout', at + leg.timeout_secs * 1000);
  setTimer(ctx, leg, 'time_limit', at + options.time_limit_secs * 1000);
  saveLeg(ctx, leg);
  return leg;
}

/** A Call Control application's webhook URLs, with `override` (a command's webhook_url) first. */
export function applicationUrls(application: Record<string, unknown>, override?: unknown): string[] {
  const primary = typeof override === 'string' && override !== '' ? override : application.webhook_event_url;
  return [primary, application.webhook_event_failover_url].filter(
    (u): u is string => typeof u === 'string' && u !== '',
  );
}

/** The connection a dial names: it must be a Call Control application of the account. */
function dialApplication(ctx: SimContext, id: string) {
  const application = findResource(ctx, id, ['call_control_application']);
  if (application !== undefined) return application;
  const other = findResource(ctx, id, ['credential_connection', 'ip_connection', 'fqdn_connection']);
  throw invalidField(
    '/connection_id',
    other === undefined
      ? `No Call Control application with id ${id} on this account.`
      : `Connection ${id} is a ${other.record_type}; Call Control dials from a Call Control application.`,
  );
}

export function dial(ctx: SimContext, body: Record<string, unknown>, origin: string): Record<string, unknown> {
  const repeat = repeatOf(ctx, 'dial', body.command_id);
  if (repeat !== undefined) return repeat as Record<string, unknown>;
  requireFields(body, ['connection_id', 'to', 'from']);
  let to = body.to;
  if (Array.isArray(to)) {
    if (to.length !== 1) {
      throw invalidField(
        '/to',
        'The simulator dials one destination at a time; simultaneous ringing is not simulated.',
      );
    }
    to = to[0];
  }
  const f = applyFields(DIAL_FIELDS, { ...body, to }, defaultsOf(DIAL_FIELDS));
  oneMediaSource(body, ['audio_url', 'media_name'], false);
  const application = dialApplication(ctx, f.connection_id as string);
  let linked: Leg | undefined;
  if (f.link_to !== undefined) {
    linked = loadLeg(ctx, f.link_to as string);
    if (linked === undefined) throw invalidField('/link_to', `No call with call_control_id ${String(f.link_to)}.`);
  }
  if ((f.bridge_on_answer || f.bridge_intent) && linked === undefined) {
    throw invalidField('/link_to', 'link_to is required with bridge_on_answer and bridge_intent.');
  }
  const recordFromAnswer =
    f.record === 'record-from-answer'
      ? {
          id: crypto.randomUUID(),
          format: f.record_format as 'mp3' | 'wav',
          channels: f.record_channels as 'single' | 'dual',
        }
      : null;
  const leg = createOutgoingLeg(
    ctx,
    {
      ...legOptions(f),
      call_session_id: linked?.call_session_id,
      connection_id: application.id,
      from: f.from as string,
      client_state: (f.client_state as string | undefined) ?? null,
      urls: applicationUrls(application, f.webhook_url),
      record_from_answer: recordFromAnswer,
      transfer_of: null,
      bridge_on_answer: f.bridge_on_answer ? linked!.call_control_id : null,
      origin,
    },
    ctx.now(),
  );
  const response = {
    record_type: 'call',
    call_control_id: leg.call_control_id,
    call_leg_id: leg.call_leg_id,
    call_session_id: leg.call_session_id,
    is_alive: false,
    ...(leg.client_state !== null && { client_state: leg.client_state }),
    ...(recordFromAnswer !== null && { recording_id: recordFromAnswer.id }),
  };
  remember(ctx, 'dial', body.command_id, response);
  return response;
}
