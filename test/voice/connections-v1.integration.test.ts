// The seed's Connections V1 resource (/security/connections, seed 003) over the store the v2 routes
// use: a V1 create shows seed 003's defaults and is an IP connection in v2; v2 writes show in V1 and
// V1 writes in v2, field by field through the mapping (README: "Connections"); V1-only fields stay
// beside the connection; a V1 read written back whole changes nothing; bad V1 bodies are a 400 with
// V1's pointer, bad list queries a 422; the list's filters, orders, extras and paging; delete.
import { beforeEach, describe, expect, it } from 'vitest';
import { clearStore, credentialBody, edge, expectError, ok, type Json } from './support';

beforeEach(clearStore);

const V1 = '/security/connections';
const put = (id: string, body: Record<string, unknown>) => edge(`${V1}/${id}`, { method: 'PUT', body });

/** Seed 003's response for a connection created with only a name (ids and times aside). */
const V1_CREATED = {
  tech_prefix: '',
  authentication_type: 1,
  active: true,
  dnis_number_format: 1,
  timeout_1xx: '3',
  timeout_2xx: '90',
  forward_only: false,
  ani_override_type: 'always',
  ani_override: '',
  registration_status: 0,
  last_registered_ip: null,
  registration_status_updated_at: null,
  sip_compact_headers_enabled: true,
  transport_protocol: 'UDP',
  third_party_control_enabled: false,
  privacy_zone_enabled: false,
  codecs: ['G722', 'G711U', 'G711A', 'G729', 'OPUS', 'H.264'],
  prack_enabled: false,
  default_routing_method: null,
  default_primary_authorized_ip_id: null,
  default_secondary_authorized_ip_id: null,
  default_tertiary_authorized_ip_id: null,
  anchorsite_override: 'Latency',
  encrypted_media: null,
  call_failure_check_enabled: false,
  instant_ringback_enabled: true,
  t38_reinvite_source: 'telnyx',
  ani_number_format: 'E.164-national',
  isup_headers_enabled: false,
  encode_contact_header_enabled: false,
  inbound_generate_ringback_tone: false,
  outbound_generate_ringback_tone: false,
  rtcp_report_enabled: true,
  rtcp_report_frequency_seconds: 5,
  rtcp_port: 'rtp+1',
  dtmf_type: 'RFC 2833',
  outbound_localization: null,
  inbound_channel_limit: null,
  outbound_channel_limit: null,
  onnet_t38_passthrough_enabled: false,
  sip_region: 'US',
  sip_uri_calling_preference: 'disabled',
  sip_subdomain: null,
  sip_subdomain_receive_settings: null,
  webhook_api_version: '1',
  edge: { flow_id: null, forward_url: null },
};

describe('V1 create and read', () => {
  it("creates with seed 003's defaults, as a bare object, and it is an IP connection in v2", async () => {
    const answer = await edge(V1, { body: { connection_name: 'legacy office' } });
    expect(answer.status).toBe(200);
    const created = answer.body;
    expect(created).toEqual({ id: expect.stringMatching(/^\d{16}$/), connection_name: 'legacy office', ...V1_CREATED });
    expect(ok(await edge(`${V1}/${created.id}`))).toEqual(created);

    const v2 = ok(await edge(`/v2/ip_connections/${created.id}`));
    expect(v2).toMatchObject({
      id: created.id,
      record_type: 'ip_connection',
      connection_name: 'legacy office',
      transport_protocol: 'UDP',
      inbound: { dnis_number_format: 'e164', timeout_1xx_secs: 3, timeout_2xx_secs: 90, codecs: V1_CREATED.codecs },
      // V1's default, not v2's ("customer"): the V1 create asked for it.
      outbound: { t38_reinvite_source: 'telnyx', call_parking_enabled: false, localization: null },
      rtcp_settings: { report_frequency_secs: 5, port: 'rtp+1' },
    });
    // V1-only fields are not part of the v2 object.
    expect(v2).not.toHaveProperty('privacy_zone_enabled');
    expect(ok(await edge(`/v2/connections/${created.id}`)).record_type).toBe('ip_connection');
  });

  it('a V1 create maps every field it is given', async () => {
    const created = ok(
      await edge(V1, {
        body: {
          connection_name: 'mapped',
          active: false,
          dnis_number_format: 0,
          timeout_1xx: 5,
          timeout_2xx: '120',
          ani_override: '+13125550100',
          ani_override_type: 'emergency',
          transport_protocol: 'TCP',
          privacy_zone_enabled: true,
          codecs: ['OPUS', 'G711U'],
          prack_enabled: true,
          default_routing_method: 'round-robin',
          default_primary_authorized_ip_id: 0,
          anchorsite_override: 'Chicago, IL',
          encrypted_media: 'SRTP',
          inbound_generate_ringback_tone: true,
          rtcp_report_frequency_seconds: 20,
          rtcp_port: 'rtcp-mux',
          outbound_localization: 'GB',
          inbound_channel_limit: 4,
          onnet_t38_passthrough_enabled: 1,
          sip_region: 'Europe',
          sip_subdomain: 'legacy',
          sip_subdomain_receive_settings: 'only_my_connections',
          outbound_call_parking_enabled: true,
          webhook_api_version: '2',
          edge: { flow_id: 'ivr-main' },
        },
      }),
    );
    expect(created).toMatchObject({
      active: false,
      dnis_number_format: 0,
      timeout_1xx: '5',
      timeout_2xx: '120',
      privacy_zone_enabled: true,
      default_primary_authorized_ip_id: null,
      onnet_t38_passthrough_enabled: true,
      edge: { flow_id: 'ivr-main', forward_url: null },
    });
    expect(created).not.toHaveProperty('outbound_call_parking_enabled');
    expect(ok(await edge(`/v2/ip_connections/${created.id}`))).toMatchObject({
      active: false,
      transport_protocol: 'TCP',
      anchorsite_override: 'Chicago, IL',
      encrypted_media: 'SRTP',
      webhook_api_version: '2',
      onnet_t38_passthrough_enabled: true,
      rtcp_settings: { report_frequency_secs: 20, port: 'rtcp-mux' },
      inbound: {
        dnis_number_format: '+e164',
        timeout_1xx_secs: 5,
        timeout_2xx_secs: 120,
        codecs: ['OPUS', 'G711U'],
        prack_enabled: true,
        default_routing_method: 'round-robin',
        default_primary_ip_id: null,
        generate_ringback_tone: true,
        channel_limit: 4,
        sip_region: 'Europe',
        sip_subdomain: 'legacy',
        sip_subdomain_receive_settings: 'only_my_connections',
      },
      outbound: {
        ani_override: '+13125550100',
        ani_override_type: 'emergency',
        localization: 'GB',
        call_parking_enabled: true,
      },
      edge: { flow_id: 'ivr-main', forward_url: null },
    });
  });
});

describe('one connection, two views', () => {
  it('v2 writes show in V1', async () => {
    const v2 = ok(
      await edge('/v2/credential_connections', {
        body: credentialBody({
          connection_name: 'desk',
          sip_uri_calling_preference: 'internal',
          inbound: { dnis_number_format: 'national', timeout_1xx_secs: 60 },
        }),
      }),
    );
    const v1 = ok(await edge(`${V1}/${v2.id}`));
    expect(v1).toMatchObject({
      id: v2.id,
      connection_name: 'desk',
      authentication_type: 3,
      // Not registered (local mode: nothing can register at Telnyx on an edge-only connection).
      registration_status: 1,
      dnis_number_format: 2,
      // v2 allows up to 120 s; V1 shows what is there.
      timeout_1xx: '60',
      sip_uri_calling_preference: 'internal',
      // Credential connections have no transport or SIP region in v2: V1 shows its defaults.
      transport_protocol: 'UDP',
      sip_region: 'US',
      tech_prefix: '',
    });
    expect(v1).not.toHaveProperty('password');

    ok(
      await edge(`/v2/credential_connections/${v2.id}`, {
        method: 'PATCH',
        body: { inbound: { dnis_number_format: 'sip_username' }, active: false },
      }),
    );
    expect(ok(await edge(`${V1}/${v2.id}`))).toMatchObject({ dnis_number_format: null, active: false });

    ok(await edge(`/v2/credential_connections/${v2.id}/actions/check_registration_status`, { method: 'POST' }));
    expect(ok(await edge(`${V1}/${v2.id}`)).registration_status).toBe(1);
  });

  it('V1 writes show in v2; V1-only fields stay beside the connection', async () => {
    const created = ok(await edge(V1, { body: { connection_name: 'trunk' } }));
    const updated = ok(
      await put(created.id, {
        connection_name: 'trunk 2',
        dnis_number_format: 2,
        timeout_2xx: '30',
        third_party_control_enabled: true,
        privacy_zone_enabled: true,
        outbound_call_parking_enabled: true,
        sip_uri_calling_preference: 'unrestricted',
        edge: { forward_url: 'https://hooks.example.com/v1' },
      }),
    );
    expect(updated).toMatchObject({
      connection_name: 'trunk 2',
      dnis_number_format: 2,
      timeout_2xx: '30',
      third_party_control_enabled: true,
      privacy_zone_enabled: true,
      sip_uri_calling_preference: 'unrestricted',
      edge: { flow_id: null, forward_url: 'https://hooks.example.com/v1' },
    });
    const v2 = ok(await edge(`/v2/ip_connections/${created.id}`));
    expect(v2).toMatchObject({
      connection_name: 'trunk 2',
      inbound: { dnis_number_format: 'national', timeout_2xx_secs: 30 },
      outbound: { call_parking_enabled: true },
      edge: { flow_id: null, forward_url: 'https://hooks.example.com/v1' },
    });
    expect(v2).not.toHaveProperty('sip_uri_calling_preference');
    // A later v2 write keeps the V1-only fields.
    ok(await edge(`/v2/ip_connections/${created.id}`, { method: 'PATCH', body: { connection_name: 'trunk 3' } }));
    expect(ok(await edge(`${V1}/${created.id}`))).toMatchObject({
      connection_name: 'trunk 3',
      privacy_zone_enabled: true,
      third_party_control_enabled: true,
    });
  });

  it('IPs make an IP connection IP-authenticated, and may be its default authorized IPs', async () => {
    const created = ok(await edge(V1, { body: { connection_name: 'trunk' } }));
    const ip = ok(await edge('/v2/ips', { body: { ip_address: '203.0.113.5', connection_id: created.id } }));
    const updated = ok(
      await put(created.id, { connection_name: 'trunk', default_primary_authorized_ip_id: Number(ip.id) }),
    );
    expect(updated).toMatchObject({ authentication_type: 2, default_primary_authorized_ip_id: Number(ip.id) });
    expect(ok(await edge(`/v2/ip_connections/${created.id}`)).inbound.default_primary_ip_id).toBe(ip.id);
    expectError(
      await put(created.id, { connection_name: 'trunk', default_secondary_authorized_ip_id: 1234567890123456 }),
      400,
      {
        pointer: '/default_secondary_authorized_ip_id',
      },
    );
  });

  it('a V1 read written back whole changes nothing, even where V1 cannot show the v2 value', async () => {
    const v2 = ok(
      await edge('/v2/fqdn_connections', {
        body: { connection_name: 'pbx', inbound: { dnis_number_format: 'sip_username', timeout_1xx_secs: 90 } },
      }),
    );
    const read = ok(await edge(`${V1}/${v2.id}`));
    expect(read).toMatchObject({ dnis_number_format: null, timeout_1xx: '90', authentication_type: 1 });
    const written = ok(await put(v2.id, read));
    expect(written).toEqual(read);
    const after = ok(await edge(`/v2/fqdn_connections/${v2.id}`));
    expect({ ...after, updated_at: v2.updated_at }).toEqual(v2);
  });

  it('deleting through V1 deletes the connection for v2 too', async () => {
    const v2 = ok(await edge('/v2/credential_connections', { body: credentialBody() }));
    const answer = await edge(`${V1}/${v2.id}`, { method: 'DELETE' });
    expect(answer.body).toEqual({ success: true, message: `Connection ${v2.id} deleted.` });
    expectError(await edge(`/v2/credential_connections/${v2.id}`), 404);
    expectError(await edge(`${V1}/${v2.id}`), 404);
    expectError(await edge(`${V1}/${v2.id}`, { method: 'DELETE' }), 404);
    // Its user name is free again.
    ok(await edge('/v2/credential_connections', { body: credentialBody({ user_name: v2.user_name }) }));
  });
});

describe('V1 validation: 400 with V1 pointers, nothing saved', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['no connection_name', { active: true }, '/connection_name'],
    ['timeout_1xx over 20', { timeout_1xx: '21' }, '/timeout_1xx'],
    ['timeout_2xx not a number', { timeout_2xx: 'soon' }, '/timeout_2xx'],
    ['dnis_number_format 3', { dnis_number_format: 3 }, '/dnis_number_format'],
    ['ZRTP', { encrypted_media: 'ZRTP' }, '/encrypted_media'],
    ['SRTP over TLS', { transport_protocol: 'TLS', encrypted_media: 'SRTP' }, '/encrypted_media'],
    ['an anchorsite V1 does not have', { anchorsite_override: 'Frankfurt, Germany' }, '/anchorsite_override'],
    ['an unknown codec', { codecs: ['G722', 'iLBC'] }, '/codecs/1'],
    ['rtcp_report_frequency_seconds 3001', { rtcp_report_frequency_seconds: 3001 }, '/rtcp_report_frequency_seconds'],
    ['rtcp_port', { rtcp_port: 'rtp+2' }, '/rtcp_port'],
    ['sip_region', { sip_region: 'Asia' }, '/sip_region'],
    ['t38_reinvite_source', { t38_reinvite_source: 'nobody' }, '/t38_reinvite_source'],
    ['outbound_localization', { outbound_localization: 'usa' }, '/outbound_localization'],
    ['webhook_api_version', { webhook_api_version: '2010-04-01' }, '/webhook_api_version'],
    ['edge.forward_url', { edge: { forward_url: 'nope' } }, '/edge/forward_url'],
  ];

  it.each(cases)('%s', async (_name, fields, pointer) => {
    const body = { connection_name: 'bad', ...fields };
    if (pointer === '/connection_name') delete (body as Record<string, unknown>).connection_name;
    expectError(await edge(V1, { body }), 400, { pointer });
    expect(ok(await edge(V1))).toEqual([]);
  });

  it('an update is checked the same way and leaves the connection as it was', async () => {
    const created = ok(await edge(V1, { body: { connection_name: 'keep' } }));
    expectError(await put(created.id, { timeout_1xx: '0' }), 400, { pointer: '/connection_name' });
    expectError(await put(created.id, { connection_name: 'keep', timeout_1xx: '0' }), 400, { pointer: '/timeout_1xx' });
    const credential = ok(await edge('/v2/credential_connections', { body: credentialBody() }));
    expectError(await put(credential.id, { connection_name: 'x', default_primary_authorized_ip_id: 5 }), 400, {
      pointer: '/default_primary_authorized_ip_id',
    });
    expect(ok(await edge(`${V1}/${created.id}`))).toEqual(created);
    expectError(await put('1234567890123456', { connection_name: 'x' }), 404);
  });
});

describe('the V1 list', () => {
  async function fixture(): Promise<Json[]> {
    const made: Json[] = [];
    made.push(
      ok(
        await edge('/v2/credential_connections', {
          body: credentialBody({ connection_name: 'Bravo desk', user_name: 'bravodesk1' }),
        }),
      ),
    );
    made.push(ok(await edge(V1, { body: { connection_name: 'alpha trunk', active: false } })));
    made.push(ok(await edge('/v2/fqdn_connections', { body: { connection_name: 'charlie pbx' } })));
    made.push(ok(await edge(V1, { body: { connection_name: 'delta trunk' } })));
    await edge('/v2/ips', { body: { ip_address: '203.0.113.9', connection_id: made[3].id } });
    await edge('/v2/fqdns', { body: { connection_id: made[2].id, fqdn: 'pbx.example.com', dns_record_type: 'a' } });
    return made;
  }
  const names = (answer: Json) => (ok(answer) as Json[]).map((c) => c.connection_name);

  it('is a bare array, newest first, with no password anywhere', async () => {
    await fixture();
    const answer = await edge(V1);
    expect(Array.isArray(answer.body)).toBe(true);
    expect(names(answer)).toEqual(['delta trunk', 'charlie pbx', 'alpha trunk', 'Bravo desk']);
    expect((ok(answer) as Json[]).map((c) => c.authentication_type)).toEqual([2, 1, 1, 3]);
    expect(JSON.stringify(ok(await edge(`${V1}?with_auth=true&with_ips=true&with_fqdns=true`)))).not.toContain(
      'my123secure456password789',
    );
  });

  it('orders by created_at, connection_name, auth_type and active, each reversible', async () => {
    await fixture();
    expect(names(await edge(`${V1}?sort_direction=reverse`))).toEqual([
      'Bravo desk',
      'alpha trunk',
      'charlie pbx',
      'delta trunk',
    ]);
    expect(names(await edge(`${V1}?order_by=connection_name`))).toEqual([
      'alpha trunk',
      'Bravo desk',
      'charlie pbx',
      'delta trunk',
    ]);
    expect(names(await edge(`${V1}?order_by=connection_name&sort_direction=reverse`))).toEqual([
      'delta trunk',
      'charlie pbx',
      'Bravo desk',
      'alpha trunk',
    ]);
    // Credential first, then IP-authenticated, then none (newest first among equals).
    expect(names(await edge(`${V1}?order_by=auth_type`))).toEqual([
      'Bravo desk',
      'delta trunk',
      'charlie pbx',
      'alpha trunk',
    ]);
    expect(names(await edge(`${V1}?order_by=active`))[3]).toBe('alpha trunk');
    expect(names(await edge(`${V1}?order_by=active&sort_direction=reverse`))[0]).toBe('alpha trunk');
  });

  it('filters by name, authorized IP and user name (three characters at least)', async () => {
    await fixture();
    expect(names(await edge(`${V1}?filter_connection_name=TRUNK`))).toEqual(['delta trunk', 'alpha trunk']);
    expect(names(await edge(`${V1}?filter_ip_address=203.0.113.9`))).toEqual(['delta trunk']);
    expect(names(await edge(`${V1}?filter_auth_user_name=DESK`))).toEqual(['Bravo desk']);
    expectError(await edge(`${V1}?filter_connection_name=tr`), 422, { parameter: 'filter_connection_name' });
    expectError(await edge(`${V1}?filter_auth_user_name=br`), 422, { parameter: 'filter_auth_user_name' });
  });

  it('adds IPs, FQDNs and user names when asked, trims to typeahead, and pages', async () => {
    const made = await fixture();
    const full = ok(await edge(`${V1}?with_ips=true&with_fqdns=true&with_auth=true`)) as Json[];
    const byName = Object.fromEntries(full.map((c) => [c.connection_name, c]));
    expect(byName['delta trunk'].authorized_ips).toEqual([
      { id: expect.any(Number), ip_address: '203.0.113.9', port: 5060 },
    ]);
    expect(byName['charlie pbx'].fqdns).toEqual([
      { id: expect.any(String), fqdn: 'pbx.example.com', port: 5060, dns_record_type: 'a' },
    ]);
    expect(byName['Bravo desk'].user_name).toBe('bravodesk1');
    expect(byName['alpha trunk']).not.toHaveProperty('user_name');
    expect(ok(await edge(V1))[0]).not.toHaveProperty('authorized_ips');

    expect(ok(await edge(`${V1}?mode=typeahead&order_by=connection_name&per_page=2`))).toEqual([
      { id: made[1].id, connection_name: 'alpha trunk' },
      { id: made[0].id, connection_name: 'Bravo desk' },
    ]);
    expect(names(await edge(`${V1}?order_by=connection_name&per_page=3&page=2`))).toEqual(['delta trunk']);
  });

  it('refuses unknown orders, directions, modes and page sizes with a 422', async () => {
    const bad: Array<[string, string]> = [
      ['order_by=user_name', 'order_by'],
      ['sort_direction=desc', 'sort_direction'],
      ['mode=full', 'mode'],
      ['per_page=1001', 'per_page'],
      ['page=0', 'page'],
    ];
    for (const [query, parameter] of bad) expectError(await edge(`${V1}?${query}`), 422, { parameter });
  });
});
