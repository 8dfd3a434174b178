// /v2/messaging_profiles: Telnyx's messaging profiles, with its defaults on create, its checks on
// every field the simulator understands, and the profile's phone numbers.

import { ApiError, TelnyxCode, notFound, type ErrorSource } from '../../shared/errors';
import type { SimContext } from '../context';
import { SIM_ORGANIZATION_ID } from '../seed';
import { paginate } from './pagination';

export type Profile = Record<string, unknown> & {
  id: string;
  name: string;
  enabled: boolean;
  webhook_url: string | null;
  webhook_failover_url: string | null;
  whitelisted_destinations: string[];
  number_pool_settings: Record<string, unknown> | null;
};

const READ_ONLY = new Set(['id', 'record_type', 'created_at', 'updated_at', 'organization_id', 'v1_secret']);

function missing(field: string): ApiError {
  return new ApiError(422, {
    code: TelnyxCode.missingParameter,
    title: 'Missing required parameter',
    detail: `The '${field}' parameter is required.`,
    source: { pointer: `/${field}` },
  });
}

function invalid(pointer: string, detail: string, code: string = TelnyxCode.badRequest): ApiError {
  const source: ErrorSource = { pointer };
  return new ApiError(422, { code, title: 'Invalid parameter', detail, source });
}

function isUrlOrEmpty(value: unknown): boolean {
  if (value === null || value === '') return true;
  if (typeof value !== 'string' || value.length > 2000) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function checkPoolSettings(value: unknown): Record<string, unknown> | null {
  if (value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid('/number_pool_settings', 'number_pool_settings must be an object or null.');
  }
  const settings = value as Record<string, unknown>;
  for (const weight of ['long_code_weight', 'toll_free_weight']) {
    if (!(weight in settings)) throw missing(`number_pool_settings/${weight}`);
    const w = settings[weight];
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw invalid(`/number_pool_settings/${weight}`, `${weight} must be a non-negative number.`);
    }
  }
  if (!('skip_unhealthy' in settings)) throw missing('number_pool_settings/skip_unhealthy');
  for (const flag of ['skip_unhealthy', 'sticky_sender', 'geomatch']) {
    if (flag in settings && typeof settings[flag] !== 'boolean') {
      throw invalid(`/number_pool_settings/${flag}`, `${flag} must be true or false.`);
    }
  }
  return {
    long_code_weight: settings.long_code_weight,
    toll_free_weight: settings.toll_free_weight,
    skip_unhealthy: settings.skip_unhealthy,
    sticky_sender: settings.sticky_sender ?? false,
    geomatch: settings.geomatch ?? false,
  };
}

/** Checks and applies the fields of a create or update body onto `profile`. */
function applyFields(profile: Profile, body: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY.has(key)) continue;
    switch (key) {
      case 'name':
        if (typeof value !== 'string' || value.trim() === '')
          throw invalid('/name', 'name must be a non-empty string.');
        profile.name = value;
        break;
      case 'enabled':
      case 'mms_fall_back_to_sms':
      case 'mms_transcoding':
      case 'daily_spend_limit_enabled':
      case 'smart_encoding':
        if (typeof value !== 'boolean') throw invalid(`/${key}`, `${key} must be true or false.`);
        profile[key] = value;
        break;
      case 'webhook_url':
      case 'webhook_failover_url':
        if (!isUrlOrEmpty(value)) throw invalid(`/${key}`, `${key} must be an http(s) URL.`, '10003');
        profile[key] = value === null ? '' : (value as string);
        break;
      case 'webhook_api_version':
        if (!['1', '2', '2010-04-01'].includes(value as string)) {
          throw invalid('/webhook_api_version', 'webhook_api_version must be one of "1", "2", "2010-04-01".');
        }
        profile.webhook_api_version = value;
        break;
      case 'whitelisted_destinations':
        if (!Array.isArray(value) || !value.every((c) => typeof c === 'string' && /^([A-Z]{2}|\*)$/.test(c))) {
          throw invalid(
            '/whitelisted_destinations',
            'whitelisted_destinations must be a list of ISO 3166-1 alpha-2 country codes (or "*").',
          );
        }
        profile.whitelisted_destinations = value as string[];
        break;
      case 'number_pool_settings':
        profile.number_pool_settings = checkPoolSettings(value);
        break;
      case 'url_shortener_settings':
        if (
          value !== null &&
          (typeof value !== 'object' || typeof (value as { domain?: unknown }).domain !== 'string')
        ) {
          throw invalid('/url_shortener_settings', 'url_shortener_settings must be null or have a domain.');
        }
        profile.url_shortener_settings = value;
        break;
      case 'alpha_sender':
        if (value !== null && (typeof value !== 'string' || !/^[A-Za-z0-9 ]{1,11}$/.test(value))) {
          throw invalid('/alpha_sender', 'alpha_sender must be 1 to 11 letters, digits or spaces.');
        }
        profile.alpha_sender = value;
        break;
      case 'daily_spend_limit':
        if (typeof value !== 'string' || !/^\d+(\.\d{1,2})?$/.test(value)) {
          throw invalid('/daily_spend_limit', 'daily_spend_limit must be a decimal string such as "100.00".');
        }
        profile.daily_spend_limit = value;
        break;
      default:
      // Telnyx ignores fields it does not know; so does the simulator.
    }
  }
}

export function getProfile(ctx: SimContext, id: string): Profile | undefined {
  const row = ctx.store.first<{ body: string }>('SELECT body FROM profiles WHERE id = ?', id);
  return row === undefined ? undefined : (JSON.parse(row.body) as Profile);
}

function requireProfile(ctx: SimContext, id: string): Profile {
  const profile = getProfile(ctx, id);
  if (profile === undefined) throw notFound(`No messaging profile with id ${id}.`);
  return profile;
}

function save(ctx: SimContext, profile: Profile): void {
  ctx.store.run(
    `INSERT INTO profiles (id, name, created_at, body) VALUES (?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, body = excluded.body`,
    profile.id,
    profile.name,
    profile.created_at as string,
    JSON.stringify(profile),
  );
}

export function createProfile(
  ctx: SimContext,
  body: Record<string, unknown>,
  id: string = crypto.randomUUID(),
): Profile {
  if (!('name' in body)) throw missing('name');
  if (!('whitelisted_destinations' in body)) throw missing('whitelisted_destinations');
  const now = ctx.iso();
  const profile: Profile = {
    record_type: 'messaging_profile',
    id,
    organization_id: SIM_ORGANIZATION_ID,
    name: '',
    enabled: true,
    webhook_url: '',
    webhook_failover_url: '',
    webhook_api_version: '2',
    whitelisted_destinations: [],
    number_pool_settings: null,
    url_shortener_settings: null,
    alpha_sender: null,
    daily_spend_limit: '0.00',
    daily_spend_limit_enabled: false,
    mms_fall_back_to_sms: false,
    mms_transcoding: false,
    smart_encoding: false,
    v1_secret: crypto.randomUUID().replace(/-/g, ''),
    created_at: now,
    updated_at: now,
  };
  applyFields(profile, body);
  save(ctx, profile);
  return profile;
}

export function updateProfile(ctx: SimContext, id: string, body: Record<string, unknown>): Profile {
  const profile = requireProfile(ctx, id);
  applyFields(profile, body);
  profile.updated_at = ctx.iso();
  save(ctx, profile);
  return profile;
}

export function deleteProfile(ctx: SimContext, id: string): Profile {
  const profile = requireProfile(ctx, id);
  ctx.store.run('UPDATE numbers SET messaging_profile_id = NULL WHERE messaging_profile_id = ?', id);
  ctx.store.run('DELETE FROM profiles WHERE id = ?', id);
  return profile;
}

export function retrieveProfile(ctx: SimContext, id: string): Profile {
  return requireProfile(ctx, id);
}

export function listProfiles(ctx: SimContext, query: URLSearchParams) {
  const exact = query.get('filter[name]') ?? query.get('filter[name][eq]');
  const contains = query.get('filter[name][contains]')?.toLowerCase();
  const profiles = ctx.store
    .all<{ body: string }>('SELECT body FROM profiles ORDER BY created_at, rowid')
    .map((row) => JSON.parse(row.body) as Profile)
    .filter(
      (p) =>
        (exact === null || p.name === exact) && (contains === undefined || p.name.toLowerCase().includes(contains)),
    );
  return paginate(profiles, query);
}

/** GET /v2/messaging_profiles/{id}/phone_numbers, in Telnyx's PhoneNumberWithMessagingSettings shape. */
export function listProfileNumbers(ctx: SimContext, id: string, query: URLSearchParams) {
  requireProfile(ctx, id);
  const rows = ctx.store.all<{
    phone_number: string;
    id: string;
    type: string;
    country_code: string;
    created_at: string;
  }>(
    'SELECT phone_number, id, type, country_code, created_at FROM numbers WHERE messaging_profile_id = ? ORDER BY phone_number',
    id,
  );
  const items = rows.map((n) => {
    const outcome = ctx.store.first<{ finalized: number; delivered: number; spam: number }>(
      'SELECT finalized, delivered, spam FROM number_outcomes WHERE phone_number = ?',
      n.phone_number,
    );
    const finalized = outcome?.finalized ?? 0;
    const feature = {
      domestic_two_way: true,
      international_inbound: true,
      international_outbound: n.type !== 'short-code',
    };
    return {
      record_type: 'messaging_phone_number',
      id: n.id,
      phone_number: n.phone_number,
      messaging_profile_id: id,
      country_code: n.country_code,
      type: n.type,
      messaging_product: 'P2P',
      traffic_type: n.type === 'short-code' ? 'A2P' : 'P2P',
      eligible_messaging_products: ['A2P'],
      features: { sms: feature, mms: feature },
      health: {
        message_count: finalized,
        success_ratio: finalized === 0 ? 1 : (outcome?.delivered ?? 0) / finalized,
        spam_ratio: finalized === 0 ? 0 : (outcome?.spam ?? 0) / finalized,
        inbound_outbound_ratio: 0,
      },
      created_at: n.created_at,
      updated_at: n.created_at,
    };
  });
  return paginate(items, query);
}
