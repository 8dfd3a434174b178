// The simulator's knobs, changed with PATCH /sim/settings and kept across restarts until a reset.
// Defaults follow Telnyx where Telnyx has a rule (TELNYX-FACTS.md); the delays are shortened so a
// person at a terminal sees a message go through in about a second.

import { badRequest } from '../shared/errors';
import { ACCOUNT_MPS } from '../shared/telnyx/throughput';

export interface SimSettings {
  /** An inbound STOP (and its synonyms) blocks the messaging profile for that sender, as Telnyx does. */
  stop_blocks: boolean;
  /** API requests per second accepted before 429 with x-ratelimit-* headers. */
  rate_limit_per_second: number;
  /** Delays from a send (or inbound message) to the webhooks it causes. */
  latency_ms: { sent: number; finalized: number; inbound: number };
  /** Delivery attempts per URL before moving to the failover URL (Telnyx: 3). */
  attempts_per_url: number;
  /** Wait between delivery attempts. */
  retry_delay_ms: number;
  /** How long a webhook endpoint has to answer (Telnyx: 2 s). */
  webhook_timeout_ms: number;
  /** Where webhooks go when neither the message nor its profile names a URL; null: SIM_WEBHOOK_BASE. */
  webhook_base: string | null;
  /** Sends queued further ahead than this are refused with 40318 (Telnyx: 4 h). */
  queue_horizon_seconds: number;
  /** Account-wide throughput, in message parts per second (Telnyx: 50 SMS, 15 MMS). */
  account_mps: { sms: number; mms: number };
  /**
   * Countries whose numbers this account cannot look up: Telnyx answers 422 for them (as it does
   * for Canadian numbers on accounts not enabled for Canada).
   */
  lookup_refused_countries: string[];
  /**
   * Credential connections' passwords shown as "********" except in the answer to the create or
   * update that set them, as Telnyx does for accounts created from 8 September 2026 on.
   */
  mask_connection_passwords: boolean;
  /** Call timing. */
  voice: {
    /** How long an outgoing leg rings before its destination answers, is busy or refuses. */
    ring_ms: number;
    /** How long an inbound call rings unanswered before the caller gives up (originator_cancel). */
    inbound_ring_ms: number;
    /** A speak lasts this long per character of its text... */
    speak_ms_per_char: number;
    /** ...and at least this long. */
    speak_min_ms: number;
    /** One play of an audio file. */
    playback_ms: number;
    /** How long destinations ending in 96-97 stay on the line before hanging up. */
    callee_hangup_ms: number;
  };
}

export const DEFAULT_SETTINGS: SimSettings = {
  stop_blocks: true,
  rate_limit_per_second: 200,
  latency_ms: { sent: 150, finalized: 600, inbound: 50 },
  attempts_per_url: 3,
  retry_delay_ms: 500,
  webhook_timeout_ms: 2000,
  webhook_base: null,
  queue_horizon_seconds: 4 * 3600,
  account_mps: { ...ACCOUNT_MPS },
  lookup_refused_countries: [],
  mask_connection_passwords: false,
  voice: {
    ring_ms: 2000,
    inbound_ring_ms: 30_000,
    speak_ms_per_char: 60,
    speak_min_ms: 500,
    playback_ms: 3000,
    callee_hangup_ms: 10_000,
  },
};

function number(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw badRequest(`${name} must be a number from ${min} to ${max}.`, { pointer: `/${name.replace(/\./g, '/')}` });
  }
  return value;
}

/** Applies a PATCH body to the settings, refusing unknown keys and out-of-range values. */
export function mergeSettings(current: SimSettings, patch: Record<string, unknown>): SimSettings {
  const next: SimSettings = structuredClone(current);
  for (const [key, value] of Object.entries(patch)) {
    switch (key) {
      case 'stop_blocks':
      case 'mask_connection_passwords':
        if (typeof value !== 'boolean') throw badRequest(`${key} must be true or false.`, { pointer: `/${key}` });
        next[key] = value;
        break;
      case 'rate_limit_per_second':
        next.rate_limit_per_second = number(value, key, 1, 100_000);
        break;
      case 'attempts_per_url':
        next.attempts_per_url = number(value, key, 1, 10);
        break;
      case 'retry_delay_ms':
        next.retry_delay_ms = number(value, key, 0, 600_000);
        break;
      case 'webhook_timeout_ms':
        next.webhook_timeout_ms = number(value, key, 1, 60_000);
        break;
      case 'queue_horizon_seconds':
        next.queue_horizon_seconds = number(value, key, 1, 7 * 86_400);
        break;
      case 'webhook_base':
        if (value !== null && (typeof value !== 'string' || !/^https?:\/\//.test(value))) {
          throw badRequest('webhook_base must be an http(s) URL or null.', { pointer: '/webhook_base' });
        }
        next.webhook_base = value === null ? null : value.replace(/\/+$/, '');
        break;
      case 'lookup_refused_countries':
        if (!Array.isArray(value) || !value.every((c) => typeof c === 'string' && /^[A-Z]{2}$/.test(c))) {
          throw badRequest('lookup_refused_countries must be a list of ISO 3166 country codes.', {
            pointer: '/lookup_refused_countries',
          });
        }
        next.lookup_refused_countries = value as string[];
        break;
      case 'latency_ms':
      case 'account_mps':
      case 'voice': {
        if (typeof value !== 'object' || value === null)
          throw badRequest(`${key} must be an object.`, { pointer: `/${key}` });
        const target = next[key] as unknown as Record<string, number>;
        for (const [inner, innerValue] of Object.entries(value)) {
          if (!Object.hasOwn(target, inner))
            throw badRequest(`${key}.${inner} is not a setting.`, { pointer: `/${key}/${inner}` });
          target[inner] = number(innerValue, `${key}.${inner}`, key === 'account_mps' ? 0.001 : 0, 3_600_000);
        }
        break;
      }
      default:
        throw badRequest(`"${key}" is not a simulator setting.`, { pointer: `/${key}` });
    }
  }
  return next;
}
