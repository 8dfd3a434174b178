// The reports worker: the records' retention and the daily report, from the hourly cron, and the
// /reports routes. It reads the tables and KV keys the other workers write (their formats are
// the contract) and imports none of their code.
//
// The cron runs every hour ("0 * * * *"). Each run:
//   1. deletes records older than RETENTION_DAYS (once per scheduled time);
//   2. tries again the summaries that failed in earlier runs;
//   3. from REPORT_HOUR_UTC on, builds the previous day's report if no run has yet (once per report
//      day, whichever hourly run gets there first, so a missed hour is caught up by the next) and
//      sends its summary.

import { runCronJobOnce } from '../../shared/cron';
import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';
import { reportsConfig } from './config';
import { addDays, dayOf, dayStart } from './days';
import { deliverSummary, failedDeliveries } from './deliver';
import { purgeOldRecords } from './retention';
import { registerReportRoutes } from './routes';
import { runReport } from './runs';

const router = createWorkerRouter();
registerReportRoutes(router);

async function reportsCron(controller: ScheduledController, env: Env): Promise<void> {
  const config = reportsConfig(env);
  // The cron's own time says which day is over, even when the invocation runs late.
  const now = Math.max(Date.now(), controller.scheduledTime);

  await runCronJobOnce(env.DB, 'housekeeping:records', controller.scheduledTime, async () => ({
    deleted: await purgeOldRecords(env.DB, config.retentionDays, now),
  }));

  // Earlier summaries that failed, before today's is tried.
  for (const day of await failedDeliveries(env.DB, now)) await deliverSummary(env, day, config);

  if (new Date(controller.scheduledTime).getUTCHours() >= config.reportHourUtc) {
    const day = addDays(dayOf(controller.scheduledTime), -1);
    await runCronJobOnce(env.DB, 'daily_report', dayStart(day), async () => {
      const { report, buildMs } = await runReport(env, day, { trigger: 'cron', config, now });
      const delivery = await deliverSummary(env, day, config, report);
      return { date: day, build_ms: buildMs, delivery };
    });
  }
}

export const reportsWorker: EdgeWorker = {
  name: 'reports',
  router,
  checkConfig: (env) => reportsConfig(env),
  scheduled: (controller, env) => reportsCron(controller, env),
};
