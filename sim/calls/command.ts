// What a Call Control action is (its fields, the state the leg must be in, its effect) and the
// errors a command on a leg in the wrong state gets.

import { ApiError, TelnyxCode } from '../../shared/errors';
import type { Fields } from '../api/fields';
import type { SimContext } from '../context';
import type { Leg } from './state';

/** Telnyx's answer to a command on a call that has hung up (seen from api.telnyx.com; not in the spec). */
export function callEnded(): ApiError {
  return new ApiError(422, {
    code: '90018',
    title: 'Call has already ended',
    detail: "This call is no longer active and can't receive commands.",
  });
}

/** A command the leg is not in a state for (the simulator's choice of code: Telnyx's generic 10015). */
export function wrongState(title: string, detail: string): ApiError {
  return new ApiError(422, { code: TelnyxCode.badRequest, title, detail });
}

export type Needs = 'alive' | 'parked' | 'answered' | 'transferable';

export function checkState(leg: Leg, needs: Needs): void {
  const incomingParked = leg.direction === 'incoming' && leg.status === 'parked';
  if (needs === 'parked' && !incomingParked) {
    throw leg.direction === 'outgoing'
      ? wrongState('Not an incoming call', 'Only an incoming call can be answered or rejected.')
      : wrongState('Call already answered', 'This call has already been answered.');
  }
  if (needs === 'answered' && leg.status !== 'answered') {
    throw wrongState('Call not answered', 'The call must be answered before this command.');
  }
  if (needs === 'transferable') {
    if (!incomingParked && leg.status !== 'answered') {
      throw wrongState('Call not answered', 'An outgoing call can be transferred once it is answered.');
    }
    if (leg.bridged_with !== null || leg.transfer_to !== null) {
      throw wrongState('Call already bridged', 'This call is bridged or being transferred already.');
    }
  }
}

/** One Call Control action. */
export interface Action {
  fields: Fields;
  required?: readonly string[];
  needs: Needs;
  /** Checks across fields, after each field's own. */
  check?(ctx: SimContext, body: Record<string, unknown>, f: Record<string, unknown>, leg: Leg): void;
  /** The effect; returns what the answer carries besides result "ok". */
  run(
    ctx: SimContext,
    leg: Leg,
    f: Record<string, unknown>,
    at: number,
    origin: string,
  ): Record<string, unknown> | void;
}
