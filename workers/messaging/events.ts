// What happens to a stored, verified messaging webhook after Telnyx has its 200: the pool whose
// number it concerns acts on it (opt-outs, replies, status, health), then it is forwarded to the
// business. This runs off the request path (ctx.waitUntil). If it fails, the event stays in D1
// with state 'received' and is acted on again later (the hourly housekeeping), never lost.

import { log } from '../../shared/log';
import type { StoredWebhook } from '../../shared/webhooks/inbox';
import { enqueueForward } from './forward';
import type { PoolEvent } from './pool/types';
import { getProfile, profileIdOfNumber } from './profiles';
import { poolOf } from './routes';

/** The pool number an event concerns: the receiving number of an inbound message, else the sender. */
function poolNumberOf(eventType: string, payload: Record<string, unknown>): string | undefined {
  if (eventType === 'message.received') {
    return (payload.to as Array<{ phone_number?: string }> | undefined)?.[0]?.phone_number;
  }
  return (payload.from as { phone_number?: string } | undefined)?.phone_number;
}

export async function processMessagingEvent(
  env: Env,
  stored: StoredWebhook,
  rawBody: string,
  context: { webhookBase: string; edgeId: string | null },
): Promise<void> {
  const envelope = stored.envelope;
  if (envelope === undefined) return; // quarantined: nothing to act on
  try {
    const number = poolNumberOf(envelope.eventType, envelope.payload);
    const profileId = number === undefined ? undefined : await profileIdOfNumber(env.CONFIG, number);
    const profile = profileId === undefined ? undefined : await getProfile(env.CONFIG, profileId);
    if (profile === undefined) {
      log.warn('messaging_event_without_pool', { event_id: envelope.id, event_type: envelope.eventType, number });
      await markEvent(env.DB, envelope.id, 'no_pool');
      return;
    }
    const event: PoolEvent = {
      id: envelope.id,
      eventType: envelope.eventType,
      occurredAt: envelope.occurredAt,
      payload: envelope.payload,
      edgeId: context.edgeId,
    };
    const outcome = await poolOf(env, profile.id).handleEvent({ profile, webhookBase: context.webhookBase }, event);
    if (outcome.forwardUrl !== null && !outcome.actions.includes('duplicate')) {
      await enqueueForward(env, {
        id: envelope.id,
        url: outcome.forwardUrl,
        body: rawBody,
        profile_id: profile.id,
        event_type: envelope.eventType,
        created_at: envelope.occurredAt ?? new Date().toISOString(),
      });
    }
    await markEvent(env.DB, envelope.id, 'processed');
    log.info('messaging_event_processed', {
      event_id: envelope.id,
      event_type: envelope.eventType,
      actions: outcome.actions,
    });
  } catch (error) {
    log.error('messaging_event_failed', { event_id: envelope.id, event_type: envelope.eventType, error });
  }
}

async function markEvent(db: D1Database, eventId: string, state: 'processed' | 'no_pool'): Promise<void> {
  await db.prepare('UPDATE webhook_events SET state = ? WHERE event_id = ?').bind(state, eventId).run();
}
