// The /v2 paths of SIP connections, Call Control applications, FQDNs, IPs and outbound voice
// profiles, answering as Telnyx does: creates 201 (outbound voice profiles 200, as the spec
// says), every answer `{ data }`, lists with `meta`.

import { jsonResponse, notFound } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import type { SimContext } from '../context';
import { idParam, query } from '../api/params';
import type { ApiRouter } from '../api/routes';
import {
  createConnection,
  deleteConnection,
  findConnection,
  present,
  requireConnection,
  updateConnection,
} from './connections';
import { listChildren, listConnections, listProfiles, summary } from './lists';
import { registrationStatus } from './registration';
import { createChild, presentProfile, requireChild, updateChild, type ChildKind } from './resources';
import type { ConnectionKind } from './schema';
import { deleteResource } from './store';

const KIND_PATHS: Record<string, ConnectionKind> = {
  credential_connections: 'credential_connection',
  ip_connections: 'ip_connection',
  fqdn_connections: 'fqdn_connection',
  call_control_applications: 'call_control_application',
};

const CHILD_PATHS: Record<string, ChildKind> = {
  fqdns: 'fqdn',
  ips: 'ip',
  outbound_voice_profiles: 'outbound_voice_profile',
};

const data = (value: unknown, status = 200) => jsonResponse({ data: value }, status);

export function registerConnectionRoutes(router: ApiRouter): void {
  router.get('/v2/connections', (request, ctx) => jsonResponse(listConnections(ctx, query(request))));
  router.get('/v2/connections/:id', (request, ctx) => {
    const connection = findConnection(ctx, idParam(request));
    if (connection === undefined) throw notFound(`No connection with id ${idParam(request)}.`);
    return data(summary(connection));
  });

  for (const [path, kind] of Object.entries(KIND_PATHS)) {
    router.get(`/v2/${path}`, (request, ctx) => jsonResponse(listConnections(ctx, query(request), kind)));
    router.post(`/v2/${path}`, async (request, ctx: SimContext) =>
      data(present(ctx, createConnection(ctx, kind, await readJsonObject(request)), true), 201),
    );
    router.get(`/v2/${path}/:id`, (request, ctx) => data(present(ctx, requireConnection(ctx, idParam(request), kind))));
    router.patch(`/v2/${path}/:id`, async (request, ctx) => {
      const body = await readJsonObject(request);
      return data(present(ctx, updateConnection(ctx, kind, idParam(request), body), body.password !== undefined));
    });
    router.delete(`/v2/${path}/:id`, (request, ctx) =>
      data(present(ctx, deleteConnection(ctx, kind, idParam(request)))),
    );
  }
  router.post('/v2/credential_connections/:id/actions/check_registration_status', (request, ctx) =>
    data(registrationStatus(ctx, requireConnection(ctx, idParam(request), 'credential_connection'))),
  );

  for (const [path, kind] of Object.entries(CHILD_PATHS)) {
    const shown = (ctx: SimContext, resource: Parameters<typeof presentProfile>[1]) =>
      kind === 'outbound_voice_profile' ? presentProfile(ctx, resource) : resource;
    router.get(`/v2/${path}`, (request, ctx) =>
      jsonResponse(
        kind === 'outbound_voice_profile' ? listProfiles(ctx, query(request)) : listChildren(ctx, kind, query(request)),
      ),
    );
    router.post(`/v2/${path}`, async (request, ctx) =>
      data(
        shown(ctx, createChild(ctx, kind, await readJsonObject(request))),
        kind === 'outbound_voice_profile' ? 200 : 201,
      ),
    );
    router.get(`/v2/${path}/:id`, (request, ctx) => data(shown(ctx, requireChild(ctx, kind, idParam(request)))));
    router.patch(`/v2/${path}/:id`, async (request, ctx) =>
      data(shown(ctx, updateChild(ctx, kind, idParam(request), await readJsonObject(request)))),
    );
    router.delete(`/v2/${path}/:id`, (request, ctx) => {
      const resource = shown(ctx, requireChild(ctx, kind, idParam(request)));
      deleteResource(ctx, resource.id);
      return data(resource);
    });
  }
}
