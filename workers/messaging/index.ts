// The messaging worker: its routes, Durable Objects and cron work, as the entry point mounts them.

import { createWorkerRouter, type EdgeWorker } from '../../shared/worker';

const router = createWorkerRouter();

export const messagingWorker: EdgeWorker = { name: 'messaging', router };
