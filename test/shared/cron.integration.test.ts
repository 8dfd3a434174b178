// shared/cron.ts against real D1: of two claims of one (job, scheduled time) at once exactly one
// wins; a finished run is never taken again, a failed one is, and so is one left "running" by an
// invocation that died (after 20 minutes).
import { beforeEach, describe, expect, it } from 'vitest';
import { claimCronRun, finishCronRun, runCronJobOnce } from '../../shared/cron';
import { testEnv as env } from '../support/test-env';

const AT = Date.UTC(2026, 10, 23, 6);

beforeEach(async () => {
  await env.DB.exec('DELETE FROM cron_runs');
});

describe('claimCronRun', () => {
  it('two claims at once: exactly one wins', async () => {
    const claims = await Promise.all([1, 2, 3, 4].map(() => claimCronRun(env.DB, 'job', AT)));
    expect(claims.filter(Boolean)).toHaveLength(1);
    // Another scheduled time, or another job, is a run of its own.
    expect(await claimCronRun(env.DB, 'job', AT + 3_600_000)).toBe(true);
    expect(await claimCronRun(env.DB, 'other', AT)).toBe(true);
  });

  it('a finished run is not taken again; a failed one is', async () => {
    expect(await claimCronRun(env.DB, 'ok-job', AT)).toBe(true);
    await finishCronRun(env.DB, 'ok-job', AT, { ok: true, detail: {} });
    expect(await claimCronRun(env.DB, 'ok-job', AT)).toBe(false);

    expect(await claimCronRun(env.DB, 'failing-job', AT)).toBe(true);
    await finishCronRun(env.DB, 'failing-job', AT, { ok: false, error: 'D1 was down' });
    expect(await claimCronRun(env.DB, 'failing-job', AT)).toBe(true);
  });

  it('a run still marked running is left alone for 20 minutes, then taken over', async () => {
    const now = Date.now();
    expect(await claimCronRun(env.DB, 'job', AT, now)).toBe(true);
    expect(await claimCronRun(env.DB, 'job', AT, now + 19 * 60_000)).toBe(false);
    expect(await claimCronRun(env.DB, 'job', AT, now + 21 * 60_000)).toBe(true);
  });
});

describe('runCronJobOnce', () => {
  it('does the work once however often it is asked, records what it did, and rethrows a failure', async () => {
    let runs = 0;
    const work = async () => ({ runs: ++runs });
    const results = await Promise.all([1, 2].map(() => runCronJobOnce(env.DB, 'count', AT, work)));
    expect(runs).toBe(1);
    expect(results.filter((r) => r !== undefined)).toEqual([{ runs: 1 }]);
    const row = await env.DB.prepare("SELECT status, detail FROM cron_runs WHERE job = 'count'").first();
    expect(row).toEqual({ status: 'ok', detail: '{"runs":1}' });

    await expect(
      runCronJobOnce(env.DB, 'boom', AT, async () => {
        throw new Error('no table');
      }),
    ).rejects.toThrow('no table');
    const failed = await env.DB.prepare("SELECT status, detail FROM cron_runs WHERE job = 'boom'").first();
    expect(failed).toEqual({ status: 'failed', detail: '{"error":"no table"}' });
  });
});
