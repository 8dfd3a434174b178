// The voice webhook routes (/webhooks/voice and /webhooks/voice/failover) end to end:
//   - a forged or tampered delivery is 401 and leaves nothing behind: no D1 row, no CallSession,
//     no call record, nothing commanded;
//   - the call events of a connection whose `edge.forward_url` is set are forwarded to that URL,
//     each once (also when Telnyx delivers them twice), exactly as Telnyx sent them, signed with
//     Standard Webhooks; the call itself still runs its flow;
//   - a signed event that names no call, or a body that is no event at all, is kept in D1
//     (`no_call`, `quarantined`) and acknowledged, and reaches no CallSession.
import { createExecutionContext, listDurableObjectIds, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyStandardWebhook } from '../../shared/forward';
import worker from '../../workers/index';
import { save } from '../../workers/voice/connections/store';
import { strangerKey } from '../support/keys';
import { EDGE_URL } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import { signedHeaders } from '../support/webhooks';
import {
  OUR_NUMBER,
  callIn,
  createFlow,
  edge,
  endedCall,
  eventually,
  executedAtSim,
  farEnd,
  receivedAt,
  resetVoice,
  simCall,
  simFault,
  simRequests,
  waitingFor,
  type Json,
} from './call-support';

/** The simulator's seeded Call Control application: every call event carries its id. */
const APPLICATION = '1700000000000000002';
const FORWARD_URL = 'https://crm.receiver.test/telnyx-calls';

const FLOW = {
  id: 'main',
  name: 'Main line',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1 to hear our hours.' },
      timeout_secs: 5,
      retries: 0,
      options: { '1': 'hours' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    hours: { kind: 'speak', text: 'Nine to five.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

/** A call event as Telnyx sends it (the envelope and the fields the bundle reads). */
function callEvent(overrides: { id?: string; event_type?: string; payload?: Json } = {}): string {
  return JSON.stringify({
    data: {
      record_type: 'event',
      id: overrides.id ?? crypto.randomUUID(),
      event_type: overrides.event_type ?? 'call.initiated',
      occurred_at: new Date().toISOString(),
      payload: overrides.payload ?? {
        call_control_id: 'v3:forged-leg',
        call_leg_id: 'forged-leg-id',
        call_session_id: 'forged-session',
        connection_id: APPLICATION,
        direction: 'incoming',
        from: '+12065550123',
        to: OUR_NUMBER,
        state: 'parked',
      },
    },
    meta: { attempt: 1, delivered_to: `${EDGE_URL}/webhooks/voice` },
  });
}

/** A POST to a webhook route, as Telnyx would make it, with its waitUntil work finished. */
async function postWebhook(path: string, body: string, headers: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}${path}`, { method: 'POST', headers, body }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return response;
}

async function voiceRows(): Promise<Json[]> {
  const { results } = await env.DB.prepare(
    "SELECT event_id, event_type, path, state, body FROM webhook_events WHERE source = 'voice' ORDER BY received_at",
  ).all();
  return results;
}

beforeEach(async () => {
  await resetVoice();
  await env.DB.exec("DELETE FROM webhook_events WHERE source = 'voice'");
});

afterEach(async () => {
  await env.CONFIG.delete(`sip-connection:${APPLICATION}`);
});

describe('forged and tampered deliveries', () => {
  it.each(['/webhooks/voice', '/webhooks/voice/failover'])(
    '%s: signed with a key the edge does not trust: 401, nothing stored, no session, nothing commanded',
    async (path) => {
      const sessionsBefore = (await listDurableObjectIds(env.CALL_SESSION)).length;
      const body = callEvent();
      const response = await postWebhook(path, body, signedHeaders(body, { secretKey: strangerKey.secretKey }));
      expect(response.status).toBe(401);
      expect((await response.json()) as Json).toMatchObject({
        errors: [expect.objectContaining({ code: expect.any(String) })],
      });

      expect(await voiceRows()).toEqual([]);
      expect((await listDurableObjectIds(env.CALL_SESSION)).length).toBe(sessionsBefore);
      expect((await edge('/calls/forged-session')).status).toBe(404);
      expect(await simRequests('/v2/')).toEqual([]);
    },
  );

  it('a genuine signature over a different body (the caller number changed): 401, nothing stored', async () => {
    const genuine = callEvent();
    const headers = signedHeaders(genuine);
    const tampered = genuine.replace('+12065550123', '+12065550666');
    expect(tampered).not.toBe(genuine);
    const response = await postWebhook('/webhooks/voice', tampered, headers);
    expect(response.status).toBe(401);
    expect(await voiceRows()).toEqual([]);
    expect((await edge('/calls/forged-session')).status).toBe(404);
    expect(await simRequests('/v2/')).toEqual([]);
  });

  it('no signature at all: 401', async () => {
    const body = callEvent();
    const response = await postWebhook('/webhooks/voice', body, { 'content-type': 'application/json' });
    expect(response.status).toBe(401);
    expect(await voiceRows()).toEqual([]);
  });
});

describe('forwarding a connection’s call events to its edge.forward_url', () => {
  /** The application's routing in the edge's connection store: forward its calls' events. */
  async function routeToCrm(): Promise<void> {
    await save(
      env.CONFIG,
      'connection',
      APPLICATION,
      {
        type: 'credential',
        data: { id: APPLICATION, record_type: 'call_control_application' },
        edge: { flow_id: null, forward_url: FORWARD_URL },
        v1: {},
        registration: null,
      },
      'edge',
    );
  }

  /** The ids of the call's events the simulator delivered to the bundle. */
  async function deliveredEventIds(callControlId: string): Promise<string[]> {
    return (await simCall(callControlId)).timeline
      .filter((r) => r.kind === 'event' && r.delivery === 'delivered')
      .map((r) => r.detail.event_id as string);
  }

  it('every event of the call, once each, as Telnyx sent it, signed; the call runs its flow meanwhile', async () => {
    await routeToCrm();
    await createFlow(FLOW);
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const { record } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['greet', 'menu', 'hours', 'bye'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'gather_using_speak', 'speak', 'hangup']);

    const delivered = await deliveredEventIds(call.call_control_id);
    expect(delivered.length).toBeGreaterThanOrEqual(6);
    const forwarded = await eventually(async () => {
      const got = await receivedAt('crm.receiver.test');
      expect(got).toHaveLength(delivered.length);
      return got;
    }, 10_000);

    const bodies = forwarded.map((f) => JSON.parse(f.body));
    expect(new Set(bodies.map((b) => b.data.id))).toEqual(new Set(delivered));
    const rows = new Map((await voiceRows()).map((r) => [r.event_id, r]));
    for (const f of forwarded) {
      expect(f.url).toBe(FORWARD_URL);
      const id = JSON.parse(f.body).data.id as string;
      expect(f.headers['webhook-id']).toBe(id);
      const verified = await verifyStandardWebhook(
        env.FORWARD_SIGNING_SECRET,
        f.headers,
        f.body,
        Math.floor(Date.now() / 1000),
      );
      expect(verified.ok, JSON.stringify(verified)).toBe(true);
      // Call events go to the call's session, not to the D1 inbox.
      expect(rows.has(id)).toBe(false);
    }
    const types = bodies.map((b) => b.data.event_type);
    expect(types).toEqual(
      expect.arrayContaining(['call.initiated', 'call.answered', 'call.gather.ended', 'call.hangup']),
    );
    expect(bodies.every((b) => b.data.payload.call_session_id === call.call_session_id)).toBe(true);
  }, 20_000);

  it('events Telnyx delivers twice are forwarded once each', async () => {
    await routeToCrm();
    await createFlow(FLOW);
    await simFault({ target: 'webhooks', kind: 'duplicate', count: 1000 });
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'hangup');
    await endedCall(call.call_session_id);
    const delivered = new Set(await deliveredEventIds(call.call_control_id));

    const forwarded = await eventually(async () => {
      const got = await receivedAt('crm.receiver.test');
      expect(got).toHaveLength(delivered.size);
      return got;
    }, 10_000);
    const ids = forwarded.map((f) => JSON.parse(f.body).data.id as string);
    expect(new Set(ids)).toEqual(delivered);
    expect(new Set(ids).size).toBe(ids.length);
  }, 20_000);

  it('a call before the connection had a forward_url forwards nothing; one after it does', async () => {
    await createFlow(FLOW);
    const before = await callIn();
    await waitingFor(before.call_session_id, 'digits');
    await farEnd(before.call_control_id, 'hangup');
    await endedCall(before.call_session_id);

    await routeToCrm();
    const after = await callIn();
    await waitingFor(after.call_session_id, 'digits');
    await farEnd(after.call_control_id, 'hangup');
    await endedCall(after.call_session_id);
    const delivered = new Set(await deliveredEventIds(after.call_control_id));
    const forwarded = await eventually(async () => {
      const got = await receivedAt('crm.receiver.test');
      expect(got.length).toBeGreaterThanOrEqual(delivered.size);
      return got;
    }, 10_000);
    // Only the second call's events, though the first call's went through the same queue earlier.
    const sessions = forwarded.map((f) => JSON.parse(f.body).data.payload.call_session_id);
    expect(new Set(sessions)).toEqual(new Set([after.call_session_id]));
    expect(new Set(forwarded.map((f) => JSON.parse(f.body).data.id))).toEqual(delivered);
  }, 20_000);
});

describe('signed bodies that are not call events', () => {
  it.each(['/webhooks/voice', '/webhooks/voice/failover'])(
    '%s: an event that names no call is stored as no_call and acknowledged; no session',
    async (path) => {
      const sessionsBefore = (await listDurableObjectIds(env.CALL_SESSION)).length;
      const id = crypto.randomUUID();
      const body = callEvent({
        id,
        event_type: 'call.conference.created',
        payload: { conference_id: 'conf-1', connection_id: APPLICATION },
      });
      const response = await postWebhook(path, body, signedHeaders(body));
      expect(response.status).toBe(200);
      expect(await voiceRows()).toEqual([
        { event_id: id, event_type: 'call.conference.created', path, state: 'no_call', body },
      ]);
      expect((await listDurableObjectIds(env.CALL_SESSION)).length).toBe(sessionsBefore);
      expect(await simRequests('/v2/')).toEqual([]);

      // Delivered again (Telnyx retrying): still one row.
      expect((await postWebhook(path, body, signedHeaders(body))).status).toBe(200);
      expect(await voiceRows()).toHaveLength(1);
    },
  );

  it('a signed body that is no Telnyx event at all is quarantined and acknowledged', async () => {
    const body = 'this is not JSON';
    const response = await postWebhook('/webhooks/voice', body, signedHeaders(body));
    expect(response.status).toBe(200);
    const rows = await voiceRows();
    expect(rows).toEqual([
      expect.objectContaining({ event_id: expect.stringMatching(/^unparsed:[0-9a-f]{64}$/), state: 'quarantined' }),
    ]);
    expect(rows[0].event_type).toBeNull();
  });

  it('a call event with an empty call_session_id is kept as no_call, not given a session', async () => {
    const body = callEvent({
      event_type: 'call.hangup',
      payload: { call_control_id: 'v3:x', call_session_id: '', connection_id: APPLICATION },
    });
    const response = await postWebhook('/webhooks/voice', body, signedHeaders(body));
    expect(response.status).toBe(200);
    expect((await voiceRows()).map((r) => r.state)).toEqual(['no_call']);
  });
});
