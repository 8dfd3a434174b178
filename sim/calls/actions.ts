// POST /v2/calls/{call_control_id}/actions/{action}: Telnyx's command bodies (required fields,
// enums, defaults), then the command's effect on the leg (call-actions.ts, media-actions.ts). In
// Telnyx's order: an unknown call is 404; a command_id repeated within 60 s is answered 200 and does
// nothing; a call that has ended is 422 / 90018; then the body's checks; then whether the leg is in
// a state for the command.

import { ApiError, TelnyxCode } from '../../shared/errors';
import type { SimContext } from '../context';
import { applyFields, defaultsOf, requireFields } from '../api/fields';
import { CALL_ACTIONS } from './call-actions';
import { callEnded, checkState, type Action } from './command';
import { repeatOf, remember } from './dedupe';
import { MEDIA_ACTIONS } from './media-actions';
import { note, requireLeg, saveLeg, type Leg } from './state';

export { callEnded };

const ACTIONS: Record<string, Action> = { ...CALL_ACTIONS, ...MEDIA_ACTIONS };

export const ACTION_NAMES = Object.keys(ACTIONS);

export function runAction(
  ctx: SimContext,
  callControlId: string,
  name: string,
  body: Record<string, unknown>,
  origin: string,
): Record<string, unknown> {
  const action = Object.hasOwn(ACTIONS, name) ? ACTIONS[name] : undefined;
  const leg = requireLeg(ctx, callControlId);
  if (action === undefined) {
    throw new ApiError(404, {
      code: TelnyxCode.notFound,
      title: 'Resource not found',
      detail: `The simulator does not know the action ${name}; it knows ${ACTION_NAMES.join(', ')}.`,
    });
  }
  const at = ctx.now();
  const repeat = repeatOf(ctx, callControlId, body.command_id);
  if (repeat !== undefined) {
    note(ctx, leg, 'command', name, { command_id: body.command_id, duplicate: true }, at);
    return repeat as Record<string, unknown>;
  }
  if (leg.status === 'ended') throw callEnded();
  requireFields(body, action.required ?? []);
  const f = applyFields(action.fields, body, defaultsOf(action.fields));
  action.check?.(ctx, body, f, leg);
  checkState(leg, action.needs);
  if (f.client_state !== undefined) leg.client_state = f.client_state as string;
  note(ctx, leg, 'command', name, { command_id: f.command_id ?? null, client_state: f.client_state ?? null }, at);
  const extra = action.run(ctx, leg, f, at, origin) ?? {};
  saveLeg(ctx, leg);
  const response = { result: 'ok', ...extra };
  remember(ctx, callControlId, body.command_id, response);
  return response;
}

/** GET /v2/calls/{call_control_id}: Telnyx's CallWithRecordingId for the leg as it stands. */
export function callStatus(ctx: SimContext, leg: Leg) {
  const end = leg.end_time ?? ctx.now();
  return {
    record_type: 'call',
    call_control_id: leg.call_control_id,
    call_leg_id: leg.call_leg_id,
    call_session_id: leg.call_session_id,
    client_state: leg.client_state,
    is_alive: leg.status !== 'ended',
    start_time: ctx.iso(leg.start_time),
    call_duration: leg.answered_at === null ? 0 : Math.round((end - leg.answered_at) / 1000),
    ...(leg.end_time !== null && { end_time: ctx.iso(leg.end_time) }),
    ...(leg.recording !== null && { recording_id: leg.recording.id }),
  };
}
