// The /v2 paths of Call Control: dial, a call's status, its actions.

import { jsonResponse } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import { decodePathSegment, idParam } from '../api/params';
import type { ApiRouter } from '../api/routes';
import { callStatus, runAction } from './actions';
import { dial } from './dial';
import { requireLeg } from './state';

const origin = (request: Request) => new URL(request.url).origin;

export function registerCallRoutes(router: ApiRouter): void {
  router.post('/v2/calls', async (request, ctx) =>
    jsonResponse({ data: dial(ctx, await readJsonObject(request), origin(request)) }),
  );
  router.get('/v2/calls/:id', (request, ctx) =>
    jsonResponse({ data: callStatus(ctx, requireLeg(ctx, idParam(request))) }),
  );
  router.post('/v2/calls/:id/actions/:action', async (request, ctx) => {
    const body = await readJsonObject(request);
    const result = runAction(ctx, idParam(request), decodePathSegment(request.params.action), body, origin(request));
    return jsonResponse({ data: result });
  });
}
