// Runs the call timers that are due by the simulator's clock, oldest first, each at the moment it
// was due (so events are stamped with when they happened, however late the alarm or the request
// that catches up). Called by the alarm, at the start of every request, and by POST /sim/clock.

import type { SimContext } from '../context';
import { endLeg, farEndResponds, farSide, ourSide } from './legs';
import { finishAttempt, gatherTimedOut, mediaFinished, noInput, promptPartEnded, saveRecording } from './media';
import { loadLeg, saveLeg, type Leg, type TimerKind } from './state';

interface TimerRow extends Record<string, SqlStorageValue> {
  id: number;
  call_control_id: string;
  kind: string;
  due_at: number;
  data: string;
}

type TimerData = { id?: string; gather?: string };

function fire(ctx: SimContext, leg: Leg, kind: TimerKind, data: TimerData, at: number): void {
  const gatherIsCurrent = data.gather !== undefined && leg.gather?.id === data.gather;
  switch (kind) {
    case 'ring':
      if (leg.status === 'ringing' && leg.far_end !== null) farEndResponds(ctx, leg, leg.far_end, at);
      return;
    case 'timeout':
      if (leg.status === 'ringing') endLeg(ctx, leg, at, 'timeout', 'caller');
      return;
    case 'abandon':
      if (leg.status === 'parked') endLeg(ctx, leg, at, 'originator_cancel', 'caller');
      return;
    case 'time_limit':
      endLeg(ctx, leg, at, 'time_limit', ourSide(leg));
      return;
    case 'far_hangup':
      if (leg.status === 'answered') endLeg(ctx, leg, at, 'normal_clearing', farSide(leg));
      return;
    case 'media_end':
      mediaFinished(ctx, leg, data.id ?? '', at);
      break;
    case 'gather_prompt_end':
      if (gatherIsCurrent) promptPartEnded(ctx, leg, at);
      break;
    case 'gather_wait':
      if (gatherIsCurrent) noInput(ctx, leg, at);
      break;
    case 'gather_inter':
      if (gatherIsCurrent) finishAttempt(ctx, leg, at);
      break;
    case 'gather_total':
      if (gatherIsCurrent) gatherTimedOut(ctx, leg, at);
      break;
    case 'record_max':
      if (leg.recording?.id === data.id) saveRecording(ctx, leg, at);
      break;
  }
  saveLeg(ctx, leg);
}

export function runDueTimers(ctx: SimContext, limit = 10_000): void {
  const now = ctx.now();
  for (let i = 0; i < limit; i++) {
    const timer = ctx.store.first<TimerRow>(
      'SELECT * FROM call_timers WHERE due_at <= ? ORDER BY due_at, id LIMIT 1',
      now,
    );
    if (timer === undefined) return;
    ctx.store.run('DELETE FROM call_timers WHERE id = ?', timer.id);
    const leg = loadLeg(ctx, timer.call_control_id);
    if (leg === undefined || leg.status === 'ended') continue;
    fire(ctx, leg, timer.kind as TimerKind, JSON.parse(timer.data) as TimerData, timer.due_at);
  }
}
