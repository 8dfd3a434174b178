// The reports worker: the records' retention and the daily report, from the hourly cron, and the
// /reports routes. It reads the tables and KV keys the other workers write (their formats are
// the contract) and imports none of their code.
//
// The cron runs every hour ("0 * * * *"). Each run:
//   1. deletes records older than RETENTION_DAYS (once per scheduled time);
//   2. tries again the summaries that failed in earlier runs;
//   3. from REPORT_HOUR_UTC on, builds the previous day's report if no run has yet (once per report
//      day, whichever hourly run gets there first, so a missed hour is caught up by the next) and
//      sends its summary; and builds any day of the past week that had activity but no report
//      (catch-up.ts).

import { runCronJobOnce } from '../../shared/cron';
import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';
import { reportsConfig } from './config';
import { missedDays } from './catch-up';
import { addDays, dayOf, dayStart } from './days';
import { deliverSummary, failedDeliveries } from './deliver';
import { clearProcessedBodies, purgeOldRecords } from './retention';
import { registerReportRoutes } from './routes';
import { runReport } from './runs';

const router = createWorkerRouter();
registerReportRoutes(router);

async function reportsCron(controller: ScheduledController, env: Env): Promise<void> {
  const config = reportsConfig(env);
  // The cron stands for its scheduled time: it picks the day to report on, the hour, and the
  // retention cutoff. What the report says of itself (generated_at, partial) is the real clock's.
  const runTime = Math.max(Date.now(), controller.scheduledTime);
  const failures: string[] = [];
  const step = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  // Each step runs even when an earlier one failed: a retention error must not cost the report.
  await step('retention', () =>
    runCronJobOnce(env.DB, 'housekeeping:records', controller.scheduledTime, async () => ({
      deleted: await purgeOldRecords(env.DB, config.retentionDays, runTime),
      webhook_bodies_cleared: await clearProcessedBodies(env.DB, runTime),
    })),
  );

  // Earlier summaries that failed, at least half an hour ago, before today's is tried.
  await step('summary retries', async () => {
    for (const day of await failedDeliveries(env.DB, runTime)) await deliverSummary(env, day, config);
  });

  // The previous day's report from the report hour on, once per day; and any day of the last week
  // that had activity and was missed (no cron ran between its report hour and midnight).
  const yesterday = addDays(dayOf(controller.scheduledTime), -1);
  const due = new Date(controller.scheduledTime).getUTCHours() >= config.reportHourUtc ? [yesterday] : [];
  await step('missed days', async () => due.unshift(...(await missedDays(env.DB, yesterday))));
  for (const day of due) {
    await step(`daily report ${day}`, () =>
      runCronJobOnce(env.DB, 'daily_report', dayStart(day), async () => {
        const { report, buildMs } = await runReport(env, day, { trigger: 'cron', config });
        const delivery = await deliverSummary(env, day, config, { report });
        return { date: day, build_ms: buildMs, delivery };
      }),
    );
  }
  if (failures.length > 0) throw new Error(`Reports cron: ${failures.join('; ')}`);
}

export const reportsWorker: EdgeWorker = {
  name: 'reports',
  router,
  checkConfig: (env) => reportsConfig(env),
  scheduled: (controller, env) => reportsCron(controller, env),
};
