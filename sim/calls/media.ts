// What plays on a leg and what it listens for: speak and playback (queued, one after another, as
// Telnyx queues them; overlay playbacks on top), gathers (plain, or with a spoken or played
// prompt that digits interrupt, replayed up to maximum_tries), and recordings. Durations come from
// the voice settings: a speak lasts by its text's length, a playback playback_ms per loop.

import type { SimContext } from '../context';
import { emit, emitRecordingSaved } from './events';
import { clearTimers, setTimer, type Gather, type Leg, type MediaItem, type PromptPart } from './state';

/** How long speaking `payload` takes: voice.speak_ms_per_char a character (SSML tags not counted), at least speak_min_ms. */
export function speakMs(ctx: SimContext, payload: string): number {
  const text = payload.replace(/<[^>]*>/g, '');
  return Math.max(ctx.settings.voice.speak_min_ms, text.length * ctx.settings.voice.speak_ms_per_char);
}

function mediaFields(item: { media_url?: string | null; media_name?: string | null }) {
  return {
    ...(item.media_url !== undefined && item.media_url !== null && { media_url: item.media_url }),
    ...(item.media_name !== undefined && item.media_name !== null && { media_name: item.media_name }),
  };
}

function started(ctx: SimContext, leg: Leg, item: MediaItem | PromptPart, at: number, overlay = false): void {
  if (item.kind === 'speak') emit(ctx, leg, 'call.speak.started', at);
  else emit(ctx, leg, 'call.playback.started', at, { ...mediaFields(item), overlay });
}

function ended(
  ctx: SimContext,
  leg: Leg,
  item: MediaItem | PromptPart,
  status: string,
  at: number,
  overlay = false,
): void {
  // call.speak.ended knows completed and call_hangup; a speak that is stopped ends "completed".
  if (item.kind === 'speak')
    emit(ctx, leg, 'call.speak.ended', at, { status: status === 'call_hangup' ? status : 'completed' });
  else emit(ctx, leg, 'call.playback.ended', at, { ...mediaFields(item), overlay, status });
}

/** Starts the head of the queue if it is waiting. */
function startHead(ctx: SimContext, leg: Leg, at: number): void {
  const head = leg.media[0];
  if (head === undefined || head.started) return;
  head.started = true;
  started(ctx, leg, head, at);
  if (head.duration_ms !== null) setTimer(ctx, leg, 'media_end', at + head.duration_ms, { id: head.id });
}

/** Stops what plays: the current item (and with `all` the queue behind it), or the overlays. */
export function stopMedia(
  ctx: SimContext,
  leg: Leg,
  what: 'current' | 'all',
  overlay: boolean,
  status: string,
  at: number,
) {
  if (overlay) {
    for (const item of leg.overlays) ended(ctx, leg, item, status, at, true);
    leg.overlays = [];
    return;
  }
  const head = leg.media[0];
  if (head?.started) {
    ended(ctx, leg, head, status, at);
    leg.media.shift();
  }
  if (what === 'all') leg.media = [];
  startHead(ctx, leg, at);
}

/** Queues a speak or playback (after `stop`, if given), starting it when nothing else plays. */
export function playMedia(ctx: SimContext, leg: Leg, item: MediaItem, stop: string | undefined, at: number): void {
  if (item.overlay) {
    leg.overlays.push({ ...item, started: true });
    started(ctx, leg, item, at, true);
    if (item.duration_ms !== null) setTimer(ctx, leg, 'media_end', at + item.duration_ms, { id: item.id });
    return;
  }
  if (stop === 'current' || stop === 'all') stopMedia(ctx, leg, stop, false, 'cancelled', at);
  leg.media.push(item);
  startHead(ctx, leg, at);
}

/** A media_end timer: the item finished on its own. */
export function mediaFinished(ctx: SimContext, leg: Leg, id: string, at: number): void {
  const overlay = leg.overlays.find((o) => o.id === id);
  if (overlay !== undefined) {
    ended(ctx, leg, overlay, 'completed', at, true);
    leg.overlays = leg.overlays.filter((o) => o.id !== id);
    return;
  }
  if (leg.media[0]?.id !== id) return;
  ended(ctx, leg, leg.media.shift()!, 'completed', at);
  startHead(ctx, leg, at);
}

// Gathers.

function startPart(ctx: SimContext, leg: Leg, gather: Gather, at: number): void {
  const part = gather.playing[0]!;
  if (part.kind === 'playback') started(ctx, leg, part, at);
  setTimer(ctx, leg, 'gather_prompt_end', at + part.duration_ms, { gather: gather.id });
}

function playPrompt(ctx: SimContext, leg: Leg, gather: Gather, parts: PromptPart[], at: number): void {
  gather.playing = parts;
  startPart(ctx, leg, gather, at);
}

export function startGather(ctx: SimContext, leg: Leg, gather: Gather, at: number): void {
  if (leg.gather !== null) endGather(ctx, leg, 'cancelled', at);
  leg.gather = gather;
  if (gather.prompt === null) {
    setTimer(ctx, leg, 'gather_wait', at + gather.initial_timeout_millis, { gather: gather.id });
    setTimer(ctx, leg, 'gather_total', at + gather.timeout_millis, { gather: gather.id });
  } else {
    playPrompt(ctx, leg, gather, [gather.prompt], at);
  }
}

/** The prompt's part finished: the next part, or the wait for the first digit. */
export function promptPartEnded(ctx: SimContext, leg: Leg, at: number): void {
  const gather = leg.gather!;
  const part = gather.playing.shift();
  if (part?.kind === 'playback') ended(ctx, leg, part, 'completed', at);
  if (gather.playing.length > 0) startPart(ctx, leg, gather, at);
  else setTimer(ctx, leg, 'gather_wait', at + gather.timeout_millis, { gather: gather.id });
}

function interruptPrompt(ctx: SimContext, leg: Leg, gather: Gather, status: string, at: number): void {
  const part = gather.playing[0];
  if (part?.kind === 'playback') ended(ctx, leg, part, status, at);
  gather.playing = [];
  clearTimers(ctx, leg, ['gather_prompt_end']);
}

export function endGather(ctx: SimContext, leg: Leg, status: string, at: number): void {
  const gather = leg.gather;
  if (gather === null) return;
  interruptPrompt(ctx, leg, gather, status === 'call_hangup' ? 'call_hangup' : 'cancelled', at);
  clearTimers(ctx, leg, ['gather_wait', 'gather_inter', 'gather_total']);
  leg.gather = null;
  emit(ctx, leg, 'call.gather.ended', at, {
    digits: gather.digits,
    status,
    ...(gather.kind === 'gather' && { gather_id: gather.gather_id }),
  });
}

function digitsValid(gather: Gather): boolean {
  return (
    gather.digits.length >= gather.minimum_digits &&
    gather.digits.length <= gather.maximum_digits &&
    [...gather.digits].every((d) => gather.valid_digits.includes(d))
  );
}

/** Another go at a prompted gather (no input, or invalid input), or its end after maximum_tries. */
function retry(ctx: SimContext, leg: Leg, gather: Gather, failure: 'timeout' | 'invalid', at: number): void {
  if (gather.prompt === null || gather.tries >= gather.maximum_tries) {
    endGather(ctx, leg, failure, at);
    return;
  }
  gather.tries++;
  gather.digits = '';
  const parts =
    failure === 'invalid' && gather.invalid_prompt ? [gather.invalid_prompt, gather.prompt] : [gather.prompt];
  playPrompt(ctx, leg, gather, parts, at);
}

/** The digits so far are the answer: valid, or invalid (another try when the gather has a prompt). */
export function finishAttempt(ctx: SimContext, leg: Leg, at: number): void {
  const gather = leg.gather!;
  clearTimers(ctx, leg, ['gather_wait', 'gather_inter', 'gather_total']);
  if (digitsValid(gather)) endGather(ctx, leg, 'valid', at);
  else retry(ctx, leg, gather, 'invalid', at);
}

/** No first digit in time (initial_timeout_millis, or timeout_millis after a prompt). */
export function noInput(ctx: SimContext, leg: Leg, at: number): void {
  const gather = leg.gather!;
  clearTimers(ctx, leg, ['gather_wait', 'gather_total']);
  retry(ctx, leg, gather, 'timeout', at);
}

/** A plain gather's timeout_millis: what was pressed is judged, nothing pressed is a timeout. */
export function gatherTimedOut(ctx: SimContext, leg: Leg, at: number): void {
  if (leg.gather!.digits === '') noInput(ctx, leg, at);
  else finishAttempt(ctx, leg, at);
}

/** The far end presses a digit: call.dtmf.received, and the gather (if any) hears it. */
export function pressDigit(ctx: SimContext, leg: Leg, digit: string, at: number): void {
  emit(ctx, leg, 'call.dtmf.received', at, { digit });
  const gather = leg.gather;
  if (gather === null) return;
  interruptPrompt(ctx, leg, gather, 'cancelled', at);
  clearTimers(ctx, leg, ['gather_wait', 'gather_inter']);
  if (gather.terminating_digit !== '' && digit === gather.terminating_digit) {
    finishAttempt(ctx, leg, at);
    return;
  }
  gather.digits += digit;
  if (gather.digits.length >= gather.maximum_digits) finishAttempt(ctx, leg, at);
  else setTimer(ctx, leg, 'gather_inter', at + gather.inter_digit_timeout_millis, { gather: gather.id });
}

// Recordings.

export function startRecording(
  ctx: SimContext,
  leg: Leg,
  recording: { id: string; format: 'mp3' | 'wav'; channels: 'single' | 'dual'; max_length?: number },
  at: number,
): void {
  leg.recording = {
    id: recording.id,
    format: recording.format,
    channels: recording.channels,
    started_at: at,
    origin: leg.origin,
  };
  if (recording.max_length) setTimer(ctx, leg, 'record_max', at + recording.max_length * 1000, { id: recording.id });
}

/** The recording stops (record_stop, max_length, hangup): kept for GET /sim/recordings, and call.recording.saved. */
export function saveRecording(ctx: SimContext, leg: Leg, at: number): void {
  const recording = leg.recording;
  if (recording === null) return;
  leg.recording = null;
  clearTimers(ctx, leg, ['record_max']);
  ctx.store.run(
    'INSERT INTO recordings (id, body) VALUES (?, ?)',
    recording.id,
    JSON.stringify({
      ...recording,
      call_leg_id: leg.call_leg_id,
      call_session_id: leg.call_session_id,
      ended_at: at,
    }),
  );
  emitRecordingSaved(ctx, leg, recording, at);
}

/** The leg hangs up: what plays and what is gathered ends with status call_hangup. */
export function endAllMedia(ctx: SimContext, leg: Leg, at: number): void {
  endGather(ctx, leg, 'call_hangup', at);
  const head = leg.media[0];
  if (head?.started) ended(ctx, leg, head, 'call_hangup', at);
  for (const item of leg.overlays) ended(ctx, leg, item, 'call_hangup', at, true);
  leg.media = [];
  leg.overlays = [];
}
