// How the phone CLI shows things: colours (only on a terminal), tables, key/value lines, times, and the
// two errors every command may throw (UsageError: exit 2, Failure: exit 1) with Telnyx-style API errors.

/** How the CLI names itself in hints: "npm run phone -- <command>". */
export const CLI = 'npm run phone --';

// ---- Output ---------------------------------------------------------------------------------------

const colorOn = (stream) => Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
const paint = (code) => (text) => (colorOn(process.stdout) ? `\x1b[${code}m${text}\x1b[0m` : String(text));
export const c = { bold: paint(1), dim: paint(2), red: paint(31), green: paint(32), yellow: paint(33) };
export const say = (...lines) => console.log(lines.join('\n'));

/** Local wall-clock time with milliseconds, e.g. 14:03:07.512. */
export function clock(at) {
  const d = new Date(at);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export function cut(text, max) {
  const s = String(text ?? '').replace(/\s+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

export const firstLine = (text) =>
  cut(
    String(text ?? '')
      .trim()
      .split('\n')[0],
    60,
  );

/** Prints rows under a header; columns are [title, (row) => value, maxWidth?]. */
export function table(rows, columns) {
  if (rows.length === 0) return say(c.dim('  (none)'));
  const cells = rows.map((row) => columns.map(([, get, max = 60]) => cut(get(row) ?? '', max)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((r) => r[i].length)));
  const line = (values) => `  ${values.map((v, i) => v.padEnd(widths[i])).join('  ')}`.trimEnd();
  say(c.bold(line(columns.map(([title]) => title))), ...cells.map(line));
}

export function section(title) {
  say('', c.bold(title));
}

/** key  value lines, nested objects flattened with dots (latency_ms.sent). */
export function keyValues(object, prefix = '') {
  const rows = [];
  for (const [key, value] of Object.entries(object ?? {})) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0)
      rows.push(...keyValues(value, `${prefix}${key}.`));
    else rows.push([`${prefix}${key}`, value === '' ? '-' : JSON.stringify(value).replace(/^"(.*)"$/, '$1')]);
  }
  return rows;
}

export function printKeyValues(object) {
  const rows = keyValues(object);
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [key, value] of rows) say(`  ${key.padEnd(width)}  ${value}`);
}

/** "%2B1312..." as "+1312...", for reading. */
export function readablePath(path) {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** 696600000 ms as "8d 1h 30m". */
export function spelled(ms) {
  let rest = Math.round(ms / 1000);
  const parts = [];
  for (const [unit, size] of Object.entries({ d: 86_400, h: 3600, m: 60, s: 1 })) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.join(' ') || '0s';
}

/** A profile's number_pool_settings in words: its weights and the switches that are on. */
export const poolWeights = (s) =>
  `long-code weight ${s.long_code_weight}, toll-free weight ${s.toll_free_weight}` +
  ['skip_unhealthy', 'sticky_sender', 'geomatch'].map((k) => (s[k] ? `, ${k}` : '')).join('');

// ---- Errors -------------------------------------------------------------------------------------

/** The person typed something this CLI does not understand: exit 2. */
export class UsageError extends Error {}
/** The simulator is down or refused the request: exit 1, the message says it all. */
export class Failure extends Error {}

export function describeApiErrors(status, method, path, body, headers, who = 'The simulator') {
  const lines = [`${who} refused ${method} ${readablePath(path)} (HTTP ${status}):`];
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  for (const e of errors) {
    const where = e.source?.pointer ?? (e.source?.parameter && `parameter ${e.source.parameter}`);
    lines.push(
      `  ${e.code ?? '?'} ${e.title ?? 'Error'}${e.detail ? `: ${e.detail}` : ''}${where ? `  [${where}]` : ''}`,
    );
  }
  if (errors.length === 0) lines.push(`  ${cut(JSON.stringify(body), 300)}`);
  if (errors.some((e) => /simulated fault/.test(e.detail ?? ''))) {
    lines.push(`  (a simulated api fault; after 500_after the work may have been done anyway: ${CLI} messages)`);
  }
  if (status === 429 && headers.get('x-ratelimit-reset')) {
    lines.push(`  (x-ratelimit-reset: ${headers.get('x-ratelimit-reset')} s)`);
  }
  return lines.join('\n');
}
