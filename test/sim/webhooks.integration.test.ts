// The simulator's webhooks as Telnyx sends them: Ed25519 signatures over `${timestamp}|${body}`
// that verify with the key at GET /sim/public-key (and fail for any other body); the envelope
// {data: {record_type, id, event_type, occurred_at, payload}, meta: {attempt, delivered_to}};
// retries (3 attempts per URL, then the failover URL), the event id kept across them, every
// attempt in GET /sim/deliveries; timeouts; URL precedence (message, then profile, then
// SIM_WEBHOOK_BASE or the webhook_base setting) and use_profile_webhooks=false; delivery by the
// Durable Object's alarm without a flush, and a retry that waits for retry_delay_ms.
import nacl from 'tweetnacl';
import { beforeEach, describe, expect, it } from 'vitest';
import { decodeBase64Strict } from '../../shared/base64';
import { WebhookVerificationError, verifyWebhookSignature } from '../../shared/webhooks/signature';
import { telnyxKey } from '../support/keys';
import {
  CHICAGO,
  DEFAULT_WEBHOOK_URL,
  IMMEDIATE,
  ISO,
  MARKETING,
  UUID,
  api,
  controlOk,
  deliveries,
  eventually,
  flush,
  getMessage,
  patchSettings,
  received,
  resetAll,
  scriptReceiver,
  send,
  simState,
  type Received,
} from './support';

const PRIMARY = 'http://primary.example.test/telnyx';
const FAILOVER = 'http://failover.example.test/telnyx';
const RECIPIENT = '+12065550123';

async function publicKey(): Promise<Uint8Array> {
  const { public_key } = await controlOk<{ public_key: string }>('GET', '/sim/public-key');
  const key = decodeBase64Strict(public_key);
  expect(key).toHaveLength(32);
  return key!;
}

function verify(webhook: Received, key: Uint8Array, body = webhook.body) {
  return verifyWebhookSignature(
    {
      timestamp: webhook.headers['telnyx-timestamp'] ?? null,
      signature: webhook.headers['telnyx-signature-ed25519'] ?? null,
      rawBody: new TextEncoder().encode(body),
    },
    { keys: [key], toleranceSeconds: 300, nowSeconds: Math.floor(Date.now() / 1000) },
  );
}

async function useProfileUrls(webhook_url: string, webhook_failover_url: string) {
  const response = await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, { webhook_url, webhook_failover_url });
  expect(response.status).toBe(200);
}

beforeEach(() => resetAll());

describe('signatures', () => {
  it('serves the simulator key, which is the test key', async () => {
    const { public_key } = await controlOk<{ public_key: string }>('GET', '/sim/public-key');
    expect(public_key).toBe(telnyxKey.publicKeyBase64);
  });

  it('signs every delivery over `${telnyx-timestamp}|${raw body}`, and only that body', async () => {
    await send({ from: CHICAGO, to: RECIPIENT, text: 'Signed, sealed' });
    await controlOk('POST', '/sim/messages/inbound', { from: RECIPIENT, to: CHICAGO, text: 'Delivered' });
    await flush();
    const key = await publicKey();
    const webhooks = await received();
    expect(webhooks.map((w) => w.json.data.event_type).sort()).toEqual([
      'message.finalized',
      'message.received',
      'message.sent',
    ]);
    for (const webhook of webhooks) {
      expect(webhook.method).toBe('POST');
      expect(webhook.headers['content-type']).toBe('application/json');
      const timestamp = webhook.headers['telnyx-timestamp']!;
      expect(timestamp).toMatch(/^\d+$/);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(30);
      expect(await verify(webhook, key)).toBe(Number(timestamp));

      // The same check by another implementation, on the exact bytes Telnyx signs.
      const signed = new TextEncoder().encode(`${timestamp}|${webhook.body}`);
      const signature = decodeBase64Strict(webhook.headers['telnyx-signature-ed25519']!)!;
      expect(nacl.sign.detached.verify(signed, signature, key)).toBe(true);

      // A body changed in any way, even only re-serialised, does not verify.
      const tampered = webhook.body.replace('"record_type":"event"', '"record_type":"evenT"');
      expect(tampered).not.toBe(webhook.body);
      await expect(verify(webhook, key, tampered)).rejects.toMatchObject({ reason: 'signature_mismatch' });
      await expect(verify(webhook, key, JSON.stringify(webhook.json, null, 1))).rejects.toBeInstanceOf(
        WebhookVerificationError,
      );
    }
  });
});

describe('the envelope', () => {
  it('carries the event and the message as Telnyx does', async () => {
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Envelope' });
    await flush();
    const webhooks = await received();
    expect(webhooks.map((w) => w.json.data.event_type)).toEqual(['message.sent', 'message.finalized']);
    for (const { json, url } of webhooks) {
      expect(Object.keys(json).sort()).toEqual(['data', 'meta']);
      expect(Object.keys(json.data).sort()).toEqual(['event_type', 'id', 'occurred_at', 'payload', 'record_type']);
      expect(json.data.record_type).toBe('event');
      expect(json.data.id).toMatch(UUID);
      expect(json.data.id).not.toBe(message.id);
      expect(json.data.occurred_at).toMatch(ISO);
      expect(json.data.payload).toMatchObject({ record_type: 'message', id: message.id, direction: 'outbound' });
      expect(json.meta).toEqual({ attempt: 1, delivered_to: DEFAULT_WEBHOOK_URL });
      expect(url).toBe(DEFAULT_WEBHOOK_URL);
    }
    const [sent, finalized] = webhooks.map((w) => w.json.data);
    expect(sent!.id).not.toBe(finalized!.id);
    // occurred_at is when the state changed: the sent_at and completed_at of the message.
    expect(sent!.occurred_at).toBe(sent!.payload.sent_at);
    expect(finalized!.occurred_at).toBe(finalized!.payload.completed_at);
  });
});

describe('delivery and retries', () => {
  it('tries the primary URL 3 times, then the failover URL 3 times, keeping the event id', async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    await scriptReceiver([], { status: 500, body: '{"error":"down"}' });
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Nobody home' });
    expect(await flush()).toBe(12);

    const webhooks = await received();
    for (const type of ['message.sent', 'message.finalized']) {
      const attempts = webhooks.filter((w) => w.json.data.event_type === type);
      expect(attempts.map((w) => w.url)).toEqual([PRIMARY, PRIMARY, PRIMARY, FAILOVER, FAILOVER, FAILOVER]);
      expect(attempts.map((w) => w.json.meta.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(attempts.map((w) => w.json.meta.delivered_to)).toEqual(attempts.map((w) => w.url));
      expect(new Set(attempts.map((w) => w.json.data.id)).size).toBe(1);
      // Every attempt is the same event, byte for byte, apart from meta.
      expect(new Set(attempts.map((w) => JSON.stringify(w.json.data))).size).toBe(1);
    }

    const log = await deliveries(`?message_id=${message.id}`);
    expect(log).toHaveLength(12);
    for (const type of ['message.sent', 'message.finalized']) {
      const rows = log.filter((d) => d.event_type === type);
      expect(rows.map((d) => [d.url, d.attempt])).toEqual([
        [PRIMARY, 1],
        [PRIMARY, 2],
        [PRIMARY, 3],
        [FAILOVER, 1],
        [FAILOVER, 2],
        [FAILOVER, 3],
      ]);
      for (const row of rows) {
        expect(row).toMatchObject({
          status: 500,
          outcome: 'rejected',
          message_id: message.id,
          response: '{"error":"down"}',
        });
        expect(row.at).toMatch(ISO);
      }
    }
    // Given up, not pending; and the message reached its final state all the same.
    expect((await simState()).counts.events_pending).toBe(0);
    expect((await getMessage(message.id)).to[0]!.status).toBe('delivered');
  });

  it('stops at the first 2xx, on the failover URL once the primary has had its 3 attempts', async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    await scriptReceiver([{ status: 500 }, { status: 502 }, { status: 404 }], { status: 202 });
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Third time lucky' });
    expect(await flush()).toBe(5);
    const log = await deliveries(`?message_id=${message.id}`);
    expect(log.map((d) => [d.event_type, d.url, d.attempt, d.status, d.outcome])).toEqual([
      ['message.sent', PRIMARY, 1, 500, 'rejected'],
      ['message.sent', PRIMARY, 2, 502, 'rejected'],
      ['message.sent', PRIMARY, 3, 404, 'rejected'],
      ['message.sent', FAILOVER, 1, 202, 'delivered'],
      ['message.finalized', PRIMARY, 1, 202, 'delivered'],
    ]);
    expect((await received()).map((w) => w.json.meta.attempt)).toEqual([1, 2, 3, 4, 1]);
  });

  it("uses the message's own failover URL", async () => {
    await scriptReceiver([], { status: 503 });
    await send({
      from: CHICAGO,
      to: RECIPIENT,
      text: 'Own URLs',
      webhook_url: 'https://own.example.test/primary',
      webhook_failover_url: 'https://own.example.test/failover',
    });
    await flush();
    const sent = (await received()).filter((w) => w.json.data.event_type === 'message.sent');
    expect(sent.map((w) => w.url)).toEqual([
      ...Array(3).fill('https://own.example.test/primary'),
      ...Array(3).fill('https://own.example.test/failover'),
    ]);
  });

  it('gives up after 3 attempts when there is no failover URL', async () => {
    await scriptReceiver([], { status: 500 });
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'No failover' });
    expect(await flush()).toBe(6);
    const log = await deliveries(`?event_type=message.sent&message_id=${message.id}`);
    expect(log.map((d) => [d.url, d.attempt])).toEqual([
      [DEFAULT_WEBHOOK_URL, 1],
      [DEFAULT_WEBHOOK_URL, 2],
      [DEFAULT_WEBHOOK_URL, 3],
    ]);
  });

  it('takes attempts_per_url from the settings', async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    await patchSettings({ attempts_per_url: 1 });
    await scriptReceiver([], { status: 500 });
    await send({ from: CHICAGO, to: RECIPIENT, text: 'Once each' });
    await flush();
    const sent = (await received()).filter((w) => w.json.data.event_type === 'message.sent');
    expect(sent.map((w) => [w.url, w.json.meta.attempt])).toEqual([
      [PRIMARY, 1],
      [FAILOVER, 2],
    ]);
  });

  it('records an endpoint slower than webhook_timeout_ms as a timeout, and tries again', async () => {
    await patchSettings({ webhook_timeout_ms: 200 });
    await scriptReceiver([{ delay_ms: 1500 }]);
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Too slow' });
    await flush();
    const log = await deliveries(`?message_id=${message.id}`);
    expect(log.map((d) => [d.event_type, d.attempt, d.outcome])).toEqual([
      ['message.sent', 1, 'timeout'],
      ['message.sent', 2, 'delivered'],
      ['message.finalized', 1, 'delivered'],
    ]);
    const timedOut = log[0]!;
    expect(timedOut.status).toBeNull();
    expect(timedOut.error).toMatch(/^TimeoutError/);
    expect(timedOut.latency_ms).toBeGreaterThanOrEqual(150);
    expect(timedOut.latency_ms).toBeLessThan(1500);
  });

  it('lists deliveries after a sequence number and by event type', async () => {
    await send({ from: CHICAGO, to: RECIPIENT, text: 'First' });
    await flush();
    const first = await deliveries();
    expect(first).toHaveLength(2);
    await send({ from: CHICAGO, to: RECIPIENT, text: 'Second' });
    await flush();
    const later = await deliveries(`?since=${first[1]!.seq}`);
    expect(later).toHaveLength(2);
    expect(later.every((d) => d.seq > first[1]!.seq)).toBe(true);
    expect(await deliveries('?event_type=message.finalized')).toHaveLength(2);
    expect(await deliveries('?limit=1')).toHaveLength(1);
  });
});

describe('which URL', () => {
  it('defaults to SIM_WEBHOOK_BASE + /webhooks/messaging', async () => {
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Default' });
    expect(message.webhook_url).toBe(DEFAULT_WEBHOOK_URL);
    expect(message.webhook_failover_url).toBeNull();
    await flush();
    expect((await received()).map((w) => w.url)).toEqual([DEFAULT_WEBHOOK_URL, DEFAULT_WEBHOOK_URL]);
  });

  it('takes the default base from the webhook_base setting when set', async () => {
    await patchSettings({ webhook_base: 'https://elsewhere.example.test/' });
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Elsewhere' });
    expect(message.webhook_url).toBe('https://elsewhere.example.test/webhooks/messaging');
    await flush();
    expect((await received())[0]!.url).toBe('https://elsewhere.example.test/webhooks/messaging');
  });

  it("prefers the profile's URLs to the default", async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Profile' });
    expect(message).toMatchObject({ webhook_url: PRIMARY, webhook_failover_url: FAILOVER });
    await flush();
    expect((await received()).map((w) => w.url)).toEqual([PRIMARY, PRIMARY]);
  });

  it("prefers the message's webhook_url to the profile's, keeping the profile's failover", async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    await scriptReceiver([{ status: 500 }, { status: 500 }, { status: 500 }]);
    const own = 'https://own.example.test/hook';
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Mine', webhook_url: own });
    expect(message).toMatchObject({ webhook_url: own, webhook_failover_url: FAILOVER });
    await flush();
    expect((await received()).map((w) => w.url)).toEqual([own, own, own, FAILOVER, own]);
  });

  it("ignores the profile's URLs with use_profile_webhooks=false", async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    await scriptReceiver([], { status: 500 });
    const own = 'https://own.example.test/hook';
    const message = await send({
      from: CHICAGO,
      to: RECIPIENT,
      text: 'Only mine',
      webhook_url: own,
      use_profile_webhooks: false,
    });
    expect(message).toMatchObject({ webhook_url: own, webhook_failover_url: null });
    await flush();
    const urls = (await received()).map((w) => w.url);
    expect(urls).toHaveLength(6);
    expect(new Set(urls)).toEqual(new Set([own]));
  });

  it('sends nothing with use_profile_webhooks=false and no URL of its own, yet the message goes on', async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Silent', use_profile_webhooks: false });
    expect(message).toMatchObject({ webhook_url: null, webhook_failover_url: null });
    await flush();
    expect(await received()).toEqual([]);
    const log = await deliveries(`?message_id=${message.id}`);
    expect(log.map((d) => [d.event_type, d.url, d.outcome])).toEqual([
      ['message.sent', null, 'no_url'],
      ['message.finalized', null, 'no_url'],
    ]);
    expect((await getMessage(message.id)).to[0]!.status).toBe('delivered');
  });

  it("sends message.received to the number's profile URL, and nowhere for a number on no profile", async () => {
    await useProfileUrls(PRIMARY, FAILOVER);
    await controlOk('POST', '/sim/messages/inbound', { from: RECIPIENT, to: CHICAGO, text: 'To marketing' });
    const nobody = await controlOk<{ event_id: string }>('POST', '/sim/messages/inbound', {
      from: RECIPIENT,
      to: '+18885550100',
      text: 'To nobody',
    });
    await flush();
    const webhooks = await received();
    expect(webhooks.map((w) => [w.json.data.payload.text, w.url])).toEqual([['To marketing', PRIMARY]]);
    const { data } = await controlOk<{ data: Array<{ outcome: string; url: string | null }> }>(
      'GET',
      `/sim/deliveries?event_id=${nobody.event_id}`,
    );
    expect(data).toEqual([expect.objectContaining({ outcome: 'no_url', url: null })]);
  });
});

describe('timing', () => {
  it('holds webhooks until they fall due; a flush sends them at once', async () => {
    await send({ from: CHICAGO, to: RECIPIENT, text: 'Later' });
    expect((await simState()).counts.events_pending).toBe(2);
    expect(await received()).toEqual([]);
    expect(await flush()).toBe(2);
    expect((await simState()).counts.events_pending).toBe(0);
    expect(await received()).toHaveLength(2);
  });

  it('delivers due webhooks by itself (the alarm), in order', async () => {
    await patchSettings(IMMEDIATE);
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'On its own' });
    const webhooks = await eventually(async () => {
      const got = await received();
      return got.length >= 2 ? got : undefined;
    });
    expect(webhooks.map((w) => w.json.data.event_type)).toEqual(['message.sent', 'message.finalized']);
    expect((await getMessage(message.id)).to[0]!.status).toBe('delivered');
  });

  it('waits retry_delay_ms before a retry, which a flush sends at once', async () => {
    await patchSettings({ ...IMMEDIATE, retry_delay_ms: 600_000 });
    await scriptReceiver([{ status: 500 }]);
    const message = await send({ from: CHICAGO, to: RECIPIENT, text: 'Retry later' });
    // The alarm makes the first attempts; the failed one's retry is not due for 10 minutes.
    await eventually(async () => ((await deliveries()).length >= 2 ? true : undefined));
    expect((await simState()).counts.events_pending).toBe(1);
    expect((await deliveries()).map((d) => [d.event_type, d.outcome])).toEqual([
      ['message.sent', 'rejected'],
      ['message.finalized', 'delivered'],
    ]);
    expect(await flush()).toBe(1);
    const retry = (await deliveries(`?message_id=${message.id}`))[2]!;
    expect(retry).toMatchObject({ event_type: 'message.sent', attempt: 2, outcome: 'delivered' });
  });
});
