// Calls end to end: the simulator places a call to an account number, its Call Control webhooks
// reach the bundle, the call's CallSession runs the number's flow by commanding the simulator,
// and the caller (the simulator's control API) presses digits or hangs up. Checked at both ends:
// the commands the simulator received, and the bundle's view of the call (GET /calls/{id}), its D1
// record and GET /calls/active.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ANSWERS,
  BUSY,
  CALLER,
  OUR_NUMBER,
  callIn,
  commandsAtSim,
  createFlow,
  edgeCall,
  edgeOk,
  eventually,
  farEnd,
  receivedAt,
  resetVoice,
  simCall,
  waitingFor,
} from './call-support';

const MENU_FLOW = {
  id: 'main',
  name: 'Main line',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'welcome' },
    welcome: { kind: 'speak', text: 'Welcome to Acme.', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1 for sales, 2 for support.' },
      timeout_secs: 1,
      retries: 1,
      options: { '1': 'sales', '2': 'support' },
      on_invalid: 'bye',
      on_timeout: 'vm',
    },
    sales: { kind: 'transfer', to: ANSWERS, ring_timeout_secs: 5, on_no_answer: 'vm' },
    support: { kind: 'speak', text: 'Support is closed.', next: 'bye' },
    vm: {
      kind: 'voicemail',
      prompt: { speak: 'Leave a message.' },
      max_length_secs: 30,
      forward_url: 'https://business.receiver.test/voicemail',
      next: 'bye',
    },
    bye: { kind: 'hangup' },
  },
};

beforeEach(async () => {
  await resetVoice();
});

describe('an inbound call through a menu', () => {
  it('answers, speaks, gathers; 1 transfers to sales, which answers: bridged, then recorded as transferred', async () => {
    await createFlow(MENU_FLOW);
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    expect(await commandsAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak']);

    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    const bridged = await eventually(async () => {
      const view = await edgeCall(call.call_session_id);
      expect(view.state.status).toBe('bridged');
      return view;
    });
    expect(bridged.state).toMatchObject({ outcome: 'transferred', path: ['greet', 'welcome', 'menu', 'sales'] });
    expect(await commandsAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'gather_using_speak', 'transfer']);
    const legs = (await simCall(call.call_control_id)).legs;
    expect(legs.map((l: { to: string }) => l.to)).toContain(ANSWERS);

    const active = await edgeOk('/calls/active');
    expect(active.map((c: { session_id: string }) => c.session_id)).toEqual([call.call_session_id]);

    await farEnd(call.call_control_id, 'hangup');
    const record = await eventually(async () => {
      const view = await edgeCall(call.call_session_id);
      expect(view.record?.status).toBe('ended');
      return view.record;
    });
    expect(record).toMatchObject({
      direction: 'incoming',
      business_number: OUR_NUMBER,
      flow_id: 'main',
      outcome: 'transferred',
      path: ['greet', 'welcome', 'menu', 'sales'],
    });
    expect(record.other_masked).toMatch(/^\+\*+0123$/); // the caller's number, masked
    expect(await edgeOk('/calls/active')).toEqual([]);
  });

  it('2 leads to a spoken message and a hangup by the edge', async () => {
    await createFlow(MENU_FLOW);
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '2' });
    const ended = await eventually(async () => {
      const view = await edgeCall(call.call_session_id);
      expect(view.record?.status).toBe('ended');
      return view;
    });
    expect(ended.record).toMatchObject({ outcome: 'completed', path: ['greet', 'welcome', 'menu', 'support', 'bye'] });
    expect(await commandsAtSim(call.call_control_id)).toEqual([
      'answer',
      'speak',
      'gather_using_speak',
      'speak',
      'hangup',
    ]);
  });

  it('nobody presses anything: the menu repeats once, then voicemail; the recording is forwarded', async () => {
    await createFlow(MENU_FLOW);
    const call = await callIn();
    await waitingFor(call.call_session_id, 'recording', 8000);
    expect(await commandsAtSim(call.call_control_id)).toEqual([
      'answer',
      'speak',
      'gather_using_speak',
      'gather_using_speak',
      'speak',
      'record_start',
    ]);
    await farEnd(call.call_control_id, 'hangup');
    const forwarded = await eventually(async () => {
      const got = await receivedAt('business.receiver.test');
      expect(got).toHaveLength(1);
      return got[0];
    }, 8000);
    const body = JSON.parse(forwarded.body);
    expect(body).toMatchObject({ event_type: 'voicemail.saved', call_session_id: call.call_session_id, from: CALLER });
    expect(body.recording_urls.mp3).toMatch(/\/sim\/recordings\/.+\.mp3$/);
    expect(forwarded.headers['webhook-signature']).toMatch(/^v1,/);
    const record = (await edgeCall(call.call_session_id)).record;
    expect(record).toMatchObject({ outcome: 'voicemail', recording_url: body.recording_urls.mp3 });
  });

  it('a transfer nobody takes (busy) falls back to voicemail', async () => {
    await createFlow({ ...MENU_FLOW, nodes: { ...MENU_FLOW.nodes, sales: { ...MENU_FLOW.nodes.sales, to: BUSY } } });
    const call = await callIn();
    await waitingFor(call.call_session_id, 'digits');
    await farEnd(call.call_control_id, 'dtmf', { digits: '1' });
    await waitingFor(call.call_session_id, 'recording', 8000);
    const view = await edgeCall(call.call_session_id);
    expect(view.state.path).toEqual(['greet', 'welcome', 'menu', 'sales', 'vm']);
  });

  it('the caller hangs up mid-speak: nothing more is commanded', async () => {
    await createFlow({
      ...MENU_FLOW,
      nodes: { ...MENU_FLOW.nodes, welcome: { kind: 'speak', text: 'A long welcome.', next: 'menu' } },
    });
    const call = await callIn();
    await waitingFor(call.call_session_id, 'prompt_ended').catch(() => undefined);
    await farEnd(call.call_control_id, 'hangup');
    const ended = await eventually(async () => {
      const view = await edgeCall(call.call_session_id);
      expect(view.record?.status).toBe('ended');
      return view;
    });
    expect(ended.record.outcome).toMatch(/caller hung up/);
    const commands = await commandsAtSim(call.call_control_id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await commandsAtSim(call.call_control_id)).toEqual(commands);
  });

  it('a call to a number no flow claims is rejected', async () => {
    const call = await callIn();
    const ended = await eventually(async () => {
      const view = await edgeCall(call.call_session_id);
      expect(view.record?.status).toBe('ended');
      return view;
    });
    expect(ended.record.outcome).toBe('rejected: no flow');
    expect(await commandsAtSim(call.call_control_id)).toEqual(['reject']);
  });
});
