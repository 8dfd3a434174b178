// The messaging worker: its routes, Durable Objects and cron work, as the entry point mounts them.

import { jsonResponse } from '../../shared/errors';
import { log } from '../../shared/log';
import { parseEnvelope } from '../../shared/webhooks/envelope';
import { receiveTelnyxWebhook } from '../../shared/webhooks/receive';
import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';

const router = createWorkerRouter();

// Telnyx's messaging webhooks (the profile's webhook URL and its failover URL). Today this is the
// verified front door only: a webhook that fails the signature check is refused with 401 and
// nothing else happens; a genuine one is acknowledged and logged. Acting on the events
// (duplicates, opt-outs, delivery receipts, forwarding) is the messaging milestone's work.
for (const path of ['/webhooks/messaging', '/webhooks/messaging/failover']) {
  router.post(path, async (request, env) => {
    const webhook = await receiveTelnyxWebhook(request, env);
    const event = parseEnvelope(webhook.text);
    log.info('messaging_webhook_received', {
      path,
      event_id: event?.id,
      event_type: event?.eventType,
      attempt: event?.attempt,
      well_formed: event !== undefined,
    });
    return jsonResponse({ received: true });
  });
}

export const messagingWorker: EdgeWorker = { name: 'messaging', router };
