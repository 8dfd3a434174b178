// What crosses between the messaging routes (stateless, at every request) and a pool's Durable
// Object (stateful, one per profile). Requests are checked before they get here; the pool decides
// what only it can: the sender, throughput, opt-outs, timing.

import type { TelnyxErrorObject } from '../../../shared/errors';
import type { NumberType } from '../../../shared/telnyx/throughput';
import type { EdgeProfile } from '../profiles';

export interface PoolNumber {
  phone_number: string;
  type: NumberType;
  /** Parts per second for this number; null: the profile's override for its type, else Telnyx's default. */
  mps: number | null;
  country: string | null;
  /** NANP numbers: the area code, for geomatch. */
  area_code: string | null;
}

/** A send, checked and encoded; the pool chooses the sender (unless `from` is given) and the time. */
export interface SendRequest {
  to: string;
  toCallingCode: string;
  toCountry: string | null;
  toAreaCode: string | null;
  /** The recipient's time zone, for quiet hours. */
  toTimeZone: string;
  from: string | null;
  type: 'SMS' | 'MMS';
  text: string;
  subject: string | null;
  mediaUrls: string[];
  parts: number;
  encoding: 'GSM-7' | 'UCS-2';
  smartEncodingApplied: boolean;
  /** send_at, ms since the epoch; null: now. */
  sendAt: number | null;
  /** Ask for a short code (Telnyx's pool never uses one). */
  useShortCode: boolean;
  /** The message's own webhook_url: this message's events are forwarded there. */
  webhookUrl: string | null;
  /** Idempotency-Key: the same key within 24 h answers the first send's result, sending nothing. */
  idempotencyKey: string | null;
}

/** Everything a pool call needs from outside the object: the profile as KV holds it now, and the
 * edge's own URL (Telnyx's webhooks for messages the pool sends come back there). */
export interface PoolContext {
  profile: EdgeProfile;
  webhookBase: string;
}

/** Errors cross the RPC boundary as data: an exception would lose its status and Telnyx body. */
export type PoolResult<T> =
  { ok: true; value: T } | { ok: false; status: number; errors: TelnyxErrorObject[]; headers?: Record<string, string> };

/** A verified Telnyx messaging event, as the webhook route hands it to the pool. */
export interface PoolEvent {
  id: string;
  eventType: string;
  occurredAt: string | undefined;
  payload: Record<string, unknown>;
  /** The edge message id the pool put in the webhook URL of a send, when the event names one. */
  edgeId: string | null;
}

/** What the webhook route gives the pool's inbox: the event and the body exactly as signed. */
export interface InboxEvent {
  id: string;
  eventType: string;
  occurredAt: string | undefined;
  edgeId: string | null;
  path: string;
  body: string;
}

export interface EventOutcome {
  /** What the pool did: e.g. "opted_out", "help_replied", "status:delivered", "duplicate", "ignored". */
  actions: string[];
  /** Where this event should be forwarded, if anywhere: the message's own URL, else the pool's. */
  forwardUrl: string | null;
}
