// Call flows: the /flows routes and how the call engine finds a flow. Being built (issue 6).

import type { EdgeRouter } from '../../../shared/worker';
import type { Flow } from './types';

export type { Flow, FlowNode } from './types';

export function registerFlowRoutes(_router: EdgeRouter): void {}

/** A stored flow by id. */
export async function getFlow(_env: Env, _id: string): Promise<Flow | undefined> {
  return undefined;
}

/** The flow that answers calls to a number (+E.164), if one claims it. */
export async function flowForNumber(_env: Env, _number: string): Promise<Flow | undefined> {
  return undefined;
}
