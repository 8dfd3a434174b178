// Forwarding events to the business's own URL, for messaging and voice alike. The entry point
// mounts `forwardingWorker` (the dead-letter routes and both queues' consumers) beside the others.
//
//   enqueueForward(env, message)    queue one event (message.id = the Telnyx event id)
//   forwardingWorker                /forwarding/dead-letters (list, get, redrive), queue consumers, config
//                                   check, and the hourly redrive when DEAD_LETTER_REDRIVE is "hourly"
//   checkForwardConfig(env)         throws ApiError 503 when FORWARD_SIGNING_SECRET is unusable

import { runCronJobOnce } from '../cron';
import { misconfigured } from '../errors';
import { createWorkerRouter, type EdgeWorker } from '../worker';
import {
  FORWARD_DLQ_NAME,
  FORWARD_QUEUE_NAME,
  consumeDeadLetters,
  consumeForwardBatch,
  type ForwardMessage,
} from './queue';
import { SigningSecretError, signingKeyBytes } from './signing';

export { enqueueForward, type ForwardMessage } from './queue';
import { redriveDeadLetters, registerForwardRoutes } from './routes';

export { registerForwardRoutes };
export { verifyStandardWebhook } from './signing';

/** The queue consumers, by the queue names of wrangler.toml. */
export const forwardQueues: NonNullable<EdgeWorker['queues']> = {
  [FORWARD_QUEUE_NAME]: (batch, env) => consumeForwardBatch(batch as MessageBatch<ForwardMessage>, env),
  [FORWARD_DLQ_NAME]: (batch, env) => consumeDeadLetters(batch as MessageBatch<ForwardMessage>, env),
};

/** Refuses (503, for GET /health) a FORWARD_SIGNING_SECRET that cannot sign anything. */
export function checkForwardConfig(env: Env): void {
  try {
    signingKeyBytes(env.FORWARD_SIGNING_SECRET);
  } catch (error) {
    if (error instanceof SigningSecretError) throw misconfigured(error.message);
    throw error;
  }
}

const router = createWorkerRouter();
registerForwardRoutes(router);

/**
 * With DEAD_LETTER_REDRIVE = "hourly", the hourly cron queues the dead letters again (up to the
 * bulk limit a run), once per scheduled time. Off by default: a URL that stays down would
 * otherwise see every dead event retried through the whole backoff again each hour.
 */
async function redriveHourly(controller: ScheduledController, env: Env): Promise<void> {
  if (env.DEAD_LETTER_REDRIVE !== 'hourly') return;
  await runCronJobOnce(env.DB, 'housekeeping:forwarding', controller.scheduledTime, async () => {
    const { redriven, remaining, cannot_redrive } = await redriveDeadLetters(env, undefined);
    return { redriven, remaining, cannot_redrive };
  });
}

export const forwardingWorker: EdgeWorker = {
  name: 'forwarding',
  router,
  queues: forwardQueues,
  checkConfig: checkForwardConfig,
  scheduled: (controller, env) => redriveHourly(controller, env),
};
