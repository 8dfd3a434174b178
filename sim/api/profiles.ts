// /v2/messaging_profiles: Telnyx's messaging profiles (fields, defaults and checks in
// shared/telnyx/messaging-profile.ts), stored in the account, and the profile's phone numbers.

import { notFound } from '../../shared/errors';
import { applyProfileFields, newProfile, type Profile } from '../../shared/telnyx/messaging-profile';
import type { SimContext } from '../context';
import { SIM_ORGANIZATION_ID } from '../seed';
import { paginate } from './pagination';

export type { Profile };

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
  const profile = newProfile(body, id, SIM_ORGANIZATION_ID, ctx.iso());
  save(ctx, profile);
  return profile;
}

export function updateProfile(ctx: SimContext, id: string, body: Record<string, unknown>): Profile {
  const profile = requireProfile(ctx, id);
  applyProfileFields(profile, body);
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
