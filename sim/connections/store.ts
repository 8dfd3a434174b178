// Where the voice resources live: connections of every kind (credential, IP, FQDN, Call Control
// applications), FQDNs, IPs and outbound voice profiles, each as the JSON Telnyx returns, in one
// table keyed by id. An account holds a few dozen of them, so lists filter and sort in memory.

import { notFound } from '../../shared/errors';
import type { SimContext } from '../context';

export type Resource = Record<string, unknown> & {
  id: string;
  record_type: string;
  created_at: string;
  updated_at: string;
};

/** Telnyx's voice resource ids are int64s written as strings: 19 digits, never starting with 0. */
export function newResourceId(): string {
  const digits = crypto.getRandomValues(new Uint8Array(18));
  return `1${[...digits].map((d) => d % 10).join('')}`;
}

export function saveResource(ctx: SimContext, resource: Resource): void {
  ctx.store.run(
    `INSERT INTO resources (id, kind, seq, body) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET body = excluded.body`,
    resource.id,
    resource.record_type,
    ctx.store.next('resource_seq'),
    JSON.stringify(resource),
  );
}

export function findResource(ctx: SimContext, id: string, kinds: readonly string[]): Resource | undefined {
  const row = ctx.store.first<{ kind: string; body: string }>('SELECT kind, body FROM resources WHERE id = ?', id);
  return row !== undefined && kinds.includes(row.kind) ? (JSON.parse(row.body) as Resource) : undefined;
}

export function requireResource(ctx: SimContext, id: string, kinds: readonly string[], what: string): Resource {
  const found = findResource(ctx, id, kinds);
  if (found === undefined) throw notFound(`No ${what} with id ${id}.`);
  return found;
}

/** Every resource of `kinds`, oldest first. */
export function listResources(ctx: SimContext, kinds: readonly string[]): Resource[] {
  return ctx.store
    .all<{ kind: string; body: string }>('SELECT kind, body FROM resources ORDER BY seq')
    .filter((row) => kinds.includes(row.kind))
    .map((row) => JSON.parse(row.body) as Resource);
}

export function deleteResource(ctx: SimContext, id: string): void {
  ctx.store.run('DELETE FROM resources WHERE id = ?', id);
}
