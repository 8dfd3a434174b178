// The voice worker: its routes, Durable Objects and cron work, as the entry point mounts them.

import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';

const router = createWorkerRouter();

export const voiceWorker: EdgeWorker = { name: 'voice', router };
