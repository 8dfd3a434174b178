// The account's rate (workers/messaging/pool/account-rate.ts) on a real Durable Object's SQLite:
// sends made in order are spaced exactly parts / rate apart, as one lane would space them, across
// second boundaries too; a send placed far ahead takes its share of that second and holds nobody back
// now; a send bigger than a second's rate carries into the next seconds; a run of full seconds is
// skipped; SMS and MMS are counted apart; past seconds are forgotten.
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  findAccountPlace,
  forgetPastSeconds,
  takeAccountPlace,
  type AccountKind,
} from '../../workers/messaging/pool/account-rate';
import { POOL_SCHEMA } from '../../workers/messaging/pool/schema';
import { testEnv as env } from '../support/test-env';

/** Runs `body` on the SQLite storage of a fresh pool object (schema applied, nothing else in it). */
async function onFreshStorage(body: (sql: SqlStorage) => void): Promise<void> {
  const stub = env.NUMBER_POOL.get(env.NUMBER_POOL.newUniqueId());
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(POOL_SCHEMA);
    body(state.storage.sql);
  });
}

/** Finds and takes a place, as the pool does for an accepted send; returns when it may leave. */
function reserve(sql: SqlStorage, from: number, parts: number, mps: number, kind: AccountKind = 'sms'): number {
  const place = findAccountPlace(sql, kind, from, mps);
  takeAccountPlace(sql, kind, place, parts, mps);
  return place.at;
}

const T = 1_700_000_000_000; // a whole second

describe("the account's rate", () => {
  it('spaces sends made in order exactly parts / rate apart, across second boundaries', async () => {
    await onFreshStorage((sql) => {
      // 50 parts a second; 10-part messages starting 870 ms into a second.
      const start = T + 870;
      const times = Array.from({ length: 8 }, () => reserve(sql, start, 10, 50));
      expect(times.map((t) => t - start)).toEqual([0, 200, 400, 600, 800, 1000, 1200, 1400]);
      // One part a second: each one second after the other, wherever in the second it starts.
      const slow = [reserve(sql, T + 941, 1, 1, 'mms'), reserve(sql, T + 950, 1, 1, 'mms')];
      expect(slow[1]! - slow[0]!).toBe(1000);
    });
  });

  it('never gives a time before the send may leave', async () => {
    await onFreshStorage((sql) => {
      reserve(sql, T, 1, 50);
      expect(reserve(sql, T + 500, 1, 50)).toBe(T + 500);
      expect(reserve(sql, T + 5_000, 1, 50)).toBe(T + 5_000);
    });
  });

  it('a send placed far ahead holds nobody back now', async () => {
    await onFreshStorage((sql) => {
      expect(reserve(sql, T + 3_600_000, 1, 1)).toBe(T + 3_600_000);
      expect(reserve(sql, T, 1, 1)).toBe(T);
      expect(reserve(sql, T, 1, 1)).toBe(T + 1000);
      // And the second an hour ahead is full: the next send there goes a second later.
      expect(reserve(sql, T + 3_600_000, 1, 1)).toBe(T + 3_601_000);
    });
  });

  it('carries a send bigger than a second into the next seconds', async () => {
    await onFreshStorage((sql) => {
      expect(reserve(sql, T, 10, 4)).toBe(T);
      // 10 parts at 4 a second take 2.5 s.
      expect(reserve(sql, T, 1, 4)).toBe(T + 2500);
    });
  });

  it('skips a run of full seconds to the first with room', async () => {
    await onFreshStorage((sql) => {
      for (let i = 0; i < 100; i++) reserve(sql, T, 1, 1);
      expect(reserve(sql, T, 1, 1)).toBe(T + 100_000);
      expect(reserve(sql, T + 50_000, 1, 1)).toBe(T + 101_000);
    });
  });

  it('counts SMS and MMS apart', async () => {
    await onFreshStorage((sql) => {
      expect(reserve(sql, T, 1, 1, 'sms')).toBe(T);
      expect(reserve(sql, T, 1, 1, 'mms')).toBe(T);
      expect(reserve(sql, T, 1, 1, 'sms')).toBe(T + 1000);
    });
  });

  it('forgets seconds more than a minute past', async () => {
    await onFreshStorage((sql) => {
      reserve(sql, T, 1, 1);
      reserve(sql, T + 120_000, 1, 1);
      forgetPastSeconds(sql, T + 120_000);
      const left = sql.exec<{ second: number }>('SELECT second FROM account_seconds').toArray();
      expect(left.map((r) => r.second)).toEqual([(T + 120_000) / 1000]);
    });
  });
});
