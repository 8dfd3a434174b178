// Messaging profiles (pools) as the bundle keeps them: Telnyx's profile object, checked by
// Telnyx's rules (shared/telnyx/messaging-profile.ts), plus the edge's own settings under the one
// key `edge`. Configuration, so it lives in KV (CONFIG), read at every edge and tolerant of a
// minute's staleness; the live state of a pool (its numbers' throughput, health, sticky senders,
// opt-outs, queued sends) lives in its NumberPool Durable Object, which is strongly consistent.
//
//   profile:<id>         the profile, JSON
//   pool-number:<e164>   which profile a number belongs to (to route its webhooks)

import { creationStamp } from '../../shared/clock';
import { ApiError, notFound } from '../../shared/errors';
import { parseCountryCode } from '../../shared/phone';
import { applyProfileFields, invalid, newProfile, type Profile } from '../../shared/telnyx/messaging-profile';
import type { NumberType } from '../../shared/telnyx/throughput';

export const EDGE_ORGANIZATION_ID = '00000000-0000-4000-8000-0000000000ed';

/** The edge's settings of a pool, beyond Telnyx's profile (README: "Pool settings"). */
export interface EdgeSettings {
  /** Sends are held outside this window of the recipient's local time (TCPA: 08:00 to 21:00). */
  quiet_hours: { enabled: boolean; start: string; end: string };
  /** Country of national-format numbers in this pool's sends; null: DEFAULT_COUNTRY. */
  default_country: string | null;
  /** What a HELP or INFO reply says (CTIA): the brand, how to get help, how often messages come. */
  help: { brand: string; contact: string; frequency: string };
  /** Typographic look-alikes become GSM characters before a send (fewer parts, no UCS-2). */
  smart_encoding: boolean;
  /** Where this pool's events are forwarded (Standard Webhooks, signed); null: not forwarded. */
  forward_url: string | null;
  /** Throughput overrides per number type, in message parts per second. */
  mps: Partial<Record<NumberType, number>>;
  /** After the area code, prefer a number in the recipient's country (Telnyx: area code only). */
  geomatch_country: boolean;
  /** A send that asked for a short code falls back to a long code when no short code can send. */
  short_code_fallback: boolean;
}

export type EdgeProfile = Profile & { edge: EdgeSettings };

export const DEFAULT_EDGE_SETTINGS: EdgeSettings = {
  quiet_hours: { enabled: false, start: '08:00', end: '21:00' },
  default_country: null,
  help: { brand: '', contact: '', frequency: 'Msg frequency varies' },
  smart_encoding: false,
  forward_url: null,
  mps: {},
  geomatch_country: true,
  short_code_fallback: false,
};

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const NUMBER_TYPES: readonly NumberType[] = ['long-code', 'toll-free', 'short-code'];

function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2000) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function object(value: unknown, pointer: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalid(pointer, `${pointer.slice(1)} must be an object.`);
  return value as Record<string, unknown>;
}

/** Applies an `edge` body (whole or partial) onto `current`, checking every field. */
export function mergeEdgeSettings(current: EdgeSettings, value: unknown): EdgeSettings {
  const patch = object(value, '/edge');
  const next: EdgeSettings = structuredClone(current);
  for (const [key, v] of Object.entries(patch)) {
    const pointer = `/edge/${key}`;
    switch (key) {
      case 'quiet_hours': {
        const q = object(v, pointer);
        const merged = { ...next.quiet_hours, ...q };
        if (typeof merged.enabled !== 'boolean') throw invalid(`${pointer}/enabled`, 'enabled must be true or false.');
        for (const edge of ['start', 'end'] as const) {
          if (typeof merged[edge] !== 'string' || !HH_MM.test(merged[edge])) {
            throw invalid(`${pointer}/${edge}`, `${edge} must be a local time such as "08:00".`);
          }
        }
        if (merged.start === merged.end) throw invalid(pointer, 'start and end must differ.');
        next.quiet_hours = { enabled: merged.enabled, start: merged.start, end: merged.end };
        break;
      }
      case 'default_country':
        if (v !== null && (typeof v !== 'string' || parseCountryCode(v) === undefined)) {
          throw invalid(pointer, 'default_country must be an ISO 3166 country code such as "US", or null.');
        }
        next.default_country = v === null ? null : parseCountryCode(v as string)!;
        break;
      case 'help': {
        const h = { ...next.help, ...object(v, pointer) };
        for (const field of ['brand', 'contact', 'frequency'] as const) {
          if (typeof h[field] !== 'string' || h[field].length > 100) {
            throw invalid(`${pointer}/${field}`, `${field} must be text of at most 100 characters.`);
          }
        }
        next.help = { brand: h.brand, contact: h.contact, frequency: h.frequency };
        break;
      }
      case 'smart_encoding':
      case 'geomatch_country':
      case 'short_code_fallback':
        if (typeof v !== 'boolean') throw invalid(pointer, `${key} must be true or false.`);
        next[key] = v;
        break;
      case 'forward_url':
        if (v !== null && !isHttpUrl(v))
          throw invalid(pointer, 'forward_url must be an http(s) URL, or null.', '10003');
        next.forward_url = v;
        break;
      case 'mps': {
        const rates = object(v, pointer);
        for (const [type, rate] of Object.entries(rates)) {
          if (!NUMBER_TYPES.includes(type as NumberType)) {
            throw invalid(`${pointer}/${type}`, `Number types are ${NUMBER_TYPES.join(', ')}.`);
          }
          if (rate !== null && (typeof rate !== 'number' || !(rate > 0 && rate <= 10_000))) {
            throw invalid(
              `${pointer}/${type}`,
              'A rate is message parts per second, above 0 and at most 10000 (null: the default).',
            );
          }
          if (rate === null) delete next.mps[type as NumberType];
          else next.mps[type as NumberType] = rate as number;
        }
        break;
      }
      default:
        throw invalid(pointer, `"${key}" is not an edge setting.`);
    }
  }
  return next;
}

const profileKey = (id: string) => `profile:${id}`;
export const poolNumberKey = (e164: string) => `pool-number:${e164}`;

export async function getProfile(kv: KVNamespace, id: string): Promise<EdgeProfile | undefined> {
  return (await kv.get<EdgeProfile>(profileKey(id), 'json')) ?? undefined;
}

export async function requireProfile(kv: KVNamespace, id: string): Promise<EdgeProfile> {
  const profile = await getProfile(kv, id);
  if (profile === undefined) throw notFound(`No messaging profile with id ${id}.`);
  return profile;
}

async function save(kv: KVNamespace, profile: EdgeProfile): Promise<void> {
  await kv.put(profileKey(profile.id), JSON.stringify(profile), { metadata: { created_at: profile.created_at } });
}

function splitBody(body: Record<string, unknown>): [Record<string, unknown>, unknown] {
  const { edge, ...telnyx } = body;
  return [telnyx, edge];
}

export async function createProfile(kv: KVNamespace, body: Record<string, unknown>): Promise<EdgeProfile> {
  const [telnyx, edge] = splitBody(body);
  const profile = newProfile(telnyx, crypto.randomUUID(), EDGE_ORGANIZATION_ID, creationStamp()) as EdgeProfile;
  profile.edge =
    edge === undefined ? structuredClone(DEFAULT_EDGE_SETTINGS) : mergeEdgeSettings(DEFAULT_EDGE_SETTINGS, edge);
  await save(kv, profile);
  return profile;
}

export async function updateProfile(kv: KVNamespace, id: string, body: Record<string, unknown>): Promise<EdgeProfile> {
  const profile = await requireProfile(kv, id);
  const [telnyx, edge] = splitBody(body);
  applyProfileFields(profile, telnyx);
  if (edge !== undefined) profile.edge = mergeEdgeSettings(profile.edge, edge);
  profile.updated_at = new Date().toISOString();
  await save(kv, profile);
  return profile;
}

export async function deleteProfileRecord(kv: KVNamespace, id: string): Promise<void> {
  await kv.delete(profileKey(id));
}

/** All profiles, oldest first, filtered as Telnyx filters them (filter[name], filter[name][contains]). */
export async function listProfiles(kv: KVNamespace, query: URLSearchParams): Promise<EdgeProfile[]> {
  const keys: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list({ prefix: 'profile:', cursor });
    keys.push(...page.keys.map((k) => k.name));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  const profiles = (await Promise.all(keys.map((k) => kv.get<EdgeProfile>(k, 'json')))).filter(
    (p): p is EdgeProfile => p !== null,
  );
  const exact = query.get('filter[name]') ?? query.get('filter[name][eq]');
  const contains = query.get('filter[name][contains]')?.toLowerCase();
  return profiles
    .filter(
      (p) =>
        (exact === null || p.name === exact) && (contains === undefined || p.name.toLowerCase().includes(contains)),
    )
    .sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)) || a.id.localeCompare(b.id));
}

/** How long this isolate trusts what it read of the number index and profiles (KV allows 60 s). */
const MEMORY_MS = 30_000;
const memory = new Map<string, { profile: EdgeProfile | undefined; until: number }>();

/**
 * The profile a number belongs to, through a short in-isolate memory: a webhook for a busy pool
 * then costs no KV read. Like KV itself, it may lag a change by up to a minute.
 */
export async function profileForNumber(kv: KVNamespace, e164: string): Promise<EdgeProfile | undefined> {
  const held = memory.get(e164);
  if (held !== undefined && held.until > Date.now()) return held.profile;
  const id = await profileIdOfNumber(kv, e164);
  const profile = id === undefined ? undefined : await getProfile(kv, id);
  memory.set(e164, { profile, until: Date.now() + MEMORY_MS });
  if (memory.size > 10_000) memory.delete(memory.keys().next().value!);
  return profile;
}

/** Forgets what this isolate remembers of profiles (after a change made here, and in tests). */
export function forgetProfileMemory(): void {
  memory.clear();
}

/** The profile a number sends for, from the KV index (may lag a minute behind a change). */
export async function profileIdOfNumber(kv: KVNamespace, e164: string): Promise<string | undefined> {
  return (await kv.get(poolNumberKey(e164))) ?? undefined;
}

export function numberInUse(e164: string, profileId: string): ApiError {
  return new ApiError(409, {
    code: '10012',
    title: 'Duplicate resource',
    detail: `${e164} already belongs to messaging profile ${profileId}; remove it there first.`,
    source: { pointer: '/phone_number' },
  });
}

export function requireEnabledPool(profile: EdgeProfile): void {
  if (!profile.enabled) {
    throw new ApiError(400, {
      code: '40312',
      title: 'Messaging profile disabled',
      detail: `Messaging profile ${profile.id} is disabled.`,
    });
  }
}
