// The deployable bundle: one Worker, one URL for Telnyx. It mounts the messaging, voice and
// lookup workers' routers, answers /health, and renders every error in Telnyx's shape. Durable
// Object classes, the scheduled() and queue() handlers are exported here as the workers gain them.
//
// Every route needs the admin token except /health and Telnyx's webhooks (which carry a
// signature instead). The check sits here, before any worker's router, so a route added later is
// closed unless it is deliberately made public.

import { Router, type IRequest } from 'itty-router';
import { requireAdmin } from '../shared/auth';
import { errorResponse, notFound } from '../shared/errors';
import { forwardingWorker } from '../shared/forward';
import { healthResponse } from '../shared/health';
import { log, setLogLevel } from '../shared/log';
import type { EdgeArgs, EdgeWorker } from '../shared/worker';
import { lookupWorker } from './lookup';
import { messagingWorker } from './messaging';
import { reportsWorker } from './reports';
import { voiceWorker } from './voice';

// A request tries each worker's routes in this order, so the hottest path comes first: a cache-hit
// lookup is the cheapest request the edge serves, and matching it against every messaging and
// voice route first cost a few per cent of its throughput (bench: 0.80 → 0.83 of /health). The order is the cron's too: lookup and
// messaging flush and settle their records before reports reads them.
export const workers: readonly EdgeWorker[] = [
  lookupWorker,
  messagingWorker,
  voiceWorker,
  reportsWorker,
  forwardingWorker,
];

const app = Router<IRequest, EdgeArgs>({
  catch: (error, request) => errorResponse(error, request),
});

/** Paths anyone may call: /health, and Telnyx's webhooks, which are checked by signature. */
export function isPublicPath(pathname: string): boolean {
  return pathname === '/health' || pathname === '/webhooks' || pathname.startsWith('/webhooks/');
}

const configChecks = workers.flatMap((worker) => (worker.checkConfig ? [worker.checkConfig] : []));
app.get('/health', (_request, env) => healthResponse(env, configChecks));
app.all('*', (request, env) => (isPublicPath(new URL(request.url).pathname) ? undefined : requireAdmin(request, env)));
for (const worker of workers) app.all('*', worker.router.fetch);
app.all('*', () => {
  throw notFound();
});

/** Queue consumers of every worker, by queue name. */
const queueConsumers = Object.assign({}, ...workers.map((worker) => worker.queues ?? {})) as NonNullable<
  EdgeWorker['queues']
>;

export { NumberPool } from './messaging/pool/number-pool';
export { CallSession } from './voice/session/call-session';

export default {
  fetch(request, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    return app.fetch(request, env, ctx);
  },
  async queue(batch, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const consume = queueConsumers[batch.queue];
    if (consume === undefined) {
      // A queue this bundle does not know: leave the messages for a retry rather than drop them.
      batch.retryAll();
      throw new Error(`No consumer for queue ${batch.queue}.`);
    }
    await consume(batch, env, ctx);
  },
  // Each worker's cron work looks at controller.cron itself. They run one after another, in the
  // order of `workers`, so the day's report (reports) reads what messaging settled and lookup
  // flushed in the same run. One failing does not stop the others; the run is still reported failed.
  async scheduled(controller, env, ctx) {
    setLogLevel(env.LOG_LEVEL);
    const failed: Array<{ worker: string; error: unknown }> = [];
    for (const worker of workers) {
      if (worker.scheduled === undefined) continue;
      try {
        await worker.scheduled(controller, env, ctx);
      } catch (error) {
        failed.push({ worker: worker.name, error });
      }
    }
    for (const f of failed) log.error('scheduled_failed', { cron: controller.cron, ...f });
    if (failed.length > 0)
      throw new Error(`Cron ${controller.cron} failed in ${failed.map((f) => f.worker).join(', ')}.`);
  },
} satisfies ExportedHandler<Env>;
