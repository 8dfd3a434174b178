// A small fetch-based client for Telnyx's v2 API. What matters is not the HTTP but the retry
// policy, which depends on what a repeated request would do:
//
//   read     GET-like calls (lookups, retrieving a message): repeating is harmless, so 429 waits
//            for the rate-limit reset and 5xx, timeouts and network errors retry with jittered
//            exponential backoff.
//   command  Call Control (dial and call actions) carries a command_id, and Telnyx ignores a
//            repeated command_id for the same call, so a 5xx or no answer within 500 ms is resent
//            at once with the same command_id.
//   send     Message sends have no idempotency key: a resend after a 5xx or a timeout can put a
//            second SMS on someone's phone. A send is made once. If Telnyx refused it (4xx) the
//            error says "rejected"; if the request may have reached Telnyx (5xx, timeout, network
//            error) it says "unknown", and the caller reconciles later by reading the message back.
//            A 429 is a refusal too; the caller decides when to try again (retryAfterMs).

import { misconfigured } from '../errors';
import { TelnyxApiError, errorsFromBody } from './errors';
import type {
  CallAction,
  CallActionParams,
  CallActionResponse,
  CallDialParams,
  CallDialResponse,
  MessageRetrieveResponse,
  MessageSendNumberPoolParams,
  MessageSendNumberPoolResponse,
  MessageSendParams,
  MessageSendResponse,
  NumberLookupRetrieveResponse,
  NumberLookupType,
} from './types';

export type CallKind = 'read' | 'send' | 'command';
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface TelnyxRequest {
  method: HttpMethod;
  /** Path below the base URL, e.g. "/messages"; encode user input in it with encodeURIComponent. */
  path: string;
  query?: Record<string, string | readonly string[] | undefined>;
  body?: unknown;
}

export interface TelnyxResponse<T> {
  status: number;
  headers: Headers;
  body: T;
  /** How many HTTP requests it took (1 unless retried or resent). */
  attempts: number;
}

export interface TelnyxClientOptions {
  apiKey: string;
  /** e.g. "https://api.telnyx.com/v2" or the simulator's URL. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Injected in tests so backoff does not really wait. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per-attempt timeouts in ms. */
  timeouts?: Partial<Record<CallKind, number>>;
  /** Extra attempts for reads after the first (default 2). */
  readRetries?: number;
  /** Total attempts for a command (default 3). */
  commandAttempts?: number;
  /** The longest rate-limit wait the client sits out itself; longer ones throw with retryAfterMs (default 1 s). */
  maxRateLimitWaitMs?: number;
  userAgent?: string;
}

const DEFAULT_TIMEOUTS: Record<CallKind, number> = {
  read: 5_000,
  send: 10_000,
  // Telnyx's guidance: resend a Call Control command that has had no answer in 500 ms.
  command: 500,
};
const BACKOFF_BASE_MS = 100;
const BACKOFF_CAP_MS = 2_000;

export class TelnyxClient {
  readonly #apiKey: string;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #timeouts: Record<CallKind, number>;
  readonly #readRetries: number;
  readonly #commandAttempts: number;
  readonly #maxRateLimitWaitMs: number;
  readonly #userAgent: string;

  constructor(options: TelnyxClientOptions) {
    this.#apiKey = options.apiKey;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    // Bound so that `this` inside the runtime's fetch is never the client.
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
    this.#readRetries = options.readRetries ?? 2;
    this.#commandAttempts = options.commandAttempts ?? 3;
    this.#maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 1_000;
    this.#userAgent = options.userAgent ?? 'telnyx-edge';
  }

  // --- The three policies -------------------------------------------------------------------

  /** A request that is safe to repeat. */
  async read<T>(request: TelnyxRequest): Promise<TelnyxResponse<T>> {
    const attempts = 1 + this.#readRetries;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt<T>(request, 'read', attempt);
      } catch (error) {
        if (!(error instanceof TelnyxApiError) || attempt >= attempts) throw error;
        const wait = this.#waitBeforeRetry(error, attempt);
        if (wait === undefined) throw error;
        await this.#sleep(wait);
      }
    }
  }

  /** A request that must not be repeated once it may have reached Telnyx (message sends). */
  send<T>(request: TelnyxRequest): Promise<TelnyxResponse<T>> {
    return this.#attempt<T>(request, 'send', 1);
  }

  /** A Call Control command: resent with the same command_id until Telnyx answers. */
  async command<T>(request: TelnyxRequest & { commandId: string }): Promise<TelnyxResponse<T>> {
    if (request.commandId === '') throw new TypeError('A Call Control command needs a command_id.');
    const body = { ...(request.body as Record<string, unknown> | undefined), command_id: request.commandId };
    const withId: TelnyxRequest = { method: request.method, path: request.path, query: request.query, body };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#attempt<T>(withId, 'command', attempt);
      } catch (error) {
        if (!(error instanceof TelnyxApiError) || attempt >= this.#commandAttempts) throw error;
        if (error.status === 429) {
          const wait = this.#waitBeforeRetry(error, attempt);
          if (wait === undefined) throw error;
          await this.#sleep(wait);
        } else if (error.outcome !== 'unknown') {
          throw error;
        }
        // 5xx, timeout or network error: resend at once; the command_id makes it safe.
      }
    }
  }

  // --- Typed calls the edge makes -------------------------------------------------------------

  sendMessage(params: MessageSendParams): Promise<TelnyxResponse<MessageSendResponse>> {
    return this.send({ method: 'POST', path: '/messages', body: params });
  }

  sendNumberPoolMessage(params: MessageSendNumberPoolParams): Promise<TelnyxResponse<MessageSendNumberPoolResponse>> {
    return this.send({ method: 'POST', path: '/messages/number_pool', body: params });
  }

  retrieveMessage(id: string): Promise<TelnyxResponse<MessageRetrieveResponse>> {
    return this.read({ method: 'GET', path: `/messages/${encodeURIComponent(id)}` });
  }

  lookupNumber(
    phoneNumber: string,
    types: readonly NumberLookupType[] = [],
  ): Promise<TelnyxResponse<NumberLookupRetrieveResponse>> {
    return this.read({
      method: 'GET',
      path: `/number_lookup/${encodeURIComponent(phoneNumber)}`,
      query: { type: types },
    });
  }

  dial(params: CallDialParams & { command_id: string }): Promise<TelnyxResponse<CallDialResponse>> {
    return this.command({ method: 'POST', path: '/calls', body: params, commandId: params.command_id });
  }

  callAction<A extends CallAction>(
    callControlId: string,
    action: A,
    params: CallActionParams[A] & { command_id: string },
  ): Promise<TelnyxResponse<CallActionResponse>> {
    return this.command({
      method: 'POST',
      path: `/calls/${encodeURIComponent(callControlId)}/actions/${action}`,
      body: params,
      commandId: params.command_id,
    });
  }

  // --- One HTTP attempt -----------------------------------------------------------------------

  #url(request: TelnyxRequest): string {
    const url = new URL(this.#baseUrl + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value === undefined) continue;
      for (const item of typeof value === 'string' ? [value] : value) url.searchParams.append(name, item);
    }
    return url.toString();
  }

  async #attempt<T>(request: TelnyxRequest, kind: CallKind, attempt: number): Promise<TelnyxResponse<T>> {
    const context = { method: request.method, path: request.path, kind, attempt };
    // Built before the request leaves: a failure here (a body that cannot be serialised, a bad
    // path) is a bug in the caller, and must not be mistaken for "it may have reached Telnyx".
    const url = this.#url(request);
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#apiKey}`,
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(this.#timeouts[kind]),
      });
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw TelnyxApiError.noAnswer(timedOut ? 'timeout' : 'network', context, error);
    }
    try {
      text = await response.text();
    } catch (error) {
      // Telnyx answered but the body broke off (or the timeout struck while reading it). For a
      // 2xx that means it did something we cannot read; an error status still says what it was.
      if (response.ok) {
        throw TelnyxApiError.fromResponse(response.status, response.headers, [], context, 'unreadable', error);
      }
      text = '';
    }

    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (response.ok) {
      if (text !== '' && parsed === undefined) {
        // Telnyx answered 2xx but not with JSON: it did something, we cannot tell what.
        throw TelnyxApiError.fromResponse(response.status, response.headers, [], context, 'unreadable');
      }
      return { status: response.status, headers: response.headers, body: parsed as T, attempts: attempt };
    }
    throw TelnyxApiError.fromResponse(
      response.status,
      response.headers,
      errorsFromBody(parsed, response, text),
      context,
    );
  }

  /** How long to wait before retrying after `error`, or undefined when it should not be retried. */
  #waitBeforeRetry(error: TelnyxApiError, attempt: number): number | undefined {
    if (error.status === 429) {
      const wait = error.retryAfterMs ?? this.#backoff(attempt);
      return wait <= this.#maxRateLimitWaitMs ? wait : undefined;
    }
    return error.outcome === 'unknown' ? this.#backoff(attempt) : undefined;
  }

  /** Exponential backoff, jittered to between 0.5 and 1.5 times the step, the step capped at 2 s. */
  #backoff(attempt: number): number {
    const step = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(step * (0.5 + this.#random()));
  }
}

/** The client for this deployment, or a 503 naming what is missing from the configuration. */
export function telnyxClientFromEnv(
  env: Pick<Env, 'TELNYX_API_KEY' | 'TELNYX_API_BASE'>,
  options: Omit<TelnyxClientOptions, 'apiKey' | 'baseUrl'> = {},
): TelnyxClient {
  if (typeof env.TELNYX_API_KEY !== 'string' || env.TELNYX_API_KEY === '') {
    throw misconfigured('TELNYX_API_KEY is not set. Set it with `wrangler secret put TELNYX_API_KEY`.');
  }
  const base = env.TELNYX_API_BASE || 'https://api.telnyx.com/v2';
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw misconfigured(`TELNYX_API_BASE "${base}" is not a URL.`);
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    throw misconfigured(`TELNYX_API_BASE "${base}" must use https (plain http is allowed only for localhost).`);
  }
  return new TelnyxClient({ ...options, apiKey: env.TELNYX_API_KEY, baseUrl: base });
}
