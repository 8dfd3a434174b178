// The messaging worker: number pools (messaging profiles) and sending, Telnyx's messaging
// webhooks, opt-outs, and forwarding events to the business. Its Durable Object is NumberPool.

import { jsonResponse } from '../../shared/errors';
import { log } from '../../shared/log';
import { receiveTelnyxWebhook } from '../../shared/webhooks/receive';
import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';
import { routeMessagingWebhook } from './events';
import { messagingHousekeeping } from './housekeeping';
import { registerMessagingRoutes } from './routes';

const router = createWorkerRouter();

// Telnyx's messaging webhooks (the URLs the pool gives Telnyx with each send, and the profile's
// URLs in the Telnyx portal). A webhook that fails the signature check is refused with 401 and
// nothing happens. A genuine one is stored (once per event id, in its pool's inbox) before it is
// acknowledged, so nothing Telnyx delivered is lost; the pool acts on it right after the answer,
// off the 2-second path (events.ts).
for (const path of ['/webhooks/messaging', '/webhooks/messaging/failover']) {
  router.post(path, async (request, env) => {
    const webhook = await receiveTelnyxWebhook(request, env);
    const routed = await routeMessagingWebhook(env, webhook, path, new URL(request.url));
    log.info('messaging_webhook_received', {
      path,
      event_id: routed.eventId,
      event_type: routed.eventType,
      duplicate: routed.duplicate,
      stored_in: routed.where,
    });
    return jsonResponse({ received: true });
  });
}

registerMessagingRoutes(router);

export const messagingWorker: EdgeWorker = {
  name: 'messaging',
  router,
  scheduled: (controller, env) => messagingHousekeeping(controller, env),
};
