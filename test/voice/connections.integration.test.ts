// SIP connection configs through the bundle in local mode (the edge is the store): credential, IP
// and FQDN connections, FQDNs, IPs and outbound voice profiles in Telnyx's v2 shape with Telnyx's
// defaults; every bad field a 422 with its pointer and nothing saved; credential user names unique
// regardless of case, also for two creates at once (the D1 claim); passwords never in a list;
// GET /v2/connections across types with its filters, sort and paging; check_registration_status;
// the `edge` routing and connectionRouting(); last, the official `telnyx` SDK managing connections.
import Telnyx from 'telnyx';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectionRouting } from '../../workers/voice/connections';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import { clearStore, credentialBody, edge, expectError, ok, storedConnection, type Json } from './support';

const ID = /^\d{16}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NO_ROUTING = { flow_id: null, forward_url: null };

beforeEach(clearStore);

async function create(path: string, body: Record<string, unknown>): Promise<Json> {
  return ok(await edge(path, { body }));
}

const patch = (path: string, body: Record<string, unknown>) => edge(path, { method: 'PATCH', body });
const remove = (path: string) => edge(path, { method: 'DELETE' });

async function countAll(): Promise<number[]> {
  const paths = ['/v2/connections', '/v2/fqdns', '/v2/ips', '/v2/outbound_voice_profiles?page[size]=250'];
  return Promise.all(paths.map(async (p) => (await edge(p)).body.meta.total_results as number));
}

describe('credential connections', () => {
  it("creates one with Telnyx's defaults, answers 201, and reads it back with its password", async () => {
    const body = credentialBody({ connection_name: 'office' });
    const answer = await edge('/v2/credential_connections', { body });
    expect(answer.status).toBe(201);
    const created = answer.body.data;
    expect(created).toMatchObject({
      id: expect.stringMatching(ID),
      record_type: 'credential_connection',
      connection_name: 'office',
      user_name: body.user_name,
      password: body.password,
      active: true,
      anchorsite_override: 'Latency',
      default_on_hold_comfort_noise_enabled: false,
      dtmf_type: 'RFC 2833',
      encode_contact_header_enabled: false,
      encrypted_media: null,
      onnet_t38_passthrough_enabled: false,
      sip_uri_calling_preference: 'disabled',
      call_cost_in_webhooks: false,
      noise_suppression: 'disabled',
      noise_suppression_details: { engine: 'denoiser', attenuation_limit: 0 },
      jitter_buffer: { enable_jitter_buffer: false, jitterbuffer_msec_min: null, jitterbuffer_msec_max: null },
      tags: [],
      webhook_api_version: '1',
      webhook_event_url: null,
      webhook_event_failover_url: '',
      webhook_timeout_secs: null,
      android_push_credential_id: null,
      ios_push_credential_id: null,
      rtcp_settings: { capture_enabled: false, port: 'rtp+1', report_frequency_secs: 5 },
      inbound: {
        ani_number_format: 'E.164-national',
        channel_limit: null,
        codecs: ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264'],
        dnis_number_format: 'e164',
        generate_ringback_tone: false,
        isup_headers_enabled: false,
        prack_enabled: false,
        shaken_stir_enabled: false,
        sip_compact_headers_enabled: true,
        timeout_1xx_secs: 3,
        timeout_2xx_secs: 90,
        simultaneous_ringing: 'disabled',
      },
      outbound: {
        ani_override: '',
        ani_override_type: 'always',
        call_parking_enabled: false,
        channel_limit: null,
        generate_ringback_tone: false,
        instant_ringback_enabled: true,
        localization: 'US',
        outbound_voice_profile_id: null,
        t38_reinvite_source: 'telnyx',
      },
      created_at: expect.stringMatching(ISO),
      edge: NO_ROUTING,
    });
    expect(created.updated_at).toBe(created.created_at);
    expect(ok(await edge(`/v2/credential_connections/${created.id}`))).toEqual(created);
  });

  it('updates fields one by one, merging nested objects, and deletes', async () => {
    const created = await create('/v2/credential_connections', credentialBody());
    const updated = ok(
      await patch(`/v2/credential_connections/${created.id}`, {
        connection_name: 'front desk',
        inbound: { codecs: ['OPUS', 'G711U'] },
        noise_suppression_details: { engine: 'krisp_viva_tel' },
        tags: ['desk'],
        id: 'ignored',
        unknown_field: true,
      }),
    );
    expect(updated).toMatchObject({
      id: created.id,
      connection_name: 'front desk',
      tags: ['desk'],
      // Telnyx picks the engine's own attenuation limit when only the engine is given.
      noise_suppression_details: { engine: 'krisp_viva_tel', attenuation_limit: 80 },
      inbound: { ...created.inbound, codecs: ['OPUS', 'G711U'] },
      outbound: created.outbound,
    });
    expect(updated).not.toHaveProperty('unknown_field');
    expect(updated.updated_at >= created.updated_at).toBe(true);

    const deleted = await remove(`/v2/credential_connections/${created.id}`);
    expect(ok(deleted).id).toBe(created.id);
    expectError(await edge(`/v2/credential_connections/${created.id}`), 404);
    expectError(await remove(`/v2/credential_connections/${created.id}`), 404);
    expectError(await patch(`/v2/credential_connections/${created.id}`, { active: false }), 404);
  });

  it('answers 404 for a connection of another type at a typed path', async () => {
    const ip = await create('/v2/ip_connections', { connection_name: 'trunk' });
    expectError(await edge(`/v2/credential_connections/${ip.id}`), 404);
    expectError(await remove(`/v2/fqdn_connections/${ip.id}`), 404);
    expect(ok(await edge(`/v2/ip_connections/${ip.id}`)).id).toBe(ip.id);
  });
});

describe('IP and FQDN connections', () => {
  it("IP connections take Telnyx's IP defaults and need no field at all", async () => {
    const created = await create('/v2/ip_connections', {});
    expect(created).toMatchObject({
      record_type: 'ip_connection',
      connection_name: '',
      transport_protocol: 'UDP',
      default_on_hold_comfort_noise_enabled: true,
      inbound: {
        sip_region: 'US',
        sip_subdomain: null,
        sip_subdomain_receive_settings: null,
        default_primary_ip_id: null,
        default_routing_method: null,
        timeout_2xx_secs: 90,
      },
      outbound: {
        localization: null,
        t38_reinvite_source: 'customer',
        ip_authentication_method: 'tech-prefixp-charge-info',
        ip_authentication_token: null,
        tech_prefix: '',
      },
      edge: NO_ROUTING,
    });
    expect(created).not.toHaveProperty('user_name');
    expect(created).not.toHaveProperty('password');

    const updated = ok(
      await patch(`/v2/ip_connections/${created.id}`, {
        transport_protocol: 'TCP',
        outbound: { tech_prefix: '1234', ip_authentication_method: 'token', ip_authentication_token: 'secret-token' },
      }),
    );
    expect(updated.transport_protocol).toBe('TCP');
    expect(updated.outbound).toMatchObject({ tech_prefix: '1234', ip_authentication_method: 'token' });
  });

  it("FQDN connections take Telnyx's FQDN defaults and show its read-only settings", async () => {
    const created = await create('/v2/fqdn_connections', {
      connection_name: 'pbx',
      // Read-only at Telnyx: ignored.
      third_party_control_enabled: true,
    });
    expect(created).toMatchObject({
      record_type: 'fqdn_connection',
      microsoft_teams_sbc: false,
      adjust_dtmf_timestamp: false,
      third_party_control_enabled: false,
      txt_name: null,
      inbound: {
        default_routing_method: 'sequential',
        sip_subdomain_receive_settings: 'from_anyone',
        default_primary_fqdn_id: null,
      },
      outbound: {
        instant_ringback_enabled: false,
        localization: 'US',
        ip_authentication_method: 'ip-authentication',
        timeout_1xx_secs: 3,
        timeout_2xx_secs: 90,
        t38_reinvite_source: 'customer',
      },
    });
    expectError(await edge('/v2/fqdn_connections', { body: {} }), 422, { pointer: '/connection_name' });
  });

  it('an IP or FQDN connection names default IPs and FQDNs of its own only', async () => {
    const trunk = await create('/v2/ip_connections', { connection_name: 'trunk' });
    const other = await create('/v2/ip_connections', { connection_name: 'other' });
    const mine = await create('/v2/ips', { ip_address: '192.0.2.10', connection_id: trunk.id });
    const theirs = await create('/v2/ips', { ip_address: '192.0.2.11', connection_id: other.id });
    const updated = ok(await patch(`/v2/ip_connections/${trunk.id}`, { inbound: { default_primary_ip_id: mine.id } }));
    expect(updated.inbound.default_primary_ip_id).toBe(mine.id);
    expectError(
      await patch(`/v2/ip_connections/${trunk.id}`, { inbound: { default_secondary_ip_id: theirs.id } }),
      422,
      { pointer: '/inbound/default_secondary_ip_id' },
    );

    const pbx = await create('/v2/fqdn_connections', { connection_name: 'pbx' });
    const fqdn = await create('/v2/fqdns', { connection_id: pbx.id, fqdn: 'sip.example.com', dns_record_type: 'a' });
    const withFqdn = ok(
      await patch(`/v2/fqdn_connections/${pbx.id}`, { inbound: { default_primary_fqdn_id: fqdn.id } }),
    );
    expect(withFqdn.inbound.default_primary_fqdn_id).toBe(fqdn.id);
    expectError(
      await patch(`/v2/fqdn_connections/${pbx.id}`, { inbound: { default_tertiary_fqdn_id: '1234567890123456' } }),
      422,
      { pointer: '/inbound/default_tertiary_fqdn_id' },
    );
  });
});

describe('validation: a 422 with a pointer, nothing saved', () => {
  // [path, body, pointer]; every body is valid but for the one field.
  const credential = (fields: Record<string, unknown>) => credentialBody(fields);
  const cases: Array<[string, string, () => Record<string, unknown>, string]> = [
    [
      'missing user_name',
      '/v2/credential_connections',
      () => ({ ...credential({}), user_name: undefined }),
      '/user_name',
    ],
    ['missing password', '/v2/credential_connections', () => ({ ...credential({}), password: undefined }), '/password'],
    [
      'missing connection_name',
      '/v2/credential_connections',
      () => ({ ...credential({}), connection_name: undefined }),
      '/connection_name',
    ],
    ['user_name too short', '/v2/credential_connections', () => credential({ user_name: 'ab1' }), '/user_name'],
    [
      'user_name with a symbol',
      '/v2/credential_connections',
      () => credential({ user_name: 'john.doe' }),
      '/user_name',
    ],
    [
      'user_name without a letter in 5',
      '/v2/credential_connections',
      () => credential({ user_name: '12345abc' }),
      '/user_name',
    ],
    ['password of 7 characters', '/v2/credential_connections', () => credential({ password: 'short12' }), '/password'],
    [
      'password of 129 characters',
      '/v2/credential_connections',
      () => credential({ password: 'x'.repeat(129) }),
      '/password',
    ],
    [
      'anchorsite_override',
      '/v2/credential_connections',
      () => credential({ anchorsite_override: 'Mars' }),
      '/anchorsite_override',
    ],
    ['dtmf_type', '/v2/credential_connections', () => credential({ dtmf_type: 'rfc2833' }), '/dtmf_type'],
    [
      'encrypted_media ZRTP',
      '/v2/credential_connections',
      () => credential({ encrypted_media: 'ZRTP' }),
      '/encrypted_media',
    ],
    ['active as text', '/v2/credential_connections', () => credential({ active: 'yes' }), '/active'],
    ['inbound not an object', '/v2/credential_connections', () => credential({ inbound: [] }), '/inbound'],
    [
      'timeout_1xx_secs 121',
      '/v2/credential_connections',
      () => credential({ inbound: { timeout_1xx_secs: 121 } }),
      '/inbound/timeout_1xx_secs',
    ],
    [
      'timeout_2xx_secs 0',
      '/v2/credential_connections',
      () => credential({ inbound: { timeout_2xx_secs: 0 } }),
      '/inbound/timeout_2xx_secs',
    ],
    [
      'timeout_2xx_secs 1.5',
      '/v2/credential_connections',
      () => credential({ inbound: { timeout_2xx_secs: 1.5 } }),
      '/inbound/timeout_2xx_secs',
    ],
    [
      'an unknown codec',
      '/v2/credential_connections',
      () => credential({ inbound: { codecs: ['G722', 'MP3'] } }),
      '/inbound/codecs/1',
    ],
    [
      'a codec twice',
      '/v2/credential_connections',
      () => credential({ inbound: { codecs: ['G722', 'G722'] } }),
      '/inbound/codecs/1',
    ],
    [
      'dnis_number_format',
      '/v2/credential_connections',
      () => credential({ inbound: { dnis_number_format: 'E164' } }),
      '/inbound/dnis_number_format',
    ],
    [
      'channel_limit 0',
      '/v2/credential_connections',
      () => credential({ inbound: { channel_limit: 0 } }),
      '/inbound/channel_limit',
    ],
    [
      't38_reinvite_source',
      '/v2/credential_connections',
      () => credential({ outbound: { t38_reinvite_source: 'me' } }),
      '/outbound/t38_reinvite_source',
    ],
    [
      'localization',
      '/v2/credential_connections',
      () => credential({ outbound: { localization: 'USA' } }),
      '/outbound/localization',
    ],
    [
      'ani_override_type',
      '/v2/credential_connections',
      () => credential({ outbound: { ani_override_type: 'never' } }),
      '/outbound/ani_override_type',
    ],
    [
      'an unknown outbound voice profile',
      '/v2/credential_connections',
      () => credential({ outbound: { outbound_voice_profile_id: '1234567890123456' } }),
      '/outbound/outbound_voice_profile_id',
    ],
    [
      'report_frequency_secs 4',
      '/v2/credential_connections',
      () => credential({ rtcp_settings: { report_frequency_secs: 4 } }),
      '/rtcp_settings/report_frequency_secs',
    ],
    [
      'rtcp port',
      '/v2/credential_connections',
      () => credential({ rtcp_settings: { port: 'rtp+2' } }),
      '/rtcp_settings/port',
    ],
    [
      'webhook_event_url without a scheme',
      '/v2/credential_connections',
      () => credential({ webhook_event_url: 'example.com/hooks' }),
      '/webhook_event_url',
    ],
    [
      'webhook_event_failover_url',
      '/v2/credential_connections',
      () => credential({ webhook_event_failover_url: 'ftp://example.com' }),
      '/webhook_event_failover_url',
    ],
    [
      'webhook_timeout_secs 31',
      '/v2/credential_connections',
      () => credential({ webhook_timeout_secs: 31 }),
      '/webhook_timeout_secs',
    ],
    [
      'webhook_api_version 3',
      '/v2/credential_connections',
      () => credential({ webhook_api_version: '3' }),
      '/webhook_api_version',
    ],
    ['a tag that is not text', '/v2/credential_connections', () => credential({ tags: ['ok', 7] }), '/tags/1'],
    [
      'sip_uri_calling_preference',
      '/v2/credential_connections',
      () => credential({ sip_uri_calling_preference: 'all' }),
      '/sip_uri_calling_preference',
    ],
    [
      'noise_suppression',
      '/v2/credential_connections',
      () => credential({ noise_suppression: 'sometimes' }),
      '/noise_suppression',
    ],
    [
      'a noise engine',
      '/v2/credential_connections',
      () => credential({ noise_suppression_details: { engine: 'rnnoise' } }),
      '/noise_suppression_details/engine',
    ],
    [
      'jitter buffer of 30 ms',
      '/v2/credential_connections',
      () => credential({ jitter_buffer: { jitterbuffer_msec_min: 30 } }),
      '/jitter_buffer/jitterbuffer_msec_min',
    ],
    [
      'jitter buffer min above max',
      '/v2/credential_connections',
      () => credential({ jitter_buffer: { jitterbuffer_msec_min: 300, jitterbuffer_msec_max: 100 } }),
      '/jitter_buffer/jitterbuffer_msec_min',
    ],
    [
      'edge.forward_url',
      '/v2/credential_connections',
      () => credential({ edge: { forward_url: 'ftp://example.com' } }),
      '/edge/forward_url',
    ],
    ['edge.flow_id', '/v2/credential_connections', () => credential({ edge: { flow_id: 42 } }), '/edge/flow_id'],
    ['an unknown edge key', '/v2/credential_connections', () => credential({ edge: { queue: 'x' } }), '/edge/queue'],
    ['edge not an object', '/v2/credential_connections', () => credential({ edge: 'flow-1' }), '/edge'],
    ['transport_protocol', '/v2/ip_connections', () => ({ transport_protocol: 'SCTP' }), '/transport_protocol'],
    [
      'SRTP over TLS',
      '/v2/ip_connections',
      () => ({ transport_protocol: 'TLS', encrypted_media: 'SRTP' }),
      '/encrypted_media',
    ],
    [
      'tech_prefix of 2 digits',
      '/v2/ip_connections',
      () => ({ outbound: { tech_prefix: '12' } }),
      '/outbound/tech_prefix',
    ],
    [
      'ip_authentication_method',
      '/v2/ip_connections',
      () => ({ outbound: { ip_authentication_method: 'ip-authentication' } }),
      '/outbound/ip_authentication_method',
    ],
    ['sip_region', '/v2/ip_connections', () => ({ inbound: { sip_region: 'Asia' } }), '/inbound/sip_region'],
    [
      'sip_subdomain',
      '/v2/fqdn_connections',
      () => ({ connection_name: 'pbx', inbound: { sip_subdomain: 'my office' } }),
      '/inbound/sip_subdomain',
    ],
    [
      'FQDN connection ip_authentication_method',
      '/v2/fqdn_connections',
      () => ({ connection_name: 'pbx', outbound: { ip_authentication_method: 'token' } }),
      '/outbound/ip_authentication_method',
    ],
    [
      'an FQDN without connection_id',
      '/v2/fqdns',
      () => ({ fqdn: 'sip.example.com', dns_record_type: 'a' }),
      '/connection_id',
    ],
    [
      'an FQDN of an unknown connection',
      '/v2/fqdns',
      () => ({ connection_id: '1234567890123456', fqdn: 'sip.example.com', dns_record_type: 'a' }),
      '/connection_id',
    ],
    [
      'an IP of an unknown connection',
      '/v2/ips',
      () => ({ connection_id: '1234567890123456', ip_address: '192.0.2.1' }),
      '/connection_id',
    ],
    ['an IP without ip_address', '/v2/ips', () => ({ port: 5060 }), '/ip_address'],
    ['an IP address out of range', '/v2/ips', () => ({ ip_address: '192.0.2.256' }), '/ip_address'],
    ['an IP port 0', '/v2/ips', () => ({ ip_address: '192.0.2.1', port: 0 }), '/port'],
    ['a profile name of 2 characters', '/v2/outbound_voice_profiles', () => ({ name: 'ab' }), '/name'],
    ['a profile without a name', '/v2/outbound_voice_profiles', () => ({ enabled: true }), '/name'],
    [
      'traffic_type',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', traffic_type: 'short-duration' }),
      '/traffic_type',
    ],
    [
      'a whitelisted destination',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', whitelisted_destinations: ['US', 'XX'] }),
      '/whitelisted_destinations/1',
    ],
    [
      'call_recording_type',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', call_recording: { call_recording_type: 'some' } }),
      '/call_recording/call_recording_type',
    ],
    [
      'a recorded caller number',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', call_recording: { call_recording_caller_phone_numbers: ['3125550100'] } }),
      '/call_recording/call_recording_caller_phone_numbers/0',
    ],
    [
      'daily_spend_limit',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', daily_spend_limit: '100 USD' }),
      '/daily_spend_limit',
    ],
    [
      'billing_group_id',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', billing_group_id: 'group-1' }),
      '/billing_group_id',
    ],
    [
      'concurrent_call_limit 0',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', concurrent_call_limit: 0 }),
      '/concurrent_call_limit',
    ],
    [
      'calling_window start_time',
      '/v2/outbound_voice_profiles',
      () => ({ name: 'office', calling_window: { start_time: '8am' } }),
      '/calling_window/start_time',
    ],
  ];

  it.each(cases)('%s', async (_name, path, body, pointer) => {
    const before = await countAll();
    const error = expectError(await edge(path, { body: body() }), 422, { pointer });
    expect(error.code).toMatch(/^(10015|10004)$/);
    expect(await countAll()).toEqual(before);
  });

  it('FQDN checks: the FQDN itself, its record type, srv without a port, an IP connection as owner', async () => {
    const pbx = await create('/v2/fqdn_connections', { connection_name: 'pbx' });
    const trunk = await create('/v2/ip_connections', { connection_name: 'trunk' });
    const base = { connection_id: pbx.id, fqdn: 'sip.example.com', dns_record_type: 'a' };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ ...base, fqdn: 'not a host' }, '/fqdn'],
      [{ ...base, fqdn: 'localhost' }, '/fqdn'],
      [{ ...base, dns_record_type: 'mx' }, '/dns_record_type'],
      [{ ...base, port: 70000 }, '/port'],
      [{ ...base, dns_record_type: 'srv', port: 5060 }, '/port'],
      [{ ...base, connection_id: trunk.id }, '/connection_id'],
    ];
    for (const [body, pointer] of bad) expectError(await edge('/v2/fqdns', { body }), 422, { pointer });
    expect(ok(await edge('/v2/fqdns')).length).toBe(0);
  });

  it('a refused update leaves the record as it was', async () => {
    const created = await create('/v2/credential_connections', credentialBody());
    expectError(
      await patch(`/v2/credential_connections/${created.id}`, {
        connection_name: 'new',
        inbound: { timeout_1xx_secs: 0 },
      }),
      422,
      { pointer: '/inbound/timeout_1xx_secs' },
    );
    expectError(await patch(`/v2/credential_connections/${created.id}`, { password: 'short' }), 422, {
      pointer: '/password',
    });
    expect(ok(await edge(`/v2/credential_connections/${created.id}`))).toEqual(created);
    const profile = await create('/v2/outbound_voice_profiles', { name: 'office' });
    // Telnyx's PATCH of a profile requires the name.
    expectError(await patch(`/v2/outbound_voice_profiles/${profile.id}`, { enabled: false }), 422, {
      pointer: '/name',
    });
  });

  it('a body that is not a JSON object is a 400', async () => {
    const notObject = await edge('/v2/credential_connections', { body: ['user_name'] });
    expectError(notObject, 400, { pointer: '/' });
  });
});

describe('user names are unique regardless of case', () => {
  it('refuses a second connection with the same user name in another case', async () => {
    await create('/v2/credential_connections', credentialBody({ user_name: 'DeskPhone1' }));
    const error = expectError(
      await edge('/v2/credential_connections', { body: credentialBody({ user_name: 'deskphone1' }) }),
      422,
      { pointer: '/user_name' },
    );
    expect(error.detail).toContain('already taken');
    expect(ok(await edge('/v2/credential_connections')).length).toBe(1);
  });

  it('of two creates at once with one user name, exactly one succeeds', async () => {
    const answers = await Promise.all(
      ['Twin1', 'TWIN1', 'twin1', 'tWiN1'].map((name) =>
        edge('/v2/credential_connections', { body: credentialBody({ user_name: name }) }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 422, 422, 422]);
    expect(ok(await edge('/v2/credential_connections')).length).toBe(1);
    const claims = await env.DB.prepare('SELECT user_name_key FROM connection_user_names').all();
    expect(claims.results).toEqual([{ user_name_key: 'twin1' }]);
  });

  it('a rename claims the new name and frees the old one; a delete frees its name', async () => {
    const a = await create('/v2/credential_connections', credentialBody({ user_name: 'alpha1' }));
    const b = await create('/v2/credential_connections', credentialBody({ user_name: 'bravo1' }));
    expectError(await patch(`/v2/credential_connections/${b.id}`, { user_name: 'ALPHA1' }), 422, {
      pointer: '/user_name',
    });
    // A change of case only keeps the claim.
    expect(ok(await patch(`/v2/credential_connections/${a.id}`, { user_name: 'Alpha1' })).user_name).toBe('Alpha1');
    expect(ok(await patch(`/v2/credential_connections/${a.id}`, { user_name: 'charlie1' })).user_name).toBe('charlie1');
    expect(ok(await patch(`/v2/credential_connections/${b.id}`, { user_name: 'alpha1' })).user_name).toBe('alpha1');
    ok(await remove(`/v2/credential_connections/${a.id}`));
    expect(
      ok(await edge('/v2/credential_connections', { body: credentialBody({ user_name: 'CHARLIE1' }) })).user_name,
    ).toBe('CHARLIE1');
  });

  it('holds even when KV does not show the first connection yet (RELIABILITY row 25)', async () => {
    const first = await create('/v2/credential_connections', credentialBody({ user_name: 'laggard1' }));
    // A read elsewhere that has not seen the write: KV shows nothing at all.
    await env.CONFIG.delete(`sip-connection:${first.id}`);
    expect(ok(await edge('/v2/credential_connections'))).toEqual([]);
    expectError(await edge('/v2/credential_connections', { body: credentialBody({ user_name: 'LAGGARD1' }) }), 422, {
      pointer: '/user_name',
    });
  });

  it('a claim left behind by a connection that is gone is taken over only after KV has caught up (60 s)', async () => {
    const insert = (name: string, ageMs: number) =>
      env.DB.prepare('INSERT INTO connection_user_names VALUES (?, ?, ?)')
        .bind(name, '1111111111111111', Date.now() - ageMs)
        .run();
    await insert('ghost1', 61_000);
    await insert('fresh1', 5_000);
    ok(await edge('/v2/credential_connections', { body: credentialBody({ user_name: 'Ghost1' }) }));
    expectError(await edge('/v2/credential_connections', { body: credentialBody({ user_name: 'fresh1' }) }), 422, {
      pointer: '/user_name',
    });
  });
});

describe('passwords', () => {
  it('are never in a list, but come with a single connection as Telnyx answers them', async () => {
    const created = await create('/v2/credential_connections', credentialBody({ password: 'Sup3rSecretPassw0rd' }));
    expect(created.password).toBe('Sup3rSecretPassw0rd');
    for (const path of ['/v2/credential_connections', '/v2/connections', `/v2/connections/${created.id}`]) {
      const answer = await edge(path);
      expect(answer.status).toBe(200);
      expect(JSON.stringify(answer.body)).not.toContain('Sup3rSecretPassw0rd');
    }
    expect(ok(await edge('/v2/credential_connections'))[0]).not.toHaveProperty('password');
    expect(ok(await edge(`/v2/credential_connections/${created.id}`)).password).toBe('Sup3rSecretPassw0rd');
  });
});

describe('GET /v2/connections', () => {
  async function fixture() {
    const profile = await create('/v2/outbound_voice_profiles', { name: 'office' });
    const names = ['Bravo desk', 'alpha desk', 'Charlie trunk', 'delta pbx'];
    const made: Json[] = [];
    made.push(await create('/v2/credential_connections', credentialBody({ connection_name: names[0] })));
    made.push(
      await create('/v2/credential_connections', {
        ...credentialBody({ connection_name: names[1], active: false }),
        outbound: { outbound_voice_profile_id: profile.id },
      }),
    );
    made.push(
      await create('/v2/ip_connections', {
        connection_name: names[2],
        outbound: { outbound_voice_profile_id: profile.id },
      }),
    );
    made.push(await create('/v2/fqdn_connections', { connection_name: names[3], active: false }));
    await create('/v2/fqdns', { connection_id: made[3].id, fqdn: 'pbx.example.com', dns_record_type: 'a' });
    return { profile, made };
  }
  const names = (answer: Json) => (ok(answer) as Json[]).map((c) => c.connection_name);

  it("lists every type as Telnyx's Connection summary, newest first", async () => {
    const { profile, made } = await fixture();
    const answer = await edge('/v2/connections');
    expect(answer.body.meta).toEqual({ page_number: 1, page_size: 250, total_pages: 1, total_results: 4 });
    expect(names(answer)).toEqual(['delta pbx', 'Charlie trunk', 'alpha desk', 'Bravo desk']);
    const trunk = (ok(answer) as Json[]).find((c) => c.id === made[2].id);
    expect(trunk).toEqual({
      id: made[2].id,
      record_type: 'ip_connection',
      active: true,
      anchorsite_override: 'Latency',
      connection_name: 'Charlie trunk',
      created_at: made[2].created_at,
      updated_at: made[2].updated_at,
      outbound_voice_profile_id: profile.id,
      tags: [],
      webhook_api_version: '1',
      webhook_event_url: null,
      webhook_event_failover_url: '',
      edge: NO_ROUTING,
    });
    expect(ok(await edge(`/v2/connections/${made[0].id}`))).toMatchObject({
      id: made[0].id,
      record_type: 'credential_connection',
    });
    expectError(await edge('/v2/connections/1234567890123456'), 404);
  });

  it('filters by name (at least three characters), FQDN and outbound voice profile', async () => {
    const { profile, made } = await fixture();
    expect(names(await edge('/v2/connections?filter[connection_name][contains]=DESK'))).toEqual([
      'alpha desk',
      'Bravo desk',
    ]);
    expectError(await edge('/v2/connections?filter[connection_name][contains]=de'), 400, {
      parameter: 'filter[connection_name][contains]',
    });
    expect(names(await edge('/v2/connections?filter[fqdn]=pbx.example.com'))).toEqual(['delta pbx']);
    expect(names(await edge('/v2/connections?filter[fqdn]=PBX.example.com'))).toEqual([]);
    expect(names(await edge(`/v2/connections?filter[outbound_voice_profile_id]=${profile.id}`))).toEqual([
      'Charlie trunk',
      'alpha desk',
    ]);
    expect(names(await edge(`/v2/connections?filter[outbound.outbound_voice_profile_id]=${profile.id}`))).toHaveLength(
      2,
    );
    // The typed lists take the same filters, within their type.
    expect(names(await edge(`/v2/credential_connections?filter[outbound_voice_profile_id]=${profile.id}`))).toEqual([
      'alpha desk',
    ]);
    expect((ok(await edge('/v2/ip_connections')) as Json[]).map((c) => c.id)).toEqual([made[2].id]);
  });

  it('sorts by created_at, connection_name and active, either way; anything else is a 400', async () => {
    await fixture();
    expect(names(await edge('/v2/connections?sort=created_at'))).toEqual([
      'Bravo desk',
      'alpha desk',
      'Charlie trunk',
      'delta pbx',
    ]);
    expect(names(await edge('/v2/connections?sort=connection_name'))).toEqual([
      'alpha desk',
      'Bravo desk',
      'Charlie trunk',
      'delta pbx',
    ]);
    expect(names(await edge('/v2/connections?sort=-connection_name'))).toEqual([
      'delta pbx',
      'Charlie trunk',
      'Bravo desk',
      'alpha desk',
    ]);
    const byActive = ok(await edge('/v2/connections?sort=-active')) as Json[];
    expect(byActive.map((c) => c.active)).toEqual([true, true, false, false]);
    expectError(await edge('/v2/connections?sort=user_name'), 400, { parameter: 'sort' });
  });

  it('pages with page[number] and page[size] (at most 250)', async () => {
    await fixture();
    const second = await edge('/v2/connections?sort=connection_name&page[size]=3&page[number]=2');
    expect(names(second)).toEqual(['delta pbx']);
    expect(second.body.meta).toEqual({ page_number: 2, page_size: 3, total_pages: 2, total_results: 4 });
    expect(ok(await edge('/v2/connections?page[size]=3&page[number]=9'))).toEqual([]);
    expectError(await edge('/v2/connections?page[size]=251'), 400, { parameter: 'page[size]' });
    expectError(await edge('/v2/connections?page[number]=0'), 400, { parameter: 'page[number]' });
  });
});

describe('FQDNs, IPs and outbound voice profiles', () => {
  it('FQDNs: port 5060 for an a record, none for srv; filters; update; deleted with their connection', async () => {
    const pbx = await create('/v2/fqdn_connections', { connection_name: 'pbx' });
    const a = ok(
      await edge('/v2/fqdns', { body: { connection_id: pbx.id, fqdn: 'a.example.com', dns_record_type: 'a' } }),
    );
    expect(a).toMatchObject({
      record_type: 'fqdn',
      id: expect.stringMatching(ID),
      connection_id: pbx.id,
      fqdn: 'a.example.com',
      dns_record_type: 'a',
      port: 5060,
      created_at: expect.stringMatching(ISO),
    });
    const srv = await create('/v2/fqdns', {
      connection_id: pbx.id,
      fqdn: '_sip._udp.example.com',
      dns_record_type: 'srv',
    });
    expect(srv.port).toBeNull();
    expect((ok(await edge('/v2/fqdns?filter[dns_record_type]=srv')) as Json[]).map((f) => f.id)).toEqual([srv.id]);
    expect((ok(await edge(`/v2/fqdns?filter[connection_id]=${pbx.id}&filter[port]=5060`)) as Json[]).length).toBe(1);
    expect(ok(await patch(`/v2/fqdns/${a.id}`, { port: 5080 })).port).toBe(5080);
    // Switching to srv drops the port.
    expect(ok(await patch(`/v2/fqdns/${a.id}`, { dns_record_type: 'srv' })).port).toBeNull();

    ok(await remove(`/v2/fqdn_connections/${pbx.id}`));
    expect(ok(await edge('/v2/fqdns'))).toEqual([]);
    expectError(await edge(`/v2/fqdns/${a.id}`), 404);
  });

  it('IPs: port 5060 by default, ip_address required on update too, deleted with their connection', async () => {
    const trunk = await create('/v2/ip_connections', { connection_name: 'trunk' });
    const ip = await create('/v2/ips', { ip_address: '198.51.100.7', connection_id: trunk.id });
    expect(ip).toMatchObject({ record_type: 'ip', ip_address: '198.51.100.7', port: 5060, connection_id: trunk.id });
    const loose = await create('/v2/ips', { ip_address: '2001:db8::1', port: 5080 });
    expect(loose.connection_id).toBeNull();
    expectError(await patch(`/v2/ips/${ip.id}`, { port: 5062 }), 422, { pointer: '/ip_address' });
    expect(ok(await patch(`/v2/ips/${ip.id}`, { ip_address: '198.51.100.8', port: 5062 })).port).toBe(5062);
    expect((ok(await edge('/v2/ips?filter[ip_address]=198.51.100.8')) as Json[]).map((i) => i.id)).toEqual([ip.id]);
    expect(ok(await edge(`/v2/ips/${ip.id}`)).ip_address).toBe('198.51.100.8');
    ok(await remove(`/v2/ip_connections/${trunk.id}`));
    expect((ok(await edge('/v2/ips')) as Json[]).map((i) => i.id)).toEqual([loose.id]);
    expect(ok(await remove(`/v2/ips/${loose.id}`)).id).toBe(loose.id);
    expectError(await remove(`/v2/ips/${loose.id}`), 404);
  });

  it("outbound voice profiles: Telnyx's defaults, connections counted, name filter, sort, 20 a page", async () => {
    const answer = await edge('/v2/outbound_voice_profiles', { body: { name: 'office' } });
    expect(answer.status).toBe(200);
    const office = answer.body.data;
    expect(office).toMatchObject({
      record_type: 'outbound_voice_profile',
      name: 'office',
      enabled: true,
      traffic_type: 'conversational',
      service_plan: 'global',
      usage_payment_method: 'rate-deck',
      whitelisted_destinations: ['US', 'CA'],
      concurrent_call_limit: null,
      daily_spend_limit_enabled: false,
      billing_group_id: null,
      connections_count: 0,
      call_recording: {
        call_recording_type: 'none',
        call_recording_caller_phone_numbers: [],
        call_recording_channels: 'single',
        call_recording_format: 'wav',
      },
    });
    await create('/v2/credential_connections', {
      ...credentialBody(),
      outbound: { outbound_voice_profile_id: office.id },
    });
    expect(ok(await edge(`/v2/outbound_voice_profiles/${office.id}`)).connections_count).toBe(1);
    const updated = ok(
      await patch(`/v2/outbound_voice_profiles/${office.id}`, {
        name: 'office calls',
        calling_window: { start_time: '08:00:00.00Z', end_time: '20:00:00.00Z', calls_per_cld: 5 },
        daily_spend_limit: '100.00',
        daily_spend_limit_enabled: true,
      }),
    );
    expect(updated).toMatchObject({ name: 'office calls', daily_spend_limit: '100.00', connections_count: 1 });
    expect(updated.calling_window).toEqual({ start_time: '08:00:00.00Z', end_time: '20:00:00.00Z', calls_per_cld: 5 });

    for (let i = 0; i < 21; i++)
      await create('/v2/outbound_voice_profiles', { name: `branch ${String(i).padStart(2, '0')}` });
    const first = await edge('/v2/outbound_voice_profiles');
    expect(first.body.meta).toMatchObject({ page_size: 20, total_results: 22, total_pages: 2 });
    expect(ok(first)[0].name).toBe('branch 20');
    const byName = ok(await edge('/v2/outbound_voice_profiles?sort=name&filter[name][contains]=BRANCH 0')) as Json[];
    expect(byName.map((p) => p.name)).toEqual([...Array(10).keys()].map((i) => `branch 0${i}`));
    expectError(await edge('/v2/outbound_voice_profiles?sort=size'), 400, { parameter: 'sort' });
    expect(ok(await remove(`/v2/outbound_voice_profiles/${office.id}`)).id).toBe(office.id);
  });
});

describe('check_registration_status (local mode)', () => {
  it('answers Not Registered with the user name: no device can register on a connection Telnyx does not have', async () => {
    const created = await create('/v2/credential_connections', credentialBody());
    const answer = await edge(`/v2/credential_connections/${created.id}/actions/check_registration_status`, {
      method: 'POST',
    });
    expect(ok(answer)).toEqual({
      record_type: 'registration_status',
      status: 'Not Registered',
      sip_username: created.user_name,
      ip_address: null,
      port: null,
      transport: null,
      user_agent: null,
      last_registration: null,
    });
    const ip = await create('/v2/ip_connections', {});
    expectError(
      await edge(`/v2/credential_connections/${ip.id}/actions/check_registration_status`, { method: 'POST' }),
      404,
    );
  });
});

describe("the edge's routing", () => {
  it('is kept under `edge`, merged on update, and returned by connectionRouting()', async () => {
    const created = await create('/v2/credential_connections', {
      ...credentialBody(),
      edge: { flow_id: 'front-desk' },
    });
    expect(created.edge).toEqual({ flow_id: 'front-desk', forward_url: null });
    expect(await connectionRouting(env, created.id)).toEqual({ flow_id: 'front-desk', forward_url: null });

    const updated = ok(
      await patch(`/v2/credential_connections/${created.id}`, {
        edge: { forward_url: 'https://hooks.example.com/calls' },
      }),
    );
    expect(updated.edge).toEqual({ flow_id: 'front-desk', forward_url: 'https://hooks.example.com/calls' });
    expect((await storedConnection(created.id)).edge).toEqual(updated.edge);
    expect(await connectionRouting(env, created.id)).toEqual(updated.edge);

    ok(await patch(`/v2/credential_connections/${created.id}`, { edge: { flow_id: null, forward_url: null } }));
    expect(await connectionRouting(env, created.id)).toBeUndefined();
    expect(await connectionRouting(env, '1234567890123456')).toBeUndefined();
  });
});

describe('the official telnyx SDK against the bundle', () => {
  // Only baseURL changes, and the API key is the bundle's ADMIN_TOKEN.
  const client = new Telnyx({ apiKey: TEST_ADMIN_TOKEN, baseURL: `${EDGE_URL}/v2`, maxRetries: 0 });

  it('creates, retrieves, updates, lists and deletes credential, IP and FQDN connections', async () => {
    const { data: credential } = await client.credentialConnections.create({
      connection_name: 'sdk office',
      user_name: 'sdkuser01',
      password: 'my123secure456password789',
      inbound: { codecs: ['G722'] },
    });
    expect(credential).toMatchObject({ record_type: 'credential_connection', user_name: 'sdkuser01' });
    expect((await client.credentialConnections.retrieve(credential!.id!)).data).toEqual(credential);
    const { data: renamed } = await client.credentialConnections.update(credential!.id!, {
      connection_name: 'sdk office 2',
      outbound: { localization: 'GB' },
    });
    expect(renamed).toMatchObject({ connection_name: 'sdk office 2', outbound: { localization: 'GB' } });

    const { data: ip } = await client.ipConnections.create({ connection_name: 'sdk trunk', transport_protocol: 'TCP' });
    const { data: fqdn } = await client.fqdnConnections.create({ connection_name: 'sdk pbx' });
    expect((await client.ipConnections.retrieve(ip!.id!)).data?.transport_protocol).toBe('TCP');
    expect((await client.fqdnConnections.update(fqdn!.id!, { active: false })).data?.active).toBe(false);

    // Auto-paging one at a time through every type.
    const all: string[] = [];
    for await (const c of client.connections.list({ 'page[size]': 1, sort: 'connection_name' }))
      all.push(c.connection_name!);
    expect(all).toEqual(['sdk office 2', 'sdk pbx', 'sdk trunk']);
    const listed = await client.credentialConnections.list({ filter: { connection_name: { contains: 'office' } } });
    expect(listed.data.map((c) => c.id)).toEqual([credential!.id]);
    expect(listed.data[0]).not.toHaveProperty('password');

    const refused = await client.credentialConnections
      .create({ connection_name: 'dup', user_name: 'SDKUSER01', password: 'my123secure456password789' })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Telnyx.UnprocessableEntityError);

    await client.credentialConnections.delete(credential!.id!);
    await client.ipConnections.delete(ip!.id!);
    await client.fqdnConnections.delete(fqdn!.id!);
    const gone = await client.ipConnections.retrieve(ip!.id!).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(Telnyx.NotFoundError);
  });
});
