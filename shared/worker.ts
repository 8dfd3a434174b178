// What each of the bundle's workers (messaging, voice, lookup) gives the entry point. The entry
// mounts every worker's router on one URL; a worker never imports another, so splitting them into
// separate Workers joined by service bindings later is a configuration change.

import { Router, type IRequest, type RouterType } from 'itty-router';

export type EdgeArgs = [env: Env, ctx: ExecutionContext];
export type EdgeRouter = RouterType<IRequest, EdgeArgs>;

/** A request as routes see it: a Request plus the path `params` and `query` itty-router adds. */
export type EdgeRequest<Params extends Record<string, string> = Record<string, string>> = IRequest & {
  params: Params;
};

export interface EdgeWorker {
  readonly name: string;
  /** Answers the worker's own routes; returns undefined for any other path so the next worker can try. */
  readonly router: EdgeRouter;
  /** Checks the worker's own configuration for GET /health; throws ApiError saying what is wrong. */
  checkConfig?(env: Env): void;
  /** Queue consumers, by queue name (the entry's queue() handler dispatches on batch.queue). */
  queues?: Record<string, (batch: MessageBatch<unknown>, env: Env, ctx: ExecutionContext) => Promise<void>>;
  /** Cron work, when the worker has some. */
  scheduled?(controller: ScheduledController, env: Env, ctx: ExecutionContext): Promise<void>;
}

/** A router for one worker. Errors are left to propagate to the entry point's single catch. */
export function createWorkerRouter(): EdgeRouter {
  return Router<IRequest, EdgeArgs>();
}
