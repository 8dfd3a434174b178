// Calls through the edge:
//   POST /v2/calls               dial out, in Telnyx's shape (the SDK's calls.dial works against it),
//                                plus the edge's own `flow_id`: the flow to run once the call is answered
//   GET  /calls/active           calls in progress (from D1)
//   GET  /calls/{call_session_id} one call: its record, where it stands, and its timeline (events in,
//                                commands out, flow steps)

import { ApiError, TelnyxCode, jsonResponse, notFound, unprocessable } from '../../shared/errors';
import { readJsonObject } from '../../shared/http';
import { log } from '../../shared/log';
import { pageMeta, readPage } from '../../shared/paging';
import { parsePhoneNumber } from '../../shared/phone';
import { telnyxClientFromEnv } from '../../shared/telnyx/client';
import { TelnyxApiError } from '../../shared/telnyx/errors';
import type { CallDialParams } from '../../shared/telnyx/types';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../../shared/worker';
import { getFlow } from './flows';
import { activeCalls, callRecordOf } from './records';
import { encodeClientState } from './session/inputs';

const SIP_URI = /^sips?:[^\s@]+@[^\s@]+$/i;

function dialTarget(value: unknown, pointer: string): string {
  if (typeof value === 'string' && SIP_URI.test(value)) return value;
  return parsePhoneNumber(value, { source: { pointer } }).e164;
}

function requiredString(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  if (typeof value !== 'string' || value === '') {
    throw unprocessable(TelnyxCode.missingParameter, 'Missing required parameter', `'${name}' is required.`, {
      pointer: `/${name}`,
    });
  }
  return value;
}

async function dial(request: EdgeRequest, env: Env): Promise<Response> {
  const body = await readJsonObject(request);
  requiredString(body, 'connection_id');
  requiredString(body, 'from');
  const from = dialTarget(body.from, '/from');
  const to = Array.isArray(body.to)
    ? body.to.map((t, i) => dialTarget(t, `/to/${i}`))
    : dialTarget(body.to === undefined ? undefined : body.to, '/to');
  if (Array.isArray(to) && to.length === 0) {
    throw unprocessable(TelnyxCode.missingParameter, 'Missing required parameter', "'to' is empty.", {
      pointer: '/to',
    });
  }

  // Telnyx rings a list of destinations at once and the first to answer takes the call. The
  // edge follows each call as one main leg and its transfers, so it would take the first leg to
  // ring for the main one, and hang up the one that answered when Telnyx ends the others. One
  // destination per call until that is modelled.
  if (Array.isArray(to) && to.length > 1) {
    throw unprocessable('10015', 'Invalid parameter', 'The edge dials one destination per call, not a list.', {
      pointer: '/to',
    });
  }
  const { flow_id: flowId, ...telnyxBody } = body;
  let clientState = body.client_state;
  if (flowId !== undefined) {
    if (typeof flowId !== 'string' || (await getFlow(env, flowId)) === undefined) {
      throw unprocessable('10015', 'Invalid flow', `No flow with id ${String(flowId)}; create it at POST /flows.`, {
        pointer: '/flow_id',
      });
    }
    // The edge's flow rides in client_state, which Telnyx echoes on the call's events; and the
    // events must come to the edge.
    for (const field of ['client_state', 'webhook_url'] as const) {
      if (body[field] !== undefined) {
        throw unprocessable('10015', 'Invalid parameter', `'${field}' cannot be combined with 'flow_id'.`, {
          pointer: `/${field}`,
        });
      }
    }
    clientState = encodeClientState({ f: flowId });
  }
  const commandId =
    typeof body.command_id === 'string' && body.command_id !== '' ? body.command_id : crypto.randomUUID();
  const params = {
    ...telnyxBody,
    from,
    to,
    ...(clientState !== undefined && { client_state: clientState }),
    // Every call dialled through the edge reports to the edge, so it is recorded (and its flow runs).
    webhook_url:
      typeof body.webhook_url === 'string' ? body.webhook_url : `${new URL(request.url).origin}/webhooks/voice`,
    command_id: commandId,
  } as CallDialParams & { command_id: string };

  try {
    const { body: answer } = await telnyxClientFromEnv(env).dial(params);
    return jsonResponse(answer);
  } catch (error) {
    if (!(error instanceof TelnyxApiError)) throw error;
    if (error.outcome === 'unknown') {
      throw new ApiError(502, {
        code: TelnyxCode.unexpected,
        title: 'Outcome unknown',
        detail:
          'Telnyx did not confirm this dial (it may be ringing). Send it again with the same command_id ' +
          'within 60 seconds and Telnyx will not dial twice.',
        meta: { command_id: commandId },
      });
    }
    // Telnyx refusing the edge's own key (401/403) is the edge's configuration, not the caller's
    // token: a 502, so it is not mistaken for a bad ADMIN_TOKEN.
    const status = error.status === 401 || error.status === 403 ? 502 : (error.status ?? 502);
    throw new ApiError(status, error.errors);
  }
}

export function registerCallRoutes(router: EdgeRouter): void {
  router.post<EdgeRequest, EdgeArgs>('/v2/calls', (request, env) => dial(request, env));

  router.get<EdgeRequest, EdgeArgs>('/calls/active', async (request, env) => {
    const page = readPage(new URL(request.url).searchParams);
    const { calls, total } = await activeCalls(env.DB, page);
    return jsonResponse({
      data: calls.map((c) => ({ ...c, path: JSON.parse(c.path) as unknown, legs: JSON.parse(c.legs) as unknown })),
      meta: pageMeta(page, total),
    });
  });

  router.get<EdgeRequest, EdgeArgs>('/calls/:id', async (request, env) => {
    let id = '';
    try {
      id = decodeURIComponent(request.params.id ?? '');
    } catch {
      // a broken %-escape names no call
    }
    // Telnyx's call_session_id is a UUID; anything far from an id is no call, and must not make
    // a Durable Object exist.
    if (!/^[A-Za-z0-9_:.-]{1,128}$/.test(id)) throw notFound('No call session has that id.');
    // The call's own object answers for a call under way even while D1 is down; only a call it
    // has forgotten needs the record.
    let recordUnreadable = false;
    const [record, view] = await Promise.all([
      callRecordOf(env.DB, id).catch((error: unknown) => {
        recordUnreadable = true;
        log.warn('call_record_unreadable', { session: id, error });
        return null;
      }),
      env.CALL_SESSION.get(env.CALL_SESSION.idFromName(id)).view(),
    ]);
    if (record === null && view.state === null) {
      if (recordUnreadable) {
        throw new ApiError(503, {
          code: TelnyxCode.unexpected,
          title: 'Records unavailable',
          detail: `The call records (D1) cannot be read just now, and no call ${id} is under way. Try again shortly.`,
        });
      }
      throw notFound(`No call session ${id} went through the edge.`);
    }
    const state = view.state;
    return jsonResponse({
      data: {
        call_session_id: id,
        record: record && {
          ...record,
          path: JSON.parse(record.path) as unknown,
          legs: JSON.parse(record.legs) as unknown,
        },
        state: state && {
          status: state.status,
          direction: state.direction,
          flow_id: state.flow?.id ?? null,
          flow_source: state.flow_source,
          node: state.node,
          waiting_for: state.waiting.for,
          path: state.path,
          outcome: state.outcome,
          legs: Object.values(state.legs),
        },
        timeline: view.timeline.map((entry) => ({ ...entry, detail: JSON.parse(entry.detail) as unknown })),
      },
    });
  });
}
