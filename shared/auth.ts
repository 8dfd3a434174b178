// Bearer-token auth for every route that is not a Telnyx webhook (webhooks are authenticated by
// their Ed25519 signature instead). The token is compared in constant time over SHA-256 digests
// of both sides, so neither the content nor the length of ADMIN_TOKEN leaks through timing.

import { misconfigured, unauthorized } from './errors';

/** A shorter ADMIN_TOKEN is refused outright: this token guards sending messages and placing calls. */
export const MIN_ADMIN_TOKEN_LENGTH = 16;

const encoder = new TextEncoder();

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** Constant-time string equality: equal-length digests, compared with timingSafeEqual. */
export async function constantTimeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** The token from `Authorization: Bearer <token>`, or undefined when the header is absent or not Bearer. */
export function bearerToken(request: Request): string | undefined {
  const header = request.headers.get('authorization');
  const match = header === null ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1];
}

/**
 * Throws 401 unless the request carries `Authorization: Bearer <ADMIN_TOKEN>`; throws 503 when
 * ADMIN_TOKEN is unset or too short, so a misconfigured deployment refuses everyone.
 * Usable directly as itty-router middleware: it returns nothing when the request may pass.
 */
export async function requireAdmin(request: Request, env: { ADMIN_TOKEN?: string }): Promise<void> {
  const expected = env.ADMIN_TOKEN;
  if (typeof expected !== 'string' || expected.length === 0) {
    throw misconfigured(
      'ADMIN_TOKEN is not set, so management routes are closed. Set it with `wrangler secret put ADMIN_TOKEN`.',
    );
  }
  if (expected.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw misconfigured(
      `ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters, so management routes are closed. Set a longer one.`,
    );
  }
  const presented = bearerToken(request);
  if (presented === undefined) {
    throw unauthorized('Send the admin token as `Authorization: Bearer <ADMIN_TOKEN>`.');
  }
  if (!(await constantTimeEqual(presented, expected))) {
    throw unauthorized('The bearer token does not match ADMIN_TOKEN.');
  }
}
