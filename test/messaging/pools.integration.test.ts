// Pools through the bundle (workers/messaging): messaging profiles in Telnyx's shape plus the edge's
// own `edge` settings (their defaults, and a 422 with a pointer for every bad field, saving
// nothing), Telnyx's list filters and paging; a pool's numbers (long code, toll-free, short code,
// a number's own mps) in Telnyx's PhoneNumberWithMessagingSettings shape with their health, a
// number that already belongs to another pool, removal, and a deleted profile freeing its numbers.
// Last, the official `telnyx` SDK, pointed at the bundle with baseURL, manages profiles and sends
// through a pool. This is the only messaging file that imports the SDK (it costs seconds).
import Telnyx from 'telnyx';
import { beforeEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, resetSimulator } from '../support/sim';
import {
  PLAIN_POOL,
  addNumber,
  createPool,
  edge,
  expectError,
  listNumbers,
  eventually,
  ok,
  removeAllPools,
  send,
  simSends,
  type Json,
} from './support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The edge settings of a profile created without any (README: "Pool settings"). */
const EDGE_DEFAULTS = {
  quiet_hours: { enabled: false, start: '08:00', end: '21:00' },
  default_country: null,
  // The HELP reply names the profile while no brand is set (README: brand defaults to the name).
  help: { brand: expect.any(String), contact: '', frequency: 'Msg frequency varies' },
  smart_encoding: false,
  forward_url: null,
  mps: {},
  geomatch_country: true,
  short_code_fallback: false,
};

beforeEach(async () => {
  await resetSimulator();
  await removeAllPools();
});

async function profileNames(): Promise<string[]> {
  return (ok(await edge('/v2/messaging_profiles?page[size]=250')) as Json[]).map((p) => p.name);
}

describe('messaging profiles', () => {
  it("creates a profile with Telnyx's defaults and the edge's, and reads it back", async () => {
    const created = await edge('/v2/messaging_profiles', {
      body: { name: 'Clinic reminders', whitelisted_destinations: ['US'] },
    });
    expect(created.status).toBe(200);
    const profile = created.body.data;
    expect(profile).toMatchObject({
      record_type: 'messaging_profile',
      id: expect.stringMatching(UUID),
      organization_id: expect.stringMatching(UUID),
      name: 'Clinic reminders',
      enabled: true,
      webhook_url: '',
      webhook_failover_url: '',
      webhook_api_version: '2',
      whitelisted_destinations: ['US'],
      number_pool_settings: null,
      url_shortener_settings: null,
      alpha_sender: null,
      daily_spend_limit: '0.00',
      daily_spend_limit_enabled: false,
      mms_fall_back_to_sms: false,
      mms_transcoding: false,
      smart_encoding: false,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(profile.edge).toEqual(EDGE_DEFAULTS);

    const read = await edge(`/v2/messaging_profiles/${profile.id}`);
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(profile);
  });

  it('takes edge settings on create, keeping the defaults of those not given', async () => {
    const profile = await createPool({
      edge: {
        quiet_hours: { enabled: true },
        help: { brand: 'Acme Dental', contact: 'help@acme.example' },
        mps: { 'toll-free': 5 },
        default_country: 'ca',
        forward_url: 'https://hooks.example.com/telnyx',
      },
    });
    expect(profile.edge).toEqual({
      ...EDGE_DEFAULTS,
      quiet_hours: { enabled: true, start: '08:00', end: '21:00' },
      help: { brand: 'Acme Dental', contact: 'help@acme.example', frequency: 'Msg frequency varies' },
      mps: { 'toll-free': 5 },
      default_country: 'CA',
      forward_url: 'https://hooks.example.com/telnyx',
    });
  });

  it("requires Telnyx's name and whitelisted_destinations", async () => {
    expectError(await edge('/v2/messaging_profiles', { body: { whitelisted_destinations: ['US'] } }), 422, '10004', {
      pointer: '/name',
    });
    expectError(await edge('/v2/messaging_profiles', { body: { name: 'No destinations' } }), 422, '10004', {
      pointer: '/whitelisted_destinations',
    });
    expectError(
      await edge('/v2/messaging_profiles', {
        body: { name: 'Bad pool', whitelisted_destinations: ['US'], number_pool_settings: { long_code_weight: 1 } },
      }),
      422,
      '10004',
      { pointer: '/number_pool_settings/toll_free_weight' },
    );
    expect(await profileNames()).toEqual([]);
  });

  const badEdgeSettings: Array<[string, unknown, string, string?]> = [
    ['a start that is not HH:MM', { quiet_hours: { start: '8am' } }, '/edge/quiet_hours/start'],
    ['an end past 23:59', { quiet_hours: { end: '24:00' } }, '/edge/quiet_hours/end'],
    ['enabled that is not a boolean', { quiet_hours: { enabled: 'yes' } }, '/edge/quiet_hours/enabled'],
    ['an empty window', { quiet_hours: { start: '09:00', end: '09:00' } }, '/edge/quiet_hours'],
    ['quiet_hours that is not an object', { quiet_hours: '08:00-21:00' }, '/edge/quiet_hours'],
    ['a forward_url that is not http(s)', { forward_url: 'ftp://hooks.example.com' }, '/edge/forward_url', '10003'],
    ['a forward_url that is no URL', { forward_url: 'hooks' }, '/edge/forward_url', '10003'],
    ['a rate of 0', { mps: { 'long-code': 0 } }, '/edge/mps/long-code'],
    ['a rate over 10000', { mps: { 'toll-free': 10_001 } }, '/edge/mps/toll-free'],
    ['a rate that is text', { mps: { 'short-code': 'fast' } }, '/edge/mps/short-code'],
    ['a rate for an unknown number type', { mps: { landline: 5 } }, '/edge/mps/landline'],
    ['an unknown country', { default_country: 'XX' }, '/edge/default_country'],
    ['a brand over 100 characters', { help: { brand: 'B'.repeat(101) } }, '/edge/help/brand'],
    ['a contact that is not text', { help: { contact: 42 } }, '/edge/help/contact'],
    ['smart_encoding that is not a boolean', { smart_encoding: 1 }, '/edge/smart_encoding'],
    ['short_code_fallback that is not a boolean', { short_code_fallback: 'no' }, '/edge/short_code_fallback'],
    ['an unknown edge key', { colour: 'blue' }, '/edge/colour'],
    ['edge that is not an object', 'quiet', '/edge'],
  ];

  it.each(badEdgeSettings)(
    'refuses %s with a pointer, on create and on update, saving nothing',
    async (_name, bad, pointer, code = '10015') => {
      const name = `refused ${crypto.randomUUID().slice(0, 8)}`;
      const created = await edge('/v2/messaging_profiles', {
        body: { name, whitelisted_destinations: ['US'], edge: bad },
      });
      const error = expectError(created, 422, code, { pointer });
      expect(error.detail).toEqual(expect.any(String));
      expect(await profileNames()).not.toContain(name);

      const profile = await createPool();
      const updated = await edge(`/v2/messaging_profiles/${profile.id}`, {
        method: 'PATCH',
        body: { name: 'renamed', edge: bad },
      });
      expectError(updated, 422, code, { pointer });
      expect(ok(await edge(`/v2/messaging_profiles/${profile.id}`))).toEqual(profile);
    },
  );

  it('updates Telnyx fields and merges a partial edge patch', async () => {
    const profile = await createPool({ edge: { mps: { 'long-code': 2, 'toll-free': 8 } } });
    const answer = await edge(`/v2/messaging_profiles/${profile.id}`, {
      method: 'PATCH',
      body: {
        name: 'Renamed',
        enabled: false,
        number_pool_settings: { ...PLAIN_POOL, sticky_sender: true },
        id: 'not-changeable',
        edge: { quiet_hours: { enabled: true, end: '20:30' }, mps: { 'long-code': null }, smart_encoding: true },
      },
    });
    expect(answer.status).toBe(200);
    const updated = answer.body.data;
    expect(updated).toMatchObject({
      id: profile.id,
      name: 'Renamed',
      enabled: false,
      number_pool_settings: { ...PLAIN_POOL, sticky_sender: true },
      created_at: profile.created_at,
    });
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(profile.updated_at));
    expect(updated.edge).toEqual({
      ...EDGE_DEFAULTS,
      quiet_hours: { enabled: true, start: '08:00', end: '20:30' },
      mps: { 'toll-free': 8 },
      smart_encoding: true,
    });
    expect(ok(await edge(`/v2/messaging_profiles/${profile.id}`))).toEqual(updated);
  });

  it("lists profiles oldest first with Telnyx's name filters and paging", async () => {
    await createPool({ name: 'Alpha reminders' });
    await createPool({ name: 'Beta alerts' });
    await createPool({ name: 'Gamma reminders' });

    const page = await edge('/v2/messaging_profiles?page[size]=2&page[number]=2');
    expect(page.status).toBe(200);
    expect(page.body.data.map((p: Json) => p.name)).toEqual(['Gamma reminders']);
    expect(page.body.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 2, total_results: 3 });

    const exact = ok(await edge(`/v2/messaging_profiles?filter[name]=${encodeURIComponent('Beta alerts')}`));
    expect(exact.map((p: Json) => p.name)).toEqual(['Beta alerts']);
    const contains = ok(await edge('/v2/messaging_profiles?filter[name][contains]=REMINDERS'));
    expect(contains.map((p: Json) => p.name)).toEqual(['Alpha reminders', 'Gamma reminders']);

    expectError(await edge('/v2/messaging_profiles?page[size]=251'), 400, '10015', { parameter: 'page[size]' });
    expectError(await edge('/v2/messaging_profiles?page[number]=0'), 400, '10015', { parameter: 'page[number]' });
  });

  it('deletes a profile; it is gone afterwards', async () => {
    const profile = await createPool();
    const deleted = await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(deleted.body.data.id).toBe(profile.id);
    expectError(await edge(`/v2/messaging_profiles/${profile.id}`), 404, '10005');
    expectError(await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'DELETE' }), 404, '10005');
    expectError(
      await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'PATCH', body: { name: 'x' } }),
      404,
      '10005',
    );
  });

  it('needs the admin token', async () => {
    const answer = await edge('/v2/messaging_profiles', { headers: { authorization: 'Bearer wrong-token' } });
    expect(answer.status).toBe(401);
  });
});

describe("a pool's numbers", () => {
  it("adds a long code, a toll-free number, a short code and a number with its own mps, listed in Telnyx's shape", async () => {
    const profile = await createPool();
    const longCode = await addNumber(profile.id, '+13125550100');
    expect(longCode).toEqual({
      record_type: 'messaging_phone_number',
      id: '+13125550100',
      phone_number: '+13125550100',
      messaging_profile_id: profile.id,
      country_code: 'US',
      type: 'long-code',
      mps: null,
      features: {
        sms: { domestic_two_way: true, international_inbound: true, international_outbound: true },
        mms: { domestic_two_way: true, international_inbound: true, international_outbound: true },
      },
      health: { message_count: 0, success_ratio: 1, spam_ratio: 0, inbound_outbound_ratio: 0, healthy: true },
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    await addNumber(profile.id, { phone_number: '+18335550100', type: 'toll-free' });
    await addNumber(profile.id, { phone_number: '22395', type: 'short-code' });
    await addNumber(profile.id, { phone_number: '828282', type: 'short-code', mps: 100 });
    await addNumber(profile.id, { phone_number: '+12125550100', mps: 2.5 });
    await addNumber(profile.id, { phone_number: '+14155550100' });

    const numbers = await listNumbers(profile.id);
    expect(numbers.map((n) => [n.phone_number, n.type, n.mps])).toEqual([
      ['+12125550100', 'long-code', 2.5],
      ['+13125550100', 'long-code', null],
      ['+14155550100', 'long-code', null],
      ['+18335550100', 'toll-free', null],
      ['22395', 'short-code', null],
      ['828282', 'short-code', 100],
    ]);
    for (const n of numbers) {
      expect(n).toMatchObject({ record_type: 'messaging_phone_number', messaging_profile_id: profile.id });
      expect(n.health).toEqual({
        message_count: 0,
        success_ratio: 1,
        spam_ratio: 0,
        inbound_outbound_ratio: 0,
        healthy: true,
      });
    }
    for (const shortCode of numbers.filter((n) => n.type === 'short-code')) {
      expect(shortCode).toMatchObject({ country_code: 'US', features: { sms: { international_outbound: false } } });
    }

    const page = await edge(`/v2/messaging_profiles/${profile.id}/phone_numbers?page[size]=4&page[number]=2`);
    expect(page.body.data.map((n: Json) => n.phone_number)).toEqual(['22395', '828282']);
    expect(page.body.meta).toEqual({ page_number: 2, page_size: 4, total_pages: 2, total_results: 6 });
  });

  const badNumbers: Array<[string, Record<string, unknown>, number, string, string]> = [
    ['a short code of 4 digits', { phone_number: '1234', type: 'short-code' }, 400, '10015', '/phone_number'],
    ['a short code of 7 digits', { phone_number: '1234567', type: 'short-code' }, 400, '10015', '/phone_number'],
    ['a short code with a "+"', { phone_number: '+22395', type: 'short-code' }, 400, '10015', '/phone_number'],
    ['an unknown number type', { phone_number: '+13125550100', type: 'landline' }, 400, '10015', '/type'],
    ['letters', { phone_number: '+1800FLOWERS' }, 422, '10016', '/phone_number'],
    ['no number at all', {}, 422, '10016', '/phone_number'],
    ['a number that does not exist', { phone_number: '+12115550123' }, 422, '10002', '/phone_number'],
    ['an mps of 0', { phone_number: '+13125550100', mps: 0 }, 400, '10015', '/mps'],
    ['an mps that is text', { phone_number: '+13125550100', mps: 'fast' }, 400, '10015', '/mps'],
  ];

  it.each(badNumbers)('refuses %s, adding nothing', async (_name, body, status, code, pointer) => {
    const profile = await createPool();
    expectError(await edge(`/v2/messaging_profiles/${profile.id}/phone_numbers`, { body }), status, code, {
      pointer,
    });
    expect(await listNumbers(profile.id)).toEqual([]);
  });

  it('refuses a number that already belongs to another pool (409), and takes it again in its own', async () => {
    const first = await createPool({}, ['+13125550100']);
    const second = await createPool();
    const refusal = expectError(
      await edge(`/v2/messaging_profiles/${second.id}/phone_numbers`, { body: { phone_number: '+13125550100' } }),
      409,
      '10012',
      { pointer: '/phone_number' },
    );
    expect(refusal.detail).toContain(first.id);
    expect(await listNumbers(second.id)).toEqual([]);

    // Adding it again to its own pool is allowed (it changes the type or mps).
    const again = await addNumber(first.id, { phone_number: '+13125550100', mps: 4 });
    expect(again).toMatchObject({ phone_number: '+13125550100', mps: 4 });
    expect((await listNumbers(first.id)).map((n) => n.phone_number)).toEqual(['+13125550100']);
  });

  it('removes a number, which may then join another pool', async () => {
    const first = await createPool({}, ['+13125550100', '+12125550100']);
    const removed = await edge(
      `/v2/messaging_profiles/${first.id}/phone_numbers/${encodeURIComponent('+13125550100')}`,
      {
        method: 'DELETE',
      },
    );
    expect(removed.status).toBe(200);
    expect(removed.body.data).toMatchObject({ phone_number: '+13125550100', messaging_profile_id: first.id });
    expect((await listNumbers(first.id)).map((n) => n.phone_number)).toEqual(['+12125550100']);
    expectError(
      await edge(`/v2/messaging_profiles/${first.id}/phone_numbers/${encodeURIComponent('+13125550100')}`, {
        method: 'DELETE',
      }),
      404,
      '10005',
    );

    const second = await createPool({}, ['+13125550100']);
    expect((await listNumbers(second.id)).map((n) => n.phone_number)).toEqual(['+13125550100']);
    // A send from the removed number is now the second pool's.
    const sent = ok(await send({ from: '+13125550100', to: '+13125551234', text: 'Moved' }));
    expect(sent.messaging_profile_id).toBe(second.id);
  });

  it('deleting a profile frees its numbers: they send for no pool and may join another', async () => {
    const profile = await createPool({}, ['+13125550100', { phone_number: '22395', type: 'short-code' }]);
    ok(await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'DELETE' }));

    expectError(await send({ from: '+13125550100', to: '+13125551234', text: 'Orphan' }), 400, '40305', {
      pointer: '/from',
    });
    expect(await simSends()).toEqual([]);

    const next = await createPool({}, ['+13125550100', { phone_number: '22395', type: 'short-code' }]);
    expect((await listNumbers(next.id)).map((n) => n.phone_number)).toEqual(['+13125550100', '22395']);
  });

  it('a recreated pool starts empty: nothing of the deleted pool with the same numbers lingers', async () => {
    const profile = await createPool({}, ['+13125550100']);
    ok(await send({ messaging_profile_id: profile.id, to: '+13125551234', text: 'Before' }));
    ok(await edge(`/v2/messaging_profiles/${profile.id}`, { method: 'DELETE' }));
    expectError(await edge(`/v2/messaging_profiles/${profile.id}/phone_numbers`), 404, '10005');
    const next = await createPool({}, ['+13125550100']);
    expect(next.id).not.toBe(profile.id);
    expect((await listNumbers(next.id))[0].health.message_count).toBe(0);
  });
});

describe('the official telnyx SDK against the bundle', () => {
  // Only baseURL changes, and the API key is the bundle's ADMIN_TOKEN.
  const client = new Telnyx({ apiKey: TEST_ADMIN_TOKEN, baseURL: `${EDGE_URL}/v2`, maxRetries: 0 });

  it('creates, retrieves, updates, lists and deletes messaging profiles', async () => {
    const { data: created } = await client.messagingProfiles.create({
      name: 'SDK pool',
      whitelisted_destinations: ['US', 'CA'],
      number_pool_settings: { long_code_weight: 2, toll_free_weight: 1, skip_unhealthy: true },
    });
    expect(created).toMatchObject({
      record_type: 'messaging_profile',
      id: expect.stringMatching(UUID),
      name: 'SDK pool',
      enabled: true,
      number_pool_settings: {
        long_code_weight: 2,
        toll_free_weight: 1,
        skip_unhealthy: true,
        sticky_sender: false,
        geomatch: false,
      },
    });
    // The edge's own settings come along; the SDK passes unknown fields through.
    expect((created as Json).edge).toEqual(EDGE_DEFAULTS);

    const { data: retrieved } = await client.messagingProfiles.retrieve(created!.id!);
    expect(retrieved).toEqual(created);

    const { data: updated } = await client.messagingProfiles.update(created!.id!, {
      name: 'SDK pool, renamed',
      webhook_url: 'https://example.com/hooks',
      // An edge setting through the SDK: unknown keys in the body reach the bundle as they are.
      edge: { quiet_hours: { enabled: true } },
    } as Telnyx.MessagingProfileUpdateParams);
    expect(updated).toMatchObject({ name: 'SDK pool, renamed', webhook_url: 'https://example.com/hooks' });
    expect((updated as Json).edge.quiet_hours).toEqual({ enabled: true, start: '08:00', end: '21:00' });

    await createPool({ name: 'Second pool' });
    const names: string[] = [];
    for await (const profile of client.messagingProfiles.list({ page: { size: 1 } } as never))
      names.push(profile.name!);
    expect(names).toEqual(['SDK pool, renamed', 'Second pool']);

    await addNumber(created!.id!, '+13125550100');
    await addNumber(created!.id!, { phone_number: '+18335550100', type: 'toll-free' });
    const numbers: string[] = [];
    for await (const n of client.messagingProfiles.listPhoneNumbers(created!.id!)) numbers.push(n.phone_number!);
    expect(numbers).toEqual(['+13125550100', '+18335550100']);

    const invalid = await client.messagingProfiles
      .update(created!.id!, { edge: { forward_url: 'nope' } } as Telnyx.MessagingProfileUpdateParams)
      .catch((e) => e);
    expect(invalid).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    expect(invalid.error).toMatchObject({ errors: [{ code: '10003', source: { pointer: '/edge/forward_url' } }] });

    const { data: deleted } = await client.messagingProfiles.delete(created!.id!);
    expect(deleted!.id).toBe(created!.id);
    const gone = await client.messagingProfiles.retrieve(created!.id!).catch((e) => e);
    expect(gone).toBeInstanceOf(Telnyx.NotFoundError);
  });

  it('sends through a pool (send, sendNumberPool) and retrieves the message', async () => {
    const pool = await createPool({}, ['+13125550100', '+12125550100']);

    const { data: sent } = await client.messages.send({
      messaging_profile_id: pool.id,
      to: '+13125551234',
      text: 'Hello from the SDK, through the edge',
    });
    expect(sent).toMatchObject({
      record_type: 'message',
      direction: 'outbound',
      id: expect.stringMatching(UUID),
      type: 'SMS',
      messaging_profile_id: pool.id,
      to: [{ phone_number: '+13125551234', status: 'queued' }],
      text: 'Hello from the SDK, through the edge',
      parts: 1,
      encoding: 'GSM-7',
    });
    expect(['+13125550100', '+12125550100']).toContain(sent!.from!.phone_number);

    const { data: pooled } = await client.messages.sendNumberPool({
      messaging_profile_id: pool.id,
      to: '+12125551234',
      text: 'From the number pool endpoint',
    });
    expect(pooled).toMatchObject({ messaging_profile_id: pool.id, to: [{ phone_number: '+12125551234' }] });
    expect(['+13125550100', '+12125550100']).toContain(pooled!.from!.phone_number);

    const { data: explicit } = await client.messages.send({
      from: '+12125550100',
      to: '+13125551235',
      text: 'From a chosen number',
    });
    expect(explicit).toMatchObject({ messaging_profile_id: pool.id, from: { phone_number: '+12125550100' } });

    const { data: retrieved } = await client.messages.retrieve(sent!.id!);
    expect(retrieved).toMatchObject({ id: sent!.id, messaging_profile_id: pool.id });
    // Sends a few ms apart wait for the pool's throughput slot; all three leave.
    await eventually(async () => expect(await simSends()).toHaveLength(3));

    const refused = await client.messages.send({ from: '+12125550100', to: '+1800FLOWERS', text: 'x' }).catch((e) => e);
    expect(refused).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    expect(refused.error).toMatchObject({ errors: [{ code: '10016', source: { pointer: '/to' } }] });
    expect(await simSends()).toHaveLength(3);
  });
});
