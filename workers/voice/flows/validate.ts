// Checking a call flow document (types.ts) before it is stored: a pure function from what a client
// sent to either the normalized Flow (defaults filled in, fields in a fixed order) or every problem
// found, each a Telnyx error object whose `source.pointer` names the faulty place, e.g.
// "/nodes/main_menu/options/3" or "/nodes/sales/ring_timeout_secs". Nothing stops at the first
// problem: a client fixing a flow sees them all at once.
//
// Two passes. The first checks every field of the document and of each node by its kind (types,
// required fields, ranges, formats; a field the kind does not have is refused, so a typo such as
// "timout_secs" cannot pass silently as "use the default"). While it goes it records each node's
// links. The second looks at the graph those links make: links to nodes that do not exist, a
// `start` that is not a node, nodes no call can reach from `start`, and nodes from which no call can
// reach an end (types.ts isEnd: a hangup or a transfer), i.e. loops with no way out.
//
// Each fault is reported once, where it is: a node whose kind is unknown or whose link is broken
// is not also blamed for what the graph pass cannot know about it (see Graph below).

import { ApiError, TelnyxCode, type TelnyxErrorObject } from '../../../shared/errors';
import { parsePhoneNumber } from '../../../shared/phone';
import { isEnd, type Flow, type FlowNode, type NodeKind, type Prompt, type Weekday } from './types';

/** Flow ids: 1 to 64 of a-z, 0-9, - and _ (a generated id is a UUID, which fits). */
export const FLOW_ID = /^[a-z0-9_-]{1,64}$/;
/** Node ids: 1 to 64 of A-Z, a-z, 0-9, - and _ (so a pointer to a node never needs escaping). */
export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Sizes a flow may have; README "Call flows" lists them. */
export const FLOW_LIMITS = {
  name: 200,
  numbers: 100,
  nodes: 200,
  /** Telnyx's limit on the text of one speak command. */
  speak: 3000,
  voice: 100,
  language: 35,
  url: 2048,
  sipUri: 256,
  options: 100,
  intervalsPerDay: 12,
  holidays: 366,
  /** Problems reported for one document; more are summed up in one last error. */
  errors: 100,
} as const;

export interface Range {
  min: number;
  max: number;
  default: number;
}

/** Every number a node carries: its range and the default filled in when it is left out. */
export const FLOW_RANGES = {
  menu: {
    timeout_secs: { min: 1, max: 60, default: 5 },
    retries: { min: 0, max: 5, default: 2 },
    max_digits: { min: 1, max: 16, default: 1 },
  },
  transfer: { ring_timeout_secs: { min: 5, max: 120, default: 30 } },
  voicemail: { max_length_secs: { min: 5, max: 600, default: 120 } },
  ask_business: { deadline_ms: { min: 100, max: 1500, default: 1000 } },
} as const satisfies Record<string, Record<string, Range>>;

export const NODE_KINDS: readonly NodeKind[] = [
  'answer',
  'speak',
  'play',
  'menu',
  'transfer',
  'voicemail',
  'business_hours',
  'ask_business',
  'hangup',
];

/** The fields of each kind besides `kind`, in the order the stored document has them. */
const KIND_FIELDS: { readonly [K in NodeKind]: readonly string[] } = {
  answer: ['next'],
  speak: ['text', 'voice', 'language', 'next'],
  play: ['audio_url', 'next'],
  menu: ['prompt', 'invalid_prompt', 'timeout_secs', 'retries', 'max_digits', 'options', 'on_invalid', 'on_timeout'],
  transfer: ['to', 'from', 'ring_timeout_secs', 'on_no_answer'],
  voicemail: ['prompt', 'max_length_secs', 'beep', 'forward_url', 'next'],
  business_hours: ['time_zone', 'weekly', 'holidays', 'open', 'closed'],
  ask_business: ['url', 'deadline_ms', 'allowed', 'default'],
  hangup: [],
};

export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Fields a client may write. created_at and updated_at are the edge's: accepted and ignored, so a
 * document read with GET can be sent back with PUT as it is. */
const FLOW_FIELDS = ['id', 'name', 'numbers', 'start', 'nodes'];
const READ_ONLY_FIELDS = ['created_at', 'updated_at'];

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Earliest and latest holiday years: a wider range is more likely a typo than a plan. */
const HOLIDAY_YEARS = [2000, 2100] as const;
const VOICE = /^(?:male|female|[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9_-]+){1,3})$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}$/;
const TIME_ZONE = /^[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+){0,2}$/;
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
/** sip:user@host[:port][;params]: the user part as RFC 3261 allows it unescaped, a DNS name or IPv4. */
const SIP_URI = new RegExp(
  `^sip:[A-Za-z0-9_.!~*'()&=+$,?/%-]+@${HOST_LABEL}(?:\\.${HOST_LABEL})*(?::(\\d{1,5}))?(?:;[A-Za-z0-9_.!~*'()&=+$,;:%-]*)?$`,
);

// --- Results and errors ----------------------------------------------------------------------------

export type FlowValidation = { ok: true; flow: Flow } | { ok: false; errors: TelnyxErrorObject[] };

export interface ValidateOptions {
  /** The flow's id: a fresh one (POST, used when the document has none) or the path's (PUT). */
  id: string;
  /** The id comes from the path (PUT): a document that names an id must name this one. */
  idFromPath?: boolean;
  created_at: string;
  updated_at: string;
  /** The JSON text the document was parsed from, to find keys written twice (JSON.parse keeps
   * the last one silently, so a menu option given twice would lose one without this). */
  text?: string;
}

/** The 422 for a document with problems (all of them, in one response). */
export function invalidFlow(errors: TelnyxErrorObject[]): ApiError {
  return new ApiError(422, errors);
}

/** A JSON pointer (RFC 6901) from its segments, each escaped. */
export function pointer(...segments: Array<string | number>): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

class Problems {
  readonly list: TelnyxErrorObject[] = [];

  add(at: string, title: string, detail: string, code: string = TelnyxCode.badRequest): void {
    this.list.push({ code, title, detail, source: { pointer: at } });
  }

  invalid(at: string, detail: string): void {
    this.add(at, 'Invalid parameter', detail);
  }

  missing(at: string, name: string): void {
    this.add(at, 'Missing required parameter', `'${name}' is required.`, TelnyxCode.missingParameter);
  }

  /** The problems as the response carries them: at most FLOW_LIMITS.errors, then a count of the rest. */
  result(): TelnyxErrorObject[] {
    const max = FLOW_LIMITS.errors;
    if (this.list.length <= max) return this.list;
    return [
      ...this.list.slice(0, max),
      {
        code: TelnyxCode.badRequest,
        title: 'Too many problems',
        detail: `${this.list.length - max} more problems were found; fix these and send the flow again.`,
        source: { pointer: '/' },
      },
    ];
  }
}

/** `; did you mean "x"?` when a known word is within two edits of `word` (one, for short words). */
function suggestion(word: string, known: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = word.length <= 4 ? 2 : 3;
  for (const candidate of known) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === undefined ? '' : `; did you mean "${best}"?`;
}

/** Ends a sentence: with the suggestion's question mark when there is one, else a full stop. */
function endWith(hint: string): string {
  return hint === '' ? '.' : hint;
}

/** Edits (insert, delete, replace, swap two neighbours) from a to b; 3 stands for "more than 2". */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return 3;
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, before[j - 2]! + 1);
    }
    [before, previous] = [previous, row];
  }
  return previous[b.length]!;
}

// --- Field readers ---------------------------------------------------------------------------------
// Each reads one field of `obj` (found at pointer `at`), reports what is wrong with it, and returns
// the value to store (the default when the field is absent and has one) or undefined.

type Fields = Record<string, unknown>;

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const show = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'an array'
      : typeof value === 'string'
        ? JSON.stringify(value)
        : typeof value === 'object'
          ? 'an object'
          : String(value);

/** Refuses fields outside `known` (plus `ignored`), each with its own pointer. */
function refuseUnknown(
  p: Problems,
  obj: Fields,
  at: string,
  known: readonly string[],
  what: string,
  ignored: readonly string[] = [],
) {
  for (const key of Object.keys(obj)) {
    if (known.includes(key) || ignored.includes(key)) continue;
    p.add(at + pointer(key), 'Unknown field', `${what} has no field "${key}"${endWith(suggestion(key, known))}`);
  }
}

/** Reads `key` of `obj` (at `at`): undefined when absent (and a missing-field error when it is
 * required), else what `check` makes of the value found at `here`. */
function field<T>(
  p: Problems,
  obj: Fields,
  key: string,
  at: string,
  required: boolean,
  check: (value: unknown, here: string) => T | undefined,
): T | undefined {
  const here = at + pointer(key);
  if (obj[key] !== undefined) return check(obj[key], here);
  if (required) p.missing(here, key);
  return undefined;
}

function text(p: Problems, obj: Fields, key: string, at: string, max: number, required: boolean): string | undefined {
  return field(p, obj, key, at, required, (value, here) => {
    if (typeof value !== 'string' || value.trim() === '')
      p.invalid(here, `${key} must be non-empty text, not ${show(value)}.`);
    else if (value.length > max)
      p.invalid(here, `${key} is ${value.length} characters long; at most ${max} are allowed.`);
    else return value;
    return undefined;
  });
}

function integer(p: Problems, obj: Fields, key: string, at: string, range: Range): number | undefined {
  const value = obj[key];
  if (value === undefined) return range.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    p.invalid(
      at + pointer(key),
      `${key} must be a whole number from ${range.min} to ${range.max}, not ${show(value)}.`,
    );
    return undefined;
  }
  return value;
}

function boolean(p: Problems, obj: Fields, key: string, at: string, fallback: boolean): boolean | undefined {
  const value = obj[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') {
    p.invalid(at + pointer(key), `${key} must be true or false, not ${show(value)}.`);
    return undefined;
  }
  return value;
}

/** What is wrong with an https URL, or undefined. */
function httpsProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be an https URL, not ${show(value)}`;
  if (value.length > FLOW_LIMITS.url) return `is longer than ${FLOW_LIMITS.url} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a URL: ${JSON.stringify(value)}`;
  }
  if (url.protocol !== 'https:') return `must be an https URL, not ${url.protocol.slice(0, -1)}`;
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password';
  return undefined;
}

function httpsUrl(p: Problems, obj: Fields, key: string, at: string, required: boolean): string | undefined {
  return field(p, obj, key, at, required, (value, here) => {
    const problem = httpsProblem(value);
    if (problem === undefined) return value as string;
    p.invalid(here, `${key} ${problem}.`);
    return undefined;
  });
}

/** A strict +E.164 number, with shared/phone's own error (code 10016 or 10002) at `here`. */
function phoneNumber(p: Problems, value: unknown, here: string): string | undefined {
  try {
    return parsePhoneNumber(value, { source: { pointer: here } }).e164;
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    p.list.push(...error.errors);
    return undefined;
  }
}

function voiceAndLanguage(p: Problems, obj: Fields, at: string): { voice?: string; language?: string } {
  const out: { voice?: string; language?: string } = {};
  const voice = text(p, obj, 'voice', at, FLOW_LIMITS.voice, false);
  if (voice !== undefined) {
    if (VOICE.test(voice)) out.voice = voice;
    else
      p.invalid(
        at + pointer('voice'),
        `voice must be "female", "male" or a Telnyx voice name such as "AWS.Polly.Joanna", not ${show(voice)}.`,
      );
  }
  const language = text(p, obj, 'language', at, FLOW_LIMITS.language, false);
  if (language !== undefined) {
    if (LANGUAGE.test(language)) out.language = language;
    else p.invalid(at + pointer('language'), `language must be a language tag such as "en-US", not ${show(language)}.`);
  }
  return out;
}

/** A prompt: exactly one of `speak` (with its voice and language) or `audio_url`. */
function prompt(p: Problems, obj: Fields, key: string, at: string, required: boolean): Prompt | undefined {
  return field(p, obj, key, at, required, (value, here) => promptAt(p, value, here, key));
}

function promptAt(p: Problems, value: unknown, here: string, key: string): Prompt | undefined {
  if (!isObject(value)) {
    p.invalid(here, `${key} must be an object with "speak" (text) or "audio_url", not ${show(value)}.`);
    return undefined;
  }
  const speaks = value.speak !== undefined;
  const plays = value.audio_url !== undefined;
  if (speaks === plays) {
    p.invalid(here, `${key} must have exactly one of "speak" (text to say) and "audio_url" (a file to play).`);
    refuseUnknown(p, value, here, ['speak', 'voice', 'language', 'audio_url'], 'A prompt');
    return undefined;
  }
  if (plays) {
    refuseUnknown(p, value, here, ['audio_url'], 'A prompt with audio_url');
    const audio_url = httpsUrl(p, value, 'audio_url', here, true);
    return audio_url === undefined ? undefined : { audio_url };
  }
  refuseUnknown(p, value, here, ['speak', 'voice', 'language'], 'A spoken prompt');
  const speak = text(p, value, 'speak', here, FLOW_LIMITS.speak, true);
  const extras = voiceAndLanguage(p, value, here);
  return speak === undefined ? undefined : { speak, ...extras };
}

// --- The graph, as the first pass records it -------------------------------------------------------

interface GraphNode {
  /** Links whose target is text: [pointer of the link, node id]. */
  links: Array<[at: string, to: string]>;
  /** A hangup or a transfer (types.ts isEnd). */
  end: boolean;
  /** The kind is unknown (or the node is not an object): its links cannot be known. */
  opaque: boolean;
  /** A required link is missing, not text, or names no node. */
  broken: boolean;
  /** An ask_business with no `allowed` list: the business may name any node. */
  anyNode: boolean;
}

/** Reads a link (a node id) found at `here`; whether that node exists is the graph pass's question. */
function linkAt(p: Problems, g: GraphNode, value: unknown, here: string, name: string): string | undefined {
  if (value === undefined) {
    p.missing(here, name);
    g.broken = true;
    return undefined;
  }
  if (typeof value !== 'string') {
    p.invalid(here, `${name} must be the id of a node of this flow, not ${show(value)}.`);
    g.broken = true;
    return undefined;
  }
  g.links.push([here, value]);
  return value;
}

function link(p: Problems, g: GraphNode, obj: Fields, key: string, at: string): string | undefined {
  return linkAt(p, g, obj[key], at + pointer(key), key);
}

// --- Nodes -----------------------------------------------------------------------------------------

type Built = Record<string, unknown>;

function checkMenu(p: Problems, g: GraphNode, node: Fields, at: string): Built {
  const r = FLOW_RANGES.menu;
  const built: Built = {
    prompt: prompt(p, node, 'prompt', at, true),
    invalid_prompt: prompt(p, node, 'invalid_prompt', at, false),
    timeout_secs: integer(p, node, 'timeout_secs', at, r.timeout_secs),
    retries: integer(p, node, 'retries', at, r.retries),
    max_digits: integer(p, node, 'max_digits', at, r.max_digits),
  };
  built.options = checkOptions(p, g, node, at, built.max_digits as number | undefined);
  built.on_invalid = link(p, g, node, 'on_invalid', at);
  built.on_timeout = link(p, g, node, 'on_timeout', at);
  return built;
}

/** A menu's choices: keys of 0-9, * and # that fit max_digits, each a link. */
function checkOptions(p: Problems, g: GraphNode, node: Fields, at: string, maxDigits: number | undefined) {
  const options: Record<string, string> = {};
  const here = at + pointer('options');
  const value = node.options;
  if (value === undefined) p.missing(here, 'options');
  else if (!isObject(value)) {
    p.invalid(here, `options must be an object of choices ("1": "<node id>"), not ${show(value)}.`);
  } else {
    const entries = Object.entries(value);
    if (entries.length === 0) p.invalid(here, 'options must have at least one choice.');
    if (entries.length > FLOW_LIMITS.options) {
      p.invalid(here, `options has ${entries.length} choices; at most ${FLOW_LIMITS.options} are allowed.`);
    }
    for (const [digits, target] of entries.slice(0, FLOW_LIMITS.options)) {
      const option = here + pointer(digits);
      if (!/^[0-9*#]+$/.test(digits)) {
        p.invalid(option, `A choice is made of the keys 0-9, * and #; "${digits}" is not.`);
      } else if (maxDigits !== undefined && digits.length > maxDigits) {
        p.invalid(option, `The choice "${digits}" has ${digits.length} digits, more than max_digits (${maxDigits}).`);
      } else if (maxDigits !== undefined && maxDigits > 1 && digits.includes('#')) {
        p.invalid(option, `With max_digits above 1, # ends a choice, so "${digits}" can never be entered.`);
      }
      const to = linkAt(p, g, target, option, `options/${digits}`);
      if (to !== undefined) options[digits] = to;
    }
  }
  return options;
}

function checkTransfer(p: Problems, g: GraphNode, node: Fields, at: string): Built {
  const here = at + pointer('to');
  let to: string | undefined;
  const value = node.to;
  if (value === undefined) p.missing(here, 'to');
  else if (typeof value === 'string' && (/^[a-z][a-z0-9+.-]*:/i.test(value) || value.includes('@'))) {
    const port = SIP_URI.exec(value)?.[1];
    if (
      value.length > FLOW_LIMITS.sipUri ||
      !SIP_URI.test(value) ||
      (port !== undefined && !(Number(port) >= 1 && Number(port) <= 65535))
    ) {
      p.invalid(
        here,
        `to must be a +E.164 number or a SIP URI such as "sip:alice@example.com"; ${show(value)} is not a SIP URI.`,
      );
    } else to = value;
  } else to = phoneNumber(p, value, here);
  const from = node.from === undefined ? undefined : phoneNumber(p, node.from, at + pointer('from'));
  return {
    to,
    from,
    ring_timeout_secs: integer(p, node, 'ring_timeout_secs', at, FLOW_RANGES.transfer.ring_timeout_secs),
    on_no_answer: link(p, g, node, 'on_no_answer', at),
  };
}

function minutes(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
}

function checkWeekly(p: Problems, node: Fields, at: string): Built | undefined {
  const here = at + pointer('weekly');
  const value = node.weekly;
  if (value === undefined) {
    p.missing(here, 'weekly');
    return undefined;
  }
  if (!isObject(value)) {
    p.invalid(
      here,
      `weekly must be an object of opening hours per day ("mon": [["09:00", "17:00"]]), not ${show(value)}.`,
    );
    return undefined;
  }
  refuseUnknown(p, value, here, WEEKDAYS, 'weekly (days are mon, tue, wed, thu, fri, sat, sun)');
  const weekly: Built = {};
  for (const day of WEEKDAYS) {
    const hours = value[day];
    if (hours === undefined) continue;
    const dayAt = here + pointer(day);
    if (!Array.isArray(hours)) {
      p.invalid(dayAt, `${day} must be a list of [start, end] pairs such as [["09:00", "17:00"]], not ${show(hours)}.`);
      continue;
    }
    if (hours.length > FLOW_LIMITS.intervalsPerDay) {
      p.invalid(dayAt, `${day} has ${hours.length} intervals; at most ${FLOW_LIMITS.intervalsPerDay} are allowed.`);
      continue;
    }
    const good: Array<{ i: number; start: number; end: number }> = [];
    hours.forEach((pair: unknown, i) => {
      const pairAt = dayAt + pointer(i);
      if (!Array.isArray(pair) || pair.length !== 2) {
        p.invalid(pairAt, `An interval is a pair ["HH:MM", "HH:MM"], not ${show(pair)}.`);
        return;
      }
      let ok = true;
      pair.forEach((time: unknown, j) => {
        if (typeof time !== 'string' || !HH_MM.test(time)) {
          p.invalid(pairAt + pointer(j), `A time of day is "HH:MM" from 00:00 to 23:59, not ${show(time)}.`);
          ok = false;
        }
      });
      if (!ok) return;
      const [start, end] = [minutes(pair[0] as string), minutes(pair[1] as string)];
      if (end <= start) {
        p.invalid(pairAt + pointer(1), `The interval ends at ${pair[1]}, not after it starts (${pair[0]}).`);
        return;
      }
      good.push({ i, start, end });
    });
    const sorted = [...good].sort((a, b) => a.start - b.start);
    for (let k = 1; k < sorted.length; k++) {
      const [before, after] = [sorted[k - 1]!, sorted[k]!];
      if (after.start < before.end) {
        const later = Math.max(before.i, after.i);
        p.invalid(dayAt + pointer(later), `Intervals ${before.i} and ${after.i} of ${day} overlap.`);
      }
    }
    weekly[day] = hours;
  }
  return weekly;
}

function checkHolidays(p: Problems, node: Fields, at: string): string[] | undefined {
  const here = at + pointer('holidays');
  const value = node.holidays;
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    p.invalid(here, `holidays must be a list of dates "YYYY-MM-DD", not ${show(value)}.`);
    return undefined;
  }
  if (value.length > FLOW_LIMITS.holidays) {
    p.invalid(here, `holidays has ${value.length} dates; at most ${FLOW_LIMITS.holidays} are allowed.`);
    return undefined;
  }
  const seen = new Set<string>();
  value.forEach((date: unknown, i) => {
    const dateAt = here + pointer(i);
    const m = typeof date === 'string' ? DATE.exec(date) : null;
    const [year, month, day] = m === null ? [0, 0, 0] : [Number(m[1]), Number(m[2]), Number(m[3])];
    const real =
      m !== null && new Date(Date.UTC(year, month - 1, day)).getUTCDate() === day && month >= 1 && month <= 12;
    if (!real) p.invalid(dateAt, `A holiday is a date "YYYY-MM-DD", not ${show(date)}.`);
    else if (year < HOLIDAY_YEARS[0] || year > HOLIDAY_YEARS[1]) {
      p.invalid(dateAt, `A holiday's year is from ${HOLIDAY_YEARS[0]} to ${HOLIDAY_YEARS[1]}; ${date} is not.`);
    } else if (seen.has(date as string)) p.add(dateAt, 'Duplicate value', `${date} is listed twice.`);
    else seen.add(date as string);
  });
  return value as string[];
}

function isTimeZone(value: string): boolean {
  if (value.length > 64 || !TIME_ZONE.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

function checkBusinessHours(p: Problems, g: GraphNode, node: Fields, at: string): Built {
  const time_zone = text(p, node, 'time_zone', at, 64, true);
  if (time_zone !== undefined && !isTimeZone(time_zone)) {
    p.invalid(
      at + pointer('time_zone'),
      `time_zone must be an IANA time zone such as "America/Chicago", not ${show(time_zone)}.`,
    );
  }
  return {
    time_zone,
    weekly: checkWeekly(p, node, at),
    holidays: checkHolidays(p, node, at),
    open: link(p, g, node, 'open', at),
    closed: link(p, g, node, 'closed', at),
  };
}

function checkAskBusiness(p: Problems, g: GraphNode, node: Fields, at: string): Built {
  const url = httpsUrl(p, node, 'url', at, true);
  const deadline_ms = integer(p, node, 'deadline_ms', at, FLOW_RANGES.ask_business.deadline_ms);
  const here = at + pointer('allowed');
  const value = node.allowed;
  const allowed: string[] = [];
  if (value !== undefined && !Array.isArray(value)) {
    p.invalid(here, `allowed must be a list of node ids (empty: any node), not ${show(value)}.`);
  } else if (Array.isArray(value)) {
    if (value.length > FLOW_LIMITS.nodes)
      p.invalid(here, `allowed lists more nodes than a flow may have (${FLOW_LIMITS.nodes}).`);
    else {
      const seen = new Set<string>();
      value.forEach((to: unknown, i) => {
        const item = here + pointer(i);
        if (typeof to === 'string' && seen.has(to)) p.add(item, 'Duplicate value', `"${to}" is listed twice.`);
        else if (linkAt(p, g, to, item, `allowed/${i}`) !== undefined) {
          seen.add(to as string);
          allowed.push(to as string);
        }
      });
    }
  }
  g.anyNode = value === undefined || (Array.isArray(value) && value.length === 0);
  return { url, deadline_ms, allowed, default: link(p, g, node, 'default', at) };
}

type Check = (p: Problems, g: GraphNode, node: Fields, at: string) => Built;

/** The checks of each kind: what to store of each field, its problems reported on the way. */
const CHECKS: { readonly [K in NodeKind]: Check } = {
  answer: (p, g, node, at) => ({ next: link(p, g, node, 'next', at) }),
  speak: (p, g, node, at) => ({
    text: text(p, node, 'text', at, FLOW_LIMITS.speak, true),
    ...voiceAndLanguage(p, node, at),
    next: link(p, g, node, 'next', at),
  }),
  play: (p, g, node, at) => ({
    audio_url: httpsUrl(p, node, 'audio_url', at, true),
    next: link(p, g, node, 'next', at),
  }),
  menu: checkMenu,
  transfer: checkTransfer,
  voicemail: (p, g, node, at) => ({
    prompt: prompt(p, node, 'prompt', at, false),
    max_length_secs: integer(p, node, 'max_length_secs', at, FLOW_RANGES.voicemail.max_length_secs),
    beep: boolean(p, node, 'beep', at, true),
    forward_url: httpsUrl(p, node, 'forward_url', at, true),
    next: link(p, g, node, 'next', at),
  }),
  business_hours: checkBusinessHours,
  ask_business: checkAskBusiness,
  hangup: () => ({}),
};

function checkNode(p: Problems, value: unknown, at: string): [FlowNode | undefined, GraphNode] {
  const g: GraphNode = { links: [], end: false, opaque: false, broken: false, anyNode: false };
  if (!isObject(value)) {
    p.invalid(at, `A node must be an object with a "kind", not ${show(value)}.`);
    g.opaque = true;
    return [undefined, g];
  }
  const kind = value.kind;
  if (kind === undefined || typeof kind !== 'string' || !NODE_KINDS.includes(kind as NodeKind)) {
    if (kind === undefined) p.missing(at + pointer('kind'), 'kind');
    else
      p.add(
        at + pointer('kind'),
        'Unknown node kind',
        `${show(kind)} is not a node kind${endWith(typeof kind === 'string' ? suggestion(kind, NODE_KINDS) : '')} Kinds: ${NODE_KINDS.join(', ')}.`,
      );
    g.opaque = true;
    return [undefined, g];
  }
  const k = kind as NodeKind;
  refuseUnknown(p, value, at, ['kind', ...KIND_FIELDS[k]], `A ${k} node`);
  g.end = isEnd({ kind: k } as FlowNode);
  const built = CHECKS[k](p, g, value, at);
  // Fields in the order of KIND_FIELDS, optional ones left out when absent.
  const node: Built = { kind: k };
  for (const name of KIND_FIELDS[k]) if (built[name] !== undefined) node[name] = built[name];
  return [node as unknown as FlowNode, g];
}

// --- The graph pass --------------------------------------------------------------------------------

function checkGraph(p: Problems, start: unknown, graph: ReadonlyMap<string, GraphNode>): void {
  const ids = [...graph.keys()];
  const known = new Set(ids);
  // Links to nodes that do not exist.
  for (const g of graph.values()) {
    for (const [at, to] of g.links) {
      if (known.has(to)) continue;
      p.add(at, 'Missing node', `"${to}" is not a node of this flow${endWith(suggestion(to, ids))}`);
      g.broken = true;
    }
  }
  const targets = (g: GraphNode): Iterable<string> =>
    g.anyNode ? ids : g.links.map(([, to]) => to).filter((to) => known.has(to));

  // Nodes a call can reach from start.
  let unreachable = new Set<string>();
  if (typeof start === 'string' && !known.has(start)) {
    p.add(
      '/start',
      'Missing node',
      `start names "${start}", which is not a node of this flow${endWith(suggestion(start, ids))}`,
    );
  } else if (typeof start === 'string') {
    const reached = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const to of targets(graph.get(queue.pop()!)!)) {
        if (!reached.has(to)) {
          reached.add(to);
          queue.push(to);
        }
      }
    }
    unreachable = new Set(ids.filter((id) => !reached.has(id)));
    // A reachable node whose links are unknown (its kind) or broken may have been meant to reach
    // the others: they are reported once that is fixed, not now as a second fault of one mistake.
    const guessing = [...reached].some((id) => graph.get(id)!.opaque || graph.get(id)!.broken);
    for (const id of guessing ? [] : unreachable) {
      p.add(
        pointer('nodes', id),
        'Unreachable node',
        `No call can reach node "${id}" from start ("${start}"); link to it or remove it.`,
      );
    }
  }

  // Nodes from which a call can reach an end: walk the links backwards from the ends, and from the
  // nodes whose way on is unknown or broken (reported already: not blamed twice).
  const predecessors = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  for (const [id, g] of graph) for (const to of targets(g)) predecessors.get(to)!.add(id);
  const exits = new Set(
    ids.filter((id) => {
      const g = graph.get(id)!;
      return g.end || g.opaque || g.broken;
    }),
  );
  const queue = [...exits];
  while (queue.length > 0) {
    for (const from of predecessors.get(queue.pop()!)!) {
      if (!exits.has(from)) {
        exits.add(from);
        queue.push(from);
      }
    }
  }
  for (const id of ids) {
    if (exits.has(id) || unreachable.has(id)) continue;
    const onward = [...new Set(targets(graph.get(id)!))].slice(0, 5).map((to) => `"${to}"`);
    p.add(
      pointer('nodes', id),
      'Loop with no exit',
      `No path from node "${id}" reaches a hangup or a transfer, so a call there never ends; ` +
        `it goes on only to ${onward.join(', ')}.`,
    );
  }
}

// --- Keys written twice ----------------------------------------------------------------------------

/** Pointers to the keys that appear more than once in one object of a JSON text (already known to
 * be valid JSON). JSON.parse keeps the last of them without a word. */
export function duplicateKeys(json: string): string[] {
  type Frame = { object: true; keys: Set<string>; key: string; expectKey: boolean } | { object: false; index: number };
  const stack: Frame[] = [];
  const found: string[] = [];
  const path = () => stack.slice(0, -1).map((f) => (f.object ? f.key : f.index));
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    const top = stack[stack.length - 1];
    if (c === '{') stack.push({ object: true, keys: new Set(), key: '', expectKey: true });
    else if (c === '[') stack.push({ object: false, index: 0 });
    else if (c === '}' || c === ']') stack.pop();
    else if (c === ',') {
      if (top?.object) top.expectKey = true;
      else if (top) top.index++;
    } else if (c === ':') {
      if (top?.object) top.expectKey = false;
    } else if (c === '"') {
      let j = i + 1;
      while (j < json.length && json[j] !== '"') j += json[j] === '\\' ? 2 : 1;
      if (top?.object && top.expectKey) {
        const key = JSON.parse(json.slice(i, j + 1)) as string;
        if (top.keys.has(key)) found.push(pointer(...path(), key));
        top.keys.add(key);
        top.key = key;
      }
      i = j;
    }
  }
  return found;
}

// --- The document ----------------------------------------------------------------------------------

/** Checks a flow document; see the header. Pure: the id and times to use come in `options`. */
export function validateFlow(input: unknown, options: ValidateOptions): FlowValidation {
  const p = new Problems();
  if (options.text !== undefined) {
    for (const at of duplicateKeys(options.text)) {
      p.add(at, 'Duplicate key', `This key appears more than once in its object; only the last would be kept.`);
    }
  }
  if (!isObject(input)) {
    p.invalid('/', 'A flow is a JSON object.');
    return { ok: false, errors: p.result() };
  }
  refuseUnknown(p, input, '', FLOW_FIELDS, 'A flow', READ_ONLY_FIELDS);

  let id = options.id;
  if (input.id !== undefined) {
    if (typeof input.id !== 'string' || !FLOW_ID.test(input.id)) {
      p.invalid('/id', `id must be 1 to 64 of a-z, 0-9, - and _, not ${show(input.id)}.`);
    } else if (options.idFromPath && input.id !== options.id) {
      p.invalid('/id', `The document names flow "${input.id}" but is sent to flow "${options.id}".`);
    } else id = input.id;
  }
  const name = text(p, input, 'name', '', FLOW_LIMITS.name, true);

  const numbers: string[] = [];
  if (input.numbers !== undefined && !Array.isArray(input.numbers)) {
    p.invalid('/numbers', `numbers must be a list of +E.164 numbers, not ${show(input.numbers)}.`);
  } else if (Array.isArray(input.numbers) && input.numbers.length > FLOW_LIMITS.numbers) {
    p.invalid(
      '/numbers',
      `numbers has ${input.numbers.length} entries; a flow may answer at most ${FLOW_LIMITS.numbers}.`,
    );
  } else if (Array.isArray(input.numbers)) {
    input.numbers.forEach((value: unknown, i) => {
      const e164 = phoneNumber(p, value, pointer('numbers', i));
      if (e164 === undefined) return;
      if (numbers.includes(e164)) p.add(pointer('numbers', i), 'Duplicate value', `${e164} is listed twice.`);
      else numbers.push(e164);
    });
  }

  const start = input.start;
  if (start === undefined) p.missing('/start', 'start');
  else if (typeof start !== 'string')
    p.invalid('/start', `start must be the id of a node of this flow, not ${show(start)}.`);

  const nodes: Record<string, FlowNode> = {};
  const graph = new Map<string, GraphNode>();
  const value = input.nodes;
  if (value === undefined) p.missing('/nodes', 'nodes');
  else if (!isObject(value)) p.invalid('/nodes', `nodes must be an object of nodes by id, not ${show(value)}.`);
  else {
    const entries = Object.entries(value);
    if (entries.length === 0) p.invalid('/nodes', 'A flow needs at least one node.');
    else if (entries.length > FLOW_LIMITS.nodes) {
      p.invalid('/nodes', `The flow has ${entries.length} nodes; at most ${FLOW_LIMITS.nodes} are allowed.`);
    } else {
      for (const [nodeId, node] of entries) {
        const at = pointer('nodes', nodeId);
        if (!NODE_ID.test(nodeId)) p.invalid(at, `Node ids are 1 to 64 of A-Z, a-z, 0-9, - and _; "${nodeId}" is not.`);
        const [built, g] = checkNode(p, node, at);
        if (built !== undefined) nodes[nodeId] = built;
        graph.set(nodeId, g);
      }
      checkGraph(p, start, graph);
    }
  }

  if (p.list.length > 0) return { ok: false, errors: p.result() };
  return {
    ok: true,
    flow: {
      id,
      name: name!,
      numbers,
      start: start as string,
      nodes,
      created_at: options.created_at,
      updated_at: options.updated_at,
    },
  };
}
