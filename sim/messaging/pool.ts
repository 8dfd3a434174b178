// Telnyx's own number pool (POST /v2/messages/number_pool), imitated so the bundle's pool can be
// compared with it. The pool is every long code and toll-free number on the profile (never short
// codes). In order:
//   sticky_sender: the number that last sent to this recipient, if used within 8 days and still
//                  in the pool (and healthy, when skip_unhealthy);
//   skip_unhealthy: numbers with deliverability under 25 % or a spam ratio over 75 % are left out
//                  (judged once a number has 10 finalized messages; if every number is unhealthy
//                  the simulator uses them all rather than refuse);
//   geomatch:      NANP destinations prefer numbers with the same area code;
//   weights:       long_code_weight and toll_free_weight choose the type (0 removes a type), then
//                  a number of that type is drawn. Draws are deterministic after a reset.

import { badRequest } from '../../shared/errors';
import type { SimContext } from '../context';
import type { NumberType } from '../seed';

export const STICKY_DAYS = 8;
const HEALTH_MIN_SAMPLE = 10;

export interface PoolSettings {
  long_code_weight: number;
  toll_free_weight: number;
  skip_unhealthy: boolean;
  sticky_sender?: boolean;
  geomatch?: boolean;
}

export interface PoolNumber {
  phone_number: string;
  type: NumberType;
}

export function isUnhealthy(ctx: SimContext, phoneNumber: string): boolean {
  const row = ctx.store.first<{ finalized: number; delivered: number; spam: number }>(
    'SELECT finalized, delivered, spam FROM number_outcomes WHERE phone_number = ?',
    phoneNumber,
  );
  if (row === undefined || row.finalized < HEALTH_MIN_SAMPLE) return false;
  return row.delivered / row.finalized < 0.25 || row.spam / row.finalized > 0.75;
}

/** A pseudo-random number in [0, 1) from a counter kept in storage: repeatable after a reset. */
function draw(ctx: SimContext): number {
  let t = (ctx.store.next('pool_draws') * 0x6d2b79f5) >>> 0; // mulberry32 step
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function chooseFromPool(
  ctx: SimContext,
  profileId: string,
  settings: PoolSettings,
  destination: { e164: string; areaCode: string | undefined },
): PoolNumber {
  const weights: Record<string, number> = {
    'long-code': settings.long_code_weight,
    'toll-free': settings.toll_free_weight,
  };
  const all = ctx.store.all<{ phone_number: string; type: NumberType }>(
    "SELECT phone_number, type FROM numbers WHERE messaging_profile_id = ? AND type IN ('long-code', 'toll-free') ORDER BY phone_number",
    profileId,
  );
  let candidates = all.filter((n) => (weights[n.type] ?? 0) > 0);
  if (candidates.length === 0) {
    throw badRequest('The messaging profile has no pool numbers of a type with a weight above 0.', {
      pointer: '/messaging_profile_id',
    });
  }
  if (settings.skip_unhealthy) {
    const healthy = candidates.filter((n) => !isUnhealthy(ctx, n.phone_number));
    if (healthy.length > 0) candidates = healthy;
  }

  if (settings.sticky_sender) {
    const sticky = ctx.store.first<{ sender: string; last_at: number }>(
      'SELECT sender, last_at FROM sticky_senders WHERE profile_id = ? AND recipient = ?',
      profileId,
      destination.e164,
    );
    const fresh = sticky !== undefined && ctx.now() - sticky.last_at <= STICKY_DAYS * 86_400_000;
    const kept = fresh ? candidates.find((n) => n.phone_number === sticky.sender) : undefined;
    if (kept) return kept;
  }

  if (settings.geomatch && destination.areaCode !== undefined) {
    const local = candidates.filter((n) => n.phone_number.startsWith(`+1${destination.areaCode}`));
    if (local.length > 0) candidates = local;
  }

  const types = [...new Set(candidates.map((n) => n.type))];
  const total = types.reduce((sum, type) => sum + (weights[type] ?? 0), 0);
  let pick = draw(ctx) * total;
  const type = types.find((t) => (pick -= weights[t] ?? 0) < 0) ?? types[types.length - 1]!;
  const ofType = candidates.filter((n) => n.type === type);
  return ofType[Math.floor(draw(ctx) * ofType.length)]!;
}

export function rememberSticky(ctx: SimContext, profileId: string, recipient: string, sender: string): void {
  ctx.store.run(
    `INSERT INTO sticky_senders (profile_id, recipient, sender, last_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (profile_id, recipient) DO UPDATE SET sender = excluded.sender, last_at = excluded.last_at`,
    profileId,
    recipient,
    sender,
    ctx.now(),
  );
}
