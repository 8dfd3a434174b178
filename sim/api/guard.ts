// What stands in front of every /v2 call, in Telnyx's order: the API key, the account's request
// rate limit (429 with x-ratelimit-* headers), then any fault a test asked for (429, 500, a 500
// after the work was done, or a slow answer). Every call is logged for GET /sim/requests, with a
// note where the answer needs one (a repeated Call Control command_id: "duplicate").

import { bearerToken } from '../../shared/auth';
import { ApiError, TelnyxCode, errorResponse, jsonResponse } from '../../shared/errors';
import type { SimContext } from '../context';

export type ApiFaultKind = '429' | '500' | '500_after' | 'slow';

interface RateWindow {
  second: number;
  count: number;
}

function unauthenticated(): Response {
  return new ApiError(401, {
    code: TelnyxCode.authenticationFailed,
    title: 'Authentication failed',
    detail: 'Could not understand the provided credentials. Send `Authorization: Bearer <API key>`.',
  }).toResponse();
}

function tooManyRequests(headers: Record<string, string>): Response {
  return new ApiError(
    429,
    {
      code: TelnyxCode.tooManyRequests,
      title: 'Too many requests',
      detail: 'You have exceeded the maximum number of allowed requests.',
    },
    { headers },
  ).toResponse();
}

function takeApiFault(ctx: SimContext, path: string) {
  const row = ctx.store.first<{ id: number; kind: string; params: string }>(
    `SELECT id, kind, params FROM faults WHERE target = 'api' AND remaining > 0
       AND (path_prefix IS NULL OR substr(?, 1, length(path_prefix)) = path_prefix) ORDER BY id LIMIT 1`,
    path,
  );
  if (row === undefined) return undefined;
  ctx.store.run('UPDATE faults SET remaining = remaining - 1 WHERE id = ?', row.id);
  return {
    id: row.id,
    kind: row.kind as ApiFaultKind,
    params: JSON.parse(row.params) as { delay_ms?: number; reset_seconds?: number },
  };
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  const copy = new Response(response.body, response);
  for (const [name, value] of Object.entries(headers)) copy.headers.set(name, value);
  return copy;
}

export async function guardApiCall(
  ctx: SimContext,
  window: RateWindow,
  request: Request,
  handle: () => Promise<Response>,
): Promise<Response> {
  const url = new URL(request.url);
  const token = bearerToken(request);
  let response: Response;
  let fault: string | null = null;
  if (token === undefined || (ctx.env.SIM_API_KEY && token !== ctx.env.SIM_API_KEY)) {
    response = unauthenticated();
  } else {
    const limit = ctx.settings.rate_limit_per_second;
    const second = Math.floor(Date.now() / 1000);
    if (window.second !== second) Object.assign(window, { second, count: 0 });
    const rateHeaders = () => ({
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-remaining': String(Math.max(0, limit - window.count)),
      'x-ratelimit-reset': '1',
    });
    if (window.count >= limit) {
      response = tooManyRequests(rateHeaders());
      fault = 'rate_limit';
    } else {
      window.count++;
      const injected = takeApiFault(ctx, url.pathname);
      fault = injected?.kind ?? null;
      let headers = rateHeaders();
      if (injected?.kind === '429') {
        // The headers of the refusal itself, which the real window's must not overwrite below.
        const reset = String(injected.params.reset_seconds ?? 1);
        headers = { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset };
        response = tooManyRequests(headers);
      } else if (injected?.kind === '500') {
        response = simulatedFailure();
      } else {
        if (injected?.kind === 'slow') {
          // The request has reached Telnyx whole before Telnyx is slow about it: read it first, so
          // a caller that stops waiting (and resends) does not take it back.
          if (request.body !== null)
            await request
              .clone()
              .arrayBuffer()
              .catch(() => undefined);
          await scheduler.wait(injected.params.delay_ms ?? 3000);
        }
        response = await handle().catch((error: unknown) => errorResponse(error, request));
        // The work is done (a message may be on its way), yet the caller is told it failed.
        if (injected?.kind === '500_after') {
          if (response.ok) {
            response = simulatedFailure();
          } else {
            // Nothing was done, so there is nothing to misreport: answer truthfully and keep the
            // fault for the next call that succeeds.
            ctx.store.run('UPDATE faults SET remaining = remaining + 1 WHERE id = ?', injected.id);
            fault = null;
          }
        }
      }
      response = withHeaders(response, headers);
    }
  }
  ctx.store.run(
    'INSERT INTO requests (method, path, status, fault, note, at) VALUES (?, ?, ?, ?, ?, ?)',
    request.method,
    url.pathname + url.search,
    response.status,
    fault,
    ctx.requestNote,
    new Date().toISOString(),
  );
  ctx.store.trim('requests');
  return response;
}

function simulatedFailure(): Response {
  return jsonResponse(
    {
      errors: [
        {
          code: TelnyxCode.unexpected,
          title: 'Unexpected error',
          detail: 'An unexpected error occurred (simulated fault).',
        },
      ],
    },
    500,
  );
}
