// POST /v2/calls: Telnyx's CallRequest checks (each with its 422 and pointer, nothing dialled),
// the CallWithRecordingId answer, command_id on dials, and the far end by the destination's last
// two digits (sim/README.md's table): answer after voice.ring_ms, busy, no answer (timeout after
// timeout_secs), reject, not found, answer then hang up, answering machine. While a leg rings the
// control API can make it answer, refuse or be busy. GET /v2/calls/{id} shows a leg as it stands.
import { beforeEach, describe, expect, it } from 'vitest';
import { DESTINATIONS, farEndFor } from '../../sim/calls/dial';
import { DEFAULT_SETTINGS } from '../../sim/settings';
import { ISO, UUID, api, control, controlOk, eventually, expectError, received, scriptReceiver } from './support';
import {
  APPLICATION,
  CALL_CONTROL_ID,
  CREDENTIAL,
  OUR_NUMBER,
  VOICE_FAILOVER_URL,
  VOICE_URL,
  advance,
  apiOk,
  base64,
  callEvents,
  dial,
  eventTypes,
  farEnd,
  initiatedFields,
  legFields,
  legStory,
  resetVoice,
} from './voice';

const RING = DEFAULT_SETTINGS.voice.ring_ms;

beforeEach(() => resetVoice());

async function calls(): Promise<unknown[]> {
  return (await controlOk<{ data: unknown[] }>('GET', '/sim/calls')).data;
}

describe('checks', () => {
  const valid = { connection_id: APPLICATION, from: OUR_NUMBER, to: '+12065550123' };

  it.each([
    ['no connection_id', { connection_id: undefined }, '10004', '/connection_id'],
    ['no to', { to: undefined }, '10004', '/to'],
    ['no from', { from: undefined }, '10004', '/from'],
    ['an unknown connection', { connection_id: '1999999999999999999' }, '10015', '/connection_id'],
    ['a credential connection', { connection_id: CREDENTIAL }, '10015', '/connection_id'],
    ['a to that is neither +E.164 nor SIP', { to: '2065550123' }, '10016', '/to'],
    ['a from that is neither +E.164 nor SIP', { from: 'Reception' }, '10016', '/from'],
    ['two destinations at once', { to: ['+12065550123', '+12065550124'] }, '10015', '/to'],
    ['a client_state that is not base64', { client_state: 'not base64!' }, '10015', '/client_state'],
    ['timeout_secs of 4', { timeout_secs: 4 }, '10015', '/timeout_secs'],
    ['timeout_secs of 601', { timeout_secs: 601 }, '10015', '/timeout_secs'],
    ['time_limit_secs of 29', { time_limit_secs: 29 }, '10015', '/time_limit_secs'],
    ['a webhook_url that is not http(s)', { webhook_url: 'mailto:ops@example.com' }, '10015', '/webhook_url'],
    [
      'an unknown answering machine detection',
      { answering_machine_detection: 'guess' },
      '10015',
      '/answering_machine_detection',
    ],
    ['an unknown record option', { record: 'record-always' }, '10015', '/record'],
    [
      'audio_url and media_name together',
      { audio_url: 'https://a.test/x.mp3', media_name: 'x' },
      '10015',
      '/media_name',
    ],
    ['bridge_on_answer without link_to', { bridge_on_answer: true }, '10015', '/link_to'],
    ['link_to an unknown call', { link_to: 'v3:nothing' }, '10015', '/link_to'],
  ])('refuses %s with 422, dialling nothing', async (_name, change, code, pointer) => {
    await expectError(await api('POST', '/v2/calls', { ...valid, ...change }), 422, code, { pointer });
    expect(await calls()).toEqual([]);
    expect(await callEvents()).toEqual([]);
  });

  it('answers CallWithRecordingId: is_alive false (dialling is asynchronous), client_state, recording_id', async () => {
    const state = base64('{"flow":"outbound"}');
    const data = await dial('+12065550123', { client_state: state, record: 'record-from-answer' });
    expect(data).toEqual({
      record_type: 'call',
      call_control_id: expect.stringMatching(CALL_CONTROL_ID),
      call_leg_id: expect.stringMatching(UUID),
      call_session_id: expect.stringMatching(UUID),
      is_alive: false,
      client_state: state,
      recording_id: expect.stringMatching(UUID),
    });
    const plain = await dial('sip:reception@pbx.example.com');
    expect(plain).not.toHaveProperty('client_state');
    expect(plain).not.toHaveProperty('recording_id');
  });

  it('ignores a dial that repeats a command_id within 60 s: the same answer, no second call', async () => {
    const first = await dial('+12065550123', { command_id: 'dial-1' });
    expect(await dial('+12065550199', { command_id: 'dial-1' })).toEqual(first);
    expect(await calls()).toHaveLength(1);
    const log = await controlOk<{ data: Array<{ note: string | null }> }>('GET', '/sim/requests?path=/v2/calls');
    expect(log.data.map((r) => r.note)).toEqual([null, 'duplicate']);
    await advance(60_000);
    expect((await dial('+12065550123', { command_id: 'dial-1' })).call_control_id).not.toBe(first.call_control_id);
  });
});

describe('the far end, by the last two digits of the destination', () => {
  it('has a row for every pair of digits', () => {
    const covered = DESTINATIONS.flatMap((row) =>
      Array.from({ length: row.last - row.first + 1 }, (_, i) => row.first + i),
    );
    expect(covered).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(farEndFor('sip:alice@example.com')).toBe('answer');
    expect(farEndFor('sip:+12065550182@example.com')).toBe('busy');
  });

  it('00-79 answer after ring_ms: call.initiated (outgoing, bridging), then call.answered', async () => {
    const call = await dial('+12065550123', { client_state: base64('x') });
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated']);
    await advance(RING - 1);
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated']);
    await advance(1);
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.answered']);
    const [initiated, answered] = events;
    expect(initiated!.url).toBe(VOICE_URL);
    const leg = legFields(call, { from: OUR_NUMBER, to: '+12065550123' }, base64('x'));
    expect(initiated!.payload).toEqual({ ...leg, ...initiatedFields('outgoing', OUR_NUMBER) });
    expect(answered!.payload).toEqual({
      ...leg,
      state: 'answered',
      start_time: initiated!.payload.start_time,
      custom_headers: [],
      sip_headers: [],
      tags: [],
    });
    expect(Date.parse(answered!.occurred_at) - Date.parse(initiated!.occurred_at)).toBe(RING);
  });

  it.each([
    ['80-84: busy', '+12065550182', 'user_busy', 'callee', '486', RING],
    ['90-93: rejects', '+12065550191', 'call_rejected', 'callee', '603', RING],
    ['94-95: not found', '+12065550194', 'not_found', 'callee', '404', RING],
    ['85-89: never answers (timeout after timeout_secs)', '+12065550185', 'timeout', 'caller', '487', 10_000],
  ])('%s', async (_name, to, cause, source, sip, after) => {
    const call = await dial(to, { timeout_secs: 10 });
    await advance(after - 1);
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated']);
    await advance(1);
    const events = await callEvents({ leg: call.call_control_id });
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.hangup']);
    expect(events[1]!.payload).toMatchObject({
      state: 'hangup',
      hangup_cause: cause,
      hangup_source: source,
      sip_hangup_cause: sip,
      call_quality_stats: null,
    });
    await expectError(await api('POST', `/v2/calls/${call.call_control_id}/actions/hangup`, {}), 422, '90018');
  });

  it('96-97: answers, then hangs up after callee_hangup_ms', async () => {
    const call = await dial('+12065550196');
    await advance(RING + DEFAULT_SETTINGS.voice.callee_hangup_ms);
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.answered', 'call.hangup']);
    expect(events[2]!.payload).toMatchObject({
      hangup_cause: 'normal_clearing',
      hangup_source: 'callee',
      sip_hangup_cause: '200',
    });
    expect(Date.parse(events[2]!.occurred_at) - Date.parse(events[1]!.occurred_at)).toBe(
      DEFAULT_SETTINGS.voice.callee_hangup_ms,
    );
    expect(call).toBeDefined();
  });

  it('98-99 answer as a machine: answering machine detection says so, 00-79 say human', async () => {
    const machine = await dial('+12065550198', { answering_machine_detection: 'detect' });
    const human = await dial('+12065550123', { answering_machine_detection: 'detect_beep' });
    const premium = await dial('+12065550199', { answering_machine_detection: 'premium' });
    await advance(RING);
    expect(await legStory(machine.call_control_id)).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended machine',
    ]);
    expect(await legStory(human.call_control_id)).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.detection.ended human',
    ]);
    expect(await legStory(premium.call_control_id)).toEqual([
      'call.initiated',
      'call.answered',
      'call.machine.premium.detection.ended machine',
    ]);
  });

  it('timeout_secs shorter than the ring: the call times out first', async () => {
    await controlOk('PATCH', '/sim/settings', { voice: { ring_ms: 8000 } });
    const call = await dial('+12065550123', { timeout_secs: 5, webhook_url: 'http://hooks.example.test/call' });
    await advance(5000);
    const events = await callEvents();
    expect(events.map((e) => [e.event_type, e.payload.hangup_cause ?? null, e.url])).toEqual([
      ['call.initiated', null, 'http://hooks.example.test/call'],
      ['call.hangup', 'timeout', 'http://hooks.example.test/call'],
    ]);
    expect(call).toBeDefined();
  });
});

describe('with the clock running', () => {
  it('the alarm answers the call and delivers its webhooks by itself, no flush', async () => {
    await controlOk('POST', '/sim/clock', { freeze: false });
    await controlOk('PATCH', '/sim/settings', { voice: { ring_ms: 100 } });
    await dial('+12065550123');
    const types = await eventually(async () => {
      const got = (await received()).map((r) => r.json.data.event_type);
      return got.length === 2 ? got : undefined;
    });
    expect(types).toEqual(['call.initiated', 'call.answered']);
  });
});

describe('the control API while a leg rings', () => {
  it.each([
    ['answer', ['call.initiated', 'call.answered']],
    ['refuse', ['call.initiated', 'call.hangup call_rejected']],
    ['busy', ['call.initiated', 'call.hangup user_busy']],
  ])('%s: at once, whatever the destination would have done', async (what, story) => {
    const call = await dial('+12065550185');
    await farEnd(call.call_control_id, what);
    expect(await legStory(call.call_control_id)).toEqual(story);
    // Nothing more comes when the ring or the timeout would have been due.
    await advance(60_000);
    expect(await legStory(call.call_control_id)).toEqual(story);
    const again = await control('POST', `/sim/calls/${call.call_control_id}/${what}`);
    await expectError(again, 400, '10015');
  });

  it('hanging up our own ringing leg cancels it: originator_cancel, 487', async () => {
    const call = await dial('+12065550123');
    await apiOk('POST', `/v2/calls/${call.call_control_id}/actions/hangup`, {});
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.hangup']);
    expect(events[1]!.payload).toMatchObject({
      hangup_cause: 'originator_cancel',
      hangup_source: 'caller',
      sip_hangup_cause: '487',
    });
    await advance(RING);
    expect(await eventTypes()).toHaveLength(2);
  });

  it('refuses digits and hangups the far end cannot give, and unknown calls', async () => {
    const call = await dial('+12065550123');
    await expectError(await control('POST', `/sim/calls/${call.call_control_id}/dtmf`, { digits: '1' }), 400, '10015');
    await expectError(await control('POST', `/sim/calls/${call.call_control_id}/hangup`), 400, '10015');
    await expectError(await control('POST', '/sim/calls/v3:nothing/answer'), 404, '10005');
  });
});

describe('GET /v2/calls/{call_control_id}', () => {
  it('shows a leg alive, then ended with its end_time and duration', async () => {
    const call = await dial('+12065550123', { client_state: base64('s') });
    const path = `/v2/calls/${call.call_control_id}`;
    expect(await apiOk('GET', path)).toEqual({
      record_type: 'call',
      call_control_id: call.call_control_id,
      call_leg_id: call.call_leg_id,
      call_session_id: call.call_session_id,
      client_state: base64('s'),
      is_alive: true,
      start_time: expect.stringMatching(ISO),
      call_duration: 0,
    });
    await advance(RING + 42_000);
    await apiOk('POST', `${path}/actions/hangup`, {});
    expect(await apiOk('GET', path)).toMatchObject({
      is_alive: false,
      call_duration: 42,
      end_time: expect.stringMatching(ISO),
    });
    await expectError(await api('GET', '/v2/calls/v3:nothing'), 404, '10005');
  });

  it('sends a leg to the failover URL when the primary keeps failing', async () => {
    await controlOk('PATCH', '/sim/settings', { attempts_per_url: 1 });
    await scriptReceiver([{ status: 500 }]);
    await dial('+12065550123');
    const events = await callEvents();
    expect(events.map((e) => [e.event_type, e.url])).toEqual([
      ['call.initiated', VOICE_URL],
      ['call.initiated', VOICE_FAILOVER_URL],
    ]);
  });
});
