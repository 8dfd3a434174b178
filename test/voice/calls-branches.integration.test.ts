// Calls end to end down the flow's other branches: business hours (open, closed by the weekly hours,
// closed on a holiday), a transfer nobody takes (the simulator reports the ring timeout; or nothing
// is ever reported and the CallSession's own deadline alarm gives up), a transfer the far end
// refuses, asking the business which way to go (an answer in time, a late one, a failing one, a
// node it may not name), and a flow edited or deleted while a call is in it. Checked at both ends:
// the commands the simulator carried out, the bundle's view of the call and its D1 record.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { verifyStandardWebhook } from '../../shared/forward';
import { beforeEach, describe, expect, it } from 'vitest';
import { testEnv as env } from '../support/test-env';
import {
  ANSWERS,
  CALLER,
  NEVER_ANSWERS,
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
  legTo,
  receivedAt,
  resetVoice,
  scriptReceiver,
  simClock,
  timelineOf,
  waitingFor,
  type Json,
} from './call-support';

beforeEach(async () => {
  await resetVoice();
});

// --- Business hours -------------------------------------------------------------------------------

type Day = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';
const DAYS: Day[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Today's date, weekday and minute of the day in `zone`, by the real clock (the engine's clock). */
function localNow(zone: string): { date: string; day: Day; minute: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date())
      .map((p) => [p.type, p.value]),
  );
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    day: parts.weekday!.toLowerCase().slice(0, 3) as Day,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/**
 * A time zone where it is not near midnight now, so the day the test computes is the day the call
 * sees (hours run 00:00 to 23:59 at most: the last minute of a day is always closed).
 */
function zoneAwayFromMidnight(): { zone: string; date: string; day: Day } {
  for (const zone of ['America/Chicago', 'Asia/Tokyo']) {
    const now = localNow(zone);
    if (now.minute >= 10 && now.minute <= 23 * 60 + 45) return { zone, ...now };
  }
  throw new Error('unreachable: Chicago and Tokyo are 14 or 15 hours apart');
}

const ALL_DAY: Array<[string, string]> = [['00:00', '23:59']];

function hoursFlow(hours: {
  time_zone: string;
  weekly: Partial<Record<Day, Array<[string, string]>>>;
  holidays: string[];
}) {
  return {
    id: 'hours',
    name: 'Opening hours',
    numbers: [OUR_NUMBER],
    start: 'hours',
    nodes: {
      hours: { kind: 'business_hours', ...hours, open: 'greet', closed: 'closed_msg' },
      greet: { kind: 'answer', next: 'open_msg' },
      open_msg: { kind: 'speak', text: 'We are open, one moment.', next: 'bye' },
      closed_msg: { kind: 'speak', text: 'We are closed. Please call again tomorrow.', next: 'bye' },
      bye: { kind: 'hangup' },
    },
  };
}

describe('business hours', () => {
  it('open now (every day, all day): answered, the open message, hung up', async () => {
    const { zone } = zoneAwayFromMidnight();
    await createFlow(
      hoursFlow({ time_zone: zone, weekly: Object.fromEntries(DAYS.map((d) => [d, ALL_DAY])), holidays: [] }),
    );
    const call = await callIn();
    const { record } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({
      outcome: 'completed',
      path: ['hours', 'greet', 'open_msg', 'bye'],
      flow_id: 'hours',
    });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'hangup']);
  });

  it('closed today by the weekly hours (every day but today): the closed message, answered on the way', async () => {
    const { zone, day } = zoneAwayFromMidnight();
    const weekly = Object.fromEntries(DAYS.filter((d) => d !== day).map((d) => [d, ALL_DAY]));
    await createFlow(hoursFlow({ time_zone: zone, weekly, holidays: [] }));
    const call = await callIn();
    const { record, state, timeline } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['hours', 'closed_msg', 'bye'] });
    expect(state.path).toEqual(['hours', 'closed_msg', 'bye']);
    // A speak needs an answered call: the edge answers on its way to the closed message.
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'hangup']);
    expect(timeline.filter((e: Json) => e.kind === 'step').map((e: Json) => e.detail.node)).toEqual([
      'hours',
      'closed_msg',
      'bye',
    ]);
  });

  it('closed on a holiday, although the weekly hours say open', async () => {
    const { zone, date } = zoneAwayFromMidnight();
    await createFlow(
      hoursFlow({
        time_zone: zone,
        weekly: Object.fromEntries(DAYS.map((d) => [d, ALL_DAY])),
        holidays: ['2030-01-01', date],
      }),
    );
    const call = await callIn();
    const { record } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['hours', 'closed_msg', 'bye'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'hangup']);
  });
});

// --- Transfers that do not connect ----------------------------------------------------------------

const transferFlow = (to: string) => ({
  id: 'desk',
  name: 'Front desk',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'desk' },
    desk: { kind: 'transfer', to, ring_timeout_secs: 5, on_no_answer: 'sorry' },
    sorry: { kind: 'speak', text: 'Nobody is free. Goodbye.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
});

describe('a transfer that does not connect falls back to on_no_answer', () => {
  it('the target never answers: Telnyx hangs the new leg up at the ring timeout (timeout), the fallback plays', async () => {
    await createFlow(transferFlow(NEVER_ANSWERS));
    const call = await callIn();
    await waitingFor(call.call_session_id, 'transfer');
    const ringing = await legTo(call.call_control_id, NEVER_ANSWERS);
    expect(ringing.status).toBe('ringing');
    // The transfer's ring timeout is Telnyx's to report (timeout_secs 5): move its clock past it.
    await simClock({ advance_ms: 5000 });

    const { record, state } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['greet', 'desk', 'sorry', 'bye'] });
    const transferLeg = state.legs.find((l: Json) => l.role === 'transfer');
    expect(transferLeg).toMatchObject({ to: NEVER_ANSWERS, state: 'hangup', hangup_cause: 'timeout' });
    // The new leg was Telnyx's to end: the edge sent nothing to it.
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'transfer', 'speak', 'hangup']);
  });

  it('the target refuses (call_rejected): the fallback plays', async () => {
    await createFlow(transferFlow(NEVER_ANSWERS));
    const call = await callIn();
    await waitingFor(call.call_session_id, 'transfer');
    const ringing = await legTo(call.call_control_id, NEVER_ANSWERS);
    await farEnd(ringing.call_control_id, 'refuse');

    const { record, state } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['greet', 'desk', 'sorry', 'bye'] });
    expect(state.legs.find((l: Json) => l.role === 'transfer')).toMatchObject({ hangup_cause: 'call_rejected' });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'transfer', 'speak', 'hangup']);
    expect(timelineOf(await edgeCall(call.call_session_id), 'note').map((n) => n.text)).toContain(
      'transfer not answered (call_rejected)',
    );
  });

  it('nothing is ever reported: the CallSession’s deadline alarm hangs up the ringing leg and the fallback plays to the end', async () => {
    await createFlow(transferFlow(NEVER_ANSWERS));
    const call = await callIn();
    await waitingFor(call.call_session_id, 'transfer');
    const ringing = await legTo(call.call_control_id, NEVER_ANSWERS);
    // Telnyx's clock stands still: its ring timeout never comes, so neither does its report.
    await simClock({ freeze: true });

    // The edge's own deadline: the ring timeout plus a 15 s margin, armed as the object's alarm.
    const stub = callSessionStub(call.call_session_id);
    const { deadline, alarm } = await runInDurableObject(stub, async (_instance, state) => ({
      deadline: state.storage.sql.exec<{ name: string; at: number }>('SELECT name, at FROM deadlines').toArray(),
      alarm: await state.storage.getAlarm(),
    }));
    expect(deadline).toHaveLength(1);
    expect(deadline[0]!.name).toBe('transfer');
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(deadline[0]!.at);
    // Twenty seconds pass (without waiting them): the deadline falls due and the alarm runs.
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec('UPDATE deadlines SET at = ?', Date.now() - 1);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);

    await waitingFor(call.call_session_id, 'prompt_ended');
    await simClock({ freeze: false });
    const { record, state } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['greet', 'desk', 'sorry', 'bye'] });
    expect(state.legs.find((l: Json) => l.role === 'transfer')).toMatchObject({ state: 'hangup' });
    const commands = await executedAtSim(call.call_control_id);
    expect(commands).toEqual(['answer', 'transfer', 'hangup', 'speak', 'hangup']);
    const notes = timelineOf(await edgeCall(call.call_session_id), 'note').map((n) => n.text);
    expect(notes).toContain('transfer never connected');
    // The new leg was the one hung up first (cancelled while ringing), the caller's after the message.
    const legs = (await edgeCall(call.call_session_id)).state.legs as Json[];
    expect(legs.find((l) => l.call_control_id === ringing.call_control_id)).toMatchObject({
      hangup_cause: 'originator_cancel',
    });
  });
});

// --- Asking the business --------------------------------------------------------------------------

const ASK_URL = 'https://business.receiver.test/route-call';

const askFlow = {
  id: 'ask',
  name: 'Ask the CRM',
  numbers: [OUR_NUMBER],
  start: 'ask',
  nodes: {
    ask: { kind: 'ask_business', url: ASK_URL, deadline_ms: 500, allowed: ['vip', 'sales'], default: 'general' },
    vip: { kind: 'speak', text: 'Welcome back! Connecting you.', next: 'vip_desk' },
    vip_desk: { kind: 'transfer', to: ANSWERS, ring_timeout_secs: 10, on_no_answer: 'bye' },
    sales: { kind: 'speak', text: 'Sales will call you back.', next: 'bye' },
    general: { kind: 'speak', text: 'Thanks for calling Acme.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

describe('ask_business', () => {
  it('the business answers in time with a node it may name: that branch (here a transfer that connects)', async () => {
    await createFlow(askFlow);
    await scriptReceiver({ responses: [{ status: 200, body: JSON.stringify({ next: 'vip' }) }] });
    const call = await callIn();
    const bridged = await eventually(async () => {
      const view = await edgeCall(call.call_session_id);
      expect(view.state.status).toBe('bridged');
      return view;
    });
    expect(bridged.state).toMatchObject({ outcome: 'transferred', path: ['ask', 'vip', 'vip_desk'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'transfer']);

    // What the business was asked: the call's context, signed as the edge signs forwards.
    const [asked] = await receivedAt('business.receiver.test');
    expect(asked.method).toBe('POST');
    const context = JSON.parse(asked.body);
    expect(context).toEqual({
      call_session_id: call.call_session_id,
      direction: 'incoming',
      from: CALLER,
      to: OUR_NUMBER,
      flow_id: 'ask',
      node: 'ask',
      path: ['ask'],
    });
    const verified = await verifyStandardWebhook(
      env.FORWARD_SIGNING_SECRET,
      asked.headers,
      asked.body,
      Math.floor(Date.now() / 1000),
    );
    expect(verified.ok, JSON.stringify(verified)).toBe(true);
    expect(timelineOf(bridged, 'note').map((n) => n.text)).toContain('the business chose vip');
  });

  it('another allowed answer takes its own branch', async () => {
    await createFlow(askFlow);
    await scriptReceiver({ responses: [{ status: 200, body: JSON.stringify({ next: 'sales' }) }] });
    const call = await callIn();
    const { record } = await endedCall(call.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['ask', 'sales', 'bye'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'hangup']);
  });

  it.each([
    [
      'too slow (answers after the 500 ms deadline)',
      { status: 200, delay_ms: 1200, body: '{"next":"vip"}' },
      'nothing usable',
    ],
    ['failing (503)', { status: 503, body: '{"error":"down"}' }, 'nothing usable'],
    ['naming a node it may not (bye is not in allowed)', { status: 200, body: '{"next":"bye"}' }, 'bye'],
    ['naming no node at all', { status: 200, body: '{"next":"nowhere"}' }, 'nowhere'],
    ['answering something that is not JSON', { status: 200, body: 'ok!' }, 'nothing usable'],
  ])('the business is %s: the default branch', async (_label, response, heard) => {
    await createFlow(askFlow);
    await scriptReceiver({ responses: [response] });
    const call = await callIn();
    const view = await endedCall(call.call_session_id, 8000);
    expect(view.record).toMatchObject({ outcome: 'completed', path: ['ask', 'general', 'bye'] });
    expect(await executedAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'hangup']);
    expect(await receivedAt('business.receiver.test')).toHaveLength(1); // asked once, not again
    const events = timelineOf(view, 'event').map((e) => e.input);
    expect(events).toContain(`the business answered: ${heard}`);
    expect(timelineOf(view, 'note').map((n) => n.text)).toContain('the business gave no usable answer; default');
  });
});

// --- A flow edited while a call is in it ----------------------------------------------------------

const MENU = {
  id: 'main',
  name: 'Main line',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1 for sales, 2 for opening hours.' },
      timeout_secs: 5,
      retries: 0,
      options: { '1': 'sales', '2': 'hours' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    sales: { kind: 'transfer', to: ANSWERS, ring_timeout_secs: 10, on_no_answer: 'bye' },
    hours: { kind: 'speak', text: 'We open at nine.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

/** The same flow as edited: 1 now says a message and hangs up; there is no transfer any more. */
const EDITED = {
  name: 'Main line (sales closed)',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'menu' },
    menu: { ...MENU.nodes.menu, options: { '1': 'closed' } },
    closed: { kind: 'speak', text: 'Sales has closed for good.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

describe('a flow edited while a call is in it', () => {
  // The engine keeps a copy of the flow it started with (flows/types.ts: "editing a flow never
  // changes a call in progress"); the next call gets the new one.
  it('the call in progress finishes on the flow it started with; the next call runs the edited flow', async () => {
    await createFlow(MENU);
    const first = await callIn();
    await waitingFor(first.call_session_id, 'digits');
    const put = await edge('/flows/main', { method: 'PUT', body: EDITED });
    expect(put.status, JSON.stringify(put.body)).toBe(200);

    await farEnd(first.call_control_id, 'dtmf', { digits: '1' });
    const bridged = await eventually(async () => {
      const view = await edgeCall(first.call_session_id);
      expect(view.state.status).toBe('bridged');
      return view;
    });
    // The old node 'sales', which the edited flow no longer has.
    expect(bridged.state).toMatchObject({ outcome: 'transferred', path: ['greet', 'menu', 'sales'], flow_id: 'main' });
    expect(await executedAtSim(first.call_control_id)).toEqual(['answer', 'gather_using_speak', 'transfer']);
    await farEnd(first.call_control_id, 'hangup');
    await endedCall(first.call_session_id);

    const second = await callIn('+12065550199');
    await waitingFor(second.call_session_id, 'digits');
    await farEnd(second.call_control_id, 'dtmf', { digits: '1' });
    const { record } = await endedCall(second.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['greet', 'menu', 'closed', 'bye'] });
    expect(await executedAtSim(second.call_control_id)).toEqual(['answer', 'gather_using_speak', 'speak', 'hangup']);
  });

  it('a flow deleted mid-call: the call still finishes it; a new call to the number is refused', async () => {
    await createFlow(MENU);
    const first = await callIn();
    await waitingFor(first.call_session_id, 'digits');
    expect((await edge('/flows/main', { method: 'DELETE' })).status).toBeLessThan(300);

    await farEnd(first.call_control_id, 'dtmf', { digits: '2' });
    const { record } = await endedCall(first.call_session_id);
    expect(record).toMatchObject({ outcome: 'completed', path: ['greet', 'menu', 'hours', 'bye'], flow_id: 'main' });

    const second = await callIn('+12065550199');
    const refused = await endedCall(second.call_session_id);
    expect(refused.record.outcome).toBe('rejected: no flow');
    expect(await executedAtSim(second.call_control_id)).toEqual(['reject']);
  });
});
