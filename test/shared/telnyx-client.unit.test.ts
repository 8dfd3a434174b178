// The Telnyx API client (shared/telnyx/client.ts) and its error type (shared/telnyx/errors.ts):
// the three retry policies (read retries with jittered backoff, send is made exactly once, command
// is resent with the same command_id), rate-limit waits, the rejected/unknown outcome of every
// failure, the URLs and headers of the typed calls, a real AbortSignal timeout, configuration from
// the environment, and retryAfterMs() on its own.
//
// A scripted fake stands in for Telnyx here, so that exact waits and byte-level request bodies can
// be asserted: it records every request (method, URL, headers, raw and parsed body, signal) and
// answers from a queue of scripted responses or throws. `sleep` records the waits it is asked for
// and resolves at once; `random` is fixed. The same policies against the Telnyx simulator, with its
// injected faults, are in test/integration/sim-roundtrip.integration.test.ts.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, type TelnyxErrorObject } from '../../shared/errors';
import { TelnyxClient, telnyxClientFromEnv, type TelnyxClientOptions } from '../../shared/telnyx/client';
import { TelnyxApiError, errorsFromBody, retryAfterMs } from '../../shared/telnyx/errors';
import type { MessageSendNumberPoolParams, MessageSendParams } from '../../shared/telnyx/types';

const API_KEY = 'KEY_test_client_0123456789';
const BASE = 'https://api.telnyx.test/v2';
const FROM = '+13125550100';
const TO = '+13125550123';
const PROFILE_ID = '4001767e-ce0f-4cae-9d5f-0d5e636e7809';
const CALL_ID = 'v3:MdI91X4lWFEs7IgbBEOT9M4AigoY08M0WWZFISt1Yw2axZ_IiE4pqg';

// --- A fake Telnyx --------------------------------------------------------------------------

/** One request as the fake Telnyx saw it. */
interface SeenRequest {
  method: string;
  url: string;
  headers: Headers;
  /** The body exactly as sent, for byte-for-byte comparison; undefined when there was none. */
  rawBody: string | undefined;
  /** The body parsed as JSON; undefined when there was none. */
  body: unknown;
  signal: AbortSignal | undefined;
}

/** How the fake answers one request: with a response, by throwing, or by a function of the request. */
type Answer = Response | Error | ((request: SeenRequest) => Promise<Response>);

interface FakeTelnyx {
  fetch: typeof fetch;
  requests: SeenRequest[];
  /** Requests that arrived after the script ran out (each one is a test failure). */
  unscripted: SeenRequest[];
  /** Scripted answers nobody asked for. */
  remaining: () => number;
}

const fakes: FakeTelnyx[] = [];

function fakeTelnyx(script: readonly Answer[]): FakeTelnyx {
  const queue = [...script];
  const requests: SeenRequest[] = [];
  const unscripted: SeenRequest[] = [];
  const fakeFetch: typeof fetch = async (input, init) => {
    const rawBody = typeof init?.body === 'string' ? init.body : undefined;
    const request: SeenRequest = {
      method: init?.method ?? 'GET',
      url: input instanceof Request ? input.url : String(input),
      headers: new Headers(init?.headers),
      rawBody,
      body: rawBody === undefined ? undefined : JSON.parse(rawBody),
      signal: init?.signal ?? undefined,
    };
    requests.push(request);
    const answer = queue.shift();
    if (answer === undefined) {
      unscripted.push(request);
      throw new Error(`fake Telnyx: no scripted answer for ${request.method} ${request.url}`);
    }
    if (answer instanceof Response) return answer;
    if (answer instanceof Error) throw answer;
    return answer(request);
  };
  const fake: FakeTelnyx = { fetch: fakeFetch, requests, unscripted, remaining: () => queue.length };
  fakes.push(fake);
  return fake;
}

afterEach(({ task }) => {
  const used = fakes.splice(0);
  // A test that already failed has said what went wrong; leftovers would only repeat it.
  if (task.result?.state === 'fail') return;
  for (const fake of used) {
    expect(
      fake.unscripted.map((r) => `${r.method} ${r.url}`),
      'requests with no scripted answer',
    ).toEqual([]);
    expect(fake.remaining(), 'scripted answers left unused').toBe(0);
  }
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

function telnyxErrors(status: number, errors: TelnyxErrorObject[], headers: Record<string, string> = {}): Response {
  return json(status, { errors }, headers);
}

const ok = (): Response => json(200, { data: { result: 'ok' } });
const serverError = (status = 500): Response =>
  telnyxErrors(status, [{ code: '10007', title: 'Unexpected error', detail: 'An unexpected error occurred.' }]);
const rateLimited = (headers: Record<string, string>): Response =>
  telnyxErrors(429, [{ code: '10011', title: 'Too many requests', detail: 'Rate limit exceeded.' }], headers);
/** What workerd's fetch rejects with when AbortSignal.timeout fires. */
const timeoutError = (): DOMException => new DOMException('The operation was aborted due to timeout', 'TimeoutError');
const networkError = (): TypeError => new TypeError('Network connection lost.');

/** An answer that never comes: it rejects with the signal's reason when the request is aborted. */
const untilAborted = (request: SeenRequest): Promise<Response> =>
  new Promise<Response>((_resolve, reject) => {
    const signal = request.signal;
    if (signal === undefined) return;
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });

// --- The client under test -------------------------------------------------------------------

interface Harness {
  client: TelnyxClient;
  requests: SeenRequest[];
  /** Every wait the client asked `sleep` for, in order. */
  waits: number[];
}

function harness(script: readonly Answer[], options: Partial<TelnyxClientOptions> = {}): Harness {
  const telnyx = fakeTelnyx(script);
  const waits: number[] = [];
  const client = new TelnyxClient({
    apiKey: API_KEY,
    baseUrl: BASE,
    fetch: telnyx.fetch,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5, // jitter factor 0.5 + 0.5 = 1: every backoff is exactly its step
    ...options,
  });
  return { client, requests: telnyx.requests, waits };
}

/** The TelnyxApiError a call fails with (anything else, or success, fails the test). */
async function telnyxFailure(call: Promise<unknown>): Promise<TelnyxApiError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TelnyxApiError) return error;
    throw error;
  }
  return expect.fail('expected the call to fail with a TelnyxApiError, but it succeeded');
}

/** The backoff step before the retry that follows attempt `attempt`: 100 ms doubling, capped at 2 s. */
function step(attempt: number): number {
  return Math.min(2_000, 100 * 2 ** (attempt - 1));
}

const message: MessageSendParams = { from: FROM, to: TO, text: 'Your code is 123456' };
const sentMessage = {
  data: {
    id: '40317f8a-d0f5-4f3a-9b6b-5a3d0f9b9e7c',
    record_type: 'message',
    direction: 'outbound',
    from: { phone_number: FROM },
    to: [{ phone_number: TO, status: 'queued' }],
    text: 'Your code is 123456',
  },
};
const optedOut: TelnyxErrorObject = {
  code: '40300',
  title: 'Blocked due to STOP message',
  detail: `Messages cannot be sent from '${FROM}' to '${TO}' due to an existing block rule.`,
  meta: { url: 'https://developers.telnyx.com/docs/overview/errors/40300' },
};

// --- read -----------------------------------------------------------------------------------

describe('read(): safe to repeat', () => {
  it('returns the body, status, headers and attempts of a 2xx answer after one GET', async () => {
    const { client, requests, waits } = harness([json(200, { data: { id: 'm1' } }, { 'x-request-id': 'req-1' })]);
    const result = await client.read<{ data: { id: string } }>({ method: 'GET', path: '/messages/m1' });
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ data: { id: 'm1' } });
    expect(result.attempts).toBe(1);
    expect(result.headers.get('x-request-id')).toBe('req-1');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('GET');
    expect(requests[0]!.url).toBe(`${BASE}/messages/m1`);
    expect(requests[0]!.rawBody).toBeUndefined();
    expect(requests[0]!.headers.get('content-type')).toBeNull();
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(requests[0]!.headers.get('accept')).toBe('application/json');
    expect(waits).toEqual([]);
  });

  it('returns an undefined body for an empty 2xx (204 No Content)', async () => {
    const { client } = harness([new Response(null, { status: 204 })]);
    const result = await client.read({ method: 'DELETE', path: '/things/1' });
    expect(result.status).toBe(204);
    expect(result.body).toBeUndefined();
  });

  it('retries a 500 after a backoff and returns the 200 that follows, counting both attempts', async () => {
    const { client, requests, waits } = harness([serverError(500), json(200, { data: { id: 'm1' } })]);
    const result = await client.retrieveMessage('m1');
    expect(result.body).toEqual({ data: { id: 'm1' } });
    expect(result.attempts).toBe(2);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.url).toBe(requests[0]!.url);
    expect(waits).toEqual([step(1)]);
  });

  for (const status of [500, 502, 503, 504]) {
    it(`treats ${status} as worth retrying`, async () => {
      const { client, requests } = harness([serverError(status), ok()]);
      expect((await client.read({ method: 'GET', path: '/x' })).attempts).toBe(2);
      expect(requests).toHaveLength(2);
    });
  }

  it('retries a timeout (DOMException TimeoutError) and a network error (TypeError)', async () => {
    const { client, requests, waits } = harness([timeoutError(), networkError(), ok()]);
    const result = await client.read({ method: 'GET', path: '/x' });
    expect(result.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    expect(waits).toEqual([step(1), step(2)]);
  });

  it('retries an AbortError the same way as a timeout', async () => {
    const { client, requests } = harness([new DOMException('aborted', 'AbortError'), ok()]);
    expect((await client.read({ method: 'GET', path: '/x' })).attempts).toBe(2);
    expect(requests).toHaveLength(2);
  });

  it('gives up after 1 + readRetries attempts (default 2) with outcome "unknown" and the last status', async () => {
    const { client, requests, waits } = harness([serverError(), serverError(502), serverError(503)]);
    const error = await telnyxFailure(client.retrieveMessage('m1'));
    expect(requests).toHaveLength(3);
    expect(waits).toEqual([step(1), step(2)]);
    expect(error.outcome).toBe('unknown');
    expect(error.failure).toBe('http');
    expect(error.status).toBe(503);
    expect(error.context).toEqual({ method: 'GET', path: '/messages/m1', kind: 'read', attempt: 3 });
  });

  it('gives up after repeated network errors with failure "network", no status and the cause kept', async () => {
    const last = networkError();
    const { client, requests } = harness([networkError(), networkError(), last]);
    const error = await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
    expect(requests).toHaveLength(3);
    expect(error.outcome).toBe('unknown');
    expect(error.failure).toBe('network');
    expect(error.status).toBeUndefined();
    expect(error.errors).toEqual([]);
    expect(error.cause).toBe(last);
  });

  it('gives up after repeated timeouts with failure "timeout"', async () => {
    const { client } = harness([timeoutError(), timeoutError(), timeoutError()]);
    const error = await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
    expect(error.failure).toBe('timeout');
    expect(error.outcome).toBe('unknown');
  });

  it('honours readRetries: 0 (one attempt) and readRetries: 4 (five attempts)', async () => {
    const once = harness([serverError()], { readRetries: 0 });
    await telnyxFailure(once.client.read({ method: 'GET', path: '/x' }));
    expect(once.requests).toHaveLength(1);
    expect(once.waits).toEqual([]);

    const five = harness([serverError(), serverError(), serverError(), serverError(), ok()], { readRetries: 4 });
    expect((await five.client.read({ method: 'GET', path: '/x' })).attempts).toBe(5);
    expect(five.waits).toEqual([step(1), step(2), step(3), step(4)]);
  });

  it('retries a 2xx whose body is not JSON (the read is harmless to repeat)', async () => {
    const { client, requests } = harness([new Response('<html>gateway</html>', { status: 200 }), ok()]);
    expect((await client.read({ method: 'GET', path: '/x' })).body).toEqual({ data: { result: 'ok' } });
    expect(requests).toHaveLength(2);
  });

  describe('refusals (4xx) are not retried', () => {
    it('404: one request, outcome "rejected", Telnyx errors[] parsed', async () => {
      const notFound: TelnyxErrorObject = {
        code: '10005',
        title: 'Resource not found',
        detail: 'The requested resource or URL could not be found.',
      };
      const { client, requests, waits } = harness([telnyxErrors(404, [notFound])]);
      const error = await telnyxFailure(client.retrieveMessage('missing'));
      expect(requests).toHaveLength(1);
      expect(waits).toEqual([]);
      expect(error.status).toBe(404);
      expect(error.outcome).toBe('rejected');
      expect(error.failure).toBe('http');
      expect(error.errors).toEqual([notFound]);
      expect(error.code).toBe('10005');
      expect(error.retryAfterMs).toBeUndefined();
    });

    it('422: every error with code, title, detail and source is kept in order', async () => {
      const errors: TelnyxErrorObject[] = [
        {
          code: '10002',
          title: 'Invalid phone number',
          detail: 'The phone number is invalid.',
          source: { pointer: '/to' },
        },
        {
          code: '10004',
          title: 'Missing required parameter',
          detail: 'type is required',
          source: { parameter: 'type' },
        },
      ];
      const { client, requests } = harness([telnyxErrors(422, errors)]);
      const error = await telnyxFailure(client.lookupNumber('+1312555', ['carrier']));
      expect(requests).toHaveLength(1);
      expect(error.status).toBe(422);
      expect(error.outcome).toBe('rejected');
      expect(error.errors).toEqual(errors);
      expect(error.message).toBe(
        'Telnyx GET /number_lookup/%2B1312555 answered 422 (10002 Invalid phone number: The phone number is invalid.)',
      );
    });

    for (const status of [400, 401, 403, 409]) {
      it(`${status}: one request`, async () => {
        const { client, requests } = harness([telnyxErrors(status, [{ code: String(status), title: 'No' }])]);
        expect((await telnyxFailure(client.read({ method: 'GET', path: '/x' }))).outcome).toBe('rejected');
        expect(requests).toHaveLength(1);
      });
    }
  });

  describe('backoff', () => {
    it('doubles from 100 ms and is capped at 2 s', async () => {
      const { client, waits } = harness(
        Array.from({ length: 9 }, () => serverError()),
        { readRetries: 8 },
      );
      await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
      expect(waits).toEqual([100, 200, 400, 800, 1600, 2000, 2000, 2000]);
    });

    it('is jittered by 0.5 + random() of the step, with random drawn afresh for every retry', async () => {
      const draws = [0, 0.25, 0.75];
      const { client, waits } = harness([serverError(), serverError(), serverError(), ok()], {
        readRetries: 3,
        random: () => draws.shift() ?? expect.fail('random() called more often than there were retries'),
      });
      await client.read({ method: 'GET', path: '/x' });
      expect(waits).toEqual([100 * 0.5, 200 * 0.75, 400 * 1.25]);
      expect(draws).toEqual([]);
    });

    it('stays within [0.5, 1.5] of the step for any random() in [0, 1) and any number of retries', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
          fc.integer({ min: 1, max: 8 }),
          async (r, readRetries) => {
            const script = Array.from({ length: readRetries + 1 }, () => serverError());
            const { client, waits } = harness(script, { readRetries, random: () => r });
            await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
            expect(waits).toHaveLength(readRetries);
            waits.forEach((wait, i) => {
              expect(Number.isInteger(wait)).toBe(true);
              expect(wait).toBeGreaterThanOrEqual(step(i + 1) * 0.5);
              expect(wait).toBeLessThanOrEqual(step(i + 1) * 1.5);
              expect(wait).toBeLessThanOrEqual(3_000); // the cap, with the largest jitter
            });
          },
        ),
        { numRuns: 50 },
      );
    });
  });

  describe('rate limits (429)', () => {
    it('waits for x-ratelimit-reset: 1 (1000 ms) and then retries', async () => {
      const { client, requests, waits } = harness([rateLimited({ 'x-ratelimit-reset': '1' }), ok()]);
      const result = await client.read({ method: 'GET', path: '/x' });
      expect(result.attempts).toBe(2);
      expect(requests).toHaveLength(2);
      expect(waits).toEqual([1000]);
    });

    it('does not retry when the reset is longer than maxRateLimitWaitMs, and the error carries retryAfterMs', async () => {
      const { client, requests, waits } = harness([rateLimited({ 'x-ratelimit-reset': '5' })]);
      const error = await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
      expect(requests).toHaveLength(1);
      expect(waits).toEqual([]);
      expect(error.status).toBe(429);
      expect(error.outcome).toBe('rejected');
      expect(error.retryAfterMs).toBe(5000);
      expect(error.code).toBe('10011');
    });

    it('sits out a longer reset when maxRateLimitWaitMs allows it', async () => {
      const { client, waits } = harness([rateLimited({ 'x-ratelimit-reset': '5' }), ok()], {
        maxRateLimitWaitMs: 10_000,
      });
      await client.read({ method: 'GET', path: '/x' });
      expect(waits).toEqual([5000]);
    });

    it('reads Retry-After in seconds', async () => {
      const { client, waits } = harness([rateLimited({ 'retry-after': '1' }), ok()]);
      await client.read({ method: 'GET', path: '/x' });
      expect(waits).toEqual([1000]);
    });

    it('reads Retry-After as an HTTP date', async () => {
      // Whole seconds only, so the wait is between 0 and 1 s of "now".
      const date = new Date(Date.now() + 1000).toUTCString();
      const { client, waits } = harness([rateLimited({ 'retry-after': date }), ok()]);
      await client.read({ method: 'GET', path: '/x' });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThanOrEqual(0);
      expect(waits[0]).toBeLessThanOrEqual(1000);
    });

    it('reads an x-ratelimit-reset that is a Unix time as the moment the window resets', async () => {
      const resetAt = Math.floor(Date.now() / 1000) + 1;
      const { client, waits } = harness([rateLimited({ 'x-ratelimit-reset': String(resetAt) }), ok()]);
      await client.read({ method: 'GET', path: '/x' });
      expect(waits).toHaveLength(1);
      expect(waits[0]).toBeGreaterThan(0);
      expect(waits[0]).toBeLessThanOrEqual(1000);
    });

    it('refuses a Unix-time reset far in the future, carrying the wait in retryAfterMs', async () => {
      const resetAt = Math.floor(Date.now() / 1000) + 60;
      const { client, requests } = harness([rateLimited({ 'x-ratelimit-reset': String(resetAt) })]);
      const error = await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
      expect(requests).toHaveLength(1);
      expect(error.retryAfterMs).toBeGreaterThan(59_000);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    });

    it('falls back to backoff when a 429 carries no usable header', async () => {
      const { client, waits } = harness([rateLimited({}), ok()]);
      await client.read({ method: 'GET', path: '/x' });
      expect(waits).toEqual([step(1)]);
    });

    it('gives up after 1 + readRetries rate-limited attempts with outcome "rejected"', async () => {
      const { client, requests, waits } = harness([
        rateLimited({ 'x-ratelimit-reset': '1' }),
        rateLimited({ 'x-ratelimit-reset': '1' }),
        rateLimited({ 'x-ratelimit-reset': '1' }),
      ]);
      const error = await telnyxFailure(client.read({ method: 'GET', path: '/x' }));
      expect(requests).toHaveLength(3);
      expect(waits).toEqual([1000, 1000]);
      expect(error.status).toBe(429);
      expect(error.outcome).toBe('rejected');
      expect(error.retryAfterMs).toBe(1000);
    });
  });
});

// --- send -----------------------------------------------------------------------------------

describe('send(): made exactly once', () => {
  const cases: { name: string; answer: () => Answer; outcome: 'rejected' | 'unknown'; failure: string }[] = [
    { name: '500', answer: () => serverError(500), outcome: 'unknown', failure: 'http' },
    { name: '503', answer: () => serverError(503), outcome: 'unknown', failure: 'http' },
    { name: 'a timeout', answer: timeoutError, outcome: 'unknown', failure: 'timeout' },
    { name: 'a network error', answer: networkError, outcome: 'unknown', failure: 'network' },
    {
      name: '429',
      answer: () => rateLimited({ 'x-ratelimit-reset': '1' }),
      outcome: 'rejected',
      failure: 'http',
    },
    {
      name: '409 (40300 opted out)',
      answer: () => telnyxErrors(409, [optedOut]),
      outcome: 'rejected',
      failure: 'http',
    },
    {
      name: '400',
      answer: () => telnyxErrors(400, [{ code: '10015', title: 'Bad Request' }]),
      outcome: 'rejected',
      failure: 'http',
    },
  ];

  for (const { name, answer, outcome, failure } of cases) {
    it(`makes one request on ${name} and reports outcome "${outcome}" (${failure}), without sleeping`, async () => {
      const { client, requests, waits } = harness([answer()]);
      const error = await telnyxFailure(client.sendMessage(message));
      expect(requests).toHaveLength(1);
      expect(waits).toEqual([]);
      expect(error.outcome).toBe(outcome);
      expect(error.failure).toBe(failure);
      expect(error.context).toEqual({ method: 'POST', path: '/messages', kind: 'send', attempt: 1 });
    });
  }

  it('makes one request on 200 and returns the message Telnyx created', async () => {
    const { client, requests, waits } = harness([json(200, sentMessage)]);
    const result = await client.sendMessage(message);
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(result.status).toBe(200);
    expect(result.attempts).toBe(1);
    expect(result.body).toEqual(sentMessage);
  });

  it('reports a 429 as "rejected" with retryAfterMs, leaving the retry to the caller', async () => {
    const { client, requests, waits } = harness([rateLimited({ 'x-ratelimit-reset': '1' })]);
    const error = await telnyxFailure(client.sendMessage(message));
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(1000);
  });

  it("reports 409 with code 40300 as Telnyx's refusal, with its code, title and detail", async () => {
    const { client } = harness([telnyxErrors(409, [optedOut])]);
    const error = await telnyxFailure(client.sendMessage(message));
    expect(error.status).toBe(409);
    expect(error.code).toBe('40300');
    expect(error.errors).toEqual([optedOut]);
    expect(error.message).toBe(
      `Telnyx POST /messages answered 409 (40300 Blocked due to STOP message: ${optedOut.detail ?? ''})`,
    );
  });

  it('reports a 2xx with a non-JSON body as outcome "unknown", failure "unreadable"', async () => {
    const { client, requests } = harness([
      new Response('<html>OK</html>', { status: 200, headers: { 'content-type': 'text/html' } }),
    ]);
    const error = await telnyxFailure(client.sendMessage(message));
    expect(requests).toHaveLength(1);
    expect(error.status).toBe(200);
    expect(error.outcome).toBe('unknown');
    expect(error.failure).toBe('unreadable');
    expect(error.errors).toEqual([]);
  });

  it('sendMessage POSTs the params as JSON to /messages with the bearer key', async () => {
    const { client, requests } = harness([json(200, sentMessage)]);
    await client.sendMessage(message);
    const [request] = requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe(`${BASE}/messages`);
    expect(request!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(request!.headers.get('content-type')).toBe('application/json');
    expect(request!.headers.get('accept')).toBe('application/json');
    expect(request!.headers.get('user-agent')).toBe('telnyx-edge');
    expect(request!.body).toEqual(message);
    expect(request!.rawBody).toBe(JSON.stringify(message));
  });

  it('sendNumberPoolMessage POSTs the params as JSON to /messages/number_pool', async () => {
    const params: MessageSendNumberPoolParams = { messaging_profile_id: PROFILE_ID, to: TO, text: 'Hello' };
    const { client, requests } = harness([json(200, sentMessage)]);
    const result = await client.sendNumberPoolMessage(params);
    expect(result.body).toEqual(sentMessage);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.url).toBe(`${BASE}/messages/number_pool`);
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(requests[0]!.headers.get('content-type')).toBe('application/json');
    expect(requests[0]!.body).toEqual(params);
  });

  it('sendNumberPoolMessage is also made once on a 5xx', async () => {
    const { client, requests } = harness([serverError(502)]);
    const params: MessageSendNumberPoolParams = { messaging_profile_id: PROFILE_ID, to: TO, text: 'Hello' };
    expect((await telnyxFailure(client.sendNumberPoolMessage(params))).outcome).toBe('unknown');
    expect(requests).toHaveLength(1);
  });

  it('uses a custom user agent when given one', async () => {
    const { client, requests } = harness([json(200, sentMessage)], { userAgent: 'acme-edge/1.0' });
    await client.sendMessage(message);
    expect(requests[0]!.headers.get('user-agent')).toBe('acme-edge/1.0');
  });
});

// --- command --------------------------------------------------------------------------------

describe('command(): resent with the same command_id', () => {
  const commandId = '891510ac-f3e4-11e8-af5b-de00688a4901';

  it('sends the same command_id, byte for byte the same body, on every attempt', async () => {
    const { client, requests } = harness([serverError(), timeoutError(), ok()]);
    const result = await client.callAction(CALL_ID, 'speak', {
      payload: 'Say this on the call',
      voice: 'female',
      language: 'en-US',
      command_id: commandId,
    });
    expect(result.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    const raw = requests.map((r) => r.rawBody);
    expect(raw[0]).toBeDefined();
    expect(raw[1]).toBe(raw[0]);
    expect(raw[2]).toBe(raw[0]);
    for (const request of requests) expect((request.body as { command_id?: string }).command_id).toBe(commandId);
  });

  it('adds command_id to the body (and makes a body when there was none)', async () => {
    const { client, requests } = harness([ok(), ok()]);
    await client.command({
      method: 'POST',
      path: '/calls/x/actions/hangup',
      commandId,
      body: { client_state: 'YQ==' },
    });
    await client.command({ method: 'POST', path: '/calls/x/actions/answer', commandId });
    expect(requests[0]!.body).toEqual({ client_state: 'YQ==', command_id: commandId });
    expect(requests[1]!.body).toEqual({ command_id: commandId });
    expect(requests[1]!.headers.get('content-type')).toBe('application/json');
  });

  it('resends at once after a 500: two requests, no sleep', async () => {
    const { client, requests, waits } = harness([serverError(), ok()]);
    const result = await client.callAction(CALL_ID, 'hangup', { command_id: commandId });
    expect(result.attempts).toBe(2);
    expect(result.body).toEqual({ data: { result: 'ok' } });
    expect(requests).toHaveLength(2);
    expect(waits).toEqual([]);
  });

  it('resends at once after a timeout (no answer) and after a network error', async () => {
    const { client, requests, waits } = harness([timeoutError(), networkError(), ok()]);
    const result = await client.callAction(CALL_ID, 'answer', { command_id: commandId });
    expect(result.attempts).toBe(3);
    expect(requests).toHaveLength(3);
    expect(waits).toEqual([]);
  });

  it('resends after a 2xx it cannot read (Telnyx ignores the repeated command_id)', async () => {
    const { client, requests } = harness([new Response('not json', { status: 200 }), ok()]);
    expect((await client.callAction(CALL_ID, 'hangup', { command_id: commandId })).attempts).toBe(2);
    expect(requests).toHaveLength(2);
  });

  for (const status of [400, 404, 422]) {
    it(`does not resend a ${status}: outcome "rejected"`, async () => {
      const { client, requests, waits } = harness([
        telnyxErrors(status, [{ code: '90018', title: 'Call has already ended' }]),
      ]);
      const error = await telnyxFailure(client.callAction(CALL_ID, 'hangup', { command_id: commandId }));
      expect(requests).toHaveLength(1);
      expect(waits).toEqual([]);
      expect(error.outcome).toBe('rejected');
      expect(error.status).toBe(status);
      expect(error.code).toBe('90018');
      expect(error.context.kind).toBe('command');
    });
  }

  it('waits for the rate-limit reset on a 429, then resends with the same command_id', async () => {
    const { client, requests, waits } = harness([rateLimited({ 'x-ratelimit-reset': '1' }), ok()]);
    const result = await client.callAction(CALL_ID, 'hangup', { command_id: commandId });
    expect(result.attempts).toBe(2);
    expect(waits).toEqual([1000]);
    expect(requests[1]!.rawBody).toBe(requests[0]!.rawBody);
  });

  it('does not sit out a 429 reset longer than maxRateLimitWaitMs; the error carries retryAfterMs', async () => {
    const { client, requests, waits } = harness([rateLimited({ 'retry-after': '30' })]);
    const error = await telnyxFailure(client.callAction(CALL_ID, 'hangup', { command_id: commandId }));
    expect(requests).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(error.outcome).toBe('rejected');
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('gives up after commandAttempts (default 3) with outcome "unknown"', async () => {
    const { client, requests, waits } = harness([serverError(), timeoutError(), serverError(503)]);
    const error = await telnyxFailure(client.callAction(CALL_ID, 'hangup', { command_id: commandId }));
    expect(requests).toHaveLength(3);
    expect(waits).toEqual([]);
    expect(error.outcome).toBe('unknown');
    expect(error.status).toBe(503);
    expect(error.context).toMatchObject({ kind: 'command', attempt: 3 });
  });

  it('honours commandAttempts: 1 and commandAttempts: 5', async () => {
    const once = harness([timeoutError()], { commandAttempts: 1 });
    expect((await telnyxFailure(once.client.callAction(CALL_ID, 'hangup', { command_id: commandId }))).failure).toBe(
      'timeout',
    );
    expect(once.requests).toHaveLength(1);

    const five = harness([timeoutError(), timeoutError(), timeoutError(), timeoutError(), timeoutError()], {
      commandAttempts: 5,
    });
    await telnyxFailure(five.client.callAction(CALL_ID, 'hangup', { command_id: commandId }));
    expect(five.requests).toHaveLength(5);
  });

  it('refuses an empty command_id before sending anything', async () => {
    const { client, requests } = harness([]);
    await expect(client.command({ method: 'POST', path: '/calls', commandId: '' })).rejects.toThrow(TypeError);
    await expect(client.callAction(CALL_ID, 'hangup', { command_id: '' })).rejects.toThrow(TypeError);
    expect(requests).toHaveLength(0);
  });

  it('callAction POSTs to /calls/{id}/actions/{action} with the call control id URL-encoded', async () => {
    const { client, requests } = harness([ok(), ok()]);
    await client.callAction(CALL_ID, 'speak', { payload: 'Hi', voice: 'female', command_id: commandId });
    await client.callAction('v3:a/b+c?d#e', 'hangup', { command_id: commandId });
    expect(requests[0]!.method).toBe('POST');
    expect(requests[0]!.url).toBe(`${BASE}/calls/v3%3A${CALL_ID.slice(3)}/actions/speak`);
    expect(requests[0]!.body).toEqual({ payload: 'Hi', voice: 'female', command_id: commandId });
    expect(requests[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    expect(requests[1]!.url).toBe(`${BASE}/calls/v3%3Aa%2Fb%2Bc%3Fd%23e/actions/hangup`);
  });

  it('dial POSTs the params with their command_id to /calls', async () => {
    const dialed = { data: { call_control_id: CALL_ID, call_leg_id: 'leg', call_session_id: 'session' } };
    const params = { connection_id: '1494404757140276705', from: FROM, to: TO, command_id: commandId };
    const { client, requests } = harness([serverError(), json(200, dialed)]);
    const result = await client.dial(params);
    expect(result.body).toEqual(dialed);
    expect(requests).toHaveLength(2);
    for (const request of requests) {
      expect(request.method).toBe('POST');
      expect(request.url).toBe(`${BASE}/calls`);
      expect(request.body).toEqual(params);
    }
    expect(requests[1]!.rawBody).toBe(requests[0]!.rawBody);
  });
});

// --- Real timeouts --------------------------------------------------------------------------

describe('per-attempt timeouts (a real AbortSignal.timeout)', () => {
  it('aborts a command with no answer after timeouts.command and resends it', async () => {
    const { client, requests } = harness([untilAborted, ok()], { timeouts: { command: 50 } });
    const started = Date.now();
    const result = await client.callAction(CALL_ID, 'hangup', { command_id: 'cmd-timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(result.attempts).toBe(2);
    expect(requests).toHaveLength(2);
    expect(requests[0]!.signal?.aborted).toBe(true);
    expect((requests[0]!.signal?.reason as Error).name).toBe('TimeoutError');
    // Each attempt has its own timeout: the resend's signal is fresh.
    expect(requests[1]!.signal?.aborted).toBe(false);
    expect(requests[1]!.rawBody).toBe(requests[0]!.rawBody);
  });

  it('gives up on a command that never answers after commandAttempts timeouts', async () => {
    const { client, requests } = harness([untilAborted, untilAborted, untilAborted], { timeouts: { command: 20 } });
    const error = await telnyxFailure(client.callAction(CALL_ID, 'hangup', { command_id: 'cmd-timeout' }));
    expect(requests).toHaveLength(3);
    expect(error.failure).toBe('timeout');
    expect(error.outcome).toBe('unknown');
  });

  it('times a send out once and reports "unknown" without resending', async () => {
    const { client, requests } = harness([untilAborted], { timeouts: { send: 20 } });
    const error = await telnyxFailure(client.sendMessage(message));
    expect(requests).toHaveLength(1);
    expect(error.failure).toBe('timeout');
    expect(error.outcome).toBe('unknown');
    expect((error.cause as Error).name).toBe('TimeoutError');
  });

  it('times a read out and retries it', async () => {
    const { client, requests, waits } = harness([untilAborted, ok()], { timeouts: { read: 20 } });
    expect((await client.read({ method: 'GET', path: '/x' })).attempts).toBe(2);
    expect(requests).toHaveLength(2);
    expect(waits).toEqual([step(1)]);
  });

  it('does not abort an answer that arrives within the timeout', async () => {
    const slowButInTime = (): Promise<Response> => new Promise((resolve) => setTimeout(() => resolve(ok()), 10));
    const { client, requests } = harness([slowButInTime], { timeouts: { command: 500 } });
    expect((await client.callAction(CALL_ID, 'hangup', { command_id: 'cmd' })).attempts).toBe(1);
    expect(requests[0]!.signal?.aborted).toBe(false);
  });
});

// --- URLs -----------------------------------------------------------------------------------

describe('URLs', () => {
  it("lookupNumber encodes '+' in the path and repeats the type parameter in order", async () => {
    const { client, requests } = harness([json(200, { data: { phone_number: TO } })]);
    await client.lookupNumber(TO, ['carrier', 'caller-name']);
    const url = new URL(requests[0]!.url);
    expect(requests[0]!.url).toBe(`${BASE}/number_lookup/%2B13125550123?type=carrier&type=caller-name`);
    expect(url.pathname).toBe('/v2/number_lookup/%2B13125550123');
    expect(url.searchParams.getAll('type')).toEqual(['carrier', 'caller-name']);
    expect(requests[0]!.method).toBe('GET');
  });

  it('lookupNumber without types has no query string', async () => {
    const { client, requests } = harness([json(200, {})]);
    await client.lookupNumber(TO);
    expect(requests[0]!.url).toBe(`${BASE}/number_lookup/%2B13125550123`);
  });

  it('retrieveMessage encodes the id into one path segment', async () => {
    const { client, requests } = harness([json(200, {})]);
    await client.retrieveMessage('a/b?c');
    expect(requests[0]!.url).toBe(`${BASE}/messages/a%2Fb%3Fc`);
  });

  it('takes single-string query values and skips undefined ones', async () => {
    const { client, requests } = harness([json(200, {})]);
    await client.read({ method: 'GET', path: '/messages', query: { 'page[size]': '20', skipped: undefined } });
    expect(new URL(requests[0]!.url).searchParams.get('page[size]')).toBe('20');
    expect(new URL(requests[0]!.url).searchParams.has('skipped')).toBe(false);
  });

  for (const baseUrl of [BASE, `${BASE}/`, `${BASE}//`]) {
    it(`joins paths to the base URL "${baseUrl}" with exactly one slash`, async () => {
      const { client, requests } = harness([json(200, {})], { baseUrl });
      await client.sendMessage(message);
      expect(requests[0]!.url).toBe('https://api.telnyx.test/v2/messages');
    });
  }
});

// --- Configuration ----------------------------------------------------------------------------

describe('telnyxClientFromEnv', () => {
  function configFailure(env: { TELNYX_API_KEY?: string; TELNYX_API_BASE?: string }): ApiError {
    try {
      telnyxClientFromEnv({ TELNYX_API_KEY: '', TELNYX_API_BASE: '', ...env } as Pick<
        Env,
        'TELNYX_API_KEY' | 'TELNYX_API_BASE'
      >);
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
    return expect.fail('expected telnyxClientFromEnv to refuse the configuration');
  }

  /** Builds a client from env with a fake fetch, sends one message, and returns the URL it went to. */
  async function urlUsed(base: string): Promise<string> {
    const telnyx = fakeTelnyx([json(200, sentMessage)]);
    const client = telnyxClientFromEnv({ TELNYX_API_KEY: API_KEY, TELNYX_API_BASE: base }, { fetch: telnyx.fetch });
    await client.sendMessage(message);
    expect(telnyx.requests[0]!.headers.get('authorization')).toBe(`Bearer ${API_KEY}`);
    return telnyx.requests[0]!.url;
  }

  it('refuses a missing or empty TELNYX_API_KEY with a 503 naming it', () => {
    for (const key of [undefined, '']) {
      const error = configFailure({ TELNYX_API_KEY: key, TELNYX_API_BASE: BASE });
      expect(error.status).toBe(503);
      expect(error.errors).toHaveLength(1);
      expect(error.errors[0]).toMatchObject({ code: '10007', title: 'Service not configured' });
      expect(error.errors[0]!.detail).toContain('TELNYX_API_KEY');
    }
  });

  it('uses https://api.telnyx.com/v2 when TELNYX_API_BASE is empty', async () => {
    expect(await urlUsed('')).toBe('https://api.telnyx.com/v2/messages');
  });

  it('accepts an https base', async () => {
    expect(await urlUsed('https://telnyx-sim.example.com/v2/')).toBe('https://telnyx-sim.example.com/v2/messages');
  });

  for (const base of ['http://localhost:8787/v2', 'http://127.0.0.1:8787/v2', 'http://[::1]:8787/v2']) {
    it(`allows plain http for a local simulator: ${base}`, async () => {
      expect(await urlUsed(base)).toBe(`${base}/messages`);
    });
  }

  for (const base of [
    'http://api.telnyx.com/v2',
    'http://localhost.attacker.example/v2',
    'http://127.0.0.2/v2',
    'ftp://localhost/v2',
  ]) {
    it(`refuses ${base} with a 503 asking for https`, () => {
      const error = configFailure({ TELNYX_API_KEY: API_KEY, TELNYX_API_BASE: base });
      expect(error.status).toBe(503);
      expect(error.errors[0]!.detail).toContain('must use https');
    });
  }

  for (const base of ['not a url', 'api.telnyx.com/v2', '/v2']) {
    it(`refuses "${base}" with a 503: not a URL`, () => {
      const error = configFailure({ TELNYX_API_KEY: API_KEY, TELNYX_API_BASE: base });
      expect(error.status).toBe(503);
      expect(error.errors[0]!.detail).toBe(`TELNYX_API_BASE "${base}" is not a URL.`);
    });
  }

  it('passes options through to the client (e.g. readRetries and sleep)', async () => {
    const telnyx = fakeTelnyx([serverError()]);
    const waits: number[] = [];
    const client = telnyxClientFromEnv(
      { TELNYX_API_KEY: API_KEY, TELNYX_API_BASE: BASE },
      { fetch: telnyx.fetch, readRetries: 0, sleep: async (ms) => void waits.push(ms) },
    );
    await telnyxFailure(client.retrieveMessage('m1'));
    expect(telnyx.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

// --- errors.ts ------------------------------------------------------------------------------

describe('TelnyxApiError', () => {
  const context = { method: 'POST', path: '/messages', kind: 'send', attempt: 1 };

  it('maps status to outcome: 4xx rejected, 5xx unknown, unreadable 2xx unknown', () => {
    const headers = new Headers();
    for (const status of [400, 401, 403, 404, 409, 422, 429]) {
      expect(TelnyxApiError.fromResponse(status, headers, [], context).outcome).toBe('rejected');
    }
    for (const status of [500, 502, 503, 504, 599]) {
      expect(TelnyxApiError.fromResponse(status, headers, [], context).outcome).toBe('unknown');
    }
    const unreadable = TelnyxApiError.fromResponse(200, headers, [], context, 'unreadable');
    expect(unreadable.outcome).toBe('unknown');
    expect(unreadable.failure).toBe('unreadable');
  });

  it('is an Error named TelnyxApiError with a message naming the call and the first error', () => {
    const error = TelnyxApiError.fromResponse(409, new Headers(), [optedOut], context);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('TelnyxApiError');
    expect(error.code).toBe('40300');
    expect(error.message).toBe(
      `Telnyx POST /messages answered 409 (40300 Blocked due to STOP message: ${optedOut.detail ?? ''})`,
    );
    const bare = TelnyxApiError.fromResponse(502, new Headers(), [], context);
    expect(bare.code).toBeUndefined();
    expect(bare.message).toBe('Telnyx POST /messages answered 502 (no error body)');
    const noDetail = TelnyxApiError.fromResponse(
      400,
      new Headers(),
      [{ code: '10015', title: 'Bad Request' }],
      context,
    );
    expect(noDetail.message).toBe('Telnyx POST /messages answered 400 (10015 Bad Request)');
  });

  it('carries retryAfterMs only for a 429', () => {
    const headers = new Headers({ 'x-ratelimit-reset': '3', 'retry-after': '3' });
    expect(TelnyxApiError.fromResponse(429, headers, [], context).retryAfterMs).toBe(3000);
    expect(TelnyxApiError.fromResponse(503, headers, [], context).retryAfterMs).toBeUndefined();
  });

  it('noAnswer has no status, no errors, outcome unknown, and keeps the cause', () => {
    const cause = timeoutError();
    const error = TelnyxApiError.noAnswer('timeout', context, cause);
    expect(error.status).toBeUndefined();
    expect(error.errors).toEqual([]);
    expect(error.outcome).toBe('unknown');
    expect(error.failure).toBe('timeout');
    expect(error.cause).toBe(cause);
    expect(error.message).toBe('Telnyx POST /messages: no answer before the timeout');
    expect(TelnyxApiError.noAnswer('network', context, networkError()).message).toBe(
      'Telnyx POST /messages: a network error',
    );
  });
});

describe('errorsFromBody', () => {
  const response = (status: number): Response => new Response(null, { status });

  it("keeps Telnyx's errors[] with code, title, detail, source and meta", () => {
    const errors = [
      { code: '10002', title: 'Invalid phone number', detail: 'bad', source: { pointer: '/to' }, meta: { a: 1 } },
      { code: '10004', title: 'Missing', source: { parameter: 'type' } },
    ];
    expect(errorsFromBody({ errors }, response(422), '')).toEqual(errors);
  });

  it('turns numeric codes into strings and fills a missing code or title from the status line', () => {
    const result = errorsFromBody({ errors: [{ code: 40300, title: 'Blocked' }, { detail: 'x' }] }, response(409), '');
    expect(result).toEqual([
      { code: '40300', title: 'Blocked' },
      { code: '409', title: 'Conflict', detail: 'x' },
    ]);
  });

  it('drops a source or meta that is not an object', () => {
    const result = errorsFromBody(
      { errors: [{ code: '1', title: 't', source: '/to', meta: null }] },
      response(400),
      '',
    );
    expect(result).toEqual([{ code: '1', title: 't' }]);
  });

  it('makes one error from the status line when the body has no errors[], with the text cut to 200 chars', () => {
    const text = 'x'.repeat(500);
    for (const body of [undefined, {}, { errors: [] }, { errors: 'nope' }, 'text']) {
      expect(errorsFromBody(body, response(502), text)).toEqual([
        { code: '502', title: 'Bad Gateway', detail: 'x'.repeat(200) },
      ]);
    }
  });

  it('the client falls back to the status line for a non-JSON error body', async () => {
    const { client } = harness([new Response('upstream connect error', { status: 503 })]);
    const error = await telnyxFailure(client.sendMessage(message));
    expect(error.outcome).toBe('unknown');
    expect(error.errors).toEqual([{ code: '503', title: 'Service Unavailable', detail: 'upstream connect error' }]);
  });
});

describe('retryAfterMs', () => {
  const NOW_MS = 1_763_900_000_000; // a fixed "now"; Unix seconds 1_763_900_000
  const headers = (init: Record<string, string>): Headers => new Headers(init);

  it('is undefined with neither header', () => {
    expect(retryAfterMs(headers({}), NOW_MS)).toBeUndefined();
  });

  it('reads x-ratelimit-reset as seconds until the reset, rounding up to whole ms', () => {
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '1' }), NOW_MS)).toBe(1000);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '0' }), NOW_MS)).toBe(0);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '1.5' }), NOW_MS)).toBe(1500);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '0.0004' }), NOW_MS)).toBe(1);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': ' 2 ' }), NOW_MS)).toBe(2000);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '3600' }), NOW_MS)).toBe(3_600_000);
  });

  it('reads an x-ratelimit-reset above 1e9 as a Unix time, and a past one as 0', () => {
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '1763900030' }), NOW_MS)).toBe(30_000);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '1763900000.25' }), NOW_MS)).toBe(250);
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '1763899990' }), NOW_MS)).toBe(0);
  });

  it('prefers x-ratelimit-reset over Retry-After, and ignores a malformed x-ratelimit-reset', () => {
    expect(retryAfterMs(headers({ 'x-ratelimit-reset': '2', 'retry-after': '60' }), NOW_MS)).toBe(2000);
    for (const bad of ['soon', '-1', '1e3', '']) {
      expect(retryAfterMs(headers({ 'x-ratelimit-reset': bad, 'retry-after': '7' }), NOW_MS)).toBe(7000);
      expect(retryAfterMs(headers({ 'x-ratelimit-reset': bad }), NOW_MS)).toBeUndefined();
    }
  });

  it('reads Retry-After as delay-seconds', () => {
    expect(retryAfterMs(headers({ 'retry-after': '0' }), NOW_MS)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after': '120' }), NOW_MS)).toBe(120_000);
  });

  it('reads Retry-After as an HTTP date, and a past date as 0', () => {
    const in30s = new Date(NOW_MS + 30_000).toUTCString();
    expect(retryAfterMs(headers({ 'retry-after': in30s }), NOW_MS)).toBe(30_000);
    const past = new Date(NOW_MS - 30_000).toUTCString();
    expect(retryAfterMs(headers({ 'retry-after': past }), NOW_MS)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' }), NOW_MS)).toBe(0);
  });

  it('is undefined for a Retry-After that is not a date', () => {
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), NOW_MS)).toBeUndefined();
    expect(retryAfterMs(headers({ 'retry-after': '' }), NOW_MS)).toBeUndefined();
  });

  // RFC 9110 section 10.2.3: Retry-After is an HTTP-date or delay-seconds (1*DIGIT). V8's Date.parse
  // accepts far more ("1.5" parses as 5 January 2001), which would read as "retry at once".
  it('is undefined for a Retry-After that is neither delay-seconds nor an HTTP date', () => {
    for (const bad of ['1.5', '-1', '30 s']) {
      expect(retryAfterMs(headers({ 'retry-after': bad }), NOW_MS), `Retry-After: ${bad}`).toBeUndefined();
    }
  });
});

// --- Failures whose outcome must still be described truthfully ----------------------------------

describe('outcomes that must stay truthful', () => {
  // The timeout covers the whole response, body included. When Telnyx sends 200 and its headers
  // and then the body stalls or breaks, Telnyx did something we cannot read: "unknown", not success.
  it('a 2xx whose body breaks off while being read is "unknown"/"unreadable", not a success', async () => {
    const stalledBody = (request: SeenRequest): Promise<Response> => {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"data":{"id":"40317f8a-'));
          request.signal?.addEventListener('abort', () => controller.error(request.signal?.reason), { once: true });
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'content-type': 'application/json' } }));
    };
    const { client, requests } = harness([stalledBody], { timeouts: { send: 30 } });
    const error = await telnyxFailure(client.sendMessage(message));
    expect(requests).toHaveLength(1);
    expect(error.outcome).toBe('unknown');
    expect(error.status).toBe(200);
  });

  it('a read whose 2xx body breaks off is retried rather than returned with no body', async () => {
    const broken = new Response(
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.error(new TypeError('Network connection lost.'));
        },
      }),
      { status: 200 },
    );
    const { client, requests } = harness([broken, json(200, { data: { id: 'm1' } })]);
    const result = await client.retrieveMessage('m1');
    expect(result.body).toEqual({ data: { id: 'm1' } });
    expect(requests).toHaveLength(2);
  });

  // A request that cannot be built never leaves the Worker: that is a bug in the caller (TypeError),
  // not failure "network" with outcome "unknown" ("it may have reached Telnyx").
  it('a send whose body cannot be serialised fails without claiming it may have reached Telnyx', async () => {
    const { client, requests } = harness([]);
    const call = client.send({ method: 'POST', path: '/messages', body: { to: TO, count: 1n } });
    await expect(call).rejects.toThrow(TypeError);
    expect(requests).toHaveLength(0);
  });

  it('a read whose body cannot be serialised is not retried with backoff', async () => {
    const { client, requests, waits } = harness([]);
    await expect(client.read({ method: 'POST', path: '/x', body: { count: 1n } })).rejects.toThrow(TypeError);
    expect(requests).toHaveLength(0);
    expect(waits).toEqual([]);
  });

  // A malformed errors[] entry must not cost the caller the status and the outcome ("unknown" for a 503).
  it('a 5xx whose errors[] holds a null entry is still a TelnyxApiError with outcome "unknown"', async () => {
    const { client, requests } = harness([json(503, { errors: [null] })]);
    const error = await telnyxFailure(client.sendMessage(message));
    expect(requests).toHaveLength(1);
    expect(error.status).toBe(503);
    expect(error.outcome).toBe('unknown');
  });
});
