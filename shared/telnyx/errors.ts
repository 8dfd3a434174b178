// The one error type for everything that goes wrong talking to Telnyx. It carries the HTTP status
// (none when Telnyx never answered), Telnyx's own errors[] and, most importantly for sends, the
// outcome: "rejected" means Telnyx refused the request and nothing happened; "unknown" means it
// may have happened (5xx, timeout, network error, unreadable 2xx) and must be reconciled, never
// blindly repeated.

import type { TelnyxErrorObject } from '../errors';

export type TelnyxOutcome = 'rejected' | 'unknown';
export type TelnyxFailure = 'http' | 'timeout' | 'network' | 'unreadable';

export interface TelnyxCallContext {
  method: string;
  path: string;
  kind: string;
  attempt: number;
}

export class TelnyxApiError extends Error {
  override readonly name = 'TelnyxApiError';

  private constructor(
    message: string,
    /** HTTP status, or undefined when no answer arrived. */
    readonly status: number | undefined,
    /** Telnyx's errors[], or one made up from the status when the body had none. */
    readonly errors: TelnyxErrorObject[],
    readonly outcome: TelnyxOutcome,
    readonly failure: TelnyxFailure,
    readonly context: TelnyxCallContext,
    /** For 429: how long Telnyx asks us to wait, from x-ratelimit-reset or Retry-After. */
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Telnyx's first error code, e.g. "40300" for an opted-out recipient. */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }

  static fromResponse(
    status: number,
    headers: Headers,
    errors: TelnyxErrorObject[],
    context: TelnyxCallContext,
    failure: 'http' | 'unreadable' = 'http',
    cause?: unknown,
  ): TelnyxApiError {
    const outcome: TelnyxOutcome = failure === 'unreadable' || status >= 500 ? 'unknown' : 'rejected';
    const first = errors[0];
    const summary = first ? `${first.code} ${first.title}${first.detail ? `: ${first.detail}` : ''}` : 'no error body';
    return new TelnyxApiError(
      `Telnyx ${context.method} ${context.path} answered ${status} (${summary})`,
      status,
      errors,
      outcome,
      failure,
      context,
      status === 429 ? retryAfterMs(headers) : undefined,
      cause === undefined ? undefined : { cause },
    );
  }

  static noAnswer(failure: 'timeout' | 'network', context: TelnyxCallContext, cause: unknown): TelnyxApiError {
    const what = failure === 'timeout' ? 'no answer before the timeout' : 'a network error';
    return new TelnyxApiError(
      `Telnyx ${context.method} ${context.path}: ${what}`,
      undefined,
      [],
      'unknown',
      failure,
      context,
      undefined,
      { cause },
    );
  }
}

/** Telnyx's errors[] from a response body, or a single error made from the status line. */
export function errorsFromBody(body: unknown, response: Response, text: string): TelnyxErrorObject[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors;
  const entries = Array.isArray(errors)
    ? errors.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
    : [];
  if (entries.length > 0) {
    return entries.map((e) => ({
      code: String(e.code ?? response.status),
      title: String(e.title ?? response.statusText),
      ...(e.detail !== undefined && { detail: String(e.detail) }),
      ...(typeof e.source === 'object' && e.source !== null && { source: e.source as TelnyxErrorObject['source'] }),
      ...(typeof e.meta === 'object' && e.meta !== null && { meta: e.meta as Record<string, unknown> }),
    }));
  }
  return [{ code: String(response.status), title: response.statusText || 'HTTP error', detail: text.slice(0, 200) }];
}

/**
 * The wait Telnyx asks for after a 429, in ms. `x-ratelimit-reset` is seconds until the window
 * resets (a value that looks like a Unix time is read as one); `Retry-After` is seconds or an
 * HTTP date. Undefined when neither header is usable.
 */
const HTTP_DATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

export function retryAfterMs(headers: Headers, nowMs: number = Date.now()): number | undefined {
  const reset = headers.get('x-ratelimit-reset')?.trim();
  if (reset !== undefined && /^\d+(\.\d+)?$/.test(reset)) {
    const seconds = Number(reset);
    const ms = seconds > 1_000_000_000 ? seconds * 1000 - nowMs : seconds * 1000;
    return Math.max(0, Math.ceil(ms));
  }
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter !== undefined && retryAfter !== '') {
    if (/^\d+$/.test(retryAfter)) return Number(retryAfter) * 1000;
    // Only an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"): Date.parse alone accepts "1.5" or "-1".
    if (HTTP_DATE.test(retryAfter)) {
      const date = Date.parse(retryAfter);
      if (!Number.isNaN(date)) return Math.max(0, date - nowMs);
    }
  }
  return undefined;
}
