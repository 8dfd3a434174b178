// Where a verified messaging webhook goes before Telnyx gets its 200: into the inbox of the pool
// whose number it concerns (the pool's Durable Object), which acts on it right after. An event
// for a number in no pool, or a signed body that is not an event at all, is kept in D1 instead
// (webhook_events, state no_pool or quarantined). Either way it is stored before the answer, so
// nothing Telnyx delivered is lost, and stored once per event id.
//
// A busy pool gets its webhooks in batches: while one call to its object is under way, the webhooks
// arriving meanwhile wait and go in the next call (shared/batching.ts), so the object's round trips,
// not its work, stop setting the pace.

import { Batcher } from '../../shared/batching';
import { log } from '../../shared/log';
import { storeWebhook } from '../../shared/webhooks/inbox';
import { parseEnvelope } from '../../shared/webhooks/envelope';
import type { VerifiedWebhook } from '../../shared/webhooks/receive';
import type { InboxEvent, PoolContext } from './pool/types';
import { profileForNumber } from './profiles';
import { poolOf } from './routes';

/** Per isolate. A batch stays well under the 32 MiB an RPC may carry. */
const toPools = new Batcher<InboxEvent, { duplicate: boolean }>({ items: 100, size: 4 * 1024 * 1024, waitMs: 1000 });

/** The pool number an event concerns: the receiving number of an inbound message, else the sender. */
function poolNumberOf(eventType: string, payload: Record<string, unknown>): string | undefined {
  if (eventType === 'message.received') {
    return (payload.to as Array<{ phone_number?: string }> | undefined)?.[0]?.phone_number;
  }
  return (payload.from as { phone_number?: string } | undefined)?.phone_number;
}

export interface Routed {
  eventId: string;
  eventType: string | undefined;
  duplicate: boolean;
  where: 'pool' | 'no_pool' | 'quarantined';
}

export async function routeMessagingWebhook(
  env: Env,
  webhook: VerifiedWebhook,
  path: string,
  url: URL,
): Promise<Routed> {
  const envelope = parseEnvelope(webhook.text);
  const number = envelope === undefined ? undefined : poolNumberOf(envelope.eventType, envelope.payload);
  const profile = number === undefined ? undefined : await profileForNumber(env.CONFIG, number);
  if (envelope === undefined || profile === undefined || webhook.text === undefined) {
    const stored = await storeWebhook(env.DB, 'messaging', path, webhook, envelope ? 'no_pool' : undefined);
    if (envelope)
      log.warn('messaging_event_without_pool', { event_id: envelope.id, event_type: envelope.eventType, number });
    return {
      eventId: stored.eventId,
      eventType: envelope?.eventType,
      duplicate: stored.duplicate,
      where: envelope ? 'no_pool' : 'quarantined',
    };
  }
  const context: PoolContext = { profile, webhookBase: url.origin };
  const event: InboxEvent = {
    id: envelope.id,
    eventType: envelope.eventType,
    occurredAt: envelope.occurredAt,
    edgeId: url.searchParams.get('edge_id'),
    path,
    body: webhook.text,
  };
  const { duplicate } = await toPools.submit(`${profile.id} ${url.origin}`, event, webhook.text.length, (events) =>
    poolOf(env, profile.id).receiveEvents(context, events),
  );
  return { eventId: envelope.id, eventType: envelope.eventType, duplicate, where: 'pool' };
}
