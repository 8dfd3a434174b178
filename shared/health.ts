// GET /health: what is deployed and whether it is configured, never any secret's value.
// Answers 503 when a secret is missing or malformed, so an uptime check notices a deployment
// that would refuse every webhook.

import pkg from '../package.json';
import { MIN_ADMIN_TOKEN_LENGTH } from './auth';
import { ApiError, jsonResponse } from './errors';
import { telnyxClientFromEnv } from './telnyx/client';
import { WebhookConfigError, parsePublicKeys, parseToleranceSeconds } from './webhooks/signature';

/** Every name in Env, by kind. The type check below fails when wrangler.toml gains one not listed here. */
const BINDINGS = ['CONFIG', 'LOOKUP_CACHE', 'DB', 'REPORTS', 'NUMBER_POOL', 'CALL_SESSION', 'FORWARD_QUEUE'] as const;
const SECRETS = ['TELNYX_API_KEY', 'TELNYX_PUBLIC_KEY', 'ADMIN_TOKEN', 'FORWARD_SIGNING_SECRET'] as const;
/** Secrets whose absence switches a feature off rather than breaking anything. */
const OPTIONAL_SECRETS = ['REPORT_WEBHOOK_URL'] as const;
const VARS = [
  'TELNYX_API_BASE',
  'LOG_LEVEL',
  'WEBHOOK_TOLERANCE_SECONDS',
  'DEFAULT_COUNTRY',
  'LOOKUP_TTL_CARRIER_SECONDS',
  'LOOKUP_TTL_CALLER_NAME_SECONDS',
  'LOOKUP_STALE_SECONDS',
  'LOOKUP_NEGATIVE_TTL_SECONDS',
  'LOOKUP_BATCH_UPSTREAM_BUDGET',
  'ACCOUNT_SMS_MPS',
  'ACCOUNT_MMS_MPS',
  'QUEUE_HORIZON_SECONDS',
  'SEND_AT_HORIZON_SECONDS',
  'VOICE_CONNECTIONS_MODE',
  'DEAD_LETTER_REDRIVE',
  'RETENTION_DAYS',
  'REPORT_HOUR_UTC',
  'LOOKUP_PRICE_USD',
] as const;

type Listed =
  (typeof BINDINGS)[number] | (typeof SECRETS)[number] | (typeof OPTIONAL_SECRETS)[number] | (typeof VARS)[number];
type Unlisted = Exclude<keyof Env, Listed>;
// A compile error here names an Env entry that /health does not report yet.
const everyEnvNameIsListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyEnvNameIsListed;

export interface HealthReport {
  name: string;
  version: string;
  status: 'ok' | 'misconfigured';
  bindings: Record<string, boolean>;
  secrets: Record<string, boolean>;
  problems: string[];
}

function isSet(value: unknown): boolean {
  return typeof value === 'string' ? value !== '' : value !== undefined && value !== null;
}

/** A check of one part of the configuration: throws ApiError or WebhookConfigError saying what is wrong. */
export type ConfigCheck = (env: Env) => unknown;

function problemOf(error: unknown): string {
  if (error instanceof WebhookConfigError) return error.message;
  if (error instanceof ApiError) return error.errors.map((e) => e.detail ?? e.title).join(' ');
  throw error;
}

export function healthReport(env: Partial<Env>, workerChecks: readonly ConfigCheck[] = []): HealthReport {
  const bindings = Object.fromEntries(BINDINGS.map((name) => [name, isSet(env[name])]));
  const secrets = Object.fromEntries(SECRETS.map((name) => [name, isSet(env[name])]));
  const problems: string[] = [];
  for (const [name, present] of Object.entries({ ...bindings, ...secrets })) {
    if (!present) problems.push(`${name} is not configured.`);
  }
  for (const name of OPTIONAL_SECRETS) secrets[name] = isSet(env[name]);
  const checks: Array<() => unknown> = [
    () => env.TELNYX_PUBLIC_KEY && parsePublicKeys(env.TELNYX_PUBLIC_KEY),
    () => parseToleranceSeconds(env.WEBHOOK_TOLERANCE_SECONDS),
    // TELNYX_API_BASE must be a usable URL (a missing key is reported above already).
    () => env.TELNYX_API_KEY && telnyxClientFromEnv(env as Env),
    ...workerChecks.map((check) => () => check(env as Env)),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      problems.push(problemOf(error));
    }
  }
  if (env.ADMIN_TOKEN && env.ADMIN_TOKEN.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push(`ADMIN_TOKEN is shorter than ${MIN_ADMIN_TOKEN_LENGTH} characters.`);
  }
  return {
    name: pkg.name,
    version: pkg.version,
    status: problems.length === 0 ? 'ok' : 'misconfigured',
    bindings,
    secrets,
    problems,
  };
}

export function healthResponse(env: Partial<Env>, workerChecks: readonly ConfigCheck[] = []): Response {
  const report = healthReport(env, workerChecks);
  return jsonResponse(report, report.status === 'ok' ? 200 : 503, { 'cache-control': 'no-store' });
}
