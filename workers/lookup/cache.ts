// The lookup cache in KV (LOOKUP_CACHE): one entry per number and lookup type, plus a short-lived
// entry for numbers Telnyx called invalid. An entry is fresh for the type's TTL, then kept for
// LOOKUP_STALE_SECONDS more so it can be served (marked STALE) while Telnyx is failing; KV's own
// expiry removes it after that. Freshness is judged from the entry's own timestamp against the
// clock passed in, so tests can move time without waiting for KV.
//
// In front of KV sits a small in-memory copy per isolate: a hot number is answered without a KV
// read at all (a KV read costs more than the rest of a cache hit together). It holds the same
// entries KV holds, for no longer than KV keeps them, so it changes nothing but speed.

import type { TelnyxErrorObject } from '../../shared/errors';
import type { NumberLookupType } from '../../shared/telnyx/types';
import type { LookupConfig } from './config';
import type { RecordPart } from './record';

const PREFIX = 'lookup:v1';

export interface CachedPart {
  fetchedAt: number;
  part: RecordPart;
}

export interface CachedInvalid {
  at: number;
  errors: TelnyxErrorObject[];
}

function partKey(e164: string, type: NumberLookupType): string {
  return `${PREFIX}:${e164}:${type}`;
}

function invalidKey(e164: string): string {
  return `${PREFIX}:${e164}:invalid`;
}

/** KV refuses expirations under 60 s. */
const kvTtl = (seconds: number) => Math.max(60, Math.ceil(seconds));

/** The isolate's copy: most recently used last, at most MEMORY_ENTRIES entries. */
const MEMORY_ENTRIES = 10_000;
const memory = new Map<string, { value: unknown; until: number }>();

function remember(key: string, value: unknown, ttlSeconds: number): void {
  memory.delete(key);
  memory.set(key, { value, until: Date.now() + ttlSeconds * 1000 });
  if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value!);
}

async function read<T>(kv: KVNamespace, key: string, ttlSeconds: number): Promise<T | undefined> {
  const held = memory.get(key);
  if (held !== undefined && held.until > Date.now()) {
    memory.delete(key); // move to the most recently used end
    memory.set(key, held);
    return held.value as T;
  }
  const value = (await kv.get<T>(key, 'json')) ?? undefined;
  if (value !== undefined) remember(key, value, ttlSeconds);
  return value;
}

/** Empties this isolate's copy (tests that clear KV between cases). */
export function forgetMemoryCache(): void {
  memory.clear();
}

export function readPart(
  kv: KVNamespace,
  config: LookupConfig,
  e164: string,
  type: NumberLookupType,
): Promise<CachedPart | undefined> {
  return read<CachedPart>(kv, partKey(e164, type), config.ttlSeconds[type] + config.staleSeconds);
}

export async function writePart(
  kv: KVNamespace,
  config: LookupConfig,
  e164: string,
  type: NumberLookupType,
  entry: CachedPart,
): Promise<void> {
  const ttl = kvTtl(config.ttlSeconds[type] + config.staleSeconds);
  remember(partKey(e164, type), entry, ttl);
  await kv.put(partKey(e164, type), JSON.stringify(entry), { expirationTtl: ttl });
}

export function readInvalid(kv: KVNamespace, config: LookupConfig, e164: string): Promise<CachedInvalid | undefined> {
  return read<CachedInvalid>(kv, invalidKey(e164), config.negativeTtlSeconds);
}

export async function writeInvalid(kv: KVNamespace, config: LookupConfig, e164: string, entry: CachedInvalid) {
  const ttl = kvTtl(config.negativeTtlSeconds);
  remember(invalidKey(e164), entry, ttl);
  await kv.put(invalidKey(e164), JSON.stringify(entry), { expirationTtl: ttl });
}

export function isFresh(entry: CachedPart, type: NumberLookupType, config: LookupConfig, now: number): boolean {
  return now - entry.fetchedAt < config.ttlSeconds[type] * 1000;
}

export function isServableStale(entry: CachedPart, type: NumberLookupType, config: LookupConfig, now: number): boolean {
  return now - entry.fetchedAt < (config.ttlSeconds[type] + config.staleSeconds) * 1000;
}
