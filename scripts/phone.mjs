#!/usr/bin/env node
// npm run phone -- <command>: play the other side of Telnyx from a terminal, against the Telnyx
// simulator (sim/) that `npm run dev` runs on 127.0.0.1:8788. Text the account's numbers, watch the
// signed webhooks reach the bundle, send through the simulator's Telnyx API, inject faults, look
// at the simulator's state. `listen` plays the business instead: a local URL that receives the
// events the bundle forwards. No Telnyx account needed; docs/phone-cli.md has examples.
//
// Plain Node 20, standard library only. One table (COMMANDS) holds every command: its usage, its
// options (node:util parseArgs) and the function that runs it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import {
  DEV_ADMIN_TOKEN,
  DEV_FORWARD_SIGNING_SECRET,
  DEV_TELNYX_API_KEY,
  EDGE_URL,
  SIM_URL as DEFAULT_SIM,
} from './dev-settings.mjs';

const CLI = 'npm run phone --';
const EXAMPLE_NUMBER = '+13125550100'; // an account number on the Marketing (pool) profile
const PAGE = 10_000; // the most rows /sim/deliveries and /sim/requests give at once

// ---- Output ---------------------------------------------------------------------------------------

const colorOn = (stream) => Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
const paint = (code) => (text) => (colorOn(process.stdout) ? `\x1b[${code}m${text}\x1b[0m` : String(text));
const c = { bold: paint(1), dim: paint(2), red: paint(31), green: paint(32), yellow: paint(33) };
const say = (...lines) => console.log(lines.join('\n'));

/** Local wall-clock time with milliseconds, e.g. 14:03:07.512. */
function clock(at) {
  const d = new Date(at);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

function cut(text, max) {
  const s = String(text ?? '').replace(/\s+/g, ' ');
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const firstLine = (text) =>
  cut(
    String(text ?? '')
      .trim()
      .split('\n')[0],
    60,
  );

/** Prints rows under a header; columns are [title, (row) => value, maxWidth?]. */
function table(rows, columns) {
  if (rows.length === 0) return say(c.dim('  (none)'));
  const cells = rows.map((row) => columns.map(([, get, max = 60]) => cut(get(row) ?? '', max)));
  const widths = columns.map(([title], i) => Math.max(title.length, ...cells.map((r) => r[i].length)));
  const line = (values) => `  ${values.map((v, i) => v.padEnd(widths[i])).join('  ')}`.trimEnd();
  say(c.bold(line(columns.map(([title]) => title))), ...cells.map(line));
}

function section(title) {
  say('', c.bold(title));
}

/** key  value lines, nested objects flattened with dots (latency_ms.sent). */
function keyValues(object, prefix = '') {
  const rows = [];
  for (const [key, value] of Object.entries(object ?? {})) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value))
      rows.push(...keyValues(value, `${prefix}${key}.`));
    else rows.push([`${prefix}${key}`, value === '' ? '-' : JSON.stringify(value).replace(/^"(.*)"$/, '$1')]);
  }
  return rows;
}

function printKeyValues(object) {
  const rows = keyValues(object);
  const width = Math.max(0, ...rows.map(([k]) => k.length));
  for (const [key, value] of rows) say(`  ${key.padEnd(width)}  ${value}`);
}

// ---- Errors -------------------------------------------------------------------------------------

/** The person typed something this CLI does not understand: exit 2. */
class UsageError extends Error {}
/** The simulator is down or refused the request: exit 1, the message says it all. */
class Failure extends Error {}

function describeApiErrors(status, method, path, body, headers) {
  const lines = [`The simulator refused ${method} ${readablePath(path)} (HTTP ${status}):`];
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

// ---- Talking to the simulator -------------------------------------------------------------------

/** One call to the simulator; `api` adds the development Telnyx API key. Returns the parsed JSON. */
async function call(ctx, method, path, { body, query = {}, api = false } = {}) {
  const url = new URL(ctx.sim + path);
  for (const [name, value] of Object.entries(query)) {
    for (const item of [value].flat())
      if (item !== undefined && item !== null) url.searchParams.append(name, String(item));
  }
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (api) headers.authorization = `Bearer ${DEV_TELNYX_API_KEY}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    if (error?.name === 'TimeoutError')
      throw new Failure(`The simulator at ${ctx.sim} did not answer ${method} ${path} within 120 s.`);
    const code = error?.cause?.code;
    const why = code && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    throw new Failure(
      `The Telnyx simulator is not running at ${ctx.sim}${why}. Start it (and the bundle) with: npm run dev`,
    );
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Failure(
      `Unexpected answer from ${url.origin} to ${method} ${url.pathname}: HTTP ${response.status}, not JSON` +
        ` (${cut(text, 60) || 'empty'}). Is ${ctx.sim} the Telnyx simulator?`,
    );
  }
  if (!response.ok) throw new Failure(describeApiErrors(response.status, method, url.pathname, json, response.headers));
  return json;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every row of a /sim log (deliveries, requests) after `since`, page by page. */
async function fetchLog(ctx, path, query = {}, since = 0) {
  const rows = [];
  for (;;) {
    const { data } = await call(ctx, 'GET', path, { query: { ...query, since, limit: PAGE } });
    rows.push(...data);
    if (data.length < PAGE) return rows;
    since = data.at(-1).seq;
  }
}

/** The newest seq in a /sim log (0 when empty), as /sim/state reports it. */
async function latestSeq(ctx, path) {
  const { counts } = await call(ctx, 'GET', '/sim/state');
  return path === '/sim/requests' ? counts.last_request_seq : counts.last_delivery_seq;
}

/** The last `limit` rows of a log, oldest first; filters are the log's own query parameters. */
async function tailLog(ctx, path, limit, filters) {
  if (Object.values(filters).every((v) => v === undefined)) {
    const latest = await latestSeq(ctx, path);
    return (await call(ctx, 'GET', path, { query: { since: Math.max(0, latest - limit), limit } })).data;
  }
  return (await fetchLog(ctx, path, filters)).slice(-limit);
}

// ---- Webhook deliveries -------------------------------------------------------------------------

function deliveryLine(d, tag = '') {
  const head = `${c.dim(clock(d.at))}  ${tag}${d.event_type}`;
  if (d.outcome === 'dropped') return `${head}  ${c.yellow('dropped by a webhook fault (not delivered)')}`;
  if (d.outcome === 'no_url') return `${head}  ${c.yellow('no webhook URL: nothing to deliver to')}`;
  const result =
    d.outcome === 'delivered'
      ? c.green(`${d.status} delivered`)
      : d.status !== null
        ? c.red(`${d.status} rejected`)
        : c.red(d.outcome);
  const note = d.error ? d.error.replace(/^Error: /, '') : d.response ? `answered: ${firstLine(d.response)}` : '';
  return `${head} #${d.attempt} → ${d.url}  ${result} ${d.latency_ms ?? '?'} ms${note ? `  ${c.dim(note)}` : ''}`;
}

/** "%2B1312..." as "+1312...", for reading. */
function readablePath(path) {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function requestLine(r) {
  const status = r.status < 400 ? String(r.status) : c.red(r.status);
  return `${c.dim(clock(r.at))}  api      ${r.method} ${readablePath(r.path)}  ${status}${r.fault ? `  ${c.yellow(`[fault: ${r.fault}]`)}` : ''}`;
}

/** Whether a delivery attempt ends its event: delivered, dropped, no URL, or the last try of the last URL. */
function settles(d, urls, attemptsPerUrl) {
  if (['delivered', 'dropped', 'no_url'].includes(d.outcome)) return d.outcome;
  if (d.url === urls.at(-1) && d.attempt >= attemptsPerUrl) return 'failed';
  return undefined;
}

/**
 * Prints the delivery attempts of the events `match` picks, from `since`, until `complete(events)`
 * says all are settled or `waitMs` passes. Returns the events: Map id -> { type, result, attempts }.
 */
async function followDeliveries(ctx, { since, query = {}, match = () => true, urls, complete, waitMs }) {
  const { attempts_per_url: attemptsPerUrl } = (await call(ctx, 'GET', '/sim/settings')).data;
  const events = new Map();
  const deadline = Date.now() + waitMs;
  let cursor = since;
  const poll = async () => {
    for (const d of await fetchLog(ctx, '/sim/deliveries', query, cursor)) {
      cursor = d.seq;
      if (!match(d)) continue;
      say(`  ${deliveryLine(d)}`);
      const event = events.get(d.event_id) ?? { type: d.event_type, result: undefined, attempts: [] };
      event.attempts.push(d);
      event.result ??= settles(d, urls, attemptsPerUrl);
      events.set(d.event_id, event);
    }
  };
  say(c.dim(`Watching webhook deliveries for up to ${waitMs / 1000} s (Ctrl-C to stop)...`));
  for (;;) {
    await poll();
    if (complete(events)) break;
    if (Date.now() >= deadline) {
      const { data: faults } = await call(ctx, 'GET', '/sim/faults');
      const reorder = faults.find((f) => f.kind === 'reorder');
      say(c.yellow(`Stopped watching after ${waitMs / 1000} s; not everything has settled.`));
      if (reorder) say(`  A reorder fault holds webhook events until ${reorder.remaining} more arrive.`);
      else if (faults.some((f) => f.kind === 'delay')) say('  A delay fault may be holding an event back.');
      say(`  ${CLI} flush    delivers everything pending now`, `  ${CLI} watch    follows deliveries live`);
      return events;
    }
    await sleep(250);
  }
  await sleep(300); // a duplicate fault sends a delivered event once more, right away
  await poll();
  summarize(events);
  return events;
}

function summarize(events) {
  const word = {
    delivered: (e) => {
      const copies = e.attempts.filter((d) => d.outcome === 'delivered').length;
      const tries = e.attempts.length - copies + 1;
      return c.green(
        `${e.type} delivered${tries > 1 ? ` on attempt ${tries}` : ''}${copies > 1 ? ` ${copies} times (duplicate)` : ''}`,
      );
    },
    failed: (e) =>
      c.red(
        `${e.type} NOT delivered (${e.attempts.length === 1 ? 'its one attempt' : `all ${e.attempts.length} attempts`} failed)`,
      ),
    dropped: (e) => c.yellow(`${e.type} dropped by a webhook fault`),
    no_url: (e) => c.yellow(`${e.type} not sent: no webhook URL`),
  };
  say(`Webhooks: ${[...events.values()].map((e) => word[e.result](e)).join(', ')}.`);
  const failed = [...events.values()].filter((e) => e.result === 'failed').flatMap((e) => e.attempts);
  const unreached = failed.filter((d) => d.status === null && /connection|refused|ECONN/i.test(d.error ?? ''));
  if (unreached.length > 0 && unreached.length === failed.length) {
    const origin = new URL(unreached[0].url).origin;
    say(`Nothing answered at ${origin}. Is the bundle running? Start it (and the simulator) with: npm run dev`);
  }
}

// ---- Arguments ----------------------------------------------------------------------------------

const looksLikeNumber = (s) => /^\+?\d{3,15}$/.test(s ?? '');

function needNumber(value, what) {
  if (!looksLikeNumber(value)) {
    throw new UsageError(
      `${what} must be a phone number such as ${EXAMPLE_NUMBER}; got ${value === undefined ? 'nothing' : `'${value}'`}.`,
    );
  }
  return value;
}

function wholeNumber(value, flag, min = 0) {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min)
    throw new UsageError(`${flag} takes a whole number${min ? ` of at least ${min}` : ''}; got '${value}'.`);
  return Number(value);
}

function seconds(value, flag) {
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0)
    throw new UsageError(`${flag} takes a number of seconds; got '${value}'.`);
  return Number(value) * 1000;
}

/** "8d", "2h", "30m", "45s", "1500ms", or several: "1h30m". */
function duration(text) {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const parts = [...(text ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) {
    throw new UsageError(
      `clock takes a duration such as 8d, 2h, 30m, 45s, 1500ms or 1h30m; got ${text ? `'${text}'` : 'nothing'}.`,
    );
  }
  return parts.reduce((ms, [, n, unit]) => ms + Number(n) * units[unit], 0);
}

/** 696600000 ms as "8d 1h 30m". */
function spelled(ms) {
  let rest = Math.round(ms / 1000);
  const parts = [];
  for (const [unit, size] of Object.entries({ d: 86_400, h: 3600, m: 60, s: 1 })) {
    if (rest >= size) parts.push(`${Math.floor(rest / size)}${unit}`);
    rest %= size;
  }
  return parts.join(' ') || '0s';
}

/** "true"/"false", "null" and numbers become JSON values; anything else stays a string. */
function settingValue(text) {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

const WATCH_OPTIONS = {
  wait: { type: 'string', arg: 'seconds', help: 'how long to watch the webhook deliveries (default 10)' },
  'no-watch': { type: 'boolean', help: 'do not watch the deliveries; return at once' },
};
const JSON_OPTION = { json: { type: 'boolean', help: 'print the simulator’s JSON as it came' } };
const LIMIT_OPTION = (n) => ({
  limit: { type: 'string', arg: 'N', help: `how many rows, newest last (default ${n})` },
});

// ---- Commands -----------------------------------------------------------------------------------

/** A message someone sends to an account number: stored by the sim, then a message.received webhook. */
async function textIn(ctx, { from, to, text, media = [] }) {
  const state = await call(ctx, 'GET', '/sim/state');
  const since = ctx.values['no-watch'] ? 0 : await latestSeq(ctx, '/sim/deliveries');
  const body = { from, to, ...(text && { text }), ...(media.length > 0 && { media_urls: media }) };
  const {
    message,
    event_id: eventId,
    opted_out: optedOut,
  } = await call(ctx, 'POST', '/sim/messages/inbound', { body });
  const profile = state.profiles.find((p) => p.id === message.messaging_profile_id);
  const wasOptedOut = state.opt_outs.some((o) => o.recipient === from && o.profile_id === profile?.id);
  const urls = [message.webhook_url, message.webhook_failover_url].filter(Boolean);
  say(
    `${c.bold(from)} texted ${c.bold(to)}: ${text ? JSON.stringify(text) : ''}${media.length ? ` + ${media.length} media` : ''}`,
    `  message  ${message.id}  (${message.type}, ${message.parts} part${message.parts === 1 ? '' : 's'}, ${message.encoding})`,
    `  profile  ${profile ? `${profile.name} (${profile.id})` : 'none: the number is on no messaging profile'}`,
    ...message.media.map((m) => `  media    ${m.url}  (${m.content_type}, ${Math.round(m.size / 1024)} KB)`),
    `  event    ${eventId}  message.received → ${urls.join(', then ') || '(no URL)'}`,
  );
  if (optedOut) {
    say(c.yellow(`  ${from} is now opted out of ${profile.name}: sends to it are refused (40300) until START.`));
  } else if (/^\s*stop\s*$/i.test(text ?? '') && profile && !state.settings.stop_blocks) {
    say(c.yellow('  stop_blocks is off, so the simulator recorded no opt-out.'));
  } else if (/^\s*(start|unstop)\s*$/i.test(text ?? '') && profile) {
    say(wasOptedOut ? c.green(`  ${from}'s opt-out of ${profile.name} is lifted.`) : `  (${from} was not opted out.)`);
  }
  if (ctx.values['no-watch']) return say(c.dim(`Not watching; see the deliveries with: ${CLI} deliveries`));
  await followDeliveries(ctx, {
    since,
    match: (d) => d.event_id === eventId,
    urls,
    complete: (events) => events.get(eventId)?.result !== undefined,
    waitMs: ctx.wait,
  });
}

async function sendOut(ctx) {
  const [to, ...words] = ctx.positionals;
  needNumber(to, '<to>');
  const { from, profile: profileArg, media = [] } = ctx.values;
  if (from && profileArg) throw new UsageError('Give --from or --profile, not both.');
  const text = words.join(' ');
  if (!text && media.length === 0) throw new UsageError('Give the text to send (or --media URLs for an MMS).');
  const state = await call(ctx, 'GET', '/sim/state');
  let profileId;
  if (profileArg) {
    const wanted = profileArg.toLowerCase();
    const found =
      state.profiles.find((p) => p.id === profileArg) ??
      state.profiles.find((p) => p.name.toLowerCase().startsWith(wanted));
    if (!found)
      throw new UsageError(
        `No messaging profile '${profileArg}'. Profiles: ${state.profiles.map((p) => `${p.name} (${p.id})`).join(', ')}.`,
      );
    profileId = found.id;
  }
  const body = {
    to,
    ...(profileId ? { messaging_profile_id: profileId } : { from: from ?? EXAMPLE_NUMBER }),
    ...(text && { text }),
    ...(media.length > 0 && { media_urls: media }),
    ...(ctx.values['webhook-url'] && { webhook_url: ctx.values['webhook-url'] }),
  };
  const { data: message } = await call(ctx, 'POST', '/v2/messages', { body, api: true });
  const profile = state.profiles.find((p) => p.id === message.messaging_profile_id);
  const urls = [message.webhook_url, message.webhook_failover_url].filter(Boolean);
  say(
    c.dim('Sent through the simulator’s Telnyx API (POST /v2/messages), not through the bundle.'),
    `  message  ${message.id}  (${message.type}, ${message.parts} part${message.parts === 1 ? '' : 's'}, ${message.encoding}): ${message.to[0].status}`,
    `  from     ${message.from.phone_number}${profileId ? ' (chosen by the number pool)' : ''} → ${to}`,
    `  profile  ${profile?.name ?? '?'} (${message.messaging_profile_id})`,
    `  webhooks ${urls.join(', then ') || '(none)'}`,
  );
  if (message.wait_seconds) say(c.yellow(`  queued by throughput limits: leaves in ${message.wait_seconds} s`));
  if (ctx.values['no-watch'])
    return say(c.dim(`Not watching; see the deliveries with: ${CLI} deliveries --message-id ${message.id}`));
  const events = await followDeliveries(ctx, {
    since: 0,
    query: { message_id: message.id },
    urls,
    complete: (ev) =>
      [...ev.values()].some((e) => e.type === 'message.finalized') && [...ev.values()].every((e) => e.result),
    waitMs: ctx.wait + (message.wait_seconds ?? 0) * 1000,
  });
  const { data: final } = await call(ctx, 'GET', `/v2/messages/${message.id}`, { api: true });
  if (final && events.size > 0) {
    const error = final.errors?.[0];
    const verdict = `Message status at Telnyx: ${final.to[0].status}${error ? ` (${error.code} ${error.title}: ${error.detail})` : ''}`;
    say(final.to[0].status === 'delivered' ? c.green(verdict) : c.yellow(verdict));
  }
}

function printFaults(faults) {
  const what = (f) => {
    const p = JSON.parse(f.params || '{}');
    return {
      429: `429 Too many requests (x-ratelimit-reset ${p.reset_seconds ?? 1} s)`,
      500: '500, without doing the work',
      '500_after': 'does the work, then answers 500',
      slow: `answers after ${p.delay_ms ?? 3000} ms`,
      drop: 'not delivered (the message state still changes)',
      duplicate: 'delivered twice, same event id',
      delay: `delivered ${p.delay_ms ?? 0} ms late`,
      reorder: 'held, then all released newest first',
    }[f.kind];
  };
  table(faults, [
    ['ID', (f) => f.id],
    ['TARGET', (f) => f.target],
    ['KIND', (f) => f.kind],
    ['LEFT', (f) => f.remaining],
    ['PATH', (f) => f.path_prefix ?? (f.target === 'api' ? 'any /v2 path' : '')],
    ['EFFECT', what],
  ]);
}

const poolText = (pool) =>
  pool === null
    ? 'off'
    : `long-code weight ${pool.long_code_weight}, toll-free weight ${pool.toll_free_weight}` +
      ['skip_unhealthy', 'sticky_sender', 'geomatch'].map((k) => (pool[k] ? `, ${k}` : '')).join('');

// ---- Forwarded events (listen) ------------------------------------------------------------------

const LISTEN_PORT = 8790;
const LISTEN_BODY_LIMIT = 1024 * 1024;
/** The Standard Webhooks window for webhook-timestamp, either side of now. */
const TOLERANCE_SECONDS = 300;

/**
 * The key bytes of a Standard Webhooks secret, read as the bundle reads FORWARD_SIGNING_SECRET:
 * "whsec_" + standard base64, or else the secret's raw UTF-8 bytes.
 */
function forwardKey(secret) {
  if (!secret.startsWith('whsec_')) return Buffer.from(secret, 'utf8');
  const base64 = secret.slice('whsec_'.length);
  const bytes = Buffer.from(base64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || bytes.toString('base64') !== base64)
    throw new UsageError('--secret starts with whsec_, but the rest is not standard base64.');
  return bytes;
}

/** Checks the three Standard Webhooks headers against the raw body; says why not when they fail. */
function checkForwardSignature(key, headers, rawBody, nowSeconds) {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (!id || !timestamp || !signatures)
    return { ok: false, why: 'webhook-id, webhook-timestamp or webhook-signature is missing' };
  if (!/^\d{1,15}$/.test(timestamp)) return { ok: false, why: `webhook-timestamp "${timestamp}" is not Unix seconds` };
  const skew = nowSeconds - Number(timestamp);
  if (Math.abs(skew) > TOLERANCE_SECONDS)
    return { ok: false, why: `webhook-timestamp is ${skew} s off (at most ${TOLERANCE_SECONDS} allowed)` };
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody).digest();
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma === -1 || entry.slice(0, comma) !== 'v1') continue;
    const given = Buffer.from(entry.slice(comma + 1), 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { ok: true, skew };
  }
  return { ok: false, why: 'no v1 signature matches: another secret signed it, or the body was changed' };
}

/** The parts of a forwarded Telnyx event worth a line: type, numbers, text, status. */
function eventSummary(text) {
  let event;
  try {
    event = JSON.parse(text);
  } catch {
    return { type: '(not JSON)', detail: c.dim(cut(text, 60)) };
  }
  const data = event?.data ?? event;
  const p = data?.payload ?? {};
  const number = (x) => (typeof x === 'string' ? x : x?.phone_number);
  const from = number(p.from);
  const to = Array.isArray(p.to) ? p.to.map(number).filter(Boolean).join(', ') : number(p.to);
  const status = Array.isArray(p.to) ? p.to[0]?.status : undefined;
  const parts = [];
  if (from || to) parts.push(`${from ?? '?'} → ${to ?? '?'}`);
  if (typeof p.text === 'string' && p.text !== '') parts.push(JSON.stringify(cut(p.text, 50)));
  if (Array.isArray(p.media) && p.media.length > 0) parts.push(`+ ${p.media.length} media`);
  if (status) parts.push(c.dim(`[${status}]`));
  return { type: data?.event_type ?? data?.record_type ?? '(no event_type)', detail: parts.join('  ') };
}

async function listen(ctx) {
  if (ctx.positionals.length > 0)
    throw new UsageError(`Unexpected '${ctx.positionals[0]}': listen takes only options.`);
  const port = wholeNumber(ctx.values.port, '--port', 1) ?? LISTEN_PORT;
  if (port > 65535) throw new UsageError(`--port takes a port number up to 65535; got ${port}.`);
  const secret = ctx.values.secret ?? DEV_FORWARD_SIGNING_SECRET;
  const key = forwardKey(secret);
  const fail = Boolean(ctx.values.fail);
  const seen = new Map(); // webhook-id -> deliveries so far: retries and redrives reuse the id

  const server = createServer((request, response) => {
    const answer = (status, body) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (request.method !== 'POST') {
      say(c.dim(`${clock(Date.now())}  ${request.method} ${request.url}  (not a forwarded event; answered 200)`));
      return answer(200, { ok: true, listening: 'POST forwarded events here' });
    }
    const chunks = [];
    let size = 0;
    request.on('data', (chunk) => {
      size += chunk.length;
      if (size <= LISTEN_BODY_LIMIT) chunks.push(chunk);
    });
    request.on('end', () => {
      const at = Date.now();
      if (size > LISTEN_BODY_LIMIT) {
        say(`${c.dim(clock(at))}  ${c.red(`a ${size}-byte body, over ${LISTEN_BODY_LIMIT}: answered 413`)}`);
        return answer(413, { error: 'body too large' });
      }
      const raw = Buffer.concat(chunks);
      const text = raw.toString('utf8');
      const id = request.headers['webhook-id'];
      const check = checkForwardSignature(key, request.headers, raw, Math.floor(at / 1000));
      const count = (seen.get(id) ?? 0) + 1;
      if (id) seen.set(id, count);
      const status = !check.ok ? 401 : fail ? 500 : 200;
      const { type, detail } = eventSummary(text);
      say(`${c.dim(clock(at))}  ${c.bold(type)}  ${detail}`);
      const signature = check.ok ? c.green('signature ok') : c.red(`signature INVALID: ${check.why}`);
      const again = count > 1 ? c.yellow(`  delivery ${count} of this id (a retry or a redrive)`) : '';
      const answered =
        status === 200 ? c.green('answered 200') : c.red(`answered ${status}${fail && check.ok ? ' (--fail)' : ''}`);
      say(`              ${c.dim(`webhook-id ${id ?? '-'}`)}  ${signature}  ${answered}${again}`);
      if (ctx.values.body) say(prettyBody(text));
      answer(status, status === 200 ? { ok: true } : { error: check.ok ? 'failing on purpose (--fail)' : check.why });
    });
  });

  await new Promise((resolve, reject) => {
    server.once('error', (error) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new Failure(`Port ${port} is taken. Choose another: ${CLI} listen --port ${port + 1}`)
          : error,
      ),
    );
    server.listen(port, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${port}/`;
  say(
    `${c.bold(`Listening for forwarded events on ${url}`)} (Ctrl-C to stop).`,
    `  Signatures are checked with ${ctx.values.secret ? 'the --secret given' : 'the development FORWARD_SIGNING_SECRET of npm run dev'}.`,
    fail
      ? c.yellow(
          '  Every event is answered 500 (--fail): the bundle retries it after 30 s, 60 s, 120 s ... then dead-letters it.',
        )
      : '  Every genuine event is answered 200; a bad signature gets 401.',
    '',
    `Point a pool's forward URL here (the bundle's admin API; npm run dev must be running):`,
    `  curl -X PATCH ${EDGE_URL}/v2/messaging_profiles/<profile-id> \\`,
    `    -H 'Authorization: Bearer ${DEV_ADMIN_TOKEN}' -H 'Content-Type: application/json' \\`,
    `    -d '{"edge":{"forward_url":"${url}"}}'`,
    c.dim(`  The pools: curl -H 'Authorization: Bearer ${DEV_ADMIN_TOKEN}' ${EDGE_URL}/v2/messaging_profiles`),
    c.dim(`  Dead letters: curl -H 'Authorization: Bearer ${DEV_ADMIN_TOKEN}' ${EDGE_URL}/forwarding/dead-letters`),
    '',
  );
  process.on('SIGINT', () => {
    server.close();
    process.exit(0);
  });
  await new Promise((resolve) => server.on('close', resolve));
}

function prettyBody(text) {
  let shown;
  try {
    shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    shown = text;
  }
  return shown
    .split('\n')
    .map((line) => `              ${line}`)
    .join('\n');
}

/** stop and start: an inbound message that is just the keyword. */
const keywordCommand = (word, effect) => ({
  group: 'Play the other side',
  usage: `${word.toLowerCase()} <from> <to>`,
  summary: `<from> texts ${word} to <to>: ${effect}`,
  options: WATCH_OPTIONS,
  run: (ctx) => {
    const [from, to, ...extra] = ctx.positionals;
    if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': ${word.toLowerCase()} takes two numbers.`);
    return textIn(ctx, { from: needNumber(from, '<from>'), to: needNumber(to, '<to>'), text: word });
  },
});

const COMMANDS = {
  sms: {
    group: 'Play the other side',
    usage: 'sms <from> <to> <text...>',
    summary: 'someone texts an account number; watch the webhook reach the bundle',
    details: [
      '<from> is the person texting (+E.164); <to> is one of the account numbers (see: state), e.g.',
      `${EXAMPLE_NUMBER} (Marketing) or +15125550100 (Support). Both are required, in that order; the`,
      "rest is the text. Quote it, or put it after -- if it starts with '-'.",
      'Prints the message and its message.received event, then every delivery attempt of that event',
      '(URL, HTTP status, latency, outcome, error or first line of the answer) until it settles.',
    ],
    options: WATCH_OPTIONS,
    run: (ctx) => {
      const [from, to, ...words] = ctx.positionals;
      needNumber(from, '<from>');
      needNumber(to, '<to> (the account number being texted)');
      if (words.length === 0) throw new UsageError(`Give the text after the numbers: ${CLI} sms ${from} ${to} hello`);
      return textIn(ctx, { from, to, text: words.join(' ') });
    },
  },
  mms: {
    group: 'Play the other side',
    usage: 'mms <from> <to> <media-url...> [--text T]',
    summary: 'like sms, with up to 10 media URLs',
    details: ['The media URLs are not fetched; the simulator describes them from their names (.jpg, .png, ...).'],
    options: { text: { type: 'string', arg: 'text', help: 'text to go with the media' }, ...WATCH_OPTIONS },
    run: (ctx) => {
      const [from, to, ...media] = ctx.positionals;
      needNumber(from, '<from>');
      needNumber(to, '<to> (the account number being texted)');
      if (media.length === 0) throw new UsageError('Give at least one media URL after the numbers.');
      const notUrl = media.find((u) => !/^https?:\/\//.test(u));
      if (notUrl) throw new UsageError(`'${notUrl}' is not an http(s) URL; put words in --text "...".`);
      return textIn(ctx, { from, to, text: ctx.values.text, media });
    },
  },
  stop: keywordCommand('STOP', 'opts out of that number’s profile'),
  start: keywordCommand('START', 'lifts the opt-out'),
  send: {
    group: 'Play the other side',
    usage: 'send <to> <text...> [--from N] [--profile P] [--media URL]...',
    summary: 'send through the simulator’s Telnyx API; watch message.sent/finalized',
    details: [
      'This calls the SIMULATOR directly (POST /v2/messages with the development API key), not the',
      'bundle, whose send API is not built yet. The destination picks the outcome by its last two',
      'digits (sim/messaging/outcomes.ts): ...90 not routable, ...91 spam, ...96 unconfirmed,',
      '...97 sending failed, ...99 Telnyx spam filter; anything else is delivered.',
      `Give --from or --profile, not both; with neither it sends from ${EXAMPLE_NUMBER}.`,
    ],
    options: {
      from: { type: 'string', arg: 'number', help: `send from this account number (default ${EXAMPLE_NUMBER})` },
      profile: {
        type: 'string',
        arg: 'id|name',
        help: 'let this profile’s number pool choose (id, or start of the name)',
      },
      media: { type: 'string', multiple: true, arg: 'url', help: 'a media URL (makes it an MMS); repeat for more' },
      'webhook-url': { type: 'string', arg: 'url', help: 'send this message’s webhooks here instead' },
      ...WATCH_OPTIONS,
    },
    run: sendOut,
  },
  lookup: {
    group: 'Play the other side',
    usage: 'lookup <number> [--type carrier|caller-name ...]',
    summary: 'number lookup through the simulator’s Telnyx API',
    details: [
      'The answers are made up from the digits (sim/lookup/RANGES.md): +13125551234 is mobile, +13125558500 ported.',
    ],
    options: {
      type: {
        type: 'string',
        multiple: true,
        arg: 'type',
        help: 'carrier (default), caller-name; repeat or comma-separate',
      },
      ...JSON_OPTION,
    },
    run: async (ctx) => {
      const number = needNumber(ctx.positionals[0], '<number>');
      const type = (ctx.values.type ?? []).flatMap((t) => t.split(',')).filter(Boolean);
      const path = `/v2/number_lookup/${encodeURIComponent(number)}`;
      const { data } = await call(ctx, 'GET', path, { query: { type }, api: true });
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      say(`${c.bold(data.phone_number)}  ${data.national_format}  ${data.country_code}`);
      for (const [key, title] of [
        ['carrier', 'Carrier'],
        ['portability', 'Portability'],
        ['caller_name', 'Caller name'],
      ]) {
        if (data[key] === undefined) continue;
        section(title);
        printKeyValues(data[key]);
      }
    },
  },

  watch: {
    group: 'Watch and inspect',
    usage: 'watch [--since-start]',
    summary: 'follow webhook deliveries and API requests live, until Ctrl-C',
    options: {
      'since-start': { type: 'boolean', help: 'first print everything the simulator still has' },
      interval: { type: 'string', arg: 'ms', help: 'how often to ask (default 500)' },
    },
    run: async (ctx) => {
      const interval = wholeNumber(ctx.values.interval, '--interval', 50) ?? 500;
      let deliveries = ctx.values['since-start'] ? 0 : await latestSeq(ctx, '/sim/deliveries');
      let requests = ctx.values['since-start'] ? 0 : await latestSeq(ctx, '/sim/requests');
      process.on('SIGINT', () => process.exit(0));
      say(c.dim(`Following ${ctx.sim}: webhook deliveries and /v2 API requests (Ctrl-C to stop).`));
      for (;;) {
        const [d, r] = await Promise.all([
          fetchLog(ctx, '/sim/deliveries', {}, deliveries),
          fetchLog(ctx, '/sim/requests', {}, requests),
        ]);
        deliveries = d.at(-1)?.seq ?? deliveries;
        requests = r.at(-1)?.seq ?? requests;
        const lines = [...d.map((x) => [x.at, deliveryLine(x, 'webhook  ')]), ...r.map((x) => [x.at, requestLine(x)])];
        for (const [, line] of lines.sort((a, b) => a[0].localeCompare(b[0]))) say(line);
        await sleep(interval);
      }
    },
  },
  deliveries: {
    group: 'Watch and inspect',
    usage: 'deliveries [--limit N] [--event-type T] [--message-id ID]',
    summary: 'recent webhook delivery attempts',
    options: {
      ...LIMIT_OPTION(20),
      'event-type': { type: 'string', arg: 'type', help: 'only this event type, e.g. message.finalized' },
      'message-id': { type: 'string', arg: 'id', help: 'only this outbound message’s events' },
      ...JSON_OPTION,
    },
    run: async (ctx) => {
      const filters = { event_type: ctx.values['event-type'], message_id: ctx.values['message-id'] };
      const rows = await tailLog(ctx, '/sim/deliveries', wholeNumber(ctx.values.limit, '--limit', 1) ?? 20, filters);
      if (ctx.values.json) return say(JSON.stringify(rows, null, 2));
      table(rows, [
        ['SEQ', (d) => d.seq],
        ['TIME', (d) => clock(d.at)],
        ['EVENT', (d) => d.event_type],
        ['TRY', (d) => d.attempt],
        ['STATUS', (d) => d.status ?? '-'],
        ['MS', (d) => d.latency_ms ?? '-'],
        ['OUTCOME', (d) => d.outcome],
        ['URL', (d) => d.url ?? '-', 45],
        ['ERROR / ANSWER', (d) => (d.error ? d.error.replace(/^Error: /, '') : firstLine(d.response)), 50],
      ]);
    },
  },
  requests: {
    group: 'Watch and inspect',
    usage: 'requests [--limit N] [--path P]',
    summary: 'recent /v2 API requests the simulator received',
    options: {
      ...LIMIT_OPTION(20),
      path: { type: 'string', arg: 'prefix', help: 'only paths starting with this, e.g. /v2/messages' },
      ...JSON_OPTION,
    },
    run: async (ctx) => {
      const rows = await tailLog(ctx, '/sim/requests', wholeNumber(ctx.values.limit, '--limit', 1) ?? 20, {
        path: ctx.values.path,
      });
      if (ctx.values.json) return say(JSON.stringify(rows, null, 2));
      table(rows, [
        ['SEQ', (r) => r.seq],
        ['TIME', (r) => clock(r.at)],
        ['METHOD', (r) => r.method],
        ['PATH', (r) => readablePath(r.path), 70],
        ['STATUS', (r) => r.status],
        ['FAULT', (r) => r.fault ?? ''],
      ]);
    },
  },
  messages: {
    group: 'Watch and inspect',
    usage: 'messages [--limit N]',
    summary: 'recent messages, both directions',
    options: { ...LIMIT_OPTION(20), ...JSON_OPTION },
    run: async (ctx) => {
      const query = { limit: wholeNumber(ctx.values.limit, '--limit', 1) ?? 20 };
      const rows = (await call(ctx, 'GET', '/sim/messages', { query })).data.reverse();
      if (ctx.values.json) return say(JSON.stringify(rows, null, 2));
      table(rows, [
        ['TIME', (m) => clock(m.received_at)],
        ['DIR', (m) => (m.direction === 'inbound' ? 'in' : 'out')],
        ['TYPE', (m) => m.type],
        ['FROM', (m) => m.from.phone_number],
        ['TO', (m) => m.to[0]?.phone_number],
        ['STATUS', (m) => m.to[0]?.status + (m.errors?.[0] ? ` ${m.errors[0].code}` : '')],
        ['TEXT', (m) => (m.media?.length ? `[${m.media.length} media] ` : '') + m.text, 32],
        ['ID', (m) => m.id],
      ]);
    },
  },
  lookups: {
    group: 'Watch and inspect',
    usage: 'lookups',
    summary: 'how often each number was looked up, by type',
    options: JSON_OPTION,
    run: async (ctx) => {
      const { data } = await call(ctx, 'GET', '/sim/lookups');
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      table(data, [
        ['NUMBER', (l) => l.phone_number],
        ['TYPE', (l) => l.type],
        ['COUNT', (l) => l.count],
      ]);
    },
  },
  state: {
    group: 'Watch and inspect',
    usage: 'state [--json]',
    summary: 'numbers, profiles, opt-outs, faults and settings',
    options: JSON_OPTION,
    run: async (ctx) => {
      const s = await call(ctx, 'GET', '/sim/state');
      if (!s.counts || !s.settings) throw new Failure(`${ctx.sim} answered, but not as the Telnyx simulator does.`);
      if (ctx.values.json) return say(JSON.stringify(s, null, 2));
      const name = (id) => s.profiles.find((p) => p.id === id)?.name ?? id;
      const ahead = Date.parse(s.clock) - Date.now();
      say(
        `${c.bold('Simulator')} ${ctx.sim}   clock ${s.clock}${ahead > 1000 ? c.yellow(`  (${spelled(ahead)} ahead of real time)`) : ''}`,
      );
      const n = s.counts;
      say(
        `  ${n.messages} messages, ${n.events_pending} webhook events pending, ${n.deliveries} delivery attempts, ${n.requests} API requests logged`,
      );
      section('Numbers');
      const health = Object.fromEntries(
        s.number_outcomes.map((o) => [
          o.phone_number,
          `${o.delivered}/${o.finalized} delivered${o.spam ? `, ${o.spam} spam` : ''}`,
        ]),
      );
      table(s.numbers, [
        ['NUMBER', (x) => x.phone_number],
        ['TYPE', (x) => x.type],
        ['COUNTRY', (x) => x.country_code],
        ['PROFILE', (x) => (x.messaging_profile_id ? name(x.messaging_profile_id) : '-')],
        ['MPS', (x) => x.mps ?? 'default'],
        ['OUTCOMES', (x) => health[x.phone_number] ?? ''],
      ]);
      section('Messaging profiles');
      for (const p of s.profiles) {
        const numbers = s.numbers.filter((x) => x.messaging_profile_id === p.id).length;
        const webhook = p.webhook_url || `${s.settings.webhook_base ?? '<SIM_WEBHOOK_BASE>'}/webhooks/messaging`;
        say(
          `  ${c.bold(p.name)}  ${p.id}${p.enabled ? '' : c.yellow('  DISABLED')}`,
          `    ${numbers} numbers; sends to ${p.whitelisted_destinations.join(', ')}; webhooks to ${webhook}` +
            (p.webhook_failover_url ? `, failover ${p.webhook_failover_url}` : ''),
          `    number pool: ${poolText(p.number_pool_settings)}`,
        );
      }
      section('Opt-outs (STOP)');
      table(s.opt_outs, [
        ['PROFILE', (o) => name(o.profile_id)],
        ['RECIPIENT', (o) => o.recipient],
        ['SINCE', (o) => new Date(o.at).toISOString()],
      ]);
      section('Sticky senders');
      table(s.sticky_senders, [
        ['PROFILE', (o) => name(o.profile_id)],
        ['RECIPIENT', (o) => o.recipient],
        ['SENDER', (o) => o.sender],
        ['LAST USED', (o) => new Date(o.last_at).toISOString()],
      ]);
      section('Pending faults');
      printFaults(s.faults);
      section('Settings');
      printKeyValues(s.settings);
    },
  },

  fault: {
    group: 'Bend the simulator',
    usage: 'fault api|webhooks <kind> [--count N] [--path P] [--delay-ms N] [--reset-seconds S]',
    summary: 'make the next N API calls or webhook events misbehave',
    details: [
      'api 429              answer 429 Too many requests (x-ratelimit-reset: --reset-seconds)',
      'api 500              answer 500 without doing anything',
      'api 500_after        do the work (a message is sent), then answer 500',
      'api slow             answer after --delay-ms',
      'webhooks drop        do not deliver the event (its state change still happens)',
      'webhooks duplicate   deliver the event twice, same event id',
      'webhooks delay       deliver the event --delay-ms late',
      'webhooks reorder     hold the next N events, then release them newest first',
      `Each API call or new webhook event uses up one; list them with: ${CLI} faults`,
    ],
    options: {
      count: { type: 'string', arg: 'N', help: 'how many calls or events (default 1)' },
      path: { type: 'string', arg: '/v2/...', help: 'api only: only calls whose path starts with this' },
      'delay-ms': { type: 'string', arg: 'ms', help: 'api slow (default 3000) and webhooks delay' },
      'reset-seconds': { type: 'string', arg: 's', help: 'api 429: the x-ratelimit-reset it announces (default 1)' },
    },
    run: async (ctx) => {
      const [target, kind, ...extra] = ctx.positionals;
      const kinds = { api: ['429', '500', '500_after', 'slow'], webhooks: ['drop', 'duplicate', 'delay', 'reorder'] }[
        target
      ];
      if (!kinds)
        throw new UsageError(`fault takes 'api' or 'webhooks' first; got ${target ? `'${target}'` : 'nothing'}.`);
      if (!kinds.includes(kind))
        throw new UsageError(
          `fault ${target} takes one of ${kinds.join(', ')}; got ${kind ? `'${kind}'` : 'nothing'}.`,
        );
      if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}' after fault ${target} ${kind}.`);
      const v = ctx.values;
      if (v.path !== undefined && target !== 'api') throw new UsageError('--path applies to api faults only.');
      if (v['reset-seconds'] !== undefined && kind !== '429')
        throw new UsageError('--reset-seconds applies to api 429 only.');
      if (v['delay-ms'] !== undefined && !['slow', 'delay'].includes(kind))
        throw new UsageError('--delay-ms applies to api slow and webhooks delay only.');
      const body = {
        target,
        kind,
        count: wholeNumber(v.count, '--count', 1) ?? 1,
        path: v.path,
        delay_ms: wholeNumber(v['delay-ms'], '--delay-ms'),
        reset_seconds: wholeNumber(v['reset-seconds'], '--reset-seconds'),
      };
      const { data } = await call(ctx, 'POST', '/sim/faults', { body });
      say(`Fault added. Pending faults:`);
      printFaults(data);
    },
  },
  faults: {
    group: 'Bend the simulator',
    usage: 'faults [clear]',
    summary: 'list pending faults, or clear them all',
    options: JSON_OPTION,
    run: async (ctx) => {
      const [action, ...extra] = ctx.positionals;
      if ((action !== undefined && action !== 'clear') || extra.length > 0)
        throw new UsageError(`faults takes nothing or 'clear'; got '${ctx.positionals.join(' ')}'.`);
      const { data } = await call(ctx, action ? 'DELETE' : 'GET', '/sim/faults');
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      if (action) say('All faults cleared; webhook events held by a reorder fault are released.');
      else printFaults(data);
    },
  },
  settings: {
    group: 'Bend the simulator',
    usage: 'settings [set key=value ...]',
    summary: 'show the settings, or change some (latency_ms.sent=0)',
    details: [
      'Values: true, false, null and numbers are read as such; anything else is a string.',
      `Example: ${CLI} settings set latency_ms.sent=0 latency_ms.finalized=0 stop_blocks=false`,
    ],
    options: JSON_OPTION,
    run: async (ctx) => {
      const [action, ...pairs] = ctx.positionals;
      if (action === undefined) {
        const { data } = await call(ctx, 'GET', '/sim/settings');
        return ctx.values.json ? say(JSON.stringify(data, null, 2)) : printKeyValues(data);
      }
      if (action !== 'set') throw new UsageError(`settings takes nothing or 'set key=value ...'; got '${action}'.`);
      if (pairs.length === 0)
        throw new UsageError(`Give at least one key=value, e.g. ${CLI} settings set retry_delay_ms=100`);
      const patch = {};
      for (const pair of pairs) {
        const match = /^([A-Za-z_][\w.]*)=(.*)$/.exec(pair);
        if (!match) throw new UsageError(`'${pair}' is not key=value.`);
        const keys = match[1].split('.');
        let target = patch;
        for (const key of keys.slice(0, -1)) target = target[key] ??= {};
        target[keys.at(-1)] = settingValue(match[2]);
      }
      const before = Object.fromEntries(keyValues((await call(ctx, 'GET', '/sim/settings')).data));
      const { data } = await call(ctx, 'PATCH', '/sim/settings', { body: patch });
      if (ctx.values.json) return say(JSON.stringify(data, null, 2));
      for (const [key, value] of keyValues(data))
        if (before[key] !== value) say(`  ${key}: ${before[key]} → ${c.bold(value)}`);
      if (keyValues(data).every(([k, v]) => before[k] === v)) say('  (nothing changed)');
    },
  },
  flush: {
    group: 'Bend the simulator',
    usage: 'flush',
    summary: 'deliver every pending webhook event now',
    run: async (ctx) => {
      const { attempts } = await call(ctx, 'POST', '/sim/flush');
      say(`Flushed: ${attempts} delivery attempt${attempts === 1 ? '' : 's'} made. See them with: ${CLI} deliveries`);
    },
  },
  reset: {
    group: 'Bend the simulator',
    usage: 'reset',
    summary: 'back to the seeded account; everything else cleared',
    run: async (ctx) => {
      await call(ctx, 'POST', '/sim/reset');
      const s = await call(ctx, 'GET', '/sim/state');
      say(`Simulator reset: ${s.numbers.length} numbers, ${s.profiles.length} messaging profiles, default settings.`);
    },
  },
  clock: {
    group: 'Bend the simulator',
    usage: 'clock [<advance>]',
    summary: 'move the simulator clock forward: 8d, 2h, 30m, 1500ms',
    details: ['Useful to let sticky senders expire or a throughput queue drain. It never goes back, except on reset.'],
    run: async (ctx) => {
      if (ctx.positionals.length > 1) throw new UsageError('clock takes one duration, e.g. 2h or 1h30m.');
      if (ctx.positionals.length === 0) return say(`Simulator clock: ${(await call(ctx, 'GET', '/sim/state')).clock}`);
      const { clock: now } = await call(ctx, 'POST', '/sim/clock', {
        body: { advance_ms: duration(ctx.positionals[0]) },
      });
      say(`Simulator clock is now ${now}.`);
    },
  },
  listen: {
    group: 'Be the business',
    usage: 'listen [--port N] [--body] [--fail] [--secret S]',
    summary: 'a local URL for the events the bundle forwards; checks their signatures',
    details: [
      `Starts an HTTP server on 127.0.0.1:${LISTEN_PORT} (--port to move it) that stands in for the business's`,
      'own URL. Each forwarded event is printed as it arrives: time, event type, from → to, the start of the',
      'text, webhook-id, whether its Standard Webhooks signature checks out, and what was answered. The same',
      'webhook-id arriving again is marked: that is a retry or a redrive, which a real receiver dedupes.',
      'Whole bodies are printed only with --body.',
      "The signature is checked with npm run dev's FORWARD_SIGNING_SECRET unless --secret gives another",
      '("whsec_" + base64, or raw text, as the bundle reads it). A bad signature is answered 401.',
      `Point a pool's forward URL here with the bundle's API: PATCH ${EDGE_URL}/v2/messaging_profiles/<id>`,
      `with {"edge":{"forward_url":"http://127.0.0.1:${LISTEN_PORT}/"}} (listen prints the whole command).`,
      'This command does not need the simulator.',
    ],
    options: {
      port: { type: 'string', arg: 'N', help: `the port to listen on (default ${LISTEN_PORT})` },
      body: { type: 'boolean', help: 'print each event’s whole body, as indented JSON' },
      fail: { type: 'boolean', help: 'answer every event 500, to watch the bundle retry and dead-letter' },
      secret: { type: 'string', arg: 'secret', help: 'check signatures with this secret instead of the dev one' },
    },
    run: listen,
  },
};

// ---- Help and dispatch --------------------------------------------------------------------------

const COMMON_OPTIONS = {
  sim: { type: 'string', arg: 'url', help: `the simulator (default $SIM_URL or ${DEFAULT_SIM})` },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};

function optionLines(options) {
  const rows = Object.entries(options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` <${o.arg}>` : ''}`,
    o.help,
  ]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

function mainHelp() {
  const lines = [
    `${c.bold('npm run phone -- <command> [options]')}`,
    '',
    'Plays the other side of Telnyx against the local Telnyx simulator: text the account numbers,',
    'watch the signed webhooks reach the bundle (http://127.0.0.1:8787), inject faults, inspect state.',
    'Start the simulator and the bundle first with: npm run dev',
    'Or be the business: listen receives the events the bundle forwards to a pool’s forward URL.',
  ];
  const synopsis = (cmd) => cmd.usage.replace(/ \[--.*$/, '');
  const width = Math.max(...Object.values(COMMANDS).map((cmd) => synopsis(cmd).length));
  for (const group of [...new Set(Object.values(COMMANDS).map((cmd) => cmd.group))]) {
    lines.push('', c.bold(group));
    for (const cmd of Object.values(COMMANDS).filter((x) => x.group === group)) {
      lines.push(`  ${synopsis(cmd).padEnd(width)}  ${cmd.summary}`);
    }
  }
  lines.push('', c.bold('Every command takes'), ...optionLines(COMMON_OPTIONS));
  lines.push('', `More on one command: ${CLI} help <command>   (or ${CLI} <command> --help)`);
  lines.push(`Example: ${CLI} sms +13125551234 ${EXAMPLE_NUMBER} "hi, what are your opening hours?"`);
  return lines.join('\n');
}

function commandHelp(name) {
  const cmd = COMMANDS[name];
  const lines = [c.bold(`${CLI} ${cmd.usage}`), '', cmd.summary];
  if (cmd.details) lines.push('', ...cmd.details);
  lines.push('', c.bold('Options'), ...optionLines({ ...cmd.options, ...COMMON_OPTIONS }));
  return lines.join('\n');
}

function closest(word) {
  const distance = (a, b) => {
    const row = [...Array(b.length + 1).keys()];
    for (let i = 1; i <= a.length; i++) {
      let previous = row[0]++;
      for (let j = 1; j <= b.length; j++) {
        const saved = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
        previous = saved;
      }
    }
    return row[b.length];
  };
  return Object.keys(COMMANDS).find((name) => distance(word, name) <= 2 || name.startsWith(word));
}

let simUrl = process.env.SIM_URL ?? DEFAULT_SIM;

async function main(argv) {
  // The command is the first word that is neither an option nor the value of --sim.
  const index = argv.findIndex((arg, i) => !arg.startsWith('-') && argv[i - 1] !== '--sim');
  const name = index === -1 ? undefined : argv[index];
  const rest = index === -1 ? argv : [...argv.slice(0, index), ...argv.slice(index + 1)];
  if (name === undefined) {
    if (rest.length === 0 || rest.includes('--help') || rest.includes('-h')) return say(mainHelp());
    throw new UsageError(`Give a command first.`);
  }
  if (name === 'help') {
    const topic = rest.find((a) => !a.startsWith('-'));
    if (topic === undefined) return say(mainHelp());
    if (!COMMANDS[topic]) throw new UsageError(`Unknown command '${topic}'.`);
    return say(commandHelp(topic));
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    const guess = closest(name);
    throw new UsageError(`Unknown command '${name}'.${guess ? ` Did you mean '${guess}'?` : ''}`);
  }
  const config = Object.fromEntries(
    Object.entries({ ...cmd.options, ...COMMON_OPTIONS }).map(([key, { type, short, multiple }]) => [
      key,
      { type, ...(short && { short }), ...(multiple && { multiple }) },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    if (!error.code?.startsWith('ERR_PARSE_ARGS')) throw error;
    const message = error.message.split('\n')[0].replace(/\. To specify a positional.*$/, '.');
    throw new UsageError(`${message.replace(/\.$/, '')} (for ${name}).`, { cause: name });
  }
  if (parsed.values.help) return say(commandHelp(name));
  const sim = (simUrl = parsed.values.sim ?? process.env.SIM_URL ?? DEFAULT_SIM);
  if (!/^https?:\/\/[^/]+/.test(sim))
    throw new UsageError(`--sim must be an http(s) URL such as ${DEFAULT_SIM}; got '${sim}'.`);
  const ctx = {
    sim: sim.replace(/\/+$/, ''),
    values: parsed.values,
    positionals: parsed.positionals,
    wait: parsed.values.wait === undefined ? 10_000 : seconds(parsed.values.wait, '--wait'),
  };
  await cmd.run(ctx);
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) {
    const command = typeof error.cause === 'string' ? error.cause : process.argv.slice(2).find((a) => COMMANDS[a]);
    console.error(`${error.message}\nUsage: ${command ? `${CLI} help ${command}` : `${CLI} --help`}`);
    process.exit(2);
  }
  if (error instanceof Failure) {
    console.error(error.message);
    process.exit(1);
  }
  // Most likely --sim names something that answers JSON but is not the simulator.
  console.error(`Unexpected problem: ${error.message}. Is ${simUrl} the Telnyx simulator?`);
  if (process.env.PHONE_DEBUG) console.error(error.stack);
  process.exit(1);
}
