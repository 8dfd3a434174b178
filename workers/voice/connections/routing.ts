// The edge's own routing for a connection, under the one key `edge` of every connection body and
// answer (v2 and V1):
//
//   edge.flow_id      the call flow (workers/voice/flows) that runs calls arriving on the connection;
//                     not checked to exist, since a flow may be stored after the connection
//   edge.forward_url  where the connection's call events are forwarded (http or https), or null
//
// Telnyx never sees it: in upstream mode it is taken out of the body before Telnyx is called and
// kept in the edge's store beside Telnyx's answer.

import { invalid } from '../../../shared/telnyx/messaging-profile';
import { httpUrl, isObject, length } from './fields';
import { load, type ConnectionRouting, type StoredConnection } from './store';

export type EdgeRouting = StoredConnection['edge'];

export const NO_ROUTING: EdgeRouting = { flow_id: null, forward_url: null };

/** Applies an `edge` body (whole or partial) onto `current`, checking each key. */
export function mergeRouting(current: EdgeRouting, value: unknown): EdgeRouting {
  if (!isObject(value)) throw invalid('/edge', 'edge must be an object: { "flow_id", "forward_url" }.');
  const next = { ...current };
  for (const [key, v] of Object.entries(value)) {
    const pointer = `/edge/${key}`;
    if (key !== 'flow_id' && key !== 'forward_url') {
      throw invalid(pointer, `"${key}" is not an edge setting; the edge keys are flow_id and forward_url.`);
    }
    if (v !== null) {
      const problem =
        typeof v !== 'string' ? 'must be text or null' : (key === 'flow_id' ? length(1, 200) : httpUrl)(v);
      if (problem !== undefined) throw invalid(pointer, `${key} ${problem}.`);
    }
    next[key] = v as string | null;
  }
  return next;
}

/** Splits a request body into Telnyx's part and the edge's `edge` part. */
export function splitEdge(body: Record<string, unknown>): [Record<string, unknown>, unknown] {
  const { edge, ...telnyx } = body;
  return [telnyx, edge];
}

/** The routing a connection carries (flow or forward URL), or undefined when it has none or does not exist. */
export async function routingOf(
  env: Pick<Env, 'CONFIG'>,
  connectionId: string,
): Promise<ConnectionRouting | undefined> {
  const stored = await load(env.CONFIG, 'connection', connectionId);
  if (stored === undefined) return undefined;
  const { flow_id, forward_url } = stored.edge;
  return flow_id === null && forward_url === null ? undefined : { flow_id, forward_url };
}
