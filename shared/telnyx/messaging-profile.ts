// Telnyx's messaging profile: its fields, the defaults Telnyx applies on create, and the checks it
// makes on every field, in one place for the two servers that accept profiles in Telnyx's shape
// (the bundle's /v2/messaging_profiles and the simulator's). Unknown fields are ignored, as Telnyx
// ignores them; read-only ones are never taken from a request.

import { ApiError, TelnyxCode, type ErrorSource } from '../errors';

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

export function missing(field: string): ApiError {
  return new ApiError(422, {
    code: TelnyxCode.missingParameter,
    title: 'Missing required parameter',
    detail: `The '${field}' parameter is required.`,
    source: { pointer: `/${field}` },
  });
}

export function invalid(pointer: string, detail: string, code: string = TelnyxCode.badRequest): ApiError {
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
export function applyProfileFields(profile: Profile, body: Record<string, unknown>): void {
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
      // Telnyx ignores fields it does not know.
    }
  }
}

/** A profile with Telnyx's defaults for everything `body` does not set; `name` and `whitelisted_destinations` are required. */
export function newProfile(body: Record<string, unknown>, id: string, organizationId: string, now: string): Profile {
  if (!('name' in body)) throw missing('name');
  if (!('whitelisted_destinations' in body)) throw missing('whitelisted_destinations');
  const profile: Profile = {
    record_type: 'messaging_profile',
    id,
    organization_id: organizationId,
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
  applyProfileFields(profile, body);
  return profile;
}
