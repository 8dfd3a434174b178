// The hourly cron work (upstream mode): read every connection, FQDN, IP and outbound voice profile
// back from Telnyx, bring the edge's copy in line, and report what differed ("drift": a change made
// in the Telnyx portal, a write whose outcome was unknown, a record deleted behind the edge's back).
//
// Each run is a row in D1 (connection_sync_runs) keyed by the cron's scheduled time, so a cron that
// fires twice for one time syncs once (a failed run may be retried); what differed is written
// beside it (connection_sync_drift), one row per record, and logged. Everything is read from Telnyx
// before anything is changed, so a failure half-way leaves the copy as it was. A record written
// through the edge while the run was reading is left for the next run. In local mode the edge is
// the store and there is nothing to sync. A record made in local mode (before a switch to upstream)
// is not Telnyx's to remove: it is kept and reported as "local_only" at every run.

import { log } from '../../../shared/log';
import { isObject } from './fields';
import { NO_ROUTING } from './routing';
import type { ConnectionType } from './schemas';
import {
  load,
  loadAll,
  originOf,
  remove,
  save,
  withKnownPassword,
  type Resource,
  type StoredConnection,
  type TelnyxObject,
} from './store';
import { listUpstream, modeOf, telnyxClientFromEnv } from './upstream';
import { rebuildUserNames } from './user-names';

/** wrangler.toml's hourly trigger; other crons belong to other work. */
export const SYNC_CRON = '0 * * * *';

interface Kind {
  label: string;
  path: string;
  resource: Resource;
  type?: ConnectionType;
}

const KINDS: readonly Kind[] = [
  { label: 'credential_connection', path: '/credential_connections', resource: 'connection', type: 'credential' },
  { label: 'ip_connection', path: '/ip_connections', resource: 'connection', type: 'ip' },
  { label: 'fqdn_connection', path: '/fqdn_connections', resource: 'connection', type: 'fqdn' },
  { label: 'fqdn', path: '/fqdns', resource: 'fqdn' },
  { label: 'ip', path: '/ips', resource: 'ip' },
  { label: 'outbound_voice_profile', path: '/outbound_voice_profiles', resource: 'outbound_voice_profile' },
];

/** Values never written to D1 or logs. */
const SECRETS = new Set(['/password', '/outbound/ip_authentication_token']);

export interface FieldDrift {
  pointer: string;
  edge: unknown;
  telnyx: unknown;
}

export interface Drift {
  resource: string;
  id: string;
  change: 'added' | 'removed' | 'changed' | 'local_only';
  fields: FieldDrift[];
}

/** Where two records differ, leaf by leaf (a missing field and null are the same). */
export function differences(edge: unknown, telnyx: unknown, pointer = '', out: FieldDrift[] = []): FieldDrift[] {
  if (isObject(edge) && isObject(telnyx)) {
    for (const key of new Set([...Object.keys(edge), ...Object.keys(telnyx)])) {
      differences(edge[key], telnyx[key], `${pointer}/${key}`, out);
    }
  } else if (JSON.stringify(edge ?? null) !== JSON.stringify(telnyx ?? null)) {
    const secret = SECRETS.has(pointer);
    out.push({
      pointer,
      edge: secret ? '[redacted]' : (edge ?? null),
      telnyx: secret ? '[redacted]' : (telnyx ?? null),
    });
  }
  return out;
}

type Local = { data: TelnyxObject; stored: StoredConnection | TelnyxObject };

async function localRecords(kv: KVNamespace, kind: Kind, connections: StoredConnection[]): Promise<Map<string, Local>> {
  const records: Local[] =
    kind.resource === 'connection'
      ? connections.filter((c) => c.type === kind.type).map((c) => ({ data: c.data, stored: c }))
      : (await loadAll(kv, kind.resource)).map((r) => ({ data: r as TelnyxObject, stored: r as TelnyxObject }));
  return new Map(records.map((r) => [r.data.id, r]));
}

/** Brings one kind's copy in line with Telnyx's records; what differed. */
async function reconcileKind(
  kv: KVNamespace,
  kind: Kind,
  remote: TelnyxObject[],
  local: Map<string, Local>,
): Promise<Drift[]> {
  const drifts: Drift[] = [];
  const unchangedSince = async (id: string, seen: Local | undefined) => {
    const now = await load(kv, kind.resource, id);
    return JSON.stringify(now ?? null) === JSON.stringify(seen?.stored ?? null);
  };
  for (const record of remote) {
    const seen = local.get(record.id);
    const data = withKnownPassword(record, seen?.data.password);
    const fields = seen === undefined ? [] : differences(seen.data, data);
    if (seen !== undefined && fields.length === 0) continue;
    if (!(await unchangedSince(record.id, seen))) continue; // written meanwhile: next run
    if (kind.resource === 'connection') {
      const previous = seen?.stored as StoredConnection | undefined;
      const stored: StoredConnection = previous
        ? { ...previous, data }
        : { type: kind.type!, data, edge: { ...NO_ROUTING }, v1: {}, registration: null };
      await save(kv, 'connection', record.id, stored, 'telnyx');
    } else {
      await save(kv, kind.resource, record.id, data, 'telnyx');
    }
    drifts.push({ resource: kind.label, id: record.id, change: seen === undefined ? 'added' : 'changed', fields });
  }
  const remoteIds = new Set(remote.map((r) => r.id));
  for (const [id, seen] of local) {
    if (remoteIds.has(id)) continue;
    // Made in local mode: Telnyx never had it. Kept, and reported until someone decides.
    if ((await originOf(kv, kind.resource, id)) === 'edge') {
      drifts.push({ resource: kind.label, id, change: 'local_only', fields: [] });
      continue;
    }
    if (!(await unchangedSince(id, seen))) continue;
    await remove(kv, kind.resource, id);
    drifts.push({ resource: kind.label, id, change: 'removed', fields: [] });
  }
  return drifts;
}

/** Claims this scheduled time's run (or retakes a failed one); undefined when it ran already. */
async function startRun(db: D1Database, controller: ScheduledController): Promise<number | undefined> {
  const row = await db
    .prepare(
      `INSERT INTO connection_sync_runs (scheduled_time, cron, started_at, status) VALUES (?, ?, ?, 'running')
       ON CONFLICT (scheduled_time) DO UPDATE SET started_at = excluded.started_at, status = 'running',
         finished_at = NULL, checked = NULL, drifted = NULL, error = NULL
       WHERE connection_sync_runs.status = 'failed'
       RETURNING id`,
    )
    .bind(controller.scheduledTime, controller.cron, new Date().toISOString())
    .first<{ id: number }>();
  return row?.id;
}

async function finishRun(
  db: D1Database,
  id: number,
  outcome: { checked: number; drifts: Drift[] } | { error: string },
): Promise<void> {
  const finished = new Date().toISOString();
  if ('error' in outcome) {
    await db
      .prepare(`UPDATE connection_sync_runs SET finished_at = ?, status = 'failed', error = ? WHERE id = ?`)
      .bind(finished, outcome.error.slice(0, 500), id)
      .run();
    return;
  }
  await db.batch([
    db
      .prepare(`UPDATE connection_sync_runs SET finished_at = ?, status = 'ok', checked = ?, drifted = ? WHERE id = ?`)
      .bind(finished, outcome.checked, outcome.drifts.length, id),
    ...outcome.drifts.map((d) =>
      db
        .prepare(
          `INSERT OR REPLACE INTO connection_sync_drift (run_id, resource, resource_id, change, fields) VALUES (?, ?, ?, ?, ?)`,
        )
        .bind(id, d.resource, d.id, d.change, JSON.stringify(d.fields)),
    ),
  ]);
}

/** One sync: Telnyx's records, the copy brought in line, the user-name claims rebuilt. */
async function sync(env: Env): Promise<{ checked: number; drifts: Drift[] }> {
  const client = telnyxClientFromEnv(env);
  const remote = new Map<string, TelnyxObject[]>();
  for (const kind of KINDS) remote.set(kind.label, await listUpstream(client, kind.path));

  const connections = await loadAll(env.CONFIG, 'connection');
  const drifts: Drift[] = [];
  let checked = 0;
  for (const kind of KINDS) {
    const records = remote.get(kind.label)!;
    const local = await localRecords(env.CONFIG, kind, connections);
    checked += new Set([...records.map((r) => r.id), ...local.keys()]).size;
    drifts.push(...(await reconcileKind(env.CONFIG, kind, records, local)));
  }
  // Telnyx's credential connections hold their names; so do the edge's own, kept above.
  const kept = drifts.filter((d) => d.change === 'local_only' && d.resource === 'credential_connection');
  const holders = [
    ...remote.get('credential_connection')!,
    ...connections.filter((c) => kept.some((d) => d.id === c.data.id)).map((c) => c.data),
  ]
    .filter((c) => typeof c.user_name === 'string')
    .map((c) => ({ id: c.id, user_name: c.user_name as string }));
  await rebuildUserNames(env.DB, holders);
  return { checked, drifts };
}

export async function runSync(env: Env, controller: ScheduledController): Promise<void> {
  if (controller.cron !== SYNC_CRON || modeOf(env) !== 'upstream') return;
  const runId = await startRun(env.DB, controller);
  if (runId === undefined) {
    log.info('connection_sync_skipped', { scheduled_time: controller.scheduledTime, reason: 'already run' });
    return;
  }
  let result: { checked: number; drifts: Drift[] };
  try {
    result = await sync(env);
  } catch (error) {
    await finishRun(env.DB, runId, { error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  await finishRun(env.DB, runId, result);
  const summary = { run_id: runId, checked: result.checked, drifted: result.drifts.length };
  if (result.drifts.length === 0) {
    log.info('connection_sync', summary);
  } else {
    log.warn('connection_drift', {
      ...summary,
      records: result.drifts.map((d) => ({
        resource: d.resource,
        id: d.id,
        change: d.change,
        fields: d.fields.map((f) => f.pointer),
      })),
    });
  }
}
