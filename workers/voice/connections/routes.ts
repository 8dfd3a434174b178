// The v2 routes, in Telnyx's wire format (the official SDK works against them): credential, IP and
// FQDN connections, GET /v2/connections across types, FQDNs, IPs, outbound voice profiles, and a
// credential connection's check_registration_status. Every route needs the admin token (the entry
// checks it before any worker's router).

import type { IRequest } from 'itty-router';
import { jsonResponse } from '../../../shared/errors';
import { paginate } from '../../../shared/paging';
import { readJsonObject } from '../../../shared/http';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../../../shared/worker';
import {
  connectionListView,
  connectionSummary,
  connectionView,
  createConnection,
  deleteConnection,
  requireConnection,
  updateConnection,
} from './connections';
import { filterConnections, filterRecords, sortBy } from './list';
import {
  FQDN,
  IP,
  OUTBOUND_VOICE_PROFILE,
  createObject,
  deleteObject,
  requireObject,
  updateObject,
  withConnectionsCount,
  type ObjectKind,
} from './objects';
import { checkRegistration } from './registration';
import type { ConnectionType } from './schemas';
import { loadAll, type TelnyxObject } from './store';

/** A path parameter, URL-decoded when it can be. */
export function pathParam(request: IRequest, name: string): string {
  const raw = request.params[name] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

const CONNECTIONS_PAGE = 250;
const queryOf = (request: Request) => new URL(request.url).searchParams;

async function listConnections(env: Env, query: URLSearchParams, type?: ConnectionType) {
  const [all, fqdns] = await Promise.all([loadAll(env.CONFIG, 'connection'), loadAll(env.CONFIG, 'fqdn')]);
  return filterConnections(
    all.filter((c) => type === undefined || c.type === type),
    query,
    fqdns,
  );
}

function registerConnectionType(router: EdgeRouter, type: ConnectionType, path: string): void {
  router.get<EdgeRequest, EdgeArgs>(path, async (request, env) => {
    const query = queryOf(request);
    return jsonResponse(
      paginate((await listConnections(env, query, type)).map(connectionListView), query, CONNECTIONS_PAGE),
    );
  });
  router.post<EdgeRequest, EdgeArgs>(path, async (request, env) =>
    jsonResponse({ data: connectionView(await createConnection(env, type, await readJsonObject(request))) }, 201),
  );
  router.get<EdgeRequest, EdgeArgs>(`${path}/:id`, async (request, env) =>
    jsonResponse({ data: connectionView(await requireConnection(env.CONFIG, pathParam(request, 'id'), type)) }),
  );
  router.patch<EdgeRequest, EdgeArgs>(`${path}/:id`, async (request, env) => {
    const stored = await updateConnection(env, type, pathParam(request, 'id'), await readJsonObject(request));
    return jsonResponse({ data: connectionView(stored) });
  });
  router.delete<EdgeRequest, EdgeArgs>(`${path}/:id`, async (request, env) =>
    jsonResponse({ data: connectionView(await deleteConnection(env, type, pathParam(request, 'id'))) }),
  );
}

/** Lists of FQDNs, IPs and outbound voice profiles, with each one's filters and order. */
type ListRecords = (env: Env, query: URLSearchParams) => Promise<TelnyxObject[]>;

function registerObject(router: EdgeRouter, kind: ObjectKind, path: string, list: ListRecords, pageSize: number): void {
  // Telnyx answers 201 to a new FQDN or IP, 200 to a new outbound voice profile.
  const created = kind === OUTBOUND_VOICE_PROFILE ? 200 : 201;
  const shown = async (env: Env, records: TelnyxObject[]) =>
    kind === OUTBOUND_VOICE_PROFILE ? withConnectionsCount(env, records) : records;
  const one = async (env: Env, record: TelnyxObject) => jsonResponse({ data: (await shown(env, [record]))[0] });

  router.get<EdgeRequest, EdgeArgs>(path, async (request, env) => {
    const query = queryOf(request);
    return jsonResponse(paginate(await shown(env, await list(env, query)), query, pageSize));
  });
  router.post<EdgeRequest, EdgeArgs>(path, async (request, env) => {
    const record = await createObject(env, kind, await readJsonObject(request));
    return jsonResponse({ data: (await shown(env, [record]))[0] }, created);
  });
  router.get<EdgeRequest, EdgeArgs>(`${path}/:id`, async (request, env) =>
    one(env, await requireObject(env.CONFIG, kind, pathParam(request, 'id'))),
  );
  router.patch<EdgeRequest, EdgeArgs>(`${path}/:id`, async (request, env) =>
    one(env, await updateObject(env, kind, pathParam(request, 'id'), await readJsonObject(request))),
  );
  router.delete<EdgeRequest, EdgeArgs>(`${path}/:id`, async (request, env) =>
    one(env, await deleteObject(env, kind, pathParam(request, 'id'))),
  );
}

const listFqdns: ListRecords = async (env, query) =>
  filterRecords(await loadAll(env.CONFIG, 'fqdn'), query, ['connection_id', 'dns_record_type', 'fqdn', 'port']);

const listIps: ListRecords = async (env, query) =>
  filterRecords(await loadAll(env.CONFIG, 'ip'), query, ['connection_id', 'ip_address', 'port']);

/** filter[name][contains] and Telnyx's sort keys; newest first unless asked. */
const listProfiles: ListRecords = async (env, query) => {
  const contains = query.get('filter[name][contains]')?.toLowerCase();
  const profiles = (await loadAll(env.CONFIG, 'outbound_voice_profile')).filter(
    (p) => contains === undefined || String(p.name).toLowerCase().includes(contains),
  );
  const field = (name: string) => (p: TelnyxObject) => p[name] as string | boolean;
  return sortBy(
    profiles,
    query,
    Object.fromEntries(
      ['enabled', 'created_at', 'name', 'service_plan', 'traffic_type', 'usage_payment_method'].map((name) => [
        name,
        field(name),
      ]),
    ),
    '-created_at',
    field('created_at'),
  );
};

export function registerV2Routes(router: EdgeRouter): void {
  router.get<EdgeRequest, EdgeArgs>('/v2/connections', async (request, env) => {
    const query = queryOf(request);
    return jsonResponse(paginate((await listConnections(env, query)).map(connectionSummary), query, CONNECTIONS_PAGE));
  });
  router.get<EdgeRequest, EdgeArgs>('/v2/connections/:id', async (request, env) =>
    jsonResponse({ data: connectionSummary(await requireConnection(env.CONFIG, pathParam(request, 'id'))) }),
  );
  router.post<EdgeRequest, EdgeArgs>(
    '/v2/credential_connections/:id/actions/check_registration_status',
    async (request, env) => jsonResponse({ data: await checkRegistration(env, pathParam(request, 'id')) }),
  );
  registerConnectionType(router, 'credential', '/v2/credential_connections');
  registerConnectionType(router, 'ip', '/v2/ip_connections');
  registerConnectionType(router, 'fqdn', '/v2/fqdn_connections');
  registerObject(router, FQDN, '/v2/fqdns', listFqdns, CONNECTIONS_PAGE);
  registerObject(router, IP, '/v2/ips', listIps, CONNECTIONS_PAGE);
  registerObject(router, OUTBOUND_VOICE_PROFILE, '/v2/outbound_voice_profiles', listProfiles, 20);
}
