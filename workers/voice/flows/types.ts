// A call flow: a JSON document of named nodes, each one step of a call (answer, speak, a menu, a
// transfer, ...), linked by node ids. Stored in KV and managed at /flows; a call runs a copy of the
// flow as it was when the call began, so editing a flow never changes a call in progress.
//
// Every link is a node id in the same flow. The checks on write (validate.ts) make sure every link
// resolves, every node is reachable from `start`, every node can reach an end (a hangup or a
// transfer), and every number and duration is in range. A stored flow has every default below
// filled in, so the call engine never needs one; fields not listed here are refused on write.

/** What the caller hears: spoken text (at most 3000 characters), or an audio file (https). */
export type Prompt = { speak: string; voice?: string; language?: string } | { audio_url: string };

export interface AnswerNode {
  kind: 'answer';
  next: string;
}

export interface SpeakNode {
  kind: 'speak';
  text: string;
  /** Telnyx's voice name: `female`, `male`, or `<Provider>.<Model>.<Voice>` (e.g. AWS.Polly.Joanna). */
  voice?: string;
  /** e.g. en-US; Telnyx ignores it for Polly voices. */
  language?: string;
  next: string;
}

export interface PlayNode {
  kind: 'play';
  /** https. */
  audio_url: string;
  next: string;
}

export interface MenuNode {
  kind: 'menu';
  prompt: Prompt;
  /** Said (or played) after a wrong choice or silence, before the prompt again. */
  invalid_prompt?: Prompt;
  /** How long to wait for the first digit after the prompt: 1..60 s, default 5. */
  timeout_secs: number;
  /** Times the prompt is repeated after a wrong choice or silence: 0..5, default 2. */
  retries: number;
  /** Digits in a choice: 1..16, default 1 (a choice of several digits ends with # or at this many). */
  max_digits: number;
  /** Choice → node, at least one. Keys are digit strings made of 0-9, * and #, at most max_digits
   * long; # only as a one-digit choice (with max_digits above 1, # ends a choice). */
  options: Record<string, string>;
  /** After the last retry with a wrong choice. */
  on_invalid: string;
  /** After the last retry with silence. */
  on_timeout: string;
}

export interface TransferNode {
  kind: 'transfer';
  /** +E.164 number or a sip: URI. */
  to: string;
  /** Caller ID shown to the person called (+E.164); Telnyx's default is the caller's number. */
  from?: string;
  /** How long the other side may ring: 5..120 s, default 30. */
  ring_timeout_secs: number;
  /** When nobody answers, the line is busy, or the transfer fails. */
  on_no_answer: string;
}

export interface VoicemailNode {
  kind: 'voicemail';
  prompt?: Prompt;
  /** Recording length at most: 5..600 s, default 120. */
  max_length_secs: number;
  /** A beep before recording; default true. */
  beep: boolean;
  /** Where the recording's details go when Telnyx has saved it (https). */
  forward_url: string;
  /** After the recording ends (at max length); a caller who hangs up ends the call instead. */
  next: string;
}

export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface BusinessHoursNode {
  kind: 'business_hours';
  /** IANA time zone, e.g. America/Chicago. */
  time_zone: string;
  /**
   * Opening hours per weekday as [start, end] pairs of "HH:MM" from 00:00 to 23:59: open from start
   * up to, not including, end (end after start; pairs of one day do not overlap; at most 12 a day).
   * A missing day is closed.
   */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Dates (YYYY-MM-DD, years 2000..2100, each once, in time_zone) closed all day; default []. */
  holidays: string[];
  open: string;
  closed: string;
}

export interface AskBusinessNode {
  kind: 'ask_business';
  /** https URL that receives the call's context and may answer `{ "next": "<node id>" }`. */
  url: string;
  /** How long to wait for its answer: 100..1500 ms, default 1000 (the call is silent meanwhile). */
  deadline_ms: number;
  /** The nodes it may name, each once; empty (the default): any node of the flow, so then every
   * node counts as reachable from this one. */
  allowed: string[];
  /** When it answers late, wrongly, or names a node it may not. */
  default: string;
}

export interface HangupNode {
  kind: 'hangup';
}

export type FlowNode =
  | AnswerNode
  | SpeakNode
  | PlayNode
  | MenuNode
  | TransferNode
  | VoicemailNode
  | BusinessHoursNode
  | AskBusinessNode
  | HangupNode;

export type NodeKind = FlowNode['kind'];

export interface Flow {
  /** 1..64 of a-z, 0-9, - and _; given on create or generated (a UUID). */
  id: string;
  /** 1..200 characters. */
  name: string;
  /** Called numbers (strict +E.164, each once, at most 100) this flow answers; a number belongs to
   * one flow. Default []. */
  numbers: string[];
  /** The node a call starts at. */
  start: string;
  /** By node id: 1..64 of A-Z, a-z, 0-9, - and _; 1..200 nodes. */
  nodes: Record<string, FlowNode>;
  created_at: string;
  updated_at: string;
}

/** The fields a client writes (POST /flows, PUT /flows/{id}); the rest are the edge's. */
export type FlowInput = Pick<Flow, 'name' | 'numbers' | 'start' | 'nodes'> & { id?: string };

/** The links out of a node, as [field, node id] pairs, in a fixed order. */
export function linksOf(node: FlowNode): Array<[string, string]> {
  switch (node.kind) {
    case 'answer':
    case 'speak':
    case 'play':
    case 'voicemail':
      return [['next', node.next]];
    case 'menu':
      return [
        ...Object.entries(node.options).map(([digits, to]): [string, string] => [`options/${digits}`, to]),
        ['on_invalid', node.on_invalid],
        ['on_timeout', node.on_timeout],
      ];
    case 'transfer':
      return [['on_no_answer', node.on_no_answer]];
    case 'business_hours':
      return [
        ['open', node.open],
        ['closed', node.closed],
      ];
    case 'ask_business':
      return [['default', node.default], ...node.allowed.map((to, i): [string, string] => [`allowed/${i}`, to])];
    case 'hangup':
      return [];
  }
}

/** Nodes where a call's flow can end: a hangup, or a transfer (once bridged, the flow is done). */
export function isEnd(node: FlowNode): boolean {
  return node.kind === 'hangup' || node.kind === 'transfer';
}
