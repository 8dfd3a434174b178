// The front door of every webhook route: size limit, configuration, then signature, in that
// order, before anything parses the body or touches state. What it returns is exactly what
// Telnyx signed.

import { misconfigured, unauthorized } from '../errors';
import { WEBHOOK_BODY_LIMIT, decodeUtf8, readBodyBytes } from '../http';
import { log } from '../log';
import type { Ed25519Engine } from './ed25519';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  WebhookConfigError,
  WebhookVerificationError,
  parsePublicKeys,
  parseToleranceSeconds,
  verifyWebhookSignature,
} from './signature';

export interface VerifiedWebhook {
  /** The body exactly as Telnyx sent and signed it. */
  rawBody: Uint8Array;
  /** The body as text, or undefined when it is not valid UTF-8 (then it is certainly not JSON). */
  text: string | undefined;
  /** telnyx-timestamp, Unix seconds. */
  timestamp: number;
}

export interface ReceiveOptions {
  /** Milliseconds since the epoch; tests inject a clock here. */
  now?: () => number;
  engine?: Ed25519Engine | 'auto';
}

type WebhookEnv = Pick<Env, 'TELNYX_PUBLIC_KEY' | 'WEBHOOK_TOLERANCE_SECONDS'>;

// Parsed once per distinct configuration value, not once per request.
let cachedKeys: { value: string | undefined; keys: Uint8Array[] } | undefined;

function publicKeys(value: string | undefined): Uint8Array[] {
  if (cachedKeys === undefined || cachedKeys.value !== value) cachedKeys = { value, keys: parsePublicKeys(value) };
  return cachedKeys.keys;
}

/**
 * Reads and verifies a Telnyx webhook. Throws ApiError: 413 for a body over 256 KiB (before any
 * crypto), 503 when the edge has no usable key or window (fail closed), 401 when the signature or
 * timestamp does not check out.
 */
export async function receiveTelnyxWebhook(
  request: Request,
  env: WebhookEnv,
  options: ReceiveOptions = {},
): Promise<VerifiedWebhook> {
  const rawBody = await readBodyBytes(request, WEBHOOK_BODY_LIMIT);
  let keys: Uint8Array[];
  let toleranceSeconds: number;
  try {
    keys = publicKeys(env.TELNYX_PUBLIC_KEY);
    toleranceSeconds = parseToleranceSeconds(env.WEBHOOK_TOLERANCE_SECONDS);
  } catch (error) {
    if (!(error instanceof WebhookConfigError)) throw error;
    log.error('webhook_config_error', { error: error.message });
    throw misconfigured(error.message);
  }

  const nowMs = (options.now ?? Date.now)();
  try {
    const timestamp = await verifyWebhookSignature(
      {
        timestamp: request.headers.get(TIMESTAMP_HEADER),
        signature: request.headers.get(SIGNATURE_HEADER),
        rawBody,
      },
      { keys, toleranceSeconds, nowSeconds: Math.floor(nowMs / 1000), engine: options.engine ?? 'auto' },
    );
    return { rawBody, text: decodeUtf8(rawBody), timestamp };
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    log.warn('webhook_rejected', { reason: error.reason, path: new URL(request.url).pathname });
    throw unauthorized(error.message);
  }
}
