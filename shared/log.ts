// Structured logging: one JSON object per line, which Workers Logs indexes field by field.
//
// Logs leave the business's control (dashboards, log push, support tickets), so two things never
// reach them: message content (fields named in CONTENT_KEYS are replaced by "[redacted]") and
// whole phone numbers (anything that looks like one keeps only its last four digits). Masking
// happens here, once, so no caller has to remember it.

type Level = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** Fields that carry what people wrote: SMS/MMS text, subjects, raw webhook bodies, media links. */
const CONTENT_KEYS = new Set(['text', 'body', 'raw_body', 'subject', 'media_urls', 'transcription']);

/** Fields whose value is a phone number even without a leading "+" (national input, SIP users). */
const PHONE_KEY =
  /^(to|from|phone|phone_number|number|caller_id|caller_id_number|called_number|calling_number|ani|dnis|lrn)$|_number$/i;

/** An international number inside any text: "+" then 7 to 15 digits. */
const PHONE_IN_TEXT = /\+\d{7,15}/g;
/** A run of 8 or more digits in a phone-number field. */
const DIGIT_RUN = /\d{8,}/g;

const MAX_DEPTH = 8;

/** "+13125550123" -> "+*******0123": the last four digits stay, for correlating with a customer. */
export function maskDigits(digits: string): string {
  const plus = digits.startsWith('+') ? '+' : '';
  const bare = plus ? digits.slice(1) : digits;
  return plus + '*'.repeat(Math.max(0, bare.length - 4)) + bare.slice(-4);
}

export function maskText(text: string): string {
  return text.replace(PHONE_IN_TEXT, maskDigits);
}

function scrub(value: unknown, key: string, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  if (CONTENT_KEYS.has(key)) return '[redacted]';
  if (typeof value === 'string') {
    const masked = maskText(value);
    return PHONE_KEY.test(key) ? masked.replace(DIGIT_RUN, maskDigits) : masked;
  }
  if (typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (value instanceof Error) {
    return {
      name: value.name,
      message: maskText(value.message),
      stack: value.stack === undefined ? undefined : maskText(value.stack),
      ...(value.cause !== undefined && { cause: scrub(value.cause, 'cause', depth + 1, seen) }),
    };
  }
  if (Array.isArray(value)) return value.map((item) => scrub(item, key, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrub(v, k, depth + 1, seen);
  return out;
}

/** The fields as they will be written: content redacted, phone numbers masked. */
export function scrubFields(fields: LogFields): LogFields {
  return scrub(fields, '', 0, new WeakSet()) as LogFields;
}

function write(level: Level, event: string, fields: LogFields = {}): void {
  const line = JSON.stringify({
    time: new Date().toISOString(),
    level,
    event: maskText(event),
    ...scrubFields(fields),
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
