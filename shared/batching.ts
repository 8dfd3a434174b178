// Calls that go together when they pile up. While one call for a key is under way, later items for
// that key wait and then go in one call; when nothing is under way an item goes at once, so batching
// adds no delay to a quiet system and saves a round trip per item to a busy one.
//
// Used for webhooks bound for one pool's Durable Object: one object handles one request at a time,
// so under load it is the round trips, not the work, that set how many events a pool can take.
//
// Each batch is sent from the request of one of its own items (the first), never from a request
// that has already answered: Workers cancel what a finished request left running. A waiting request
// also keeps a timer of its own: workerd cancels a request that waits only on another request, as
// hung, and the timer lets a request that has waited too long send its item alone.

interface Waiter<T, R> {
  item: T;
  size: number;
  /** Called once: with the batch this waiter is to send, or with its own result or error. */
  wake: (turn: Turn<T, R>) => void;
}

type Turn<T, R> = { lead: Waiter<T, R>[] } | { result: R } | { error: unknown } | { alone: true };

interface Lane<T, R> {
  busy: boolean;
  waiting: Waiter<T, R>[];
}

export interface BatchLimits {
  /** Items in one call at most. */
  items: number;
  /** Their summed `size` at most (a single bigger item still goes, alone). */
  size: number;
  /** How long an item waits for its batch before it goes alone. */
  waitMs: number;
}

export class Batcher<T, R> {
  readonly #lanes = new Map<string, Lane<T, R>>();
  readonly #limits: BatchLimits;

  constructor(limits: BatchLimits) {
    this.#limits = limits;
  }

  /**
   * `send` takes the items of one batch and returns one result per item, in order. Every item of a
   * key must be sent the same way: the first waiter's `send` carries the whole batch.
   */
  async submit(key: string, item: T, size: number, send: (items: T[]) => Promise<R[]>): Promise<R> {
    let lane = this.#lanes.get(key);
    if (lane === undefined) {
      lane = { busy: false, waiting: [] };
      this.#lanes.set(key, lane);
    }
    if (!lane.busy) {
      lane.busy = true;
      try {
        return (await this.#send(send, [item]))[0]!;
      } finally {
        this.#handOver(key, lane);
      }
    }
    const turn = await this.#wait(lane, item, size);
    if ('result' in turn) return turn.result;
    if ('error' in turn) throw turn.error;
    if ('alone' in turn) return (await this.#send(send, [item]))[0]!;
    // This request leads the batch: it sends it, then tells the others what came of their items.
    const batch = turn.lead;
    try {
      const results = await this.#send(
        send,
        batch.map((w) => w.item),
      );
      batch.slice(1).forEach((w, i) => w.wake({ result: results[i + 1]! }));
      return results[0]!;
    } catch (error) {
      for (const w of batch.slice(1)) w.wake({ error });
      throw error;
    } finally {
      this.#handOver(key, lane);
    }
  }

  /** Waits for a turn: to lead a batch, or the batch's outcome; or, after waitMs, to go alone. */
  #wait(lane: Lane<T, R>, item: T, size: number): Promise<Turn<T, R>> {
    return new Promise<Turn<T, R>>((resolve) => {
      const waiter: Waiter<T, R> = {
        item,
        size,
        wake: (turn) => {
          clearTimeout(timer);
          resolve(turn);
        },
      };
      const timer = setTimeout(() => {
        const at = lane.waiting.indexOf(waiter);
        if (at === -1) return; // already part of a batch: its outcome will come
        lane.waiting.splice(at, 1);
        resolve({ alone: true });
      }, this.#limits.waitMs);
      lane.waiting.push(waiter);
    });
  }

  async #send(send: (items: T[]) => Promise<R[]>, items: T[]): Promise<R[]> {
    const results = await send(items);
    if (results.length !== items.length) {
      throw new Error(`A batch of ${items.length} came back with ${results.length} results.`);
    }
    return results;
  }

  /** Passes the lane to the next batch of waiters, or leaves it idle. */
  #handOver(key: string, lane: Lane<T, R>): void {
    if (lane.waiting.length === 0) {
      lane.busy = false;
      this.#lanes.delete(key);
      return;
    }
    let count = 0;
    let size = 0;
    for (const w of lane.waiting) {
      if (count > 0 && (count >= this.#limits.items || size + w.size > this.#limits.size)) break;
      count += 1;
      size += w.size;
    }
    const batch = lane.waiting.splice(0, count);
    batch[0]!.wake({ lead: batch });
  }
}
