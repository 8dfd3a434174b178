// The simulated Telnyx account: one SQLite-backed Durable Object holding everything (numbers,
// profiles, connections, calls, messages, webhook events, faults), so every request sees one
// consistent state. Its alarm runs call timers and delivers webhook events as they fall due.

import { DurableObject } from 'cloudflare:workers';
import type { IRequest } from 'itty-router';
import { errorResponse } from '../shared/errors';
import { API_BODY_LIMIT, readBodyBytes } from '../shared/http';
import { guardApiCall } from './api/guard';
import { apiRouter } from './api/routes';
import { nextTimerDue } from './calls/state';
import { runDueTimers } from './calls/timers';
import { SimContext, type SimEnv } from './context';
import { controlRouter } from './control';
import { followWebhookBase, seedAccount } from './seed-account';
import { SCHEMA, SCHEMA_VERSION, Store } from './store';
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
      if (this.#store.getValue('schema_version') !== SCHEMA_VERSION) {
        // Written by an older simulator (or never): start again from the seed.
        this.#store.rebuild();
        this.#seed();
      }
      // An attempt cut short by eviction is tried again rather than lost.
      this.#store.run("UPDATE events SET state = 'pending' WHERE state = 'sending'");
    });
  }

  #seed(): void {
    seedAccount(this.#context());
    this.#store.setValue('seeded', new Date().toISOString());
    this.#store.setValue('schema_version', SCHEMA_VERSION);
  }

  #context(): SimContext {
    return new SimContext(this.#store, this.env, (at) => this.#wake(at));
  }

  async #wake(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Arms the alarm for the next event or call timer due, in real time (the simulator clock may run
   * ahead). A frozen clock only moves when advanced, so then only what is due already counts.
   */
  async #armForNextEvent(ctx: SimContext): Promise<void> {
    const dues = [nextDue(ctx), nextTimerDue(ctx)].filter((d): d is number => d !== undefined);
    if (dues.length === 0) return;
    const due = Math.min(...dues);
    if (ctx.clockFrozen() && due > ctx.now()) return;
    await this.#wake(Date.now() + Math.max(0, due - ctx.now()));
  }

  override async fetch(request: Request): Promise<Response> {
    const ctx = this.#context();
    const path = new URL(request.url).pathname;
    let response: Response;
    try {
      // The account as it stands now: calls moved on by what fell due, the seeded application's
      // URLs on the current webhook base.
      followWebhookBase(ctx);
      runDueTimers(ctx);
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
    runDueTimers(ctx);
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
