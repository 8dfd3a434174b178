// POST /v2/messages and POST /v2/messages/number_pool: checked as Telnyx checks a send, answered
// with Telnyx's message object (status "queued"), then played out by webhook events: message.sent
// when the message leaves (later when it waited in a throughput queue), message.finalized with
// the outcome its destination chooses (outcomes.ts).

import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { ApiError, TelnyxCode, badRequest, type ErrorSource } from '../../shared/errors';
import { MAX_SMS_PARTS, segmentSms, smartEncode } from '../../shared/sms-encoding';
import type { SimContext } from '../context';
import { getProfile, type Profile } from '../api/profiles';
import { lookupRecord } from '../lookup/records';
import { SIM_ORGANIZATION_ID, type NumberType } from '../seed';
import { createEvent } from '../webhooks/events';
import { outcomeFor } from './outcomes';
import { chooseFromPool, rememberSticky, type PoolSettings } from './pool';
import { numberMps, reserveSlot } from './throughput';

export type SendMode = 'messages' | 'number_pool';

interface AccountNumber {
  phone_number: string;
  type: NumberType;
  messaging_profile_id: string | null;
  mps: number | null;
}

function requestError(status: number, code: string, title: string, detail: string, source?: ErrorSource): ApiError {
  return new ApiError(status, { code, title, detail, ...(source && { source }) });
}

function field<T>(
  body: Record<string, unknown>,
  name: string,
  check: (v: unknown) => v is T,
  what: string,
): T | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!check(value))
    throw requestError(400, TelnyxCode.badRequest, 'Bad Request', `'${name}' must be ${what}.`, {
      pointer: `/${name}`,
    });
  return value;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isBoolean = (v: unknown): v is boolean => typeof v === 'boolean';
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function isHttpUrl(value: string): boolean {
  try {
    return value.length <= 2000 && ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** A destination: E.164 (10016 when not), then a real number (40310 when not). */
function parseDestination(value: unknown) {
  const raw = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (raw === undefined || raw === null || raw === '') {
    throw requestError(
      422,
      TelnyxCode.missingParameter,
      'Missing required parameter',
      "The 'to' parameter is required.",
      {
        pointer: '/to',
      },
    );
  }
  if (typeof raw !== 'string' || !/^\+[1-9]\d{1,14}$/.test(raw)) {
    throw requestError(
      422,
      TelnyxCode.notE164,
      'Phone number must be in +E.164 format',
      "The 'to' parameter must be a single phone number in +E.164 format.",
      { pointer: '/to' },
    );
  }
  const parsed = parsePhoneNumberFromString(raw);
  if (parsed === undefined || !parsed.isValid() || parsed.number !== raw) {
    throw requestError(400, '40310', "Invalid 'to' address", `${raw} is not a valid destination number.`, {
      pointer: '/to',
    });
  }
  const callingCode = String(parsed.countryCallingCode);
  return {
    e164: raw,
    country: parsed.country,
    callingCode,
    areaCode: callingCode === '1' ? String(parsed.nationalNumber).slice(0, 3) : undefined,
  };
}

function accountNumber(ctx: SimContext, phoneNumber: string): AccountNumber | undefined {
  return ctx.store.first<AccountNumber & Record<string, SqlStorageValue>>(
    'SELECT phone_number, type, messaging_profile_id, mps FROM numbers WHERE phone_number = ?',
    phoneNumber,
  );
}

/** The carrier and line type Telnyx reports for a destination, from the simulator's lookup data. */
function destinationCarrier(e164: string): { carrier: string; line_type: string } {
  const carrier = lookupRecord(e164, ['carrier']).carrier;
  const lineType: Record<string, string> = { mobile: 'Wireless', 'fixed line': 'Wireline', voip: 'VoIP' };
  return { carrier: carrier?.name ?? '', line_type: lineType[carrier?.type ?? ''] ?? '' };
}

const PRICE_PER_PART = { SMS: 0.004, MMS: 0.015 } as const;

function cost(amount: number) {
  return { amount: amount.toFixed(4), currency: 'USD' };
}

export function sendMessage(ctx: SimContext, body: Record<string, unknown>, mode: SendMode): Record<string, unknown> {
  const destination = parseDestination(body.to);
  const text = field(body, 'text', isString, 'a string');
  const subject = field(body, 'subject', isString, 'a string');
  const mediaUrls = field(body, 'media_urls', isStringArray, 'a list of URLs') ?? [];
  const webhookUrl = field(body, 'webhook_url', isString, 'a URL');
  const failoverUrl = field(body, 'webhook_failover_url', isString, 'a URL');
  const useProfileWebhooks = field(body, 'use_profile_webhooks', isBoolean, 'true or false') ?? true;
  const profileIdInBody = field(body, 'messaging_profile_id', isString, 'a string');
  const sendAtText = field(body, 'send_at', isString, 'an ISO 8601 date-time');
  for (const [name, url] of [
    ['webhook_url', webhookUrl],
    ['webhook_failover_url', failoverUrl],
  ] as const) {
    if (url !== undefined && url !== '' && !isHttpUrl(url)) {
      throw requestError(400, '10003', 'Invalid URL', `'${name}' is not a valid http(s) URL.`, { pointer: `/${name}` });
    }
  }
  let type = field(body, 'type', isString, '"SMS" or "MMS"') ?? (mediaUrls.length > 0 ? 'MMS' : 'SMS');
  if (type !== 'SMS' && type !== 'MMS') {
    throw requestError(400, TelnyxCode.badRequest, 'Bad Request', "'type' must be SMS or MMS.", { pointer: '/type' });
  }
  if (mediaUrls.length > 10 || mediaUrls.some((u) => !isHttpUrl(u))) {
    throw requestError(400, '40317', 'Invalid MMS content', 'An MMS takes at most 10 media URLs, each http(s).', {
      pointer: '/media_urls',
    });
  }
  if (mediaUrls.length > 0) type = 'MMS';
  if (type === 'SMS' && (text === undefined || text === '')) {
    throw requestError(400, '40316', 'No content provided', 'An SMS needs text (or send media_urls as an MMS).', {
      pointer: '/text',
    });
  }
  if (type === 'MMS' && mediaUrls.length === 0 && (text === undefined || text === '')) {
    throw requestError(400, '40316', 'No content provided', 'An MMS needs media_urls or text.', {
      pointer: '/media_urls',
    });
  }
  const rawSegments = segmentSms(text ?? '');
  if (type === 'SMS' && rawSegments.parts > MAX_SMS_PARTS) {
    throw requestError(
      400,
      '40302',
      'Message too large',
      `The text needs ${rawSegments.parts} parts; at most ${MAX_SMS_PARTS} are sent.`,
      {
        pointer: '/text',
      },
    );
  }
  let notBefore = ctx.now();
  if (sendAtText !== undefined) {
    if (mode === 'number_pool')
      throw badRequest("'send_at' is not accepted by the number pool endpoint.", { pointer: '/send_at' });
    const at = Date.parse(sendAtText);
    if (Number.isNaN(at) || at < ctx.now()) {
      throw badRequest("'send_at' must be a date-time in the future.", { pointer: '/send_at' });
    }
    notBefore = at;
  }

  // The sender: the given number, or a number the profile's pool chooses.
  let from: AccountNumber;
  let profile: Profile;
  const fromText = mode === 'messages' ? field(body, 'from', isString, 'a phone number') : undefined;
  if (fromText !== undefined) {
    const number = accountNumber(ctx, fromText);
    if (number === undefined || number.messaging_profile_id === null) {
      throw requestError(
        400,
        '40305',
        "Invalid 'from' address",
        number === undefined
          ? `${fromText} is not a number on this account.`
          : `${fromText} is not assigned to a messaging profile.`,
        { pointer: '/from' },
      );
    }
    from = number;
    profile = getProfile(ctx, number.messaging_profile_id)!;
  } else {
    if (profileIdInBody === undefined) {
      throw requestError(
        422,
        TelnyxCode.missingParameter,
        'Missing required parameter',
        mode === 'messages'
          ? "Give 'from', or 'messaging_profile_id' to send from the profile's number pool."
          : "The 'messaging_profile_id' parameter is required.",
        { pointer: mode === 'messages' ? '/from' : '/messaging_profile_id' },
      );
    }
    const found = getProfile(ctx, profileIdInBody);
    if (found === undefined) {
      throw requestError(
        400,
        '10017',
        'Associated resource does not exist',
        `No messaging profile ${profileIdInBody}.`,
        {
          pointer: '/messaging_profile_id',
        },
      );
    }
    if (found.number_pool_settings === null) {
      throw badRequest('Number pool is not enabled on this messaging profile (number_pool_settings is null).', {
        pointer: '/messaging_profile_id',
      });
    }
    profile = found;
    const chosen = chooseFromPool(
      ctx,
      profile.id,
      profile.number_pool_settings as unknown as PoolSettings,
      destination,
    );
    from = accountNumber(ctx, chosen.phone_number)!;
  }

  if (!profile.enabled) {
    throw requestError(400, '40312', 'Messaging profile disabled', `Messaging profile ${profile.id} is disabled.`);
  }
  const allowed = profile.whitelisted_destinations;
  if (!allowed.includes('*') && !allowed.includes(destination.country ?? '')) {
    throw requestError(
      400,
      '40309',
      'Invalid destination region',
      `${destination.country ?? 'This destination'} is not among the profile's whitelisted_destinations.`,
      { pointer: '/to' },
    );
  }
  if (ctx.store.first('SELECT 1 FROM opt_outs WHERE profile_id = ? AND recipient = ?', profile.id, destination.e164)) {
    throw requestError(
      409,
      '40300',
      'Blocked due to STOP message',
      `${destination.e164} replied STOP to messaging profile ${profile.id}; messages to it are blocked until it sends START.`,
      { pointer: '/to' },
    );
  }

  // A profile with smart_encoding turns typographic look-alikes into GSM characters first, so a
  // message with a curly quote is not sent (and billed) as UCS-2.
  const smart = profile.smart_encoding === true ? smartEncode(text ?? '') : undefined;
  const finalText = smart?.text ?? text ?? '';
  const segments = smart ? segmentSms(finalText) : rawSegments;
  const parts = type === 'MMS' ? 1 : segments.parts;
  const slot = reserveSlot(ctx, {
    from: from.phone_number,
    numberMps: numberMps(from.type, destination.callingCode, from.mps),
    kind: type === 'MMS' ? 'mms' : 'sms',
    parts,
    notBefore,
  });
  if (mode === 'number_pool' || fromText === undefined) {
    rememberSticky(ctx, profile.id, destination.e164, from.phone_number);
  }

  // The message as the send returns it.
  const id = crypto.randomUUID();
  const receivedAt = ctx.now();
  const primary =
    webhookUrl || (useProfileWebhooks ? profile.webhook_url || `${ctx.webhookBase()}/webhooks/messaging` : '');
  const failover = failoverUrl || (useProfileWebhooks ? profile.webhook_failover_url || '' : '');
  const message: Record<string, unknown> = {
    record_type: 'message',
    direction: 'outbound',
    id,
    type,
    messaging_profile_id: profile.id,
    organization_id: SIM_ORGANIZATION_ID,
    from: { phone_number: from.phone_number, carrier: 'Telnyx', line_type: 'VoIP' },
    to: [
      {
        phone_number: destination.e164,
        status: sendAtText === undefined ? 'queued' : 'scheduled',
        ...destinationCarrier(destination.e164),
      },
    ],
    cc: [],
    text: finalText,
    smart_encoding_applied: (smart?.replaced ?? 0) > 0,
    subject: subject ?? null,
    media: mediaUrls.map((url) => ({ url, content_type: null, sha256: null, size: null })),
    webhook_url: primary || null,
    webhook_failover_url: failover || null,
    encoding: segments.encoding,
    parts,
    tags: [],
    cost: null,
    cost_breakdown: null,
    tcr_campaign_id: null,
    tcr_campaign_billable: false,
    tcr_campaign_registered: null,
    received_at: ctx.iso(receivedAt),
    sent_at: null,
    completed_at: null,
    valid_until: ctx.iso(slot.sendAt + ctx.settings.queue_horizon_seconds * 1000),
    wait_seconds: slot.waitMs > 0 ? slot.waitMs / 1000 : null,
    errors: [],
  };
  ctx.store.run(
    'INSERT INTO messages (id, seq, direction, profile_id, from_number, to_number, body) VALUES (?, ?, ?, ?, ?, ?, ?)',
    id,
    ctx.store.next('message_seq'),
    'outbound',
    profile.id,
    from.phone_number,
    destination.e164,
    JSON.stringify(message),
  );
  scheduleOutcome(
    ctx,
    message,
    slot.sendAt,
    [primary, failover].filter((u) => u !== ''),
  );
  return message;
}

/** The events that carry the message to its outcome: message.sent, then message.finalized. */
function scheduleOutcome(ctx: SimContext, message: Record<string, unknown>, leavesAt: number, urls: string[]): void {
  const outcome = outcomeFor((message.to as Array<{ phone_number: string }>)[0]!.phone_number);
  const latency = ctx.settings.latency_ms;
  const sentAt = leavesAt + latency.sent;
  const finalAt = outcome.status === 'sending_failed' ? sentAt : sentAt + latency.finalized;
  const withStatus = (status: string, extra: Record<string, unknown>) => ({
    ...message,
    to: (message.to as Array<Record<string, unknown>>).map((to) => ({ ...to, status })),
    ...extra,
  });
  if (outcome.status !== 'sending_failed') {
    createEvent(ctx, {
      eventType: 'message.sent',
      messageId: message.id as string,
      dueAt: sentAt,
      urls,
      payload: withStatus('sent', { sent_at: ctx.iso(sentAt) }),
    });
  }
  const parts = message.parts as number;
  const price = PRICE_PER_PART[message.type as 'SMS' | 'MMS'] * parts;
  createEvent(ctx, {
    eventType: 'message.finalized',
    messageId: message.id as string,
    dueAt: finalAt,
    urls,
    payload: withStatus(outcome.status, {
      sent_at: outcome.status === 'sending_failed' ? null : ctx.iso(sentAt),
      completed_at: ctx.iso(finalAt),
      cost: outcome.status === 'sending_failed' ? null : cost(price),
      cost_breakdown:
        outcome.status === 'sending_failed' ? null : { rate: cost(price * 0.6), carrier_fee: cost(price * 0.4) },
      errors: outcome.error ? [outcome.error] : [],
    }),
  });
}
