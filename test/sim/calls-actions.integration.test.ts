// Call Control actions: each one's body checked as Telnyx checks it (required fields, enums,
// ranges: 422 with a pointer, nothing done), the state it needs (answer before speak, reject only
// a ringing inbound call), 404 for an unknown call, 422 / 90018 once the call has ended, command_id
// (a repeat within 60 s is 200 and does nothing, logged as a duplicate), client_state (echoed on
// what the command causes and on the leg's later events), and each action's effect: speak and
// playback (their length, queue, stop, overlay, loop), send_dtmf, bridge, recordings (saved on
// record_stop or hangup, with URLs the simulator serves), record-from-answer.
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../sim/settings';
import { ISO, UUID, api, control, controlOk, expectError } from './support';
import {
  CALLER,
  action,
  actionOk,
  advance,
  answeredCall,
  base64,
  callEvents,
  callIn,
  dial,
  eventTypes,
  expectGap,
  farEnd,
  legStory,
  resetVoice,
} from './voice';

const VOICE = DEFAULT_SETTINGS.voice;
const SPEAK = { payload: 'Hello', voice: 'female' };

beforeEach(() => resetVoice());

describe('checks', () => {
  it.each([
    ['reject', {}, '10004', '/cause'],
    ['reject', { cause: 'NO_THANKS' }, '10015', '/cause'],
  ])('%s %j on a ringing inbound call: 422', async (name, body, code, pointer) => {
    const call = await callIn();
    await expectError(await action(call.call_control_id, name, body), 422, code, { pointer });
  });

  it.each([
    ['speak', { voice: 'female' }, '10004', '/payload'],
    ['speak', { payload: 'Hi' }, '10004', '/voice'],
    ['speak', { ...SPEAK, payload: 'x'.repeat(3001) }, '10015', '/payload'],
    ['speak', { ...SPEAK, payload_type: 'html' }, '10015', '/payload_type'],
    ['speak', { ...SPEAK, service_level: 'gold' }, '10015', '/service_level'],
    ['speak', { ...SPEAK, language: 'xx-XX' }, '10015', '/language'],
    ['speak', { ...SPEAK, stop: 'now' }, '10015', '/stop'],
    ['speak', { ...SPEAK, client_state: 'abc' }, '10015', '/client_state'],
    ['gather', { minimum_digits: 0 }, '10015', '/minimum_digits'],
    ['gather', { maximum_digits: 129 }, '10015', '/maximum_digits'],
    ['gather', { minimum_digits: 5, maximum_digits: 4 }, '10015', '/minimum_digits'],
    ['gather', { valid_digits: '12x' }, '10015', '/valid_digits'],
    ['gather', { terminating_digit: '##' }, '10015', '/terminating_digit'],
    ['gather', { gather_id: 'g'.repeat(41) }, '10015', '/gather_id'],
    ['gather_using_speak', { payload: 'Press 1' }, '10004', '/voice'],
    ['gather_using_speak', { ...SPEAK, maximum_tries: 0 }, '10015', '/maximum_tries'],
    ['gather_using_audio', {}, '10015', '/audio_url'],
    ['gather_using_audio', { audio_url: 'https://a.test/menu.mp3', media_name: 'menu' }, '10015', '/media_name'],
    ['gather_using_audio', { audio_url: 'ftp://a.test/menu.mp3' }, '10015', '/audio_url'],
    ['playback_start', {}, '10015', '/audio_url'],
    ['playback_start', { audio_url: 'https://a.test/x.mp3', loop: 0 }, '10015', '/loop'],
    ['playback_start', { audio_url: 'https://a.test/x.mp3', audio_type: 'ogg' }, '10015', '/audio_type'],
    ['playback_start', { audio_url: 'https://a.test/x.mp3', overlay: true }, '10015', '/overlay'],
    ['playback_stop', { stop: 'some' }, '10015', '/stop'],
    ['record_start', { channels: 'single' }, '10004', '/format'],
    ['record_start', { format: 'mp3' }, '10004', '/channels'],
    ['record_start', { format: 'ogg', channels: 'single' }, '10015', '/format'],
    ['record_start', { format: 'mp3', channels: 'single', max_length: 14401 }, '10015', '/max_length'],
    ['record_stop', { recording_id: 'not-a-uuid' }, '10015', '/recording_id'],
    ['send_dtmf', {}, '10004', '/digits'],
    ['send_dtmf', { digits: '12E' }, '10015', '/digits'],
    ['send_dtmf', { digits: '1', duration_millis: 99 }, '10015', '/duration_millis'],
    ['transfer', {}, '10004', '/to'],
    ['transfer', { to: '5550123' }, '10016', '/to'],
    ['transfer', { to: '+12065550111', timeout_secs: 601 }, '10015', '/timeout_secs'],
    ['transfer', { to: '+12065550111', target_leg_client_state: 'no base64' }, '10015', '/target_leg_client_state'],
    ['transfer', { to: '+12065550111', webhook_url: 'nope' }, '10015', '/webhook_url'],
    ['bridge', {}, '10004', '/call_control_id'],
    ['bridge', { call_control_id: 'v3:nothing' }, '10015', '/call_control_id'],
    ['answer', { webhook_url: 'nope' }, '10015', '/webhook_url'],
  ])('%s %j: 422 and nothing happens', async (name, body, code, pointer) => {
    const call = await answeredCall();
    const before = await eventTypes();
    await expectError(await action(call.call_control_id, name, body), 422, code, { pointer });
    expect(await eventTypes()).toEqual(before);
  });

  it('answers 404 for an unknown call and for an action it does not know', async () => {
    await expectError(await action('v3:nothing', 'answer'), 404, '10005');
    const call = await callIn();
    await expectError(await action(call.call_control_id, 'enqueue', { queue_name: 'support' }), 404, '10005');
  });

  it('answers 422 / 90018 "Call has already ended" for every action after the hangup', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'hangup');
    for (const name of [
      'answer',
      'hangup',
      'reject',
      'speak',
      'gather',
      'transfer',
      'bridge',
      'record_start',
      'send_dtmf',
    ]) {
      const error = await expectError(
        await action(call.call_control_id, name, { ...SPEAK, to: '+12065550111' }),
        422,
        '90018',
      );
      expect(error).toEqual({
        code: '90018',
        title: 'Call has already ended',
        detail: "This call is no longer active and can't receive commands.",
      });
    }
  });

  it('wants the call in the right state for each command', async () => {
    const ringing = await callIn();
    await expectError(await action(ringing.call_control_id, 'speak', SPEAK), 422, '10015');
    await expectError(await action(ringing.call_control_id, 'gather'), 422, '10015');
    await expectError(await action(ringing.call_control_id, 'record_stop'), 422, '10015');
    await actionOk(ringing.call_control_id, 'answer');
    await expectError(await action(ringing.call_control_id, 'answer'), 422, '10015');
    await expectError(await action(ringing.call_control_id, 'reject', { cause: 'USER_BUSY' }), 422, '10015');
    await expectError(await action(ringing.call_control_id, 'record_stop'), 422, '10015');
    const outgoing = await dial('+12065550123');
    await expectError(await action(outgoing.call_control_id, 'answer'), 422, '10015');
    await expectError(await action(outgoing.call_control_id, 'transfer', { to: '+12065550111' }), 422, '10015');
  });
});

describe('command_id', () => {
  it('a repeat for the same call within 60 s is answered 200 and does nothing; later, or on another call, it runs', async () => {
    const call = await answeredCall();
    const other = await answeredCall();
    await actionOk(call.call_control_id, 'speak', { ...SPEAK, command_id: 'say-1' });
    expect(await actionOk(call.call_control_id, 'speak', { ...SPEAK, command_id: 'say-1' })).toEqual({ result: 'ok' });
    await actionOk(other.call_control_id, 'speak', { ...SPEAK, command_id: 'say-1' });
    const started = async () => (await eventTypes()).filter((t) => t === 'call.speak.started').length;
    expect(await started()).toBe(2);
    const log = await controlOk<{ data: Array<{ status: number; note: string | null }> }>(
      'GET',
      `/sim/requests?path=/v2/calls/${call.call_control_id}`,
    );
    expect(log.data.map((r) => [r.status, r.note])).toEqual([
      [200, null],
      [200, null],
      [200, 'duplicate'],
    ]);
    await advance(60_000);
    await actionOk(call.call_control_id, 'speak', { ...SPEAK, command_id: 'say-1' });
    expect(await started()).toBe(3);
  });

  it('a retried hangup is 200 (its first answer), not 90018; a refused command can be retried', async () => {
    const call = await answeredCall();
    await expectError(await action(call.call_control_id, 'speak', { voice: 'female', command_id: 'c1' }), 422, '10004');
    await actionOk(call.call_control_id, 'speak', { ...SPEAK, command_id: 'c1' });
    await actionOk(call.call_control_id, 'hangup', { command_id: 'bye' });
    expect(await actionOk(call.call_control_id, 'hangup', { command_id: 'bye' })).toEqual({ result: 'ok' });
    await expectError(await action(call.call_control_id, 'hangup', { command_id: 'bye-2' }), 422, '90018');
    expect((await eventTypes()).filter((t) => t === 'call.hangup')).toHaveLength(1);
  });
});

describe('client_state', () => {
  it("is echoed on the events a command causes and on the leg's later events, not on earlier ones", async () => {
    const call = await callIn();
    const first = base64('{"step":"greeting"}');
    const second = base64('{"step":"menu"}');
    await actionOk(call.call_control_id, 'answer', { client_state: first });
    await actionOk(call.call_control_id, 'speak', SPEAK);
    await advance(VOICE.speak_min_ms);
    await actionOk(call.call_control_id, 'gather', { client_state: second, maximum_digits: 1 });
    await farEnd(call.call_control_id, 'dtmf', { digits: '4' });
    await farEnd(call.call_control_id, 'hangup');
    const states = (await callEvents()).map((e) => [e.event_type, e.payload.client_state]);
    expect(states).toEqual([
      ['call.initiated', null],
      ['call.answered', first],
      ['call.speak.started', first],
      ['call.speak.ended', first],
      ['call.dtmf.received', second],
      ['call.gather.ended', second],
      ['call.hangup', second],
    ]);
  });
});

describe('speak and playback', () => {
  it('a speak lasts by its text (speak_ms_per_char, at least speak_min_ms); speaks queue one after another', async () => {
    const call = await answeredCall();
    const text = 'Thank you for calling. Your call matters to us.';
    await actionOk(call.call_control_id, 'speak', { payload: text, voice: 'AWS.Polly.Joanna-Neural' });
    await actionOk(call.call_control_id, 'speak', {
      payload: '<speak>Hi</speak>',
      voice: 'female',
      payload_type: 'ssml',
    });
    const long = text.length * VOICE.speak_ms_per_char;
    await advance(long - 1);
    expect(await legStory(call.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.speak.started']);
    await advance(1 + VOICE.speak_min_ms);
    const events = (await callEvents()).slice(2);
    expect(events.map((e) => [e.event_type, e.payload.status])).toEqual([
      ['call.speak.started', undefined],
      ['call.speak.ended', 'completed'],
      ['call.speak.started', undefined],
      ['call.speak.ended', 'completed'],
    ]);
    expectGap(events[0]!, events[1]!, long);
    // Speak events carry the ids and state, not from and to (the spec's CallSpeakStarted/Ended).
    expect(Object.keys(events[0]!.payload).sort()).toEqual(
      ['call_control_id', 'call_leg_id', 'call_session_id', 'client_state', 'connection_id'].sort(),
    );
  });

  it('stop "current" ends what plays and starts the new one; playback_stop ends playbacks and speaks', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'playback_start', { audio_url: 'https://a.test/hold.mp3', loop: 'infinity' });
    await advance(60_000);
    await actionOk(call.call_control_id, 'speak', { ...SPEAK, stop: 'current' });
    await actionOk(call.call_control_id, 'playback_stop', {});
    expect(
      (await callEvents()).slice(2).map((e) => [e.event_type, e.payload.status ?? null, e.payload.media_url ?? null]),
    ).toEqual([
      ['call.playback.started', null, 'https://a.test/hold.mp3'],
      ['call.playback.ended', 'cancelled', 'https://a.test/hold.mp3'],
      ['call.speak.started', null, null],
      ['call.speak.ended', 'completed', null],
    ]);
  });

  it('plays a file playback_ms a loop, overlays on top of a playback, and tells media_name and overlay', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'playback_start', { media_name: 'greeting', loop: 2 });
    await actionOk(call.call_control_id, 'playback_start', { audio_url: 'https://a.test/beep.wav', overlay: true });
    await advance(VOICE.playback_ms);
    await advance(VOICE.playback_ms);
    const events = (await callEvents()).slice(2);
    expect(events.map((e) => e.payload)).toEqual([
      expect.objectContaining({ media_name: 'greeting', overlay: false }),
      expect.objectContaining({ media_url: 'https://a.test/beep.wav', overlay: true }),
      expect.objectContaining({ media_url: 'https://a.test/beep.wav', overlay: true, status: 'completed' }),
      expect.objectContaining({ media_name: 'greeting', overlay: false, status: 'completed' }),
    ]);
    expectGap(events[0]!, events[3]!, 2 * VOICE.playback_ms);
    expect(events[0]!.payload).not.toHaveProperty('from');
  });

  it('a hangup ends what plays with status call_hangup, before call.hangup', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'speak', SPEAK);
    await farEnd(call.call_control_id, 'hangup');
    expect(await legStory(call.call_control_id)).toEqual([
      'call.initiated',
      'call.answered',
      'call.speak.started',
      'call.speak.ended call_hangup',
      'call.hangup normal_clearing',
    ]);
  });

  it('send_dtmf is accepted and sends no webhook', async () => {
    const call = await answeredCall();
    expect(await actionOk(call.call_control_id, 'send_dtmf', { digits: '1www2W#' })).toEqual({ result: 'ok' });
    expect(await eventTypes()).toEqual(['call.initiated', 'call.answered']);
  });
});

describe('bridge', () => {
  it('bridges two answered calls (call.bridged on both); when one hangs up, so does the other', async () => {
    const inbound = await answeredCall();
    const outbound = await dial('+12065550123');
    await advance(VOICE.ring_ms);
    await expectError(
      await action(inbound.call_control_id, 'bridge', { call_control_id: inbound.call_control_id }),
      422,
      '10015',
    );
    await actionOk(inbound.call_control_id, 'bridge', { call_control_id: outbound.call_control_id });
    await expectError(
      await action(inbound.call_control_id, 'bridge', { call_control_id: outbound.call_control_id }),
      422,
      '10015',
    );
    await farEnd(outbound.call_control_id, 'hangup');
    expect(await legStory(inbound.call_control_id)).toEqual([
      'call.initiated',
      'call.answered',
      'call.bridged',
      'call.hangup normal_clearing',
    ]);
    const events = await callEvents({ leg: outbound.call_control_id });
    expect(events.map((e) => [e.event_type, e.payload.hangup_source ?? null])).toEqual([
      ['call.initiated', null],
      ['call.answered', null],
      ['call.bridged', null],
      ['call.hangup', 'callee'],
    ]);
    expect((await callEvents({ leg: inbound.call_control_id })).at(-1)!.payload.hangup_source).toBe('callee');
  });

  it('park_after_unbridge "self" keeps a leg up when the other leaves', async () => {
    const inbound = await answeredCall();
    const outbound = await dial('+12065550123');
    await advance(VOICE.ring_ms);
    await actionOk(inbound.call_control_id, 'bridge', {
      call_control_id: outbound.call_control_id,
      park_after_unbridge: 'self',
    });
    await farEnd(outbound.call_control_id, 'hangup');
    expect(await legStory(inbound.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.bridged']);
    await actionOk(inbound.call_control_id, 'speak', SPEAK);
  });

  it('dial with link_to and bridge_on_answer: the same session, bridged when answered', async () => {
    const inbound = await answeredCall();
    const outbound = await dial('+12065550123', { link_to: inbound.call_control_id, bridge_on_answer: true });
    expect(outbound.call_session_id).toBe(inbound.call_session_id);
    await advance(VOICE.ring_ms);
    expect(await legStory(outbound.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.bridged']);
    expect(await legStory(inbound.call_control_id)).toEqual(['call.initiated', 'call.answered', 'call.bridged']);
  });
});

describe('recordings', () => {
  it('record_stop saves: call.recording.saved without call_control_id, its URL served by the simulator', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'record_start', {
      format: 'wav',
      channels: 'dual',
      client_state: base64('rec'),
    });
    await expectError(
      await action(call.call_control_id, 'record_start', { format: 'mp3', channels: 'single' }),
      422,
      '10015',
    );
    await advance(3000);
    await expectError(
      await action(call.call_control_id, 'record_stop', { recording_id: crypto.randomUUID() }),
      422,
      '10015',
      {
        pointer: '/recording_id',
      },
    );
    await actionOk(call.call_control_id, 'record_stop', {});
    const saved = (await callEvents()).find((e) => e.event_type === 'call.recording.saved')!;
    const url = (saved.payload.recording_urls as { wav: string }).wav;
    expect(saved.payload).toEqual({
      call_leg_id: call.call_leg_id,
      call_session_id: call.call_session_id,
      client_state: base64('rec'),
      connection_id: expect.any(String),
      channels: 'dual',
      recording_started_at: expect.stringMatching(ISO),
      recording_ended_at: expect.stringMatching(ISO),
      recording_urls: {
        mp3: null,
        wav: expect.stringMatching(/^http:\/\/127\.0\.0\.1:8788\/sim\/recordings\/[0-9a-f-]{36}\.wav$/),
      },
      public_recording_urls: { mp3: null, wav: url },
    });
    const recordingStart = Date.parse(saved.payload.recording_started_at as string);
    expect(Date.parse(saved.payload.recording_ended_at as string) - recordingStart).toBe(3000);
    const file = await control('GET', new URL(url).pathname);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('audio/wav');
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe('RIFF');
    expect(bytes.length).toBe(44 + 3 * 16000);
    await expectError(await control('GET', '/sim/recordings/00000000-0000-4000-8000-000000000000.mp3'), 404, '10005');
  });

  it('a hangup saves the recording, after call.hangup; record-from-answer records from the answer', async () => {
    const call = await callIn();
    const answer = await actionOk(call.call_control_id, 'answer', {
      record: 'record-from-answer',
      record_format: 'mp3',
    });
    expect(answer).toEqual({ result: 'ok', recording_id: expect.stringMatching(UUID) });
    await advance(2000);
    await farEnd(call.call_control_id, 'hangup');
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual([
      'call.initiated',
      'call.answered',
      'call.hangup',
      'call.recording.saved',
    ]);
    const urls = events[3]!.payload.recording_urls as { mp3: string };
    expect(urls.mp3).toContain(`/sim/recordings/${answer.recording_id as string}.mp3`);
    const file = await control('GET', new URL(urls.mp3).pathname);
    expect(file.headers.get('content-type')).toBe('audio/mpeg');
    expect(new Uint8Array(await file.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0xff, 0xfb]));
  });

  it('max_length stops a recording by itself', async () => {
    const call = await answeredCall();
    await actionOk(call.call_control_id, 'record_start', { format: 'mp3', channels: 'single', max_length: 5 });
    await advance(5000);
    expect((await eventTypes()).at(-1)).toBe('call.recording.saved');
    await expectError(await action(call.call_control_id, 'record_stop'), 422, '10015');
  });
});

describe('reject and answer', () => {
  it.each([
    ['CALL_REJECTED', 'call_rejected'],
    ['USER_BUSY', 'user_busy'],
  ])('reject %s ends the ringing call: call.hangup %s, source callee', async (cause, hangupCause) => {
    const call = await callIn();
    await actionOk(call.call_control_id, 'reject', { cause });
    const events = await callEvents();
    expect(events.map((e) => e.event_type)).toEqual(['call.initiated', 'call.hangup']);
    expect(events[1]!.payload).toMatchObject({
      hangup_cause: hangupCause,
      hangup_source: 'callee',
      sip_hangup_cause: 'unspecified',
      from: CALLER,
    });
  });

  it("answer's webhook_url takes the leg's later webhooks; headers set on answer come back on call.hangup", async () => {
    const call = await callIn();
    const headers = [{ name: 'X-Queue', value: 'sales' }];
    await actionOk(call.call_control_id, 'answer', { webhook_url: 'http://other.test/hooks', custom_headers: headers });
    await actionOk(call.call_control_id, 'hangup');
    const events = await callEvents();
    expect(events.map((e) => [e.event_type, e.url])).toEqual([
      ['call.initiated', 'http://edge.receiver.test/webhooks/voice'],
      ['call.answered', 'http://other.test/hooks'],
      ['call.hangup', 'http://other.test/hooks'],
    ]);
    expect(events[2]!.payload).toMatchObject({
      custom_headers: headers,
      hangup_source: 'callee',
      hangup_cause: 'normal_clearing',
    });
  });

  it('GET /sim/calls lists legs, newest first; ?alive=true only those still up', async () => {
    const first = await answeredCall();
    const second = await callIn();
    await actionOk(first.call_control_id, 'hangup');
    const all = await controlOk<{ data: Array<{ call_control_id: string; is_alive: boolean }> }>('GET', '/sim/calls');
    expect(all.data.map((c) => [c.call_control_id, c.is_alive])).toEqual([
      [second.call_control_id, true],
      [first.call_control_id, false],
    ]);
    const alive = await controlOk<{ data: Array<{ call_control_id: string }> }>('GET', '/sim/calls?alive=true');
    expect(alive.data.map((c) => c.call_control_id)).toEqual([second.call_control_id]);
    expect(await api('GET', '/v2/calls')).toHaveProperty('status', 404);
  });
});
