// The control API under /sim: its index, its checks (faults, settings, numbers, clock, query
// parameters: 400 with a pointer or parameter in Telnyx's error shape, nothing changed), settings
// kept until a reset, numbers moved between profiles, the simulator clock, and POST /sim/reset
// putting back exactly the seeded account (numbers, profiles, settings) with everything else gone.
import { beforeEach, describe, expect, it } from 'vitest';
import { SEED_NUMBERS, SEED_PROFILES, SEED_VOICE_IDS } from '../../sim/seed';
import { DEFAULT_SETTINGS } from '../../sim/settings';
import {
  CHICAGO,
  MARKETING,
  SUPPORT,
  advanceClock,
  api,
  control,
  controlOk,
  expectError,
  flush,
  patchSettings,
  resetAll,
  send,
  simState,
} from './support';

beforeEach(() => resetAll({}));

describe('the index', () => {
  it('lists the endpoints at GET /sim, and answers 404 for any other /sim path', async () => {
    const { endpoints } = await controlOk<{ endpoints: Record<string, string> }>('GET', '/sim');
    expect(Object.keys(endpoints)).toEqual(
      expect.arrayContaining(['POST /sim/reset', 'POST /sim/flush', 'POST /sim/clock', 'GET /sim/deliveries']),
    );
    await expectError(await control('GET', '/sim/nothing'), 404, '10005');
  });
});

describe('faults', () => {
  it.each([
    ['an unknown target', { target: 'database', kind: '500' }, '/target'],
    ['no target', { kind: '500' }, '/target'],
    ['an unknown api kind', { target: 'api', kind: 'explode' }, '/kind'],
    ['a webhook kind for the api', { target: 'api', kind: 'drop' }, '/kind'],
    ['an api kind for webhooks', { target: 'webhooks', kind: '429' }, '/kind'],
    ['a kind that is a number', { target: 'api', kind: 500 }, '/kind'],
    ['count 0', { target: 'api', kind: '500', count: 0 }, '/count'],
    ['a fractional count', { target: 'api', kind: '500', count: 1.5 }, '/count'],
    ['a path outside /v2/', { target: 'api', kind: '500', path: '/sim/reset' }, '/path'],
    ['a negative delay_ms', { target: 'api', kind: 'slow', delay_ms: -1 }, '/delay_ms'],
    ['a delay_ms over 10 minutes', { target: 'webhooks', kind: 'delay', delay_ms: 600_001 }, '/delay_ms'],
    ['reset_seconds as text', { target: 'api', kind: '429', reset_seconds: '5' }, '/reset_seconds'],
  ])('refuses %s with 400 and a pointer, setting nothing', async (_name, body, pointer) => {
    await expectError(await control('POST', '/sim/faults', body), 400, '10015', { pointer });
    expect((await controlOk<{ data: unknown[] }>('GET', '/sim/faults')).data).toEqual([]);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await control('POST', '/sim/faults', undefined);
    await expectError(response, 415, '10014');
  });
});

describe('settings', () => {
  it('starts from the defaults', async () => {
    expect((await controlOk<{ data: unknown }>('GET', '/sim/settings')).data).toEqual(DEFAULT_SETTINGS);
  });

  it('changes what it is given and keeps the rest, merging nested settings', async () => {
    const data = await patchSettings({ latency_ms: { sent: 10 }, stop_blocks: false });
    expect(data).toEqual({
      ...DEFAULT_SETTINGS,
      stop_blocks: false,
      latency_ms: { ...DEFAULT_SETTINGS.latency_ms, sent: 10 },
    });
    expect((await controlOk<{ data: unknown }>('GET', '/sim/settings')).data).toEqual(data);
    expect((await patchSettings({ webhook_base: 'http://hooks.example.test///' })).webhook_base).toBe(
      'http://hooks.example.test',
    );
    expect((await patchSettings({ webhook_base: null })).webhook_base).toBeNull();
  });

  it.each([
    ['an unknown setting', { nonsense: 1 }, '/nonsense'],
    ['stop_blocks as text', { stop_blocks: 'yes' }, '/stop_blocks'],
    ['a rate limit of 0', { rate_limit_per_second: 0 }, '/rate_limit_per_second'],
    ['11 attempts per URL', { attempts_per_url: 11 }, '/attempts_per_url'],
    ['a negative retry delay', { retry_delay_ms: -1 }, '/retry_delay_ms'],
    ['a webhook timeout of 0', { webhook_timeout_ms: 0 }, '/webhook_timeout_ms'],
    ['a queue horizon of 8 days', { queue_horizon_seconds: 8 * 86_400 }, '/queue_horizon_seconds'],
    ['a webhook_base that is not http(s)', { webhook_base: 'ftp://hooks.example.test' }, '/webhook_base'],
    ['latency_ms not an object', { latency_ms: 5 }, '/latency_ms'],
    ['an unknown latency', { latency_ms: { delivered: 5 } }, '/latency_ms/delivered'],
    ['a negative latency', { latency_ms: { sent: -5 } }, '/latency_ms/sent'],
    ['account mps 0', { account_mps: { sms: 0 } }, '/account_mps/sms'],
  ])('refuses %s with 400 and a pointer, changing nothing', async (_name, body, pointer) => {
    const response = await control('PATCH', '/sim/settings', { retry_delay_ms: 1, ...body });
    await expectError(response, 400, '10015', { pointer });
    expect((await controlOk<{ data: unknown }>('GET', '/sim/settings')).data).toEqual(DEFAULT_SETTINGS);
  });
});

describe('numbers', () => {
  const path = `/sim/numbers/${encodeURIComponent(CHICAGO)}`;

  it('sets and clears a number mps', async () => {
    expect((await controlOk<{ data: { mps: number | null } }>('PATCH', path, { mps: 2.5 })).data.mps).toBe(2.5);
    expect((await controlOk<{ data: { mps: number | null } }>('PATCH', path, { mps: null })).data.mps).toBeNull();
  });

  it('moves a number to another profile, or to none', async () => {
    const { data } = await controlOk<{ data: Record<string, unknown> }>('PATCH', path, {
      messaging_profile_id: SUPPORT,
    });
    expect(data).toEqual({
      phone_number: CHICAGO,
      id: expect.stringMatching(/^\d+$/),
      type: 'long-code',
      country_code: 'US',
      messaging_profile_id: SUPPORT,
      connection_id: SEED_VOICE_IDS.callControlApplication,
      mps: null,
    });
    expect((await send({ from: CHICAGO, to: '+12065550123', text: 'x' })).messaging_profile_id).toBe(SUPPORT);
    await controlOk('PATCH', path, { messaging_profile_id: null });
    await expectError(
      await api('POST', '/v2/messages', { from: CHICAGO, to: '+12065550123', text: 'x' }),
      400,
      '40305',
    );
  });

  it.each([
    ['mps 0', { mps: 0 }, '/mps'],
    ['a negative mps', { mps: -1 }, '/mps'],
    ['mps as text', { mps: 'fast' }, '/mps'],
    ['an unknown profile', { messaging_profile_id: 'nope' }, '/messaging_profile_id'],
  ])('refuses %s with 400 and a pointer', async (_name, body, pointer) => {
    await expectError(await control('PATCH', path, body), 400, '10015', { pointer });
  });

  it('answers 404 for a number not on the account', async () => {
    await expectError(await control('PATCH', '/sim/numbers/%2B13125559999', { mps: 1 }), 404, '10005');
  });
});

describe('the clock', () => {
  it('moves forward by advance_ms, and is what new messages are stamped with', async () => {
    const before = Date.parse((await simState()).clock as string);
    const after = Date.parse(await advanceClock(3 * 86_400_000));
    expect(after - before).toBeGreaterThanOrEqual(3 * 86_400_000);
    expect(after - before).toBeLessThan(3 * 86_400_000 + 10_000);
    const message = await send({ from: CHICAGO, to: '+12065550123', text: 'From the future' });
    expect(Date.parse(message.received_at) - Date.now()).toBeGreaterThan(3 * 86_400_000 - 10_000);
  });

  it.each([[-1], ['1000'], [null]])('refuses advance_ms %j', async (advance_ms) => {
    await expectError(await control('POST', '/sim/clock', { advance_ms }), 400, '10015', { pointer: '/advance_ms' });
  });
});

describe('query parameters', () => {
  it.each([
    ['/sim/messages?limit=0', 'limit'],
    ['/sim/messages?limit=10001', 'limit'],
    ['/sim/deliveries?limit=abc', 'limit'],
    ['/sim/deliveries?since=-1', 'since'],
    ['/sim/requests?since=abc', 'since'],
  ])('refuses %s', async (path, parameter) => {
    await expectError(await control('GET', path), 400, '10015', { parameter });
  });
});

describe('robustness', () => {
  it('refuses a clock jump of more than a year, and settings named after Object properties', async () => {
    expect((await control('POST', '/sim/clock', { advance_ms: 1e20 })).status).toBe(400);
    expect((await control('PATCH', '/sim/settings', { latency_ms: { constructor: 1 } })).status).toBe(400);
    expect((await control('PATCH', '/sim/numbers/%E0%A4%A', { mps: 1 })).status).toBe(404);
    expect((await control('GET', '/sim/state')).status).toBe(200);
  });
});

describe('reset', () => {
  /** The parts of the state a reset puts back, without the times and secrets each seeding draws anew. */
  function comparable(state: Awaited<ReturnType<typeof simState>>) {
    const profiles = (state.profiles as Array<Record<string, unknown>>).map((p) => {
      const { created_at: _created, updated_at: _updated, v1_secret: _secret, ...rest } = p;
      return rest;
    });
    return { numbers: state.numbers, profiles, settings: state.settings };
  }

  it('puts back the seeded account and forgets everything else', async () => {
    const seeded = await simState();
    expect((seeded.numbers as unknown[]).length).toBe(SEED_NUMBERS.length);
    expect((seeded.profiles as Array<{ id: string }>).map((p) => p.id)).toEqual(SEED_PROFILES.map((p) => p.id));

    // Change everything there is to change.
    await api('POST', '/v2/messaging_profiles', { name: 'Extra', whitelisted_destinations: ['US'] });
    await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, { name: 'Renamed', number_pool_settings: null });
    await api('DELETE', `/v2/messaging_profiles/${SUPPORT}`);
    await controlOk('PATCH', `/sim/numbers/${encodeURIComponent(CHICAGO)}`, { mps: 1 });
    await send({ messaging_profile_id: MARKETING, to: '+12065550192', text: 'x', from: CHICAGO });
    await controlOk('POST', '/sim/messages/inbound', { from: '+12065550123', to: CHICAGO, text: 'STOP' });
    await flush();
    await api('GET', '/v2/number_lookup/%2B13125550100');
    await controlOk('POST', '/sim/faults', { target: 'api', kind: '500', count: 3 });
    await patchSettings({ stop_blocks: false, rate_limit_per_second: 5 });
    await advanceClock(86_400_000);
    const changed = await simState();
    expect(comparable(changed)).not.toEqual(comparable(seeded));

    await controlOk('POST', '/sim/reset');
    const state = await simState();
    expect(comparable(state)).toEqual(comparable(seeded));
    expect(state.settings).toEqual(DEFAULT_SETTINGS);
    expect(state).toMatchObject({ opt_outs: [], sticky_senders: [], number_outcomes: [], faults: [] });
    expect(state.counts).toEqual({
      messages: 0,
      events_pending: 0,
      deliveries: 0,
      requests: 0,
      calls_alive: 0,
      last_delivery_seq: 0,
      last_request_seq: 0,
    });
    expect(Math.abs(Date.parse(state.clock as string) - Date.now())).toBeLessThan(10_000);
    expect((await controlOk<{ data: unknown[] }>('GET', '/sim/lookups')).data).toEqual([]);
    // And it works as before: the fault is gone, the seeded profile sends.
    expect((await api('GET', `/v2/messaging_profiles/${SUPPORT}`)).status).toBe(200);
  });
});
