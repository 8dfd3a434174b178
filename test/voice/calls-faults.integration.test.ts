// Calls end to end under faults, through the simulator:
//   - every call webhook delivered twice (same event id): each command still reaches Telnyx once,
//     the flow ends as without the fault, the duplicates are in the call's timeline as such;
//   - events reordered (a gather's result before its digit; a transfer's answer after its bridge):
//     the same result;
//   - the CallSession evicted mid-call (abortAllDurableObjects: its in-memory state gone): the call
//     continues from storage; a command in flight at the eviction is sent again by the alarm with
//     the command_id stored before it left, and one Telnyx had already acted on is a duplicate there;
//   - a command Telnyx fails (500 before acting, 500 after acting, an answer slower than 500 ms):
//     resent with the same command_id, carried out once.
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ANSWERS,
  OUR_NUMBER,
  actionPath,
  callIn,
  callSessionStub,
  commandRowsAtSim,
  createFlow,
  edgeCall,
  endedCall,
  eventually,
  executedAtSim,
  farEnd,
  legTo,
  resetVoice,
  simCall,
  simClock,
  simFault,
  simRequests,
  timelineOf,
  waitingFor,
  type Json,
} from './call-support';
import { testEnv as env } from '../support/test-env';
import { flowKey } from '../../workers/voice/flows/store';

const FLOW = {
  id: 'main',
  name: 'Main line',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'welcome' },
    welcome: { kind: 'speak', text: 'Welcome to Acme.', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1 for sales, 2 for our hours.' },
      timeout_secs: 5,
      retries: 0,
      options: { '1': 'sales', '2': 'hours' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    sales: { kind: 'transfer', to: ANSWERS, ring_timeout_secs: 10, on_no_answer: 'bye' },
    hours: { kind: 'speak', text: 'We are open nine to five.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

const HOURS_PATH = ['greet', 'welcome', 'menu', 'hours', 'bye'];
const HOURS_COMMANDS = ['answer', 'speak', 'gather_using_speak', 'speak', 'hangup'];

beforeEach(async () => {
  await resetVoice();
  await createFlow(FLOW);
});

/** Every Call Control request the simulator got for this call's legs; none of them failed. */
async function actionRequests(callControlId: string): Promise<Json[]> {
  return simRequests(`/v2/calls/${encodeURIComponent(callControlId)}/actions/`);
}

/** The bridged call, as the bundle sees it. */
async function bridged(sessionId: string): Promise<Json> {
  return eventually(async () => {
    const view = await edgeCall(sessionId);
    expect(view.state.status).toBe('bridged');
    return view;
  });
}

describe('duplicated and reordered webhooks', () => {
  it('every event delivered twice: each command reaches Telnyx once; the same path and outcome', async () => {
    await simFault({ target: 'webhooks', kind: 'duplicate', count: 1000 });
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '2' });
    const view = await endedCall(call.call_session_id);

    expect(view.record).toMatchObject({ outcome: 'completed', path: HOURS_PATH });
    const rows = await commandRowsAtSim(call.call_control_id);
    expect(rows.map((r) => r.name)).toEqual(HOURS_COMMANDS);
    expect(rows.filter((r) => r.duplicate)).toEqual([]);
    const requests = await actionRequests(call.call_control_id);
    expect(requests).toHaveLength(HOURS_COMMANDS.length);
    expect(requests.every((r) => r.status === 200 && r.note === null)).toBe(true);

    // Each event reached the bundle twice and was acted on once: the second copy is recorded as a
    // duplicate delivery, and the engine saw each event id once. The last event's second copy may
    // still be on its way when the call has ended, hence the wait.
    await eventually(async () => {
      const events = timelineOf(await edgeCall(call.call_session_id), 'event');
      const duplicates = events.filter((e) => e.result === 'duplicate delivery');
      const acted = events.filter((e) => e.event_id !== undefined && e.result !== 'duplicate delivery');
      expect(new Set(acted.map((e) => e.event_id)).size).toBe(acted.length);
      expect(duplicates.length).toBeGreaterThanOrEqual(5); // initiated, answered, speak ended, gather ended, hangup
      expect(new Set(duplicates.map((e) => e.event_id))).toEqual(new Set(acted.map((e) => e.event_id)));
    });
  });

  it('a digit’s call.gather.ended delivered before its call.dtmf.received: the same branch, each command once', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    // The digit makes two events at once (dtmf.received, then gather.ended): they go out newest first.
    await simFault({ target: 'webhooks', kind: 'reorder', count: 2 });
    await farEnd(call.call_control_id, 'dtmf', { digits: '2' });
    const view = await endedCall(call.call_session_id);

    expect(view.record).toMatchObject({ outcome: 'completed', path: HOURS_PATH });
    expect(await executedAtSim(call.call_control_id)).toEqual(HOURS_COMMANDS);
    expect((await actionRequests(call.call_control_id)).every((r) => r.note === null)).toBe(true);
    const arrived = timelineOf(view, 'event')
      .filter((e) => e.event_type === 'call.gather.ended' || e.event_type === 'call.dtmf.received')
      .map((e) => e.event_type);
    expect(arrived).toEqual(['call.gather.ended', 'call.dtmf.received']);
  });

  it('a transfer’s call.answered arriving after both call.bridged: bridged once, nothing commanded twice', async () => {
    // Telnyx's clock stands still, so the new leg rings until the test lets it answer.
    await simClock({ freeze: true });
    const call = await callIn();
    // The welcome plays once Telnyx has it, then the menu's prompt starts.
    await eventually(async () => expect(await executedAtSim(call.call_control_id)).toContain('speak'));
    await simClock({ advance_ms: 100 });
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    await waitingFor(call.call_session_id, 'transfer');
    await legTo(call.call_control_id, ANSWERS);
    // It answers: call.answered (new leg), call.bridged (caller), call.bridged (new leg), newest first.
    await simFault({ target: 'webhooks', kind: 'reorder', count: 3 });
    await simClock({ advance_ms: 100 });
    // Released newest first, a millisecond apart: the clock moves on a little to send them all.
    await simClock({ advance_ms: 5 });
    const view = await bridged(call.call_session_id);

    expect(view.state).toMatchObject({ outcome: 'transferred', path: ['greet', 'welcome', 'menu', 'sales'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak', 'transfer']);
    const order = timelineOf(view, 'event')
      .filter((e) => ['call.answered', 'call.bridged'].includes(e.event_type) && e.leg !== call.call_control_id)
      .map((e) => `${e.event_type} ${e.result}`);
    // The new leg's bridge came first; its late answer changed nothing.
    expect(order).toEqual(['call.bridged applied', 'call.answered ignored: leg already bridged']);
    expect(view.state.legs.find((l: Json) => l.role === 'transfer')).toMatchObject({ state: 'bridged' });
  });
});

describe('the CallSession evicted mid-call', () => {
  it('waiting at the menu: a new instance reads the call from storage and the call goes on', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    const stub = callSessionStub(call.call_session_id);
    // A mark on the instance in memory, to tell it from the one after the eviction.
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { mark?: number }).mark = 1;
    });
    await abortAllDurableObjects();

    // Stubs do not outlive the eviction either: a fresh one reaches the new instance.
    const after = await runInDurableObject(callSessionStub(call.call_session_id), (instance, state) => ({
      mark: (instance as unknown as { mark?: number }).mark,
      stored: JSON.parse(state.storage.sql.exec<{ state: string }>('SELECT state FROM call').one().state),
      pending: state.storage.sql.exec("SELECT 1 FROM tasks WHERE state = 'pending'").toArray().length,
    }));
    expect(after.mark).toBeUndefined(); // a new instance
    expect(after.stored).toMatchObject({ node: 'menu', waiting: { for: 'digits' }, status: 'in_flow' });
    expect(after.pending).toBe(0);

    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const view = await bridged(call.call_session_id);
    expect(view.state).toMatchObject({ outcome: 'transferred', path: ['greet', 'welcome', 'menu', 'sales'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak', 'transfer']);
    // The timeline from before the eviction is still there, in order.
    expect(timelineOf(view, 'step').map((s) => s.node)).toEqual(['greet', 'welcome', 'menu', 'sales']);
  });

  /** The call's command tasks for `action`, as stored. */
  async function storedCommands(sessionId: string, action: string): Promise<Json[]> {
    return runInDurableObject(callSessionStub(sessionId), (_instance, state) =>
      state.storage.sql
        .exec<{ state: string; payload: string }>(
          "SELECT state, payload FROM tasks WHERE type = 'command' ORDER BY seq",
        )
        .toArray()
        .map((t) => ({ state: t.state, ...JSON.parse(t.payload) }))
        .filter((t) => t.action === action),
    );
  }

  it('while a command was on its way: the alarm sends it again with the command_id stored before it left', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    const transfer = actionPath(call.call_control_id, 'transfer');
    // Telnyx takes 1.5 s over the transfer: it is still in flight when the objects go. (Every
    // object in the test's runtime goes, the simulated Telnyx's too, so that request is lost.)
    await simFault({ target: 'api', kind: 'slow', count: 1, delay_ms: 1500, path: transfer });
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    await waitingFor(call.call_session_id, 'transfer');
    const before = await storedCommands(call.call_session_id, 'transfer');
    expect(before).toEqual([expect.objectContaining({ state: 'pending', command_id: expect.any(String) })]);
    await abortAllDurableObjects();

    // The safety alarm (armed when the event came in) resumes the pending command.
    expect(await runDurableObjectAlarm(callSessionStub(call.call_session_id))).toBe(true);
    const view = await bridged(call.call_session_id);
    expect(view.state.path).toEqual(['greet', 'welcome', 'menu', 'sales']);
    expect(await storedCommands(call.call_session_id, 'transfer')).toEqual([
      expect.objectContaining({ state: 'done', command_id: before[0].command_id }),
    ]);
    const rows = (await commandRowsAtSim(call.call_control_id)).filter((r) => r.name === 'transfer');
    expect(rows).toEqual([
      { name: 'transfer', leg: call.call_control_id, command_id: before[0].command_id, duplicate: false },
    ]);
    expect((await simRequests(transfer)).map((r) => r.status)).toEqual([200]);
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak', 'transfer']);
  });

  it('after Telnyx acted but before the answer was stored: the resend is a duplicate at Telnyx, one transfer', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    await bridged(call.call_session_id);
    const [sent] = await storedCommands(call.call_session_id, 'transfer');
    // As the object would have left it had it stopped with the answer on its way back: the
    // command still pending. Then it stops.
    await runInDurableObject(callSessionStub(call.call_session_id), async (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE tasks SET state = 'pending', result = NULL, done_at = NULL WHERE type = 'command' AND payload LIKE ?",
        '%"action":"transfer"%',
      );
      await state.storage.setAlarm(Date.now() + 10_000);
    });
    await abortAllDurableObjects();

    expect(await runDurableObjectAlarm(callSessionStub(call.call_session_id))).toBe(true);
    const rows = await eventually(async () => {
      const all = (await commandRowsAtSim(call.call_control_id)).filter((r) => r.name === 'transfer');
      expect(all).toHaveLength(2);
      return all;
    });
    expect(rows.map((r) => [r.command_id, r.duplicate])).toEqual([
      [sent.command_id, false],
      [sent.command_id, true],
    ]);
    expect((await simRequests(actionPath(call.call_control_id, 'transfer'))).map((r) => r.note)).toEqual([
      null,
      'duplicate',
    ]);
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak', 'transfer']);
    const view = await edgeCall(call.call_session_id);
    expect(view.state).toMatchObject({ status: 'bridged', outcome: 'transferred' });
    const legs = (await simCall(call.call_control_id)).legs.map((l: Json) => l.to);
    expect(legs.filter((to) => to === ANSWERS)).toHaveLength(1);
  });
});

describe('a flow lookup that fails (KV unreadable)', () => {
  /** Makes the stored flow unreadable: KV's JSON parse throws, as a failing KV read would. */
  const breakFlow = () => env.CONFIG.put(flowKey(FLOW.id), '{ not json');
  const mendFlow = () => env.CONFIG.put(flowKey(FLOW.id), JSON.stringify(storedFlow));
  let storedFlow: unknown;

  beforeEach(async () => {
    storedFlow = await env.CONFIG.get(flowKey(FLOW.id), 'json');
  });

  it('is tried again, and the call goes on once the flow can be read', async () => {
    await breakFlow();
    const call = await callIn();
    const stub = callSessionStub(call.call_session_id);
    // The first lookup fails; the call rings on, waiting for the next.
    await eventually(async () => {
      const tasks = await runInDurableObject(stub, (_instance, state) =>
        state.storage.sql.exec<{ state: string }>("SELECT state FROM tasks WHERE type = 'resolve_flow'").toArray(),
      );
      expect(tasks.map((t) => t.state)).toEqual(['failed']);
    });
    await mendFlow();
    await waitingFor(call.call_session_id, 'digits', 10_000);
    await farEnd(call.call_control_id, 'dtmf', { digits: '2' });
    const view = await endedCall(call.call_session_id);
    expect(view.record).toMatchObject({ outcome: 'completed', path: HOURS_PATH });
  }, 20_000);

  it('three failures: the call is refused within seconds, not left ringing', async () => {
    await breakFlow();
    const started = Date.now();
    const call = await callIn();
    const view = await endedCall(call.call_session_id, 15_000);
    expect(view.record.outcome).toBe('rejected: no flow');
    expect(Date.now() - started).toBeLessThan(15_000);
    const inputs = timelineOf(view, 'event').map((e) => String(e.input ?? ''));
    expect(inputs).toContain('flow: none (lookup failed)');
    await mendFlow();
  }, 20_000);
});

describe('a command Telnyx fails is resent with the same command_id and carried out once', () => {
  it('500 before acting (the first command, answer): resent, carried out once, the call goes on', async () => {
    await simFault({ target: 'api', kind: '500', count: 1, path: '/v2/calls/' });
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '2' });
    const view = await endedCall(call.call_session_id);
    expect(view.record).toMatchObject({ outcome: 'completed', path: HOURS_PATH });

    const answers = await simRequests(actionPath(call.call_control_id, 'answer'));
    expect(answers.map((r) => [r.status, r.fault])).toEqual([
      [500, '500'],
      [200, null],
    ]);
    expect(await executedAtSim(call.call_control_id)).toEqual(HOURS_COMMANDS);
    // The bundle sent it as one command: one command_id, the one Telnyx carried out.
    const answered = timelineOf(view, 'command').filter((c) => c.action === 'answer');
    expect(answered).toEqual([expect.objectContaining({ result: 'ok' })]);
    const atSim = (await commandRowsAtSim(call.call_control_id)).filter((r) => r.name === 'answer');
    expect(atSim.map((r) => r.command_id)).toEqual([answered[0].command_id]);
  });

  it('500 after acting (the transfer): the resend is recognised as a duplicate, one transfer', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    const path = actionPath(call.call_control_id, 'transfer');
    await simFault({ target: 'api', kind: '500_after', count: 1, path });
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const view = await bridged(call.call_session_id);
    expect(view.state).toMatchObject({ outcome: 'transferred' });

    expect((await simRequests(path)).map((r) => [r.status, r.fault, r.note])).toEqual([
      [500, '500_after', null],
      [200, null, 'duplicate'],
    ]);
    const rows = (await commandRowsAtSim(call.call_control_id)).filter((r) => r.name === 'transfer');
    const sent = timelineOf(view, 'command').filter((c) => c.action === 'transfer');
    expect(sent).toEqual([expect.objectContaining({ result: 'ok' })]);
    expect(rows).toEqual([
      expect.objectContaining({ command_id: sent[0].command_id, duplicate: false }),
      expect.objectContaining({ command_id: sent[0].command_id, duplicate: true }),
    ]);
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak', 'transfer']);
  });

  it('429 with a wait (the transfer): sent again once Telnyx allows, not taken for a refusal that hangs up', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    const path = actionPath(call.call_control_id, 'transfer');
    await simFault({ target: 'api', kind: '429', count: 1, path, reset_seconds: 2 });
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const view = await bridged(call.call_session_id);
    expect(view.state).toMatchObject({ outcome: 'transferred' });
    expect((await simRequests(path)).map((r) => r.status)).toEqual([429, 200]);
    const sent = timelineOf(view, 'command').filter((c) => c.action === 'transfer');
    expect(sent[0].result).toMatch(/^rate limited .*sending again in 2 s$/);
    expect(sent.at(-1)).toMatchObject({ result: 'ok', command_id: sent[0].command_id });
  }, 15_000);

  it('no answer within 500 ms (a slow speak): resent at once, carried out once; the slow copy is a duplicate', async () => {
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    const path = actionPath(call.call_control_id, 'speak');
    await simFault({ target: 'api', kind: 'slow', count: 1, delay_ms: 1200, path });
    await farEnd(call.call_control_id, 'dtmf', { digits: '2' });
    const view = await endedCall(call.call_session_id);
    expect(view.record).toMatchObject({ outcome: 'completed', path: HOURS_PATH });

    const sent = timelineOf(view, 'command').filter((c) => c.action === 'speak');
    expect(sent).toHaveLength(2); // the welcome, then the hours
    expect(sent[1]).toMatchObject({ result: 'ok' });
    expect(sent[1].ms).toBeGreaterThanOrEqual(500); // it waited out the first attempt
    const rows = await eventually(async () => {
      const all = (await commandRowsAtSim(call.call_control_id)).filter((r) => r.command_id === sent[1].command_id);
      expect(all).toHaveLength(2);
      return all;
    });
    // The resend was carried out; the slow first copy, finishing later, was recognised.
    expect(rows.map((r) => r.duplicate)).toEqual([false, true]);
    expect(await executedAtSim(call.call_control_id)).toEqual(HOURS_COMMANDS);
    expect((await simRequests(path)).map((r) => r.note)).toEqual([null, null, 'duplicate']);
  });
});
