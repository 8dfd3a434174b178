// The /flows API: call flows as JSON documents (README "Call flows"). Every route needs the admin
// token (checked by the entry). Answers are Telnyx's envelope: { data }, lists with Telnyx's meta,
// errors as { errors: [...] } with a pointer into the document for each problem.

import type { IRequest } from 'itty-router';
import { jsonResponse, notFound } from '../../../shared/errors';
import { pageMeta, readPage } from '../../../shared/paging';
import { readJsonObject } from '../../../shared/http';
import { parsePhoneNumber } from '../../../shared/phone';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../../../shared/worker';
import { createFlow, deleteFlow, getFlow, listFlows, replaceFlow } from './store';
import { FLOW_ID, invalidFlow, validateFlow, type FlowValidation } from './validate';

function pathId(request: IRequest): string {
  const raw = request.params.id ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The body as an object (415 and 400 exactly as the rest of the API), then checked as a flow. The
 * text is read again from a copy so that keys written twice can be reported (JSON.parse drops one).
 */
async function readFlow(request: Request, id: string, idFromPath = false): Promise<FlowValidation> {
  const copy = request.clone();
  const body = await readJsonObject(request);
  const now = new Date().toISOString();
  return validateFlow(body, { id, idFromPath, created_at: now, updated_at: now, text: await copy.text() });
}

function valid(result: FlowValidation) {
  if (!result.ok) throw invalidFlow(result.errors);
  return result.flow;
}

function noFlow(id: string) {
  return notFound(`No flow with id ${id}.`);
}

export function registerFlowRoutes(router: EdgeRouter): void {
  router.get<EdgeRequest, EdgeArgs>('/flows', async (request, env) => {
    const query = new URL(request.url).searchParams;
    const page = readPage(query);
    const filter = query.get('filter[number]');
    const e164 =
      filter === null ? undefined : parsePhoneNumber(filter, { source: { parameter: 'filter[number]' } }).e164;
    const { flows, total } = await listFlows(env, page, { number: e164 });
    return jsonResponse({ data: flows, meta: pageMeta(page, total) });
  });

  // Checks a document as POST would, and stores nothing.
  router.post<EdgeRequest, EdgeArgs>('/flows/validate', async (request) =>
    jsonResponse({ data: valid(await readFlow(request, crypto.randomUUID())) }),
  );

  router.post<EdgeRequest, EdgeArgs>('/flows', async (request, env) => {
    const flow = valid(await readFlow(request, crypto.randomUUID()));
    return jsonResponse({ data: await createFlow(env, flow) }, 201);
  });

  router.get<EdgeRequest, EdgeArgs>('/flows/:id', async (request, env) => {
    const id = pathId(request);
    const flow = await getFlow(env, id);
    if (flow === undefined) throw noFlow(id);
    return jsonResponse({ data: flow });
  });

  router.put<EdgeRequest, EdgeArgs>('/flows/:id', async (request, env) => {
    const id = pathId(request);
    if (!FLOW_ID.test(id)) throw noFlow(id);
    const flow = valid(await readFlow(request, id, true));
    return jsonResponse({ data: await replaceFlow(env, flow) });
  });

  router.delete<EdgeRequest, EdgeArgs>('/flows/:id', async (request, env) => {
    const id = pathId(request);
    const flow = FLOW_ID.test(id) ? await deleteFlow(env, id) : undefined;
    if (flow === undefined) throw noFlow(id);
    return jsonResponse({ data: flow });
  });
}
