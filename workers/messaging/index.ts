// The messaging worker: its routes, Durable Objects and cron work, as the entry point mounts them.

import { jsonResponse } from '../../shared/errors';
import { log } from '../../shared/log';
import { storeWebhook } from '../../shared/webhooks/inbox';
import { receiveTelnyxWebhook } from '../../shared/webhooks/receive';
import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';

const router = createWorkerRouter();

// Telnyx's messaging webhooks (the profile's webhook URL and its failover URL). A webhook that
// fails the signature check is refused with 401 and nothing else happens. A genuine one is
// stored (once per event id) before it is acknowledged, so nothing Telnyx delivered is lost.
// Acting on the stored events (opt-outs, delivery receipts, forwarding) is the messaging
// milestone's work.
for (const path of ['/webhooks/messaging', '/webhooks/messaging/failover']) {
  router.post(path, async (request, env) => {
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
    return jsonResponse({ received: true });
  });
}

export const messagingWorker: EdgeWorker = { name: 'messaging', router };
