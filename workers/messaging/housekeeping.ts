// The messaging worker's hourly cron: each pool forgets expired sticky senders and reads back the
// messages whose final status never came (NumberPool.housekeep). Once per scheduled time, however
// often the cron fires (shared/cron.ts).

import { runCronJobOnce, type CronJobResult } from '../../shared/cron';
import { log } from '../../shared/log';
import { listProfiles } from './profiles';
import { poolOf } from './routes';

/** Pools are visited a few at a time: each may read up to 50 messages back from Telnyx. */
const POOLS_AT_ONCE = 4;
/**
 * Reading back stops being started after this long, so that with hundreds of pools the cron still
 * reaches the daily report well inside an invocation's 15 minutes; the pools left over only
 * expire sticky senders, and are read back next hour (the oldest unsettled first, wherever they are).
 */
const READ_BACK_BUDGET_MS = 5 * 60_000;

export async function messagingHousekeeping(controller: ScheduledController, env: Env): Promise<void> {
  await runCronJobOnce(env.DB, 'housekeeping:messaging', controller.scheduledTime, async () => {
    const started = Date.now();
    // A different starting pool each hour, so a budget that runs out never starves the same pools.
    const listed = await listProfiles(env.CONFIG, new URLSearchParams());
    const shift = listed.length === 0 ? 0 : Math.floor(controller.scheduledTime / 3_600_000) % listed.length;
    const profiles = [...listed.slice(shift), ...listed.slice(0, shift)];
    const totals = {
      pools: profiles.length,
      sticky_expired: 0,
      checked: 0,
      settled: 0,
      failed_pools: 0,
      read_back_skipped: 0,
    };
    for (let i = 0; i < profiles.length; i += POOLS_AT_ONCE) {
      const readBack = Date.now() - started < READ_BACK_BUDGET_MS;
      const batch = profiles.slice(i, i + POOLS_AT_ONCE);
      if (!readBack) totals.read_back_skipped += batch.length;
      const results = await Promise.allSettled(
        batch.map((profile) => poolOf(env, profile.id).housekeep(Date.now(), { readBack })),
      );
      results.forEach((result, k) => {
        if (result.status === 'fulfilled') {
          totals.sticky_expired += result.value.sticky_expired;
          totals.checked += result.value.checked;
          totals.settled += result.value.settled;
        } else {
          totals.failed_pools++;
          log.error('pool_housekeeping_failed', { profile_id: profiles[i + k]!.id, error: result.reason });
        }
      });
    }
    log.info('messaging_housekeeping', totals);
    return totals satisfies CronJobResult;
  });
}
