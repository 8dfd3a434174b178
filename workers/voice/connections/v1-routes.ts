// /security/connections: the seed's Connections V1 API (seed 003) over the same store as v2.
//
// V1 answers bare objects and arrays (no `data` envelope), as seed 003 shows; a delete answers
// { success, message }. Errors keep Telnyx's shape; a bad body is 400 (seed 003 declares 400 for
// create and update) and a bad list query 422 (seed 003: "improper use of filters or modes").
// Authentication is the edge's: Authorization: Bearer ADMIN_TOKEN, like every other route.

import { ApiError, TelnyxCode, jsonResponse } from '../../../shared/errors';
import { wholeNumber } from '../../../shared/paging';
import { readJsonObject } from '../../../shared/http';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../../../shared/worker';
import { createConnection, deleteConnection, requireConnection, updateConnection } from './connections';
import { requireFields } from './fields';
import { pathParam } from './routes';
import type { ConnectionType } from './schemas';
import { loadAll, type StoredConnection, type TelnyxObject } from './store';
import { modeOf } from './upstream';
import { V1_CREATE_DEFAULTS, fromV1, safeInteger, toV1, v1Pointer, type V1Context } from './v1';

const PATH = '/security/connections';

/** Runs `work`, answering its errors of status `from` with status `to` (pointers in V1's terms). */
async function restatus<T>(from: number, to: number, type: ConnectionType, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== from) throw error;
    const errors = error.errors.map((e) =>
      e.source?.pointer === undefined ? e : { ...e, source: { pointer: v1Pointer(type, e.source.pointer) } },
    );
    throw new ApiError(to, errors, { headers: error.headers, cause: error });
  }
}

async function contextOf(env: Env, connectionId: string): Promise<V1Context> {
  const ips = (await loadAll(env.CONFIG, 'ip')).filter((ip) => ip.connection_id === connectionId);
  return { ips, upstream: modeOf(env) === 'upstream' };
}

function refuse(parameter: string, detail: string): never {
  throw new ApiError(422, { code: TelnyxCode.badRequest, title: 'Invalid parameter', detail, source: { parameter } });
}

function oneOfParam(query: URLSearchParams, name: string, allowed: readonly string[]): string | undefined {
  const value = query.get(name);
  if (value !== null && !allowed.includes(value))
    refuse(name, `${name} must be ${allowed.map((a) => `"${a}"`).join(' or ')}.`);
  return value ?? undefined;
}

function partial(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  if (value === null) return undefined;
  if (value.length < 3) refuse(name, `${name} needs at least three characters.`);
  return value.toLowerCase();
}

/** GET /security/connections with seed 003's filters, orders, extras and paging. */
async function list(env: Env, query: URLSearchParams): Promise<unknown[]> {
  const mode = oneOfParam(query, 'mode', ['typeahead']);
  const orderBy =
    oneOfParam(query, 'order_by', ['created_at', 'connection_name', 'auth_type', 'active']) ?? 'created_at';
  const reverse = oneOfParam(query, 'sort_direction', ['reverse']) !== undefined;
  const name = partial(query, 'filter_connection_name');
  const user = partial(query, 'filter_auth_user_name');
  const address = query.get('filter_ip_address');
  const page = wholeNumber(query, 'page', 1, Number.MAX_SAFE_INTEGER);
  const perPage = wholeNumber(query, 'per_page', 100, 1000);
  const flag = (key: string) => query.get(key) === 'true';

  const [connections, ips, fqdns] = await Promise.all([
    loadAll(env.CONFIG, 'connection'),
    loadAll(env.CONFIG, 'ip'),
    loadAll(env.CONFIG, 'fqdn'),
  ]);
  const of = (records: TelnyxObject[], c: StoredConnection) => records.filter((r) => r.connection_id === c.data.id);
  const upstream = modeOf(env) === 'upstream';
  const rows = connections
    .map((c) => ({ c, view: toV1(c, { ips: of(ips, c), upstream }) }))
    .filter(
      ({ c, view }) =>
        (name === undefined ||
          String(view.connection_name ?? '')
            .toLowerCase()
            .includes(name)) &&
        (user === undefined || (c.type === 'credential' && String(c.data.user_name).toLowerCase().includes(user))) &&
        (address === null || of(ips, c).some((ip) => ip.ip_address === address)),
    );

  // Each order's natural direction (seed 003): newest first, A to Z, credential then IP then
  // none, active first; "reverse" turns it round. Ties: newest first, then id.
  const newest = (a: StoredConnection, b: StoredConnection) =>
    String(b.data.created_at ?? '').localeCompare(String(a.data.created_at ?? '')) ||
    a.data.id.localeCompare(b.data.id);
  const key = {
    created_at: () => 0,
    connection_name: (a: Record<string, unknown>, b: Record<string, unknown>) =>
      String(a.connection_name ?? '').localeCompare(String(b.connection_name ?? ''), 'en', { sensitivity: 'base' }),
    auth_type: (a: Record<string, unknown>, b: Record<string, unknown>) =>
      Number(b.authentication_type) - Number(a.authentication_type),
    active: (a: Record<string, unknown>, b: Record<string, unknown>) => Number(b.active) - Number(a.active),
  }[orderBy]!;
  const direction = reverse ? -1 : 1;
  rows.sort((a, b) => direction * (key(a.view, b.view) || newest(a.c, b.c)));

  return rows.slice((page - 1) * perPage, page * perPage).map(({ c, view }) => {
    if (mode === 'typeahead') return { id: c.data.id, connection_name: view.connection_name };
    const out: Record<string, unknown> = { ...view };
    if (flag('with_ips') && c.type === 'ip') {
      out.authorized_ips = of(ips, c).map((ip) => ({
        id: safeInteger(ip.id) ?? ip.id,
        ip_address: ip.ip_address,
        port: ip.port,
      }));
    }
    if (flag('with_fqdns') && c.type === 'fqdn') {
      out.fqdns = of(fqdns, c).map((f) => ({
        id: f.id,
        fqdn: f.fqdn,
        port: f.port,
        dns_record_type: f.dns_record_type,
      }));
    }
    // Credential details are the user name only: a list never carries a password.
    if (flag('with_auth') && c.type === 'credential') out.user_name = c.data.user_name;
    return out;
  });
}

export function registerV1Routes(router: EdgeRouter): void {
  router.get<EdgeRequest, EdgeArgs>(PATH, async (request, env) =>
    jsonResponse(await restatus(400, 422, 'ip', () => list(env, new URL(request.url).searchParams))),
  );
  router.post<EdgeRequest, EdgeArgs>(PATH, async (request, env) => {
    const body = await readJsonObject(request);
    const stored = await restatus(422, 400, 'ip', async () => {
      requireFields(body, ['connection_name']);
      const write = fromV1('ip', { ...V1_CREATE_DEFAULTS, ...body }, undefined, { call_failure_check_enabled: false });
      return createConnection(env, 'ip', write.body, { v1: write.v1 });
    });
    return jsonResponse(toV1(stored, await contextOf(env, stored.data.id)));
  });
  router.get<EdgeRequest, EdgeArgs>(`${PATH}/:id`, async (request, env) => {
    const stored = await requireConnection(env.CONFIG, pathParam(request, 'id'));
    return jsonResponse(toV1(stored, await contextOf(env, stored.data.id)));
  });
  router.put<EdgeRequest, EdgeArgs>(`${PATH}/:id`, async (request, env) => {
    const id = pathParam(request, 'id');
    const current = await requireConnection(env.CONFIG, id);
    const body = await readJsonObject(request);
    const ctx = await contextOf(env, id);
    const stored = await restatus(422, 400, current.type, async () => {
      requireFields(body, ['connection_name']);
      const write = fromV1(current.type, body, toV1(current, ctx, { writeOnly: true }), current.v1);
      return updateConnection(env, undefined, id, write.body, { v1: write.v1 });
    });
    return jsonResponse(toV1(stored, ctx));
  });
  router.delete<EdgeRequest, EdgeArgs>(`${PATH}/:id`, async (request, env) => {
    const stored = await deleteConnection(env, undefined, pathParam(request, 'id'));
    return jsonResponse({ success: true, message: `Connection ${stored.data.id} deleted.` });
  });
}
