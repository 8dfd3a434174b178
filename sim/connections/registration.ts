// SIP registration of credential connections: what POST /v2/credential_connections/{id}/actions/
// check_registration_status reports. Nothing registers by itself in the simulator; a test or a
// person sets the state with PATCH /sim/connections/{id}/registration.

import type { ActionCheckRegistrationStatusResponse } from 'telnyx/resources/credential-connections/actions';
import type { SimContext } from '../context';
import { applyFields, int, oneOf, str, type Fields } from '../api/fields';
import { requireConnection } from './connections';
import type { Resource } from './store';

export const REGISTRATION_STATUSES = [
  'Not Applicable',
  'Not Registered',
  'Failed',
  'Expired',
  'Registered',
  'Unregistered',
] as const;

const REGISTRATION_FIELDS: Fields = {
  status: oneOf(REGISTRATION_STATUSES),
  ip_address: str({ nullable: true }),
  port: int({ min: 1, max: 65535, nullable: true }),
  transport: oneOf(['UDP', 'TCP', 'TLS', 'WSS'], { nullable: true }),
  user_agent: str({ nullable: true }),
};

/** What the account knows of a connection's registration: Telnyx's record without its username and type. */
type Registration = Required<Omit<ActionCheckRegistrationStatusResponse.Data, 'record_type' | 'sip_username'>>;

const NEVER: Registration = {
  status: 'Not Registered',
  ip_address: null,
  port: null,
  transport: null,
  user_agent: null,
  last_registration: null,
};

function stored(ctx: SimContext, id: string): Registration {
  const row = ctx.store.first<{ body: string }>('SELECT body FROM registrations WHERE connection_id = ?', id);
  return row === undefined ? { ...NEVER } : (JSON.parse(row.body) as Registration);
}

/** Telnyx's registration_status record for a credential connection. */
export function registrationStatus(ctx: SimContext, connection: Resource) {
  const registration = stored(ctx, connection.id);
  return {
    record_type: 'registration_status',
    sip_username: connection.user_name,
    status: registration.status,
    ip_address: registration.ip_address,
    port: registration.port,
    transport: registration.transport,
    user_agent: registration.user_agent,
    last_registration: registration.last_registration,
  };
}

/** PATCH /sim/connections/{id}/registration: a registration (or its loss) happens now. */
export function setRegistration(ctx: SimContext, id: string, body: Record<string, unknown>) {
  const connection = requireConnection(ctx, id, 'credential_connection');
  const next = applyFields(REGISTRATION_FIELDS, body, stored(ctx, id)) as Registration;
  if (body.status === 'Registered') next.last_registration = ctx.iso();
  ctx.store.run(
    `INSERT INTO registrations (connection_id, body) VALUES (?, ?)
     ON CONFLICT (connection_id) DO UPDATE SET body = excluded.body`,
    id,
    JSON.stringify(next),
  );
  return registrationStatus(ctx, connection);
}
