// Telnyx webhook signatures, checked in small named steps: parse the keys, parse the headers,
// check the time window, then check the signature over `${telnyx-timestamp}|${raw body}`.
//
// Everything is strict on purpose. The timestamp must be digits only (a parseInt-style reading
// lets "1700000000abc" or "NaN" through the replay check); the signature must be canonical
// standard base64 of exactly 64 bytes; each key exactly 32 bytes. Two kinds of failure:
//   WebhookVerificationError: this request is not a genuine, fresh Telnyx webhook (answer 401);
//   WebhookConfigError: the edge cannot check anything (no or bad key, bad window); answer 503
//     and accept nothing until an operator fixes it.

import { decodeBase64Strict } from '../base64';
import { verifierFor, type Ed25519Engine } from './ed25519';

export const SIGNATURE_HEADER = 'telnyx-signature-ed25519';
export const TIMESTAMP_HEADER = 'telnyx-timestamp';
/** Telnyx's own SDKs allow ±300 s. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const MAX_TOLERANCE_SECONDS = 3600;

export type VerificationFailure =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'malformed_timestamp'
  | 'timestamp_outside_window'
  | 'malformed_signature'
  | 'signature_mismatch';

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  constructor(
    readonly reason: VerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

export class WebhookConfigError extends Error {
  override readonly name = 'WebhookConfigError';
}

/**
 * TELNYX_PUBLIC_KEY: one or more base64 Ed25519 public keys separated by spaces or commas
 * (several while Telnyx rotates keys). Throws WebhookConfigError when it is missing or any
 * entry is not a 32-byte key: a half-working key list would hide the mistake.
 */
export function parsePublicKeys(value: string | undefined): Uint8Array[] {
  const entries = (value ?? '').split(/[\s,]+/).filter((entry) => entry !== '');
  if (entries.length === 0) {
    throw new WebhookConfigError(
      'TELNYX_PUBLIC_KEY is not set, so every webhook is refused. Copy the public key from the Telnyx portal ' +
        '(Keys & Credentials, Public Key) and set it with `wrangler secret put TELNYX_PUBLIC_KEY`.',
    );
  }
  return entries.map((entry, index) => {
    const key = decodeBase64Strict(entry);
    if (key === undefined || key.length !== 32) {
      const found = key === undefined ? 'is not standard base64' : `decodes to ${key.length} bytes`;
      throw new WebhookConfigError(
        `TELNYX_PUBLIC_KEY entry ${index + 1} ${found}; each key must be the base64 of 32 bytes, ` +
          'as shown in the Telnyx portal. Separate several keys with spaces or commas.',
      );
    }
    return key;
  });
}

/** WEBHOOK_TOLERANCE_SECONDS: whole seconds, 1 to 3600; unset means 300. It cannot turn the check off. */
export function parseToleranceSeconds(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_TOLERANCE_SECONDS;
  const trimmed = value.trim();
  const seconds = /^\d{1,4}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(seconds >= 1 && seconds <= MAX_TOLERANCE_SECONDS)) {
    throw new WebhookConfigError(
      `WEBHOOK_TOLERANCE_SECONDS is "${value}"; it must be a whole number of seconds from 1 to ${MAX_TOLERANCE_SECONDS} ` +
        '(the replay window cannot be switched off).',
    );
  }
  return seconds;
}

/** The timestamp header as Unix seconds; digits only, within ±tolerance of now. */
export function checkTimestamp(header: string | null, nowSeconds: number, toleranceSeconds: number): number {
  if (header === null || header === '') {
    throw new WebhookVerificationError(
      'missing_timestamp',
      `The ${TIMESTAMP_HEADER} header is missing. Is this request from Telnyx, and does a proxy strip headers?`,
    );
  }
  const seconds = /^\d{1,15}$/.test(header) ? Number(header) : NaN;
  if (!Number.isSafeInteger(seconds)) {
    throw new WebhookVerificationError(
      'malformed_timestamp',
      `The ${TIMESTAMP_HEADER} header must be Unix seconds, digits only.`,
    );
  }
  if (Math.abs(nowSeconds - seconds) > toleranceSeconds) {
    throw new WebhookVerificationError(
      'timestamp_outside_window',
      `The ${TIMESTAMP_HEADER} header is ${seconds - nowSeconds} s from this server's clock; at most ` +
        `±${toleranceSeconds} s is accepted. A replayed webhook, or a clock that is off.`,
    );
  }
  return seconds;
}

/** The signature header as its 64 bytes. */
export function parseSignature(header: string | null): Uint8Array {
  if (header === null || header === '') {
    throw new WebhookVerificationError(
      'missing_signature',
      `The ${SIGNATURE_HEADER} header is missing. Is this request from Telnyx, and does a proxy strip headers?`,
    );
  }
  const signature = decodeBase64Strict(header);
  if (signature === undefined || signature.length !== 64) {
    throw new WebhookVerificationError(
      'malformed_signature',
      `The ${SIGNATURE_HEADER} header must be standard, padded base64 of a 64-byte Ed25519 signature.`,
    );
  }
  return signature;
}

/** The bytes Telnyx signs: the timestamp header, "|", then the raw body exactly as received. */
export function signedBytes(timestampHeader: string, rawBody: Uint8Array): Uint8Array {
  const prefix = new TextEncoder().encode(`${timestampHeader}|`);
  const bytes = new Uint8Array(prefix.length + rawBody.length);
  bytes.set(prefix);
  bytes.set(rawBody, prefix.length);
  return bytes;
}

export interface SignedWebhook {
  /** Value of telnyx-timestamp, or null when absent. */
  timestamp: string | null;
  /** Value of telnyx-signature-ed25519, or null when absent. */
  signature: string | null;
  /** The request body, byte for byte, before any parsing. */
  rawBody: Uint8Array;
}

export interface VerifyOptions {
  keys: readonly Uint8Array[];
  toleranceSeconds: number;
  nowSeconds: number;
  /** 'auto' (default) uses WebCrypto when the runtime has Ed25519, else @noble/ed25519. */
  engine?: Ed25519Engine | 'auto';
}

/**
 * Resolves with the webhook's timestamp (Unix seconds) when it carries a valid signature by one
 * of `keys`, made within the time window; otherwise throws WebhookVerificationError.
 */
export async function verifyWebhookSignature(webhook: SignedWebhook, options: VerifyOptions): Promise<number> {
  if (options.keys.length === 0) throw new WebhookConfigError('No public key to verify webhooks with.');
  const signature = parseSignature(webhook.signature);
  const timestamp = checkTimestamp(webhook.timestamp, options.nowSeconds, options.toleranceSeconds);
  const message = signedBytes(webhook.timestamp!, webhook.rawBody);
  const verifier = await verifierFor(options.engine ?? 'auto');
  for (const key of options.keys) {
    if (await verifier.verify(key, signature, message)) return timestamp;
  }
  throw new WebhookVerificationError(
    'signature_mismatch',
    'The signature does not match this body and timestamp for any configured TELNYX_PUBLIC_KEY. Check that the key is ' +
      "this Telnyx account's public key, and that the body reaches the edge byte for byte (re-serialised JSON never verifies).",
  );
}
