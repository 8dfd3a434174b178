// Credential, IP and FQDN connections and Call Control applications: created with Telnyx's
// defaults, checked field by field (schema.ts), updated by merging, deleted with their FQDNs and
// IPs. Credential connections' user names are unique in the account whatever their case.

import type { SimContext } from '../context';
import { applyFields, defaultsOf, invalidField, requireFields } from '../api/fields';
import { CREATE_ONLY, FIELDS, FQDN_READ_ONLY_DEFAULTS, REQUIRED, type ConnectionKind } from './schema';
import {
  deleteResource,
  findResource,
  listResources,
  newResourceId,
  requireResource,
  saveResource,
  type Resource,
} from './store';

export const CONNECTION_KINDS: readonly ConnectionKind[] = [
  'credential_connection',
  'ip_connection',
  'fqdn_connection',
  'call_control_application',
];

const WHAT: Record<ConnectionKind, string> = {
  credential_connection: 'credential connection',
  ip_connection: 'IP connection',
  fqdn_connection: 'FQDN connection',
  call_control_application: 'Call Control application',
};

export function requireConnection(ctx: SimContext, id: string, kind: ConnectionKind): Resource {
  return requireResource(ctx, id, [kind], WHAT[kind]);
}

/** A connection of any kind, as GET /v2/connections/{id} finds it. */
export function findConnection(ctx: SimContext, id: string): Resource | undefined {
  return findResource(ctx, id, CONNECTION_KINDS);
}

function checkReferences(ctx: SimContext, connection: Resource, id: string): void {
  const outbound = connection.outbound as { outbound_voice_profile_id?: string | null } | undefined;
  const profileId = outbound?.outbound_voice_profile_id;
  if (profileId && !findResource(ctx, profileId, ['outbound_voice_profile'])) {
    throw invalidField(
      '/outbound/outbound_voice_profile_id',
      `No outbound voice profile with id ${profileId} on this account.`,
    );
  }
  if (typeof connection.user_name === 'string') {
    const taken = listResources(ctx, ['credential_connection']).some(
      (other) =>
        other.id !== id && String(other.user_name).toLowerCase() === (connection.user_name as string).toLowerCase(),
    );
    if (taken) throw invalidField('/user_name', `The user name ${connection.user_name} is already taken.`);
  }
}

export function createConnection(
  ctx: SimContext,
  kind: ConnectionKind,
  body: Record<string, unknown>,
  id: string = newResourceId(),
): Resource {
  requireFields(body, REQUIRED[kind]);
  const fields = applyFields(FIELDS[kind], body, defaultsOf(FIELDS[kind]));
  const now = ctx.iso();
  const connection: Resource = {
    id,
    record_type: kind,
    ...(kind === 'fqdn_connection' ? FQDN_READ_ONLY_DEFAULTS : {}),
    ...fields,
    created_at: now,
    updated_at: now,
  };
  // An IP connection may be created without a name (CreateIpConnectionRequest requires nothing).
  if (kind === 'ip_connection' && connection.connection_name === undefined) connection.connection_name = '';
  checkReferences(ctx, connection, id);
  saveResource(ctx, connection);
  return connection;
}

export function updateConnection(
  ctx: SimContext,
  kind: ConnectionKind,
  id: string,
  body: Record<string, unknown>,
): Resource {
  const current = requireConnection(ctx, id, kind);
  const createOnly = new Set(CREATE_ONLY[kind] ?? []);
  const allowed = Object.fromEntries(Object.entries(body).filter(([key]) => !createOnly.has(key)));
  const updated = applyFields(FIELDS[kind], allowed, current) as Resource;
  updated.updated_at = ctx.iso();
  checkReferences(ctx, updated, id);
  saveResource(ctx, updated);
  return updated;
}

export function deleteConnection(ctx: SimContext, kind: ConnectionKind, id: string): Resource {
  const connection = requireConnection(ctx, id, kind);
  for (const child of listResources(ctx, ['fqdn', 'ip'])) {
    if (child.connection_id === id) deleteResource(ctx, child.id);
  }
  ctx.store.run('UPDATE numbers SET connection_id = NULL WHERE connection_id = ?', id);
  ctx.store.run('DELETE FROM registrations WHERE connection_id = ?', id);
  deleteResource(ctx, id);
  return connection;
}

/** The password as the account shows it: in full, or masked when the mask_connection_passwords setting is on. */
export function present(ctx: SimContext, connection: Resource, passwordJustSet = false): Resource {
  if (typeof connection.password !== 'string' || passwordJustSet || !ctx.settings.mask_connection_passwords) {
    return connection;
  }
  return { ...connection, password: '********' };
}
