// SIP connection configs: Telnyx's v2 connection family (credential, IP and FQDN connections,
// FQDNs, IPs, outbound voice profiles) and the seed's V1 /security/connections over one store in
// KV, in local or upstream mode (VOICE_CONNECTIONS_MODE), with the edge's own routing under `edge`.
//
//   fields.ts, schemas.ts   Telnyx's fields, defaults and checks, as data
//   store.ts                the KV layout
//   connections.ts          connection writes (either mode), rules across fields and records, views
//   objects.ts              FQDNs, IPs and outbound voice profiles
//   user-names.ts           unique credential user names (a D1 claim)
//   upstream.ts             the modes, and writes that go to Telnyx first
//   routing.ts              the `edge` key and the routing the call engine asks for
//   list.ts                 filters, sort and paging
//   routes.ts               the v2 routes
//   v1.ts, v1-routes.ts     the V1 mapping and its routes
//   registration.ts         check_registration_status
//   sync.ts                 the hourly re-sync from Telnyx and its drift report

import type { EdgeRouter } from '../../../shared/worker';
import { routingOf } from './routing';
import { registerV2Routes } from './routes';
import type { ConnectionRouting } from './store';
import { runSync } from './sync';
import { registerV1Routes } from './v1-routes';

export type { ConnectionRouting };

export function registerConnectionRoutes(router: EdgeRouter): void {
  registerV2Routes(router);
  registerV1Routes(router);
}

/** The routing a connection carries, if the connection exists and has any. */
export async function connectionRouting(env: Env, connectionId: string): Promise<ConnectionRouting | undefined> {
  return routingOf(env, connectionId);
}

/** The hourly cron work: in upstream mode, re-sync from Telnyx and report drift. */
export async function syncConnections(env: Env, controller: ScheduledController): Promise<void> {
  await runSync(env, controller);
}
