// A leg's life: answered (by a command, or by the far end of an outgoing leg), bridged to another
// leg, and ended with Telnyx's hangup cause, source and SIP cause. Ending a leg ends what plays on
// it, saves its recording, hangs up the leg it was bridged to (unless that leg asked to be parked
// after the bridge) and cancels a transfer still ringing.

import type { SimContext } from '../context';
import { emit, emitAnswered, emitBridged, emitHangup } from './events';
import { endAllMedia, saveRecording, startRecording } from './media';
import { clearTimers, loadLeg, saveLeg, setTimer, type FarEnd, type Hangup, type Leg } from './state';

export type HangupCause =
  | 'normal_clearing'
  | 'originator_cancel'
  | 'timeout'
  | 'time_limit'
  | 'user_busy'
  | 'call_rejected'
  | 'not_found'
  | 'unspecified';

/** The SIP response an outgoing leg ends with; incoming legs have none (the spec: "unspecified"). */
const SIP_CAUSE: Record<HangupCause, string> = {
  normal_clearing: '200',
  originator_cancel: '487',
  timeout: '487',
  time_limit: '200',
  user_busy: '486',
  call_rejected: '603',
  not_found: '404',
  unspecified: 'unspecified',
};

/** The side Telnyx (and so the application) is on: the callee of an incoming leg, the caller of an outgoing one. */
export function ourSide(leg: Leg): Hangup['hangup_source'] {
  return leg.direction === 'incoming' ? 'callee' : 'caller';
}

/** The other party: the person who called in, or the destination dialled. */
export function farSide(leg: Leg): Hangup['hangup_source'] {
  return leg.direction === 'incoming' ? 'caller' : 'callee';
}

export function endLeg(
  ctx: SimContext,
  leg: Leg,
  at: number,
  cause: HangupCause,
  source: Hangup['hangup_source'],
): void {
  if (leg.status === 'ended') return;
  endAllMedia(ctx, leg, at);
  clearTimers(ctx, leg);
  leg.status = 'ended';
  leg.end_time = at;
  leg.hangup = {
    hangup_cause: cause,
    hangup_source: source,
    sip_hangup_cause: leg.direction === 'incoming' ? 'unspecified' : SIP_CAUSE[cause],
  };
  emitHangup(ctx, leg, at);
  saveRecording(ctx, leg, at);
  const partnerId = leg.bridged_with;
  const ringingTransfer = leg.transfer_to;
  leg.bridged_with = null;
  leg.transfer_to = null;
  saveLeg(ctx, leg);

  if (partnerId !== null) {
    const partner = loadLeg(ctx, partnerId);
    if (partner !== undefined && partner.status !== 'ended') {
      partner.bridged_with = null;
      if (partner.park_after_unbridge === 'self') saveLeg(ctx, partner);
      else endLeg(ctx, partner, at, 'normal_clearing', ourSide(partner));
    }
  }
  if (ringingTransfer !== null) {
    const target = loadLeg(ctx, ringingTransfer);
    if (target?.status === 'ringing') endLeg(ctx, target, at, 'originator_cancel', 'caller');
  }
  if (leg.transfer_of !== null) {
    const origin = loadLeg(ctx, leg.transfer_of);
    if (origin !== undefined && origin.transfer_to === leg.call_control_id) {
      origin.transfer_to = null;
      saveLeg(ctx, origin);
    }
  }
}

export function bridgeLegs(ctx: SimContext, a: Leg, b: Leg, at: number): void {
  a.bridged_with = b.call_control_id;
  b.bridged_with = a.call_control_id;
  saveLeg(ctx, a);
  saveLeg(ctx, b);
  emitBridged(ctx, a, at);
  emitBridged(ctx, b, at);
}

/** The leg is answered: call.answered, and what was asked for on answer (recording, AMD, a bridge). */
export function answerLeg(ctx: SimContext, leg: Leg, at: number): void {
  leg.status = 'answered';
  leg.answered_at = at;
  clearTimers(ctx, leg, ['ring', 'timeout', 'abandon']);
  emitAnswered(ctx, leg, at);
  if (leg.record_from_answer !== null) {
    startRecording(ctx, leg, leg.record_from_answer, at);
    leg.record_from_answer = null;
  }
  const amd = leg.answering_machine_detection;
  if (amd !== 'disabled') {
    const machine = leg.far_end === 'machine';
    if (amd === 'premium') {
      emit(ctx, leg, 'call.machine.premium.detection.ended', at, { result: machine ? 'machine' : 'human_residence' });
    } else {
      emit(ctx, leg, 'call.machine.detection.ended', at, { result: machine ? 'machine' : 'human' });
    }
  }
  if (leg.far_end === 'answer_then_hangup') setTimer(ctx, leg, 'far_hangup', at + ctx.settings.voice.callee_hangup_ms);
  saveLeg(ctx, leg);

  // A transfer's new leg, or a dial with bridge_on_answer, is bridged to its other leg now.
  const otherId = leg.transfer_of ?? leg.bridge_on_answer;
  if (otherId === null) return;
  const other = loadLeg(ctx, otherId);
  if (other === undefined || other.status === 'ended') return;
  if (other.transfer_to === leg.call_control_id) other.transfer_to = null;
  if (other.status === 'parked') {
    other.status = 'answered';
    other.answered_at = at;
    clearTimers(ctx, other, ['abandon']);
  }
  bridgeLegs(ctx, other, leg, at);
}

/** What the far end of a ringing outgoing leg does when it responds (the destination table). */
export function farEndResponds(ctx: SimContext, leg: Leg, outcome: FarEnd | 'refuse', at: number): void {
  switch (outcome) {
    case 'answer':
    case 'answer_then_hangup':
    case 'machine':
      answerLeg(ctx, leg, at);
      break;
    case 'busy':
      endLeg(ctx, leg, at, 'user_busy', 'callee');
      break;
    case 'reject':
    case 'refuse':
      endLeg(ctx, leg, at, 'call_rejected', 'callee');
      break;
    case 'not_found':
      endLeg(ctx, leg, at, 'not_found', 'callee');
      break;
    case 'no_answer':
      break;
  }
}
