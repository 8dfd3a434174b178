// The actions on what plays and what is heard: speak, playback, gathers, recordings, DTMF.

import type { SimContext } from '../context';
import { bool, int, invalidField, oneOf, str, url, type Fields } from '../api/fields';
import { playMedia, saveRecording, speakMs, startGather, startRecording, stopMedia } from './media';
import { wrongState, type Action } from './command';
import { COMMON, oneMediaSource } from './params';
import type { Gather, PromptPart } from './state';

const DIGITS = /^[0-9A-D#*]+$/;

const GATHER: Fields = {
  minimum_digits: int({ min: 1, max: 128, default: 1 }),
  maximum_digits: int({ min: 1, max: 128, default: 128 }),
  timeout_millis: int({ min: 1, max: 3_600_000, default: 60000 }),
  inter_digit_timeout_millis: int({ min: 1, max: 3_600_000, default: 5000 }),
  terminating_digit: str({ max: 1, pattern: /^[0-9A-D#*]?$/, what: 'one DTMF digit', default: '#' }),
  valid_digits: str({ min: 1, pattern: DIGITS, what: 'DTMF digits (0-9, A-D, #, *)', default: '0123456789#*' }),
};

const SPEECH: Fields = {
  payload: str({ min: 1, max: 3000 }),
  voice: str({ min: 1, max: 255 }),
  payload_type: oneOf(['text', 'ssml'], { default: 'text' }),
  service_level: oneOf(['basic', 'premium'], { default: 'premium' }),
  language: oneOf(
    'arb cmn-CN cy-GB da-DK de-DE en-AU en-GB en-GB-WLS en-IN en-US es-ES es-MX es-US fr-CA fr-FR hi-IN is-IS it-IT ja-JP ko-KR nb-NO nl-NL pl-PL pt-BR pt-PT ro-RO ru-RU sv-SE tr-TR'.split(
      ' ',
    ),
  ),
  voice_settings: { check: (value, pointer) => (typeof value === 'object' ? value : fail(pointer, 'an object')) },
};

const STOP = oneOf(['current', 'all']);
export const MEDIA: Fields = { audio_url: url(), media_name: str({ min: 1 }) };

function fail(pointer: string, what: string): never {
  throw invalidField(pointer, `${pointer.slice(1)} must be ${what}.`);
}

/** playback_start's loop: a count, or "infinity". */
const loop = {
  fallback: 1,
  check(value: unknown, pointer: string) {
    if (value === 'infinity') return value;
    const count = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return Number.isInteger(count) && (count as number) >= 1
      ? count
      : fail(pointer, 'a whole number of times or "infinity"');
  },
};

function prompt(
  ctx: SimContext,
  f: Record<string, unknown>,
  kind: 'speak' | 'playback',
  invalid = false,
): PromptPart | null {
  const prefix = invalid ? 'invalid_' : '';
  if (kind === 'speak') {
    const text = f[`${prefix}payload`] as string | undefined;
    return text === undefined ? null : { kind, duration_ms: speakMs(ctx, text) };
  }
  const mediaUrl = f[`${prefix}audio_url`] as string | undefined;
  const mediaName = f[`${prefix}media_name`] as string | undefined;
  if (mediaUrl === undefined && mediaName === undefined) return null;
  return {
    kind,
    duration_ms: ctx.settings.voice.playback_ms,
    media_url: mediaUrl ?? null,
    media_name: mediaName ?? null,
  };
}

function gatherOf(ctx: SimContext, kind: Gather['kind'], f: Record<string, unknown>): Gather {
  const promptKind = kind === 'gather_using_speak' ? 'speak' : 'playback';
  return {
    id: crypto.randomUUID(),
    kind,
    gather_id: kind === 'gather' ? ((f.gather_id as string | undefined) ?? crypto.randomUUID()) : null,
    digits: '',
    minimum_digits: f.minimum_digits as number,
    maximum_digits: f.maximum_digits as number,
    terminating_digit: f.terminating_digit as string,
    valid_digits: f.valid_digits as string,
    timeout_millis: f.timeout_millis as number,
    inter_digit_timeout_millis: f.inter_digit_timeout_millis as number,
    initial_timeout_millis: (f.initial_timeout_millis as number | undefined) ?? 5000,
    maximum_tries: (f.maximum_tries as number | undefined) ?? 1,
    tries: 1,
    prompt: kind === 'gather' ? null : prompt(ctx, f, promptKind),
    invalid_prompt: kind === 'gather' ? null : prompt(ctx, f, promptKind, true),
    playing: [],
  };
}

function checkDigitRange(_ctx: SimContext, _body: Record<string, unknown>, f: Record<string, unknown>): void {
  if ((f.minimum_digits as number) > (f.maximum_digits as number)) {
    throw invalidField('/minimum_digits', 'minimum_digits must not be more than maximum_digits.');
  }
}

const tries = { maximum_tries: int({ min: 1, max: 100, default: 3 }) };

export const MEDIA_ACTIONS: Record<string, Action> = {
  speak: {
    fields: { ...COMMON, ...SPEECH, stop: STOP },
    required: ['payload', 'voice'],
    needs: 'answered',
    run(ctx, leg, f, at) {
      const item = { id: crypto.randomUUID(), kind: 'speak' as const, duration_ms: speakMs(ctx, f.payload as string) };
      playMedia(ctx, leg, item, f.stop as string | undefined, at);
    },
  },
  playback_start: {
    fields: {
      ...COMMON,
      ...MEDIA,
      playback_content: str({ min: 1 }),
      audio_type: oneOf(['mp3', 'wav'], { default: 'mp3' }),
      cache_audio: bool({ default: true }),
      loop,
      overlay: bool({ default: false }),
      stop: STOP,
      target_legs: oneOf(['self', 'opposite', 'both'], { default: 'self' }),
    },
    needs: 'answered',
    check(_ctx, body, f, leg) {
      oneMediaSource(body, ['audio_url', 'media_name', 'playback_content'], true);
      if (f.overlay === true && !leg.media.some((m) => m.kind === 'playback' && m.started)) {
        throw invalidField('/overlay', 'overlay needs a playback (without overlay) playing on the call.');
      }
    },
    run(ctx, leg, f, at) {
      const content = f.playback_content !== undefined;
      const loops = f.loop === 'infinity' ? null : (f.loop as number);
      playMedia(
        ctx,
        leg,
        {
          id: crypto.randomUUID(),
          kind: 'playback',
          duration_ms: loops === null ? null : loops * ctx.settings.voice.playback_ms,
          media_url: content ? '' : ((f.audio_url as string | undefined) ?? null),
          media_name: content ? '' : ((f.media_name as string | undefined) ?? null),
          overlay: f.overlay as boolean,
        },
        f.stop as string | undefined,
        at,
      );
    },
  },
  playback_stop: {
    fields: { ...COMMON, overlay: bool({ default: false }), stop: oneOf(['current', 'all'], { default: 'all' }) },
    needs: 'answered',
    run(ctx, leg, f, at) {
      stopMedia(ctx, leg, f.stop as 'current' | 'all', f.overlay as boolean, 'cancelled', at);
    },
  },
  gather: {
    fields: {
      ...COMMON,
      ...GATHER,
      initial_timeout_millis: int({ min: 1, max: 3_600_000, default: 5000 }),
      gather_id: str({ min: 1, max: 40 }),
    },
    needs: 'answered',
    check: checkDigitRange,
    run(ctx, leg, f, at) {
      startGather(ctx, leg, gatherOf(ctx, 'gather', f), at);
    },
  },
  gather_using_speak: {
    fields: { ...COMMON, ...GATHER, ...SPEECH, ...tries, invalid_payload: str({ min: 1, max: 3000 }) },
    required: ['voice', 'payload'],
    needs: 'answered',
    check: checkDigitRange,
    run(ctx, leg, f, at) {
      startGather(ctx, leg, gatherOf(ctx, 'gather_using_speak', f), at);
    },
  },
  gather_using_audio: {
    fields: {
      ...COMMON,
      ...GATHER,
      ...MEDIA,
      ...tries,
      invalid_audio_url: url(),
      invalid_media_name: str({ min: 1 }),
    },
    needs: 'answered',
    check(ctx, body, f) {
      oneMediaSource(body, ['audio_url', 'media_name'], true);
      oneMediaSource(body, ['invalid_audio_url', 'invalid_media_name'], false);
      checkDigitRange(ctx, body, f);
    },
    run(ctx, leg, f, at) {
      startGather(ctx, leg, gatherOf(ctx, 'gather_using_audio', f), at);
    },
  },
  record_start: {
    fields: {
      ...COMMON,
      format: oneOf(['wav', 'mp3']),
      channels: oneOf(['single', 'dual']),
      max_length: int({ min: 0, max: 14400, default: 0 }),
      timeout_secs: int({ min: 0, default: 0 }),
      play_beep: bool(),
      recording_track: oneOf(['both', 'inbound', 'outbound'], { default: 'both' }),
      trim: oneOf(['trim-silence']),
      custom_file_name: str({ min: 1, max: 40 }),
      transcription: bool({ default: false }),
      transcription_engine: str({ default: 'A' }),
      transcription_language: str({ default: 'en-US' }),
    },
    required: ['format', 'channels'],
    needs: 'answered',
    check(_ctx, _body, _f, leg) {
      if (leg.recording !== null) throw wrongState('Already recording', 'This call is being recorded already.');
    },
    run(ctx, leg, f, at) {
      const recording = {
        id: crypto.randomUUID(),
        format: f.format as 'mp3' | 'wav',
        channels: f.channels as 'single' | 'dual',
        max_length: f.max_length as number,
      };
      startRecording(ctx, leg, recording, at);
    },
  },
  record_stop: {
    fields: {
      ...COMMON,
      recording_id: str({ pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, what: 'a UUID' }),
    },
    needs: 'answered',
    check(_ctx, _body, f, leg) {
      if (leg.recording === null) throw wrongState('Not recording', 'This call is not being recorded.');
      if (f.recording_id !== undefined && f.recording_id !== leg.recording.id) {
        throw invalidField('/recording_id', `No recording ${String(f.recording_id)} in progress on this call.`);
      }
    },
    run(ctx, leg, _f, at) {
      saveRecording(ctx, leg, at);
    },
  },
  send_dtmf: {
    fields: {
      ...COMMON,
      digits: str({ min: 1, max: 128, pattern: /^[0-9A-D#*wW]+$/, what: 'DTMF digits (0-9, A-D, #, *, w, W)' }),
      duration_millis: int({ min: 100, max: 500, default: 250 }),
    },
    required: ['digits'],
    needs: 'answered',
    run() {},
  },
};
