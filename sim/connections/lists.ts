// The list endpoints of the connections family: Telnyx's filters (filter[...] deepObject
// parameters), sort (a field, "-" for descending) and page[number] / page[size] with meta.

import { badRequest } from '../../shared/errors';
import type { SimContext } from '../context';
import { paginate } from '../api/pagination';
import { CONNECTION_KINDS, present } from './connections';
import { presentProfile, type ChildKind } from './resources';
import type { ConnectionKind } from './schema';
import { listResources, type Resource } from './store';

/** The page size the connections family uses when none is asked for (connections_PageConsolidated). */
const CONNECTIONS_PAGE_SIZE = 250;

type SortValue = string | number | boolean | null;

/** Sorts by `sort` (`field` ascending, `-field` descending); equals in creation order (reversed for descending). */
function sorted(items: Resource[], sort: string, allowed: Record<string, (r: Resource) => SortValue>) {
  const descending = sort.startsWith('-');
  const key = allowed[descending ? sort.slice(1) : sort];
  if (key === undefined) {
    throw badRequest(`sort must be one of ${Object.keys(allowed).join(', ')}, with "-" in front for descending.`, {
      parameter: 'sort',
    });
  }
  const order = (a: SortValue, b: SortValue) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : a < b ? -1 : 1);
  return items
    .map((item, index) => ({ item, index }))
    .sort((a, b) => (descending ? -1 : 1) * (order(key(a.item), key(b.item)) || a.index - b.index))
    .map(({ item }) => item);
}

function contains(query: URLSearchParams, parameter: string): string | undefined {
  const value = query.get(parameter);
  if (value === null) return undefined;
  if (value.length < 3) throw badRequest(`${parameter} needs at least three characters.`, { parameter });
  return value.toLowerCase();
}

function nameOf(connection: Resource): string {
  return String(connection.connection_name ?? connection.application_name ?? '');
}

function profileOf(connection: Resource): string | null {
  return (
    (connection.outbound as { outbound_voice_profile_id?: string | null } | undefined)?.outbound_voice_profile_id ??
    null
  );
}

const CONNECTION_SORTS = {
  created_at: (r: Resource) => r.created_at,
  connection_name: (r: Resource) => nameOf(r).toLowerCase(),
  // "active" puts active connections first, as Telnyx's V1 ordering describes it.
  active: (r: Resource) => (r.active === true ? 0 : 1),
};

/**
 * GET /v2/connections (every kind, in Telnyx's Connection summary shape), and each kind's own
 * list (the full objects). Without sort, newest first (the spec: "If not given, results are
 * sorted by created_at in descending order").
 */
export function listConnections(ctx: SimContext, query: URLSearchParams, kind?: ConnectionKind) {
  const application = kind === 'call_control_application';
  const name = contains(
    query,
    application ? 'filter[application_name][contains]' : 'filter[connection_name][contains]',
  );
  const fqdn = query.get('filter[fqdn]');
  const profile =
    query.get('filter[outbound_voice_profile_id]') ?? query.get('filter[outbound.outbound_voice_profile_id]');
  const fqdns = listResources(ctx, ['fqdn']);
  const matching = listResources(ctx, kind === undefined ? CONNECTION_KINDS : [kind]).filter(
    (c) =>
      (name === undefined || nameOf(c).toLowerCase().includes(name)) &&
      (fqdn === null || fqdns.some((f) => f.connection_id === c.id && f.fqdn === fqdn)) &&
      (profile === null || profileOf(c) === profile),
  );
  const page = paginate(
    sorted(matching, query.get('sort') ?? '-created_at', CONNECTION_SORTS),
    query,
    application ? 20 : CONNECTIONS_PAGE_SIZE,
  );
  return { ...page, data: page.data.map((c) => (kind === undefined ? summary(c) : present(ctx, c))) };
}

/** Telnyx's Connection: what GET /v2/connections shows of a connection of any kind (no credentials). */
export function summary(connection: Resource) {
  return {
    id: connection.id,
    record_type: connection.record_type,
    active: connection.active,
    anchorsite_override: String(connection.anchorsite_override).replace(/"/g, ''),
    connection_name: nameOf(connection),
    outbound_voice_profile_id: profileOf(connection),
    tags: connection.tags ?? [],
    webhook_api_version: connection.webhook_api_version,
    webhook_event_url: connection.webhook_event_url ?? null,
    webhook_event_failover_url: connection.webhook_event_failover_url ?? '',
    created_at: connection.created_at,
    updated_at: connection.updated_at,
  };
}

const PROFILE_SORTS = {
  enabled: (r: Resource) => (r.enabled === true ? 1 : 0),
  created_at: (r: Resource) => r.created_at,
  name: (r: Resource) => String(r.name).toLowerCase(),
  service_plan: (r: Resource) => String(r.service_plan),
  traffic_type: (r: Resource) => String(r.traffic_type),
  usage_payment_method: (r: Resource) => String(r.usage_payment_method),
};

/** GET /v2/outbound_voice_profiles: filter[name][contains], sort (default -created_at), pages of 20. */
export function listProfiles(ctx: SimContext, query: URLSearchParams) {
  const name = query.get('filter[name][contains]')?.toLowerCase();
  const matching = listResources(ctx, ['outbound_voice_profile']).filter(
    (p) => name === undefined || String(p.name).toLowerCase().includes(name),
  );
  const page = paginate(sorted(matching, query.get('sort') ?? '-created_at', PROFILE_SORTS), query);
  return { ...page, data: page.data.map((p) => presentProfile(ctx, p)) };
}

/** GET /v2/fqdns and GET /v2/ips: exact filters on their fields, oldest first. */
export function listChildren(
  ctx: SimContext,
  kind: Exclude<ChildKind, 'outbound_voice_profile'>,
  query: URLSearchParams,
) {
  const filters = (
    kind === 'fqdn' ? ['connection_id', 'dns_record_type', 'fqdn', 'port'] : ['connection_id', 'ip_address', 'port']
  )
    .map((f) => [f, query.get(`filter[${f}]`)] as const)
    .filter(([, value]) => value !== null);
  const matching = listResources(ctx, [kind]).filter((r) => filters.every(([f, value]) => String(r[f]) === value));
  return paginate(matching, query, CONNECTIONS_PAGE_SIZE);
}
