// The bundle and the Telnyx simulator together, as `npm run dev` wires them: an inbound SMS at the
// simulator becomes a signed webhook that the bundle verifies and acknowledges; a tampered copy
// of that same delivery is refused. Also: the bundle's Telnyx client reaches the simulator, and
// any request for another host fails loudly.
import { SELF } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { telnyxClientFromEnv } from '../../shared/telnyx/client';
import { TelnyxApiError } from '../../shared/telnyx/errors';
import { SEED_PROFILE_IDS } from '../../sim/seed';
import { EDGE_URL, deliveries, flush, resetSimulator, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';

interface Received {
  url: string;
  headers: Record<string, string>;
  body: string;
}

beforeEach(async () => {
  await resetSimulator();
  await env.RECEIVER.fetch('http://x.receiver.test/__receiver/reset', { method: 'POST' });
});

describe('simulator → bundle', () => {
  it('the bundle trusts the key the simulator signs with', async () => {
    const { public_key } = await sim<{ public_key: string }>('/sim/public-key');
    expect(public_key).toBe(env.TELNYX_PUBLIC_KEY);
  });

  it('an inbound SMS reaches /webhooks/messaging signed, and the bundle accepts it', async () => {
    const inbound = await sim<{ event_id: string; message: { id: string } }>('/sim/messages/inbound', {
      body: { from: '+13125550123', to: '+13125550100', text: 'Hello from the simulator' },
    });
    await flush();
    const attempts = await deliveries();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({
      event_id: inbound.event_id,
      event_type: 'message.received',
      url: `${EDGE_URL}/webhooks/messaging`,
      attempt: 1,
      status: 200,
      outcome: 'delivered',
    });
    expect(JSON.parse(attempts[0]!.response!)).toEqual({ received: true });
  });

  it('a tampered copy of a genuine delivery is refused with 401; the untouched copy is accepted', async () => {
    // Capture one real delivery at the receiver, then replay it to the bundle, changed and unchanged.
    await sim(`/v2/messaging_profiles/${SEED_PROFILE_IDS.marketing}`, {
      method: 'PATCH',
      body: { webhook_url: 'http://capture.receiver.test/hook' },
    });
    await sim('/sim/messages/inbound', { body: { from: '+13125550123', to: '+13125550100', text: 'Pay 10 dollars' } });
    await flush();
    const received = (await (
      await env.RECEIVER.fetch('http://x.receiver.test/__receiver/received')
    ).json()) as Received[];
    expect(received).toHaveLength(1);
    const { body, headers } = received[0]!;
    const signed = {
      'content-type': 'application/json',
      'telnyx-timestamp': headers['telnyx-timestamp']!,
      'telnyx-signature-ed25519': headers['telnyx-signature-ed25519']!,
    };
    const post = (text: string, h: Record<string, string>) =>
      SELF.fetch(`${EDGE_URL}/webhooks/messaging`, { method: 'POST', body: text, headers: h });

    const tampered = await post(body.replace('Pay 10 dollars', 'Pay 99 dollars'), signed);
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { errors: Array<{ code: string }> }).errors[0]!.code).toBe('10009');

    const resigned = await post(body, {
      ...signed,
      'telnyx-timestamp': String(Number(signed['telnyx-timestamp']) + 1),
    });
    expect(resigned.status).toBe(401);

    const genuine = await post(body, signed);
    expect(genuine.status).toBe(200);
  });

  it('a failing primary URL is retried three times, then the bundle gets the webhook at its failover URL', async () => {
    await env.RECEIVER.fetch('http://x.receiver.test/__receiver/script', {
      method: 'POST',
      body: JSON.stringify({ otherwise: { status: 503 } }),
    });
    await sim(`/v2/messaging_profiles/${SEED_PROFILE_IDS.marketing}`, {
      method: 'PATCH',
      body: {
        webhook_url: 'http://down.receiver.test/hook',
        webhook_failover_url: `${EDGE_URL}/webhooks/messaging/failover`,
      },
    });
    await sim('/sim/messages/inbound', { body: { from: '+13125550123', to: '+13125550100', text: 'Hi' } });
    await flush();
    const attempts = await deliveries();
    expect(attempts.map((a) => [a.url, a.status])).toEqual([
      ['http://down.receiver.test/hook', 503],
      ['http://down.receiver.test/hook', 503],
      ['http://down.receiver.test/hook', 503],
      [`${EDGE_URL}/webhooks/messaging/failover`, 200],
    ]);
  });
});

describe('bundle → simulator', () => {
  it("the bundle's Telnyx client reaches the simulator at TELNYX_API_BASE", async () => {
    const client = telnyxClientFromEnv(env);
    const { body } = await client.lookupNumber('+13125550100', ['carrier']);
    expect(body.data).toMatchObject({ phone_number: '+13125550100', country_code: 'US', carrier: { type: 'mobile' } });
    const requests = (await sim<{ data: Array<{ method: string; path: string; status: number }> }>('/sim/requests'))
      .data;
    expect(requests.at(-1)).toMatchObject({
      method: 'GET',
      path: '/v2/number_lookup/%2B13125550100?type=carrier',
      status: 200,
    });
  });

  it('a send that may have reached Telnyx (500 after the work) is never repeated, and is found by reading it back', async () => {
    await sim('/sim/faults', { body: { target: 'api', kind: '500_after', path: '/v2/messages' } });
    const client = telnyxClientFromEnv(env);
    const failure = await client
      .sendMessage({ from: '+13125550100', to: '+13125551234', text: 'Exactly once' })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TelnyxApiError);
    expect(failure).toMatchObject({ status: 500, outcome: 'unknown' });
    const sent = (await sim<{ data: Array<{ id: string; text: string }> }>('/sim/messages')).data;
    expect(sent.map((m) => m.text)).toEqual(['Exactly once']); // one message, however the send ended
    const { body } = await client.retrieveMessage(sent[0]!.id); // how reconciliation will learn the outcome
    expect(body.data).toMatchObject({ id: sent[0]!.id, text: 'Exactly once' });
  });

  it('a send refused before any work (500) is unknown to the client, and nothing was sent', async () => {
    await sim('/sim/faults', { body: { target: 'api', kind: '500', path: '/v2/messages' } });
    const failure = await telnyxClientFromEnv(env)
      .sendMessage({ from: '+13125550100', to: '+13125551234', text: 'Not sent' })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ status: 500, outcome: 'unknown' });
    expect((await sim<{ data: unknown[] }>('/sim/messages')).data).toEqual([]);
    const requests = (await sim<{ data: Array<{ path: string }> }>('/sim/requests?path=/v2/messages')).data;
    expect(requests).toHaveLength(1); // and the client did not try again
  });

  it('a Call Control-style command is resent with the same command_id after a 500', async () => {
    // The simulator has no Call Control yet; its fault answers any path, which is what the retry needs.
    await sim('/sim/faults', { body: { target: 'api', kind: '500', path: '/v2/calls' } });
    const failure = await telnyxClientFromEnv(env)
      .callAction('v3:abc', 'answer', { command_id: 'cmd-1' })
      .catch((error: unknown) => error);
    // The first attempt got the 500 and the resend the simulator's 404 (no Call Control yet): two requests, one command.
    expect(failure).toMatchObject({ status: 404, outcome: 'rejected' });
    const requests = (await sim<{ data: Array<{ path: string; status: number }> }>('/sim/requests?path=/v2/calls'))
      .data;
    expect(requests.map((r) => r.status)).toEqual([500, 404]);
  });

  it('a request for any other host fails loudly', async () => {
    await expect(fetch('https://api.telnyx.com/v2/messages')).rejects.toThrow(/unexpected outbound request/);
  });
});
