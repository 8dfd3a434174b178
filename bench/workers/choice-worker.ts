// Runs inside workerd for `npm run bench`: the cost of choosing a sender in a pool of 10,000
// numbers with 100,000 sticky entries, as the NumberPool Durable Object chooses one: a sticky
// lookup in the object's SQLite storage by recipient, then chooseSender over the pool's index.
// GET /?n=N makes N choices for recipients of whom half have a sticky sender.
import { DurableObject } from 'cloudflare:workers';
import { PoolIndex, STICKY_MS, chooseSender } from '../../workers/messaging/pool/choose';
import type { PoolNumber } from '../../workers/messaging/pool/types';

const NUMBERS = 10_000;
const STICKY = 100_000;
const AREA_CODES = ['212', '312', '415', '512', '206', '303', '305', '617', '702', '404'];

/** A deterministic pseudo-random source, so every run makes the same choices. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const numberAt = (i: number): PoolNumber => ({
  phone_number: `+1${AREA_CODES[i % AREA_CODES.length]}5${String(i).padStart(6, '0')}`,
  type: i % 10 === 0 ? 'toll-free' : 'long-code',
  mps: null,
  country: 'US',
  area_code: AREA_CODES[i % AREA_CODES.length]!,
});
const recipientAt = (i: number) => `+1${AREA_CODES[(i * 7) % AREA_CODES.length]}7${String(i).padStart(6, '0')}`;

export class ChoiceBench extends DurableObject {
  #index: PoolIndex | undefined;

  #setUp(): PoolIndex {
    if (this.#index) return this.#index;
    const sql = this.ctx.storage.sql;
    sql.exec(
      'CREATE TABLE IF NOT EXISTS sticky (recipient TEXT PRIMARY KEY, sender TEXT NOT NULL, last_at INTEGER NOT NULL)',
    );
    const numbers = Array.from({ length: NUMBERS }, (_, i) => numberAt(i));
    if ((sql.exec('SELECT COUNT(*) AS n FROM sticky').one().n as number) < STICKY) {
      const now = Date.now();
      this.ctx.storage.transactionSync(() => {
        for (let i = 0; i < STICKY; i++) {
          sql.exec(
            'INSERT OR REPLACE INTO sticky VALUES (?, ?, ?)',
            recipientAt(i),
            numbers[i % NUMBERS]!.phone_number,
            now,
          );
        }
      });
    }
    // A few unhealthy numbers, as a real pool has.
    const unhealthy = numbers.filter((_, i) => i % 97 === 0).map((n) => n.phone_number);
    this.#index = new PoolIndex(numbers, unhealthy);
    return this.#index;
  }

  override async fetch(request: Request): Promise<Response> {
    const index = this.#setUp();
    const n = Number(new URL(request.url).searchParams.get('n') ?? '0');
    const random = mulberry32(42);
    const sql = this.ctx.storage.sql;
    let chosen = 0;
    for (let i = 0; i < n; i++) {
      // Half the recipients have a sticky sender (the first 100,000), half are new.
      const recipient = recipientAt(i % 2 === 0 ? i % STICKY : STICKY + i);
      const sticky = sql.exec('SELECT sender, last_at FROM sticky WHERE recipient = ?', recipient).toArray()[0] as
        { sender: string; last_at: number } | undefined;
      const stickySender = sticky && Date.now() - sticky.last_at <= STICKY_MS ? sticky.sender : undefined;
      const choice = chooseSender(
        index,
        {
          weights: { 'long-code': 1, 'toll-free': 1 },
          skipUnhealthy: true,
          sticky: true,
          geomatch: true,
          geomatchCountry: true,
        },
        { areaCode: recipient.slice(2, 5), country: 'US' },
        stickySender,
        random,
      );
      if (choice) chosen++;
    }
    return Response.json({ n, chosen });
  }
}

export default {
  fetch(request: Request, env: { POOL: DurableObjectNamespace }) {
    return env.POOL.get(env.POOL.idFromName('bench')).fetch(request);
  },
};
