// Fidelity: the official `telnyx` SDK, pointed at the simulator with baseURL, works unchanged for
// everything the bundle uses (send, number-pool send, retrieve, lookup, messaging profiles), and
// its typed responses carry the fields Telnyx's spec defines. Pointed at the bundle, it works for
// what the bundle serves so far (number lookup). This file imports the whole SDK,
// which costs a few seconds of transform, so other tests do not.
import Telnyx from 'telnyx';
import { beforeEach, describe, expect, it } from 'vitest';
import { SEED_PROFILE_IDS } from '../../sim/seed';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, SIM_URL, flush, resetSimulator } from '../support/sim';

const client = new Telnyx({ apiKey: 'KEY_test_sdk', baseURL: `${SIM_URL}/v2`, maxRetries: 0 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

beforeEach(resetSimulator);

/** The fields of Telnyx's outbound message object (SUBSET.md "Message object"), with their types. */
function expectOutboundMessage(message: Telnyx.OutboundMessagePayload | undefined) {
  expect(message).toBeDefined();
  expect(message).toMatchObject({
    record_type: 'message',
    direction: 'outbound',
    id: expect.stringMatching(UUID),
    type: 'SMS',
    encoding: 'GSM-7',
    parts: 1,
    messaging_profile_id: expect.any(String),
    organization_id: expect.stringMatching(UUID),
    received_at: expect.stringMatching(ISO),
    from: {
      phone_number: expect.stringMatching(/^\+\d+$/),
      carrier: expect.any(String),
      line_type: expect.any(String),
    },
    to: [{ phone_number: expect.stringMatching(/^\+\d+$/), status: 'queued', carrier: expect.any(String) }],
    media: [],
    tags: [],
    errors: [],
  });
  for (const key of [
    'cost',
    'completed_at',
    'sent_at',
    'subject',
    'valid_until',
    'webhook_url',
    'webhook_failover_url',
  ]) {
    expect(message).toHaveProperty(key);
  }
}

describe('messages', () => {
  it('client.messages.send', async () => {
    const { data } = await client.messages.send({
      from: '+13125550100',
      to: '+13125551234',
      text: 'Hello from the SDK',
    });
    expectOutboundMessage(data);
    expect(data!.from!.phone_number).toBe('+13125550100');
    expect(data!.text).toBe('Hello from the SDK');
  });

  it('client.messages.sendNumberPool picks a pool number of the profile', async () => {
    const { data } = await client.messages.sendNumberPool({
      messaging_profile_id: SEED_PROFILE_IDS.marketing,
      to: '+12125551234',
      text: 'Hello from the pool',
    });
    expectOutboundMessage(data);
    // Geomatch is on for the seeded marketing profile: a 212 number for a 212 destination.
    expect(data!.from!.phone_number).toMatch(/^\+1212/);
  });

  it('client.messages.retrieve follows the message to its final state', async () => {
    const { data: sent } = await client.messages.send({ from: '+13125550100', to: '+13125551234', text: 'Track me' });
    await flush();
    const { data } = await client.messages.retrieve(sent!.id!);
    expect(data).toMatchObject({
      id: sent!.id,
      to: [{ phone_number: '+13125551234', status: 'delivered' }],
      sent_at: expect.stringMatching(ISO),
      completed_at: expect.stringMatching(ISO),
      cost: { amount: expect.stringMatching(/^\d+\.\d+$/), currency: 'USD' },
    });
  });

  it('errors arrive as the SDK error classes, with Telnyx error bodies', async () => {
    const failure = await client.messages.send({ from: '+13125550100', to: '3125551234', text: 'x' }).catch((e) => e);
    expect(failure).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    expect(failure.status).toBe(422);
    expect(failure.error).toMatchObject({ errors: [{ code: '10016', source: { pointer: '/to' } }] });
  });
});

describe('number lookup', () => {
  it('client.numberLookup.retrieve', async () => {
    const { data } = await client.numberLookup.retrieve('+13125550100', { type: 'carrier' });
    expect(data).toMatchObject({
      record_type: 'number_lookup',
      phone_number: '+13125550100',
      national_format: '(312) 555-0100',
      country_code: 'US',
      carrier: { type: 'mobile', name: expect.any(String), normalized_carrier: expect.any(String) },
      portability: { lrn: expect.stringMatching(/^\d{10}$/), ported_status: expect.stringMatching(/^(Y|N|)$/) },
    });
  });
});

describe('messaging profiles', () => {
  it('create, retrieve, update, list, list phone numbers, delete', async () => {
    const { data: created } = await client.messagingProfiles.create({
      name: 'SDK profile',
      whitelisted_destinations: ['US'],
      number_pool_settings: { long_code_weight: 2, toll_free_weight: 1, skip_unhealthy: true },
    });
    expect(created).toMatchObject({
      record_type: 'messaging_profile',
      id: expect.stringMatching(UUID),
      name: 'SDK profile',
      enabled: true,
      webhook_api_version: '2',
      whitelisted_destinations: ['US'],
      number_pool_settings: {
        long_code_weight: 2,
        toll_free_weight: 1,
        skip_unhealthy: true,
        sticky_sender: false,
        geomatch: false,
      },
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });

    const { data: retrieved } = await client.messagingProfiles.retrieve(created!.id!);
    expect(retrieved).toEqual(created);

    const { data: updated } = await client.messagingProfiles.update(created!.id!, {
      webhook_url: 'https://example.com/hooks',
      number_pool_settings: null,
    });
    expect(updated).toMatchObject({ webhook_url: 'https://example.com/hooks', number_pool_settings: null });

    const names: string[] = [];
    for await (const profile of client.messagingProfiles.list({ page: { size: 1 } } as never))
      names.push(profile.name!);
    expect(names).toEqual(['Marketing (pool)', 'Support', 'SDK profile']);

    const numbers: string[] = [];
    for await (const n of client.messagingProfiles.listPhoneNumbers(SEED_PROFILE_IDS.support))
      numbers.push(n.phone_number!);
    expect(numbers).toEqual(['+14165550100', '+15125550100', '+15125550101']);

    const { data: deleted } = await client.messagingProfiles.delete(created!.id!);
    expect(deleted!.id).toBe(created!.id);
    const gone = await client.messagingProfiles.retrieve(created!.id!).catch((e) => e);
    expect(gone).toBeInstanceOf(Telnyx.NotFoundError);
  });
});

describe('the official SDK against the bundle', () => {
  // The bundle speaks Telnyx's wire format: only baseURL changes, and the API key is ADMIN_TOKEN.
  const edge = new Telnyx({ apiKey: TEST_ADMIN_TOKEN, baseURL: `${EDGE_URL}/v2`, maxRetries: 0 });

  it('client.numberLookup.retrieve, cached by the bundle', async () => {
    const first = await edge.numberLookup.retrieve('+13125550177', { type: 'caller-name' }).withResponse();
    expect(first.response.headers.get('x-cache')).toBe('MISS');
    expect(first.data.data).toMatchObject({
      record_type: 'number_lookup',
      phone_number: '+13125550177',
      caller_name: { caller_name: expect.any(String) },
    });
    const second = await edge.numberLookup.retrieve('+13125550177', { type: 'caller-name' }).withResponse();
    expect(second.response.headers.get('x-cache')).toBe('HIT');
    expect(second.data.data).toEqual(first.data.data);
  });

  it('a bad number comes back as the SDK error class with Telnyx error bodies', async () => {
    const failure = await edge.numberLookup.retrieve('5551234').catch((e) => e);
    expect(failure).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    expect(failure.error).toMatchObject({ errors: [{ source: { parameter: 'phone_number' } }] });
  });
});
