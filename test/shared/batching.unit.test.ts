// shared/batching.ts: an item goes at once when nothing is under way; items that arrive while a call
// is under way go together in the next call, each caller getting its own result; limits on items
// and size split batches (a bigger item still goes, alone); a failed call fails exactly its own
// items and the key carries on; keys never wait for each other; a call that returns the wrong number
// of results is an error; and a property: any interleaving sends every item exactly once.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Batcher } from '../../shared/batching';

/** A `send` whose calls finish only when the test says, recording what each call carried. */
function controlledSend() {
  const calls: string[][] = [];
  const finishers: Array<(fail?: Error) => void> = [];
  const send = (items: string[]) => {
    calls.push(items);
    return new Promise<string[]>((resolve, reject) => {
      finishers.push((fail) => (fail ? reject(fail) : resolve(items.map((i) => `done ${i}`))));
    });
  };
  /** Finishes the oldest unfinished call, then lets the hand-over run. */
  const finishNext = async (fail?: Error) => {
    const finish = finishers.shift();
    if (!finish) throw new Error('no call is under way');
    finish(fail);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { calls, send, finishNext };
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('Batcher', () => {
  it('sends an item at once, alone, when nothing is under way', async () => {
    const batcher = new Batcher<string, string>({ items: 10, size: 1000, waitMs: 60_000 });
    const { calls, send, finishNext } = controlledSend();
    const a = batcher.submit('pool', 'a', 1, send);
    expect(calls).toEqual([['a']]);
    await finishNext();
    expect(await a).toBe('done a');
    const b = batcher.submit('pool', 'b', 1, send);
    expect(calls).toEqual([['a'], ['b']]);
    await finishNext();
    expect(await b).toBe('done b');
  });

  it('sends what arrived meanwhile in one call, each caller getting its own result', async () => {
    const batcher = new Batcher<string, string>({ items: 10, size: 1000, waitMs: 60_000 });
    const { calls, send, finishNext } = controlledSend();
    const answers = ['a', 'b', 'c', 'd'].map((item) => batcher.submit('pool', item, 1, send));
    expect(calls).toEqual([['a']]);
    await finishNext();
    expect(calls).toEqual([['a'], ['b', 'c', 'd']]);
    await finishNext();
    expect(await Promise.all(answers)).toEqual(['done a', 'done b', 'done c', 'done d']);
  });

  it('splits batches at the item and size limits; a bigger item goes alone', async () => {
    const batcher = new Batcher<string, string>({ items: 2, size: 10, waitMs: 60_000 });
    const { calls, send, finishNext } = controlledSend();
    const sizes: Record<string, number> = { a: 1, b: 1, c: 1, d: 1, e: 6, f: 50, g: 1 };
    const answers = Object.entries(sizes).map(([item, size]) => batcher.submit('pool', item, size, send));
    for (let i = 0; i < 5; i++) await finishNext();
    expect(calls).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f'], ['g']]);
    expect(await Promise.all(answers)).toHaveLength(7);
  });

  it('fails exactly the items of a failed call, and carries on with the rest', async () => {
    const batcher = new Batcher<string, string>({ items: 10, size: 1000, waitMs: 60_000 });
    const { calls, send, finishNext } = controlledSend();
    const a = batcher.submit('pool', 'a', 1, send);
    const b = batcher.submit('pool', 'b', 1, send);
    const c = batcher.submit('pool', 'c', 1, send);
    await finishNext();
    const d = batcher.submit('pool', 'd', 1, send);
    await finishNext(new Error('storage is down'));
    await finishNext();
    expect(calls).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(await a).toBe('done a');
    await expect(b).rejects.toThrow('storage is down');
    await expect(c).rejects.toThrow('storage is down');
    expect(await d).toBe('done d');
  });

  it('never makes one key wait for another', async () => {
    const batcher = new Batcher<string, string>({ items: 10, size: 1000, waitMs: 60_000 });
    const { calls, send } = controlledSend();
    void batcher.submit('pool 1', 'a', 1, send);
    void batcher.submit('pool 2', 'b', 1, send);
    await settle();
    expect(calls).toEqual([['a'], ['b']]);
  });

  it('refuses a call that answers with the wrong number of results', async () => {
    const batcher = new Batcher<string, string>({ items: 10, size: 1000, waitMs: 60_000 });
    await expect(batcher.submit('pool', 'a', 1, async () => [])).rejects.toThrow(/1 came back with 0/);
    // The key is free again.
    expect(await batcher.submit('pool', 'b', 1, async (items) => items)).toBe('b');
  });

  it('sends every item exactly once and answers each caller with its own result, in any interleaving', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom('k1', 'k2', 'k3'), fc.nat(3), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 5 }),
        async (plan, limit) => {
          const batcher = new Batcher<number, number>({ items: limit, size: 1000, waitMs: 60_000 });
          const sent: number[] = [];
          const answers = plan.map(async ([key, delay, fail], i) => {
            for (let t = 0; t < delay; t++) await Promise.resolve();
            return batcher
              .submit(key, i, 1, async (items) => {
                for (let t = 0; t < 3; t++) await Promise.resolve();
                sent.push(...items);
                if (fail && items.length === 1) throw new Error(`failed ${items[0]}`);
                return items.map((x) => x * 10);
              })
              .then(
                (value) => ({ value }),
                (error: Error) => ({ error: error.message }),
              );
          });
          const outcomes = await Promise.all(answers);
          expect([...sent].sort((x, y) => x - y)).toEqual(plan.map((_, i) => i));
          outcomes.forEach((outcome, i) => {
            if ('value' in outcome) expect(outcome.value).toBe(i * 10);
            else expect(outcome.error).toMatch(/^failed \d+$/);
          });
        },
      ),
      { numRuns: 200 },
    );
  });
});
