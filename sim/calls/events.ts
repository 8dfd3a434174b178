// Call Control webhooks in Telnyx's shape (the SUBSET's "Call webhooks", the SDK's
// CallInitiated, CallAnswered, CallHangup, ... payloads), sent through the simulator's webhook
// machinery (webhooks/events.ts): the v2 envelope, Ed25519 signatures, retries, failover and
// faults, like every other event. Each carries the leg's ids, its connection and its current
// client_state; occurred_at strictly increases from one call event to the next, so a receiver can
// put them back in order whatever order they arrive in.

import type {
  CallAnswered,
  CallBridged,
  CallHangup,
  CallInitiated,
  CallRecordingSaved,
} from 'telnyx/resources/webhooks';
import type { SimContext } from '../context';
import { createEvent } from '../webhooks/events';
import { note, type Leg } from './state';

/** Events whose payload leaves out from and to (the spec's CallSpeakEnded, CallPlaybackEnded, ...). */
const WITHOUT_PARTIES = new Set([
  'call.speak.started',
  'call.speak.ended',
  'call.playback.started',
  'call.playback.ended',
  'call.recording.saved',
]);

/** A call event's time: `at`, or just after the previous call event if that was later. */
function occurredAt(ctx: SimContext, at: number): number {
  const last = Number(ctx.store.getValue('call_event_clock') ?? '0');
  const occurred = Math.max(at, last + 1);
  ctx.store.setValue('call_event_clock', String(occurred));
  return occurred;
}

export function emit(ctx: SimContext, leg: Leg, eventType: string, at: number, extra: object = {}) {
  const payload: Record<string, unknown> = {
    ...(eventType === 'call.recording.saved' ? {} : { call_control_id: leg.call_control_id }),
    call_leg_id: leg.call_leg_id,
    call_session_id: leg.call_session_id,
    client_state: leg.client_state,
    connection_id: leg.connection_id,
    ...(WITHOUT_PARTIES.has(eventType) ? {} : { from: leg.from, to: leg.to }),
    ...extra,
  };
  const occurred = occurredAt(ctx, at);
  const eventId = createEvent(ctx, { eventType, payload, urls: leg.urls, dueAt: at, occurredAt: occurred });
  note(ctx, leg, 'event', eventType, { event_id: eventId, ...extra }, occurred);
  return eventId;
}

const iso = (ctx: SimContext, ms: number | null) => (ms === null ? null : ctx.iso(ms));

export function emitInitiated(ctx: SimContext, leg: Leg, at: number): string {
  const incoming = leg.direction === 'incoming';
  const extra: CallInitiated.Payload = {
    direction: leg.direction,
    state: incoming ? 'parked' : 'bridging',
    caller_id_name: leg.caller_id_name ?? leg.from,
    start_time: ctx.iso(leg.start_time),
    connection_codecs: 'G722,PCMU,PCMA,G729,OPUS,VP8,H264',
    offered_codecs: 'PCMU,PCMA,G722',
    custom_headers: leg.custom_headers as CallInitiated.Payload['custom_headers'],
    sip_headers: leg.sip_headers as CallInitiated.Payload['sip_headers'],
    tags: [],
    ...(incoming && { shaken_stir_attestation: 'A', shaken_stir_validated: true }),
  };
  return emit(ctx, leg, 'call.initiated', at, extra);
}

export function emitAnswered(ctx: SimContext, leg: Leg, at: number): string {
  const extra: CallAnswered.Payload = {
    state: 'answered',
    start_time: ctx.iso(leg.start_time),
    custom_headers: leg.custom_headers as CallAnswered.Payload['custom_headers'],
    sip_headers: leg.sip_headers as CallAnswered.Payload['sip_headers'],
    tags: [],
  };
  return emit(ctx, leg, 'call.answered', at, extra);
}

export function emitBridged(ctx: SimContext, leg: Leg, at: number): string {
  const extra: CallBridged.Payload & { state: 'bridged' } = { state: 'bridged' };
  return emit(ctx, leg, 'call.bridged', at, extra);
}

export function emitHangup(ctx: SimContext, leg: Leg, at: number): string {
  const answered = leg.answered_at !== null;
  const seconds = answered ? Math.max(1, Math.round((at - (leg.answered_at ?? at)) / 1000)) : 0;
  const extra: CallHangup.Payload = {
    state: 'hangup',
    start_time: ctx.iso(leg.start_time),
    hangup_cause: leg.hangup!.hangup_cause as CallHangup.Payload['hangup_cause'],
    hangup_source: leg.hangup!.hangup_source,
    sip_hangup_cause: leg.hangup!.sip_hangup_cause,
    call_quality_stats: answered
      ? {
          inbound: {
            jitter_max_variance: '2.74',
            jitter_packet_count: '0',
            mos: '4.50',
            packet_count: String(seconds * 50),
            skip_packet_count: '0',
          },
          outbound: { packet_count: String(seconds * 50), skip_packet_count: '0' },
        }
      : null,
    custom_headers: leg.custom_headers as CallHangup.Payload['custom_headers'],
    sip_headers: leg.sip_headers as CallHangup.Payload['sip_headers'],
    tags: [],
  };
  return emit(ctx, leg, 'call.hangup', at, extra);
}

export function emitRecordingSaved(
  ctx: SimContext,
  leg: Leg,
  recording: { id: string; format: string; channels: 'single' | 'dual'; started_at: number; origin: string },
  at: number,
): string {
  const url = `${recording.origin}/sim/recordings/${recording.id}.${recording.format}`;
  const urls = { mp3: recording.format === 'mp3' ? url : null, wav: recording.format === 'wav' ? url : null };
  const extra: CallRecordingSaved.Payload = {
    channels: recording.channels,
    recording_started_at: iso(ctx, recording.started_at) ?? undefined,
    recording_ended_at: ctx.iso(at),
    recording_urls: urls,
    public_recording_urls: urls,
  };
  return emit(ctx, leg, 'call.recording.saved', at, extra);
}
