// The messaging API in Telnyx's shape: messaging profiles (pools) and their numbers, sending, a
// message's state, and opt-outs. Every route here needs the admin token (checked by the entry).

import type { IRequest } from 'itty-router';
import { ApiError, TelnyxCode, badRequest, jsonResponse, notFound } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import { paginate } from '../../shared/paging';
import { log, maskDigits } from '../../shared/log';
import { mapWithConcurrency } from '../../shared/concurrency';
import { parseCountryCode, parsePhoneNumber } from '../../shared/phone';
import type { NumberType } from '../../shared/telnyx/throughput';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../../shared/worker';
import type { NumberPool } from './pool/number-pool';
import type { PoolContext, PoolNumber, PoolResult } from './pool/types';
import {
  createProfile,
  deleteProfileRecord,
  forgetProfileMemory,
  listProfiles,
  numberInUse,
  poolNumberKey,
  profileIdOfNumber,
  requireEnabledPool,
  requireProfile,
  updateProfile,
  type EdgeProfile,
} from './profiles';
import { profileOfMessage } from './records';
import { parseSendRequest, parseSender, profileIdOfSend, type SendEndpoint } from './send-request';

const NUMBER_TYPES: readonly NumberType[] = ['long-code', 'toll-free', 'short-code'];

export function poolOf(env: Env, profileId: string): DurableObjectStub<NumberPool> {
  return env.NUMBER_POOL.get(env.NUMBER_POOL.idFromName(profileId));
}

export function contextOf(request: Request, profile: EdgeProfile): PoolContext {
  return { profile, webhookBase: new URL(request.url).origin };
}

function unwrap<T>(result: PoolResult<T>): T {
  if (result.ok) return result.value;
  throw new ApiError(result.status, result.errors, { headers: result.headers });
}

function param(request: IRequest, name: string): string {
  const raw = request.params[name] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** A pool number in Telnyx's PhoneNumberWithMessagingSettings shape, with the pool's own health. */
function numberView(profileId: string, n: Awaited<ReturnType<NumberPool['listNumbers']>>[number]) {
  const { health } = n;
  const feature = {
    domestic_two_way: true,
    international_inbound: true,
    international_outbound: n.type !== 'short-code',
  };
  return {
    record_type: 'messaging_phone_number',
    id: n.phone_number,
    phone_number: n.phone_number,
    messaging_profile_id: profileId,
    country_code: n.country ?? '',
    type: n.type,
    mps: n.mps,
    features: { sms: feature, mms: feature },
    health: {
      message_count: health.finalized,
      success_ratio: health.finalized === 0 ? 1 : health.delivered / health.finalized,
      spam_ratio: health.finalized === 0 ? 0 : health.spam / health.finalized,
      inbound_outbound_ratio: 0,
      healthy: health.healthy,
    },
    created_at: n.added_at,
    updated_at: n.added_at,
  };
}

async function send(request: EdgeRequest, env: Env, endpoint: SendEndpoint): Promise<Response> {
  const body = await readJsonObject(request);
  let profileId = profileIdOfSend(body);
  if (profileId === undefined) {
    if (endpoint === 'number_pool' || typeof body.from !== 'string') {
      throw new ApiError(422, {
        code: TelnyxCode.missingParameter,
        title: 'Missing required parameter',
        detail:
          endpoint === 'number_pool'
            ? "The 'messaging_profile_id' parameter is required."
            : "Give 'from' (a number of one of your pools), or 'messaging_profile_id' to let the pool choose.",
        source: { pointer: endpoint === 'number_pool' ? '/messaging_profile_id' : '/from' },
      });
    }
    const from = parseSender(body.from, parseCountryCode(env.DEFAULT_COUNTRY ?? ''));
    profileId = await profileIdOfNumber(env.CONFIG, from);
    if (profileId === undefined) {
      throw new ApiError(400, {
        code: '40305',
        title: "Invalid 'from' address",
        detail: `${from} is not a number of any messaging profile; add it with POST /v2/messaging_profiles/{id}/phone_numbers.`,
        source: { pointer: '/from' },
      });
    }
  }
  const profile = await requireProfile(env.CONFIG, profileId);
  requireEnabledPool(profile);
  const sendRequest = parseSendRequest(body, endpoint, profile, {
    defaultCountry: env.DEFAULT_COUNTRY || undefined,
    sendAtHorizonSeconds: Number(env.SEND_AT_HORIZON_SECONDS || 35 * 86_400),
    now: Date.now(),
  });
  const key = request.headers.get('idempotency-key');
  if (key !== null && (key === '' || key.length > 255)) {
    throw badRequest('Idempotency-Key must be 1 to 255 characters.', { parameter: 'Idempotency-Key' });
  }
  sendRequest.idempotencyKey = key;
  const message = unwrap(await poolOf(env, profile.id).send(contextOf(request, profile), sendRequest));
  return jsonResponse({ data: message });
}

export function registerMessagingRoutes(router: EdgeRouter): void {
  // --- Profiles -----------------------------------------------------------------------------
  router.get<EdgeRequest, EdgeArgs>('/v2/messaging_profiles', async (request, env) =>
    jsonResponse(
      paginate(await listProfiles(env.CONFIG, new URL(request.url).searchParams), new URL(request.url).searchParams),
    ),
  );
  router.post<EdgeRequest, EdgeArgs>('/v2/messaging_profiles', async (request, env) =>
    jsonResponse({ data: await createProfile(env.CONFIG, await readJsonObject(request)) }),
  );
  router.get<EdgeRequest, EdgeArgs>('/v2/messaging_profiles/:id', async (request, env) =>
    jsonResponse({ data: await requireProfile(env.CONFIG, param(request, 'id')) }),
  );
  router.patch<EdgeRequest, EdgeArgs>('/v2/messaging_profiles/:id', async (request, env) => {
    const profile = await updateProfile(env.CONFIG, param(request, 'id'), await readJsonObject(request));
    forgetProfileMemory();
    return jsonResponse({ data: profile });
  });
  router.delete<EdgeRequest, EdgeArgs>('/v2/messaging_profiles/:id', async (request, env) => {
    const profile = await requireProfile(env.CONFIG, param(request, 'id'));
    const pool = poolOf(env, profile.id);
    for (const number of await pool.listNumbers()) await env.CONFIG.delete(poolNumberKey(number.phone_number));
    await pool.clear();
    await deleteProfileRecord(env.CONFIG, profile.id);
    forgetProfileMemory();
    return jsonResponse({ data: profile });
  });

  // --- A pool's numbers ---------------------------------------------------------------------
  router.get<EdgeRequest, EdgeArgs>('/v2/messaging_profiles/:id/phone_numbers', async (request, env) => {
    const profile = await requireProfile(env.CONFIG, param(request, 'id'));
    const numbers = (await poolOf(env, profile.id).listNumbers()).map((n) => numberView(profile.id, n));
    return jsonResponse(paginate(numbers, new URL(request.url).searchParams));
  });
  router.post<EdgeRequest, EdgeArgs>('/v2/messaging_profiles/:id/phone_numbers', async (request, env) => {
    const profile = await requireProfile(env.CONFIG, param(request, 'id'));
    const body = await readJsonObject(request);
    const type = body.type ?? 'long-code';
    if (!NUMBER_TYPES.includes(type as NumberType)) {
      throw badRequest(`type must be one of ${NUMBER_TYPES.join(', ')}.`, { pointer: '/type' });
    }
    let number: PoolNumber;
    if (type === 'short-code') {
      if (typeof body.phone_number !== 'string' || !/^\d{5,6}$/.test(body.phone_number)) {
        throw badRequest('A short code is 5 or 6 digits.', { pointer: '/phone_number' });
      }
      number = { phone_number: body.phone_number, type, mps: null, country: 'US', area_code: null };
    } else {
      const parsed = parsePhoneNumber(body.phone_number, { source: { pointer: '/phone_number' } });
      number = {
        phone_number: parsed.e164,
        type: type as NumberType,
        mps: null,
        country: parsed.country ?? null,
        area_code: parsed.areaCode ?? null,
      };
    }
    if (body.mps !== undefined && body.mps !== null) {
      if (typeof body.mps !== 'number' || !(body.mps > 0 && body.mps <= 10_000)) {
        throw badRequest('mps is message parts per second, above 0 and at most 10000.', { pointer: '/mps' });
      }
      number.mps = body.mps;
    }
    const owner = await profileIdOfNumber(env.CONFIG, number.phone_number);
    if (owner !== undefined && owner !== profile.id) throw numberInUse(number.phone_number, owner);
    const pool = poolOf(env, profile.id);
    await pool.addNumber(contextOf(request, profile), number);
    await env.CONFIG.put(poolNumberKey(number.phone_number), profile.id);
    forgetProfileMemory();
    const added = (await pool.listNumbers()).find((n) => n.phone_number === number.phone_number)!;
    return jsonResponse({ data: numberView(profile.id, added) });
  });
  router.delete<EdgeRequest, EdgeArgs>(
    '/v2/messaging_profiles/:id/phone_numbers/:phone_number',
    async (request, env) => {
      const profile = await requireProfile(env.CONFIG, param(request, 'id'));
      const phoneNumber = param(request, 'phone_number');
      const pool = poolOf(env, profile.id);
      const existing = (await pool.listNumbers()).find((n) => n.phone_number === phoneNumber);
      if (existing === undefined) throw notFound(`${phoneNumber} is not a number of messaging profile ${profile.id}.`);
      await pool.removeNumber(phoneNumber);
      await env.CONFIG.delete(poolNumberKey(phoneNumber));
      forgetProfileMemory();
      return jsonResponse({ data: numberView(profile.id, existing) });
    },
  );

  // --- Sending ------------------------------------------------------------------------------
  router.post<EdgeRequest, EdgeArgs>('/v2/messages', (request, env) => send(request, env, 'messages'));
  router.post<EdgeRequest, EdgeArgs>('/v2/messages/number_pool', (request, env) => send(request, env, 'number_pool'));
  router.post<EdgeRequest, EdgeArgs>('/v2/messages/schedule', (request, env) => send(request, env, 'schedule'));
  router.get<EdgeRequest, EdgeArgs>('/v2/messages/:id', async (request, env) => {
    const id = param(request, 'id');
    const found = await locateMessage(env, id);
    if (found === undefined) throw notFound(`No message with id ${id} went through the edge.`);
    return jsonResponse({ data: found.message });
  });
  // Telnyx cancels only scheduled messages; the edge also holds sends queued for throughput, and
  // can cancel those too, since none of them has left yet.
  router.delete<EdgeRequest, EdgeArgs>('/v2/messages/:id', async (request, env) => {
    const id = param(request, 'id');
    const found = await locateMessage(env, id);
    if (found === undefined) throw notFound(`No message with id ${id} went through the edge.`);
    return jsonResponse({ data: unwrap(await poolOf(env, found.profileId).cancelMessage(id)) });
  });

  // --- Opt-outs -----------------------------------------------------------------------------
  router.get<EdgeRequest, EdgeArgs>('/v2/messaging_optouts', async (request, env) => {
    const query = new URL(request.url).searchParams;
    const only = query.get('filter[messaging_profile_id]');
    const from = query.get('filter[from]');
    const redact = query.get('redaction_enabled') === 'true';
    const profiles = only
      ? [await requireProfile(env.CONFIG, only)]
      : await listProfiles(env.CONFIG, new URLSearchParams());
    const items = [];
    for (const profile of profiles) {
      for (const o of await poolOf(env, profile.id).listOptOuts()) {
        if (from !== null && o.sender !== from) continue;
        items.push({
          messaging_profile_id: profile.id,
          from: o.sender,
          to: redact ? maskDigits(o.recipient) : o.recipient,
          keyword: o.keyword,
          created_at: new Date(o.at).toISOString(),
        });
      }
    }
    return jsonResponse(paginate(items, query));
  });
  router.delete<EdgeRequest, EdgeArgs>('/messaging_optouts/:profile_id/:phone_number', async (request, env) => {
    const profile = await requireProfile(env.CONFIG, param(request, 'profile_id'));
    const recipient = parsePhoneNumber(param(request, 'phone_number'), { source: { parameter: 'phone_number' } }).e164;
    const note = new URL(request.url).searchParams.get('note');
    const cleared = await poolOf(env, profile.id).clearOptOut(contextOf(request, profile), recipient, note);
    if (!cleared) throw notFound(`${recipient} has not opted out of messaging profile ${profile.id}.`);
    return jsonResponse({ data: { messaging_profile_id: profile.id, to: recipient, cleared: true, note } });
  });
}

/**
 * The pool holding message `id` (by the edge's id or Telnyx's), and the message. D1's records say
 * which pool, but they are written just after a send is answered, and D1 may be down; only when
 * they do not know are the pools themselves asked, six at a time, so a message can be read or
 * cancelled the moment its send was answered. A message D1 knows whose pool has forgotten it
 * (pools keep messages for weeks, D1 for RETENTION_DAYS) is not looked for elsewhere.
 */
async function locateMessage(
  env: Env,
  id: string,
): Promise<{ profileId: string; message: Record<string, unknown> } | undefined> {
  let recorded: string | undefined;
  try {
    recorded = await profileOfMessage(env.DB, id);
  } catch (error) {
    log.warn('message_record_unreadable', { id, error });
  }
  if (recorded !== undefined) {
    const message = await poolOf(env, recorded).getMessage(id);
    return message === undefined ? undefined : { profileId: recorded, message };
  }
  const profiles = await listProfiles(env.CONFIG, new URLSearchParams());
  const held = await mapWithConcurrency(profiles, 6, async (profile) => {
    try {
      const message = await poolOf(env, profile.id).getMessage(id);
      return message === undefined ? undefined : { profileId: profile.id, message };
    } catch (error) {
      // One pool that cannot answer must not hide the message in another.
      log.warn('message_lookup_pool_failed', { id, profile_id: profile.id, error });
      return undefined;
    }
  });
  return held.find((h) => h !== undefined);
}
