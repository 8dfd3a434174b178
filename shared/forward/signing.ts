// Standard Webhooks signing (https://www.standardwebhooks.com/) for the events the edge forwards to
// the business's own URL, so any Standard Webhooks library (svix, standardwebhooks, ...) can check
// them with the same secret:
//
//   webhook-id:        the message id; the same on every retry and redrive, so the receiver can dedupe
//   webhook-timestamp: Unix seconds when this attempt was signed
//   webhook-signature: "v1," + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`))
//
// The secret (FORWARD_SIGNING_SECRET) is read as the spec writes it: "whsec_" + standard base64 of
// the key bytes. A secret WITHOUT that prefix is used as its raw UTF-8 bytes (a value generated
// with `openssl rand -hex 32` works as is; the receiver must then be given the same bytes). A
// secret WITH the prefix whose rest is not canonical base64 is refused rather than guessed at: no
// Standard Webhooks library could verify what it signs. Keys shorter than 16 bytes are refused too.

import { decodeBase64Strict, encodeBase64 } from '../base64';

export const SECRET_PREFIX = 'whsec_';
export const ID_HEADER = 'webhook-id';
export const TIMESTAMP_HEADER = 'webhook-timestamp';
export const SIGNATURE_HEADER = 'webhook-signature';
/** The spec's recommended window for webhook-timestamp, either side of now. */
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const MIN_KEY_BYTES = 16;

/** FORWARD_SIGNING_SECRET is missing or unusable: nothing can be signed until an operator fixes it. */
export class SigningSecretError extends Error {
  override readonly name = 'SigningSecretError';
}

const utf8 = new TextEncoder();

/** The HMAC key bytes a secret stands for (see the top of this file); throws SigningSecretError. */
export function signingKeyBytes(secret: string | undefined): Uint8Array {
  if (secret === undefined || secret === '') {
    throw new SigningSecretError(
      'FORWARD_SIGNING_SECRET is not set, so forwarded events cannot be signed. Set it with ' +
        '`wrangler secret put FORWARD_SIGNING_SECRET` to "whsec_" + the base64 of 24 to 64 random bytes.',
    );
  }
  let key: Uint8Array;
  if (secret.startsWith(SECRET_PREFIX)) {
    const decoded = decodeBase64Strict(secret.slice(SECRET_PREFIX.length));
    if (decoded === undefined) {
      throw new SigningSecretError(
        'FORWARD_SIGNING_SECRET starts with "whsec_" but the rest is not standard base64 ' +
          '(A-Z a-z 0-9 + /, "=" padding), so no Standard Webhooks library could verify its signatures.',
      );
    }
    key = decoded;
  } else {
    key = utf8.encode(secret);
  }
  if (key.length < MIN_KEY_BYTES) {
    throw new SigningSecretError(
      `FORWARD_SIGNING_SECRET holds a ${key.length}-byte key; use at least ${MIN_KEY_BYTES} bytes (24 to 64 recommended).`,
    );
  }
  return key;
}

/** Imports the secret as an HMAC-SHA256 key (for both signing and verifying); throws SigningSecretError. */
export async function importSigningKey(secret: string | undefined): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', signingKeyBytes(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

function signedContent(id: string, timestamp: number | string, body: string): Uint8Array {
  return utf8.encode(`${id}.${timestamp}.${body}`);
}

/** The webhook-signature value for one message: "v1," + base64 of the HMAC. */
export async function signStandardWebhook(
  key: CryptoKey | string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const cryptoKey = typeof key === 'string' ? await importSigningKey(key) : key;
  const mac = await crypto.subtle.sign('HMAC', cryptoKey, signedContent(id, timestamp, body));
  return `v1,${encodeBase64(new Uint8Array(mac))}`;
}

/** The three Standard Webhooks headers for `body`, signed now. */
export async function standardWebhookHeaders(
  key: CryptoKey | string,
  id: string,
  body: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Promise<Record<string, string>> {
  return {
    [ID_HEADER]: id,
    [TIMESTAMP_HEADER]: String(nowSeconds),
    [SIGNATURE_HEADER]: await signStandardWebhook(key, id, nowSeconds, body),
  };
}

export type StandardWebhookFailure =
  'missing_headers' | 'malformed_timestamp' | 'timestamp_outside_window' | 'no_matching_signature';

export type StandardWebhookVerification = { ok: true } | { ok: false; reason: StandardWebhookFailure; detail: string };

/** Headers as a Headers object or a plain record (Node's IncomingHttpHeaders included). */
export type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(entry) ? entry.join(', ') : entry;
}

/**
 * Checks a Standard Webhooks delivery as a receiver would: all three headers present, the
 * timestamp digits only and within `toleranceSeconds` of `nowSeconds`, and at least one of the
 * space-separated "v1,<base64>" signatures matching (compared in constant time by WebCrypto).
 * Throws SigningSecretError only when the secret itself is unusable.
 */
export async function verifyStandardWebhook(
  secret: string,
  headers: HeaderSource,
  body: string,
  nowSeconds: number,
  toleranceSeconds: number = DEFAULT_TOLERANCE_SECONDS,
): Promise<StandardWebhookVerification> {
  const key = await importSigningKey(secret);
  const id = header(headers, ID_HEADER);
  const timestamp = header(headers, TIMESTAMP_HEADER);
  const signatures = header(headers, SIGNATURE_HEADER);
  if (!id || !timestamp || !signatures) {
    return {
      ok: false,
      reason: 'missing_headers',
      detail: 'webhook-id, webhook-timestamp and webhook-signature are required.',
    };
  }
  if (!/^\d{1,15}$/.test(timestamp)) {
    return {
      ok: false,
      reason: 'malformed_timestamp',
      detail: `webhook-timestamp "${timestamp}" is not Unix seconds.`,
    };
  }
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) {
    return {
      ok: false,
      reason: 'timestamp_outside_window',
      detail: `webhook-timestamp is ${nowSeconds - Number(timestamp)} s from now; at most ${toleranceSeconds} s is allowed.`,
    };
  }
  const content = signedContent(id, timestamp, body);
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
    const mac = decodeBase64Strict(entry.slice(comma + 1));
    if (mac === undefined || mac.length !== 32) continue;
    if (await crypto.subtle.verify('HMAC', key, mac, content)) return { ok: true };
  }
  return { ok: false, reason: 'no_matching_signature', detail: 'No v1 signature matches the body with this secret.' };
}
