// Admin auth (shared/auth.ts): RELIABILITY.md row 27. Every wrong token, whatever its length, gets
// 401 in Telnyx's shape, and the comparison always runs over two equal-length digests.
import { createExecutionContext, env } from 'cloudflare:test';
import { Router, type IRequest } from 'itty-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireAdmin } from '../../shared/auth';
import { errorResponse } from '../../shared/errors';
import type { EdgeArgs } from '../../shared/worker';
import { TEST_ADMIN_TOKEN } from '../support/keys';

const router = Router<IRequest, EdgeArgs>({ catch: (error, request) => errorResponse(error, request) });
router.get('/admin', requireAdmin, () => new Response('secret things'));

async function call(authorization: string | undefined, bindings: Partial<Env> = {}) {
  const headers: Record<string, string> = authorization === undefined ? {} : { authorization };
  const request = new Request('https://edge.test/admin', { headers });
  return (await router.fetch(request, { ...env, ...bindings }, createExecutionContext())) as Response;
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { errors: Array<{ code: string; title: string; detail: string }> };
  expect(body.errors[0]).toMatchObject({ code, title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(body)).not.toContain(TEST_ADMIN_TOKEN);
}

afterEach(() => vi.restoreAllMocks());

describe('requireAdmin', () => {
  it('lets the right token through, with the scheme in any case', async () => {
    for (const header of [`Bearer ${TEST_ADMIN_TOKEN}`, `bearer ${TEST_ADMIN_TOKEN}`, `BEARER  ${TEST_ADMIN_TOKEN} `]) {
      const response = await call(header);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('secret things');
    }
  });

  const wrong: Array<[string, string | undefined]> = [
    ['no header', undefined],
    ['empty header', ''],
    ['scheme only', 'Bearer'],
    ['scheme and space', 'Bearer '],
    ['Basic scheme', `Basic ${TEST_ADMIN_TOKEN}`],
    ['token without scheme', TEST_ADMIN_TOKEN],
    ['one character', 'Bearer x'],
    ['one character short', `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}`],
    ['one character long', `Bearer ${TEST_ADMIN_TOKEN}x`],
    ['same length, last character wrong', `Bearer ${TEST_ADMIN_TOKEN.slice(0, -1)}#`],
    ['same length, first character wrong', `Bearer #${TEST_ADMIN_TOKEN.slice(1)}`],
    ['different case', `Bearer ${TEST_ADMIN_TOKEN.toUpperCase()}`],
    ['1 KiB', `Bearer ${'a'.repeat(1024)}`],
    ['two tokens', `Bearer ${TEST_ADMIN_TOKEN} ${TEST_ADMIN_TOKEN}`],
  ];
  it.each(wrong)('401 for %s', async (_name, header) => {
    await expectError(await call(header), 401, '10009');
  });

  it('compares 32-byte digests in constant time, whatever the presented length', async () => {
    const compare = vi.spyOn(crypto.subtle, 'timingSafeEqual');
    for (const token of ['x', TEST_ADMIN_TOKEN.slice(0, -1), 'y'.repeat(500)]) {
      await call(`Bearer ${token}`);
    }
    expect(compare).toHaveBeenCalledTimes(3);
    for (const [a, b] of compare.mock.calls) {
      expect((a as ArrayBuffer).byteLength).toBe(32);
      expect((b as ArrayBuffer).byteLength).toBe(32);
    }
  });

  it('503 (closed to everyone) when ADMIN_TOKEN is unset, empty or too short', async () => {
    for (const token of [undefined, '', 'short-token']) {
      const bindings = { ADMIN_TOKEN: token as string };
      await expectError(await call(`Bearer ${token ?? ''}`, bindings), 503, '10007');
      await expectError(await call(undefined, bindings), 503, '10007');
    }
  });
});
