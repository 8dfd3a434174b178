// A message someone sends to one of the account's numbers (POST /sim/messages/inbound): stored,
// and delivered as a message.received webhook to the number's messaging profile. A STOP keyword
// blocks the profile for that sender, as Telnyx does (unless the stop_blocks setting is off);
// START or UNSTOP lifts it.

import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { badRequest } from '../../shared/errors';
import { segmentSms } from '../../shared/sms-encoding';
import { getProfile } from '../api/profiles';
import type { SimContext } from '../context';
import { lookupRecord } from '../lookup/records';
import { createEvent } from '../webhooks/events';
import { keywordOf } from './stop-words';

export interface InboundRequest {
  from?: unknown;
  to?: unknown;
  text?: unknown;
  media_urls?: unknown;
}

const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  mp4: 'video/mp4',
  mp3: 'audio/mpeg',
  vcf: 'text/vcard',
  pdf: 'application/pdf',
};

async function mediaItem(url: string) {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url)));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
  const extension = url.split(/[?#]/)[0]!.split('/').pop()?.split('.').pop()?.toLowerCase() ?? '';
  return {
    url,
    content_type: CONTENT_TYPES[extension] ?? 'application/octet-stream',
    size: 1024 * ((digest[0]! % 200) + 1),
    hash_sha256: hex.slice(0, 32),
  };
}

export async function receiveInbound(ctx: SimContext, request: InboundRequest) {
  const { from, to } = request;
  // Strict: "+" and digits only, stored as given, so the opt-out it may cause is keyed by the same
  // E.164 number that later sends are checked against.
  const parsedFrom =
    typeof from === 'string' && /^\+[1-9]\d{1,14}$/.test(from) ? parsePhoneNumberFromString(from) : undefined;
  if (typeof from !== 'string' || !parsedFrom?.isValid() || parsedFrom.number !== from) {
    throw badRequest("'from' must be a valid +E.164 number (the person sending the message).", { pointer: '/from' });
  }
  if (typeof to !== 'string') throw badRequest("'to' must be one of the account's numbers.", { pointer: '/to' });
  const number = ctx.store.first<{ messaging_profile_id: string | null }>(
    'SELECT messaging_profile_id FROM numbers WHERE phone_number = ?',
    to,
  );
  if (number === undefined) {
    throw badRequest(`${to} is not one of the account's numbers; see GET /sim/state for them.`, { pointer: '/to' });
  }
  const text = request.text ?? '';
  if (typeof text !== 'string') throw badRequest("'text' must be a string.", { pointer: '/text' });
  const mediaUrls = request.media_urls ?? [];
  if (
    !Array.isArray(mediaUrls) ||
    mediaUrls.length > 10 ||
    !mediaUrls.every((u) => typeof u === 'string' && URL.canParse(u) && /^https?:\/\//.test(u))
  ) {
    throw badRequest("'media_urls' must be at most 10 http(s) URLs.", { pointer: '/media_urls' });
  }
  if (text === '' && mediaUrls.length === 0) throw badRequest('Give text, media_urls or both.', { pointer: '/text' });

  const profile = number.messaging_profile_id === null ? undefined : getProfile(ctx, number.messaging_profile_id);
  const keyword = keywordOf(text);
  if (profile !== undefined && keyword === 'stop' && ctx.settings.stop_blocks) {
    ctx.store.run(
      'INSERT INTO opt_outs (profile_id, recipient, at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      profile.id,
      from,
      ctx.now(),
    );
  }
  if (profile !== undefined && keyword === 'start') {
    ctx.store.run('DELETE FROM opt_outs WHERE profile_id = ? AND recipient = ?', profile.id, from);
  }

  const segments = segmentSms(text);
  const carrier = lookupRecord(from, ['carrier']).carrier;
  const lineType: Record<string, string> = { mobile: 'Wireless', 'fixed line': 'Wireline', voip: 'VoIP' };
  // A number on no messaging profile has nowhere to send its messages: Telnyx delivers no webhook
  // for it, and the simulator records the event as having no URL.
  const primary = profile === undefined ? '' : profile.webhook_url || `${ctx.webhookBase()}/webhooks/messaging`;
  const failover = profile?.webhook_failover_url || '';
  const id = crypto.randomUUID();
  const receivedAt = ctx.now();
  const message = {
    record_type: 'message',
    direction: 'inbound',
    id,
    type: mediaUrls.length > 0 ? 'MMS' : 'SMS',
    messaging_profile_id: profile?.id ?? null,
    from: {
      phone_number: from,
      carrier: carrier?.name ?? '',
      line_type: lineType[carrier?.type ?? ''] ?? '',
      status: 'received',
    },
    to: [{ phone_number: to, carrier: 'Telnyx', line_type: 'Wireless', status: 'webhook_delivered' }],
    cc: [],
    text,
    media: await Promise.all((mediaUrls as string[]).map(mediaItem)),
    encoding: segments.encoding,
    parts: segments.parts,
    tags: [],
    cost: null,
    cost_breakdown: null,
    errors: [],
    received_at: ctx.iso(receivedAt),
    sent_at: null,
    completed_at: null,
    valid_until: null,
    webhook_url: primary || null,
    webhook_failover_url: failover || null,
  };
  ctx.store.run(
    'INSERT INTO messages (id, seq, direction, profile_id, from_number, to_number, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id,
    ctx.store.next('message_seq'),
    'inbound',
    profile?.id ?? null,
    from,
    to,
    JSON.stringify(message),
  );
  const eventId = createEvent(ctx, {
    eventType: 'message.received',
    dueAt: receivedAt + ctx.settings.latency_ms.inbound,
    urls: [primary, failover].filter((u) => u !== ''),
    payload: message,
  });
  return {
    message,
    event_id: eventId,
    opted_out: keyword === 'stop' && profile !== undefined && ctx.settings.stop_blocks,
  };
}
