// Driving the Telnyx simulator from the bundle's tests, through the SIM service binding.
import { testEnv as env } from './test-env';

export const SIM_URL = 'http://127.0.0.1:8788';
export const EDGE_URL = 'http://127.0.0.1:8787';

export async function sim<T = unknown>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await env.SIM.fetch(`${SIM_URL}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', authorization: 'Bearer KEY_test' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`simulator ${path} answered ${response.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface Delivery {
  seq: number;
  event_id: string;
  event_type: string;
  message_id: string | null;
  url: string | null;
  attempt: number;
  status: number | null;
  outcome: string;
  error: string | null;
  response: string | null;
}

/** Back to the seeded account, with webhooks due at once (tests deliver them with flush). */
export async function resetSimulator(): Promise<void> {
  await sim('/sim/reset', { method: 'POST' });
  await sim('/sim/settings', {
    method: 'PATCH',
    body: { latency_ms: { sent: 0, finalized: 0, inbound: 0 }, retry_delay_ms: 0 },
  });
}

export async function flush(): Promise<void> {
  await sim('/sim/flush', { method: 'POST' });
}

export async function deliveries(query = ''): Promise<Delivery[]> {
  return (await sim<{ data: Delivery[] }>(`/sim/deliveries${query}`)).data;
}
