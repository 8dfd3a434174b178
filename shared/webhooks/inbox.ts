// Where verified webhooks land before they are acknowledged: one row per Telnyx event in D1
// (migrations/0002_webhook_events.sql). Acknowledging only after the row is written means a
// webhook Telnyx delivered is never lost: if the write fails, the webhook route answers 5xx and
// Telnyx delivers it again. A signed body that is not a Telnyx event (not JSON, no event id) is
// kept too, marked quarantined, and still acknowledged: retrying it would not change it
// (RELIABILITY.md row 11).

import { encodeBase64 } from '../base64';
import { parseEnvelope, type WebhookEnvelope } from './envelope';
import type { VerifiedWebhook } from './receive';

export type WebhookSource = 'messaging' | 'voice';

export interface StoredWebhook {
  eventId: string;
  envelope: WebhookEnvelope | undefined;
  /** True when Telnyx had delivered this event before. */
  duplicate: boolean;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** `state`: 'received' (the default for an event), or why it is kept here rather than handled. */
export async function storeWebhook(
  db: D1Database,
  source: WebhookSource,
  path: string,
  webhook: VerifiedWebhook,
  state?: 'no_pool' | 'no_call',
): Promise<StoredWebhook> {
  const envelope = parseEnvelope(webhook.text);
  const eventId = envelope?.id ?? `unparsed:${await sha256Hex(webhook.rawBody)}`;
  const inserted = await db
    .prepare(
      `INSERT INTO webhook_events
         (event_id, source, event_type, occurred_at, received_at, path, attempt, deliveries, body, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
       ON CONFLICT (event_id) DO UPDATE SET deliveries = deliveries + 1
       RETURNING deliveries`,
    )
    .bind(
      eventId,
      source,
      envelope?.eventType ?? null,
      envelope?.occurredAt ?? null,
      new Date().toISOString(),
      path,
      envelope?.attempt ?? null,
      webhook.text ?? encodeBase64(webhook.rawBody),
      envelope ? (state ?? 'received') : 'quarantined',
    )
    .first<{ deliveries: number }>();
  return { eventId, envelope, duplicate: (inserted?.deliveries ?? 1) > 1 };
}
