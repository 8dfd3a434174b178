// The lookup worker: Telnyx's number lookup API with a cache in front (GET /v2/number_lookup/{n},
// so the official SDK works with only a new base URL), and a batch route of the edge's own.
// Both need the admin token, which the entry point checks for every route but /health and webhooks.

import { mapWithConcurrency } from '../../shared/concurrency';
import { ApiError, badRequest, jsonResponse, type TelnyxErrorObject } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import type { PhoneNumber } from '../../shared/phone';
import { telnyxClientFromEnv } from '../../shared/telnyx/client';
import type { NumberLookupType } from '../../shared/telnyx/types';
import { createWorkerRouter, type EdgeArgs, type EdgeRequest, type EdgeWorker } from '../../shared/worker';
import { lookupConfig, type LookupConfig } from './config';
import { flushLookupRecords, recordLookups, type LookupEvent } from './events';
import { parseLookupNumber, parseTypes } from './request';
import { lookupNumber, type LookupDeps, type LookupResult } from './service';

export const BATCH_MAX_NUMBERS = 100;
/** Workers allow six simultaneous outbound connections per request. */
const BATCH_CONCURRENCY = 6;

const router = createWorkerRouter();

function lookupDeps(
  env: Env,
  ctx: ExecutionContext,
  config: LookupConfig,
  options: { readRetries?: number; mayCallUpstream?: () => boolean } = {},
): LookupDeps {
  return {
    kv: env.LOOKUP_CACHE,
    config,
    client: telnyxClientFromEnv(env, options.readRetries === undefined ? {} : { readRetries: options.readRetries }),
    now: Date.now,
    defer: (work) => ctx.waitUntil(work),
    mayCallUpstream: options.mayCallUpstream,
  };
}

/** `Cache-Control: no-cache` (or no-store, max-age=0) or `?refresh=true` asks Telnyx again. */
function wantsRefresh(request: Request, flag: unknown): boolean {
  const header = request.headers.get('cache-control') ?? '';
  return flag === true || flag === 'true' || /\b(no-cache|no-store|max-age=0)\b/i.test(header);
}

function event(number: PhoneNumber, types: readonly NumberLookupType[], outcome: LookupResult | ApiError): LookupEvent {
  const ok = !(outcome instanceof ApiError);
  return {
    number,
    types,
    cache: ok ? outcome.cache : outcome.status === 422 ? 'INVALID' : 'ERROR',
    upstreamCalls: ok ? outcome.upstreamCalls : 0,
    upstreamMs: ok ? outcome.upstreamMs : undefined,
    status: ok ? 200 : outcome.status,
    at: new Date(),
  };
}

async function settle(promise: Promise<LookupResult>): Promise<LookupResult | ApiError> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
}

router.get<EdgeRequest, EdgeArgs>('/v2/number_lookup/:phone_number', async (request, env, ctx) => {
  const config = lookupConfig(env);
  const url = new URL(request.url);
  const types = parseTypes(url.searchParams.getAll('type'), { parameter: 'type' });
  const number = parseLookupNumber(request.params.phone_number ?? '', config, { parameter: 'phone_number' });
  const outcome = await settle(
    lookupNumber(lookupDeps(env, ctx, config), number.e164, types, {
      refresh: wantsRefresh(request, url.searchParams.get('refresh')),
    }),
  );
  recordLookups(env.DB, [event(number, types, outcome)], (work) => ctx.waitUntil(work));
  if (outcome instanceof ApiError) throw outcome;
  return jsonResponse({ data: outcome.record }, 200, {
    'x-cache': outcome.cache,
    age: String(outcome.ageSeconds),
    'cache-control': 'private, no-store',
  });
});

interface BatchItem {
  input: unknown;
  status: number;
  phone_number?: string;
  cache?: string;
  data?: unknown;
  errors?: TelnyxErrorObject[];
}

router.post<EdgeRequest, EdgeArgs>('/lookup/batch', async (request, env, ctx) => {
  const config = lookupConfig(env);
  const body = await readJsonObject(request);
  const inputs = body.numbers;
  if (!Array.isArray(inputs) || inputs.length === 0 || inputs.length > BATCH_MAX_NUMBERS) {
    throw badRequest(`numbers must be a list of 1 to ${BATCH_MAX_NUMBERS} phone numbers.`, { pointer: '/numbers' });
  }
  if (body.types !== undefined && !Array.isArray(body.types)) {
    throw badRequest('types must be a list such as ["carrier", "caller-name"].', { pointer: '/types' });
  }
  const types = parseTypes((body.types as unknown[] | undefined) ?? [], { pointer: '/types' });
  const refresh = wantsRefresh(request, body.refresh);

  // Each input is a number or its own error; the same number given twice is looked up once.
  const parsed = inputs.map((input, i): PhoneNumber | ApiError => {
    try {
      if (typeof input !== 'string') throw badRequest('Each number must be a string.', { pointer: `/numbers/${i}` });
      return parseLookupNumber(input, config, { pointer: `/numbers/${i}` });
    } catch (error) {
      if (error instanceof ApiError) return error;
      throw error;
    }
  });
  const unique = [
    ...new Map(parsed.filter((p): p is PhoneNumber => !(p instanceof ApiError)).map((p) => [p.e164, p])).values(),
  ];

  // Every Telnyx call is a subrequest: stay within the plan's limit, with no retries in a batch.
  let calls = 0;
  const takeCall = () => {
    if (calls >= config.batchUpstreamBudget) return false;
    calls++;
    return true;
  };
  const deps = lookupDeps(env, ctx, config, { readRetries: 0, mayCallUpstream: takeCall });
  const outcomes = await mapWithConcurrency(unique, BATCH_CONCURRENCY, (number) =>
    settle(lookupNumber(deps, number.e164, types, { refresh })),
  );
  const byNumber = new Map(unique.map((number, i) => [number.e164, outcomes[i]!]));
  recordLookups(
    env.DB,
    unique.map((number, i) => event(number, types, outcomes[i]!)),
    (work) => ctx.waitUntil(work),
  );

  const data = inputs.map((input, i): BatchItem => {
    const number = parsed[i]!;
    if (number instanceof ApiError) return { input, status: number.status, errors: number.errors };
    const outcome = byNumber.get(number.e164)!;
    if (outcome instanceof ApiError) {
      return { input, phone_number: number.e164, status: outcome.status, errors: outcome.errors };
    }
    return { input, phone_number: number.e164, status: 200, cache: outcome.cache, data: outcome.record };
  });
  const count = (cache: string) => outcomes.filter((o) => !(o instanceof ApiError) && o.cache === cache).length;
  return jsonResponse({
    data,
    meta: {
      numbers: inputs.length,
      unique: unique.length,
      hits: count('HIT'),
      misses: count('MISS'),
      stale: count('STALE'),
      errors: data.filter((item) => item.status !== 200).length,
      upstream_calls: calls,
    },
  });
});

export const lookupWorker: EdgeWorker = {
  name: 'lookup',
  router,
  checkConfig: (env) => void lookupConfig(env),
  // The hourly cron writes what this isolate has gathered, so the reports see it (events.ts).
  scheduled: (_controller, env) => flushLookupRecords(env.DB),
};
