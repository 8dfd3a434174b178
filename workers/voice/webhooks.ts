// Telnyx's Call Control webhooks. A verified event goes into the CallSession of its
// call_session_id before the 200 (stored once per event id), and the session acts on it right
// after, off the 2-second path. A signed body that is not a call event is kept in D1 (quarantined,
// or `no_call` when it names no call session). When the call's connection carries a forward URL,
// the call's session also forwards the event to the business, exactly as Telnyx sent it (a task it
// stores with the event, so the forward survives any failure after the 200).

import { jsonResponse } from '../../shared/errors';
import { log } from '../../shared/log';
import { parseEnvelope } from '../../shared/webhooks/envelope';
import { storeWebhook } from '../../shared/webhooks/inbox';
import { receiveTelnyxWebhook } from '../../shared/webhooks/receive';
import type { EdgeRouter } from '../../shared/worker';

export function registerVoiceWebhooks(router: EdgeRouter): void {
  for (const path of ['/webhooks/voice', '/webhooks/voice/failover']) {
    router.post(path, async (request, env) => {
      const arrivedAt = Date.now();
      const webhook = await receiveTelnyxWebhook(request, env);
      const envelope = parseEnvelope(webhook.text);
      const sessionId = envelope?.payload.call_session_id;
      if (envelope === undefined || webhook.text === undefined || typeof sessionId !== 'string' || sessionId === '') {
        const stored = await storeWebhook(env.DB, 'voice', path, webhook, envelope ? 'no_call' : undefined);
        log.warn('voice_event_without_call', { event_id: stored.eventId, event_type: envelope?.eventType });
        return jsonResponse({ received: true });
      }
      const session = env.CALL_SESSION.get(env.CALL_SESSION.idFromName(sessionId));
      const connectionId = envelope.payload.connection_id;
      const { duplicate } = await session.receiveEvent({
        id: envelope.id,
        sessionId,
        eventType: envelope.eventType,
        occurredAt: envelope.occurredAt,
        body: webhook.text,
        arrivedAt,
        ...(typeof connectionId === 'string' && connectionId !== '' && { connectionId }),
      });
      log.info('voice_webhook_received', {
        path,
        event_id: envelope.id,
        event_type: envelope.eventType,
        call_session_id: sessionId,
        duplicate,
      });
      return jsonResponse({ received: true });
    });
  }
}
