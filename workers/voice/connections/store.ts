// Where connection configs live: KV (CONFIG), read at every edge and allowed to lag a write by up to
// a minute (RELIABILITY row 25). Nothing here needs to be read back consistently: the one rule that
// does (a credential user name belongs to one connection) is kept in D1 by user-names.ts.
//
//   sip-connection:<id>          StoredConnection: Telnyx's object, the edge's routing, V1-only fields
//   sip-fqdn:<id>                Telnyx's Fqdn object
//   sip-ip:<id>                  Telnyx's Ip object
//   outbound-voice-profile:<id>  Telnyx's OutboundVoiceProfile object (connections_count is counted on read)
//
// In local mode the edge makes these objects; in upstream mode each one is Telnyx's last answer,
// and `edge`, `v1` and `registration` are the parts Telnyx never sees. Each key's KV metadata says
// where the record came from (`origin`): "edge" for a record written in local mode, "telnyx" for
// one Telnyx answered with. A mode switch then loses nothing: in upstream mode the sync never
// removes an edge-made record (it reports it), and such a record is not sent to Telnyx as an update.

import { creationStamp } from '../../../shared/clock';
import { mapWithConcurrency } from '../../../shared/concurrency';
import type { ConnectionType } from './schemas';

export type TelnyxObject = Record<string, unknown> & { id: string; record_type: string };

/** The edge's own routing for calls on a connection (README: "Connections"). */
export interface ConnectionRouting {
  flow_id?: string | null;
  forward_url?: string | null;
}

/** What check_registration_status last answered, for the V1 view's registration fields. */
export interface RegistrationStatus {
  status: string;
  ip_address: string | null;
  port: number | null;
  transport: string | null;
  user_agent: string | null;
  last_registration: string | null;
  sip_username: string | null;
  checked_at: string;
}

export interface StoredConnection {
  type: ConnectionType;
  data: TelnyxObject;
  edge: { flow_id: string | null; forward_url: string | null };
  /** V1 fields the connection's v2 type has no place for (v1.ts). */
  v1: Record<string, unknown>;
  registration: RegistrationStatus | null;
}

export type Resource = 'connection' | 'fqdn' | 'ip' | 'outbound_voice_profile';

const PREFIX: Record<Resource, string> = {
  connection: 'sip-connection:',
  fqdn: 'sip-fqdn:',
  ip: 'sip-ip:',
  outbound_voice_profile: 'outbound-voice-profile:',
};

export interface Stored {
  connection: StoredConnection;
  fqdn: TelnyxObject;
  ip: TelnyxObject;
  outbound_voice_profile: TelnyxObject;
}

export async function load<R extends Resource>(
  kv: KVNamespace,
  resource: R,
  id: string,
): Promise<Stored[R] | undefined> {
  return (await kv.get<Stored[R]>(PREFIX[resource] + id, 'json')) ?? undefined;
}

/** Where a record came from: made by the edge (local mode) or answered by Telnyx (upstream mode). */
export type Origin = 'edge' | 'telnyx';

export async function save<R extends Resource>(
  kv: KVNamespace,
  resource: R,
  id: string,
  value: Stored[R],
  origin: Origin,
): Promise<void> {
  await kv.put(PREFIX[resource] + id, JSON.stringify(value), { metadata: { origin } });
}

/** A record's origin; a record without one is taken for the edge's (never dropped by a sync). */
export async function originOf(kv: KVNamespace, resource: Resource, id: string): Promise<Origin> {
  const { metadata } = await kv.getWithMetadata<{ origin?: Origin }>(PREFIX[resource] + id);
  return metadata?.origin === 'telnyx' ? 'telnyx' : 'edge';
}

export async function remove(kv: KVNamespace, resource: Resource, id: string): Promise<void> {
  await kv.delete(PREFIX[resource] + id);
}

/** Every stored record of a kind, in no particular order. */
export async function loadAll<R extends Resource>(kv: KVNamespace, resource: R): Promise<Stored[R][]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: PREFIX[resource], cursor });
    keys.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  const values = await mapWithConcurrency(keys, 6, (key) => kv.get<Stored[R]>(key, 'json'));
  return values.filter((v): v is NonNullable<typeof v> => v !== null);
}

/**
 * A new id, as Telnyx writes its ids: digits. Kept below 2^53 so the V1 view, which gives IP ids as
 * JSON integers (default_primary_authorized_ip_id), never loses a digit.
 */
export function newId(): string {
  const [high, low] = crypto.getRandomValues(new Uint32Array(2));
  // 21 random high bits above 32 low ones, and never below 10^15: always 16 digits.
  const value = (high! % 2 ** 21) * 2 ** 32 + low!;
  return String(1e15 + (value % (2 ** 53 - 1e15)));
}

/**
 * Telnyx may show a credential's password masked ("********") or leave it out; the edge's copy then
 * keeps the one it knows (the one just sent, or the one it had).
 */
export function withKnownPassword(answer: TelnyxObject, known: unknown): TelnyxObject {
  const shown = answer.password;
  const hidden = shown === undefined || (typeof shown === 'string' && /^\*+$/.test(shown));
  return hidden && typeof known === 'string' ? { ...answer, password: known } : answer;
}

/** The time a record is created or updated, in creation order (shared/clock.ts). */
export const now = (): string => creationStamp();
