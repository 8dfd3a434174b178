// Writes the seeded account (seed.ts) into an empty store.

import { createProfile } from './api/profiles';
import type { SimContext } from './context';
import { SEED_NUMBERS, SEED_PROFILES } from './seed';

/** Telnyx number ids are long digit strings; these are derived from the number so they never change. */
function numberId(phoneNumber: string): string {
  return `1${phoneNumber.replace(/\D/g, '').padStart(18, '0')}`;
}

export function seedAccount(ctx: SimContext): void {
  for (const profile of SEED_PROFILES) {
    const { id, ...body } = profile;
    createProfile(ctx, structuredClone(body) as unknown as Record<string, unknown>, id);
  }
  const createdAt = ctx.iso();
  for (const n of SEED_NUMBERS) {
    ctx.store.run(
      'INSERT INTO numbers (phone_number, id, type, country_code, messaging_profile_id, mps, created_at) VALUES (?, ?, ?, ?, ?, NULL, ?)',
      n.phone_number,
      numberId(n.phone_number),
      n.type,
      n.country_code,
      n.messaging_profile_id,
      createdAt,
    );
  }
}
