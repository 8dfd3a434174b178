// Connections as Telnyx keeps them: credential, IP and FQDN connections (Telnyx's defaults on
// create, every field checked with a 422 and a pointer, nested settings merged on update, user
// names unique whatever their case, passwords of 8 to 128 characters), FQDNs and IPs, outbound
// voice profiles, Call Control applications, GET /v2/connections across kinds with Telnyx's
// filters, sort and pages, registration status, the API guard, and reset.
import { beforeEach, describe, expect, it } from 'vitest';
import { ISO, api, control, controlOk, expectError, patchSettings, resetAll, simState, throughEntry } from './support';
import { APPLICATION, CREDENTIAL, DIGITS_ID, PROFILE, VOICE_FAILOVER_URL, VOICE_URL, apiOk } from './voice';

type Json = Record<string, unknown>;

beforeEach(() => resetAll({}));

const CODECS = ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264'];
const RTCP = { capture_enabled: false, port: 'rtp+1', report_frequency_secs: 5 };
const INBOUND = {
  ani_number_format: 'E.164-national',
  channel_limit: null,
  codecs: CODECS,
  dnis_number_format: 'e164',
  generate_ringback_tone: false,
  isup_headers_enabled: false,
  prack_enabled: false,
  shaken_stir_enabled: false,
  sip_compact_headers_enabled: true,
  timeout_1xx_secs: 3,
  timeout_2xx_secs: 90,
};
const OUTBOUND = {
  ani_override: '',
  ani_override_type: 'always',
  call_parking_enabled: false,
  channel_limit: null,
  generate_ringback_tone: false,
  instant_ringback_enabled: true,
  localization: 'US',
  outbound_voice_profile_id: null,
  t38_reinvite_source: 'telnyx',
};
const COMMON = {
  active: true,
  anchorsite_override: 'Latency',
  dtmf_type: 'RFC 2833',
  encode_contact_header_enabled: false,
  encrypted_media: null,
  onnet_t38_passthrough_enabled: false,
  rtcp_settings: RTCP,
  tags: [],
  webhook_api_version: '1',
  webhook_event_url: null,
  webhook_event_failover_url: '',
  webhook_timeout_secs: null,
  ios_push_credential_id: null,
  android_push_credential_id: null,
  id: expect.stringMatching(DIGITS_ID),
  created_at: expect.stringMatching(ISO),
  updated_at: expect.stringMatching(ISO),
};

const NEW_CREDENTIAL = { connection_name: 'Warehouse phones', user_name: 'warehouse7', password: 'correct-horse-9' };

function createCredential(body: Json = {}) {
  return api('POST', '/v2/credential_connections', { ...NEW_CREDENTIAL, ...body });
}

async function count(path: string): Promise<number> {
  return ((await (await api('GET', path)).json()) as { meta: { total_results: number } }).meta.total_results;
}

describe('credential connections', () => {
  it('creates with Telnyx defaults for everything not given, answering 201 with the password', async () => {
    const data = await apiOk('POST', '/v2/credential_connections', NEW_CREDENTIAL, 201);
    expect(data).toEqual({
      ...COMMON,
      record_type: 'credential_connection',
      connection_name: 'Warehouse phones',
      user_name: 'warehouse7',
      password: 'correct-horse-9',
      sip_uri_calling_preference: 'disabled',
      // The create request's default (the object's own says true).
      default_on_hold_comfort_noise_enabled: false,
      inbound: INBOUND,
      outbound: OUTBOUND,
    });
    expect(await apiOk('GET', `/v2/credential_connections/${data.id as string}`)).toEqual(data);
  });

  it.each([
    ['no connection_name', { connection_name: undefined }, 422, '10004', '/connection_name'],
    ['no user_name', { user_name: undefined }, 422, '10004', '/user_name'],
    ['no password', { password: undefined }, 422, '10004', '/password'],
    ['a password of 7 characters', { password: 'seven77' }, 422, '10015', '/password'],
    ['a password of 129 characters', { password: 'p'.repeat(129) }, 422, '10015', '/password'],
    ['a user name of 3 characters', { user_name: 'abc' }, 422, '10015', '/user_name'],
    ['a user name of 33 characters', { user_name: 'a'.repeat(33) }, 422, '10015', '/user_name'],
    ['a user name with a dot', { user_name: 'ware.house' }, 422, '10015', '/user_name'],
    ['a user name without a letter in its first 5', { user_name: '12345abc' }, 422, '10015', '/user_name'],
    ['an unknown anchorsite', { anchorsite_override: 'Paris' }, 422, '10015', '/anchorsite_override'],
    ['an unknown dtmf_type', { dtmf_type: 'loud' }, 422, '10015', '/dtmf_type'],
    ['active as text', { active: 'yes' }, 422, '10015', '/active'],
    ['a webhook URL that is not http(s)', { webhook_event_url: 'ftp://x.test' }, 422, '10015', '/webhook_event_url'],
    ['a webhook timeout of 31 s', { webhook_timeout_secs: 31 }, 422, '10015', '/webhook_timeout_secs'],
    ['tags that are not a list', { tags: 'a,b' }, 422, '10015', '/tags'],
    ['a tag that is not text', { tags: ['a', 1] }, 422, '10015', '/tags/1'],
    [
      'an unknown SIP URI preference',
      { sip_uri_calling_preference: 'all' },
      422,
      '10015',
      '/sip_uri_calling_preference',
    ],
    ['inbound that is not an object', { inbound: 5 }, 422, '10015', '/inbound'],
    ['an inbound 1xx timeout of 0', { inbound: { timeout_1xx_secs: 0 } }, 422, '10015', '/inbound/timeout_1xx_secs'],
    [
      'an unknown DNIS format',
      { inbound: { dnis_number_format: 'test' } },
      422,
      '10015',
      '/inbound/dnis_number_format',
    ],
    [
      'an RTCP frequency of 4 s',
      { rtcp_settings: { report_frequency_secs: 4 } },
      422,
      '10015',
      '/rtcp_settings/report_frequency_secs',
    ],
    [
      'an outbound voice profile not on the account',
      { outbound: { outbound_voice_profile_id: '1999999999999999999' } },
      422,
      '10015',
      '/outbound/outbound_voice_profile_id',
    ],
  ])('refuses %s, creating nothing', async (_name, change, status, code, pointer) => {
    const before = await count('/v2/credential_connections');
    await expectError(await createCredential(change), status, code, { pointer });
    expect(await count('/v2/credential_connections')).toBe(before);
  });

  it('keeps user names unique whatever their case, on create and on update', async () => {
    await expectError(await createCredential({ user_name: 'EdgeOffice' }), 422, '10015', { pointer: '/user_name' });
    const other = await apiOk('POST', '/v2/credential_connections', NEW_CREDENTIAL, 201);
    const path = `/v2/credential_connections/${other.id as string}`;
    await expectError(await api('PATCH', path, { user_name: 'EDGEOFFICE' }), 422, '10015', { pointer: '/user_name' });
    // Its own name, in another case, is still its own.
    expect((await apiOk('PATCH', path, { user_name: 'WAREHOUSE7' })).user_name).toBe('WAREHOUSE7');
  });

  it('updates field by field, merging nested settings, and ignores read-only and unknown fields', async () => {
    const created = await apiOk('POST', '/v2/credential_connections', NEW_CREDENTIAL, 201);
    const path = `/v2/credential_connections/${created.id as string}`;
    const updated = await apiOk('PATCH', path, {
      inbound: { channel_limit: 4 },
      outbound: { outbound_voice_profile_id: PROFILE },
      tags: ['dock'],
      id: '1',
      record_type: 'nonsense',
      created_at: 'yesterday',
      colour: 'blue',
    });
    expect(updated).toEqual({
      ...created,
      inbound: { ...INBOUND, channel_limit: 4 },
      outbound: { ...OUTBOUND, outbound_voice_profile_id: PROFILE },
      tags: ['dock'],
      updated_at: expect.stringMatching(ISO),
    });
    await expectError(await api('PATCH', path, { inbound: { codecs: 'G722' } }), 422, '10015', {
      pointer: '/inbound/codecs',
    });
    expect(await apiOk('GET', path)).toEqual(updated);
    await expectError(await api('PATCH', '/v2/credential_connections/1999999999999999999', {}), 404, '10005');
  });

  it('masks passwords except where they were just set, with mask_connection_passwords', async () => {
    await patchSettings({ mask_connection_passwords: true });
    const created = await apiOk('POST', '/v2/credential_connections', NEW_CREDENTIAL, 201);
    expect(created.password).toBe('correct-horse-9');
    const path = `/v2/credential_connections/${created.id as string}`;
    expect((await apiOk('GET', path)).password).toBe('********');
    expect((await apiOk('PATCH', path, { tags: ['x'] })).password).toBe('********');
    expect((await apiOk('PATCH', path, { password: 'battery-staple' })).password).toBe('battery-staple');
    expect((await apiOk<Json[]>('GET', '/v2/credential_connections')).map((c) => c.password)).toEqual([
      '********',
      '********',
    ]);
  });

  it('deletes, answering with what was deleted; then 404', async () => {
    const created = await apiOk('POST', '/v2/credential_connections', NEW_CREDENTIAL, 201);
    const path = `/v2/credential_connections/${created.id as string}`;
    expect(await apiOk('DELETE', path)).toEqual(created);
    await expectError(await api('GET', path), 404, '10005');
    await expectError(await api('DELETE', path), 404, '10005');
  });

  it('reports registration status, as the control API sets it', async () => {
    const path = `/v2/credential_connections/${CREDENTIAL}/actions/check_registration_status`;
    const before = await apiOk('POST', path);
    expect(before).toMatchObject({
      record_type: 'registration_status',
      sip_username: 'edgeoffice',
      status: 'Not Registered',
    });
    // Never registered: nothing known about where from.
    expect(Object.entries(before).filter(([, value]) => value !== null)).toHaveLength(3);
    const registered = {
      status: 'Registered',
      ip_address: '203.0.113.7',
      port: 5060,
      transport: 'TLS',
      user_agent: 'Yealink T54W',
    };
    await controlOk('PATCH', `/sim/connections/${CREDENTIAL}/registration`, registered);
    expect(await apiOk('POST', path)).toEqual({
      record_type: 'registration_status',
      sip_username: 'edgeoffice',
      ...registered,
      last_registration: expect.stringMatching(ISO),
    });
    await expectError(
      await api('POST', `/v2/credential_connections/${APPLICATION}/actions/check_registration_status`),
      404,
      '10005',
    );
    const bad = await control('PATCH', `/sim/connections/${CREDENTIAL}/registration`, { status: 'Fine' });
    await expectError(bad, 400, '10015', { pointer: '/status' });
  });
});

describe('IP and FQDN connections', () => {
  it('creates an IP connection from an empty body, with its kind defaults and no credentials', async () => {
    const data = await apiOk('POST', '/v2/ip_connections', {}, 201);
    expect(data).toEqual({
      ...COMMON,
      record_type: 'ip_connection',
      connection_name: '',
      default_on_hold_comfort_noise_enabled: true,
      transport_protocol: 'UDP',
      inbound: {
        ...INBOUND,
        default_primary_ip_id: null,
        default_secondary_ip_id: null,
        default_tertiary_ip_id: null,
        default_routing_method: null,
        sip_region: 'US',
        sip_subdomain: null,
        sip_subdomain_receive_settings: null,
      },
      outbound: {
        ...OUTBOUND,
        ip_authentication_method: 'tech-prefixp-charge-info',
        ip_authentication_token: null,
        localization: null,
        t38_reinvite_source: 'customer',
        tech_prefix: '',
      },
    });
    expect(data).not.toHaveProperty('password');
    expect(data).not.toHaveProperty('user_name');
  });

  it('creates an FQDN connection (connection_name required) with its FQDNs, found by filter[fqdn]', async () => {
    await expectError(await api('POST', '/v2/fqdn_connections', {}), 422, '10004', { pointer: '/connection_name' });
    const connection = await apiOk(
      'POST',
      '/v2/fqdn_connections',
      { connection_name: 'PBX', microsoft_teams_sbc: true },
      201,
    );
    expect(connection).toMatchObject({
      record_type: 'fqdn_connection',
      microsoft_teams_sbc: true,
      transport_protocol: 'UDP',
      adjust_dtmf_timestamp: false,
      inbound: { default_routing_method: 'sequential', sip_subdomain_receive_settings: 'from_anyone' },
      outbound: {
        ip_authentication_method: 'ip-authentication',
        instant_ringback_enabled: false,
        timeout_2xx_secs: 90,
      },
    });
    // microsoft_teams_sbc is set on create only.
    const path = `/v2/fqdn_connections/${connection.id as string}`;
    expect((await apiOk('PATCH', path, { microsoft_teams_sbc: false })).microsoft_teams_sbc).toBe(true);

    const fqdn = await apiOk(
      'POST',
      '/v2/fqdns',
      { connection_id: connection.id, fqdn: 'pbx.example.com', dns_record_type: 'a' },
      201,
    );
    expect(fqdn).toEqual({
      id: expect.stringMatching(DIGITS_ID),
      record_type: 'fqdn',
      connection_id: connection.id,
      fqdn: 'pbx.example.com',
      dns_record_type: 'a',
      port: 5060,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    const found = await apiOk<Json[]>('GET', '/v2/connections?filter[fqdn]=pbx.example.com');
    expect(found.map((c) => c.id)).toEqual([connection.id]);
    expect(await apiOk<Json[]>('GET', '/v2/connections?filter[fqdn]=PBX.example.com')).toEqual([]);
    expect(await apiOk<Json[]>('GET', `/v2/fqdns?filter[connection_id]=${connection.id as string}`)).toEqual([fqdn]);
    expect(await apiOk<Json[]>('GET', '/v2/fqdns?filter[dns_record_type]=srv')).toEqual([]);

    // Deleting the connection deletes its FQDNs.
    await apiOk('DELETE', path);
    await expectError(await api('GET', `/v2/fqdns/${fqdn.id as string}`), 404, '10005');
  });

  it.each([
    ['no connection_id', { connection_id: undefined }, '10004', '/connection_id'],
    ['no fqdn', { fqdn: undefined }, '10004', '/fqdn'],
    ['no dns_record_type', { dns_record_type: undefined }, '10004', '/dns_record_type'],
    ['a name that is not a domain', { fqdn: 'not a domain' }, '10015', '/fqdn'],
    ['an unknown record type', { dns_record_type: 'mx' }, '10015', '/dns_record_type'],
    ['port 0', { port: 0 }, '10015', '/port'],
    ['a credential connection', { connection_id: CREDENTIAL }, '10015', '/connection_id'],
  ])('refuses an FQDN with %s', async (_name, change, code, pointer) => {
    const connection = await apiOk('POST', '/v2/fqdn_connections', { connection_name: 'PBX' }, 201);
    const body = { connection_id: connection.id, fqdn: 'pbx.example.com', dns_record_type: 'srv', ...change };
    await expectError(await api('POST', '/v2/fqdns', body), 422, code, { pointer });
  });

  it('keeps IPs of IP connections: ip_address required on create and update, filters on the list', async () => {
    const connection = await apiOk('POST', '/v2/ip_connections', { connection_name: 'Carrier' }, 201);
    await expectError(await api('POST', '/v2/ips', { port: 5060 }), 422, '10004', { pointer: '/ip_address' });
    await expectError(await api('POST', '/v2/ips', { ip_address: '300.1.1.1' }), 422, '10015', {
      pointer: '/ip_address',
    });
    await expectError(
      await api('POST', '/v2/ips', { ip_address: '192.0.2.1', connection_id: CREDENTIAL }),
      422,
      '10015',
      {
        pointer: '/connection_id',
      },
    );
    const ip = await apiOk('POST', '/v2/ips', { ip_address: '192.0.2.1', connection_id: connection.id }, 201);
    expect(ip).toMatchObject({ record_type: 'ip', ip_address: '192.0.2.1', port: 5060, connection_id: connection.id });
    const loose = await apiOk('POST', '/v2/ips', { ip_address: '192.0.2.2', port: 5080 }, 201);
    expect(loose.connection_id).toBeNull();
    await expectError(await api('PATCH', `/v2/ips/${ip.id as string}`, { port: 5061 }), 422, '10004', {
      pointer: '/ip_address',
    });
    expect((await apiOk('PATCH', `/v2/ips/${ip.id as string}`, { ip_address: '192.0.2.3', port: 5061 })).port).toBe(
      5061,
    );
    expect((await apiOk<Json[]>('GET', '/v2/ips?filter[port]=5080')).map((i) => i.id)).toEqual([loose.id]);
    expect(
      (await apiOk<Json[]>('GET', `/v2/ips?filter[connection_id]=${connection.id as string}`)).map((i) => i.id),
    ).toEqual([ip.id]);
  });
});

describe('outbound voice profiles', () => {
  it('creates with defaults, answering 200 as the spec says, and counts the connections using it', async () => {
    const data = await apiOk('POST', '/v2/outbound_voice_profiles', { name: 'Sales' });
    expect(data).toEqual({
      id: expect.stringMatching(DIGITS_ID),
      record_type: 'outbound_voice_profile',
      name: 'Sales',
      billing_group_id: null,
      call_recording: {
        call_recording_type: 'none',
        call_recording_caller_phone_numbers: [],
        call_recording_channels: 'single',
        call_recording_format: 'wav',
      },
      concurrent_call_limit: null,
      daily_spend_limit: null,
      daily_spend_limit_enabled: false,
      enabled: true,
      max_destination_rate: null,
      service_plan: 'global',
      tags: [],
      traffic_type: 'conversational',
      usage_payment_method: 'rate-deck',
      whitelisted_destinations: ['US', 'CA'],
      connections_count: 0,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    // The seeded application and credential connection use the seeded profile.
    expect((await apiOk('GET', `/v2/outbound_voice_profiles/${PROFILE}`)).connections_count).toBe(2);
  });

  it.each([
    ['no name', {}, '10004', '/name'],
    ['a name of 2 characters', { name: 'ab' }, '10015', '/name'],
    [
      'a destination that is not a country code',
      { name: 'Sales', whitelisted_destinations: ['USA'] },
      '10015',
      '/whitelisted_destinations/0',
    ],
    ['an unknown traffic type', { name: 'Sales', traffic_type: 'short_duration' }, '10015', '/traffic_type'],
    ['a spend limit that is a number', { name: 'Sales', daily_spend_limit: 100 }, '10015', '/daily_spend_limit'],
    [
      'an unknown recording type',
      { name: 'Sales', call_recording: { call_recording_type: 'some' } },
      '10015',
      '/call_recording/call_recording_type',
    ],
  ])('refuses %s', async (_name, body, code, pointer) => {
    await expectError(await api('POST', '/v2/outbound_voice_profiles', body), 422, code, { pointer });
  });

  it('needs a name on update too, and lists by filter[name][contains] and sort', async () => {
    const sales = await apiOk('POST', '/v2/outbound_voice_profiles', { name: 'Sales' });
    await apiOk('POST', '/v2/outbound_voice_profiles', { name: 'Support lines' });
    await expectError(
      await api('PATCH', `/v2/outbound_voice_profiles/${sales.id as string}`, { enabled: false }),
      422,
      '10004',
      {
        pointer: '/name',
      },
    );
    expect(
      (await apiOk('PATCH', `/v2/outbound_voice_profiles/${sales.id as string}`, { name: 'Sales', enabled: false }))
        .enabled,
    ).toBe(false);
    const names = async (query: string) =>
      (await apiOk<Json[]>('GET', `/v2/outbound_voice_profiles${query}`)).map((p) => p.name);
    expect(await names('')).toEqual(['Support lines', 'Sales', 'Default outbound']);
    expect(await names('?sort=name')).toEqual(['Default outbound', 'Sales', 'Support lines']);
    expect(await names('?sort=-name')).toEqual(['Support lines', 'Sales', 'Default outbound']);
    expect(await names('?sort=enabled')).toEqual(['Sales', 'Default outbound', 'Support lines']);
    expect(await names('?filter[name][contains]=SUP')).toEqual(['Support lines']);
    await expectError(await api('GET', '/v2/outbound_voice_profiles?sort=colour'), 400, '10015', { parameter: 'sort' });
  });
});

describe('GET /v2/connections', () => {
  async function names(query = ''): Promise<string[]> {
    return (await apiOk<Json[]>('GET', `/v2/connections${query}`)).map((c) => c.connection_name as string);
  }

  it('lists every kind in Telnyx Connection shape, newest first, without credentials', async () => {
    await apiOk('POST', '/v2/ip_connections', { connection_name: 'Carrier trunk', active: false }, 201);
    const list = await apiOk<Json[]>('GET', '/v2/connections');
    expect(list.map((c) => [c.record_type, c.connection_name])).toEqual([
      ['ip_connection', 'Carrier trunk'],
      ['credential_connection', 'Office desk phones'],
      ['call_control_application', 'telnyx-edge'],
    ]);
    expect(list[2]).toEqual({
      id: APPLICATION,
      record_type: 'call_control_application',
      active: true,
      anchorsite_override: 'Latency',
      connection_name: 'telnyx-edge',
      outbound_voice_profile_id: PROFILE,
      tags: ['telnyx-edge'],
      webhook_api_version: '2',
      webhook_event_url: VOICE_URL,
      webhook_event_failover_url: VOICE_FAILOVER_URL,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    for (const connection of list) expect(Object.keys(connection)).not.toContain('password');
    expect(await apiOk('GET', `/v2/connections/${CREDENTIAL}`)).toEqual(list[1]);
    await expectError(await api('GET', '/v2/connections/1999999999999999999'), 404, '10005');
  });

  it('filters by name (three characters at least, any case) and outbound voice profile', async () => {
    await apiOk('POST', '/v2/ip_connections', { connection_name: 'Office trunk' }, 201);
    expect(await names('?filter[connection_name][contains]=OFFICE')).toEqual(['Office trunk', 'Office desk phones']);
    expect(await names(`?filter[outbound_voice_profile_id]=${PROFILE}`)).toEqual(['Office desk phones', 'telnyx-edge']);
    expect(await names(`?filter[outbound.outbound_voice_profile_id]=${PROFILE}`)).toEqual([
      'Office desk phones',
      'telnyx-edge',
    ]);
    await expectError(await api('GET', '/v2/connections?filter[connection_name][contains]=of'), 400, '10015', {
      parameter: 'filter[connection_name][contains]',
    });
  });

  it('sorts by created_at, connection_name or active, "-" for descending, and pages (250 by default)', async () => {
    await apiOk('POST', '/v2/ip_connections', { connection_name: 'Alpha', active: false }, 201);
    expect(await names('?sort=created_at')).toEqual(['telnyx-edge', 'Office desk phones', 'Alpha']);
    expect(await names('?sort=connection_name')).toEqual(['Alpha', 'Office desk phones', 'telnyx-edge']);
    expect(await names('?sort=-connection_name')).toEqual(['telnyx-edge', 'Office desk phones', 'Alpha']);
    expect(await names('?sort=active')).toEqual(['telnyx-edge', 'Office desk phones', 'Alpha']);
    expect(await names('?sort=-active')).toEqual(['Alpha', 'Office desk phones', 'telnyx-edge']);
    const page = (await (
      await api('GET', '/v2/connections?sort=connection_name&page[size]=2&page[number]=2')
    ).json()) as {
      data: Json[];
      meta: Json;
    };
    expect(page.data.map((c) => c.connection_name)).toEqual(['telnyx-edge']);
    expect(page.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 2, total_results: 3 });
    expect(((await (await api('GET', '/v2/connections')).json()) as { meta: Json }).meta.page_size).toBe(250);
    await expectError(await api('GET', '/v2/connections?sort=name'), 400, '10015', { parameter: 'sort' });
    await expectError(await api('GET', '/v2/connections?page[size]=251'), 400, '10015', { parameter: 'page[size]' });
  });

  it("lists each kind's own objects at its path, with the same filters", async () => {
    expect((await apiOk<Json[]>('GET', '/v2/credential_connections')).map((c) => c.id)).toEqual([CREDENTIAL]);
    expect(await apiOk<Json[]>('GET', '/v2/ip_connections')).toEqual([]);
    expect(
      await apiOk<Json[]>('GET', '/v2/credential_connections?filter[connection_name][contains]=warehouse'),
    ).toEqual([]);
    await expectError(await api('GET', `/v2/ip_connections/${CREDENTIAL}`), 404, '10005');
  });
});

describe('Call Control applications', () => {
  it('serves the seeded application, its webhooks on the webhook base', async () => {
    const application = await apiOk('GET', `/v2/call_control_applications/${APPLICATION}`);
    expect(application).toMatchObject({
      id: APPLICATION,
      record_type: 'call_control_application',
      application_name: 'telnyx-edge',
      active: true,
      webhook_event_url: VOICE_URL,
      webhook_event_failover_url: VOICE_FAILOVER_URL,
      webhook_api_version: '2',
      anchorsite_override: '"Latency"',
      first_command_timeout: false,
      first_command_timeout_secs: 30,
      inbound: {
        channel_limit: null,
        shaken_stir_enabled: false,
        sip_subdomain: null,
        sip_subdomain_receive_settings: 'from_anyone',
      },
      outbound: { channel_limit: null, outbound_voice_profile_id: PROFILE },
    });
    expect((await apiOk<Json[]>('GET', '/v2/call_control_applications')).map((a) => a.id)).toEqual([APPLICATION]);
    expect(
      await apiOk<Json[]>('GET', '/v2/call_control_applications?filter[application_name][contains]=EDGE'),
    ).toHaveLength(1);
    // Its URLs follow the webhook base until someone changes them.
    await patchSettings({ webhook_base: 'http://elsewhere.test:9787' });
    expect((await apiOk('GET', `/v2/call_control_applications/${APPLICATION}`)).webhook_event_url).toBe(
      'http://elsewhere.test:9787/webhooks/voice',
    );
  });

  it('creates one (application_name and webhook_event_url required)', async () => {
    await expectError(await api('POST', '/v2/call_control_applications', { application_name: 'ivr' }), 422, '10004', {
      pointer: '/webhook_event_url',
    });
    const created = await apiOk(
      'POST',
      '/v2/call_control_applications',
      { application_name: 'ivr', webhook_event_url: 'https://ivr.example.com/hooks' },
      201,
    );
    expect(created).toMatchObject({
      webhook_api_version: '1',
      webhook_event_failover_url: '',
      webhook_timeout_secs: null,
    });
  });
});

describe('the API guard and reset', () => {
  it('needs an API key, takes faults and is logged like every /v2 call', async () => {
    const unauthenticated = await throughEntry('/v2/connections');
    expect(unauthenticated.status).toBe(401);
    await controlOk('POST', '/sim/faults', { target: 'api', kind: '500', path: '/v2/credential_connections' });
    expect((await api('GET', '/v2/connections')).status).toBe(200);
    await expectError(await createCredential(), 500, '10007');
    expect(await count('/v2/credential_connections')).toBe(1);
    const log = await controlOk<{ data: Json[] }>('GET', '/sim/requests?path=/v2/credential_connections');
    expect(log.data.map((r) => [r.method, r.status, r.fault])).toEqual([
      ['POST', 500, '500'],
      ['GET', 200, null],
    ]);
  });

  it('puts back exactly the seeded connections, profiles and number assignments', async () => {
    const comparable = (state: Json) => ({
      numbers: state.numbers,
      resources: (state.resources as Json[]).map(({ created_at: _c, updated_at: _u, ...rest }) => rest),
    });
    const seeded = comparable(await simState());
    await createCredential();
    await apiOk('PATCH', `/v2/credential_connections/${CREDENTIAL}`, { connection_name: 'Renamed' });
    await apiOk('DELETE', `/v2/outbound_voice_profiles/${PROFILE}`);
    await controlOk('PATCH', '/sim/numbers/%2B13125550100', { connection_id: null });
    expect(comparable(await simState())).not.toEqual(seeded);
    await controlOk('POST', '/sim/reset');
    expect(comparable(await simState())).toEqual(seeded);
  });
});
