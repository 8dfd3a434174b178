// Reading what was typed: phone numbers, counts, seconds, durations, setting values, and the option
// sets several commands share (--wait/--no-watch, --json, --limit, --edge/--token).
import { EDGE_URL } from '../dev-settings.mjs';
import { UsageError } from './output.mjs';

export const EXAMPLE_NUMBER = '+13125550100'; // an account number on the Marketing (pool) profile

const looksLikeNumber = (s) => /^\+?\d{3,15}$/.test(s ?? '');

export function needNumber(value, what) {
  if (!looksLikeNumber(value)) {
    throw new UsageError(
      `${what} must be a phone number such as ${EXAMPLE_NUMBER}; got ${value === undefined ? 'nothing' : `'${value}'`}.`,
    );
  }
  return value;
}

export function wholeNumber(value, flag, min = 0) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag} takes a whole number${min ? ` of at least ${min}` : ''}; got '${value}'.`);
  return Number(value);
}

export function seconds(value, flag) {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0)
    throw new UsageError(`${flag} takes a number of seconds; got '${value}'.`);
  return Number(value) * 1000;
}

/** "8d", "2h", "30m", "45s", "1500ms", or several: "1h30m". */
export function duration(text) {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...(text ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(
      `clock takes a duration such as 8d, 2h, 30m, 45s, 1500ms or 1h30m; got ${text ? `'${text}'` : 'nothing'}.`,
    );
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit], 0);
}

/** "true"/"false", "null" and numbers become JSON values; anything else stays a string. */
export function settingValue(text) {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

export const WATCH_OPTIONS = {
  wait: { type: 'string', arg: 'seconds', help: 'how long to watch the webhook deliveries (default 10)' },
  'no-watch': { type: 'boolean', help: 'do not watch the deliveries; return at once' },
};
export const JSON_OPTION = { json: { type: 'boolean', help: 'print the simulator’s JSON as it came' } };
export const LIMIT_OPTION = (n) => ({
  limit: { type: 'string', arg: 'N', help: `how many rows, newest last (default ${n})` },
});

export const EDGE_OPTIONS = {
  edge: { type: 'string', arg: 'url', help: `the bundle (default $EDGE_URL or ${EDGE_URL})` },
  token: { type: 'string', arg: 'token', help: 'the bundle’s admin token (default $EDGE_TOKEN, else npm run dev’s)' },
};
