// The call engine (workers/voice/session/engine.ts) on its own: inputs in, state and effects out,
// with no Telnyx and no clock. Every node kind; a menu's choices, wrong choices, silence and
// retries; transfers that connect, fail or never report; voicemail forwarded even after the caller
// hangs up; business hours and holidays; asking the business; outbound calls whose flow starts on
// answer; no flow (rejected). And the rules for Telnyx's delivery (RELIABILITY rows 9, 22-24):
// events from an earlier step are stale, repeats change nothing, nothing is commanded after a
// hangup, deadlines of an earlier step are ignored.
import { describe, expect, it } from 'vitest';
import { isOpen, newCall, react, type CallState, type Effect, type Input } from '../../workers/voice/session/engine';
import type { Flow, FlowNode } from '../../workers/voice/flows/types';

const T0 = Date.parse('2026-11-24T15:00:00Z'); // a Tuesday, 09:00 in Chicago
const CALLER = 'v3:caller-leg';
const SESSION = 'session-1';

function flow(nodes: Record<string, FlowNode>, start = 'greet'): Flow {
  return { id: 'main', name: 'Main', numbers: ['+13125550100'], start, nodes, created_at: '', updated_at: '' };
}

const IVR = flow({
  greet: { kind: 'answer', next: 'welcome' },
  welcome: { kind: 'speak', text: 'Welcome to Acme.', next: 'menu' },
  menu: {
    kind: 'menu',
    prompt: { speak: 'Press 1 for sales, 2 for support.' },
    timeout_secs: 5,
    retries: 1,
    max_digits: 1,
    options: { '1': 'sales', '2': 'support' },
    on_invalid: 'bye',
    on_timeout: 'vm',
  },
  sales: { kind: 'transfer', to: '+13125559999', ring_timeout_secs: 20, on_no_answer: 'vm' },
  support: { kind: 'play', audio_url: 'https://example.com/support.mp3', next: 'bye' },
  vm: {
    kind: 'voicemail',
    prompt: { speak: 'Leave a message.' },
    max_length_secs: 60,
    beep: true,
    forward_url: 'https://biz.example/voicemail',
    next: 'bye',
  },
  bye: { kind: 'hangup' },
});

/** Feeds inputs in order, returning the last outcome and every effect seen. */
class Call {
  state: CallState = newCall(SESSION, T0);
  effects: Effect[] = [];
  last: ReturnType<typeof react> | undefined;
  now = T0;

  feed(input: Input, advanceMs = 100): this {
    this.now += advanceMs;
    this.last = react(this.state, input, this.now);
    this.state = this.last.state;
    this.effects.push(...this.last.effects);
    return this;
  }

  /** The commands of the last input, as "action" or "action:leg". */
  commands(): string[] {
    return (this.last?.effects ?? []).filter((e) => e.type === 'command').map((e) => (e as { action: string }).action);
  }

  inbound(f: Flow | null = IVR): this {
    this.feed({
      type: 'initiated',
      leg: CALLER,
      leg_id: 'leg-1',
      direction: 'incoming',
      from: '+12125551234',
      to: '+13125550100',
      connection_id: 'conn-1',
      flow_id: null,
    });
    return this.feed({ type: 'flow_resolved', flow: f, source: 'the number called' });
  }

  /** The event a command of the current step causes (client_state echoes the step). */
  ended(status = 'completed'): this {
    return this.feed({ type: 'prompt_ended', leg: CALLER, status, step: this.state.step });
  }

  answered(): this {
    return this.feed({ type: 'answered', leg: CALLER, step: this.state.step });
  }

  digits(digits: string, status = 'valid'): this {
    return this.feed({ type: 'gather_ended', leg: CALLER, digits, status, step: this.state.step });
  }
}

describe('an inbound call through a menu', () => {
  it('looks up the flow, answers, speaks, and gathers, each on the step it belongs to', () => {
    const call = new Call();
    call.feed({
      type: 'initiated',
      leg: CALLER,
      leg_id: 'leg-1',
      direction: 'incoming',
      from: '+12125551234',
      to: '+13125550100',
      connection_id: 'conn-1',
      flow_id: null,
    });
    expect(call.last!.effects).toContainEqual({
      type: 'resolve_flow',
      called: '+13125550100',
      connection_id: 'conn-1',
      flow_id: null,
    });
    expect(call.state.waiting).toEqual({ for: 'flow' });
    call.feed({ type: 'flow_resolved', flow: IVR, source: 'the number called' });
    expect(call.commands()).toEqual(['answer']);
    expect(call.state).toMatchObject({ status: 'in_flow', node: 'greet', step: 1, waiting: { for: 'answered' } });
    call.answered();
    expect(call.commands()).toEqual(['speak']);
    expect(call.last!.effects).toContainEqual(
      expect.objectContaining({
        type: 'command',
        action: 'speak',
        body: expect.objectContaining({ payload: 'Welcome to Acme.' }),
      }),
    );
    call.ended();
    expect(call.commands()).toEqual(['gather_using_speak']);
    expect(call.last!.effects).toContainEqual(
      expect.objectContaining({
        action: 'gather_using_speak',
        body: expect.objectContaining({ maximum_digits: 1, timeout_millis: 5000, maximum_tries: 1 }),
      }),
    );
    expect(call.state.path).toEqual(['greet', 'welcome', 'menu']);
  });

  it('follows a choice to its node: 1 → a transfer with the ring timeout and a safety deadline', () => {
    const call = new Call().inbound().answered().ended().digits('1');
    expect(call.state.node).toBe('sales');
    expect(call.last!.effects).toContainEqual({
      type: 'command',
      leg: CALLER,
      action: 'transfer',
      body: { to: '+13125559999', timeout_secs: 20 },
    });
    const deadline = call.last!.effects.find((e) => e.type === 'deadline');
    expect(deadline).toMatchObject({ name: 'transfer', at: call.now + 20_000 + 15_000, step: call.state.step });
  });

  it('a wrong choice repeats the menu (retries), then takes on_invalid', () => {
    const call = new Call().inbound().answered().ended().digits('7');
    expect(call.commands()).toEqual(['gather_using_speak']);
    expect(call.state).toMatchObject({ node: 'menu', menu_tries: 1 });
    call.digits('9');
    expect(call.state.node).toBe('bye');
    expect(call.commands()).toEqual(['hangup']);
    expect(call.state.path).toEqual(['greet', 'welcome', 'menu', 'menu', 'bye']);
  });

  it('silence repeats the menu, then takes on_timeout (voicemail)', () => {
    const call = new Call().inbound().answered().ended().digits('', 'timeout');
    expect(call.state.menu_tries).toBe(1);
    call.digits('', 'timeout');
    expect(call.state.node).toBe('vm');
    expect(call.commands()).toEqual(['speak']); // the voicemail prompt
  });

  it('a menu nobody reports on is settled by its deadline as silence', () => {
    const call = new Call().inbound().answered().ended();
    const deadline = call.last!.effects.find((e) => e.type === 'deadline') as Extract<Effect, { type: 'deadline' }>;
    expect(deadline.name).toBe('menu');
    call.feed({ type: 'deadline', name: 'menu', step: deadline.step }, 60_000);
    expect(call.state.menu_tries).toBe(1);
    expect(call.commands()).toEqual(['gather_using_speak']);
  });

  it('a speak whose end never arrives: its deadline moves the call on, once, and only at that step', () => {
    const call = new Call().inbound().answered(); // the welcome speak is playing
    expect(call.state.node).toBe('welcome');
    const deadline = call.last!.effects.find((e) => e.type === 'deadline' && e.name === 'prompt') as Extract<
      Effect,
      { type: 'deadline' }
    >;
    // Its length guessed from the text, plus the margin.
    expect(deadline.at).toBe(call.now + 2000 + 'Welcome to Acme.'.length * 100 + 30_000);
    call.feed({ type: 'deadline', name: 'prompt', step: deadline.step }, 40_000);
    expect(call.state.node).toBe('menu');
    expect(call.commands()).toEqual(['gather_using_speak']);
    // The same deadline again, or the late speak.ended, changes nothing.
    expect(call.feed({ type: 'deadline', name: 'prompt', step: deadline.step }).last!.ignored).toBeDefined();
  });

  it('an answer never confirmed: its deadline hangs up rather than leave the caller ringing', () => {
    const call = new Call().inbound();
    expect(call.state.waiting.for).toBe('answered');
    const deadline = call.last!.effects.find((e) => e.type === 'deadline' && e.name === 'answer') as Extract<
      Effect,
      { type: 'deadline' }
    >;
    expect(deadline.at).toBe(call.now + 30_000);
    call.feed({ type: 'deadline', name: 'answer', step: deadline.step }, 31_000);
    expect(call.commands()).toEqual(['hangup']);
    expect(call.state.outcome).toBe('failed: answer');
  });

  it('ends an entry with # unless # is itself a choice', () => {
    const call = new Call().inbound().answered().ended();
    expect(call.last!.effects).toContainEqual(
      expect.objectContaining({
        action: 'gather_using_speak',
        body: expect.objectContaining({ terminating_digit: '#' }),
      }),
    );
    const hash = structuredClone(IVR);
    (hash.nodes.menu as Extract<FlowNode, { kind: 'menu' }>).options = { '#': 'bye', '*': 'sales', '1': 'sales' };
    const other = new Call().inbound(hash).answered().ended();
    expect(other.last!.effects).toContainEqual(
      expect.objectContaining({
        action: 'gather_using_speak',
        body: expect.objectContaining({ terminating_digit: '0' }),
      }),
    );
    other.digits('#');
    expect(other.state.node).toBe('bye');
  });

  it('an invalid_prompt is said before the menu is repeated', () => {
    const withInvalid = structuredClone(IVR);
    (withInvalid.nodes.menu as Extract<FlowNode, { kind: 'menu' }>).invalid_prompt = { speak: 'Sorry.' };
    const call = new Call().inbound(withInvalid).answered().ended().digits('7');
    expect(call.commands()).toEqual(['speak']);
    expect(call.state.waiting).toEqual({ for: 'invalid_prompt_ended' });
    call.ended();
    expect(call.commands()).toEqual(['gather_using_speak']);
  });
});

describe("Telnyx's delivery: late, twice, out of order", () => {
  it('ignores an event of an earlier step (a late speak.ended) and commands nothing', () => {
    const call = new Call().inbound().answered();
    const speakStep = call.state.step;
    call.ended(); // the speak ended: now at the menu
    call.feed({ type: 'prompt_ended', leg: CALLER, status: 'completed', step: speakStep });
    expect(call.last!.ignored).toMatch(/stale/);
    expect(call.last!.effects).toEqual([]);
  });

  it('ignores a second answered and a second hangup', () => {
    const call = new Call().inbound().answered();
    call.feed({ type: 'answered', leg: CALLER, step: 1 });
    expect(call.last!.ignored).toMatch(/already answered/);
    call.feed({ type: 'hangup', leg: CALLER, cause: 'normal_clearing', source: 'caller' });
    call.feed({ type: 'hangup', leg: CALLER, cause: 'normal_clearing', source: 'caller' });
    expect(call.last!.ignored).toMatch(/already hung up/);
  });

  it('after the caller hangs up, nothing more is commanded, whatever arrives', () => {
    const call = new Call().inbound().answered();
    call.feed({ type: 'hangup', leg: CALLER, cause: 'normal_clearing', source: 'caller' });
    expect(call.state).toMatchObject({ status: 'ended', outcome: 'caller hung up at welcome' });
    expect(call.last!.effects).toContainEqual({ type: 'ended' });
    const after: Input[] = [
      { type: 'prompt_ended', leg: CALLER, status: 'call_hangup', step: call.state.step },
      { type: 'gather_ended', leg: CALLER, digits: '1', status: 'valid', step: call.state.step },
      { type: 'deadline', name: 'menu', step: call.state.step },
      { type: 'answered', leg: CALLER },
    ];
    for (const input of after) {
      call.feed(input);
      expect(call.commands()).toEqual([]);
    }
  });

  it('a hangup that arrives before the answer it followed ends the call; the late answer changes nothing', () => {
    const call = new Call().inbound();
    call.feed({ type: 'hangup', leg: CALLER, cause: 'originator_cancel', source: 'caller' });
    call.answered();
    expect(call.last!.ignored).toMatch(/already hangup/);
    expect(call.commands()).toEqual([]);
  });

  it('a deadline of an earlier step is ignored', () => {
    const call = new Call().inbound().answered().ended();
    const step = call.state.step;
    call.digits('2'); // support: playing audio
    call.feed({ type: 'deadline', name: 'menu', step });
    expect(call.last!.ignored).toMatch(/earlier step/);
  });
});

describe('transfers', () => {
  function transferring(): Call {
    return new Call().inbound().answered().ended().digits('1');
  }
  const newLeg = (c: Call) =>
    c.feed({
      type: 'initiated',
      leg: 'v3:transfer-leg',
      leg_id: 'leg-2',
      direction: 'outgoing',
      from: '+12125551234',
      to: '+13125559999',
      connection_id: 'conn-1',
      flow_id: null,
    });

  it('connected: the call is bridged and the flow is done', () => {
    const call = transferring();
    newLeg(call);
    expect(call.state.legs['v3:transfer-leg']).toMatchObject({ role: 'transfer', state: 'initiated' });
    call.feed({ type: 'answered', leg: 'v3:transfer-leg' });
    call.feed({ type: 'bridged', leg: CALLER });
    expect(call.state).toMatchObject({ status: 'bridged', outcome: 'transferred', waiting: { for: 'nothing' } });
    expect(call.last!.effects).toContainEqual({ type: 'cancel_deadlines' });
    // The person it was transferred to hangs up: the caller's leg is hung up too.
    call.feed({ type: 'hangup', leg: 'v3:transfer-leg', cause: 'normal_clearing', source: 'callee' });
    expect(call.last!.effects).toContainEqual({ type: 'command', leg: CALLER, action: 'hangup', body: {} });
  });

  it('not answered (busy, timeout): the flow takes on_no_answer', () => {
    const call = transferring();
    newLeg(call);
    call.feed({ type: 'hangup', leg: 'v3:transfer-leg', cause: 'timeout', source: 'callee' });
    expect(call.state.node).toBe('vm');
    expect(call.commands()).toEqual(['speak']);
  });

  it('never reported: the deadline hangs up any leg left ringing and takes on_no_answer', () => {
    const call = transferring();
    newLeg(call);
    call.feed({ type: 'deadline', name: 'transfer', step: call.state.step }, 40_000);
    expect(call.last!.effects).toContainEqual({ type: 'command', leg: 'v3:transfer-leg', action: 'hangup', body: {} });
    expect(call.state.node).toBe('vm');
  });

  it('when the caller hangs up during a transfer, the ringing leg is hung up', () => {
    const call = transferring();
    newLeg(call);
    call.feed({ type: 'hangup', leg: CALLER, cause: 'normal_clearing', source: 'caller' });
    expect(call.last!.effects).toContainEqual({ type: 'command', leg: 'v3:transfer-leg', action: 'hangup', body: {} });
  });
});

describe('voicemail', () => {
  function recording(): Call {
    const call = new Call().inbound().answered().ended().digits('', 'timeout').digits('', 'timeout');
    call.ended(); // the voicemail prompt
    return call;
  }

  it('records with a beep and the max length, and stops at the max length', () => {
    const call = recording();
    expect(call.last!.effects).toContainEqual({
      type: 'command',
      leg: CALLER,
      action: 'record_start',
      body: { format: 'mp3', channels: 'single', play_beep: true, max_length: 60 },
    });
    call.feed({ type: 'deadline', name: 'voicemail', step: call.state.step }, 70_000);
    expect(call.commands()).toEqual(['record_stop', 'hangup']);
  });

  it('forwards the recording when Telnyx saves it, even after the caller hung up', () => {
    const call = recording();
    call.feed({ type: 'hangup', leg: CALLER, cause: 'normal_clearing', source: 'caller' });
    expect(call.state.outcome).toBe('voicemail');
    call.feed({ type: 'recording_saved', urls: { mp3: 'https://sim.example/rec.mp3' } }, 2000);
    expect(call.last!.effects).toContainEqual({
      type: 'forward_recording',
      url: 'https://biz.example/voicemail',
      body: expect.objectContaining({
        event_type: 'voicemail.saved',
        call_session_id: SESSION,
        recording_urls: { mp3: 'https://sim.example/rec.mp3' },
        from: '+12125551234',
      }),
    });
    call.feed({ type: 'recording_saved', urls: { mp3: 'https://sim.example/rec.mp3' } });
    expect(call.last!.ignored).toMatch(/already saved/);
  });
});

describe('business hours', () => {
  const hours: Extract<FlowNode, { kind: 'business_hours' }> = {
    kind: 'business_hours',
    time_zone: 'America/Chicago',
    weekly: {
      mon: [['09:00', '17:00']],
      tue: [
        ['09:00', '12:00'],
        ['13:00', '17:00'],
      ],
    },
    holidays: ['2026-12-25'],
    open: 'yes',
    closed: 'no',
  };

  it.each([
    ['Tuesday 09:00 Chicago', '2026-11-24T15:00:00Z', true],
    ['Tuesday 08:59', '2026-11-24T14:59:00Z', false],
    ['Tuesday lunch 12:30', '2026-11-24T18:30:00Z', false],
    ['Tuesday 16:59', '2026-11-24T22:59:00Z', true],
    ['Tuesday 17:00', '2026-11-24T23:00:00Z', false],
    ['Wednesday (no hours)', '2026-11-25T16:00:00Z', false],
    ['Christmas, a Friday', '2026-12-25T16:00:00Z', false],
  ])('%s: open = %s', (_name, at, open) => {
    expect(isOpen(hours, Date.parse(at))).toBe(open);
  });

  it('branches without waiting for anything', () => {
    const f = flow({ greet: { ...hours, open: 'yes', closed: 'no' }, yes: { kind: 'hangup' }, no: { kind: 'hangup' } });
    const call = new Call().inbound(f);
    expect(call.state.path).toEqual(['greet', 'yes']);
    expect(call.commands()).toEqual(['hangup']);
  });
});

describe('asking the business', () => {
  const asking = flow({
    greet: {
      kind: 'ask_business',
      url: 'https://biz.example/route',
      deadline_ms: 800,
      allowed: ['vip'],
      default: 'normal',
    },
    vip: { kind: 'speak', text: 'Hello VIP', next: 'bye' },
    normal: { kind: 'speak', text: 'Hello', next: 'bye' },
    secret: { kind: 'hangup' },
    bye: { kind: 'hangup' },
  });

  it('asks with the call context, and follows an allowed answer', () => {
    const call = new Call().inbound(asking);
    expect(call.last!.effects).toContainEqual(
      expect.objectContaining({
        type: 'ask',
        url: 'https://biz.example/route',
        deadline_ms: 800,
        context: expect.objectContaining({ call_session_id: SESSION, from: '+12125551234', node: 'greet' }),
      }),
    );
    call.feed({ type: 'ask_answered', step: call.state.step, next: 'vip' });
    expect(call.state.node).toBe('vip');
    expect(call.commands()).toEqual(['answer', 'speak']);
  });

  it.each([
    ['no answer in time', null],
    ['a node it may not name', 'secret'],
    ['a node that does not exist', 'nowhere'],
  ])('takes the default on %s', (_name, next) => {
    const call = new Call().inbound(asking);
    call.feed({ type: 'ask_answered', step: call.state.step, next });
    expect(call.state.node).toBe('normal');
  });
});

describe('outbound calls and missing flows', () => {
  it("an outbound call's flow starts when the called party answers", () => {
    const call = new Call();
    call.feed({
      type: 'initiated',
      leg: 'v3:out',
      leg_id: 'leg-o',
      direction: 'outgoing',
      from: '+13125550100',
      to: '+12125551234',
      connection_id: 'conn-1',
      flow_id: 'main',
    });
    expect(call.last!.effects).toContainEqual(expect.objectContaining({ type: 'resolve_flow', flow_id: 'main' }));
    call.feed({ type: 'flow_resolved', flow: IVR, source: 'the dial' });
    expect(call.commands()).toEqual([]);
    expect(call.state.waiting).toEqual({ for: 'answered' });
    call.feed({ type: 'answered', leg: 'v3:out' });
    // The answer node passes straight through: the call is already answered.
    expect(call.state.path).toEqual(['greet', 'welcome']);
    expect(call.commands()).toEqual(['speak']);
  });

  it('an inbound call with no flow is rejected, not answered into silence', () => {
    const call = new Call().inbound(null);
    expect(call.last!.effects).toContainEqual({
      type: 'command',
      leg: CALLER,
      action: 'reject',
      body: { cause: 'CALL_REJECTED' },
    });
    expect(call.state.outcome).toBe('rejected: no flow');
  });

  it('a call whose flow lookup never finishes is rejected by the ringing deadline', () => {
    const call = new Call();
    call.feed({
      type: 'initiated',
      leg: CALLER,
      leg_id: 'leg-1',
      direction: 'incoming',
      from: '+12125551234',
      to: '+13125550100',
      connection_id: null,
      flow_id: null,
    });
    call.feed({ type: 'deadline', name: 'ringing', step: 0 }, 61_000);
    expect(call.commands()).toEqual(['reject']);
  });

  it('a command Telnyx refuses ends the call plainly rather than leaving the caller in silence', () => {
    const call = new Call().inbound().answered();
    call.feed({ type: 'command_failed', step: call.state.step, action: 'speak', detail: '422 invalid voice' });
    expect(call.commands()).toEqual(['hangup']);
    expect(call.state.outcome).toBe('failed: speak');
  });

  it('two commands of one step refused (an answer, then its speak): one hangup, not two', () => {
    const call = new Call().inbound().answered();
    const step = call.state.step;
    call.feed({ type: 'command_failed', step, action: 'answer', detail: '422' });
    expect(call.commands()).toEqual(['hangup']);
    call.feed({ type: 'command_failed', step, action: 'speak', detail: '422' });
    expect(call.commands()).toEqual([]);
    expect(call.last?.ignored).toBe('already hanging up');
    expect(call.state.outcome).toBe('failed: answer');
  });

  it('a flow that loops without waiting is stopped', () => {
    const loop = flow({
      greet: {
        kind: 'business_hours',
        time_zone: 'UTC',
        weekly: {},
        holidays: [],
        open: 'greet',
        closed: 'again',
      },
      again: { kind: 'business_hours', time_zone: 'UTC', weekly: {}, holidays: [], open: 'greet', closed: 'greet' },
    });
    const call = new Call().inbound(loop);
    expect(call.commands()).toEqual(['hangup']);
    expect(call.last!.effects).toContainEqual({ type: 'note', text: expect.stringMatching(/without waiting/) });
  });
});
