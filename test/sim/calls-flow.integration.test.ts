// An inbound call through the simulator as a call flow sees it: someone calls an account number
// (call.initiated to the seeded application's /webhooks/voice, signed like every webhook), the
// application answers, speaks, gathers digits (pressed, or not: timeouts, retries, invalid input),
// transfers (answered and bridged, busy, never answered: the caller stays up) and hangs up, each
// event in Telnyx's order and shape. Also: a caller who gives up (originator_cancel), the call's
// timeline at GET /sim/calls/{id}, webhook faults on call events, and reset.
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../sim/settings';
import { ISO, UUID, control, controlOk, expectError, flush, received, simState } from './support';
import {
  APPLICATION,
  CALLER,
  CALL_CONTROL_ID,
  OUR_NUMBER,
  VOICE_URL,
  action,
  actionOk,
  advance,
  answeredCall,
  base64,
  callEvents,
  callIn,
  eventTypes,
  expectGap,
  farEnd,
  initiatedFields,
  legFields,
  legStory,
  resetVoice,
} from './voice';

const VOICE = DEFAULT_SETTINGS.voice;
const SPEAK = { voice: 'AWS.Polly.Joanna', payload: 'Press 1 for sales, 2 for support.' };

beforeEach(() => resetVoice());

describe('an inbound call', () => {
  it('is call.initiated (incoming, parked) to the number’s application, signed, and answered ids to the control API', async () => {
    const call = await callIn();
    expect(call).toEqual({
      call_control_id: expect.stringMatching(CALL_CONTROL_ID),
      call_leg_id: expect.stringMatching(UUID),
      call_session_id: expect.stringMatching(UUID),
      event_id: expect.stringMatching(UUID),
    });
    await flush();
    const [delivery] = await received();
    expect(delivery!.url).toBe(VOICE_URL);
    expect(delivery!.headers['telnyx-signature-ed25519']).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(delivery!.headers['telnyx-timestamp']).toMatch(/^\d+$/);
    expect(delivery!.json).toEqual({
      data: {
        record_type: 'event',
        id: call.event_id,
        event_type: 'call.initiated',
        occurred_at: expect.stringMatching(ISO),
        payload: {
          ...legFields(call, { from: CALLER, to: OUR_NUMBER }),
          ...initiatedFields('incoming', CALLER),
          shaken_stir_attestation: 'A',
          shaken_stir_validated: true,
        },
      },
      meta: { attempt: 1, delivered_to: VOICE_URL },
    });
  });

  it.each([
    ['a caller that is no number', { from: 'me', to: OUR_NUMBER }, '10016', '/from'],
    ['no caller', { to: OUR_NUMBER }, '10015', '/from'],
    ['a number not on the account', { from: CALLER, to: '+12065550100' }, '10015', '/to'],
    ['the short code, which is on no application', { from: CALLER, to: '22395' }, '10015', '/to'],
  ])('refuses %s with 400', async (_name, body, code, pointer) => {
    await expectError(await control('POST', '/sim/calls/inbound', body), 400, code, { pointer });
  });

  it('nobody answering, the caller gives up after inbound_ring_ms: originator_cancel from the caller', async () => {
    const call = await callIn();
    await advance(VOICE.inbound_ring_ms - 1);
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated']);
    await advance(1);
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.hangup']);
    expect(events[1]!.payload).toMatchObject({
      state: 'hangup',
      hangup_cause: 'originator_cancel',
      hangup_source: 'caller',
      sip_hangup_cause: 'unspecified',
      call_quality_stats: null,
    });
  });

  it('the caller hanging up before the answer is originator_cancel; after it, normal_clearing', async () => {
    const early = await callIn();
    await farEnd(early.call_control_id, 'hangup');
    const late = await answeredCall();
    await advance(12_000);
    await farEnd(late.call_control_id, 'hangup');
    expect(await legStory(early.call_control_id)).toEqual(['call.initiated', 'call.hangup originator_cancel']);
    const hangup = (await callEvents({ leg: late.call_control_id })).at(-1)!;
    expect(hangup.payload).toMatchObject({
      hangup_cause: 'normal_clearing',
      hangup_source: 'caller',
      call_quality_stats: {
        inbound: expect.objectContaining({ mos: expect.any(String) }),
        outbound: expect.any(Object),
      },
    });
  });
});

describe("the number's application", () => {
  it('a number moved off the application takes no calls; onto an unknown one is refused', async () => {
    const path = `/sim/numbers/${encodeURIComponent(OUR_NUMBER)}`;
    await expectError(await control('PATCH', path, { connection_id: '1999999999999999999' }), 400, '10015', {
      pointer: '/connection_id',
    });
    await controlOk('PATCH', path, { connection_id: null });
    await expectError(await control('POST', '/sim/calls/inbound', { from: CALLER, to: OUR_NUMBER }), 400, '10015', {
      pointer: '/to',
    });
    await controlOk('PATCH', path, { connection_id: APPLICATION });
    expect((await callIn()).call_control_id).toMatch(CALL_CONTROL_ID);
  });
});

describe('answer, speak, gather, transfer, hangup', () => {
  it('plays out in Telnyx order, each event with the leg’s ids and state', async () => {
    const call = await callIn();
    const id = call.call_control_id;
    await actionOk(id, 'answer', { client_state: base64('answered') });
    await actionOk(id, 'speak', { ...SPEAK, payload: 'Welcome.' });
    await advance(VOICE.speak_min_ms);
    await actionOk(id, 'gather_using_speak', { ...SPEAK, valid_digits: '12', maximum_digits: 1 });
    await advance(SPEAK.payload.length * VOICE.speak_ms_per_char);
    await farEnd(id, 'dtmf', { digits: '2' });
    await actionOk(id, 'transfer', { to: '+12065550111', target_leg_client_state: base64('agent') });
    await advance(VOICE.ring_ms);
    await advance(30_000);
    await farEnd(id, 'hangup');

    const events = await callEvents();
    const legB = events.find((e) => e.event_type === 'call.initiated' && e.payload.direction === 'outgoing')!.payload;
    expect(
      events.map((e) => [e.event_type, e.payload.call_control_id === id ? 'A' : 'B', e.payload.status ?? null]),
    ).toEqual([
      ['call.initiated', 'A', null],
      ['call.answered', 'A', null],
      ['call.speak.started', 'A', null],
      ['call.speak.ended', 'A', 'completed'],
      ['call.dtmf.received', 'A', null],
      ['call.gather.ended', 'A', 'valid'],
      ['call.initiated', 'B', null],
      ['call.answered', 'B', null],
      ['call.bridged', 'A', null],
      ['call.bridged', 'B', null],
      ['call.hangup', 'A', null],
      ['call.hangup', 'B', null],
    ]);
    expect(events[5]!.payload).toMatchObject({ digits: '2', status: 'valid', from: CALLER, to: OUR_NUMBER });
    expect(events[5]!.payload).not.toHaveProperty('gather_id');
    expect(legB).toMatchObject({
      call_session_id: call.call_session_id,
      direction: 'outgoing',
      state: 'bridging',
      from: OUR_NUMBER,
      to: '+12065550111',
      client_state: base64('agent'),
    });
    expect(legB.call_leg_id).not.toBe(call.call_leg_id);
    expect(events[11]!.payload).toMatchObject({
      hangup_cause: 'normal_clearing',
      hangup_source: 'caller',
      sip_hangup_cause: '200',
    });
    // occurred_at strictly increases, whatever order the webhooks arrive in.
    const times = events.map((e) => Date.parse(e.occurred_at));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(new Set(times).size).toBe(times.length);
  });

  it('a plain gather: digits until the terminating digit, gather_id sent back, inter-digit timeout', async () => {
    const call = await answeredCall();
    const id = call.call_control_id;
    await actionOk(id, 'gather', { gather_id: 'pin', minimum_digits: 4, maximum_digits: 6 });
    await farEnd(id, 'dtmf', { digits: '1234#' });
    await actionOk(id, 'gather', { minimum_digits: 2 });
    await farEnd(id, 'dtmf', { digits: '7' });
    await advance(4999);
    await farEnd(id, 'dtmf', { digits: '8' });
    await advance(5000);
    const story = (await callEvents()).filter((e) => e.event_type === 'call.gather.ended').map((e) => e.payload);
    expect(story).toEqual([
      expect.objectContaining({ digits: '1234', status: 'valid', gather_id: 'pin' }),
      expect.objectContaining({ digits: '78', status: 'valid', gather_id: expect.stringMatching(UUID) }),
    ]);
  });

  it.each([
    ['nothing pressed: timeout after initial_timeout_millis', {}, '', 5000, '', 'timeout'],
    ['too few digits, then silence: invalid', { minimum_digits: 3 }, '12', 5000, '12', 'invalid'],
    ['a digit outside valid_digits: invalid', { valid_digits: '123', maximum_digits: 2 }, '19', 0, '19', 'invalid'],
    ['maximum_digits reached: valid at once', { maximum_digits: 3 }, '123', 0, '123', 'valid'],
    [
      'timeout_millis with enough digits: valid',
      { timeout_millis: 3000, inter_digit_timeout_millis: 10_000 },
      '55',
      3000,
      '55',
      'valid',
    ],
  ])('a plain gather, %s', async (_name, body, digits, wait, expectedDigits, status) => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'gather', body);
    if (digits !== '') await farEnd(call.call_control_id, 'dtmf', { digits });
    await advance(wait);
    const ended = (await callEvents()).filter((e) => e.event_type === 'call.gather.ended');
    expect(ended.map((e) => [e.payload.digits, e.payload.status])).toEqual([[expectedDigits, status]]);
  });

  it('gather_using_speak with no input replays the prompt maximum_tries times, then timeout', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'gather_using_speak', { ...SPEAK, maximum_tries: 2, timeout_millis: 4000 });
    const prompt = SPEAK.payload.length * VOICE.speak_ms_per_char;
    await advance(prompt + 3999);
    expect(await eventTypes()).toEqual(['call.initiated', 'call.answered']);
    await advance(1);
    expect(await eventTypes()).toEqual(['call.initiated', 'call.answered']);
    await advance(prompt + 4000);
    const ended = (await callEvents()).at(-1)!;
    expect(ended.payload).toMatchObject({ digits: '', status: 'timeout' });
    expectGap((await callEvents())[1]!, ended, 2 * (prompt + 4000));
  });

  it('gather_using_audio: the prompt plays (call.playback.*), a digit interrupts it, invalid input plays invalid_audio_url', async () => {
    const call = await answeredCall();
    const menu = 'https://a.test/menu.mp3';
    const oops = 'https://a.test/invalid.mp3';
    await actionOk(call.call_control_id, 'gather_using_audio', {
      audio_url: menu,
      invalid_audio_url: oops,
      valid_digits: '12',
      maximum_digits: 1,
      maximum_tries: 2,
    });
    await advance(1000);
    await farEnd(call.call_control_id, 'dtmf', { digits: '9' });
    await advance(VOICE.playback_ms);
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const story = (await callEvents())
      .slice(2)
      .map((e) => [
        e.event_type,
        e.payload.media_url ?? e.payload.digit ?? e.payload.digits ?? null,
        e.payload.status ?? null,
      ]);
    expect(story).toEqual([
      ['call.playback.started', menu, null],
      ['call.dtmf.received', '9', null],
      ['call.playback.ended', menu, 'cancelled'],
      ['call.playback.started', oops, null],
      ['call.playback.ended', oops, 'completed'],
      ['call.playback.started', menu, null],
      ['call.dtmf.received', '1', null],
      ['call.playback.ended', menu, 'cancelled'],
      ['call.gather.ended', '1', 'valid'],
    ]);
  });

  it('invalid input maximum_tries times ends the gather invalid, with the digits', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'gather_using_speak', {
      ...SPEAK,
      valid_digits: '12',
      maximum_digits: 1,
      maximum_tries: 2,
    });
    await farEnd(call.call_control_id, 'dtmf', { digits: '3' });
    await farEnd(call.call_control_id, 'dtmf', { digits: '4' });
    expect((await callEvents()).at(-1)!.payload).toMatchObject({ digits: '4', status: 'invalid' });
  });

  it('a hangup during a gather ends it with status call_hangup and the digits so far', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'gather', { maximum_digits: 4 });
    await farEnd(call.call_control_id, 'dtmf', { digits: '12' });
    await farEnd(call.call_control_id, 'hangup');
    const events = (await callEvents()).slice(-2);
    expect(events.map((e) => [e.event_type, e.payload.digits ?? null, e.payload.status ?? null])).toEqual([
      ['call.gather.ended', '12', 'call_hangup'],
      ['call.hangup', null, null],
    ]);
  });

  it('a new gather cancels the one under way', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'gather', {});
    await actionOk(call.call_control_id, 'gather', {});
    expect(await legStory(call.call_control_id)).toEqual([
      'call.initiated',
      'call.answered',
      'call.gather.ended cancelled',
    ]);
  });
});

describe('transfer', () => {
  it.each([
    ['busy', '+12065550182', VOICE.ring_ms, 'user_busy', 'callee'],
    ['never answered: timeout after timeout_secs', '+12065550185', 10_000, 'timeout', 'caller'],
    ['refused', '+12065550190', VOICE.ring_ms, 'call_rejected', 'callee'],
  ])(
    '%s: the new leg hangs up, the caller stays up and takes more commands',
    async (_name, to, wait, cause, source) => {
      const call = await answeredCall();
      await actionOk(call.call_control_id, 'transfer', { to, timeout_secs: 10 });
      await advance(wait);
      const events = await callEvents();
      const legB = events.at(-1)!.payload;
      expect(events.map((e) => [e.event_type, e.payload.call_control_id === call.call_control_id ? 'A' : 'B'])).toEqual(
        [
          ['call.initiated', 'A'],
          ['call.answered', 'A'],
          ['call.initiated', 'B'],
          ['call.hangup', 'B'],
        ],
      );
      expect(legB).toMatchObject({ hangup_cause: cause, hangup_source: source, call_session_id: call.call_session_id });
      await actionOk(call.call_control_id, 'speak', SPEAK);
      await actionOk(call.call_control_id, 'transfer', { to: '+12065550111' });
    },
  );

  it('an unanswered inbound call can be transferred; the control API answers the new leg', async () => {
    const call = await callIn();
    await actionOk(call.call_control_id, 'transfer', { to: '+12065550185', from: '+13125550101' });
    await flush();
    const legB = (await callEvents()).at(-1)!.payload;
    expect(legB.from).toBe('+13125550101');
    await farEnd(legB.call_control_id as string, 'answer');
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated', 'call.bridged']);
    expect(await legStory(legB.call_control_id as string)).toEqual(['call.initiated', 'call.answered', 'call.bridged']);
    // Answered by the bridge: the caller no longer gives up after inbound_ring_ms.
    await advance(VOICE.inbound_ring_ms);
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated', 'call.bridged']);
  });

  it('the caller hanging up while the transfer rings cancels the new leg', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'transfer', { to: '+12065550111' });
    await farEnd(call.call_control_id, 'hangup');
    const events = (await callEvents()).slice(2);
    expect(events.map((e) => [e.event_type, e.payload.hangup_cause ?? null])).toEqual([
      ['call.initiated', null],
      ['call.hangup', 'normal_clearing'],
      ['call.hangup', 'originator_cancel'],
    ]);
  });

  it('refuses a second transfer while one rings', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'transfer', { to: '+12065550111' });
    await expectError(await action(call.call_control_id, 'transfer', { to: '+12065550112' }), 422, '10015');
  });
});

describe('the timeline', () => {
  it('GET /sim/calls/{id} shows the legs and, in order, commands received, events sent (with delivery) and control actions', async () => {
    const call = await callIn();
    await actionOk(call.call_control_id, 'answer', { command_id: 'a-1' });
    await actionOk(call.call_control_id, 'answer', { command_id: 'a-1' });
    await farEnd(call.call_control_id, 'hangup');
    await flush();
    const { data } = await controlOk<{
      data: { call: Record<string, unknown>; legs: unknown[]; timeline: Array<Record<string, unknown>> };
    }>('GET', `/sim/calls/${call.call_control_id}`);
    expect(data.call).toMatchObject({
      call_control_id: call.call_control_id,
      status: 'ended',
      is_alive: false,
      hangup: { hangup_cause: 'normal_clearing', hangup_source: 'caller', sip_hangup_cause: 'unspecified' },
    });
    expect(data.legs).toHaveLength(1);
    expect(data.timeline.map((t) => [t.kind, t.name, t.delivery ?? null])).toEqual([
      ['control', 'inbound', null],
      ['event', 'call.initiated', 'delivered'],
      ['command', 'answer', null],
      ['event', 'call.answered', 'delivered'],
      ['command', 'answer', null],
      ['control', 'hangup', null],
      ['event', 'call.hangup', 'delivered'],
    ]);
    expect(data.timeline[4]!.detail).toEqual({ command_id: 'a-1', duplicate: true });
    await expectError(await control('GET', '/sim/calls/v3:nothing'), 404, '10005');
  });
});

describe('webhook faults on call events', () => {
  it('duplicate sends the same event twice; drop never sends it but the call moves on', async () => {
    await controlOk('POST', '/sim/faults', { target: 'webhooks', kind: 'duplicate', count: 1 });
    const call = await callIn();
    await controlOk('POST', '/sim/faults', { target: 'webhooks', kind: 'drop', count: 1 });
    await actionOk(call.call_control_id, 'answer');
    await actionOk(call.call_control_id, 'speak', SPEAK);
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.initiated', 'call.speak.started']);
    expect(events[0]!.id).toBe(events[1]!.id);
    const deliveries = await controlOk<{ data: Array<{ event_type: string; outcome: string }> }>(
      'GET',
      '/sim/deliveries',
    );
    expect(deliveries.data.map((d) => [d.event_type, d.outcome])).toContainEqual(['call.answered', 'dropped']);
  });

  it('reorder delivers a batch newest first; occurred_at still tells the order; delay holds an event back', async () => {
    await controlOk('POST', '/sim/faults', { target: 'webhooks', kind: 'reorder', count: 3 });
    const call = await callIn();
    await actionOk(call.call_control_id, 'answer');
    await actionOk(call.call_control_id, 'hangup');
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.hangup', 'call.answered', 'call.initiated']);
    const byTime = [...events].sort((a, b) => Date.parse(a.occurred_at) - Date.parse(b.occurred_at));
    expect(byTime.map((e) => e.event_type)).toEqual(['call.initiated', 'call.answered', 'call.hangup']);

    await controlOk('POST', '/sim/faults', { target: 'webhooks', kind: 'delay', count: 1, delay_ms: 60_000 });
    const second = await callIn();
    await actionOk(second.call_control_id, 'reject', { cause: 'CALL_REJECTED' });
    expect(await legStory(second.call_control_id)).toEqual(['call.hangup call_rejected', 'call.initiated']);
  });
});

describe('reset', () => {
  it('forgets every call, timer and recording, and thaws the clock', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'record_start', { format: 'mp3', channels: 'single' });
    await actionOk(call.call_control_id, 'gather', {});
    await controlOk('POST', '/sim/reset');
    expect((await controlOk<{ data: unknown[] }>('GET', '/sim/calls')).data).toEqual([]);
    expect((await simState()).counts.calls_alive).toBe(0);
    const clock = await controlOk<{ frozen: boolean }>('POST', '/sim/clock', { advance_ms: 0 });
    expect(clock.frozen).toBe(false);
    await expectError(await control('GET', `/sim/calls/${call.call_control_id}`), 404, '10005');
  });
});
