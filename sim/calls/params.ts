// Fields Call Control commands share: client_state (base64, echoed on later webhooks), command_id,
// parties (a +E.164 number or a SIP URI), headers, the answer-time recording options, timeouts;
// and the whole of a dial's CallRequest.

import { decodeBase64Strict } from '../../shared/base64';
import { ApiError, TelnyxCode } from '../../shared/errors';
import { bool, int, invalidField, list, object, oneOf, str, url, type Field, type Fields } from '../api/fields';

const E164 = /^\+[1-9]\d{1,14}$/;
const SIP_URI = /^sips?:[^@\s]+@[^\s]+$/i;

export const base64: Field = {
  check(value, pointer) {
    if (typeof value !== 'string' || value === '' || decodeBase64Strict(value) === undefined) {
      throw invalidField(pointer, `${pointer.slice(1)} must be a valid Base-64 encoded string.`);
    }
    return value;
  },
};

/** A caller or destination: +E.164 or a SIP URI (10016 when it is neither). */
export const party: Field = {
  check(value, pointer) {
    if (typeof value === 'string' && (E164.test(value) || SIP_URI.test(value))) return value;
    throw new ApiError(422, {
      code: TelnyxCode.notE164,
      title: 'Phone number must be in +E.164 format',
      detail: `${pointer.slice(1)} must be a +E.164 number or a SIP URI (sip:user@host).`,
      source: { pointer },
    });
  },
};

const header = object({ name: str({ min: 1 }), value: str() });

export const COMMON: Fields = {
  client_state: base64,
  command_id: str({ min: 1, max: 255 }),
};

export const WEBHOOK: Fields = {
  webhook_url: url(),
  webhook_url_method: oneOf(['POST', 'GET'], { default: 'POST' }),
};

export const HEADERS: Fields = {
  custom_headers: list(header, { default: [] }),
  sip_headers: list(header, { default: [] }),
};

export const RECORD_ON_ANSWER: Fields = {
  record: oneOf(['record-from-answer']),
  record_channels: oneOf(['single', 'dual'], { default: 'dual' }),
  record_format: oneOf(['wav', 'mp3'], { default: 'mp3' }),
  record_max_length: int({ min: 0, max: 43200, default: 0 }),
  record_custom_file_name: str({ min: 1, max: 40 }),
  record_track: oneOf(['both', 'inbound', 'outbound'], { default: 'both' }),
  record_trim: oneOf(['trim-silence']),
};

export const AMD = oneOf(['premium', 'detect', 'detect_beep', 'detect_words', 'greeting_end', 'disabled'], {
  default: 'disabled',
});

export const TIMING: Fields = {
  timeout_secs: int({ min: 5, max: 600, default: 30 }),
  time_limit_secs: int({ min: 30, max: 14400, default: 14400 }),
};

export const DIAL_FIELDS: Fields = {
  ...COMMON,
  ...WEBHOOK,
  ...HEADERS,
  ...RECORD_ON_ANSWER,
  ...TIMING,
  connection_id: str({ min: 1 }),
  to: party,
  from: party,
  from_display_name: str({ max: 128 }),
  answering_machine_detection: AMD,
  link_to: str({ min: 1 }),
  bridge_on_answer: bool({ default: false }),
  bridge_intent: bool({ default: false }),
  audio_url: url(),
  media_name: str({ min: 1 }),
  media_encryption: oneOf(['disabled', 'SRTP', 'DTLS'], { default: 'disabled' }),
  sip_transport_protocol: oneOf(['UDP', 'TCP', 'TLS'], { default: 'UDP' }),
  send_silence_when_idle: bool({ default: false }),
  enable_dialogflow: bool({ default: false }),
};

/** audio_url and media_name are each the other's alternative: one of them, never both. */
export function oneMediaSource(body: Record<string, unknown>, names: readonly string[], required: boolean): void {
  const given = names.filter((n) => body[n] !== undefined && body[n] !== null);
  if (given.length > 1) throw invalidField(`/${given[1]}`, `${names.join(' and ')} cannot be used together.`);
  if (required && given.length === 0) throw invalidField(`/${names[0]}`, `Give one of ${names.join(', ')}.`);
}

export { SIP_URI };
