// SIP connection configs (Telnyx's v2 connections and the seed's V1 /security/connections), kept
// in KV. Being built (issue 6): the routes, the store and the upstream re-sync land here.

import type { EdgeRouter } from '../../../shared/worker';

/** The edge's own routing for calls on a connection: the flow to run, where to forward events. */
export interface ConnectionRouting {
  flow_id?: string | null;
  forward_url?: string | null;
}

export function registerConnectionRoutes(_router: EdgeRouter): void {}

/** The routing a connection carries, if the connection exists and has any. */
export async function connectionRouting(_env: Env, _connectionId: string): Promise<ConnectionRouting | undefined> {
  return undefined;
}

/** The hourly cron work: in upstream mode, re-sync from Telnyx and report drift. */
export async function syncConnections(_env: Env, _controller: ScheduledController): Promise<void> {}
