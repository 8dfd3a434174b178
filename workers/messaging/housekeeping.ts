// The messaging worker's hourly cron: each pool forgets expired sticky senders and reads back the
// messages whose final status never came (NumberPool.housekeep). Once per scheduled time, however
// often the cron fires (shared/cron.ts).

import { runCronJobOnce, type CronJobResult } from '../../shared/cron';
import { log } from '../../shared/log';
import { listProfiles } from './profiles';
import { poolOf } from './routes';

/** Pools are visited a few at a time: each may read up to 50 messages back from Telnyx. */
const POOLS_AT_ONCE = 4;

export async function messagingHousekeeping(controller: ScheduledController, env: Env): Promise<void> {
  await runCronJobOnce(env.DB, 'housekeeping:messaging', controller.scheduledTime, async () => {
    const profiles = await listProfiles(env.CONFIG, new URLSearchParams());
    const totals = { pools: profiles.length, sticky_expired: 0, checked: 0, settled: 0, failed_pools: 0 };
    for (let i = 0; i < profiles.length; i += POOLS_AT_ONCE) {
      const results = await Promise.allSettled(
        profiles.slice(i, i + POOLS_AT_ONCE).map((profile) => poolOf(env, profile.id).housekeep()),
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
