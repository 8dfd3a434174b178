// The call engine: what a call does next, given where it stands and what just happened. A pure
// function of (state, input, now) → (state, effects): no I/O, no clock of its own, so every path of
// a flow can be tested without Telnyx, and the CallSession Durable Object only carries effects out
// (commands to Telnyx, deadlines, lookups, forwards) and feeds their outcomes back as inputs.
//
// Telnyx delivers call events late, twice, and out of order. Three rules keep the call sane:
//   - every command carries the step it belongs to in client_state, and Telnyx echoes it: an event
//     from an earlier step is stale and changes nothing;
//   - a hangup is final: once the caller's leg has hung up, nothing is commanded to it again;
//   - a leg that has answered, bridged or hung up does so once; repeats are ignored.

import { localTime } from '../../../shared/local-time';
import type { Flow, FlowNode, MenuNode, Prompt, Weekday } from '../flows/types';

export type LegRole = 'caller' | 'callee' | 'transfer';
export type LegState = 'initiated' | 'answered' | 'bridged' | 'hangup';

export interface Leg {
  call_control_id: string;
  call_leg_id: string | null;
  role: LegRole;
  state: LegState;
  from: string | null;
  to: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number | null;
  hangup_cause: string | null;
  hangup_source: string | null;
}

/** Where a call stands in its flow. */
export type Waiting =
  | { for: 'flow' } // the flow is being looked up
  | { for: 'answered' }
  | { for: 'prompt_ended' } // a speak or playback of a speak/play node or a voicemail prompt
  | { for: 'invalid_prompt_ended' }
  | { for: 'digits' }
  | { for: 'transfer' }
  | { for: 'recording' }
  | { for: 'ask' }
  | { for: 'hangup' } // we asked Telnyx to hang up
  | { for: 'nothing' }; // bridged, ended, or no flow

export type CallStatus = 'ringing' | 'in_flow' | 'bridged' | 'ended';

export interface CallState {
  session_id: string;
  direction: 'incoming' | 'outgoing';
  connection_id: string | null;
  /** The leg the flow talks to: the caller's (inbound) or the called party's (outbound). */
  main_leg: string | null;
  legs: Record<string, Leg>;
  status: CallStatus;
  flow: Flow | null;
  /** Why there is no flow, or which rule chose it. */
  flow_source: string | null;
  node: string | null;
  /** Bumped on every node entered or repeated; events of an older step are stale. */
  step: number;
  waiting: Waiting;
  menu_tries: number;
  /** Node ids in the order the call went through them. */
  path: string[];
  /** The voicemail being recorded, and where its recording goes. */
  recording: { node: string; forward_url: string; started_at: number } | null;
  recording_urls: Record<string, string> | null;
  outcome: string | null;
  started_at: number;
  ended_at: number | null;
}

/** What happened, as the engine sees it. `step` comes from the event's client_state. */
export type Input =
  | {
      type: 'initiated';
      leg: string;
      leg_id: string | null;
      direction: 'incoming' | 'outgoing';
      from: string | null;
      to: string | null;
      connection_id: string | null;
      /** A flow named by the dial's client_state (outbound calls the edge placed). */
      flow_id: string | null;
    }
  | { type: 'answered'; leg: string; step?: number }
  | { type: 'prompt_ended'; leg: string; status: string | null; step?: number }
  | { type: 'gather_ended'; leg: string; digits: string; status: string | null; step?: number }
  | { type: 'bridged'; leg: string }
  | { type: 'hangup'; leg: string; cause: string | null; source: string | null }
  | { type: 'recording_saved'; urls: Record<string, string> }
  | { type: 'flow_resolved'; flow: Flow | null; source: string }
  | { type: 'deadline'; name: DeadlineName; step: number }
  | { type: 'ask_answered'; step: number; next: string | null }
  /** Telnyx refused a command of this step, or never answered it: the flow cannot go on. */
  | { type: 'command_failed'; step: number; action: CommandAction; detail: string };

export type DeadlineName = 'menu' | 'transfer' | 'voicemail' | 'ringing' | 'prompt' | 'answer';

export type Effect =
  | { type: 'command'; leg: string; action: CommandAction; body: Record<string, unknown> }
  | { type: 'deadline'; name: DeadlineName; at: number; step: number }
  | { type: 'cancel_deadlines' }
  | { type: 'resolve_flow'; called: string | null; connection_id: string | null; flow_id: string | null }
  | { type: 'ask'; url: string; deadline_ms: number; allowed: string[]; context: Record<string, unknown> }
  | { type: 'forward_recording'; url: string; body: Record<string, unknown> }
  | { type: 'ended' }
  | { type: 'note'; text: string };

export type CommandAction =
  | 'answer'
  | 'hangup'
  | 'reject'
  | 'speak'
  | 'playback_start'
  | 'gather_using_speak'
  | 'gather_using_audio'
  | 'transfer'
  | 'record_start'
  | 'record_stop';

export interface Outcome {
  state: CallState;
  effects: Effect[];
  /** The input changed nothing (a duplicate, a stale event, an event for a finished step). */
  ignored?: string;
}

/** Safety margins on top of what Telnyx itself should report, for events that never come. */
export const MARGIN_MS = {
  menu: 30_000,
  transfer: 15_000,
  voicemail: 10_000,
  ringing: 60_000,
  // A speak or playback whose end never arrives, an answer never confirmed: the caller would
  // otherwise sit in silence until the session's 48-hour cleanup.
  prompt: 30_000,
  answer: 30_000,
} as const;
/** A flow that runs this many nodes without waiting for anything is stopped (validation prevents it). */
const MAX_NODES_PER_INPUT = 50;
const DEFAULT_VOICE = 'female';
const DEFAULT_LANGUAGE = 'en-US';

export function newCall(sessionId: string, now: number): CallState {
  return {
    session_id: sessionId,
    direction: 'incoming',
    connection_id: null,
    main_leg: null,
    legs: {},
    status: 'ringing',
    flow: null,
    flow_source: null,
    node: null,
    step: 0,
    waiting: { for: 'flow' },
    menu_tries: 0,
    path: [],
    recording: null,
    recording_urls: null,
    outcome: null,
    started_at: now,
    ended_at: null,
  };
}

/** Applies one input. `state` is not modified; the new state is returned. */
export function react(previous: CallState, input: Input, now: number): Outcome {
  const run = new Run(structuredClone(previous), now);
  const ignored = run.apply(input);
  return { state: run.state, effects: run.effects, ...(ignored !== undefined && { ignored }) };
}

class Run {
  readonly effects: Effect[] = [];
  #entered = 0;

  constructor(
    readonly state: CallState,
    readonly now: number,
  ) {}

  /** Returns why the input was ignored, or undefined when it was acted on. */
  apply(input: Input): string | undefined {
    const s = this.state;
    switch (input.type) {
      case 'initiated':
        return this.#initiated(input);
      case 'flow_resolved':
        if (s.waiting.for !== 'flow') return 'not waiting for a flow';
        return this.#flowResolved(input.flow, input.source);
      case 'answered':
        return this.#answered(input);
      case 'prompt_ended':
        return this.#promptEnded(input);
      case 'gather_ended':
        return this.#gatherEnded(input);
      case 'bridged':
        return this.#bridged(input.leg);
      case 'hangup':
        return this.#hangup(input);
      case 'recording_saved':
        return this.#recordingSaved(input.urls);
      case 'deadline':
        return this.#deadline(input.name, input.step);
      case 'ask_answered':
        return this.#askAnswered(input);
      case 'command_failed':
        return this.#commandFailed(input);
    }
  }

  // --- Legs -----------------------------------------------------------------------------------

  #initiated(input: Extract<Input, { type: 'initiated' }>): string | undefined {
    const s = this.state;
    if (s.legs[input.leg]) return 'leg already known';
    const first = s.main_leg === null;
    const role: LegRole = first ? (input.direction === 'incoming' ? 'caller' : 'callee') : 'transfer';
    s.legs[input.leg] = {
      call_control_id: input.leg,
      call_leg_id: input.leg_id,
      role,
      state: 'initiated',
      from: input.from,
      to: input.to,
      started_at: this.now,
      answered_at: null,
      ended_at: null,
      hangup_cause: null,
      hangup_source: null,
    };
    if (!first) return undefined; // a transferred leg: its answer or hangup decides the transfer
    s.main_leg = input.leg;
    s.direction = input.direction;
    s.connection_id = input.connection_id;
    s.waiting = { for: 'flow' };
    this.effects.push({
      type: 'resolve_flow',
      called: input.direction === 'incoming' ? input.to : null,
      connection_id: input.connection_id,
      flow_id: input.flow_id,
    });
    if (input.direction === 'incoming') {
      // A caller left ringing (the flow lookup failed, the edge was down) is not left forever.
      this.effects.push({ type: 'deadline', name: 'ringing', at: this.now + MARGIN_MS.ringing, step: s.step });
    }
    return undefined;
  }

  #flowResolved(flow: Flow | null, source: string): string | undefined {
    const s = this.state;
    s.flow = flow;
    s.flow_source = source;
    const main = this.#main();
    if (main === undefined || main.state === 'hangup') return undefined;
    if (flow === null) {
      s.waiting = { for: 'nothing' };
      if (s.direction === 'incoming') {
        // Nothing to run: refuse the call rather than answer it into silence.
        s.outcome = 'rejected: no flow';
        this.#command(main.call_control_id, 'reject', { cause: 'CALL_REJECTED' });
      }
      // An outbound call without a flow is the caller's own business: the edge only records it.
      return undefined;
    }
    s.status = 'in_flow';
    // An outbound call's flow starts when the called party answers.
    if (s.direction === 'outgoing' && main.state !== 'answered') {
      s.waiting = { for: 'answered' };
      return undefined;
    }
    this.#goTo(flow.start);
    return undefined;
  }

  #answered(input: Extract<Input, { type: 'answered' }>): string | undefined {
    const s = this.state;
    const leg = s.legs[input.leg];
    if (leg === undefined) return 'unknown leg';
    if (leg.state !== 'initiated') return `leg already ${leg.state}`;
    leg.state = 'answered';
    leg.answered_at = this.now;
    if (leg.role === 'transfer') return undefined; // the bridge that follows settles the transfer
    if (s.direction === 'outgoing' && s.flow !== null && s.node === null) {
      this.#goTo(s.flow.start);
      return undefined;
    }
    if (s.waiting.for === 'answered' && this.#current()?.kind === 'answer') {
      const node = this.#current() as Extract<FlowNode, { kind: 'answer' }>;
      this.#goTo(node.next);
    }
    return undefined;
  }

  #bridged(legId: string): string | undefined {
    const s = this.state;
    const leg = s.legs[legId];
    if (leg === undefined) return 'unknown leg';
    if (leg.state === 'bridged' || leg.state === 'hangup') return `leg already ${leg.state}`;
    leg.state = 'bridged';
    if (s.waiting.for === 'transfer') {
      s.status = 'bridged';
      s.waiting = { for: 'nothing' };
      s.outcome = 'transferred';
      this.effects.push({ type: 'cancel_deadlines' });
      this.#note(`transfer connected (${this.#current()?.kind === 'transfer' ? s.node : 'transfer'})`);
    }
    return undefined;
  }

  #hangup(input: Extract<Input, { type: 'hangup' }>): string | undefined {
    const s = this.state;
    const leg = s.legs[input.leg];
    if (leg === undefined) return 'unknown leg';
    if (leg.state === 'hangup') return 'leg already hung up';
    const wasBridged = leg.state === 'bridged';
    leg.state = 'hangup';
    leg.ended_at = this.now;
    leg.hangup_cause = input.cause;
    leg.hangup_source = input.source;

    if (leg.role === 'transfer') {
      if (s.waiting.for === 'transfer' && !wasBridged) {
        // Nobody answered, the line was busy, or the transfer failed: the flow goes on.
        this.#note(`transfer not answered (${input.cause ?? 'no cause'})`);
        return this.#transferFailed();
      }
      // A transfer the flow already gave up on (its deadline hung the ringing leg up): the flow has
      // moved on, and the caller stays.
      if (!wasBridged && s.status !== 'bridged') return undefined;
      // The person the call was transferred to hung up: the call is over.
      const main = this.#main();
      if (main && main.state !== 'hangup') this.#command(main.call_control_id, 'hangup', {});
      return undefined;
    }
    if (input.leg !== s.main_leg) return undefined;
    // The main leg is gone: the call is over, whatever step it was at.
    s.status = 'ended';
    s.ended_at = this.now;
    s.outcome ??= this.#outcomeAtHangup(input);
    s.waiting = { for: 'nothing' };
    this.effects.push({ type: 'cancel_deadlines' });
    for (const other of Object.values(s.legs)) {
      if (other.state !== 'hangup' && other.call_control_id !== input.leg) {
        this.#command(other.call_control_id, 'hangup', {});
      }
    }
    this.effects.push({ type: 'ended' });
    return undefined;
  }

  #outcomeAtHangup(input: Extract<Input, { type: 'hangup' }>): string {
    const s = this.state;
    if (s.recording !== null) return 'voicemail';
    if (s.waiting.for === 'hangup') return 'completed';
    const main = this.#main();
    // A call dialled out that was never answered: Telnyx reports its end as the caller's (our) side.
    if (s.direction === 'outgoing' && (main === undefined || main.answered_at === null)) {
      return `not answered (${input.cause ?? 'unknown'})`;
    }
    const where = s.node === null ? 'before the flow' : `at ${s.node}`;
    return `${input.source === 'caller' ? 'caller hung up' : `hung up (${input.cause ?? 'unknown'})`} ${where}`;
  }

  // --- Flow nodes -------------------------------------------------------------------------------

  #main(): Leg | undefined {
    return this.state.main_leg === null ? undefined : this.state.legs[this.state.main_leg];
  }

  #current(): FlowNode | undefined {
    const { flow, node } = this.state;
    return flow === null || node === null ? undefined : flow.nodes[node];
  }

  /** Moves to `nodeId` and starts it, or stops the flow if it is broken (validation prevents that). */
  #goTo(nodeId: string): void {
    const s = this.state;
    const node = s.flow?.nodes[nodeId];
    const main = this.#main();
    if (node === undefined || main === undefined) {
      this.#note(`flow has no node ${nodeId}; hanging up`);
      this.#hangUp();
      return;
    }
    if (main.state === 'hangup') return;
    this.#entered += 1;
    if (this.#entered > MAX_NODES_PER_INPUT) {
      this.#note(`flow ran ${MAX_NODES_PER_INPUT} nodes without waiting; hanging up`);
      this.#hangUp();
      return;
    }
    if (s.node !== nodeId) s.menu_tries = 0;
    s.node = nodeId;
    s.step += 1;
    s.path.push(nodeId);
    this.effects.push({ type: 'cancel_deadlines' });
    this.#enter(node);
  }

  #enter(node: FlowNode): void {
    const s = this.state;
    const leg = s.main_leg!;
    const answered = this.#main()!.state !== 'initiated';
    // Anything but answer and hangup needs the call answered first; Telnyx refuses media on a
    // parked call, so answer on the way rather than fail.
    if (!answered && node.kind !== 'answer' && node.kind !== 'hangup' && node.kind !== 'business_hours') {
      if (node.kind !== 'ask_business') this.#command(leg, 'answer', {});
    }
    switch (node.kind) {
      case 'answer':
        if (answered) return this.#goTo(node.next);
        s.waiting = { for: 'answered' };
        this.effects.push({ type: 'deadline', name: 'answer', at: this.now + MARGIN_MS.answer, step: s.step });
        return this.#command(leg, 'answer', {});
      case 'speak':
        s.waiting = { for: 'prompt_ended' };
        return this.#prompt(leg, { speak: node.text, voice: node.voice, language: node.language });
      case 'play':
        s.waiting = { for: 'prompt_ended' };
        return this.#prompt(leg, { audio_url: node.audio_url });
      case 'menu':
        return this.#gather(node);
      case 'transfer':
        s.waiting = { for: 'transfer' };
        this.effects.push({
          type: 'deadline',
          name: 'transfer',
          at: this.now + node.ring_timeout_secs * 1000 + MARGIN_MS.transfer,
          step: s.step,
        });
        return this.#command(leg, 'transfer', {
          to: node.to,
          ...(node.from !== undefined && { from: node.from }),
          timeout_secs: node.ring_timeout_secs,
        });
      case 'voicemail':
        if (node.prompt !== undefined) {
          s.waiting = { for: 'prompt_ended' };
          return this.#prompt(leg, node.prompt);
        }
        return this.#startRecording(node);
      case 'business_hours':
        return this.#goTo(isOpen(node, this.now) ? node.open : node.closed);
      case 'ask_business':
        s.waiting = { for: 'ask' };
        this.effects.push({
          type: 'ask',
          url: node.url,
          deadline_ms: node.deadline_ms,
          allowed: node.allowed,
          context: this.#context(),
        });
        return;
      case 'hangup':
        s.outcome ??= 'completed';
        return this.#hangUp();
    }
  }

  #prompt(leg: string, prompt: Prompt): void {
    this.effects.push({
      type: 'deadline',
      name: 'prompt',
      at: this.now + promptMs(prompt) + MARGIN_MS.prompt,
      step: this.state.step,
    });
    if ('audio_url' in prompt) {
      this.#command(leg, 'playback_start', { audio_url: prompt.audio_url });
    } else {
      this.#command(leg, 'speak', {
        payload: prompt.speak,
        voice: prompt.voice ?? DEFAULT_VOICE,
        language: prompt.language ?? DEFAULT_LANGUAGE,
      });
    }
  }

  #gather(node: MenuNode): void {
    const s = this.state;
    s.waiting = { for: 'digits' };
    const common = {
      minimum_digits: 1,
      maximum_digits: node.max_digits,
      timeout_millis: node.timeout_secs * 1000,
      valid_digits: '0123456789*#',
      terminating_digit: terminatorFor(node),
      // The edge counts retries itself, so a wrong choice and silence can lead different ways.
      maximum_tries: 1,
    };
    const prompt = node.prompt;
    if ('audio_url' in prompt) {
      this.#command(s.main_leg!, 'gather_using_audio', { audio_url: prompt.audio_url, ...common });
    } else {
      this.#command(s.main_leg!, 'gather_using_speak', {
        payload: prompt.speak,
        voice: prompt.voice ?? DEFAULT_VOICE,
        language: prompt.language ?? DEFAULT_LANGUAGE,
        ...common,
      });
    }
    // Telnyx reports a menu nobody answers; if that report never comes, the alarm does.
    this.effects.push({
      type: 'deadline',
      name: 'menu',
      at: this.now + node.timeout_secs * 1000 + promptMs(prompt) + MARGIN_MS.menu,
      step: s.step,
    });
  }

  #startRecording(node: Extract<FlowNode, { kind: 'voicemail' }>): void {
    const s = this.state;
    s.waiting = { for: 'recording' };
    s.recording = { node: s.node!, forward_url: node.forward_url, started_at: this.now };
    this.#command(s.main_leg!, 'record_start', {
      format: 'mp3',
      channels: 'single',
      play_beep: node.beep,
      max_length: node.max_length_secs,
    });
    this.effects.push({
      type: 'deadline',
      name: 'voicemail',
      at: this.now + node.max_length_secs * 1000 + MARGIN_MS.voicemail,
      step: s.step,
    });
  }

  #hangUp(): void {
    const s = this.state;
    const main = this.#main();
    s.waiting = { for: 'hangup' };
    if (main && main.state !== 'hangup') this.#command(main.call_control_id, 'hangup', {});
  }

  #promptEnded(input: Extract<Input, { type: 'prompt_ended' }>): string | undefined {
    const s = this.state;
    const stale = this.#stale(input.leg, input.step);
    if (stale) return stale;
    const node = this.#current();
    if (node === undefined) return 'no current node';
    if (s.waiting.for === 'invalid_prompt_ended' && node.kind === 'menu') {
      this.#gather(node);
      return undefined;
    }
    if (s.waiting.for !== 'prompt_ended') return `waiting for ${s.waiting.for}`;
    if (input.status === 'call_hangup') return 'prompt ended by the hangup';
    if (node.kind === 'speak' || node.kind === 'play') {
      this.#goTo(node.next);
      return undefined;
    }
    if (node.kind === 'voicemail') {
      this.#startRecording(node);
      return undefined;
    }
    return `a prompt ended at a ${node.kind} node`;
  }

  #gatherEnded(input: Extract<Input, { type: 'gather_ended' }>): string | undefined {
    const s = this.state;
    const stale = this.#stale(input.leg, input.step);
    if (stale) return stale;
    const node = this.#current();
    if (s.waiting.for !== 'digits' || node?.kind !== 'menu') return `waiting for ${s.waiting.for}`;
    if (input.status === 'call_hangup' || input.status === 'cancelled') return `gather ${input.status}`;
    // Telnyx may include the key that ended the entry; it is not part of the choice.
    const terminator = terminatorFor(node);
    const digits =
      input.digits.endsWith(terminator) && node.options[input.digits] === undefined
        ? input.digits.slice(0, -1)
        : input.digits;
    if (input.status === 'valid' && digits !== '' && node.options[digits] !== undefined) {
      this.#note(`pressed ${digits}`);
      this.#goTo(node.options[digits]!);
      return undefined;
    }
    const silent = input.status === 'timeout' || digits === '';
    this.#note(silent ? 'no choice made' : `pressed ${digits}: not a choice`);
    this.#retryMenu(node, silent ? 'timeout' : 'invalid');
    return undefined;
  }

  #retryMenu(node: MenuNode, why: 'timeout' | 'invalid'): void {
    const s = this.state;
    if (s.menu_tries < node.retries) {
      s.menu_tries += 1;
      s.step += 1;
      s.path.push(s.node!);
      this.effects.push({ type: 'cancel_deadlines' });
      if (node.invalid_prompt !== undefined) {
        s.waiting = { for: 'invalid_prompt_ended' };
        this.#prompt(s.main_leg!, node.invalid_prompt);
      } else {
        this.#gather(node);
      }
      return;
    }
    this.#goTo(why === 'timeout' ? node.on_timeout : node.on_invalid);
  }

  #transferFailed(): string | undefined {
    const node = this.#current();
    if (node?.kind !== 'transfer') return 'not at a transfer';
    this.#goTo(node.on_no_answer);
    return undefined;
  }

  #recordingSaved(urls: Record<string, string>): string | undefined {
    const s = this.state;
    if (s.recording_urls !== null) return 'recording already saved';
    s.recording_urls = urls;
    if (s.recording === null) return 'no voicemail was being recorded';
    this.effects.push({
      type: 'forward_recording',
      url: s.recording.forward_url,
      body: {
        event_type: 'voicemail.saved',
        call_session_id: s.session_id,
        node: s.recording.node,
        from: this.#main()?.from ?? null,
        to: this.#main()?.to ?? null,
        recording_urls: urls,
        recording_started_at: new Date(s.recording.started_at).toISOString(),
      },
    });
    return undefined;
  }

  #deadline(name: DeadlineName, step: number): string | undefined {
    const s = this.state;
    if (step !== s.step || s.status === 'ended') return 'deadline of an earlier step';
    const node = this.#current();
    switch (name) {
      case 'ringing':
        if (s.status !== 'ringing' && s.waiting.for !== 'flow') return 'the call is under way';
        this.#note('still ringing with nothing to run; rejecting');
        s.outcome = 'rejected: no flow in time';
        this.#command(s.main_leg!, 'reject', { cause: 'CALL_REJECTED' });
        return undefined;
      case 'menu':
        if (s.waiting.for !== 'digits' || node?.kind !== 'menu') return 'not at a menu';
        this.#note('menu got no answer from Telnyx in time');
        this.#retryMenu(node, 'timeout');
        return undefined;
      case 'transfer':
        if (s.waiting.for !== 'transfer') return 'not transferring';
        this.#note('transfer never connected');
        for (const leg of Object.values(s.legs)) {
          if (leg.role === 'transfer' && leg.state !== 'hangup') this.#command(leg.call_control_id, 'hangup', {});
        }
        return this.#transferFailed();
      case 'prompt':
        if (s.waiting.for !== 'prompt_ended' && s.waiting.for !== 'invalid_prompt_ended') return 'no prompt playing';
        this.#note('the prompt never reported its end; going on');
        return this.#promptEnded({ type: 'prompt_ended', leg: s.main_leg!, status: 'deadline', step: s.step });
      case 'answer':
        if (s.waiting.for !== 'answered' || s.direction !== 'incoming') return 'not answering';
        this.#note('the answer was never confirmed; hanging up');
        s.outcome ??= 'failed: answer';
        this.#hangUp();
        return undefined;
      case 'voicemail':
        if (s.waiting.for !== 'recording' || node?.kind !== 'voicemail') return 'not recording';
        this.#command(s.main_leg!, 'record_stop', {});
        this.#goTo(node.next);
        return undefined;
    }
  }

  #askAnswered(input: Extract<Input, { type: 'ask_answered' }>): string | undefined {
    const s = this.state;
    const node = this.#current();
    if (input.step !== s.step || s.waiting.for !== 'ask' || node?.kind !== 'ask_business') return 'stale answer';
    const allowed = node.allowed.length === 0 || (input.next !== null && node.allowed.includes(input.next));
    const next = input.next !== null && allowed && s.flow?.nodes[input.next] !== undefined ? input.next : null;
    this.#note(next === null ? 'the business gave no usable answer; default' : `the business chose ${next}`);
    this.#goTo(next ?? node.default);
    return undefined;
  }

  #commandFailed(input: Extract<Input, { type: 'command_failed' }>): string | undefined {
    const s = this.state;
    if (s.status === 'ended') return 'call ended';
    if (input.step !== s.step) return 'a command of an earlier step';
    if (input.action === 'hangup' || input.action === 'reject') return 'hanging up failed; the call ends anyway';
    // A second command of the step failed too (an answer, then its speak): the hangup is decided.
    if (s.waiting.for === 'hangup') return 'already hanging up';
    // Waiting for an event the failed command would have caused would leave the caller in
    // silence: end the call plainly instead.
    this.#note(`${input.action} failed (${input.detail}); hanging up`);
    s.outcome ??= `failed: ${input.action}`;
    this.#hangUp();
    return undefined;
  }

  /** Why an event for `leg` at `step` is stale, if it is. */
  #stale(leg: string, step: number | undefined): string | undefined {
    const s = this.state;
    if (s.status === 'ended') return 'call ended';
    if (leg !== s.main_leg) return 'not the main leg';
    if (step !== undefined && step !== s.step) return `stale (step ${step}, now ${s.step})`;
    return undefined;
  }

  #command(leg: string, action: CommandAction, body: Record<string, unknown>): void {
    const target = this.state.legs[leg];
    if (target === undefined || target.state === 'hangup') return; // never command a leg that has ended
    this.effects.push({ type: 'command', leg, action, body });
  }

  #note(text: string): void {
    this.effects.push({ type: 'note', text });
  }

  /** What ask_business sends: who is calling whom, where the call has been. */
  #context(): Record<string, unknown> {
    const s = this.state;
    const main = this.#main();
    return {
      call_session_id: s.session_id,
      direction: s.direction,
      from: main?.from ?? null,
      to: main?.to ?? null,
      flow_id: s.flow?.id ?? null,
      node: s.node,
      path: s.path,
    };
  }
}

const WEEKDAYS: Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Whether `now` falls in the node's opening hours (holidays closed all day). */
export function isOpen(node: Extract<FlowNode, { kind: 'business_hours' }>, now: number): boolean {
  const local = localTime(now, node.time_zone);
  if (node.holidays.includes(local.date)) return false;
  const minute = local.hour * 60 + local.minute;
  const toMinute = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return (node.weekly[WEEKDAYS[local.weekday]!] ?? []).some(
    ([start, end]) => minute >= toMinute(start) && minute < toMinute(end),
  );
}

/**
 * The key that ends an entry: # unless # is itself a choice (allowed when choices are one key, as
 * the validator checks), then the first key no one-key choice uses.
 */
function terminatorFor(node: MenuNode): string {
  const used = new Set(Object.keys(node.options));
  return ['#', '*', ...'0123456789'].find((key) => !used.has(key)) ?? '#';
}

/** A generous guess at how long a prompt takes to say, for the menu's safety deadline. */
function promptMs(prompt: Prompt): number {
  return 'speak' in prompt ? 2000 + prompt.speak.length * 100 : 120_000;
}
