// Forwarding events to the business's own URL: what the messaging worker and the entry point use.
//
//   enqueueForward(env, message)    queue one event (message.id = the Telnyx event id)
//   registerForwardRoutes(router)   /forwarding/dead-letters: list, get, redrive (admin routes)
//   forwardQueues                   the consumers of both queues, by queue name, for EdgeWorker.queues
//   checkForwardConfig(env)         for checkConfig: throws ApiError 503 when FORWARD_SIGNING_SECRET is unusable

import { misconfigured } from '../../../shared/errors';
import type { EdgeWorker } from '../../../shared/worker';
import {
  FORWARD_DLQ_NAME,
  FORWARD_QUEUE_NAME,
  consumeDeadLetters,
  consumeForwardBatch,
  type ForwardMessage,
} from './queue';
import { SigningSecretError, signingKeyBytes } from './signing';

export { enqueueForward, type ForwardMessage } from './queue';
export { registerForwardRoutes } from './routes';
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
