// The lookup worker's settings, from [vars] (wrangler.toml). A missing var takes the default; a
// malformed one is a configuration error (503) rather than a silent fallback.

import { misconfigured } from '../../shared/errors';
import { parseCountryCode, type CountryCode } from '../../shared/phone';
import type { NumberLookupType } from '../../shared/telnyx/types';

export interface LookupConfig {
  /** How long a cached answer is fresh, per lookup type (seconds). */
  ttlSeconds: Record<NumberLookupType, number>;
  /** How long past freshness an answer is kept to serve (marked STALE) while Telnyx is failing. */
  staleSeconds: number;
  /** How long Telnyx's "invalid number" (422) for a number is remembered. KV's minimum is 60. */
  negativeTtlSeconds: number;
  /** Country for national-format input ("3125550123"); undefined: only +E.164 is accepted. */
  defaultCountry: CountryCode | undefined;
  /** Upstream calls one batch may make: the Workers free plan allows 50 subrequests a request. */
  batchUpstreamBudget: number;
}

type LookupEnv = Pick<
  Env,
  | 'DEFAULT_COUNTRY'
  | 'LOOKUP_TTL_CARRIER_SECONDS'
  | 'LOOKUP_TTL_CALLER_NAME_SECONDS'
  | 'LOOKUP_STALE_SECONDS'
  | 'LOOKUP_NEGATIVE_TTL_SECONDS'
  | 'LOOKUP_BATCH_UPSTREAM_BUDGET'
>;

function seconds(env: LookupEnv, name: keyof LookupEnv, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!(value >= min && value <= max)) {
    throw misconfigured(`${name} is "${raw}"; it must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

const DAY = 86_400;

export function lookupConfig(env: LookupEnv): LookupConfig {
  let defaultCountry: CountryCode | undefined;
  if (env.DEFAULT_COUNTRY !== undefined && env.DEFAULT_COUNTRY !== '') {
    defaultCountry = parseCountryCode(env.DEFAULT_COUNTRY);
    if (defaultCountry === undefined) {
      throw misconfigured(
        `DEFAULT_COUNTRY is "${env.DEFAULT_COUNTRY}"; it must be an ISO 3166 country code such as "US".`,
      );
    }
  }
  return {
    ttlSeconds: {
      carrier: seconds(env, 'LOOKUP_TTL_CARRIER_SECONDS', 30 * DAY, 60, 365 * DAY),
      'caller-name': seconds(env, 'LOOKUP_TTL_CALLER_NAME_SECONDS', 7 * DAY, 60, 365 * DAY),
    },
    staleSeconds: seconds(env, 'LOOKUP_STALE_SECONDS', 30 * DAY, 0, 365 * DAY),
    negativeTtlSeconds: seconds(env, 'LOOKUP_NEGATIVE_TTL_SECONDS', 300, 60, 30 * DAY),
    defaultCountry,
    batchUpstreamBudget: seconds(env, 'LOOKUP_BATCH_UPSTREAM_BUDGET', 45, 1, 10_000),
  };
}
