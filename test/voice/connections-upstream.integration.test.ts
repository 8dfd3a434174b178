// Upstream mode (VOICE_CONNECTIONS_MODE=upstream) against the bundled Telnyx simulator: writes go to
// Telnyx first, once, and the edge keeps Telnyx's answer (with its own `edge` routing and V1-only
// fields, which Telnyx never sees); Telnyx's refusals pass through and change nothing; a 5xx on a
// create is "outcome unknown" and never resent; an update or delete with an unknown outcome is
// settled by reading the record back; check_registration_status asks Telnyx; the hourly cron
// re-reads everything, brings the copy in line and records the drift in D1 (once per scheduled time).
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import worker from '../../workers/index';
import { resetSimulator, sim } from '../support/sim';
import { testEnv } from '../support/test-env';
import {
  UPSTREAM,
  clearStore,
  credentialBody,
  edge,
  expectError,
  fault,
  ok,
  simRequests,
  storedConnection,
  telnyx,
  type EdgeInit,
  type Json,
} from './support';

const TELNYX_ID = /^\d{19}$/;
/** The simulator's seeded account (sim/seed.ts): one credential connection, one outbound voice profile. */
const SEEDED_CONNECTION = '1700000000000000003';

const up = (path: string, init: EdgeInit = {}) => edge(path, { ...init, bindings: UPSTREAM });
const upPatch = (path: string, body: Record<string, unknown>) => up(path, { method: 'PATCH', body });

// Drift is logged as a warning; kept out of the test output, and read back where it matters.
let warnings: { mock: { calls: unknown[][] } };
beforeEach(async () => {
  await resetSimulator();
  await clearStore();
  warnings = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Runs the bundle's scheduled() as the hourly cron at `scheduledTime`, in upstream mode. */
async function cron(scheduledTime: number, bindings: Partial<Env> = UPSTREAM): Promise<void> {
  const controller = createScheduledController({ scheduledTime, cron: '0 * * * *' });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, { ...testEnv, ...bindings } as typeof testEnv, ctx);
  await waitOnExecutionContext(ctx);
}

async function runs(): Promise<Json[]> {
  return (await testEnv.DB.prepare('SELECT * FROM connection_sync_runs ORDER BY id').all()).results;
}

async function drift(runId: number): Promise<Json[]> {
  const rows = (
    await testEnv.DB.prepare(
      'SELECT resource, resource_id, change, fields FROM connection_sync_drift WHERE run_id = ? ORDER BY resource, resource_id',
    )
      .bind(runId)
      .all<Json>()
  ).results;
  return rows.map((r) => ({ ...r, fields: JSON.parse(r.fields) }));
}

async function writes(path: string): Promise<string[]> {
  return (await simRequests(path)).filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.status}`);
}

describe('writes go to Telnyx first', () => {
  it("a create is Telnyx's record, kept by the edge with its own routing, which Telnyx never sees", async () => {
    const body = credentialBody({ connection_name: 'upstream desk', edge: { flow_id: 'reception' } });
    const answer = await up('/v2/credential_connections', { body });
    expect(answer.status).toBe(201);
    const created = answer.body.data;
    expect(created).toMatchObject({
      id: expect.stringMatching(TELNYX_ID),
      record_type: 'credential_connection',
      user_name: body.user_name,
      edge: { flow_id: 'reception', forward_url: null },
    });
    const atTelnyx = await telnyx(`/credential_connections/${created.id}`);
    expect(atTelnyx).not.toHaveProperty('edge');
    const { edge: _edge, ...telnyxPart } = created;
    expect(telnyxPart).toEqual(atTelnyx);
    expect((await storedConnection(created.id)).data).toEqual(atTelnyx);
    expect(await writes('/v2/credential_connections')).toEqual(['POST 201']);
    // Reads come from the edge's copy.
    expect(ok(await up(`/v2/credential_connections/${created.id}`))).toEqual(created);
    expect(await writes('/v2/credential_connections')).toEqual(['POST 201']);
  });

  it('an update goes to Telnyx; an edge-only update does not', async () => {
    const created = ok(await up('/v2/ip_connections', { body: { connection_name: 'trunk' } }));
    const updated = ok(await upPatch(`/v2/ip_connections/${created.id}`, { transport_protocol: 'TLS', tags: ['a'] }));
    expect(updated).toMatchObject({ transport_protocol: 'TLS', tags: ['a'] });
    expect((await telnyx(`/ip_connections/${created.id}`)).transport_protocol).toBe('TLS');
    const routed = ok(
      await upPatch(`/v2/ip_connections/${created.id}`, { edge: { forward_url: 'https://hooks.example.com/x' } }),
    );
    expect(routed.edge.forward_url).toBe('https://hooks.example.com/x');
    expect(await writes('/v2/ip_connections')).toEqual(['POST 201', 'PATCH 200']);
  });

  it('a delete goes to Telnyx, with FQDNs and IPs, and frees the user name', async () => {
    const pbx = ok(await up('/v2/fqdn_connections', { body: { connection_name: 'pbx' } }));
    const fqdn = ok(
      await up('/v2/fqdns', { body: { connection_id: pbx.id, fqdn: 'pbx.example.com', dns_record_type: 'a' } }),
    );
    expect(fqdn.id).toMatch(TELNYX_ID);
    ok(await up(`/v2/fqdn_connections/${pbx.id}`, { method: 'DELETE' }));
    await expect(telnyx(`/fqdn_connections/${pbx.id}`)).rejects.toThrow(/404/);
    expect(ok(await up('/v2/fqdns'))).toEqual([]);

    const desk = ok(await up('/v2/credential_connections', { body: credentialBody({ user_name: 'reusable1' }) }));
    ok(await up(`/v2/credential_connections/${desk.id}`, { method: 'DELETE' }));
    ok(await up('/v2/credential_connections', { body: credentialBody({ user_name: 'REUSABLE1' }) }));
  });

  it("Telnyx's refusal passes through as it came, and the edge keeps nothing", async () => {
    // The simulator's seeded connection holds this user name; only Telnyx knows it.
    const seeded = await telnyx(`/credential_connections/${SEEDED_CONNECTION}`);
    const refused = await up('/v2/credential_connections', { body: credentialBody({ user_name: seeded.user_name }) });
    expectError(refused, 422, { pointer: '/user_name' });
    expect(ok(await up('/v2/credential_connections'))).toEqual([]);
    const claims = await testEnv.DB.prepare('SELECT COUNT(*) AS n FROM connection_user_names').first<{ n: number }>();
    expect(claims!.n).toBe(0);

    // The edge's own checks come first: Telnyx is not asked at all.
    expectError(await up('/v2/credential_connections', { body: credentialBody({ password: 'short' }) }), 422, {
      pointer: '/password',
    });
    expect(await writes('/v2/credential_connections')).toEqual(['POST 422']);
  });

  it('a 429 passes through with its Retry-After', async () => {
    await fault({ kind: '429', path: '/v2/outbound_voice_profiles', reset_seconds: 7 });
    const answer = await up('/v2/outbound_voice_profiles', { body: { name: 'office' } });
    expectError(answer, 429);
    expect(answer.headers.get('retry-after')).toBe('7');
    expect(ok(await up('/v2/outbound_voice_profiles'))).toEqual([]);
  });

  it('a missing API key refuses with 503 and asks nothing', async () => {
    const answer = await edge('/v2/ip_connections', { body: {}, bindings: { ...UPSTREAM, TELNYX_API_KEY: '' } });
    expectError(answer, 503);
    expect(await writes('/v2/ip_connections')).toEqual([]);
  });
});

describe('when Telnyx does not confirm a write', () => {
  it('a create is "outcome unknown" (502), sent once, and the edge keeps nothing', async () => {
    await fault({ kind: '500', path: '/v2/credential_connections' });
    const body = credentialBody({ user_name: 'unknown1' });
    const answer = await up('/v2/credential_connections', { body });
    const error = expectError(answer, 502);
    expect(error.meta).toEqual({ outcome: 'unknown' });
    expect(ok(await up('/v2/credential_connections'))).toEqual([]);
    expect(await writes('/v2/credential_connections')).toEqual(['POST 500']);
    // The name is not held against a retry.
    expect(ok(await up('/v2/credential_connections', { body })).user_name).toBe('unknown1');
  });

  it('a create Telnyx made before failing is found by the next sync', async () => {
    await fault({ kind: '500_after', path: '/v2/ip_connections' });
    expectError(await up('/v2/ip_connections', { body: { connection_name: 'made anyway' } }), 502);
    expect(ok(await up('/v2/ip_connections'))).toEqual([]);
    await cron(Date.UTC(2026, 0, 1, 1));
    const listed = ok(await up('/v2/ip_connections')) as Json[];
    expect(listed.map((c) => c.connection_name)).toEqual(['made anyway']);
  });

  it('an update that did not happen leaves the copy as it was (502); one that did is confirmed (200)', async () => {
    const created = ok(await up('/v2/ip_connections', { body: { connection_name: 'trunk' } }));
    const before = await storedConnection(created.id);

    await fault({ kind: '500', path: `/v2/ip_connections/${created.id}` });
    expectError(await upPatch(`/v2/ip_connections/${created.id}`, { connection_name: 'lost' }), 502);
    expect(await storedConnection(created.id)).toEqual(before);
    expect((await telnyx(`/ip_connections/${created.id}`)).connection_name).toBe('trunk');

    await fault({ kind: '500_after', path: `/v2/ip_connections/${created.id}` });
    const confirmed = ok(await upPatch(`/v2/ip_connections/${created.id}`, { connection_name: 'kept' }));
    expect(confirmed.connection_name).toBe('kept');
    expect((await storedConnection(created.id)).data.connection_name).toBe('kept');
    // Each PATCH sent once; the read-backs are GETs.
    expect(await writes('/v2/ip_connections/')).toEqual(['PATCH 500', 'PATCH 500']);
  });

  it('a delete that happened is confirmed by reading back; one that did not keeps the copy', async () => {
    const a = ok(await up('/v2/outbound_voice_profiles', { body: { name: 'first' } }));
    const b = ok(await up('/v2/outbound_voice_profiles', { body: { name: 'second' } }));
    await fault({ kind: '500_after', path: `/v2/outbound_voice_profiles/${a.id}` });
    expect(ok(await up(`/v2/outbound_voice_profiles/${a.id}`, { method: 'DELETE' })).id).toBe(a.id);
    expectError(await up(`/v2/outbound_voice_profiles/${a.id}`), 404);

    await fault({ kind: '500', path: `/v2/outbound_voice_profiles/${b.id}` });
    expectError(await up(`/v2/outbound_voice_profiles/${b.id}`, { method: 'DELETE' }), 502);
    expect(ok(await up(`/v2/outbound_voice_profiles/${b.id}`)).name).toBe('second');
  });

  it('a record Telnyx no longer has is dropped from the copy on a write', async () => {
    const created = ok(await up('/v2/ip_connections', { body: { connection_name: 'ghost' } }));
    await sim(`/v2/ip_connections/${created.id}`, { method: 'DELETE' });
    expectError(await upPatch(`/v2/ip_connections/${created.id}`, { connection_name: 'x' }), 404);
    expectError(await up(`/v2/ip_connections/${created.id}`), 404);
  });
});

describe('check_registration_status asks Telnyx', () => {
  it("answers Telnyx's status and keeps it for the V1 view", async () => {
    const created = ok(await up('/v2/credential_connections', { body: credentialBody() }));
    await sim(`/sim/connections/${created.id}/registration`, {
      method: 'PATCH',
      body: { status: 'Registered', ip_address: '198.51.100.20', port: 5060, transport: 'UDP', user_agent: 'Desk/1.0' },
    });
    const status = ok(
      await up(`/v2/credential_connections/${created.id}/actions/check_registration_status`, { method: 'POST' }),
    );
    expect(status).toMatchObject({
      record_type: 'registration_status',
      status: 'Registered',
      sip_username: created.user_name,
      ip_address: '198.51.100.20',
      port: 5060,
      user_agent: 'Desk/1.0',
      last_registration: expect.any(String),
    });
    expect(ok(await up(`/security/connections/${created.id}`))).toMatchObject({
      registration_status: 4,
      last_registered_ip: '198.51.100.20',
      registration_status_updated_at: status.last_registration,
    });
  });
});

describe('V1 in upstream mode', () => {
  it('a V1 create reaches Telnyx as an IP connection; V1-only fields stay at the edge', async () => {
    const created = ok(
      await up('/security/connections', {
        body: { connection_name: 'legacy', timeout_1xx: '7', privacy_zone_enabled: true },
      }),
    );
    expect(created).toMatchObject({ timeout_1xx: '7', privacy_zone_enabled: true, t38_reinvite_source: 'telnyx' });
    const atTelnyx = await telnyx(`/ip_connections/${created.id}`);
    expect(atTelnyx).toMatchObject({ inbound: { timeout_1xx_secs: 7 }, outbound: { t38_reinvite_source: 'telnyx' } });
    expect(atTelnyx).not.toHaveProperty('privacy_zone_enabled');
    const updated = ok(
      await up(`/security/connections/${created.id}`, {
        method: 'PUT',
        body: { connection_name: 'legacy 2', timeout_2xx: '45' },
      }),
    );
    expect(updated).toMatchObject({ connection_name: 'legacy 2', timeout_2xx: '45', privacy_zone_enabled: true });
    expect((await telnyx(`/ip_connections/${created.id}`)).inbound.timeout_2xx_secs).toBe(45);
  });
});

describe('the hourly sync', () => {
  it('mirrors what Telnyx holds and records what differed, keeping the edge routing', async () => {
    await cron(Date.UTC(2026, 0, 1, 1));
    const [first] = await runs();
    expect(first).toMatchObject({ status: 'ok', cron: '0 * * * *', error: null });
    const added = await drift(first.id);
    expect(added.map((d) => [d.resource, d.change])).toEqual([
      ['credential_connection', 'added'],
      ['outbound_voice_profile', 'added'],
    ]);
    expect(first.drifted).toBe(2);
    const seeded = await storedConnection(SEEDED_CONNECTION);
    expect(seeded.data).toEqual(await telnyx(`/credential_connections/${SEEDED_CONNECTION}`));
    // The seeded user name is claimed now: the edge refuses it before asking Telnyx.
    expectError(
      await up('/v2/credential_connections', { body: credentialBody({ user_name: seeded.data.user_name }) }),
      422,
      {
        pointer: '/user_name',
      },
    );

    // Behind the edge's back: a change in the portal, a deletion, a new record.
    ok(await upPatch(`/v2/credential_connections/${SEEDED_CONNECTION}`, { edge: { flow_id: 'desk-flow' } }));
    await sim(`/v2/credential_connections/${SEEDED_CONNECTION}`, {
      method: 'PATCH',
      body: { connection_name: 'Renamed in the portal', password: 'changedInPortal123', inbound: { channel_limit: 4 } },
    });
    const doomed = ok(await up('/v2/ip_connections', { body: { connection_name: 'doomed' } }));
    await sim(`/v2/ip_connections/${doomed.id}`, { method: 'DELETE' });
    const fresh = await telnyx('/fqdn_connections', { body: { connection_name: 'made in the portal' } });

    await cron(Date.UTC(2026, 0, 1, 2));
    const second = (await runs())[1];
    expect(second).toMatchObject({ status: 'ok', drifted: 3 });
    const found = await drift(second.id);
    expect(found.map((d) => [d.resource, d.resource_id, d.change])).toEqual([
      ['credential_connection', SEEDED_CONNECTION, 'changed'],
      ['fqdn_connection', fresh.id, 'added'],
      ['ip_connection', doomed.id, 'removed'],
    ]);
    const changed = found[0].fields;
    expect(changed).toEqual(
      expect.arrayContaining([
        { pointer: '/connection_name', edge: 'Office desk phones', telnyx: 'Renamed in the portal' },
        { pointer: '/inbound/channel_limit', edge: null, telnyx: 4 },
        // Passwords differ, but their values are never written down.
        { pointer: '/password', edge: '[redacted]', telnyx: '[redacted]' },
      ]),
    );
    expect(JSON.stringify(found)).not.toContain('changedInPortal123');

    const copy = await storedConnection(SEEDED_CONNECTION);
    expect(copy.data.connection_name).toBe('Renamed in the portal');
    expect(copy.edge).toEqual({ flow_id: 'desk-flow', forward_url: null });
    expectError(await up(`/v2/ip_connections/${doomed.id}`), 404);
    expect(ok(await up(`/v2/fqdn_connections/${fresh.id}`)).connection_name).toBe('made in the portal');

    const lines = warnings.mock.calls.map((call) => String(call[0]));
    const logged = lines.findLast((line) => line.includes('"connection_drift"'));
    expect(JSON.parse(logged!)).toMatchObject({ level: 'warn', run_id: second.id, drifted: 3 });
    expect(logged).not.toContain('changedInPortal123');

    // Nothing changed since: a third run finds no drift.
    await cron(Date.UTC(2026, 0, 1, 3));
    expect((await runs())[2]).toMatchObject({ status: 'ok', drifted: 0 });
  });

  it('runs once per scheduled time, even when the cron fires twice at once', async () => {
    const at = Date.UTC(2026, 0, 2, 5);
    await Promise.all([cron(at), cron(at)]);
    await cron(at);
    expect(await runs()).toHaveLength(1);
    const syncs = (await simRequests('/v2/credential_connections')).filter((r) => r.method === 'GET');
    expect(syncs).toHaveLength(1);
  });

  it('a run that cannot read Telnyx is recorded as failed and changes nothing; it may be retried', async () => {
    ok(await up('/v2/ip_connections', { body: { connection_name: 'kept' } }));
    const before = ok(await up('/v2/connections'));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    // The read policy tries three times.
    await fault({ kind: '500', path: '/v2/fqdns', count: 3 });
    const at = Date.UTC(2026, 0, 3, 7);
    await expect(cron(at)).rejects.toThrow(/voice/);
    expect(await runs()).toEqual([
      expect.objectContaining({ status: 'failed', error: expect.stringContaining('500') }),
    ]);
    expect(ok(await up('/v2/connections'))).toEqual(before);
    await cron(at);
    expect(await runs()).toEqual([expect.objectContaining({ status: 'ok' })]);
  });

  it('keeps the password it knows when Telnyx shows it masked, and that is no drift', async () => {
    const created = ok(
      await up('/v2/credential_connections', { body: credentialBody({ password: 'KnownPassword123' }) }),
    );
    await sim('/sim/settings', { method: 'PATCH', body: { mask_connection_passwords: true } });
    await cron(Date.UTC(2026, 0, 4, 1));
    const run = (await runs())[0];
    const records = await drift(run.id);
    expect(records.find((d) => d.resource_id === created.id)).toBeUndefined();
    expect((await storedConnection(created.id)).data.password).toBe('KnownPassword123');
    const updated = ok(await upPatch(`/v2/credential_connections/${created.id}`, { connection_name: 'masked' }));
    expect(updated.password).toBe('KnownPassword123');
  });

  it('does nothing in local mode, or on another cron', async () => {
    await cron(Date.UTC(2026, 0, 5, 1), { VOICE_CONNECTIONS_MODE: 'local' });
    const controller = createScheduledController({ scheduledTime: Date.UTC(2026, 0, 5, 2), cron: '30 2 * * *' });
    await worker.scheduled(controller, { ...testEnv, ...UPSTREAM } as typeof testEnv, createExecutionContext());
    expect(await runs()).toEqual([]);
    expect(await simRequests('/v2/credential_connections')).toEqual([]);
  });
});

describe('switching from local to upstream mode', () => {
  it('keeps what the edge made: reported by the sync, refused as an update, deleted at the edge only', async () => {
    const local = ok(await edge('/v2/credential_connections', { body: credentialBody({ user_name: 'localonly1' }) }));
    const profile = ok(await edge('/v2/outbound_voice_profiles', { body: { name: 'local profile' } }));

    await cron(Date.UTC(2026, 0, 6, 1));
    const [run] = await runs();
    const found = await drift(run.id);
    expect(
      found
        .filter((d) => d.change === 'local_only')
        .map((d) => d.resource_id)
        .sort(),
    ).toEqual([local.id, profile.id].sort());
    expect(ok(await up(`/v2/credential_connections/${local.id}`)).id).toBe(local.id);
    // Its user name stays claimed.
    expectError(await up('/v2/credential_connections', { body: credentialBody({ user_name: 'LOCALONLY1' }) }), 422, {
      pointer: '/user_name',
    });

    const refused = expectError(await upPatch(`/v2/credential_connections/${local.id}`, { connection_name: 'x' }), 409);
    expect(refused.detail).toContain('local');
    expectError(await upPatch(`/v2/outbound_voice_profiles/${profile.id}`, { name: 'renamed' }), 409);
    // The edge's own routing is the edge's business in any mode.
    expect(ok(await upPatch(`/v2/credential_connections/${local.id}`, { edge: { flow_id: 'f' } })).edge.flow_id).toBe(
      'f',
    );

    ok(await up(`/v2/credential_connections/${local.id}`, { method: 'DELETE' }));
    ok(await up(`/v2/outbound_voice_profiles/${profile.id}`, { method: 'DELETE' }));
    expect(await writes('/v2/')).toEqual([]);
    expectError(await up(`/v2/credential_connections/${local.id}`), 404);
  });
});

describe('configuration', () => {
  it('an unknown VOICE_CONNECTIONS_MODE refuses with 503 and says why', async () => {
    const answer = await edge('/v2/connections', { bindings: { VOICE_CONNECTIONS_MODE: 'mirror' } });
    // Reads do not depend on the mode; writes do.
    expect(answer.status).toBe(200);
    const write = await edge('/v2/ip_connections', { body: {}, bindings: { VOICE_CONNECTIONS_MODE: 'mirror' } });
    expect(expectError(write, 503).detail).toContain('VOICE_CONNECTIONS_MODE');
  });
});
