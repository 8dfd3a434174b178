// receiveTelnyxWebhook at the HTTP level: RELIABILITY.md rows 1-6 and 29. A test route stands in
// for a webhook handler that writes state once a webhook verifies; every refusal must leave that
// state untouched and produce Telnyx's error shape, never a 5xx.
import { createExecutionContext, env } from 'cloudflare:test';
import { Router, type IRequest } from 'itty-router';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { errorResponse } from '../../shared/errors';
import { WEBHOOK_BODY_LIMIT } from '../../shared/http';
import { receiveTelnyxWebhook } from '../../shared/webhooks/receive';
import type { EdgeArgs } from '../../shared/worker';
import { rotatedKey, strangerKey, telnyxKey } from '../support/keys';
import { sampleEvent, signedHeaders } from '../support/webhooks';

const NOW = 1_763_900_000;

const router = Router<IRequest, EdgeArgs>({ catch: (error, request) => errorResponse(error, request) });
router.post('/hook', async (request, env) => {
  const webhook = await receiveTelnyxWebhook(request, env, { now: () => NOW * 1000 });
  await env.CONFIG.put(`received:${crypto.randomUUID()}`, webhook.text ?? '');
  return new Response(null, { status: 204 });
});

async function deliver(body: BodyInit | null, headers: Record<string, string>, bindings: Partial<Env> = {}) {
  const request = new Request('https://edge.test/hook', { method: 'POST', body, headers });
  return router.fetch(request, { ...env, ...bindings }, createExecutionContext()) as Promise<Response>;
}

async function storedCount(): Promise<number> {
  return (await env.CONFIG.list({ prefix: 'received:' })).keys.length;
}

async function expectRefused(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as { errors: Array<Record<string, unknown>> };
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toMatchObject({ code, title: expect.any(String), detail: expect.any(String) });
  expect(JSON.stringify(body)).not.toMatch(/\bat \S+:\d+:\d+|\.ts:\d+/); // no stack trace
  expect(await storedCount()).toBe(0);
}

// Storage persists across the tests of a file, so each test starts from an empty record.
beforeEach(async () => {
  const { keys } = await env.CONFIG.list({ prefix: 'received:' });
  await Promise.all(keys.map((key) => env.CONFIG.delete(key.name)));
});
afterEach(() => vi.restoreAllMocks());

describe('a genuine webhook', () => {
  it('is accepted and its body handed on byte for byte', async () => {
    const body = sampleEvent();
    const response = await deliver(body, signedHeaders(body, { timestamp: String(NOW) }));
    expect(response.status).toBe(204);
    const { keys } = await env.CONFIG.list({ prefix: 'received:' });
    expect(keys).toHaveLength(1);
    expect(await env.CONFIG.get(keys[0]!.name)).toBe(body);
  });

  it('is accepted when signed with either of two configured keys', async () => {
    const keys = `${telnyxKey.publicKeyBase64}, ${rotatedKey.publicKeyBase64}`;
    const body = sampleEvent();
    for (const secretKey of [telnyxKey.secretKey, rotatedKey.secretKey]) {
      const headers = signedHeaders(body, { timestamp: String(NOW), secretKey });
      expect((await deliver(body, headers, { TELNYX_PUBLIC_KEY: keys })).status).toBe(204);
    }
    expect(await storedCount()).toBe(2);
  });
});

describe('refusals leave state unchanged', () => {
  const body = sampleEvent();
  const good = () => signedHeaders(body, { timestamp: String(NOW) });

  // Row 1
  it('401 without the signature header, or without the timestamp header', async () => {
    const { 'telnyx-signature-ed25519': _signature, ...noSignature } = good();
    const { 'telnyx-timestamp': _timestamp, ...noTimestamp } = good();
    await expectRefused(await deliver(body, noSignature), 401, '10009');
    await expectRefused(await deliver(body, noTimestamp), 401, '10009');
    await expectRefused(await deliver(body, { 'content-type': 'application/json' }), 401, '10009');
  });

  // Row 2
  it('401 for a re-serialised body', async () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    await expectRefused(await deliver(reserialised, good()), 401, '10009');
  });

  // Row 3 (the exhaustive flip property is in webhook-signature.unit.test.ts)
  it('401 for a flipped byte in body, timestamp or signature', async () => {
    const headers = good();
    const flippedBody = body.replace('Hello', 'Hellp');
    const flippedTimestamp = String(NOW + 1);
    const signature = headers['telnyx-signature-ed25519']!;
    const flippedSignature = signature.slice(0, 5) + (signature[5] === 'A' ? 'B' : 'A') + signature.slice(6);
    await expectRefused(await deliver(flippedBody, headers), 401, '10009');
    await expectRefused(await deliver(body, { ...headers, 'telnyx-timestamp': flippedTimestamp }), 401, '10009');
    await expectRefused(
      await deliver(body, { ...headers, 'telnyx-signature-ed25519': flippedSignature }),
      401,
      '10009',
    );
  });

  // Row 4
  it.each([String(NOW - 301), String(NOW + 301), `${NOW}abc`, '1e9', `-${NOW}`, '12345678901234567890'])(
    '401 for timestamp %s; ±299 s accepted',
    async (timestamp) => {
      await expectRefused(await deliver(body, signedHeaders(body, { timestamp })), 401, '10009');
    },
  );

  it('accepts ±299 s', async () => {
    for (const timestamp of [String(NOW - 299), String(NOW + 299)]) {
      expect((await deliver(body, signedHeaders(body, { timestamp }))).status).toBe(204);
    }
  });

  // Row 5
  it('401 for malformed signatures', async () => {
    const signature = good()['telnyx-signature-ed25519']!;
    const bytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
    const encode = (b: Uint8Array) => btoa(String.fromCharCode(...b));
    for (const bad of [
      encode(bytes.slice(0, 63)),
      encode(new Uint8Array([...bytes, 1])),
      signature.replace(/=+$/, ''),
      '',
      '-_' + signature.slice(2),
    ]) {
      await expectRefused(await deliver(body, { ...good(), 'telnyx-signature-ed25519': bad }), 401, '10009');
    }
  });

  it('401 for a webhook signed by a key that is not configured', async () => {
    const headers = signedHeaders(body, { timestamp: String(NOW), secretKey: strangerKey.secretKey });
    await expectRefused(await deliver(body, headers), 401, '10009');
  });

  // Row 6: fail closed, never accept unsigned, whatever the request carries.
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['not base64', 'nope!'],
    ['of 31 bytes', btoa('x'.repeat(31))],
  ])('503 when TELNYX_PUBLIC_KEY is %s, even for an otherwise genuine webhook', async (_name, key) => {
    const response = await deliver(body, good(), { TELNYX_PUBLIC_KEY: key as string });
    await expectRefused(response, 503, '10007');
  });

  it('503 when WEBHOOK_TOLERANCE_SECONDS would switch the replay check off', async () => {
    await expectRefused(await deliver(body, good(), { WEBHOOK_TOLERANCE_SECONDS: '0' }), 503, '10007');
  });

  // Row 29
  it('413 for a body over 256 KiB, before any signature check', async () => {
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const big = JSON.stringify({ data: { pad: 'x'.repeat(WEBHOOK_BODY_LIMIT) } });
    await expectRefused(await deliver(big, signedHeaders(big, { timestamp: String(NOW) })), 413, '10015');
    expect(verify).not.toHaveBeenCalled();
    expect(importKey).not.toHaveBeenCalled();
  });

  it('413 for an oversized body streamed without Content-Length', async () => {
    const chunk = new Uint8Array(64 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 8) return controller.close();
        sent++;
        controller.enqueue(chunk);
      },
    });
    const response = await deliver(stream, good());
    await expectRefused(response, 413, '10015');
    expect(sent).toBeLessThan(8); // reading stopped once the limit was passed
  });

  it('accepts a body of exactly 256 KiB', async () => {
    const padding = WEBHOOK_BODY_LIMIT - JSON.stringify({ p: '' }).length;
    const exact = JSON.stringify({ p: 'x'.repeat(padding) });
    expect(new TextEncoder().encode(exact).length).toBe(WEBHOOK_BODY_LIMIT);
    expect((await deliver(exact, signedHeaders(exact, { timestamp: String(NOW) }))).status).toBe(204);
  });
});
