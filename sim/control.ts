// The simulator's control API under /sim: what a test or a person uses to play the other side
// (an inbound message, a fault) and to watch what happened (deliveries, requests, state).
// It needs no token: it is a local tool, bound to 127.0.0.1 by `npm run dev`.

import { Router, type IRequest, type RouterType } from 'itty-router';
import { badRequest, jsonResponse, notFound } from '../shared/errors';
import { readJsonObject } from '../shared/http';
import { asControlError } from './api/fields';
import { decodePathSegment } from './api/params';
import { registerCallControl } from './calls/control';
import { runDueTimers } from './calls/timers';
import { setRegistration } from './connections/registration';
import type { SimContext } from './context';
import { receiveInbound } from './messaging/inbound';
import { findConnection } from './connections/connections';
import { mergeSettings } from './settings';
import { processDueEvents, releaseHeld } from './webhooks/events';
import { signerFor } from './webhooks/signer';

type Args = [SimContext, { reset: () => Promise<void> }];
export type ControlRouter = RouterType<IRequest, Args>;

/** One jump of the clock; many jumps add up, but none can push the date past what Date can show. */
const MAX_CLOCK_ADVANCE_MS = 365 * 86_400_000;

const API_FAULTS = ['429', '500', '500_after', 'slow'];
const WEBHOOK_FAULTS = ['drop', 'duplicate', 'delay', 'reorder'];

function limitParam(url: URL, fallback: number): number {
  const raw = url.searchParams.get('limit');
  const value = raw === null ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 10_000)
    throw badRequest('limit must be 1 to 10000.', { parameter: 'limit' });
  return value;
}

function sinceParam(url: URL): number {
  const raw = url.searchParams.get('since') ?? '0';
  if (!/^\d+$/.test(raw)) throw badRequest('since must be a sequence number.', { parameter: 'since' });
  return Number(raw);
}

export function controlRouter(): ControlRouter {
  const router = Router<IRequest, Args>();

  router.get('/sim', () =>
    jsonResponse({
      endpoints: {
        'GET /sim/public-key': 'the Ed25519 public key webhooks are signed with (TELNYX_PUBLIC_KEY)',
        'GET /sim/state': 'numbers, profiles, opt-outs, faults, settings, counts',
        'POST /sim/reset': 'back to the seeded account',
        'POST /sim/messages/inbound': '{ from, to, text?, media_urls? }: someone texts one of the account numbers',
        'GET /sim/messages': 'recent messages, newest first (?limit=)',
        'GET /sim/deliveries': 'webhook delivery attempts (?since=seq&event_type=&message_id=&event_id=&limit=)',
        'GET /sim/requests': 'API calls received (?since=seq&path=&limit=)',
        'GET /sim/lookups': 'how often each number was looked up, by type',
        'GET|POST|DELETE /sim/faults':
          '{ target: "api", kind: 429|500|500_after|slow, count, path?, delay_ms?, reset_seconds? } or { target: "webhooks", kind: drop|duplicate|delay|reorder, count, delay_ms? }',
        'GET|PATCH /sim/settings':
          'stop_blocks, rate_limit_per_second, latency_ms, attempts_per_url, retry_delay_ms, voice, mask_connection_passwords, ...',
        'PATCH /sim/numbers/:phone_number': '{ mps?, messaging_profile_id?, connection_id? }',
        'POST /sim/flush': 'deliver every pending webhook now',
        'POST /sim/clock': '{ advance_ms?, freeze? }: move the simulator clock forward; freeze or thaw it',
        'POST /sim/calls/inbound': '{ from, to, caller_id_name? }: someone calls one of the account numbers',
        'GET /sim/calls': 'calls (legs), newest first (?alive=true)',
        'GET /sim/calls/:call_control_id': 'a leg, the legs of its call, and its timeline (commands, events, control)',
        'POST /sim/calls/:call_control_id/dtmf': '{ digits }: the other party presses digits',
        'POST /sim/calls/:call_control_id/hangup': 'the other party hangs up',
        'POST /sim/calls/:call_control_id/answer|refuse|busy':
          'the destination of a ringing outgoing leg answers, refuses, is busy',
        'GET /sim/recordings/:id.mp3|wav': 'a recording call.recording.saved points at',
        'PATCH /sim/connections/:id/registration':
          '{ status, ip_address?, port?, transport?, user_agent? }: a credential connection registers (or not)',
      },
    }),
  );

  router.get('/sim/public-key', async (_request, ctx) => {
    const signer = await signerFor(ctx.env.SIM_SIGNING_KEY);
    return jsonResponse({ public_key: signer.publicKeyBase64 });
  });

  router.get('/sim/state', (_request, ctx) => {
    const count = (table: string) => ctx.store.first<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`)?.n ?? 0;
    return jsonResponse({
      clock: ctx.iso(),
      numbers: ctx.store.all(
        'SELECT phone_number, id, type, country_code, messaging_profile_id, connection_id, mps FROM numbers ORDER BY phone_number',
      ),
      resources: ctx.store
        .all<{ body: string }>('SELECT body FROM resources ORDER BY seq')
        .map((r) => JSON.parse(r.body) as Record<string, unknown>),
      profiles: ctx.store
        .all<{ body: string }>('SELECT body FROM profiles ORDER BY created_at, rowid')
        .map((r) => JSON.parse(r.body)),
      opt_outs: ctx.store.all('SELECT profile_id, recipient, at FROM opt_outs ORDER BY at'),
      sticky_senders: ctx.store.all('SELECT profile_id, recipient, sender, last_at FROM sticky_senders'),
      number_outcomes: ctx.store.all('SELECT * FROM number_outcomes'),
      faults: ctx.store.all('SELECT * FROM faults WHERE remaining > 0 ORDER BY id'),
      settings: ctx.settings,
      counts: {
        messages: count('messages'),
        events_pending:
          ctx.store.first<{ n: number }>(
            "SELECT COUNT(*) AS n FROM events WHERE state IN ('pending', 'held', 'drop', 'sending')",
          )?.n ?? 0,
        deliveries: count('deliveries'),
        requests: count('requests'),
        calls_alive: ctx.store.first<{ n: number }>('SELECT COUNT(*) AS n FROM calls WHERE alive = 1')?.n ?? 0,
        // The newest sequence numbers, for following the logs with ?since=.
        last_delivery_seq: ctx.store.first<{ n: number | null }>('SELECT MAX(seq) AS n FROM deliveries')?.n ?? 0,
        last_request_seq: ctx.store.first<{ n: number | null }>('SELECT MAX(seq) AS n FROM requests')?.n ?? 0,
      },
      webhook_base: ctx.webhookBase(),
    });
  });

  router.post('/sim/reset', async (_request, _ctx, control) => {
    await control.reset();
    return jsonResponse({ reset: true });
  });

  router.post('/sim/messages/inbound', async (request, ctx) =>
    jsonResponse(await receiveInbound(ctx, await readJsonObject(request))),
  );

  router.get('/sim/messages', (request, ctx) => {
    const url = new URL(request.url);
    const rows = ctx.store.all<{ body: string }>(
      'SELECT body FROM messages ORDER BY seq DESC LIMIT ?',
      limitParam(url, 50),
    );
    return jsonResponse({ data: rows.map((r) => JSON.parse(r.body)) });
  });

  router.get('/sim/deliveries', (request, ctx) => {
    const url = new URL(request.url);
    const eventType = url.searchParams.get('event_type');
    const messageId = url.searchParams.get('message_id');
    const eventId = url.searchParams.get('event_id');
    const rows = ctx.store.all(
      `SELECT * FROM deliveries WHERE seq > ? AND (? IS NULL OR event_type = ?) AND (? IS NULL OR message_id = ?)
         AND (? IS NULL OR event_id = ?)
       ORDER BY seq LIMIT ?`,
      sinceParam(url),
      eventType,
      eventType,
      messageId,
      messageId,
      eventId,
      eventId,
      limitParam(url, 200),
    );
    return jsonResponse({ data: rows });
  });

  router.get('/sim/requests', (request, ctx) => {
    const url = new URL(request.url);
    const path = url.searchParams.get('path');
    const rows = ctx.store.all(
      // A plain prefix test: LIKE would read "_" in a call_control_id as a wildcard, and refuses long patterns.
      'SELECT * FROM requests WHERE seq > ? AND (? IS NULL OR substr(path, 1, length(?)) = ?) ORDER BY seq LIMIT ?',
      sinceParam(url),
      path,
      path,
      path,
      limitParam(url, 200),
    );
    return jsonResponse({ data: rows });
  });

  router.get('/sim/lookups', (_request, ctx) =>
    jsonResponse({ data: ctx.store.all('SELECT phone_number, type, count FROM lookups ORDER BY phone_number, type') }),
  );

  router.get('/sim/faults', (_request, ctx) =>
    jsonResponse({ data: ctx.store.all('SELECT * FROM faults WHERE remaining > 0 ORDER BY id') }),
  );
  router.delete('/sim/faults', (_request, ctx) => {
    ctx.store.run('DELETE FROM faults');
    releaseHeld(ctx);
    return jsonResponse({ data: [] });
  });
  router.post('/sim/faults', async (request, ctx) => {
    const body = await readJsonObject(request);
    const { target, kind } = body;
    const count = body.count ?? 1;
    const kinds = target === 'api' ? API_FAULTS : target === 'webhooks' ? WEBHOOK_FAULTS : undefined;
    if (kinds === undefined) throw badRequest('target must be "api" or "webhooks".', { pointer: '/target' });
    if (typeof kind !== 'string' || !kinds.includes(kind)) {
      throw badRequest(`kind must be one of ${kinds.join(', ')} for target ${target}.`, { pointer: '/kind' });
    }
    if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 100_000) {
      throw badRequest('count must be a whole number from 1 to 100000.', { pointer: '/count' });
    }
    const path = body.path ?? null;
    if (path !== null && (typeof path !== 'string' || !path.startsWith('/v2/'))) {
      throw badRequest('path must start with /v2/.', { pointer: '/path' });
    }
    const params: Record<string, number> = {};
    for (const name of ['delay_ms', 'reset_seconds']) {
      const value = body[name];
      if (value === undefined) continue;
      if (typeof value !== 'number' || value < 0 || value > 600_000)
        throw badRequest(`${name} must be 0 to 600000.`, { pointer: `/${name}` });
      params[name] = value;
    }
    ctx.store.run(
      'INSERT INTO faults (target, kind, remaining, path_prefix, params) VALUES (?, ?, ?, ?, ?)',
      target,
      kind,
      count,
      path,
      JSON.stringify(params),
    );
    return jsonResponse({ data: ctx.store.all('SELECT * FROM faults WHERE remaining > 0 ORDER BY id') }, 201);
  });

  router.get('/sim/settings', (_request, ctx) => jsonResponse({ data: ctx.settings }));
  router.patch('/sim/settings', async (request, ctx) => {
    ctx.saveSettings(mergeSettings(ctx.settings, await readJsonObject(request)));
    return jsonResponse({ data: ctx.settings });
  });

  router.patch('/sim/numbers/:phone_number', async (request, ctx) => {
    const phone = decodePathSegment(request.params.phone_number);
    if (!ctx.store.first('SELECT 1 FROM numbers WHERE phone_number = ?', phone))
      throw notFound(`${phone} is not an account number.`);
    const body = await readJsonObject(request);
    const connectionId = body.connection_id;
    if (connectionId !== undefined && connectionId !== null) {
      if (typeof connectionId !== 'string' || !findConnection(ctx, connectionId)) {
        throw badRequest('connection_id must name an existing connection or Call Control application, or be null.', {
          pointer: '/connection_id',
        });
      }
    }
    if ('mps' in body) {
      if (body.mps !== null && (typeof body.mps !== 'number' || body.mps <= 0))
        throw badRequest('mps must be a positive number or null.', { pointer: '/mps' });
      ctx.store.run('UPDATE numbers SET mps = ? WHERE phone_number = ?', body.mps, phone);
    }
    if ('messaging_profile_id' in body) {
      const id = body.messaging_profile_id;
      if (id !== null && (typeof id !== 'string' || !ctx.store.first('SELECT 1 FROM profiles WHERE id = ?', id))) {
        throw badRequest('messaging_profile_id must name an existing profile, or be null.', {
          pointer: '/messaging_profile_id',
        });
      }
      ctx.store.run('UPDATE numbers SET messaging_profile_id = ? WHERE phone_number = ?', id, phone);
    }
    if ('connection_id' in body) {
      ctx.store.run('UPDATE numbers SET connection_id = ? WHERE phone_number = ?', body.connection_id, phone);
    }
    return jsonResponse({
      data: ctx.store.first(
        'SELECT phone_number, id, type, country_code, messaging_profile_id, connection_id, mps FROM numbers WHERE phone_number = ?',
        phone,
      ),
    });
  });

  router.patch('/sim/connections/:id/registration', async (request, ctx) => {
    const body = await readJsonObject(request);
    return jsonResponse({
      data: asControlError(() => setRegistration(ctx, decodePathSegment(request.params.id), body)),
    });
  });

  registerCallControl(router);

  router.post('/sim/flush', async (_request, ctx) => {
    releaseHeld(ctx);
    const attempts = await processDueEvents(ctx, { everything: true, limit: 10_000 });
    return jsonResponse({ attempts });
  });

  router.post('/sim/clock', async (request, ctx) => {
    const body = await readJsonObject(request);
    const { advance_ms = body.freeze === undefined ? undefined : 0, freeze } = body;
    if (
      typeof advance_ms !== 'number' ||
      !Number.isFinite(advance_ms) ||
      advance_ms < 0 ||
      advance_ms > MAX_CLOCK_ADVANCE_MS
    ) {
      throw badRequest('advance_ms must be a number of milliseconds from 0 to 31536000000 (a year).', {
        pointer: '/advance_ms',
      });
    }
    if (freeze !== undefined && typeof freeze !== 'boolean') {
      throw badRequest('freeze must be true or false.', { pointer: '/freeze' });
    }
    if (freeze !== undefined) ctx.freezeClock(freeze);
    ctx.advanceClock(advance_ms);
    // What fell due meanwhile happens now, each at its own time.
    runDueTimers(ctx);
    return jsonResponse({ clock: ctx.iso(), frozen: ctx.clockFrozen() });
  });

  router.all('/sim/*', () => {
    throw notFound('No such simulator endpoint; GET /sim lists them.');
  });
  return router;
}
