// The deployable bundle: one Worker, one URL for Telnyx. It mounts the messaging, voice and
// lookup workers' routers, answers /health, and renders every error in Telnyx's shape. Durable
// Object classes, the scheduled() and queue() handlers are exported here as the workers gain them.

import { Router, type IRequest } from 'itty-router';
import { errorResponse, notFound } from '../shared/errors';
import { healthResponse } from '../shared/health';
import type { EdgeArgs, EdgeWorker } from '../shared/worker';
import { lookupWorker } from './lookup';
import { messagingWorker } from './messaging';
import { voiceWorker } from './voice';

export const workers: readonly EdgeWorker[] = [messagingWorker, voiceWorker, lookupWorker];

const app = Router<IRequest, EdgeArgs>({
  catch: (error, request) => errorResponse(error, request),
});

app.get('/health', (_request, env) => healthResponse(env));
for (const worker of workers) app.all('*', worker.router.fetch);
app.all('*', () => {
  throw notFound();
});

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
