// The simulated Telnyx account: one SQLite-backed Durable Object holding everything (numbers,
// profiles, messages, webhook events, faults), so every request sees one consistent state.
// Its alarm delivers webhook events as they fall due.

import { DurableObject } from 'cloudflare:workers';
import type { IRequest } from 'itty-router';
import { errorResponse } from '../shared/errors';
import { API_BODY_LIMIT, readBodyBytes } from '../shared/http';
import { guardApiCall } from './api/guard';
import { apiRouter } from './api/routes';
import { SimContext, type SimEnv } from './context';
import { controlRouter } from './control';
import { seedAccount } from './seed-account';
import { SCHEMA, Store } from './store';
import { nextDue, processDueEvents, stopDeliveries } from './webhooks/events';

export class SimAccount extends DurableObject<SimEnv> {
  readonly #store: Store;
  readonly #api = apiRouter();
  readonly #control = controlRouter();
  /** The request-rate window; in memory on purpose, like a rate limiter's counters. */
  readonly #rateWindow = { second: 0, count: 0 };

  constructor(state: DurableObjectState, env: SimEnv) {
    super(state, env);
    this.#store = new Store(state.storage.sql);
    void state.blockConcurrencyWhile(async () => {
      this.#store.sql.exec(SCHEMA);
      if (this.#store.getValue('seeded') === undefined) this.#seed();
      // An attempt cut short by eviction is tried again rather than lost.
      this.#store.run("UPDATE events SET state = 'pending' WHERE state = 'sending'");
    });
  }

  #seed(): void {
    seedAccount(this.#context());
    this.#store.setValue('seeded', new Date().toISOString());
  }

  #context(): SimContext {
    return new SimContext(this.#store, this.env, (at) => this.#wake(at));
  }

  async #wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /** Arms the alarm for the next event due, in real time (the simulator clock may run ahead). */
  async #armForNextEvent(ctx: SimContext): Promise<void> {
    const due = nextDue(ctx);
    if (due === undefined) return;
    await this.#wake(Date.now() + Math.max(0, due - ctx.now()));
  }

  override async fetch(request: Request): Promise<Response> {
    const ctx = this.#context();
    const path = new URL(request.url).pathname;
    let response: Response;
    try {
      if (path === '/v2' || path.startsWith('/v2/')) {
        response = await guardApiCall(
          ctx,
          this.#rateWindow,
          request,
          async () => (await this.#api.fetch(request as IRequest, ctx)) as Response,
        );
      } else {
        const control = { reset: () => this.#reset() };
        response =
          ((await this.#control.fetch(request as IRequest, ctx, control)) as Response | undefined) ??
          new Response('Telnyx simulator. Telnyx API under /v2, control API under /sim (GET /sim lists it).\n');
      }
    } catch (error) {
      response = errorResponse(error, request);
    }
    // A request answered without its body being read (refused by a check, a fault or the rate
    // limit) still has that body on the way in, and workerd reports a body left streaming after
    // the answer as an uncaught error; so it is read here, within the usual limit.
    if (request.body !== null && !request.bodyUsed) await readBodyBytes(request, API_BODY_LIMIT).catch(() => {});
    await this.#armForNextEvent(this.#context());
    return response;
  }

  override async alarm(): Promise<void> {
    const ctx = this.#context();
    await processDueEvents(ctx);
    await this.#armForNextEvent(ctx);
  }

  async #reset(): Promise<void> {
    await this.ctx.storage.deleteAlarm();
    // Nothing of a delivery run begun before the reset may land after it.
    await stopDeliveries();
    this.#store.wipe();
    Object.assign(this.#rateWindow, { second: 0, count: 0 });
    this.#seed();
  }
}
