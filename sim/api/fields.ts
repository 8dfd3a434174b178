// Telnyx's request fields described once (type, enum, range, nullable, default), so each resource
// the simulator keeps (connections, outbound voice profiles, Call Control commands) states its
// fields in one table and gets Telnyx's checks and defaults from it. A bad value is a 422 in
// Telnyx's error shape with a JSON pointer to the field; fields Telnyx does not know are ignored.

import { ApiError, TelnyxCode } from '../../shared/errors';
import { missing } from '../../shared/telnyx/messaging-profile';

export { missing };

export interface Field {
  /** The value to store for what the body gave; throws a 422 naming `pointer` when it is not allowed. */
  check(value: unknown, pointer: string): unknown;
  /** Telnyx's default on create; undefined leaves the field out. */
  fallback?: unknown;
  /** A nested object whose own fields are merged one by one, not replaced. */
  fields?: Fields;
}

export type Fields = Record<string, Field>;

export function invalidField(pointer: string, detail: string): ApiError {
  return new ApiError(422, { code: TelnyxCode.badRequest, title: 'Bad Request', detail, source: { pointer } });
}

function name(pointer: string): string {
  return pointer.slice(1).replace(/\//g, '.');
}

interface Options<T> {
  nullable?: boolean;
  default?: T | null;
}

function field<T>(
  options: Options<T>,
  accepts: (value: unknown) => boolean,
  what: string,
  convert: (value: unknown) => unknown = (v) => v,
): Field {
  return {
    fallback: options.default,
    check(value, pointer) {
      if (value === null && options.nullable) return null;
      if (!accepts(value)) throw invalidField(pointer, `${name(pointer)} must be ${what}.`);
      return convert(value);
    },
  };
}

export const bool = (options: Options<boolean> = {}) =>
  field(options, (v) => typeof v === 'boolean', options.nullable ? 'true, false or null' : 'true or false');

export function str(options: Options<string> & { min?: number; max?: number; pattern?: RegExp; what?: string } = {}) {
  const { min = 0, max = 10_000, pattern } = options;
  const what = options.what ?? (min > 0 ? `a string of ${min} to ${max} characters` : 'a string');
  return field(
    options,
    (v) => typeof v === 'string' && v.length >= min && v.length <= max && (pattern === undefined || pattern.test(v)),
    what,
  );
}

export const oneOf = (values: readonly string[], options: Options<string> = {}) =>
  field(
    options,
    (v) => typeof v === 'string' && values.includes(v),
    `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`,
  );

export function int(options: Options<number> & { min?: number; max?: number } = {}) {
  const { min = -Number.MAX_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
  return field(
    options,
    (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max,
    `a whole number from ${min} to ${max}`,
  );
}

export const num = (options: Options<number> & { min?: number } = {}) =>
  field(options, (v) => typeof v === 'number' && Number.isFinite(v) && v >= (options.min ?? -Infinity), 'a number');

export function isHttpUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 2000) return false;
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** An http(s) URL; with `empty`, "" too (Telnyx's failover URLs default to ""). */
export const url = (options: Options<string> & { empty?: boolean } = {}) =>
  field(
    options,
    (v) => isHttpUrl(v) || (options.empty === true && v === ''),
    options.empty ? 'an http(s) URL or ""' : 'an http(s) URL',
  );

export const list = (item: Field, options: Options<unknown[]> = {}): Field => ({
  fallback: options.default,
  check(value, pointer) {
    if (value === null && options.nullable) return null;
    if (!Array.isArray(value)) throw invalidField(pointer, `${name(pointer)} must be a list.`);
    return value.map((v, i) => item.check(v, `${pointer}/${i}`));
  },
});

export const strings = (options: Options<unknown[]> & { pattern?: RegExp; what?: string } = {}) =>
  list(str({ pattern: options.pattern, what: options.what ?? 'a string' }), options);

/** A nested object: on create its defaults, on update its current value, with the given fields applied. */
export const object = (fields: Fields): Field => ({
  fields,
  check(value, pointer) {
    return applyFields(fields, value, defaultsOf(fields), pointer);
  },
});

/** Telnyx's defaults for `fields`, nested objects included. */
export function defaultsOf(fields: Fields): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(fields)) {
    if (f.fields) result[key] = defaultsOf(f.fields);
    else if (f.fallback !== undefined) result[key] = structuredClone(f.fallback);
  }
  return result;
}

/**
 * Checks `body` against `fields` and returns `base` with what it gave applied (nested objects
 * merged field by field). Throws on the first bad value; nothing is applied to `base` itself.
 */
export function applyFields(
  fields: Fields,
  body: unknown,
  base: Record<string, unknown>,
  pointer = '',
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidField(pointer || '/', `${pointer ? name(pointer) : 'The body'} must be an object.`);
  }
  const result = structuredClone(base);
  for (const [key, value] of Object.entries(body)) {
    const f = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (f === undefined || value === undefined) continue;
    const at = `${pointer}/${key}`;
    if (f.fields) {
      const current = result[key];
      const inner = typeof current === 'object' && current !== null ? (current as Record<string, unknown>) : {};
      result[key] = applyFields(f.fields, value, { ...defaultsOf(f.fields), ...inner }, at);
    } else {
      result[key] = f.check(value, at);
    }
  }
  return result;
}

/** The control API answers 400 where Telnyx's API answers 422 for a bad field. */
export function asControlError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ApiError && error.status === 422) throw new ApiError(400, error.errors);
    throw error;
  }
}

/** Throws Telnyx's 422 "missing required parameter" for the first of `names` the body lacks. */
export function requireFields(body: Record<string, unknown>, names: readonly string[]): void {
  for (const key of names) if (body[key] === undefined || body[key] === null) throw missing(key);
}
