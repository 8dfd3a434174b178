// The pool's choice in bulk, through the bundle and the simulator (the issue's "pool statistics over
// 1,000 sends"): with long-code and toll-free weights 3:1, the share of each type across 1,000 real
// sends matches the weights, every number of a type is used, and a weight of 0 removes its type.
// The choice draws from Math.random here, not a seed: the tolerance is 5 standard deviations wide
// (a false failure about once in 3 million runs).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSimulator } from '../support/sim';
import { createPool, ok, removeAllPools, send, setPoolBindings, simSettings } from './support';

const LONG_CODES = ['+13125550100', '+12125550100'];
const TOLL_FREE = ['+18335550100', '+18445550100'];

/** A recipient in an area code none of the pool's numbers has (Denver), so geomatch plays no part. */
const recipient = (i: number) => `+17205${String(i).padStart(4, '0')}10`;

let restore: Array<() => Promise<void>> = [];

beforeEach(async () => {
  await resetSimulator();
  // Nothing may queue or be refused for rate: not at the simulator, not in the pool.
  await simSettings({
    rate_limit_per_second: 100_000,
    account_mps: { sms: 100_000, mms: 100_000 },
    // Receipts would only add load; the choice does not need them.
    latency_ms: { sent: 600_000, finalized: 600_000, inbound: 0 },
  });
  await removeAllPools();
});

afterEach(async () => {
  for (const undo of restore) await undo();
  restore = [];
});

async function weightedPool(longCodeWeight: number, tollFreeWeight: number) {
  const pool = await createPool(
    {
      number_pool_settings: {
        long_code_weight: longCodeWeight,
        toll_free_weight: tollFreeWeight,
        skip_unhealthy: true,
        sticky_sender: false,
        geomatch: false,
      },
    },
    [
      ...LONG_CODES.map((phone_number) => ({ phone_number, mps: 10_000 })),
      ...TOLL_FREE.map((phone_number) => ({ phone_number, type: 'toll-free' as const, mps: 10_000 })),
    ],
  );
  restore.push(await setPoolBindings(pool.id, { ACCOUNT_SMS_MPS: '100000' }));
  return pool;
}

/** How many of `count` sends through the pool each number sent. */
async function senders(profileId: string, count: number, offset = 0): Promise<Map<string, number>> {
  const used = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const message = ok(await send({ messaging_profile_id: profileId, to: recipient(offset + i), text: `n${i}` }));
    used.set(message.from.phone_number, (used.get(message.from.phone_number) ?? 0) + 1);
  }
  return used;
}

describe('pool statistics', () => {
  it('1,000 sends with weights 3:1 go 75 % from long codes, using every number', async () => {
    const pool = await weightedPool(3, 1);
    const used = await senders(pool.id, 1000);
    const longCodes = LONG_CODES.reduce((sum, n) => sum + (used.get(n) ?? 0), 0);
    const tollFree = TOLL_FREE.reduce((sum, n) => sum + (used.get(n) ?? 0), 0);
    expect(longCodes + tollFree).toBe(1000);
    // 750 expected; the standard deviation of the count is sqrt(1000 * 0.75 * 0.25) ≈ 13.7.
    expect(Math.abs(longCodes - 750)).toBeLessThanOrEqual(68);
    for (const n of [...LONG_CODES, ...TOLL_FREE]) expect(used.get(n) ?? 0, n).toBeGreaterThan(0);
  }, 120_000);

  it('a weight of 0 removes its type', async () => {
    const pool = await weightedPool(1, 0);
    const used = await senders(pool.id, 100, 5000);
    expect([...used.keys()].sort()).toEqual([...LONG_CODES].sort());
  }, 60_000);
});
