// A call flow: a JSON document of named nodes, each one step of a call (answer, speak, a menu, a
// transfer, ...), linked by node ids. Stored in KV and managed at /flows; a call runs a copy of the
// flow as it was when the call began, so editing a flow never changes a call in progress.
//
// Every link is a node id in the same flow. The checks on write (validate.ts) make sure every link
// resolves, every node is reachable from `start`, every node can reach an end (a hangup or a
// transfer), and every number and duration is in range.

/** What the caller hears: spoken text, or an audio file. */
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
  audio_url: string;
  next: string;
}

export interface MenuNode {
  kind: 'menu';
  prompt: Prompt;
  /** Said (or played) after a wrong choice or silence, before the prompt again. */
  invalid_prompt?: Prompt;
  /** How long to wait for the first digit after the prompt: 1..60 s. */
  timeout_secs: number;
  /** Times the prompt is repeated after a wrong choice or silence: 0..5. */
  retries: number;
  /** Digits in a choice: 1..16 (a choice of several digits ends with # or at this many). */
  max_digits: number;
  /** Choice → node. Keys are digit strings made of 0-9, * and #. */
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
  /** How long the other side may ring: 5..120 s. */
  ring_timeout_secs: number;
  /** When nobody answers, the line is busy, or the transfer fails. */
  on_no_answer: string;
}

export interface VoicemailNode {
  kind: 'voicemail';
  prompt?: Prompt;
  /** Recording length at most: 5..600 s. */
  max_length_secs: number;
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
  /** Opening hours per weekday as [start, end] pairs of "HH:MM" (end after start; a missing day is closed). */
  weekly: Partial<Record<Weekday, Array<[string, string]>>>;
  /** Dates (YYYY-MM-DD, in time_zone) that are closed all day. */
  holidays: string[];
  open: string;
  closed: string;
}

export interface AskBusinessNode {
  kind: 'ask_business';
  /** https URL that receives the call's context and may answer `{ "next": "<node id>" }`. */
  url: string;
  /** How long to wait for its answer: 100..1500 ms (the call is silent meanwhile). */
  deadline_ms: number;
  /** The nodes it may name; empty: any node of the flow. */
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
  /** 1..64 of a-z, 0-9, - and _; given on create or generated. */
  id: string;
  name: string;
  /** Called numbers (+E.164) this flow answers; a number belongs to one flow. */
  numbers: string[];
  /** The node a call starts at. */
  start: string;
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
