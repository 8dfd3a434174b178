// Helpers for the report tests: the hourly cron as Cloudflare runs it (createScheduledController),
// a clean slate of records and report files, and reading a built report back over HTTP.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../workers/index';
import { flushLookupRecords } from '../../workers/lookup/events';
import type { Report } from '../../workers/reports/types';
import { edge } from '../messaging/support';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL } from '../support/sim';
import { testEnv as env } from '../support/test-env';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The UTC day of `ms`, YYYY-MM-DD, as the reports name days. */
export { dayOf } from '../../workers/reports/days';

/** `hour`:00 UTC on the day after `day`: when the cron reports on `day` with REPORT_HOUR_UTC 6. */
export function morningAfter(day: string, hour = 6): number {
  return Date.parse(`${day}T00:00:00Z`) + DAY + hour * HOUR;
}

/** One firing of the hourly cron, run to the end (waitUntil work included). */
export async function cron(scheduledTime: number, overrides: Partial<Env> = {}): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled!(
    createScheduledController({ scheduledTime, cron: '0 * * * *' }),
    { ...env, ...overrides } as Env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

/** No records, no report runs, no report files. */
export async function clearRecords(): Promise<void> {
  await flushLookupRecords(env.DB);
  for (const table of [
    'messages',
    'opt_out_events',
    'calls',
    'lookup_events',
    'lookup_hits',
    'report_runs',
    'cron_runs',
  ]) {
    await env.DB.exec(`DELETE FROM ${table}`);
  }
  const listed = await env.REPORTS.list({ prefix: 'reports/' });
  if (listed.objects.length > 0) await env.REPORTS.delete(listed.objects.map((o) => o.key));
}

/** GET /reports/{day}.json: the report as built. */
export async function reportOf(day: string): Promise<Report> {
  const answer = await edge(`/reports/${day}.json`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body as Report;
}

/** A request to the bundle read as text (for CSV and HTML); `headers` replaces the admin token. */
export async function raw(
  path: string,
  headers: Record<string, string> = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
): Promise<{ status: number; headers: Headers; text: string }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}${path}`, { headers }) as Request<unknown, IncomingRequestCfProperties>,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, headers: response.headers, text: await response.text() };
}
