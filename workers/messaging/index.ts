// The messaging worker: number pools (messaging profiles) and sending, Telnyx's messaging
// webhooks, opt-outs, and forwarding events to the business. Its Durable Object is NumberPool.

import { jsonResponse } from '../../shared/errors';
import { log } from '../../shared/log';
import { storeWebhook } from '../../shared/webhooks/inbox';
import { receiveTelnyxWebhook } from '../../shared/webhooks/receive';
import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';
import { processMessagingEvent } from './events';
import { checkForwardConfig, forwardQueues, registerForwardRoutes } from './forward';
import { registerMessagingRoutes } from './routes';

const router = createWorkerRouter();

// Telnyx's messaging webhooks (the URLs the pool gives Telnyx with each send, and the profile's
// URLs in the Telnyx portal). A webhook that fails the signature check is refused with 401 and
// nothing happens. A genuine one is stored (once per event id) before it is acknowledged, so
// nothing Telnyx delivered is lost; the pool acts on it after the answer, off the 2-second path.
for (const path of ['/webhooks/messaging', '/webhooks/messaging/failover']) {
  router.post(path, async (request, env, ctx) => {
    const webhook = await receiveTelnyxWebhook(request, env);
    const stored = await storeWebhook(env.DB, 'messaging', path, webhook);
    log.info('messaging_webhook_received', {
      path,
      event_id: stored.eventId,
      event_type: stored.envelope?.eventType,
      attempt: stored.envelope?.attempt,
      duplicate: stored.duplicate,
      quarantined: stored.envelope === undefined,
    });
    if (!stored.duplicate && webhook.text !== undefined) {
      const url = new URL(request.url);
      ctx.waitUntil(
        processMessagingEvent(env, stored, webhook.text, {
          webhookBase: url.origin,
          edgeId: url.searchParams.get('edge_id'),
        }),
      );
    }
    return jsonResponse({ received: true });
  });
}

registerMessagingRoutes(router);
registerForwardRoutes(router);

export const messagingWorker: EdgeWorker = {
  name: 'messaging',
  router,
  queues: forwardQueues,
  checkConfig: checkForwardConfig,
};
