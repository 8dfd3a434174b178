// Credential, IP and FQDN connections: create, update and delete in either mode, with Telnyx's
// defaults and checks (fields.ts, schemas.ts), the rules that span fields or records, the user-name
// claim (user-names.ts) and the edge's routing (routing.ts). The V1 view (v1.ts) writes through
// these same functions, so both APIs see one store.

import { notFound } from '../../../shared/errors';
import { invalid } from '../../../shared/telnyx/messaging-profile';
import { applied, applyFields, at, defaults, isObject, requireFields } from './fields';
import { NO_ROUTING, mergeRouting, splitEdge } from './routing';
import { CONNECTION_REQUIRED, RECORD_TYPE, attenuationDefault, connectionFields, type ConnectionType } from './schemas';
import {
  load,
  loadAll,
  newId,
  now,
  originOf,
  remove,
  save,
  withKnownPassword,
  type StoredConnection,
  type TelnyxObject,
} from './store';
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
import { bindUserName, claimUserName, releaseUserName, sameUserName } from './user-names';

export const CONNECTION_PATH: Record<ConnectionType, string> = {
  credential: '/credential_connections',
  ip: '/ip_connections',
  fqdn: '/fqdn_connections',
};

const LABEL: Record<ConnectionType, string> = {
  credential: 'credential connection',
  ip: 'IP connection',
  fqdn: 'FQDN connection',
};

type ConnEnv = Pick<Env, 'CONFIG' | 'DB' | 'VOICE_CONNECTIONS_MODE' | 'TELNYX_API_KEY' | 'TELNYX_API_BASE'>;

export interface WriteOptions {
  /** V1 fields kept beside the connection (v1.ts); left as they are when undefined. */
  v1?: Record<string, unknown>;
}

/** A stored connection, of `type` when given; 404 otherwise. */
export async function requireConnection(kv: KVNamespace, id: string, type?: ConnectionType): Promise<StoredConnection> {
  const stored = await load(kv, 'connection', id);
  if (stored === undefined || (type !== undefined && stored.type !== type)) {
    throw notFound(`No ${type === undefined ? 'connection' : LABEL[type]} with id ${id}.`);
  }
  return stored;
}

// --- Rules beyond one field ---------------------------------------------------------------------

function touches(body: Record<string, unknown>, pointer: string): boolean {
  return at(body, pointer) !== undefined;
}

/** Checks that span fields (always) and records (local mode only: upstream, Telnyx judges). */
async function checkRules(
  env: ConnEnv,
  type: ConnectionType,
  id: string | undefined,
  data: Record<string, unknown>,
  body: Record<string, unknown>,
  mode: Mode,
): Promise<void> {
  if (
    type !== 'credential' &&
    data.encrypted_media !== null &&
    data.transport_protocol === 'TLS' &&
    (touches(body, '/encrypted_media') || touches(body, '/transport_protocol'))
  ) {
    throw invalid('/encrypted_media', 'encrypted_media cannot be set while transport_protocol is TLS.');
  }
  const jitter = data.jitter_buffer as Record<string, number | null>;
  if (
    touches(body, '/jitter_buffer') &&
    jitter.jitterbuffer_msec_min != null &&
    jitter.jitterbuffer_msec_max != null &&
    jitter.jitterbuffer_msec_min > jitter.jitterbuffer_msec_max
  ) {
    throw invalid(
      '/jitter_buffer/jitterbuffer_msec_min',
      'jitterbuffer_msec_min must not exceed jitterbuffer_msec_max.',
    );
  }
  if (mode === 'upstream') return;

  const profile = at(data, '/outbound/outbound_voice_profile_id');
  if (touches(body, '/outbound/outbound_voice_profile_id') && typeof profile === 'string') {
    if ((await load(env.CONFIG, 'outbound_voice_profile', profile)) === undefined) {
      throw invalid('/outbound/outbound_voice_profile_id', `No outbound voice profile with id ${profile}.`);
    }
  }
  if (type === 'credential') return;
  const child = type === 'ip' ? 'ip' : 'fqdn';
  for (const rank of ['primary', 'secondary', 'tertiary']) {
    const pointer = `/inbound/default_${rank}_${child}_id`;
    const target = at(data, pointer);
    if (!touches(body, pointer) || target === null) continue;
    const record = await load(env.CONFIG, child, String(target));
    if (record === undefined || id === undefined || record.connection_id !== id) {
      throw invalid(pointer, `${pointer.slice(9)} must be the id of an ${child.toUpperCase()} of this connection.`);
    }
  }
}

/** Telnyx picks the attenuation limit from the engine when only the engine is given. */
function fillEngineDefaults(data: Record<string, unknown>, body: Record<string, unknown>): void {
  const details = body.noise_suppression_details;
  if (isObject(details) && details.engine !== undefined && details.attenuation_limit === undefined) {
    const target = data.noise_suppression_details as Record<string, unknown>;
    target.attenuation_limit = attenuationDefault(String(target.engine));
  }
}

// --- Writes -------------------------------------------------------------------------------------

export async function createConnection(
  env: ConnEnv,
  type: ConnectionType,
  body: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<StoredConnection> {
  const mode = modeOf(env);
  const [telnyx, edgeBody] = splitEdge(body);
  const fields = connectionFields(type, 'create');
  requireFields(telnyx, CONNECTION_REQUIRED[type]);
  let data = defaults(fields) as TelnyxObject;
  applyFields(data, telnyx, fields);
  fillEngineDefaults(data, telnyx);
  const edge = edgeBody === undefined ? { ...NO_ROUTING } : mergeRouting(NO_ROUTING, edgeBody);
  await checkRules(env, type, undefined, data, telnyx, mode);

  const id = newId();
  const holder = mode === 'local' ? id : `pending:${crypto.randomUUID()}`;
  const userName = type === 'credential' ? String(data.user_name) : undefined;
  if (userName !== undefined) await claimUserName(env, userName, holder);
  try {
    if (mode === 'local') {
      const stamp = now();
      data = { ...data, id, record_type: RECORD_TYPE[type], created_at: stamp, updated_at: stamp };
    } else {
      const answer = await createUpstream(env, `create of the ${LABEL[type]}`, CONNECTION_PATH[type], telnyx);
      data = withKnownPassword(answer, telnyx.password);
      if (userName !== undefined) await bindUserName(env.DB, userName, holder, data.id);
    }
    const stored: StoredConnection = { type, data, edge, v1: options.v1 ?? {}, registration: null };
    await save(env.CONFIG, 'connection', data.id, stored, originIn(mode));
    return stored;
  } catch (error) {
    // Refused, unanswered or not stored: the name is free again. (If Telnyx made the connection
    // after all, Telnyx itself refuses the name to others, and the hourly sync claims it again.)
    if (userName !== undefined) {
      await releaseUserName(env.DB, userName, holder);
      if (mode === 'upstream') await releaseUserName(env.DB, userName, String(data.id));
    }
    throw error;
  }
}

/** How the copy follows Telnyx when a write's outcome had to be read back. */
function settleConnection(env: ConnEnv, stored: StoredConnection): Settle {
  return {
    keep: (data) =>
      save(
        env.CONFIG,
        'connection',
        stored.data.id,
        { ...stored, data: withKnownPassword(data, stored.data.password) },
        'telnyx',
      ),
    gone: () => forget(env, stored),
  };
}

export async function updateConnection(
  env: ConnEnv,
  type: ConnectionType | undefined,
  id: string,
  body: Record<string, unknown>,
  options: WriteOptions = {},
): Promise<StoredConnection> {
  const mode = modeOf(env);
  const stored = await requireConnection(env.CONFIG, id, type);
  const [telnyx, edgeBody] = splitEdge(body);
  const fields = connectionFields(stored.type, 'update');
  let data = structuredClone(stored.data);
  applyFields(data, telnyx, fields);
  fillEngineDefaults(data, telnyx);
  const edge = edgeBody === undefined ? stored.edge : mergeRouting(stored.edge, edgeBody);
  await checkRules(env, stored.type, id, data, telnyx, mode);

  const forTelnyx = Object.keys(telnyx).some((key) => fields[key] !== undefined && !fields[key].readOnly);
  const origin = mode === 'local' ? 'edge' : await originOf(env.CONFIG, 'connection', id);
  if (forTelnyx && mode === 'upstream' && origin === 'edge') throw notAtTelnyx(`The ${LABEL[stored.type]}`, id);
  const oldName = stored.data.user_name;
  const rename = stored.type === 'credential' && !sameUserName(oldName, data.user_name);
  if (rename) await claimUserName(env, String(data.user_name), id);
  try {
    if (mode === 'local') {
      data.updated_at = now();
    } else if (forTelnyx) {
      const answer = await updateUpstream(
        env,
        `update of ${LABEL[stored.type]} ${id}`,
        `${CONNECTION_PATH[stored.type]}/${encodeURIComponent(id)}`,
        telnyx,
        (held) => applied(telnyx, withKnownPassword(held, telnyx.password ?? stored.data.password)),
        settleConnection(env, stored),
      );
      data = withKnownPassword(answer, telnyx.password ?? stored.data.password);
    }
    const next: StoredConnection = { ...stored, data, edge, v1: options.v1 ?? stored.v1 };
    await save(env.CONFIG, 'connection', id, next, origin);
    if (rename) await releaseUserName(env.DB, String(oldName), id);
    return next;
  } catch (error) {
    if (rename) await releaseUserName(env.DB, String(data.user_name), id);
    throw error;
  }
}

/** Deletes a connection with its FQDNs or IPs, and frees its user name. */
export async function deleteConnection(
  env: ConnEnv,
  type: ConnectionType | undefined,
  id: string,
): Promise<StoredConnection> {
  const stored = await requireConnection(env.CONFIG, id, type);
  // A connection made in local mode is not at Telnyx: deleting it is the edge's business only.
  if (modeOf(env) === 'upstream' && (await originOf(env.CONFIG, 'connection', id)) === 'telnyx') {
    const path = `${CONNECTION_PATH[stored.type]}/${encodeURIComponent(id)}`;
    await deleteUpstream(env, `delete of ${LABEL[stored.type]} ${id}`, path, settleConnection(env, stored));
  }
  await forget(env, stored);
  return stored;
}

async function forget(env: ConnEnv, stored: StoredConnection): Promise<void> {
  const id = stored.data.id;
  if (stored.type !== 'credential') {
    const child = stored.type === 'ip' ? 'ip' : 'fqdn';
    for (const record of await loadAll(env.CONFIG, child)) {
      if (record.connection_id === id) await remove(env.CONFIG, child, record.id);
    }
  }
  await remove(env.CONFIG, 'connection', id);
  if (stored.type === 'credential') await releaseUserName(env.DB, String(stored.data.user_name), id);
}

// --- Views --------------------------------------------------------------------------------------

/** A connection as Telnyx answers for one record (password included, as Telnyx does), plus `edge`. */
export function connectionView(stored: StoredConnection): Record<string, unknown> {
  return { ...stored.data, edge: stored.edge };
}

/** A connection in a list: never its password. */
export function connectionListView(stored: StoredConnection): Record<string, unknown> {
  const { password: _password, ...rest } = connectionView(stored);
  return rest;
}

/** Telnyx's `Connection` summary of GET /v2/connections, plus `edge`. */
export function connectionSummary(stored: StoredConnection): Record<string, unknown> {
  const d = stored.data;
  return {
    id: d.id,
    record_type: d.record_type ?? RECORD_TYPE[stored.type],
    active: d.active,
    anchorsite_override: d.anchorsite_override,
    connection_name: d.connection_name,
    created_at: d.created_at,
    updated_at: d.updated_at,
    outbound_voice_profile_id: at(d, '/outbound/outbound_voice_profile_id') ?? null,
    tags: d.tags ?? [],
    webhook_api_version: d.webhook_api_version,
    webhook_event_url: d.webhook_event_url ?? null,
    webhook_event_failover_url: d.webhook_event_failover_url ?? null,
    edge: stored.edge,
  };
}
