// Call flows: the /flows routes (routes.ts), the checks on write (validate.ts), where flows are kept
// and which flow a number belongs to (store.ts). The call engine finds a flow with these:
//
//   1. flowForNumber(env, calledNumber): the flow that lists the called number;
//   2. else the flow named by the connection's routing config (connections: flow_id), by getFlow;
//   3. else getFlow(env, DEFAULT_FLOW_ID), the flow stored with id "default", if there is one;
//   4. else the call is rejected (CALL_REJECTED) and logged (README "Which flow runs").

export { registerFlowRoutes } from './routes';
export { flowForNumber, getFlow } from './store';
export type { Flow, FlowNode } from './types';

/** The id of the flow that runs when neither the called number nor the connection names one. */
export const DEFAULT_FLOW_ID = 'default';
