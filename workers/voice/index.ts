// The voice worker: call flows, call sessions (the CallSession Durable Object), outbound calls,
// and SIP connection configs, as the entry point mounts them.

import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';
import { registerCallRoutes } from './calls';
import { registerConnectionRoutes, syncConnections } from './connections';
import { registerFlowRoutes } from './flows';
import { registerVoiceWebhooks } from './webhooks';

const router = createWorkerRouter();
registerVoiceWebhooks(router);
registerCallRoutes(router);
registerConnectionRoutes(router);
registerFlowRoutes(router);

export const voiceWorker: EdgeWorker = {
  name: 'voice',
  router,
  async scheduled(controller, env) {
    await syncConnections(env, controller);
  },
};
