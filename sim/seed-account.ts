// Writes the seeded account (seed.ts) into an empty store.

import { createProfile } from './api/profiles';
import { createConnection } from './connections/connections';
import { createChild } from './connections/resources';
import { findResource, saveResource } from './connections/store';
import type { SimContext } from './context';
import {
  SEED_CREDENTIAL_CONNECTION,
  SEED_NUMBERS,
  SEED_OUTBOUND_VOICE_PROFILE,
  SEED_PROFILES,
  SEED_VOICE_IDS,
  seedCallControlApplication,
} from './seed';

/** Telnyx number ids are long digit strings; these are derived from the number so they never change. */
function numberId(phoneNumber: string): string {
  return `1${phoneNumber.replace(/\D/g, '').padStart(18, '0')}`;
}

export function seedAccount(ctx: SimContext): void {
  for (const profile of SEED_PROFILES) {
    const { id, ...body } = profile;
    createProfile(ctx, structuredClone(body) as unknown as Record<string, unknown>, id);
  }
  const ids = SEED_VOICE_IDS;
  createChild(ctx, 'outbound_voice_profile', structuredClone(SEED_OUTBOUND_VOICE_PROFILE), ids.outboundVoiceProfile);
  const base = ctx.webhookBase();
  createConnection(ctx, 'call_control_application', seedCallControlApplication(base), ids.callControlApplication);
  ctx.store.setValue('seed_application_base', base);
  createConnection(ctx, 'credential_connection', structuredClone(SEED_CREDENTIAL_CONNECTION), ids.credentialConnection);
  const createdAt = ctx.iso();
  for (const n of SEED_NUMBERS) {
    ctx.store.run(
      'INSERT INTO numbers (phone_number, id, type, country_code, messaging_profile_id, connection_id, mps, created_at) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)',
      n.phone_number,
      numberId(n.phone_number),
      n.type,
      n.country_code,
      n.messaging_profile_id,
      // Every number takes calls on the Call Control application, except the short code (SMS only).
      n.type === 'short-code' ? null : ids.callControlApplication,
      createdAt,
    );
  }
}

/**
 * The seeded application's webhook URLs follow the webhook base (SIM_WEBHOOK_BASE, or the
 * webhook_base setting) for as long as nobody has changed them, as messaging webhooks do: a
 * simulator restarted against a bundle on another port still reaches it.
 */
export function followWebhookBase(ctx: SimContext): void {
  const base = ctx.webhookBase();
  const seededWith = ctx.store.getValue('seed_application_base');
  if (seededWith === undefined || seededWith === base) return;
  ctx.store.setValue('seed_application_base', base);
  const application = findResource(ctx, SEED_VOICE_IDS.callControlApplication, ['call_control_application']);
  const before = seedCallControlApplication(seededWith);
  if (
    application === undefined ||
    application.webhook_event_url !== before.webhook_event_url ||
    application.webhook_event_failover_url !== before.webhook_event_failover_url
  ) {
    return;
  }
  const after = seedCallControlApplication(base);
  saveResource(ctx, {
    ...application,
    webhook_event_url: after.webhook_event_url,
    webhook_event_failover_url: after.webhook_event_failover_url,
  });
}
