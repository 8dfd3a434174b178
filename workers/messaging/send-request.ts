// Checking a send before anything leaves (Telnyx's body for POST /v2/messages,
// /v2/messages/number_pool and /v2/messages/schedule): numbers in E.164, text or media, at most 10 parts, an MMS with at most
// 10 https media URLs, send_at neither past nor beyond the horizon. Every failure is a 4xx in
// Telnyx's shape with a pointer to the field. The text is encoded here (smart encoding when the
// pool asks for it) so the pool only decides who sends, and when.

import { ApiError, TelnyxCode, badRequest, type ErrorSource } from '../../shared/errors';
import { timeZoneOf } from '../../shared/local-time';
import { parseCountryCode, parsePhoneNumber, type CountryCode } from '../../shared/phone';
import { MAX_SMS_PARTS, segmentSms, smartEncode } from '../../shared/sms-encoding';
import type { EdgeProfile } from './profiles';
import type { SendRequest } from './pool/types';

/** Which of Telnyx's send routes was called: `schedule` is `messages` with send_at required. */
export type SendEndpoint = 'messages' | 'number_pool' | 'schedule';

function fieldError(status: number, code: string, title: string, detail: string, source: ErrorSource): ApiError {
  return new ApiError(status, { code, title, detail, source });
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badRequest(`'${name}' must be a string.`, { pointer: `/${name}` });
  return value;
}

function httpsUrl(value: string): boolean {
  try {
    return value.length <= 2000 && new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The sender a send names. Telnyx's `from` takes +E.164, a short code or an alphanumeric sender
 * ID; a pool holds numbers and short codes only, so an alphanumeric ID is refused plainly rather
 * than misread as a malformed number.
 */
export function parseSender(value: unknown, defaultCountry?: CountryCode): string {
  if (typeof value === 'string' && /^\d{5,6}$/.test(value)) return value;
  if (typeof value === 'string' && /[a-z]/i.test(value)) {
    throw fieldError(
      400,
      '40305',
      "Invalid 'from' address",
      'Alphanumeric sender IDs are not held in pools; give a number or short code of the pool, or leave out from.',
      { pointer: '/from' },
    );
  }
  return parsePhoneNumber(value, { source: { pointer: '/from' }, defaultCountry }).e164;
}

/** The profile a send names, before the profile is known: its id, or undefined (then from decides). */
export function profileIdOfSend(body: Record<string, unknown>): string | undefined {
  return optionalString(body, 'messaging_profile_id');
}

export interface SendSettings {
  defaultCountry: string | undefined;
  sendAtHorizonSeconds: number;
  now: number;
}

export function parseSendRequest(
  body: Record<string, unknown>,
  endpoint: SendEndpoint,
  profile: EdgeProfile,
  settings: SendSettings,
): SendRequest {
  const country = parseCountryCode(profile.edge.default_country ?? settings.defaultCountry ?? '');
  const rawTo = Array.isArray(body.to) && body.to.length === 1 ? body.to[0] : body.to;
  if (rawTo === undefined || rawTo === null || rawTo === '') {
    throw fieldError(
      422,
      TelnyxCode.missingParameter,
      'Missing required parameter',
      "The 'to' parameter is required.",
      {
        pointer: '/to',
      },
    );
  }
  const to = parsePhoneNumber(rawTo, { source: { pointer: '/to' }, defaultCountry: country });
  const allowed = profile.whitelisted_destinations;
  if (allowed.length > 0 && !allowed.includes('*') && !allowed.includes(to.country ?? '')) {
    throw fieldError(
      400,
      '40309',
      'Invalid destination region',
      `${to.country ?? 'This destination'} is not in the profile's whitelisted_destinations (${allowed.join(', ')}).`,
      { pointer: '/to' },
    );
  }
  let from: string | null = null;
  if (endpoint !== 'number_pool' && body.from !== undefined && body.from !== null) {
    from = parseSender(body.from, country);
  }

  const text = optionalString(body, 'text') ?? '';
  const subject = optionalString(body, 'subject') ?? null;
  const mediaUrls = body.media_urls ?? [];
  if (!Array.isArray(mediaUrls) || !mediaUrls.every((u) => typeof u === 'string')) {
    throw badRequest("'media_urls' must be a list of URLs.", { pointer: '/media_urls' });
  }
  if (mediaUrls.length > 10) {
    throw fieldError(
      400,
      '40317',
      'Invalid MMS content',
      `An MMS takes at most 10 media URLs; got ${mediaUrls.length}.`,
      {
        pointer: '/media_urls',
      },
    );
  }
  mediaUrls.forEach((url, i) => {
    if (!httpsUrl(url)) {
      throw fieldError(400, '40317', 'Invalid MMS content', 'Media URLs must be https URLs.', {
        pointer: `/media_urls/${i}`,
      });
    }
  });
  const declared = optionalString(body, 'type');
  if (declared !== undefined && declared !== 'SMS' && declared !== 'MMS') {
    throw badRequest("'type' must be SMS or MMS.", { pointer: '/type' });
  }
  const type = mediaUrls.length > 0 || declared === 'MMS' ? 'MMS' : 'SMS';
  if (text === '' && mediaUrls.length === 0) {
    throw fieldError(400, '40316', 'No content provided', 'A message needs text, media_urls, or both.', {
      pointer: '/text',
    });
  }

  // Telnyx's own profile field counts too: the SDK sets it, and Telnyx itself would not apply it,
  // because the edge sends from numbers whose Telnyx profile is a different one.
  const smart = profile.edge.smart_encoding || profile.smart_encoding ? smartEncode(text) : undefined;
  const finalText = smart?.text ?? text;
  const segments = segmentSms(finalText);
  if (type === 'SMS' && segments.parts > MAX_SMS_PARTS) {
    throw fieldError(
      400,
      '40302',
      'Message too large',
      `The text needs ${segments.parts} parts (${segments.encoding}); at most ${MAX_SMS_PARTS} are sent.`,
      { pointer: '/text' },
    );
  }

  let sendAt: number | null = null;
  const sendAtText = optionalString(body, 'send_at');
  if (sendAtText === undefined && endpoint === 'schedule') {
    throw fieldError(
      422,
      TelnyxCode.missingParameter,
      'Missing required parameter',
      "The 'send_at' parameter is required.",
      {
        pointer: '/send_at',
      },
    );
  }
  if (sendAtText !== undefined) {
    if (endpoint === 'number_pool')
      throw badRequest("'send_at' is not accepted by /v2/messages/number_pool.", { pointer: '/send_at' });
    sendAt = Date.parse(sendAtText);
    if (Number.isNaN(sendAt) || !/^\d{4}-\d{2}-\d{2}T/.test(sendAtText)) {
      throw badRequest("'send_at' must be an ISO 8601 date-time with a time zone.", { pointer: '/send_at' });
    }
    if (sendAt < settings.now - 60_000) throw badRequest("'send_at' is in the past.", { pointer: '/send_at' });
    if (sendAt > settings.now + settings.sendAtHorizonSeconds * 1000) {
      throw badRequest(`'send_at' is more than ${Math.round(settings.sendAtHorizonSeconds / 86_400)} days ahead.`, {
        pointer: '/send_at',
      });
    }
  }

  const webhookUrl = optionalString(body, 'webhook_url') ?? null;
  if (webhookUrl !== null && webhookUrl !== '') {
    try {
      if (!['http:', 'https:'].includes(new URL(webhookUrl).protocol)) throw new Error();
    } catch {
      throw fieldError(400, '10003', 'Invalid URL', "'webhook_url' is not an http(s) URL.", {
        pointer: '/webhook_url',
      });
    }
  }
  const useShortCode = body.use_short_code === true;
  if (body.use_short_code !== undefined && typeof body.use_short_code !== 'boolean') {
    throw badRequest("'use_short_code' must be true or false.", { pointer: '/use_short_code' });
  }

  return {
    to: to.e164,
    toCallingCode: to.countryCallingCode,
    toCountry: to.country ?? null,
    toAreaCode: to.areaCode ?? null,
    toTimeZone: timeZoneOf(to),
    from,
    type,
    text: finalText,
    subject,
    mediaUrls: mediaUrls as string[],
    parts: type === 'MMS' ? 1 : segments.parts,
    encoding: segments.encoding,
    smartEncodingApplied: (smart?.replaced ?? 0) > 0,
    sendAt,
    useShortCode,
    webhookUrl: webhookUrl || null,
    idempotencyKey: null,
  };
}
