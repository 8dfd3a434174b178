// Outbound calls through the bundle with the official `telnyx` SDK, pointed at the bundle (only
// baseURL changes; the API key is ADMIN_TOKEN): `calls.dial` with the edge's `flow_id` places the
// call at the simulator, and when the far end answers the flow runs on the called party's leg. A
// busy or never-answering destination is recorded in D1 with its outcome; a bad body is a 422 in
// Telnyx's error shape and nothing is dialled. This file imports the whole SDK, which costs a few
// seconds of transform.
import Telnyx from 'telnyx';
import { beforeEach, describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../support/keys';
import { EDGE_URL, sim } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import {
  BUSY,
  NEVER_ANSWERS,
  OUR_NUMBER,
  createFlow,
  edgeCall,
  endedCall,
  eventually,
  executedAtSim,
  resetVoice,
  simClock,
  simRequests,
  waitingFor,
  type Json,
} from './call-support';

/** The simulator's seeded Call Control application (its events go to the bundle). */
const APPLICATION = '1700000000000000002';
/** A destination that answers (last two digits 00-79). */
const CUSTOMER = '+12065550142';

const client = new Telnyx({ apiKey: TEST_ADMIN_TOKEN, baseURL: `${EDGE_URL}/v2`, maxRetries: 0 });

const REMINDER = {
  id: 'reminder',
  name: 'Appointment reminder',
  numbers: [],
  start: 'remind',
  nodes: {
    remind: { kind: 'speak', text: 'Your appointment is tomorrow at nine.', next: 'confirm' },
    confirm: {
      kind: 'menu',
      prompt: { speak: 'Press 1 to confirm.' },
      timeout_secs: 1,
      retries: 0,
      options: { '1': 'thanks' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    thanks: { kind: 'speak', text: 'Thank you, see you then.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

/** calls.dial with the edge's flow_id, which the SDK's types do not know. */
function dial(params: Record<string, unknown>) {
  return client.calls.dial(params as unknown as Telnyx.CallDialParams);
}

/** Every leg the simulator has, newest first. */
async function simLegs(): Promise<Json[]> {
  return (await sim<{ data: Json[] }>('/sim/calls')).data;
}

beforeEach(async () => {
  await resetVoice();
  await createFlow(REMINDER);
});

describe('calls.dial with a flow_id', () => {
  it('the called party answers: the flow runs on their leg; the D1 record says outgoing and completed', async () => {
    const { data: call } = await dial({
      connection_id: APPLICATION,
      from: OUR_NUMBER,
      to: CUSTOMER,
      flow_id: 'reminder',
    });
    expect(call).toMatchObject({
      record_type: 'call',
      is_alive: false,
      call_control_id: expect.stringMatching(/^v3:/),
    });
    const id = call!.call_control_id!;
    const session = call!.call_session_id!;

    // The leg went out with the edge's client_state (the flow) and its webhook URL.
    const [leg] = await simLegs();
    expect(leg).toMatchObject({ call_control_id: id, to: CUSTOMER, from: OUR_NUMBER, direction: 'outgoing' });
    expect(JSON.parse(atob(leg.client_state))).toEqual({ f: 'reminder' });

    const atMenu = await waitingFor(session, 'digits');
    expect(atMenu.state).toMatchObject({
      direction: 'outgoing',
      flow_id: 'reminder',
      flow_source: 'the dial',
      path: ['remind', 'confirm'],
    });
    await sim(`/sim/calls/${encodeURIComponent(id)}/dtmf`, { body: { digits: '1' } });

    const { record } = await endedCall(session);
    expect(record).toMatchObject({
      direction: 'outgoing',
      business_number: OUR_NUMBER,
      connection_id: APPLICATION,
      flow_id: 'reminder',
      status: 'ended',
      outcome: 'completed',
      path: ['remind', 'confirm', 'thanks', 'bye'],
      answered_at: expect.any(String),
    });
    expect(record.other_masked).toMatch(/^\+\*+0142$/);
    // The answer was the far end's: the edge never sent `answer` on an outgoing leg.
    expect(await executedAtSim(id)).toEqual(['speak', 'gather_using_speak', 'speak', 'hangup']);
  });

  it('a busy destination: recorded ended, not answered (user_busy); nothing commanded', async () => {
    const { data: call } = await dial({ connection_id: APPLICATION, from: OUR_NUMBER, to: BUSY, flow_id: 'reminder' });
    const { record, state } = await endedCall(call!.call_session_id!);
    expect(record).toMatchObject({
      direction: 'outgoing',
      flow_id: 'reminder',
      outcome: 'not answered (user_busy)',
      hangup_cause: 'user_busy',
      hangup_source: 'callee',
      answered_at: null,
      path: [],
    });
    expect(state.status).toBe('ended');
    expect(await executedAtSim(call!.call_control_id!)).toEqual([]);
  });

  it('a destination that never answers: Telnyx gives up at timeout_secs; recorded with cause timeout', async () => {
    const { data: call } = await dial({
      connection_id: APPLICATION,
      from: OUR_NUMBER,
      to: NEVER_ANSWERS,
      timeout_secs: 5,
      flow_id: 'reminder',
    });
    await eventually(async () => expect((await edgeCall(call!.call_session_id!)).state.waiting_for).toBe('answered'));
    await simClock({ advance_ms: 5000 });
    const { record } = await endedCall(call!.call_session_id!);
    expect(record).toMatchObject({
      direction: 'outgoing',
      status: 'ended',
      hangup_cause: 'timeout',
      answered_at: null,
      path: [],
    });
    // Telnyx ends a timed-out dial from the caller's side (ours); the outcome says what happened.
    expect(record.outcome).toBe('not answered (timeout)');
    expect(await executedAtSim(call!.call_control_id!)).toEqual([]);
  });
});

describe('a bad dial is refused before anything is dialled', () => {
  it.each([
    ['no to', { connection_id: APPLICATION, from: OUR_NUMBER, flow_id: 'reminder' }, '/to'],
    ['to not a number', { connection_id: APPLICATION, from: OUR_NUMBER, to: 'call me', flow_id: 'reminder' }, '/to'],
    ['no from', { connection_id: APPLICATION, to: CUSTOMER, flow_id: 'reminder' }, '/from'],
    ['no connection_id', { from: OUR_NUMBER, to: CUSTOMER, flow_id: 'reminder' }, '/connection_id'],
    [
      'a flow that does not exist',
      { connection_id: APPLICATION, from: OUR_NUMBER, to: CUSTOMER, flow_id: 'nope' },
      '/flow_id',
    ],
    ['flow_id not text', { connection_id: APPLICATION, from: OUR_NUMBER, to: CUSTOMER, flow_id: 7 }, '/flow_id'],
    [
      'flow_id with a webhook_url of its own',
      {
        connection_id: APPLICATION,
        from: OUR_NUMBER,
        to: CUSTOMER,
        flow_id: 'reminder',
        webhook_url: 'https://elsewhere.example.com/hooks',
      },
      '/webhook_url',
    ],
    [
      'flow_id with several destinations',
      { connection_id: APPLICATION, from: OUR_NUMBER, to: [CUSTOMER, '+12065550143'], flow_id: 'reminder' },
      '/to',
    ],
    [
      'several destinations, even without a flow (the edge follows one main leg per call)',
      { connection_id: APPLICATION, from: OUR_NUMBER, to: [CUSTOMER, '+12065550143'] },
      '/to',
    ],
    [
      'flow_id with a client_state of its own',
      { connection_id: APPLICATION, from: OUR_NUMBER, to: CUSTOMER, flow_id: 'reminder', client_state: 'aGk=' },
      '/client_state',
    ],
  ])('%s: 422 in Telnyx’s shape, pointing at the field', async (_label, body, pointer) => {
    const failure = await dial(body).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Telnyx.UnprocessableEntityError);
    const errors = (failure as InstanceType<typeof Telnyx.UnprocessableEntityError>).error as Json;
    expect(errors.errors).toHaveLength(1);
    expect(errors.errors[0]).toMatchObject({
      code: expect.stringMatching(/^\d+$/),
      title: expect.any(String),
      detail: expect.any(String),
      source: { pointer },
    });
    expect(await simRequests('/v2/calls')).toEqual([]);
    expect(await simLegs()).toEqual([]);
    expect((await env.DB.prepare('SELECT COUNT(*) AS n FROM calls').first<{ n: number }>())!.n).toBe(0);
  });
});
