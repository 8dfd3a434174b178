// Forwarding events to the business's own URL, for messaging and voice alike. The entry point
// mounts `forwardingWorker` (the dead-letter routes and both queues' consumers) beside the others.
//
//   enqueueForward(env, message)    queue one event (message.id = the Telnyx event id)
//   forwardingWorker                /forwarding/dead-letters (list, get, redrive), queue consumers, config check
//   checkForwardConfig(env)         throws ApiError 503 when FORWARD_SIGNING_SECRET is unusable

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
import { registerForwardRoutes } from './routes';

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

export const forwardingWorker: EdgeWorker = {
  name: 'forwarding',
  router,
  queues: forwardQueues,
  checkConfig: checkForwardConfig,
};
