// Structured logging: one JSON object per line, which Workers Logs indexes field by field.
//
// Logs leave the business's control (dashboards, log push, support tickets), so two things never
// reach them: message content (fields named in CONTENT_KEYS are replaced by "[redacted]") and
// whole phone numbers (anything that looks like one keeps only its last four digits). Masking
// happens here, once, so no caller has to remember it.

type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/**
 * Fields that carry what people wrote or sent: SMS/MMS text and subjects, raw webhook bodies,
 * media (the links of a send request, and an inbound message's `media[]`). Matched in any case.
 */
const CONTENT_KEYS = new Set(['text', 'body', 'raw_body', 'subject', 'media', 'media_urls', 'transcription']);

/** Fields whose value is a phone number even without a leading "+" (national input, SIP users). */
const PHONE_KEY =
  /^(to|from|phone|phone_number|number|caller_id|caller_id_number|called_number|calling_number|ani|dnis|lrn)$|_number$/i;

/**
 * An international number inside any text: "+" (or its URL encoding, %2B) then 7 to 15 digits,
 * which may be broken up by single spaces, dots, dashes or parentheses.
 */
const PHONE_IN_TEXT = /(?:\+|%2B)\(?\d(?:[\s().-]?\d){6,14}/gi;

/** Fields holding a path or URL, where a number may stand without "+" (/v2/number_lookup/13125550123). */
const PATH_KEY = /^(path|url|pathname)$/i;

const MAX_DEPTH = 8;

/** Replaces every digit but the last four with "*": "+1 312-555-0123" -> "+* ***-***-0123". */
export function maskDigits(text: string): string {
  let keep = 4;
  let out = '';
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i]!;
    out = (c >= '0' && c <= '9' ? (keep-- > 0 ? c : '*') : c) + out;
  }
  return out;
}

/**
 * A phone-number field: masked when it holds 7 or more digits, however they are written. Shorter
 * values (short codes, extensions) identify no one and stay readable.
 */
function maskPhoneField(value: string): string {
  return (value.match(/\d/g)?.length ?? 0) >= 7 ? maskDigits(value) : value;
}

export function maskText(text: string): string {
  return text.replace(PHONE_IN_TEXT, maskDigits);
}

function scrub(value: unknown, key: string, depth: number, path: Set<object>): unknown {
  if (value === null || value === undefined) return value;
  if (CONTENT_KEYS.has(key.toLowerCase())) return '[redacted]';
  const phoneField = PHONE_KEY.test(key);
  if (typeof value === 'string') {
    if (phoneField) return maskPhoneField(value);
    return PATH_KEY.test(key) ? maskText(value).replace(/\d{7,}/g, maskDigits) : maskText(value);
  }
  if (typeof value === 'number') {
    const masked = phoneField ? maskPhoneField(String(value)) : undefined;
    return masked?.includes('*') ? masked : value;
  }
  if (typeof value === 'bigint') return scrub(value.toString(), key, depth, path); // JSON.stringify throws on BigInt
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (value instanceof URL) return maskText(value.href);
  if (depth >= MAX_DEPTH) return '[too deep]';
  // Only the objects on the way down count as a cycle; one referenced twice side by side does not.
  if (path.has(value)) return '[circular]';
  path.add(value);
  try {
    return scrubObject(value, key, depth, path);
  } finally {
    path.delete(value);
  }
}

function scrubObject(value: object, key: string, depth: number, path: Set<object>): unknown {
  if (value instanceof Error) {
    return {
      name: value.name,
      message: maskText(value.message),
      stack: value.stack === undefined ? undefined : maskText(value.stack),
      ...(value.cause !== undefined && { cause: scrub(value.cause, 'cause', depth + 1, path) }),
    };
  }
  if (Array.isArray(value) || value instanceof Set) {
    return [...value].map((item) => scrub(item, key, depth + 1, path));
  }
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) out[maskText(String(k))] = scrub(v, String(k), depth + 1, path);
  return out;
}

/** The fields as they will be written: content redacted, phone numbers masked. */
export function scrubFields(fields: LogFields): LogFields {
  return scrub(fields, '', 0, new Set()) as LogFields;
}

const RANK: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };
let threshold = RANK.info;

/**
 * LOG_LEVEL: the least severe level written (debug, info, warn, error; default info). Set from the
 * environment at the start of each request, queue batch and alarm. Lines below it cost nothing.
 */
export function setLogLevel(value: string | undefined): void {
  threshold = RANK[(value ?? '').trim().toLowerCase() as Level] ?? RANK.info;
}

function write(level: Level, event: string, fields: LogFields = {}): void {
  if (RANK[level] < threshold) return;
  // time, level and event come last so that a field of the same name cannot pass for them.
  const line = JSON.stringify({
    ...scrubFields(fields),
    time: new Date().toISOString(),
    level,
    event: maskText(event),
  });
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
}

export const log = {
  debug: (event: string, fields?: LogFields) => write('debug', event, fields),
  info: (event: string, fields?: LogFields) => write('info', event, fields),
  warn: (event: string, fields?: LogFields) => write('warn', event, fields),
  error: (event: string, fields?: LogFields) => write('error', event, fields),
};
