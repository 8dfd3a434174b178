// One number lookup: from the cache where it can, from Telnyx where it must.
//
//   fresh parts in KV           -> HIT, no Telnyx call
//   parts missing or expired    -> one Telnyx call for just the missing types -> MISS
//   concurrent misses, same number and type, in this isolate -> they share that one call
//   Telnyx fails (5xx, timeout, 429) and an older entry is still kept -> that entry, STALE
//   Telnyx fails and nothing is kept -> 502 (or 429 with Retry-After) in Telnyx's shape
//   Telnyx says the number is invalid (422) -> remembered for LOOKUP_NEGATIVE_TTL_SECONDS

import { ApiError, TelnyxCode } from '../../shared/errors';
import type { TelnyxClient } from '../../shared/telnyx/client';
import { TelnyxApiError } from '../../shared/telnyx/errors';
import type { NumberLookupType } from '../../shared/telnyx/types';
import { isFresh, isServableStale, readInvalid, readPart, writeInvalid, writePart, type CachedPart } from './cache';
import type { LookupConfig } from './config';
import { combine, partOf, type LookupRecord, type RecordPart } from './record';

export type CacheStatus = 'HIT' | 'MISS' | 'STALE';

export interface LookupResult {
  record: LookupRecord;
  cache: CacheStatus;
  /** Seconds since the oldest part of the answer was fetched from Telnyx. */
  ageSeconds: number;
  /** Telnyx calls this lookup made itself (a shared call counts for the lookup that started it). */
  upstreamCalls: number;
  upstreamMs: number | undefined;
}

export interface LookupDeps {
  kv: KVNamespace;
  config: LookupConfig;
  client: TelnyxClient;
  now: () => number;
  /** Keeps work going after the answer (ctx.waitUntil): cache writes. */
  defer: (work: Promise<unknown>) => void;
  /** Asked before each Telnyx call; false refuses it (a batch's subrequest budget). */
  mayCallUpstream?: () => boolean;
}

interface Upstream {
  record: LookupRecord;
  fetchedAt: number;
  ms: number;
}

/** Telnyx calls under way in this isolate, by number and type. */
const inFlight = new Map<string, Promise<Upstream>>();

function fetchFromTelnyx(deps: LookupDeps, e164: string, types: NumberLookupType[]): Promise<Upstream> {
  const started = Date.now();
  const call = deps.client.lookupNumber(e164, types).then(({ body }) => {
    if (body.data === undefined) throw new TypeError('Telnyx answered the lookup without data.');
    return { record: body.data, fetchedAt: deps.now(), ms: Date.now() - started };
  });
  const cached = call.then(
    (upstream) => {
      for (const type of types) {
        deps.defer(
          writePart(deps.kv, deps.config, e164, type, {
            fetchedAt: upstream.fetchedAt,
            part: partOf(upstream.record, type),
          }),
        );
      }
      return upstream;
    },
    (error: unknown) => {
      if (error instanceof TelnyxApiError && error.status === 422) {
        deps.defer(writeInvalid(deps.kv, deps.config, e164, { at: deps.now(), errors: error.errors }));
      }
      throw error;
    },
  );
  const done = cached.finally(() => {
    for (const type of types) if (inFlight.get(`${e164}|${type}`) === done) inFlight.delete(`${e164}|${type}`);
  });
  for (const type of types) inFlight.set(`${e164}|${type}`, done);
  return done;
}

function upstreamBudgetSpent(): ApiError {
  return new ApiError(
    503,
    {
      code: TelnyxCode.tooManyRequests,
      title: 'Lookup budget spent',
      detail: 'This batch has used its Telnyx calls (LOOKUP_BATCH_UPSTREAM_BUDGET); look this number up again.',
    },
    { headers: { 'retry-after': '1' } },
  );
}

/** The answer when Telnyx could not give one and no kept entry covers the lookup. */
function upstreamFailure(error: TelnyxApiError): ApiError {
  if (error.status === 429) {
    const retryAfter = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000));
    return new ApiError(
      429,
      {
        code: TelnyxCode.tooManyRequests,
        title: 'Too many requests',
        detail: 'Telnyx is rate-limiting lookups; retry later.',
      },
      { headers: { 'retry-after': String(retryAfter) } },
    );
  }
  const why =
    error.status === undefined
      ? 'did not answer in time'
      : error.status === 401 || error.status === 403
        ? `refused the edge's credentials (${error.status}); check TELNYX_API_KEY`
        : `answered ${error.status}`;
  return new ApiError(502, {
    code: TelnyxCode.unexpected,
    title: 'Bad Gateway',
    detail: `Telnyx ${why}, and no cached answer is kept.`,
  });
}

export async function lookupNumber(
  deps: LookupDeps,
  e164: string,
  types: readonly NumberLookupType[],
  options: { refresh?: boolean } = {},
): Promise<LookupResult> {
  const now = deps.now();
  const cached = new Map<NumberLookupType, CachedPart>();
  await Promise.all(
    types.map(async (type) => {
      const entry = await readPart(deps.kv, deps.config, e164, type);
      if (entry !== undefined) cached.set(type, entry);
    }),
  );
  const missing = types.filter((type) => {
    const entry = cached.get(type);
    return options.refresh || entry === undefined || !isFresh(entry, type, deps.config, now);
  });

  const parts: RecordPart[] = [];
  const fetchedAt: number[] = [];
  for (const type of types) {
    if (missing.includes(type)) continue;
    parts.push(cached.get(type)!.part);
    fetchedAt.push(cached.get(type)!.fetchedAt);
  }
  if (missing.length === 0) {
    return {
      record: combine(parts),
      cache: 'HIT',
      ageSeconds: age(now, fetchedAt),
      upstreamCalls: 0,
      upstreamMs: undefined,
    };
  }
  // Only a lookup that would go to Telnyx needs to know whether Telnyx lately called the number invalid.
  if (!options.refresh) {
    const invalid = await readInvalid(deps.kv, deps.config, e164);
    if (invalid !== undefined && now - invalid.at < deps.config.negativeTtlSeconds * 1000) {
      throw new ApiError(422, invalid.errors);
    }
  }

  // Join Telnyx calls already under way for these types; start one for the rest.
  const shared = new Map<NumberLookupType, Promise<Upstream>>();
  const toFetch: NumberLookupType[] = [];
  for (const type of missing) {
    const running = inFlight.get(`${e164}|${type}`);
    if (running) shared.set(type, running);
    else toFetch.push(type);
  }
  let own: Promise<Upstream> | undefined;
  if (toFetch.length > 0) {
    if (deps.mayCallUpstream && !deps.mayCallUpstream()) {
      const kept = keptParts(cached, missing, deps.config, now);
      if (kept === undefined) throw upstreamBudgetSpent();
      return staleResult(parts, fetchedAt, kept, now, 0);
    }
    own = fetchFromTelnyx(deps, e164, toFetch);
    // Other requests may be waiting on this call: it must finish even if this client goes away.
    deps.defer(own.catch(() => {}));
    for (const type of toFetch) shared.set(type, own);
  }

  try {
    const answers = await Promise.all(missing.map(async (type) => [type, await shared.get(type)!] as const));
    for (const [type, upstream] of answers) {
      parts.push(partOf(upstream.record, type));
      fetchedAt.push(upstream.fetchedAt);
    }
    const ms = own === undefined ? undefined : (await own).ms;
    return { record: combine(parts), cache: 'MISS', ageSeconds: 0, upstreamCalls: own ? 1 : 0, upstreamMs: ms };
  } catch (error) {
    if (!(error instanceof TelnyxApiError)) throw error;
    if (error.status === 422) throw new ApiError(422, error.errors);
    // Telnyx is failing: an older answer for every missing type is better than none.
    const kept = keptParts(cached, missing, deps.config, now);
    if (kept !== undefined) return staleResult(parts, fetchedAt, kept, now, own ? 1 : 0);
    throw upstreamFailure(error);
  }
}

/** The kept (expired but servable) entries for every missing type, or undefined if one lacks one. */
function keptParts(
  cached: Map<NumberLookupType, CachedPart>,
  missing: readonly NumberLookupType[],
  config: LookupConfig,
  now: number,
): CachedPart[] | undefined {
  const kept = missing.map((type) => cached.get(type));
  return kept.every((entry, i) => entry !== undefined && isServableStale(entry, missing[i]!, config, now))
    ? (kept as CachedPart[])
    : undefined;
}

function staleResult(
  parts: RecordPart[],
  fetchedAt: number[],
  kept: readonly CachedPart[],
  now: number,
  upstreamCalls: number,
): LookupResult {
  for (const entry of kept) {
    parts.push(entry.part);
    fetchedAt.push(entry.fetchedAt);
  }
  return {
    record: combine(parts),
    cache: 'STALE',
    ageSeconds: age(now, fetchedAt),
    upstreamCalls,
    upstreamMs: undefined,
  };
}

function age(now: number, fetchedAt: readonly number[]): number {
  return fetchedAt.length === 0 ? 0 : Math.max(0, Math.floor((now - Math.min(...fetchedAt)) / 1000));
}
