// The deployed entry point (workers/index.ts) as a client sees it: /health, unknown routes, and the
// single error handler that keeps every failure in Telnyx's shape and every stack trace in the logs.
import { createExecutionContext, env, SELF } from 'cloudflare:test';
import { Router, type IRequest } from 'itty-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../workers/index';
import { ApiError, errorResponse } from '../../shared/errors';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import type { EdgeArgs } from '../../shared/worker';

afterEach(() => vi.restoreAllMocks());

interface Health {
  name: string;
  version: string;
  status: string;
  bindings: Record<string, boolean>;
  secrets: Record<string, boolean>;
  problems: string[];
}

describe('GET /health', () => {
  it('reports name, version and configuration, never a secret value', async () => {
    const response = await SELF.fetch('https://edge.test/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const text = await response.text();
    const health = JSON.parse(text) as Health;
    expect(health).toMatchObject({ name: 'telnyx-edge', status: 'ok', problems: [] });
    expect(health.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(health.bindings).toEqual({
      CONFIG: true,
      LOOKUP_CACHE: true,
      DB: true,
      REPORTS: true,
      NUMBER_POOL: true,
      CALL_SESSION: true,
      FORWARD_QUEUE: true,
    });
    expect(health.secrets).toEqual({
      TELNYX_API_KEY: true,
      TELNYX_PUBLIC_KEY: true,
      ADMIN_TOKEN: true,
      FORWARD_SIGNING_SECRET: true,
      // Optional: unset in the tests' configuration, and not a problem.
      REPORT_WEBHOOK_URL: false,
    });
    for (const secret of [env.TELNYX_API_KEY, env.TELNYX_PUBLIC_KEY, env.ADMIN_TOKEN, env.FORWARD_SIGNING_SECRET]) {
      expect(text).not.toContain(secret);
    }
  });

  it('answers 503 and names each problem when secrets are missing or malformed', async () => {
    const broken = {
      ...env,
      TELNYX_API_KEY: undefined,
      TELNYX_PUBLIC_KEY: 'not-a-key',
      ADMIN_TOKEN: 'short',
    } as unknown as Env;
    const response = await worker.fetch(new Request('https://edge.test/health'), broken, createExecutionContext());
    expect(response.status).toBe(503);
    const health = (await response.json()) as Health;
    expect(health.status).toBe('misconfigured');
    expect(health.secrets.TELNYX_API_KEY).toBe(false);
    expect(health.problems.join('\n')).toMatch(/TELNYX_API_KEY is not configured/);
    expect(health.problems.join('\n')).toMatch(/TELNYX_PUBLIC_KEY entry 1 is not standard base64/);
    expect(health.problems.join('\n')).toMatch(/ADMIN_TOKEN is shorter than 16/);
  });

  it('names the problem when a lookup setting or TELNYX_API_BASE is unusable', async () => {
    const broken = {
      ...env,
      LOOKUP_TTL_CARRIER_SECONDS: 'a month',
      DEFAULT_COUNTRY: 'USA',
      TELNYX_API_BASE: 'http://api.telnyx.com/v2',
    } as Env;
    const response = await worker.fetch(new Request('https://edge.test/health'), broken, createExecutionContext());
    expect(response.status).toBe(503);
    const problems = ((await response.json()) as Health).problems.join('\n');
    expect(problems).toMatch(/TELNYX_API_BASE "http:\/\/api.telnyx.com\/v2" must use https/);
    expect(problems).toMatch(/DEFAULT_COUNTRY is "USA"/);
  });
});

describe('admin token, denied by default', () => {
  it('closes every route but /health and the webhooks, known or not, without the token', async () => {
    for (const path of [
      '/v2/number_lookup/+13125550100',
      '/lookup/batch',
      '/v2/no-such-thing',
      '/anything',
      '/webhooks-not',
    ]) {
      const response = await SELF.fetch(`https://edge.test${path}`, { method: 'POST' });
      expect([path, response.status]).toEqual([path, 401]);
    }
    expect((await SELF.fetch('https://edge.test/health')).status).toBe(200);
    // A webhook route is reached without the token, and refused for its missing signature instead.
    const webhook = await SELF.fetch('https://edge.test/webhooks/messaging', { method: 'POST', body: '{}' });
    expect(webhook.status).toBe(401);
    expect(((await webhook.json()) as { errors: Array<{ detail: string }> }).errors[0]!.detail).toMatch(
      /telnyx-signature-ed25519/,
    );
  });
});

describe('errors', () => {
  it('404 in Telnyx shape for an unknown route', async () => {
    const response = await SELF.fetch('https://edge.test/v2/no-such-thing', {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      errors: [{ code: '10005', title: 'Resource not found', detail: expect.any(String) }],
    });
  });

  it('renders ApiError as its status and errors[], with any headers it carries', async () => {
    const error = new ApiError(
      429,
      { code: '10011', title: 'Too many requests', detail: 'Slow down.', source: { parameter: 'x' } },
      { headers: { 'retry-after': '3' } },
    );
    const response = errorResponse(error);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({
      errors: [{ code: '10011', title: 'Too many requests', detail: 'Slow down.', source: { parameter: 'x' } }],
    });
  });

  it('turns an unexpected exception into a 500 with an error id, logging the cause but never returning it', async () => {
    const logged: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void logged.push(line));
    const router = Router<IRequest, EdgeArgs>({ catch: (e, request) => errorResponse(e, request) });
    router.get('/boom', () => {
      throw new TypeError('secret internals at /srv/app.ts:12:3 for +13125550123');
    });
    const response = (await router.fetch(
      new Request('https://edge.test/boom'),
      env,
      createExecutionContext(),
    )) as Response;
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/secret internals|TypeError|app\.ts|stack/);
    const body = JSON.parse(text) as { errors: Array<{ code: string; meta: { error_id: string } }> };
    expect(body.errors[0]!.code).toBe('10007');
    const errorId = body.errors[0]!.meta.error_id;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    // The log line carries the id and the cause, with the phone number masked.
    expect(logged).toHaveLength(1);
    const line = JSON.parse(logged[0]!) as { event: string; error_id: string; error: { message: string } };
    expect(line).toMatchObject({ event: 'unhandled_error', error_id: errorId });
    expect(line.error.message).toContain('secret internals');
    expect(logged[0]).not.toContain('+13125550123');
  });
});
