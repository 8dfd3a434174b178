// Telnyx's list queries for the connection family: filters, sort and page[number] / page[size] with
// Telnyx's meta block. Lists are read from the edge's copy in KV (in upstream mode, Telnyx's
// answers as last mirrored), so a write may take up to a minute to show everywhere.

import { badRequest } from '../../../shared/errors';
import { at } from './fields';
import type { StoredConnection, TelnyxObject } from './store';

type Key<T> = (item: T) => string | number | boolean | null | undefined;

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b, 'en', { sensitivity: 'base' });
  return Number(a ?? 0) - Number(b ?? 0);
}

/**
 * Sorts by `sort` ("name" ascending, "-name" descending) among `keys`; a 400 for anything else.
 * Ties go by creation time, then id, so pages never overlap.
 */
export function sortBy<T extends { id: string }>(
  items: T[],
  query: URLSearchParams,
  keys: Record<string, Key<T>>,
  fallback: string,
  created: Key<T>,
): T[] {
  const sort = query.get('sort') ?? fallback;
  const descending = sort.startsWith('-');
  const key = keys[descending ? sort.slice(1) : sort];
  if (key === undefined) {
    const names = Object.keys(keys).flatMap((k) => [k, `-${k}`]);
    throw badRequest(`sort must be one of ${names.join(', ')}.`, { parameter: 'sort' });
  }
  const direction = descending ? -1 : 1;
  return items.sort(
    (a, b) =>
      direction * compare(key(a), key(b)) || direction * compare(created(a), created(b)) || a.id.localeCompare(b.id),
  );
}

/** filter[connection_name][contains]: case-insensitive, at least three characters (Telnyx). */
export function nameContains(query: URLSearchParams, parameter: string): string | undefined {
  const value = query.get(parameter);
  if (value === null) return undefined;
  if (value.length < 3) throw badRequest(`${parameter} needs at least three characters.`, { parameter });
  return value.toLowerCase();
}

/**
 * GET /v2/connections and the per-type lists: filter[connection_name][contains], filter[fqdn]
 * (connections with an FQDN of exactly that name), filter[outbound_voice_profile_id] (also under
 * its original name filter[outbound.outbound_voice_profile_id]); sort by created_at,
 * connection_name or active, newest first when not given (Telnyx's documented default).
 */
export function filterConnections(
  connections: StoredConnection[],
  query: URLSearchParams,
  fqdns: readonly TelnyxObject[],
): StoredConnection[] {
  const contains = nameContains(query, 'filter[connection_name][contains]');
  const fqdn = query.get('filter[fqdn]');
  const withFqdn =
    fqdn === null ? undefined : new Set(fqdns.filter((f) => f.fqdn === fqdn).map((f) => f.connection_id));
  const profile =
    query.get('filter[outbound_voice_profile_id]') ?? query.get('filter[outbound.outbound_voice_profile_id]');
  const matching = connections.filter(
    (c) =>
      (contains === undefined ||
        String(c.data.connection_name ?? '')
          .toLowerCase()
          .includes(contains)) &&
      (withFqdn === undefined || withFqdn.has(c.data.id)) &&
      (profile === null || at(c.data, '/outbound/outbound_voice_profile_id') === profile),
  );
  const rows = matching.map((c) => ({ id: c.data.id, c }));
  const created = (r: (typeof rows)[number]) => String(r.c.data.created_at ?? '');
  return sortBy(
    rows,
    query,
    {
      created_at: created,
      connection_name: (r) => String(r.c.data.connection_name ?? ''),
      active: (r) => r.c.data.active === true,
    },
    '-created_at',
    created,
  ).map((r) => r.c);
}

/** Exact-match filters (filter[<field>]) over plain records, oldest first. */
export function filterRecords(
  records: TelnyxObject[],
  query: URLSearchParams,
  fields: readonly string[],
): TelnyxObject[] {
  const wanted = fields.flatMap((field) => {
    const value = query.get(`filter[${field}]`);
    return value === null ? [] : [[field, value] as const];
  });
  return records
    .filter((r) => wanted.every(([field, value]) => String(r[field]) === value))
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.id.localeCompare(b.id));
}
