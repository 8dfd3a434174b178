// /v2/messaging_profiles in the simulator: create (name and whitelisted_destinations required,
// 10004 with a pointer; Telnyx's defaults applied), every field check with its pointer (number
// pool settings, URLs, countries, ...), retrieve, PATCH (fields change, updated_at moves, read-only
// fields stay), list with filter[name] and page[size]/page[number] and the pagination meta, DELETE
// (its numbers unassigned), 404 in Telnyx's shape, and GET .../phone_numbers with type and health.
import { beforeEach, describe, expect, it } from 'vitest';
import { SIM_ORGANIZATION_ID } from '../../sim/seed';
import {
  CHICAGO,
  ISO,
  MARKETING,
  SUPPORT,
  UUID,
  advanceClock,
  api,
  expectError,
  flush,
  resetAll,
  send,
  simState,
} from './support';

type Profile = Record<string, unknown> & { id: string; name: string; created_at: string; updated_at: string };

async function create(body: Record<string, unknown>): Promise<Profile> {
  const response = await api('POST', '/v2/messaging_profiles', body);
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as { data: Profile }).data;
}

async function list(query = ''): Promise<{ data: Profile[]; meta: Record<string, number> }> {
  const response = await api('GET', `/v2/messaging_profiles${query}`);
  expect(response.status).toBe(200);
  return response.json();
}

const VALID_POOL = { long_code_weight: 1, toll_free_weight: 2, skip_unhealthy: false };

beforeEach(() => resetAll());

describe('create', () => {
  it("applies Telnyx's defaults", async () => {
    const profile = await create({ name: 'Alerts', whitelisted_destinations: ['US'] });
    expect(profile).toEqual({
      record_type: 'messaging_profile',
      id: expect.stringMatching(UUID),
      organization_id: SIM_ORGANIZATION_ID,
      name: 'Alerts',
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
      v1_secret: expect.stringMatching(/^[0-9a-f]{32}$/),
      created_at: expect.stringMatching(ISO),
      updated_at: profile.created_at,
    });
    // Retrieved as created.
    const response = await api('GET', `/v2/messaging_profiles/${profile.id}`);
    expect(((await response.json()) as { data: Profile }).data).toEqual(profile);
  });

  it('takes the fields it is given, and fills in the optional pool flags', async () => {
    const profile = await create({
      name: 'Everything',
      whitelisted_destinations: ['US', 'CA', 'GB'],
      enabled: false,
      webhook_url: 'https://hooks.example.test/primary',
      webhook_failover_url: 'https://hooks.example.test/failover',
      webhook_api_version: '1',
      number_pool_settings: VALID_POOL,
      url_shortener_settings: { domain: 'go.example.test' },
      alpha_sender: 'Example',
      daily_spend_limit: '100.00',
      daily_spend_limit_enabled: true,
      mms_fall_back_to_sms: true,
    });
    expect(profile).toMatchObject({
      enabled: false,
      webhook_url: 'https://hooks.example.test/primary',
      webhook_failover_url: 'https://hooks.example.test/failover',
      webhook_api_version: '1',
      number_pool_settings: { ...VALID_POOL, sticky_sender: false, geomatch: false },
      url_shortener_settings: { domain: 'go.example.test' },
      alpha_sender: 'Example',
      daily_spend_limit: '100.00',
      daily_spend_limit_enabled: true,
      mms_fall_back_to_sms: true,
    });
  });

  it('ignores read-only and unknown fields', async () => {
    const profile = await create({
      name: 'Sneaky',
      whitelisted_destinations: ['US'],
      id: 'my-own-id',
      created_at: '2001-01-01T00:00:00.000Z',
      record_type: 'something',
      favourite_colour: 'green',
    });
    expect(profile.id).toMatch(UUID);
    expect(profile.created_at).not.toBe('2001-01-01T00:00:00.000Z');
    expect(profile.record_type).toBe('messaging_profile');
    expect(profile).not.toHaveProperty('favourite_colour');
  });

  it.each([
    ['no name', { whitelisted_destinations: ['US'] }, 422, '10004', '/name'],
    ['no whitelisted_destinations', { name: 'x' }, 422, '10004', '/whitelisted_destinations'],
    ['an empty name', { name: '  ', whitelisted_destinations: ['US'] }, 422, '10015', '/name'],
    [
      'a country that is not alpha-2',
      { name: 'x', whitelisted_destinations: ['USA'] },
      422,
      '10015',
      '/whitelisted_destinations',
    ],
    [
      'destinations not a list',
      { name: 'x', whitelisted_destinations: 'US' },
      422,
      '10015',
      '/whitelisted_destinations',
    ],
    [
      'enabled not a boolean',
      { name: 'x', whitelisted_destinations: ['US'], enabled: 'yes' },
      422,
      '10015',
      '/enabled',
    ],
    [
      'a webhook_url that is not http(s)',
      { name: 'x', whitelisted_destinations: ['US'], webhook_url: 'ftp://hooks.example.test' },
      422,
      '10003',
      '/webhook_url',
    ],
    [
      'a webhook_failover_url that is not a URL',
      { name: 'x', whitelisted_destinations: ['US'], webhook_failover_url: 'hooks' },
      422,
      '10003',
      '/webhook_failover_url',
    ],
    [
      'an unknown webhook_api_version',
      { name: 'x', whitelisted_destinations: ['US'], webhook_api_version: '3' },
      422,
      '10015',
      '/webhook_api_version',
    ],
    [
      'number_pool_settings without skip_unhealthy',
      {
        name: 'x',
        whitelisted_destinations: ['US'],
        number_pool_settings: { long_code_weight: 1, toll_free_weight: 1 },
      },
      422,
      '10004',
      '/number_pool_settings/skip_unhealthy',
    ],
    [
      'number_pool_settings without toll_free_weight',
      {
        name: 'x',
        whitelisted_destinations: ['US'],
        number_pool_settings: { long_code_weight: 1, skip_unhealthy: true },
      },
      422,
      '10004',
      '/number_pool_settings/toll_free_weight',
    ],
    [
      'a negative weight',
      { name: 'x', whitelisted_destinations: ['US'], number_pool_settings: { ...VALID_POOL, long_code_weight: -1 } },
      422,
      '10015',
      '/number_pool_settings/long_code_weight',
    ],
    [
      'a weight that is not a number',
      { name: 'x', whitelisted_destinations: ['US'], number_pool_settings: { ...VALID_POOL, toll_free_weight: '2' } },
      422,
      '10015',
      '/number_pool_settings/toll_free_weight',
    ],
    [
      'geomatch not a boolean',
      { name: 'x', whitelisted_destinations: ['US'], number_pool_settings: { ...VALID_POOL, geomatch: 1 } },
      422,
      '10015',
      '/number_pool_settings/geomatch',
    ],
    [
      'number_pool_settings a list',
      { name: 'x', whitelisted_destinations: ['US'], number_pool_settings: [] },
      422,
      '10015',
      '/number_pool_settings',
    ],
    [
      'url_shortener_settings without a domain',
      { name: 'x', whitelisted_destinations: ['US'], url_shortener_settings: { prefix: 'a' } },
      422,
      '10015',
      '/url_shortener_settings',
    ],
    [
      'an alpha_sender of 12 characters',
      { name: 'x', whitelisted_destinations: ['US'], alpha_sender: 'ABCDEFGHIJKL' },
      422,
      '10015',
      '/alpha_sender',
    ],
    [
      'a daily_spend_limit that is a number',
      { name: 'x', whitelisted_destinations: ['US'], daily_spend_limit: 100 },
      422,
      '10015',
      '/daily_spend_limit',
    ],
  ])('refuses %s', async (_name, body, status, code, pointer) => {
    await expectError(await api('POST', '/v2/messaging_profiles', body), status, code, { pointer });
    expect((await list()).meta.total_results).toBe(2); // only the seeded profiles
  });
});

describe('update', () => {
  it('changes the fields given, moves updated_at and keeps the rest', async () => {
    const profile = await create({ name: 'Before', whitelisted_destinations: ['US'] });
    await advanceClock(5000);
    const response = await api('PATCH', `/v2/messaging_profiles/${profile.id}`, {
      name: 'After',
      webhook_url: 'https://hooks.example.test/after',
      number_pool_settings: VALID_POOL,
      id: 'ignored',
      created_at: '2001-01-01T00:00:00.000Z',
    });
    expect(response.status).toBe(200);
    const updated = ((await response.json()) as { data: Profile }).data;
    expect(updated).toMatchObject({
      id: profile.id,
      name: 'After',
      webhook_url: 'https://hooks.example.test/after',
      whitelisted_destinations: ['US'],
      created_at: profile.created_at,
      number_pool_settings: { ...VALID_POOL, sticky_sender: false, geomatch: false },
    });
    expect(Date.parse(updated.updated_at) - Date.parse(profile.updated_at)).toBeGreaterThanOrEqual(5000);
    const again = await api('GET', `/v2/messaging_profiles/${profile.id}`);
    expect(((await again.json()) as { data: Profile }).data).toEqual(updated);
  });

  it('turns the pool off with number_pool_settings null, and clears a URL with null', async () => {
    const response = await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, {
      number_pool_settings: null,
      webhook_url: null,
    });
    const updated = ((await response.json()) as { data: Profile }).data;
    expect(updated).toMatchObject({ number_pool_settings: null, webhook_url: '' });
  });

  it('refuses a bad field with a pointer, changing nothing', async () => {
    const before = await api('GET', `/v2/messaging_profiles/${MARKETING}`);
    const response = await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, {
      name: 'Renamed',
      number_pool_settings: { long_code_weight: -5, toll_free_weight: 1, skip_unhealthy: true },
    });
    await expectError(response, 422, '10015', { pointer: '/number_pool_settings/long_code_weight' });
    const after = await api('GET', `/v2/messaging_profiles/${MARKETING}`);
    expect(await after.json()).toEqual(await before.json());
  });
});

describe('list', () => {
  beforeEach(async () => {
    // A second apart, so that the list's order (by created_at) is certain.
    for (const name of ['Alpha', 'Beta', 'Alphabet']) {
      await advanceClock(1000);
      await create({ name, whitelisted_destinations: ['US'] });
    }
  });

  it('lists every profile, oldest first, with the pagination meta', async () => {
    const { data, meta } = await list();
    expect(data.map((p) => p.name)).toEqual(['Marketing (pool)', 'Support', 'Alpha', 'Beta', 'Alphabet']);
    expect(meta).toEqual({ page_number: 1, page_size: 20, total_pages: 1, total_results: 5 });
  });

  it('filters by exact name with filter[name], and by part of it with filter[name][contains]', async () => {
    expect((await list('?filter[name]=Alpha')).data.map((p) => p.name)).toEqual(['Alpha']);
    expect((await list('?filter%5Bname%5D=Beta')).data.map((p) => p.name)).toEqual(['Beta']);
    expect((await list('?filter[name][contains]=alpha')).data.map((p) => p.name)).toEqual(['Alpha', 'Alphabet']);
    const none = await list('?filter[name]=Nobody');
    expect(none).toEqual({ data: [], meta: { page_number: 1, page_size: 20, total_pages: 1, total_results: 0 } });
  });

  it('pages with page[size] and page[number]', async () => {
    const second = await list('?page[size]=2&page[number]=2');
    expect(second.data.map((p) => p.name)).toEqual(['Alpha', 'Beta']);
    expect(second.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 3, total_results: 5 });
    const last = await list('?page[size]=2&page[number]=3');
    expect(last.data.map((p) => p.name)).toEqual(['Alphabet']);
    const beyond = await list('?page[size]=2&page[number]=4');
    expect(beyond.data).toEqual([]);
  });

  it.each(['page[size]=0', 'page[size]=251', 'page[number]=0', 'page[size]=abc'])('refuses %s', async (query) => {
    const parameter = query.split('=')[0]!;
    await expectError(await api('GET', `/v2/messaging_profiles?${query}`), 400, '10015', { parameter });
  });
});

describe('delete', () => {
  it('deletes the profile and unassigns its numbers', async () => {
    const response = await api('DELETE', `/v2/messaging_profiles/${SUPPORT}`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: Profile }).data).toMatchObject({ id: SUPPORT, name: 'Support' });
    await expectError(await api('GET', `/v2/messaging_profiles/${SUPPORT}`), 404, '10005');
    const numbers = (await simState()).numbers as Array<{ phone_number: string; messaging_profile_id: string | null }>;
    for (const n of ['+15125550100', '+15125550101', '+14165550100']) {
      expect(numbers.find((row) => row.phone_number === n)?.messaging_profile_id).toBeNull();
    }
    // Its numbers can no longer send.
    await expectError(
      await api('POST', '/v2/messages', { from: '+15125550100', to: '+12065550123', text: 'x' }),
      400,
      '40305',
    );
    expect((await list()).meta.total_results).toBe(1);
  });
});

describe('unknown ids', () => {
  it.each(['GET', 'PATCH', 'DELETE'])('%s answers 404 in Telnyx shape', async (method) => {
    const id = crypto.randomUUID();
    const response = await api(method, `/v2/messaging_profiles/${id}`, method === 'PATCH' ? { name: 'x' } : undefined);
    const error = await expectError(response, 404, '10005');
    expect(error.title).toBe('Resource not found');
  });

  it('answers 404 for the phone numbers of an unknown profile', async () => {
    await expectError(await api('GET', `/v2/messaging_profiles/${crypto.randomUUID()}/phone_numbers`), 404, '10005');
  });
});

describe('phone numbers', () => {
  interface NumberItem {
    record_type: string;
    phone_number: string;
    type: string;
    messaging_profile_id: string;
    country_code: string;
    traffic_type: string;
    features: { sms: Record<string, boolean>; mms: Record<string, boolean> };
    health: Record<string, number>;
  }

  async function numbersOf(profile: string, query = '') {
    const response = await api('GET', `/v2/messaging_profiles/${profile}/phone_numbers${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { data: NumberItem[]; meta: Record<string, number> };
  }

  it("lists the profile's numbers with their type and health", async () => {
    const { data, meta } = await numbersOf(MARKETING);
    expect(meta).toEqual({ page_number: 1, page_size: 20, total_pages: 1, total_results: 10 });
    expect(data.map((n) => [n.phone_number, n.type])).toEqual([
      ['+12125550100', 'long-code'],
      ['+12125550101', 'long-code'],
      ['+13125550100', 'long-code'],
      ['+13125550101', 'long-code'],
      ['+13125550102', 'long-code'],
      ['+14155550100', 'long-code'],
      ['+14155550101', 'long-code'],
      ['+18335550100', 'toll-free'],
      ['+18445550100', 'toll-free'],
      ['22395', 'short-code'],
    ]);
    for (const item of data) {
      expect(item).toMatchObject({
        record_type: 'messaging_phone_number',
        messaging_profile_id: MARKETING,
        country_code: 'US',
      });
      expect(item.health).toEqual({ message_count: 0, success_ratio: 1, spam_ratio: 0, inbound_outbound_ratio: 0 });
      for (const feature of [item.features.sms, item.features.mms]) {
        expect(Object.keys(feature).sort()).toEqual([
          'domestic_two_way',
          'international_inbound',
          'international_outbound',
        ]);
      }
    }
    expect(data.find((n) => n.type === 'short-code')).toMatchObject({ traffic_type: 'A2P' });
    const support = await numbersOf(SUPPORT);
    expect(support.data.map((n) => [n.phone_number, n.country_code])).toEqual([
      ['+14165550100', 'CA'],
      ['+15125550100', 'US'],
      ['+15125550101', 'US'],
    ]);
  });

  it('pages the numbers', async () => {
    const { data, meta } = await numbersOf(MARKETING, '?page[size]=4&page[number]=3');
    expect(data.map((n) => n.phone_number)).toEqual(['+18445550100', '22395']);
    expect(meta).toEqual({ page_number: 3, page_size: 4, total_pages: 3, total_results: 10 });
  });

  it('reports health from finalized messages', async () => {
    for (const to of ['+12065550123', '+12065550124', '+12065550192', '+12065550190']) {
      await send({ from: CHICAGO, to, text: 'counted' });
    }
    expect((await numbersOf(MARKETING)).data.find((n) => n.phone_number === CHICAGO)?.health.message_count).toBe(0);
    await flush();
    const health = (await numbersOf(MARKETING)).data.find((n) => n.phone_number === CHICAGO)?.health;
    expect(health).toEqual({ message_count: 4, success_ratio: 0.5, spam_ratio: 0.25, inbound_outbound_ratio: 0 });
  });
});
