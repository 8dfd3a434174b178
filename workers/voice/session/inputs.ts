// From Telnyx's call events to the engine's inputs, and the client_state the edge puts on its
// commands: base64 of a small JSON object that Telnyx echoes on the events the command causes.
//   { s: <step> }   on every command of a flow: the step it belongs to (stale events are dropped)
//   { f: <flow> }   on a dial the edge placed with a flow: which flow runs when it is answered

import { decodeBase64Strict, encodeBase64 } from '../../../shared/base64';
import { decodeUtf8 } from '../../../shared/http';
import type { Input } from './engine';

export interface ClientState {
  s?: number;
  f?: string;
}

export function encodeClientState(state: ClientState): string {
  return encodeBase64(new TextEncoder().encode(JSON.stringify(state)));
}

/** The edge's client_state, or {} when the value is absent or someone else's. */
export function decodeClientState(value: unknown): ClientState {
  if (typeof value !== 'string' || value === '') return {};
  try {
    const bytes = decodeBase64Strict(value);
    const text = bytes === undefined ? undefined : decodeUtf8(bytes);
    if (text === undefined) return {};
    const parsed = JSON.parse(text) as unknown;
    if (typeof parsed !== 'object' || parsed === null) return {};
    const { s, f } = parsed as Record<string, unknown>;
    return {
      ...(typeof s === 'number' && Number.isInteger(s) && { s }),
      ...(typeof f === 'string' && { f }),
    };
  } catch {
    return {};
  }
}

const str = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * The engine's input for an event, or undefined for events the engine has no use for (they are
 * still recorded in the call's timeline): speak/playback started, DTMF, machine detection, ...
 */
export function inputOf(eventType: string, payload: Record<string, unknown>): Input | undefined {
  const leg = str(payload.call_control_id);
  const clientState = decodeClientState(payload.client_state);
  const step = clientState.s;
  switch (eventType) {
    case 'call.initiated':
      if (leg === null) return undefined;
      return {
        type: 'initiated',
        leg,
        leg_id: str(payload.call_leg_id),
        direction: payload.direction === 'outgoing' ? 'outgoing' : 'incoming',
        from: str(payload.from),
        to: str(payload.to),
        connection_id: str(payload.connection_id),
        flow_id: clientState.f ?? null,
      };
    case 'call.answered':
      return leg === null ? undefined : { type: 'answered', leg, step };
    case 'call.speak.ended':
    case 'call.playback.ended':
      return leg === null ? undefined : { type: 'prompt_ended', leg, status: str(payload.status), step };
    case 'call.gather.ended':
      return leg === null
        ? undefined
        : { type: 'gather_ended', leg, digits: str(payload.digits) ?? '', status: str(payload.status), step };
    case 'call.bridged':
      return leg === null ? undefined : { type: 'bridged', leg };
    case 'call.hangup':
      return leg === null
        ? undefined
        : { type: 'hangup', leg, cause: str(payload.hangup_cause), source: str(payload.hangup_source) };
    case 'call.recording.saved': {
      const urls = (payload.recording_urls ?? payload.public_recording_urls) as Record<string, unknown> | undefined;
      const kept = Object.fromEntries(
        Object.entries(urls ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      return { type: 'recording_saved', urls: kept };
    }
    default:
      return undefined;
  }
}
