// Calls when Telnyx misbehaves in ways a review found the bundle mishandled: an event that arrives
// before its leg's call.initiated, an outbound call placed without a flow, a Telnyx slower than the
// command timeout, an object cleaned up then written to again, a forward that fails after the 200,
// and odd call ids on GET /calls/{id}.
import Telnyx from 'telnyx';
import {
  createExecutionContext,
  runDurableObjectAlarm,
  runInDurableObject,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import worker from '../../workers/index';
import { save } from '../../workers/voice/connections/store';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import { signedHeaders } from '../support/webhooks';
import {
  OUR_NUMBER,
  callIn,
  callSessionStub,
  createFlow,
  edge,
  edgeCall,
  endedCall,
  eventually,
  executedAtSim,
  farEnd,
  receivedAt,
  resetVoice,
  simFault,
  timelineOf,
  waitingFor,
  type Json,
} from './call-support';

const APPLICATION = '1700000000000000002'; // the simulator's Call Control application
const CUSTOMER = '+12065550142'; // answers
const client = new Telnyx({ apiKey: TEST_ADMIN_TOKEN, baseURL: `${EDGE_URL}/v2`, maxRetries: 0 });

const DEFAULT_FLOW = {
  id: 'default',
  name: 'Default',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1 for our hours.' },
      timeout_secs: 20,
      retries: 0,
      options: { '1': 'hours' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    hours: { kind: 'speak', text: 'Nine to five.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};
const REMINDER = {
  id: 'reminder',
  name: 'Reminder',
  numbers: [],
  start: 'say',
  nodes: { say: { kind: 'speak', text: 'Your appointment is tomorrow.', next: 'bye' }, bye: { kind: 'hangup' } },
};

beforeEach(async () => {
  await resetVoice();
  await createFlow(DEFAULT_FLOW);
  await createFlow(REMINDER);
});

afterEach(async () => {
  await env.CONFIG.delete(`sip-connection:${APPLICATION}`);
});

async function postWebhook(body: string): Promise<{ status: number; text: string }> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(
    new Request(`${EDGE_URL}/webhooks/voice`, { method: 'POST', headers: signedHeaders(body), body }) as Request<
      unknown,
      IncomingRequestCfProperties
    >,
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: response.status, text: await response.text() };
}

describe('events before their leg is known', () => {
  it('a hangup delivered before call.initiated still ends the call; nothing is left active', async () => {
    await simFault({ target: 'webhooks', kind: 'reorder', count: 2 });
    const call = await callIn();
    await farEnd(call.call_control_id, 'hangup'); // initiated and hangup go out newest first
    const ended = await endedCall(call.call_session_id);
    expect(ended.record.outcome).toMatch(/caller hung up/);
    const events = timelineOf(ended, 'event').filter((e) => e.event_type === 'call.hangup');
    expect(events.some((e) => e.result === 'applied')).toBe(true);
    expect(ok(await edge('/calls/active'))).toEqual([]);
  });

  it("an outbound call's answer delivered before its initiated: the flow still runs", async () => {
    await simFault({ target: 'webhooks', kind: 'reorder', count: 2 });
    const { data: call } = await client.calls.dial({
      connection_id: APPLICATION,
      from: OUR_NUMBER,
      to: CUSTOMER,
      flow_id: 'reminder',
    } as Parameters<typeof client.calls.dial>[0] & { flow_id: string });
    const ended = await endedCall(call!.call_session_id!);
    expect(ended.record).toMatchObject({ outcome: 'completed', path: ['say', 'bye'] });
    expect(await executedAtSim(call!.call_control_id!)).toEqual(['speak', 'hangup']);
  });
});

describe('an outbound call placed without a flow', () => {
  it('runs no flow, not even the default one: it is the business own call, only recorded', async () => {
    const { data: call } = await client.calls.dial({ connection_id: APPLICATION, from: OUR_NUMBER, to: CUSTOMER });
    await eventually(async () => {
      const view = await edgeCall(call!.call_session_id!);
      expect(view.state.flow_source).toBe('dialled without a flow');
    });
    await farEnd(call!.call_control_id!, 'hangup').catch(() => undefined); // ends it, whoever hangs up
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await executedAtSim(call!.call_control_id!)).toEqual([]);
  });
});

describe('a slow Telnyx', () => {
  it('a command unanswered three times over is sent again with its command_id, not turned into a hangup', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await simFault({
      target: 'api',
      kind: 'slow',
      count: 3,
      delay_ms: 700,
      path: `/v2/calls/${encodeURIComponent(call.call_control_id)}/actions/`,
    });
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const ended = await endedCall(call.call_session_id, 20_000);
    expect(ended.record).toMatchObject({ outcome: 'completed', path: ['greet', 'menu', 'hours', 'bye'] });
    // The speak went unanswered at first: the timeline shows it sent again later, not given up on.
    const speaks = timelineOf(ended, 'command').filter((c) => c.action === 'speak');
    expect(speaks[0].result).toMatch(/^no answer .*sending again/);
    expect(speaks.filter((c) => /^failed/.test(c.result))).toEqual([]);
    expect(new Set(speaks.map((c) => c.command_id)).size).toBe(1);
    // The speak was carried out once (its copies were duplicates), and the flow went on to its end.
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'gather_using_speak', 'speak', 'hangup']);
  }, 40_000);
});

describe('a slow Telnyx at the start of a call', () => {
  it('an answer unanswered three times over holds the commands behind it: the speak does not overtake it', async () => {
    // The first three requests to any call: the answer's three quick sendings, each unanswered.
    await simFault({ target: 'api', kind: 'slow', count: 3, delay_ms: 700, path: '/v2/calls/' });
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits', 20_000);
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const ended = await endedCall(call.call_session_id, 20_000);
    expect(ended.record).toMatchObject({ outcome: 'completed', path: ['greet', 'menu', 'hours', 'bye'] });
    const commands = timelineOf(ended, 'command');
    expect(commands[0]).toMatchObject({
      action: 'answer',
      result: expect.stringMatching(/^no answer .*sending again/),
    });
    expect(commands.filter((c) => /^failed/.test(c.result))).toEqual([]);
    // Nothing went out between the answer's first try and its resend.
    expect(commands.slice(0, 2).map((c) => c.action)).toEqual(['answer', 'answer']);
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'gather_using_speak', 'speak', 'hangup']);
  }, 40_000);
});

describe('storage', () => {
  it('after the cleanup the same object takes a late event and answers GET, without a 500', async () => {
    const call = await callIn();
    await farEnd(call.call_control_id, 'hangup');
    await endedCall(call.call_session_id);
    const stub = callSessionStub(call.call_session_id);
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec("UPDATE kv SET value = '1' WHERE key = 'cleanup_at'");
      await state.storage.setAlarm(Date.now() + 60_000); // run below, by hand
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const late = await stub.receiveEvent({
      id: crypto.randomUUID(),
      sessionId: call.call_session_id,
      eventType: 'call.dtmf.received',
      occurredAt: new Date().toISOString(),
      body: '{}',
      arrivedAt: Date.now(),
    });
    expect(late).toEqual({ duplicate: false });
    expect((await edge(`/calls/${encodeURIComponent(call.call_session_id)}`)).status).toBe(200);
  });

  /** A call Telnyx goes silent on after call.initiated, 48 hours on: its cleanup is due. */
  /** A call whose webhooks no longer reach the bundle, after its call.initiated (delivered by hand). */
  async function silentCall() {
    await simFault({ target: 'webhooks', kind: 'drop', count: 1000 }); // nothing reaches the bundle now
    const call = await callIn();
    // Only call.initiated, delivered by hand: the call is answered, then Telnyx goes silent.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stub = callSessionStub(call.call_session_id);
    await stub.receiveEvent({
      id: crypto.randomUUID(),
      sessionId: call.call_session_id,
      eventType: 'call.initiated',
      occurredAt: new Date().toISOString(),
      body: JSON.stringify({
        data: {
          event_type: 'call.initiated',
          payload: {
            call_control_id: call.call_control_id,
            call_leg_id: call.call_leg_id,
            call_session_id: call.call_session_id,
            connection_id: APPLICATION,
            direction: 'incoming',
            from: '+12065550123',
            to: OUR_NUMBER,
          },
        },
      }),
      arrivedAt: Date.now(),
    });
    await stub.settle();
    return { call, stub };
  }

  async function callPastItsLifetime() {
    const { call, stub } = await silentCall();
    const cleanupAt = await runInDurableObject(stub, (_instance, state) =>
      Number(
        (state.storage.sql.exec("SELECT value FROM kv WHERE key = 'cleanup_at'").toArray()[0] as { value: string })
          .value,
      ),
    );
    expect(cleanupAt).toBeGreaterThan(Date.now() + 47 * 3600_000); // 48 h after the call began
    await runInDurableObject(stub, async (_instance, state) => {
      state.storage.sql.exec("UPDATE kv SET value = '1' WHERE key = 'cleanup_at'");
      state.storage.sql.exec("UPDATE tasks SET state = 'done' WHERE state = 'pending'");
      await state.storage.setAlarm(Date.now() + 60_000); // run below, by hand
    });
    return { call, stub };
  }

  it('a call whose hangup never comes is recorded as unfinished and cleared in the end', async () => {
    const { call, stub } = await callPastItsLifetime();
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    const row = await env.DB.prepare('SELECT status, outcome FROM calls WHERE session_id = ?')
      .bind(call.call_session_id)
      .first();
    expect(row).toEqual({ status: 'ended', outcome: 'unfinished: no hangup was received' });
    expect(ok(await edge('/calls/active'))).toEqual([]);
  });

  it('when D1 refuses that last record, the call is kept until a retry writes it, then cleared', async () => {
    const { call, stub } = await callPastItsLifetime();
    await env.DB.exec('ALTER TABLE calls RENAME TO calls_away');
    try {
      expect(await runDurableObjectAlarm(stub)).toBe(true);
      // Not cleared: the call is still there to be recorded, and to be read while D1 is down.
      expect((await edge(`/calls/${encodeURIComponent(call.call_session_id)}`)).status).toBe(200);
    } finally {
      await env.DB.exec('ALTER TABLE calls_away RENAME TO calls');
    }
    await runInDurableObject(stub, async (_instance, state) => {
      const retries = JSON.parse(
        (state.storage.sql.exec("SELECT value FROM kv WHERE key = 'retries'").toArray()[0] as { value: string }).value,
      ) as Array<{ at: number; task: { type: string } }>;
      expect(retries.map((r) => r.task.type)).toEqual(['record']);
      state.storage.sql.exec(
        "UPDATE kv SET value = ? WHERE key = 'retries'",
        JSON.stringify(retries.map((r) => ({ ...r, at: 1 }))),
      );
      await state.storage.setAlarm(Date.now() + 60_000); // run below, by hand
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true); // the record is written
    const row = await env.DB.prepare('SELECT status, outcome FROM calls WHERE session_id = ?')
      .bind(call.call_session_id)
      .first();
    expect(row).toEqual({ status: 'ended', outcome: 'unfinished: no hangup was received' });
    await runInDurableObject(stub, (_instance, state) => state.storage.setAlarm(Date.now() + 60_000));
    await runDurableObjectAlarm(stub); // and the call's storage is cleared (D1 keeps its record)
    const tables = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'call'").toArray(),
    );
    expect(tables).toEqual([]);
    // Forgotten by its object, the call is only in D1: with D1 down, 503 (not a 404, not a 500).
    await env.DB.exec('ALTER TABLE calls RENAME TO calls_away');
    try {
      const answer = await edge(`/calls/${encodeURIComponent(call.call_session_id)}`);
      expect(answer.status).toBe(503);
      expect(answer.body.errors[0].title).toBe('Records unavailable');
    } finally {
      await env.DB.exec('ALTER TABLE calls_away RENAME TO calls');
    }
  });

  it('an answer and a hangup both waiting: the answer (which happened first) is taken first, for the record', async () => {
    const { call, stub } = await silentCall();
    const at = Date.now();
    const event = (type: string, offsetMs: number) => ({
      id: crypto.randomUUID(),
      type,
      occurred: new Date(at + offsetMs).toISOString(),
      body: JSON.stringify({
        data: {
          event_type: type,
          occurred_at: new Date(at + offsetMs).toISOString(),
          payload: {
            call_control_id: call.call_control_id,
            call_leg_id: call.call_leg_id,
            call_session_id: call.call_session_id,
            hangup_cause: 'normal_clearing',
            hangup_source: 'caller',
          },
        },
      }),
    });
    // Both stored before the call's object gets to them (as when Telnyx delivers them together).
    await runInDurableObject(stub, (_instance, state) => {
      for (const e of [event('call.hangup', 900), event('call.answered', 100)]) {
        state.storage.sql.exec(
          "INSERT INTO events (event_id, event_type, occurred_at, received_at, body, state) VALUES (?, ?, ?, ?, ?, 'pending')",
          e.id,
          e.type,
          e.occurred,
          Date.now(),
          e.body,
        );
      }
    });
    await stub.settle();
    const view = await edgeCall(call.call_session_id);
    const taken = timelineOf(view, 'event').filter((e) => /call\.(answered|hangup)/.test(String(e.event_type ?? '')));
    expect(taken.map((e) => [e.event_type, e.result])).toEqual([
      ['call.answered', 'applied'],
      ['call.hangup', 'applied'],
    ]);
    expect(view.state.legs[0].answered_at).not.toBeNull();
    expect(view.record.answered_at).not.toBeNull();
  });

  it('GET /calls with an odd id is a 404 in Telnyx shape and makes no Durable Object storage', async () => {
    for (const id of ['%E0%A4%A', 'x'.repeat(300), 'a%20b', '%00']) {
      const answer = await edge(`/calls/${id}`);
      expect(answer.status, id.slice(0, 20)).toBe(404);
      expect(answer.body.errors[0].code).toBe('10005');
    }
    const id = `never-a-call-${crypto.randomUUID()}`;
    expect((await edge(`/calls/${id}`)).status).toBe(404);
    const tables = await runInDurableObject(callSessionStub(id), (_instance, state) =>
      state.storage.sql.exec("SELECT name FROM sqlite_master WHERE type = 'table'").toArray(),
    );
    expect(tables.filter((t) => !String((t as { name: string }).name).startsWith('_cf'))).toEqual([]);
  });
});

describe('GET /calls/active', () => {
  it('pages in D1 with Telnyx meta, newest first', async () => {
    const calls = [];
    for (const from of ['+12065550111', '+12065550112', '+12065550113']) {
      const call = await callIn(from);
      await waitingFor(call.call_session_id, 'digits');
      calls.push(call);
    }
    const first = await edge('/calls/active?page[size]=2');
    expect(first.body.meta).toEqual({ page_number: 1, page_size: 2, total_pages: 2, total_results: 3 });
    const second = await edge('/calls/active?page[size]=2&page[number]=2');
    const ids = [...first.body.data, ...second.body.data].map((c: Json) => c.session_id);
    expect(new Set(ids)).toEqual(new Set(calls.map((c) => c.call_session_id)));
    expect(ids[0]).toBe(calls[2]!.call_session_id); // the newest
    expect((await edge('/calls/active?page[size]=0')).status).toBe(400);
  });
});

describe('forwarding to the connection', () => {
  it('an event too big to forward is answered 200 both times (the failure stays off the webhook); the call events are forwarded', async () => {
    await save(
      env.CONFIG,
      'connection',
      APPLICATION,
      {
        type: 'credential',
        data: { id: APPLICATION, record_type: 'call_control_application' },
        edge: { flow_id: null, forward_url: 'https://crm.receiver.test/telnyx' },
        v1: {},
        registration: null,
      } as never,
      'edge',
    );
    // Over the queue's 120 KiB message limit: the forward can never be queued.
    const big = JSON.stringify({
      data: {
        record_type: 'event',
        id: crypto.randomUUID(),
        event_type: 'call.dtmf.received',
        occurred_at: new Date().toISOString(),
        payload: {
          call_control_id: 'v3:big',
          call_session_id: `big-${crypto.randomUUID()}`,
          connection_id: APPLICATION,
          pad: 'x'.repeat(130_000),
        },
      },
    });
    expect((await postWebhook(big)).status).toBe(200);
    expect((await postWebhook(big)).status).toBe(200); // and its redelivery: a duplicate
    // A normal call on the same connection is forwarded event by event.
    const call = await callIn();
    await farEnd(call.call_control_id, 'hangup');
    await endedCall(call.call_session_id);
    const forwarded = await eventually(async () => {
      const got = await receivedAt('crm.receiver.test');
      expect(got.length).toBeGreaterThanOrEqual(2);
      return got;
    });
    expect(forwarded.every((r: Json) => JSON.parse(r.body).data.payload.call_session_id === call.call_session_id)).toBe(
      true,
    );
  });
});

function ok(answer: { status: number; body: Json }): Json {
  expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(300);
  return answer.body.data;
}
