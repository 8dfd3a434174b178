// The reports worker's settings, from [vars] and one optional secret. A missing var takes its
// default; a malformed one is a configuration error (503, and listed by GET /health), never a
// silent fallback.

import { misconfigured } from '../../shared/errors';

export interface ReportsConfig {
  /** Days of records kept in D1; the hourly cron deletes older ones. */
  retentionDays: number;
  /** The UTC hour at or after which the previous day's report is built. */
  reportHourUtc: number;
  /** The price of one Telnyx lookup, for "cost saved" by the cache. */
  lookupPriceUsd: number;
  /** Where the summary is POSTed; undefined: no summary. */
  webhookUrl: string | undefined;
}

type ReportsEnv = Pick<Env, 'RETENTION_DAYS' | 'REPORT_HOUR_UTC' | 'LOOKUP_PRICE_USD' | 'REPORT_WEBHOOK_URL'>;

function wholeNumber(env: ReportsEnv, name: keyof ReportsEnv, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) {
    throw misconfigured(`${name} is "${raw}"; it must be a whole number from ${min} to ${max}.`);
  }
  return value;
}

export function reportsConfig(env: ReportsEnv): ReportsConfig {
  const priceText = env.LOOKUP_PRICE_USD?.trim() ?? '';
  const price = priceText === '' ? 0.0025 : /^\d+(\.\d+)?$/.test(priceText) ? Number(priceText) : NaN;
  if (!(price >= 0 && price <= 10)) {
    throw misconfigured(`LOOKUP_PRICE_USD is "${priceText}"; it must be a price in dollars such as 0.0025.`);
  }
  let webhookUrl: string | undefined;
  const url = env.REPORT_WEBHOOK_URL?.trim() ?? '';
  if (url !== '') {
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (parsed?.protocol !== 'https:') {
      throw misconfigured("REPORT_WEBHOOK_URL must be an https URL (a chat tool's incoming webhook).");
    }
    webhookUrl = parsed.href;
  }
  return {
    retentionDays: wholeNumber(env, 'RETENTION_DAYS', 90, 1, 3650),
    reportHourUtc: wholeNumber(env, 'REPORT_HOUR_UTC', 6, 0, 23),
    lookupPriceUsd: price,
    webhookUrl,
  };
}
