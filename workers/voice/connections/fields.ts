// Telnyx's request fields described as data: each field's type, range or enum, whether it may be
// null, and the default Telnyx applies on create. One walker checks a body against a description
// and applies it, so every resource (connections, FQDNs, IPs, outbound voice profiles, and the V1
// view) checks the same way: the first bad field is a 422 in Telnyx's shape with a JSON pointer to
// it, and nothing is saved. Unknown and read-only fields are ignored, as Telnyx ignores them.

import { invalid, missing } from '../../../shared/telnyx/messaging-profile';

interface Base {
  nullable?: boolean;
  /** Shown on reads, never taken from a request. */
  readOnly?: boolean;
}

export type Field = Base &
  (
    | { type: 'boolean'; default: boolean | null }
    | { type: 'enum'; values: readonly string[]; default: string | null }
    | { type: 'integer'; min: number; max: number; default: number | null }
    | { type: 'number'; min: number; max: number; default: number | null }
    /** `check` returns what is wrong with a value, or undefined when it is fine. */
    | { type: 'string'; default: string | null; check?: (value: string) => string | undefined }
    | { type: 'strings'; default: string[]; check?: (value: string) => string | undefined; unique?: boolean }
    | { type: 'object'; fields: Fields }
  );

export type Fields = Readonly<Record<string, Field>>;

// --- Small constructors, so a schema reads like Telnyx's spec -------------------------------------

export const bool = (fallback: boolean | null, extra: Base = {}): Field => ({
  type: 'boolean',
  default: fallback,
  ...extra,
});
export const oneOf = (values: readonly string[], fallback: string | null, extra: Base = {}): Field => ({
  type: 'enum',
  values,
  default: fallback,
  nullable: fallback === null,
  ...extra,
});
export const int = (min: number, max: number, fallback: number | null, extra: Base = {}): Field => ({
  type: 'integer',
  min,
  max,
  default: fallback,
  nullable: fallback === null,
  ...extra,
});
export const text = (
  fallback: string | null,
  check?: (value: string) => string | undefined,
  extra: Base = {},
): Field => ({ type: 'string', default: fallback, check, nullable: fallback === null, ...extra });
export const group = (fields: Fields): Field => ({ type: 'object', fields });

// --- Common checks --------------------------------------------------------------------------------

export const length =
  (min: number, max: number) =>
  (value: string): string | undefined =>
    value.length >= min && value.length <= max ? undefined : `must be ${min} to ${max} characters long`;

export function httpUrl(value: string): string | undefined {
  if (value.length > 2000) return 'must be a URL of at most 2000 characters';
  try {
    if (['http:', 'https:'].includes(new URL(value).protocol)) return undefined;
  } catch {
    // not a URL at all
  }
  return "must be an absolute URL with a scheme, such as 'https://example.com/hooks'";
}

/** Telnyx ids are int64 numbers written as strings. */
export function numericId(value: string): string | undefined {
  return /^\d{1,19}$/.test(value) ? undefined : 'must be the id of an existing resource (digits)';
}

// --- Defaults -------------------------------------------------------------------------------------

/** A new object holding every field of `fields` at its default (read-only ones included). */
export function defaults(fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(fields)) {
    out[name] = field.type === 'object' ? defaults(field.fields) : structuredClone(field.default);
  }
  return out;
}

// --- Checking and applying ------------------------------------------------------------------------

function describe(field: Field): string {
  switch (field.type) {
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'integer':
      return `a whole number from ${field.min} to ${field.max}`;
    case 'number':
      return `a number from ${field.min} to ${field.max}`;
    case 'string':
      return 'text';
    case 'strings':
      return 'a list of text values';
    case 'object':
      return 'an object';
  }
}

/** The checked value of one field, or a 422 naming the field's pointer. */
export function checkField(field: Field, value: unknown, pointer: string): unknown {
  const name = pointer.slice(pointer.lastIndexOf('/') + 1);
  const refuse = (what: string) => invalid(pointer, `${name} ${what}.`);
  if (value === null) {
    if (field.nullable) return null;
    throw refuse(`must be ${describe(field)}, not null`);
  }
  switch (field.type) {
    case 'boolean':
      if (typeof value !== 'boolean') throw refuse(`must be ${describe(field)}`);
      return value;
    case 'enum':
      if (typeof value !== 'string' || !field.values.includes(value)) throw refuse(`must be ${describe(field)}`);
      return value;
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (field.type === 'number' || Number.isInteger(value)) &&
        value >= field.min &&
        value <= field.max;
      if (!ok) throw refuse(`must be ${describe(field)}`);
      return value;
    }
    case 'string': {
      if (typeof value !== 'string') throw refuse('must be text');
      const problem = field.check?.(value);
      if (problem !== undefined) throw refuse(problem);
      return value;
    }
    case 'strings': {
      if (!Array.isArray(value) || value.length > 100) throw refuse('must be a list of at most 100 text values');
      value.forEach((item, i) => {
        if (typeof item !== 'string') throw invalid(`${pointer}/${i}`, `${name}[${i}] must be text.`);
        const problem = field.check?.(item);
        if (problem !== undefined) throw invalid(`${pointer}/${i}`, `${name}[${i}] ${problem}.`);
        if (field.unique && value.indexOf(item) !== i) {
          throw invalid(`${pointer}/${i}`, `${name}[${i}] repeats ${JSON.stringify(item)}.`);
        }
      });
      return [...value];
    }
    case 'object':
      throw new TypeError('objects are applied with applyFields');
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Checks every writable field of `body` against `fields` and writes it into `target`; nested
 * objects are merged field by field (a PATCH of `inbound.codecs` leaves the rest of `inbound`).
 */
export function applyFields(
  target: Record<string, unknown>,
  body: Record<string, unknown>,
  fields: Fields,
  prefix = '',
): void {
  for (const [name, value] of Object.entries(body)) {
    const field = fields[name];
    if (field === undefined || field.readOnly) continue;
    const pointer = `${prefix}/${name}`;
    if (field.type === 'object') {
      if (!isObject(value)) throw invalid(pointer, `${name} must be an object.`);
      const inner = isObject(target[name]) ? (target[name] as Record<string, unknown>) : defaults(field.fields);
      applyFields(inner, value, field.fields, pointer);
      target[name] = inner;
    } else {
      target[name] = checkField(field, value, pointer);
    }
  }
}

/** A 422 for the first of `names` (paths like "inbound/codecs") that `body` lacks. */
export function requireFields(body: Record<string, unknown>, names: readonly string[]): void {
  for (const name of names) {
    if (body[name] === undefined || body[name] === null) throw missing(name);
  }
}

/** The value at a JSON pointer inside an object, or undefined. */
export function at(object: unknown, pointer: string): unknown {
  let value = object;
  for (const part of pointer.split('/').slice(1)) {
    if (!isObject(value)) return undefined;
    value = value[part];
  }
  return value;
}

/** Sets the value at a JSON pointer, creating objects on the way. */
export function setAt(object: Record<string, unknown>, pointer: string, value: unknown): void {
  const parts = pointer.split('/').slice(1);
  let node = object;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]!] = value;
}

/** Every leaf of a patch body holds in `data` (a password Telnyx does not show is not compared). */
export function applied(patch: Record<string, unknown>, data: Record<string, unknown>, prefix = ''): boolean {
  return Object.entries(patch).every(([key, value]) => {
    const pointer = `${prefix}/${key}`;
    if (isObject(value)) return applied(value, data, pointer);
    const held = at(data, pointer);
    if (key === 'password' && held === undefined) return true;
    return JSON.stringify(held) === JSON.stringify(value);
  });
}

export { isObject };
