// The /v2 paths the simulator serves, each answering as Telnyx answers.

import { Router, type IRequest, type RouterType } from 'itty-router';
import { ApiError, TelnyxCode, jsonResponse, notFound } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import { registerCallRoutes } from '../calls/routes';
import { registerConnectionRoutes } from '../connections/routes';
import type { SimContext } from '../context';
import { decodePathSegment, idParam, query } from './params';
import { lookupRecord, parseLookupTypes } from '../lookup/records';
import { sendMessage } from '../messaging/send';
import {
  createProfile,
  deleteProfile,
  listProfileNumbers,
  listProfiles,
  retrieveProfile,
  updateProfile,
} from './profiles';

export type ApiRouter = RouterType<IRequest, [SimContext]>;

export function apiRouter(): ApiRouter {
  const router = Router<IRequest, [SimContext]>();

  router.post('/v2/messages', async (request, ctx) =>
    jsonResponse({ data: sendMessage(ctx, await readJsonObject(request), 'messages') }),
  );
  router.post('/v2/messages/number_pool', async (request, ctx) =>
    jsonResponse({ data: sendMessage(ctx, await readJsonObject(request), 'number_pool') }),
  );
  router.get('/v2/messages/:id', (request, ctx) => {
    const row = ctx.store.first<{ body: string }>('SELECT body FROM messages WHERE id = ?', idParam(request));
    if (row === undefined) throw notFound(`No message with id ${request.params.id}.`);
    return jsonResponse({ data: JSON.parse(row.body) });
  });

  router.get('/v2/messaging_profiles', (request, ctx) => jsonResponse(listProfiles(ctx, query(request))));
  router.post('/v2/messaging_profiles', async (request, ctx) =>
    jsonResponse({ data: createProfile(ctx, await readJsonObject(request)) }),
  );
  router.get('/v2/messaging_profiles/:id', (request, ctx) =>
    jsonResponse({ data: retrieveProfile(ctx, idParam(request)) }),
  );
  router.patch('/v2/messaging_profiles/:id', async (request, ctx) =>
    jsonResponse({ data: updateProfile(ctx, idParam(request), await readJsonObject(request)) }),
  );
  router.delete('/v2/messaging_profiles/:id', (request, ctx) =>
    jsonResponse({ data: deleteProfile(ctx, idParam(request)) }),
  );
  router.get('/v2/messaging_profiles/:id/phone_numbers', (request, ctx) =>
    jsonResponse(listProfileNumbers(ctx, idParam(request), query(request))),
  );

  router.get('/v2/number_lookup/:phone_number', (request, ctx) => {
    const types = parseLookupTypes(query(request).getAll('type'));
    const record = lookupRecord(decodePathSegment(request.params.phone_number), types);
    // Every lookup that reaches a number counts, refused or not: Telnyx would have been asked.
    for (const type of types) {
      ctx.store.run(
        `INSERT INTO lookups (phone_number, type, count) VALUES (?, ?, 1)
         ON CONFLICT (phone_number, type) DO UPDATE SET count = count + 1`,
        record.phone_number,
        type,
      );
    }
    if (ctx.settings.lookup_refused_countries.includes(record.country_code)) {
      throw new ApiError(422, {
        code: TelnyxCode.invalidPhoneNumber,
        title: 'Invalid phone number',
        detail: `Lookups of ${record.country_code} numbers are not enabled on this account.`,
        source: { parameter: 'phone_number' },
      });
    }
    return jsonResponse({ data: record });
  });

  registerConnectionRoutes(router);
  registerCallRoutes(router);

  router.all('/v2/*', () => {
    throw notFound();
  });
  return router;
}
