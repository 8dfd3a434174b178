// The connection family's other records: FQDNs (of FQDN connections), IPs (of IP connections) and
// outbound voice profiles. Same pipeline as connections: Telnyx's defaults and checks, rules that
// span fields or records, then the write (Telnyx first in upstream mode) and the edge's copy.

import { notFound } from '../../../shared/errors';
import { invalid } from '../../../shared/telnyx/messaging-profile';
import { applied, applyFields, defaults, requireFields, type Fields } from './fields';
import { FQDN_FIELDS, IP_FIELDS, OVP_FIELDS } from './schemas';
import { load, loadAll, newId, now, originOf, remove, save, type TelnyxObject } from './store';
import {
  createUpstream,
  deleteUpstream,
  modeOf,
  notAtTelnyx,
  originIn,
  updateUpstream,
  type Mode,
  type Settle,
} from './upstream';

type ObjEnv = Pick<Env, 'CONFIG' | 'VOICE_CONNECTIONS_MODE' | 'TELNYX_API_KEY' | 'TELNYX_API_BASE'>;

export interface ObjectKind {
  resource: 'fqdn' | 'ip' | 'outbound_voice_profile';
  path: string;
  record_type: string;
  label: string;
  fields: Fields;
  required: { create: readonly string[]; update: readonly string[] };
  /** Checks beyond one field, after the body is applied; may complete `data` (e.g. an srv FQDN's port). */
  rules?: (env: ObjEnv, data: TelnyxObject, body: Record<string, unknown>, mode: Mode) => Promise<void>;
}

/** A connection reference must name a connection of the right type (local mode; upstream, Telnyx judges). */
async function checkOwner(env: ObjEnv, id: unknown, type: 'ip' | 'fqdn', mode: Mode): Promise<void> {
  if (mode === 'upstream' || typeof id !== 'string') return;
  const owner = await load(env.CONFIG, 'connection', id);
  if (owner?.type !== type) {
    throw invalid('/connection_id', `connection_id must be the id of an ${type.toUpperCase()} connection.`);
  }
}

export const FQDN: ObjectKind = {
  resource: 'fqdn',
  path: '/fqdns',
  record_type: 'fqdn',
  label: 'FQDN',
  fields: FQDN_FIELDS,
  required: { create: ['connection_id', 'fqdn', 'dns_record_type'], update: [] },
  // Telnyx: an srv record carries no port (DNS gives it); an a record without one uses 5060.
  async rules(env, data, body, mode) {
    if (data.dns_record_type === 'srv') {
      if (body.port === undefined) data.port = null;
      else if (data.port !== null) throw invalid('/port', 'An srv record takes no port (set port to null).');
    } else if (data.port === null) {
      data.port = 5060;
    }
    if (body.connection_id !== undefined) await checkOwner(env, data.connection_id, 'fqdn', mode);
  },
};

export const IP: ObjectKind = {
  resource: 'ip',
  path: '/ips',
  record_type: 'ip',
  label: 'IP',
  fields: IP_FIELDS,
  required: { create: ['ip_address'], update: ['ip_address'] },
  async rules(env, data, body, mode) {
    if (body.connection_id !== undefined) await checkOwner(env, data.connection_id, 'ip', mode);
  },
};

export const OUTBOUND_VOICE_PROFILE: ObjectKind = {
  resource: 'outbound_voice_profile',
  path: '/outbound_voice_profiles',
  record_type: 'outbound_voice_profile',
  label: 'outbound voice profile',
  fields: OVP_FIELDS,
  required: { create: ['name'], update: ['name'] },
};

function settle(env: ObjEnv, kind: ObjectKind, id: string): Settle {
  return {
    keep: (data) => save(env.CONFIG, kind.resource, id, data, 'telnyx'),
    gone: () => remove(env.CONFIG, kind.resource, id),
  };
}

export async function requireObject(kv: KVNamespace, kind: ObjectKind, id: string): Promise<TelnyxObject> {
  const record = await load(kv, kind.resource, id);
  if (record === undefined) throw notFound(`No ${kind.label} with id ${id}.`);
  return record;
}

export async function createObject(
  env: ObjEnv,
  kind: ObjectKind,
  body: Record<string, unknown>,
): Promise<TelnyxObject> {
  const mode = modeOf(env);
  requireFields(body, kind.required.create);
  let data = defaults(kind.fields) as TelnyxObject;
  applyFields(data, body, kind.fields);
  await kind.rules?.(env, data, body, mode);
  if (mode === 'local') {
    const stamp = now();
    data = { ...data, id: newId(), record_type: kind.record_type, created_at: stamp, updated_at: stamp };
  } else {
    data = await createUpstream(env, `create of the ${kind.label}`, kind.path, body);
  }
  await save(env.CONFIG, kind.resource, data.id, data, originIn(mode));
  return data;
}

export async function updateObject(
  env: ObjEnv,
  kind: ObjectKind,
  id: string,
  body: Record<string, unknown>,
): Promise<TelnyxObject> {
  const mode = modeOf(env);
  const current = await requireObject(env.CONFIG, kind, id);
  requireFields(body, kind.required.update);
  let data = structuredClone(current);
  applyFields(data, body, kind.fields);
  await kind.rules?.(env, data, body, mode);
  if (mode === 'local') {
    data.updated_at = now();
  } else if ((await originOf(env.CONFIG, kind.resource, id)) === 'edge') {
    throw notAtTelnyx(`The ${kind.label}`, id);
  } else {
    const path = `${kind.path}/${encodeURIComponent(id)}`;
    const patch = Object.fromEntries(Object.entries(body).filter(([key]) => key in kind.fields));
    data = await updateUpstream(
      env,
      `update of ${kind.label} ${id}`,
      path,
      body,
      (held) => applied(patch, held),
      settle(env, kind, id),
    );
  }
  await save(env.CONFIG, kind.resource, id, data, originIn(mode));
  return data;
}

export async function deleteObject(env: ObjEnv, kind: ObjectKind, id: string): Promise<TelnyxObject> {
  const current = await requireObject(env.CONFIG, kind, id);
  if (modeOf(env) === 'upstream' && (await originOf(env.CONFIG, kind.resource, id)) === 'telnyx') {
    const path = `${kind.path}/${encodeURIComponent(id)}`;
    await deleteUpstream(env, `delete of ${kind.label} ${id}`, path, settle(env, kind, id));
  }
  await remove(env.CONFIG, kind.resource, id);
  return current;
}

/** An outbound voice profile as Telnyx shows it; in local mode its connections are counted here. */
export async function withConnectionsCount(env: ObjEnv, profiles: TelnyxObject[]): Promise<TelnyxObject[]> {
  if (modeOf(env) === 'upstream') return profiles;
  const counts = new Map<string, number>();
  for (const connection of await loadAll(env.CONFIG, 'connection')) {
    const profile = (connection.data.outbound as Record<string, unknown> | undefined)?.outbound_voice_profile_id;
    if (typeof profile === 'string') counts.set(profile, (counts.get(profile) ?? 0) + 1);
  }
  return profiles.map((p) => ({ ...p, connections_count: counts.get(p.id) ?? 0 }));
}
