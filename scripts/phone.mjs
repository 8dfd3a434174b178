#!/usr/bin/env node
// npm run phone -- <command>: play the other side of Telnyx from a terminal, against the Telnyx
// simulator (sim/) that `npm run dev` runs on 127.0.0.1:8788. Text the account's numbers, watch the
// signed webhooks reach the bundle, send through the simulator's Telnyx API, inject faults, look
// at the simulator's state. `pool`, `optouts` and `message` run the business's number pools through
// the bundle's own API (create, send, follow the receipts); `listen` plays the business's URL that
// receives the events the bundle forwards. No Telnyx account needed; docs/phone-cli.md has examples
// and docs/messaging-walkthrough.md one whole session.
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
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0)
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

function describeApiErrors(status, method, path, body, headers, who = 'The simulator') {
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

// ---- Talking to the simulator -------------------------------------------------------------------

/** One call to the simulator; `api` adds the development Telnyx API key. Returns the parsed JSON. */
async function call(ctx, method, path, { body, query = {}, api = false } = {}) {
  target = `${ctx.sim} (the Telnyx simulator)`;
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

const EDGE_OPTIONS = {
  edge: { type: 'string', arg: 'url', help: `the bundle (default $EDGE_URL or ${EDGE_URL})` },
  token: { type: 'string', arg: 'token', help: 'the bundle’s admin token (default $EDGE_TOKEN, else npm run dev’s)' },
};

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
    say(c.dim('  stop_blocks is off: the simulator records no opt-out and leaves STOP to the bundle.'));
  } else if (/^\s*(start|unstop)\s*$/i.test(text ?? '') && profile && state.settings.stop_blocks) {
    say(wasOptedOut ? c.green(`  ${from}'s opt-out of ${profile.name} is lifted.`) : `  (${from} was not opted out.)`);
  }
  if (ctx.values['no-watch']) return say(c.dim(`Not watching; see the deliveries with: ${CLI} deliveries`));
  const events = await followDeliveries(ctx, {
    since,
    match: (d) => d.event_id === eventId,
    urls,
    complete: (ev) => ev.get(eventId)?.result !== undefined,
    waitMs: ctx.wait,
  });
  // With stop_blocks off (as npm run dev sets it) the bundle answers keywords; otherwise nothing will.
  if (events.get(eventId)?.result === 'delivered' && !state.settings.stop_blocks && KEYWORD.test(text ?? ''))
    await watchReply(ctx, message);
}

/** STOP, START and HELP words (a few phrasings): the bundle answers these with a text of its own. */
const KEYWORD =
  /^\W*(stop|stop ?all|unsubscribe|cancel|end|quit|revoke|opt ?-?out|start|unstop|subscribe|resume|help|info)\W*$/i;

/** After a keyword reaches the bundle: its reply, sent through the simulator to the person. */
async function watchReply(ctx, inbound) {
  const person = inbound.from.phone_number;
  const ours = inbound.to[0]?.phone_number;
  const deadline = Date.now() + 5000;
  say(c.dim(`Waiting up to 5 s for a reply from ${ours} to ${person} (the bundle answers STOP, START and HELP)...`));
  for (;;) {
    const { data } = await call(ctx, 'GET', '/sim/messages', { query: { limit: 20 } });
    const reply = data
      .filter(
        (m) =>
          m.direction === 'outbound' &&
          m.from.phone_number === ours &&
          m.to[0]?.phone_number === person &&
          m.received_at >= inbound.received_at,
      )
      .at(-1);
    if (reply) {
      return say(
        `  ${c.dim(clock(reply.received_at))}  reply ${reply.from.phone_number} → ${person}: ${c.bold(JSON.stringify(reply.text))}`,
        c.dim(`                sent by the bundle through the simulator's API (${reply.id})`),
      );
    }
    if (Date.now() >= deadline) {
      return say(
        c.yellow(`No reply from ${ours} within 5 s.`) +
          ` Is ${ours} in a pool of the bundle? (${CLI} pool list; a second STOP or a START without an opt-out gets none)`,
      );
    }
    await sleep(250);
  }
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
    `  ${CLI} pool set <pool> edge.forward_url=${url}`,
    c.dim('  or, with curl:'),
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

// ---- Talking to the bundle (telnyx-edge) --------------------------------------------------------

/** One call to the bundle's API with the admin token. Returns the parsed JSON. */
async function edgeCall(ctx, method, path, { body, query = {}, headers: extra = {} } = {}) {
  target = `${ctx.edge} (telnyx-edge)`;
  const url = new URL(ctx.edge + path);
  for (const [name, value] of Object.entries(query)) {
    for (const item of [value].flat())
      if (item !== undefined && item !== null) url.searchParams.append(name, String(item));
  }
  const headers = { authorization: `Bearer ${ctx.token}`, ...extra };
  if (body !== undefined) headers['content-type'] = 'application/json';
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
      throw new Failure(`The bundle at ${ctx.edge} did not answer ${method} ${path} within 120 s.`);
    const code = error?.cause?.code;
    const why = code && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    const local = /^http:\/\/(127\.0\.0\.1|localhost):(\d+)$/.exec(ctx.edge);
    const simPort = /:(\d+)$/.exec(ctx.sim)?.[1];
    const start =
      local && local[2] !== '8787'
        ? `EDGE_PORT=${local[2]}${simPort && simPort !== '8788' ? ` SIM_PORT=${simPort}` : ''} npm run dev`
        : 'npm run dev';
    throw new Failure(
      `telnyx-edge (the bundle) is not running at ${ctx.edge}${why}. Start it (and the simulator) with: ${start}`,
    );
  }
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Failure(
      `Unexpected answer from ${url.origin} to ${method} ${url.pathname}: HTTP ${response.status}, not JSON` +
        ` (${cut(text, 60) || 'empty'}). Is ${ctx.edge} telnyx-edge?`,
    );
  }
  if (!response.ok) {
    const lines = [describeApiErrors(response.status, method, url.pathname, json, response.headers, 'The bundle')];
    if (response.status === 401)
      lines.push(`  (token used: ${ctx.tokenFrom}; give another with --token T or $EDGE_TOKEN)`);
    if (response.headers.get('retry-after')) lines.push(`  (retry-after: ${response.headers.get('retry-after')} s)`);
    const owner = json?.errors?.find((e) => e.code === '10012')?.detail?.match(/messaging profile ([\w-]+)/)?.[1];
    if (owner) lines.push(`  (take it out there first: ${CLI} pool remove ${owner} <number>)`);
    const edgeId = json?.errors?.find((e) => e.meta?.edge_id)?.meta.edge_id;
    if (edgeId) lines.push(`  (follow it: ${CLI} message ${edgeId})`);
    throw Object.assign(new Failure(lines.join('\n')), { status: response.status, edgeId });
  }
  return json;
}

/** Every item of a paged bundle list (page[size] 250). */
async function edgeList(ctx, path, query = {}) {
  const items = [];
  for (let page = 1; ; page++) {
    const { data, meta } = await edgeCall(ctx, 'GET', path, {
      query: { ...query, 'page[number]': page, 'page[size]': 250 },
    });
    items.push(...data);
    if (!meta || page >= meta.total_pages || data.length === 0) return items;
  }
}

/** A pool by id, exact name, or the start of its name (any case); one only. */
/** Every pool of the bundle, oldest first. */
async function listPools(ctx) {
  const pools = await edgeList(ctx, '/v2/messaging_profiles');
  if (pools.length > 0 && pools.every((p) => p.edge === undefined))
    throw new Failure(
      `${ctx.edge} answered, but its profiles have no edge settings. Is it telnyx-edge (not Telnyx or the simulator)?`,
    );
  return pools;
}

async function findPool(ctx, wanted) {
  if (wanted === undefined || wanted === '')
    throw new UsageError(`Name a pool: its id or the start of its name (${CLI} pool list shows them).`);
  const pools = await listPools(ctx);
  const lower = wanted.toLowerCase();
  const byId = pools.find((p) => p.id === wanted);
  if (byId) return byId;
  const exact = pools.filter((p) => p.name.toLowerCase() === lower);
  const matches = exact.length > 0 ? exact : pools.filter((p) => p.name.toLowerCase().startsWith(lower));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1)
    throw new UsageError(
      `'${wanted}' matches ${matches.length} pools: ${matches.map((p) => `${p.name} (${p.id})`).join(', ')}. Give more of the name, or the id.`,
    );
  throw new UsageError(
    pools.length === 0
      ? `No pool '${wanted}': the bundle at ${ctx.edge} has no pools yet. Create one: ${CLI} pool create <name> --number N`
      : `No pool '${wanted}'. Pools: ${pools.map((p) => `${p.name} (${p.id})`).join(', ')}.`,
  );
}

/** What type a number most likely is: 5-6 digits a short code, +1 8XX toll-free, else a long code. */
function guessNumberType(number) {
  if (/^\d{5,6}$/.test(number)) return 'short-code';
  if (/^\+1(800|833|844|855|866|877|888)\d{7}$/.test(number)) return 'toll-free';
  return 'long-code';
}

const NUMBER_TYPES = ['long-code', 'toll-free', 'short-code'];

/** Adds one number to a pool; prints it, and warns when the local simulator has no such number. */
async function addPoolNumber(ctx, pool, number, { type, mps } = {}) {
  const body = { phone_number: number, type: type ?? guessNumberType(number), ...(mps !== undefined && { mps }) };
  const { data: n } = await edgeCall(ctx, 'POST', `/v2/messaging_profiles/${pool.id}/phone_numbers`, { body });
  say(
    `  added    ${n.phone_number}  ${n.type}${type ? '' : ' (by its digits; --type to say otherwise)'}${n.mps ? `, ${n.mps} mps` : ''}`,
  );
  try {
    const { numbers } = await call(ctx, 'GET', '/sim/state');
    if (!numbers.some((x) => x.phone_number === n.phone_number))
      say(
        c.yellow(
          `           the simulator at ${ctx.sim} has no ${n.phone_number}: sends from it will be refused (40305).`,
        ),
      );
  } catch (error) {
    if (!(error instanceof Failure)) throw error; // no simulator to compare with: fine
  }
  return n;
}

const poolSummary = (s) =>
  s === null || s === undefined
    ? c.yellow('no pool settings (sends need --from)')
    : `long-code weight ${s.long_code_weight}, toll-free weight ${s.toll_free_weight}` +
      ['skip_unhealthy', 'sticky_sender', 'geomatch'].map((k) => (s[k] ? `, ${k}` : '')).join('');

function healthText(h) {
  if (!h) return '-';
  const word = h.healthy ? c.green('healthy') : c.red('UNHEALTHY');
  if (!h.message_count) return `${word} (no messages yet)`;
  const pct = (x) => `${Math.round(x * 100)} %`;
  return `${word} (${h.message_count} final, ${pct(h.success_ratio)} delivered, ${pct(h.spam_ratio)} spam)`;
}

function printNumbers(numbers, edgeMps = {}) {
  table(numbers, [
    ['NUMBER', (n) => n.phone_number],
    ['TYPE', (n) => n.type],
    ['COUNTRY', (n) => n.country_code || '-'],
    ['MPS', (n) => n.mps ?? (edgeMps[n.type] ? `${edgeMps[n.type]} (pool)` : 'default')],
    ['HEALTH', (n) => healthText(n.health), 70],
  ]);
}

/** Statuses after which nothing more happens to an outbound message. */
const FINAL_STATUSES = new Set([
  'delivered',
  'delivery_failed',
  'delivery_unconfirmed',
  'sending_failed',
  'expired',
  'failed',
]);

const statusOf = (m) => m?.to?.[0]?.status ?? '?';
/** The bundle hands Telnyx webhook URLs that name its own record (?edge_id=...). */
const edgeIdOf = (m) => /[?&]edge_id=([^&]+)/.exec(m?.webhook_url ?? '')?.[1];

function statusText(m) {
  const status = statusOf(m);
  const error = m?.errors?.[0];
  const text = `${status}${error ? ` (${error.code} ${error.title}${error.detail ? `: ${error.detail}` : ''})` : ''}`;
  return status === 'delivered' ? c.green(text) : FINAL_STATUSES.has(status) ? c.yellow(text) : text;
}

/** What the bundle did with a send: handed to Telnyx, held (scheduled), or queued for throughput. */
function heldText(m, sendAtAsked) {
  const status = statusOf(m);
  if (edgeIdOf(m)) return undefined;
  if (status === 'scheduled') {
    const why =
      sendAtAsked === undefined ? 'send_at or quiet hours' : sendAtAsked ? '--send-at' : 'the pool’s quiet hours';
    return `scheduled by the bundle: it holds the message and sends it at ${m.send_at} (${why})`;
  }
  if (status === 'queued')
    return 'queued by the bundle: it waits for its number’s throughput slot (or Telnyx’s rate limit)';
  if (status === 'unknown') return 'the bundle does not know whether Telnyx took it; it will not resend it';
  return undefined;
}

function printEdgeMessage(m, { pool, chosenByPool }) {
  const edgeId = edgeIdOf(m);
  const parts = `${m.type}, ${m.parts} part${m.parts === 1 ? '' : 's'}, ${m.encoding}${m.smart_encoding_applied ? ', smart encoding applied' : ''}`;
  say(
    `  message  ${m.id}  (${parts}): ${statusText(m)}`,
    ...(edgeId && edgeId !== m.id
      ? [c.dim(`           the bundle's own id: ${edgeId} (either works with: ${CLI} message <id>)`)]
      : []),
    `  from     ${m.from?.phone_number ?? '(chosen when it leaves)'}${chosenByPool ? ' (chosen by the pool)' : ''} → ${m.to?.[0]?.phone_number}`,
    `  pool     ${pool ? `${pool.name} (${pool.id})` : m.messaging_profile_id}`,
  );
  if (m.text) say(`  text     ${JSON.stringify(cut(m.text, 70))}`);
  for (const media of m.media ?? []) say(`  media    ${media.url}`);
}

/**
 * After a send through the bundle: the simulator's webhook deliveries for the message (message.sent
 * and message.finalized, to the bundle) and the bundle's own view of it (GET /v2/messages/{id}),
 * until the bundle has a final status and every delivery has settled, or --wait runs out.
 */
async function followEdgeMessage(ctx, first, { waitMs }) {
  const id = edgeIdOf(first) ?? first.id;
  let message = first;
  let status = statusOf(first);
  let simSettings;
  try {
    simSettings = (await call(ctx, 'GET', '/sim/settings')).data;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    say(c.dim(`  (no simulator at ${ctx.sim}: following the bundle's record only)`));
  }
  const events = new Map();
  let cursor = 0;
  const pollDeliveries = async () => {
    const telnyxId = edgeIdOf(message) ? message.id : undefined;
    if (!simSettings || !telnyxId) return;
    const urls = [message.webhook_url, message.webhook_failover_url].filter(Boolean);
    for (const d of await fetchLog(ctx, '/sim/deliveries', { message_id: telnyxId }, cursor)) {
      cursor = d.seq;
      say(`  ${deliveryLine(d, 'webhook  ')}`);
      const event = events.get(d.event_id) ?? { type: d.event_type, result: undefined, attempts: [] };
      event.attempts.push(d);
      event.result ??= settles(d, urls, simSettings.attempts_per_url);
      events.set(d.event_id, event);
    }
  };
  say(
    c.dim(
      `Watching ${simSettings ? "the simulator's webhooks and " : ''}the bundle's record for up to ${Math.ceil(waitMs / 1000)} s (Ctrl-C to stop)...`,
    ),
  );
  const deadline = Date.now() + waitMs;
  const settled = () =>
    FINAL_STATUSES.has(status) &&
    [...events.values()].every((e) => e.result) &&
    (!simSettings || !edgeIdOf(message) || [...events.values()].some((e) => e.type === 'message.finalized'));
  for (;;) {
    // The bundle first, then the deliveries: a status change is printed after the webhook that caused it.
    const { data } = await edgeCall(ctx, 'GET', `/v2/messages/${encodeURIComponent(id)}`);
    const at = Date.now();
    const before = message;
    message = data;
    await pollDeliveries();
    if (!edgeIdOf(before) && edgeIdOf(message)) {
      say(`  ${c.dim(clock(at))}  bundle   handed it to Telnyx: message ${message.id}, ${statusText(message)}`);
      status = statusOf(message);
    }
    if (statusOf(message) !== status) {
      status = statusOf(message);
      say(`  ${c.dim(clock(at))}  bundle   status ${statusText(message)}  ${c.dim('(GET /v2/messages/{id})')}`);
    }
    if (settled()) break;
    if (Date.now() >= deadline) {
      say(c.yellow(`Stopped watching after ${Math.ceil(waitMs / 1000)} s; the bundle says: ${status}.`));
      if (status === 'scheduled') say(`  It leaves at ${message.send_at}.`);
      say(`  ${CLI} message ${id}    asks the bundle again`);
      return message;
    }
    await sleep(300);
  }
  await sleep(300); // a duplicate fault delivers once more, right away
  await pollDeliveries();
  if (events.size > 0) summarize(events);
  say(`Message status at the bundle: ${statusText(message)}`);
  return message;
}

/** key=value pairs as a nested patch; values typed by what the profile holds there now. */
function patchFromPairs(pairs, current) {
  const patch = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][\w.-]*)=(.*)$/s.exec(pair);
    if (!match) throw new UsageError(`'${pair}' is not key=value.`);
    const keys = match[1].split('.');
    const now = keys.reduce((o, k) => (o === null || typeof o !== 'object' ? undefined : o[k]), current);
    const text = match[2];
    let value;
    if (/^[[{]/.test(text)) {
      try {
        value = JSON.parse(text);
      } catch {
        throw new UsageError(`The value of ${match[1]} starts like JSON but is not: ${text}`);
      }
    } else if (typeof now === 'string' && text !== 'null') value = text.replace(/^"(.*)"$/, '$1');
    else if (/^".*"$/.test(text)) value = text.slice(1, -1);
    else value = settingValue(text);
    let node = patch;
    for (const key of keys.slice(0, -1)) {
      if (node[key] === undefined || node[key] === null || typeof node[key] !== 'object') node[key] = {};
      node = node[key];
    }
    node[keys.at(-1)] = value;
  }
  // Telnyx replaces an object field whole (number_pool_settings needs both weights and
  // skip_unhealthy), so a dotted change to one is merged into what the profile has; the bundle
  // merges `edge` itself.
  for (const [key, value] of Object.entries(patch)) {
    if (key !== 'edge' && value && typeof value === 'object' && !Array.isArray(value) && current[key])
      patch[key] = deepMerge(current[key], value);
  }
  return patch;
}

function deepMerge(base, change) {
  const out = { ...base };
  for (const [key, value] of Object.entries(change)) {
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && base?.[key] && typeof base[key] === 'object'
        ? deepMerge(base[key], value)
        : value;
  }
  return out;
}

/** 08:00-21:00 as the edge's quiet_hours. */
function quietHours(text) {
  const match = /^(\d{2}:\d{2})-(\d{2}:\d{2})$/.exec(text ?? '');
  if (!match)
    throw new UsageError(`--quiet-hours takes the sending window as HH:MM-HH:MM, e.g. 08:00-21:00; got '${text}'.`);
  return { enabled: true, start: match[1], end: match[2] };
}

async function poolCreate(ctx) {
  const [name, ...extra] = ctx.positionals;
  if (!name) throw new UsageError(`Give the pool a name: ${CLI} pool create "Spring sale" --number ${EXAMPLE_NUMBER}`);
  if (extra.length > 0)
    throw new UsageError(`Unexpected '${extra[0]}': quote a name with spaces, and give numbers with --number.`);
  const v = ctx.values;
  const numbers = (v.number ?? []).map((n) => needNumber(n, '--number'));
  const help = Object.fromEntries(
    ['brand', 'contact', 'frequency'].filter((k) => v[k] !== undefined).map((k) => [k, v[k]]),
  );
  const edge = {
    ...(v['forward-url'] !== undefined && { forward_url: v['forward-url'] }),
    ...(Object.keys(help).length > 0 && { help }),
    ...(v['quiet-hours'] !== undefined && { quiet_hours: quietHours(v['quiet-hours']) }),
    ...(v['smart-encoding'] && { smart_encoding: true }),
    ...(v['no-geomatch'] && { geomatch_country: false }),
  };
  const destinations = (v.destinations ?? 'US,CA')
    .split(',')
    .map((d) => d.trim().toUpperCase())
    .filter(Boolean);
  const existing = await listPools(ctx);
  const body = {
    name,
    whitelisted_destinations: destinations,
    number_pool_settings: {
      long_code_weight: 1,
      toll_free_weight: 1,
      skip_unhealthy: true,
      sticky_sender: true,
      geomatch: !v['no-geomatch'],
    },
    ...(Object.keys(edge).length > 0 && { edge }),
  };
  const { data: pool } = await edgeCall(ctx, 'POST', '/v2/messaging_profiles', { body });
  say(`${c.bold(`Pool ${JSON.stringify(pool.name)} created`)} at ${ctx.edge}`, `  id       ${pool.id}`);
  say(`  pool     ${poolSummary(pool.number_pool_settings)}; sends to ${pool.whitelisted_destinations.join(', ')}`);
  say(`  forward  ${pool.edge.forward_url ?? c.dim('(none: events are not forwarded)')}`);
  if (existing.some((p) => p.name.toLowerCase() === name.toLowerCase()))
    say(c.yellow(`  Another pool is also named ${JSON.stringify(name)}: refer to this one by its id.`));
  const failed = [];
  for (const number of numbers) {
    try {
      await addPoolNumber(ctx, pool, number);
    } catch (error) {
      if (!(error instanceof Failure)) throw error;
      failed.push(number);
      say(c.red(error.message.replace(/^/gm, '  ')));
    }
  }
  const ref = existing.some((p) => p.name.toLowerCase().startsWith(name.toLowerCase())) ? pool.id : shellWord(name);
  const first = numbers.find((n) => !failed.includes(n));
  const next = [];
  if (numbers.length === 0 || failed.length === numbers.length)
    next.push([`pool add ${ref} ${EXAMPLE_NUMBER}`, 'give it a number']);
  next.push([`pool show ${ref}`, 'its settings and numbers']);
  next.push([`pool send ${ref} +12125551234 "Hello from the pool"`, 'the pool picks the sender']);
  if (first) next.push([`sms +12125551234 ${first} HELP`, 'someone texts the pool']);
  if (!pool.edge.forward_url)
    next.push([`pool set ${ref} edge.forward_url=http://127.0.0.1:${LISTEN_PORT}/`, `then: ${CLI} listen`]);
  const width = Math.max(...next.map(([command]) => command.length));
  say('', 'Next:', ...next.map(([command, note]) => `  ${CLI} ${command.padEnd(width)}  ${c.dim(note)}`));
  if (failed.length > 0)
    throw new Failure(`The pool was created, but ${failed.join(', ')} could not be added (above).`);
}

/** A word as it can be pasted back into a shell. */
const shellWord = (word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);

async function poolList(ctx) {
  if (ctx.positionals.length > 0)
    throw new UsageError(`Unexpected '${ctx.positionals[0]}': pool list takes no arguments.`);
  const pools = await listPools(ctx);
  if (ctx.values.json) return say(JSON.stringify(pools, null, 2));
  const counts = new Map();
  for (const p of pools) counts.set(p.id, (await edgeList(ctx, `/v2/messaging_profiles/${p.id}/phone_numbers`)).length);
  table(pools, [
    ['NAME', (p) => p.name + (p.enabled ? '' : ' (disabled)'), 30],
    ['ID', (p) => p.id],
    ['NUMBERS', (p) => counts.get(p.id)],
    [
      'POOL',
      (p) =>
        p.number_pool_settings
          ? `weights ${p.number_pool_settings.long_code_weight}/${p.number_pool_settings.toll_free_weight}`
          : 'off',
    ],
    ['FORWARD URL', (p) => p.edge?.forward_url ?? '-', 45],
  ]);
  if (pools.length === 0) say(`Create one: ${CLI} pool create <name> --number ${EXAMPLE_NUMBER}`);
}

async function poolShow(ctx) {
  const [wanted, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': pool show takes one pool.`);
  const pool = await findPool(ctx, wanted);
  const numbers = await edgeList(ctx, `/v2/messaging_profiles/${pool.id}/phone_numbers`);
  const optOuts = await edgeList(ctx, '/v2/messaging_optouts', { 'filter[messaging_profile_id]': pool.id });
  if (ctx.values.json) return say(JSON.stringify({ profile: pool, phone_numbers: numbers, optouts: optOuts }, null, 2));
  say(`${c.bold(pool.name)}  ${pool.id}${pool.enabled ? '' : c.yellow('  DISABLED')}`);
  say(
    `  pool          ${poolSummary(pool.number_pool_settings)}`,
    `  destinations  ${pool.whitelisted_destinations.join(', ') || '(none)'}`,
    `  created       ${pool.created_at}, updated ${pool.updated_at}`,
  );
  section('Edge settings (pool set <pool> edge.KEY=VALUE)');
  printKeyValues(pool.edge);
  section(`Numbers (${numbers.length})`);
  printNumbers(numbers, pool.edge?.mps);
  section(`Opt-outs (${optOuts.length})`);
  table(optOuts, [
    ['PERSON', (o) => o.to],
    ['TEXTED', (o) => o.from ?? '-'],
    ['KEYWORD', (o) => o.keyword ?? '-'],
    ['SINCE', (o) => o.created_at],
  ]);
}

async function poolAdd(ctx) {
  const [wanted, number, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': pool add takes a pool and one number.`);
  needNumber(number, '<number>');
  const type = ctx.values.type;
  if (type !== undefined && !NUMBER_TYPES.includes(type))
    throw new UsageError(`--type takes one of ${NUMBER_TYPES.join(', ')}; got '${type}'.`);
  let mps;
  if (ctx.values.mps !== undefined) {
    mps = Number(ctx.values.mps);
    if (!/^\d+(\.\d+)?$/.test(ctx.values.mps) || !(mps > 0))
      throw new UsageError(`--mps takes message parts per second, e.g. 1 or 0.5; got '${ctx.values.mps}'.`);
  }
  const pool = await findPool(ctx, wanted);
  say(`${c.bold(pool.name)}  ${pool.id}`);
  await addPoolNumber(ctx, pool, number, { type, mps });
}

async function poolRemove(ctx) {
  const [wanted, number, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': pool remove takes a pool and one number.`);
  needNumber(number, '<number>');
  const pool = await findPool(ctx, wanted);
  const path = `/v2/messaging_profiles/${pool.id}/phone_numbers/${encodeURIComponent(number)}`;
  const { data: n } = await edgeCall(ctx, 'DELETE', path);
  say(`Removed ${n.phone_number} (${n.type}) from ${pool.name}; its sticky senders go with it.`);
}

async function poolSet(ctx) {
  const [wanted, ...pairs] = ctx.positionals;
  if (pairs.length === 0)
    throw new UsageError(
      `Give at least one key=value, e.g. ${CLI} pool set ${wanted ?? '<pool>'} edge.forward_url=http://127.0.0.1:${LISTEN_PORT}/`,
    );
  const pool = await findPool(ctx, wanted);
  const patch = patchFromPairs(pairs, pool);
  const { data } = await edgeCall(ctx, 'PATCH', `/v2/messaging_profiles/${pool.id}`, { body: patch });
  if (ctx.values.json) return say(JSON.stringify(data, null, 2));
  const skip = new Set(['updated_at']);
  const before = Object.fromEntries(keyValues(pool));
  const after = Object.fromEntries(keyValues(data));
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(
    (k) => !skip.has(k) && before[k] !== after[k] && after[k] !== '{}' && before[k] !== '{}',
  );
  say(`${c.bold(data.name)}  ${data.id}`);
  for (const key of keys) say(`  ${key}: ${before[key] ?? '-'} → ${c.bold(after[key] ?? '(unset)')}`);
  if (keys.length === 0) say('  (nothing changed)');
}

async function poolDelete(ctx) {
  const [wanted, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': pool delete takes one pool.`);
  const pool = await findPool(ctx, wanted);
  if (!ctx.values.yes)
    throw new UsageError(
      `This deletes ${pool.name} (${pool.id}) with its numbers, opt-outs and queued sends. Add --yes to go ahead.`,
    );
  await edgeCall(ctx, 'DELETE', `/v2/messaging_profiles/${pool.id}`);
  say(`Deleted ${pool.name} (${pool.id}); its numbers are free for another pool.`);
}

async function poolSend(ctx) {
  const [wanted, to, ...words] = ctx.positionals;
  if (wanted === undefined)
    throw new UsageError(`Name the pool to send through: ${CLI} pool send <pool> <to> <text...>`);
  needNumber(to, '<to>');
  const v = ctx.values;
  const media = v.media ?? [];
  const text = words.join(' ');
  if (!text && media.length === 0) throw new UsageError('Give the text to send (or --media URLs for an MMS).');
  if (v.from !== undefined) needNumber(v.from, '--from');
  if (v['send-at'] !== undefined && Number.isNaN(Date.parse(v['send-at'])))
    throw new UsageError(
      `--send-at takes an ISO 8601 time with its zone, e.g. 2030-01-01T15:00:00Z; got '${v['send-at']}'.`,
    );
  const pool = await findPool(ctx, wanted);
  const body = {
    messaging_profile_id: pool.id,
    to,
    ...(v.from && { from: v.from }),
    ...(text && { text }),
    ...(media.length > 0 && { media_urls: media }),
    ...(v['send-at'] && { send_at: v['send-at'] }),
  };
  const headers = v['idempotency-key'] ? { 'idempotency-key': v['idempotency-key'] } : {};
  const startedAt = Date.now();
  let message;
  try {
    ({ data: message } = await edgeCall(ctx, 'POST', '/v2/messages', { body, headers }));
  } catch (error) {
    // Outcome unknown (Telnyx failed or timed out after the request left): the bundle keeps the
    // message and settles it when a webhook names it, so follow its record anyway.
    if (!(error instanceof Failure) || !error.edgeId || v['no-watch']) throw error;
    console.error(error.message);
    say(c.dim(`Following the bundle's record of ${error.edgeId} anyway:`));
    const unknown = { id: error.edgeId, to: [{ status: 'unknown' }] };
    const after = await followEdgeMessage(ctx, unknown, { waitMs: ctx.wait });
    throw new Failure(`The send was answered ${error.status} (above); the bundle's record says: ${statusOf(after)}.`);
  }
  say(c.dim(`Sent through the bundle (POST ${ctx.edge}/v2/messages); the bundle sends it on to Telnyx (${ctx.sim}).`));
  printEdgeMessage(message, { pool, chosenByPool: !v.from });
  if (v['idempotency-key'] && Date.parse(message.received_at) < startedAt - 1000)
    say(c.yellow('  an earlier send had this Idempotency-Key: the bundle answered with it and sent nothing new'));
  const held = heldText(message, Boolean(v['send-at']));
  if (held) say(c.yellow(`  ${held}`));
  else if (statusOf(message) === 'queued' && message.wait_seconds)
    say(c.yellow(`  queued at Telnyx by throughput limits: leaves in ${message.wait_seconds} s`));
  const id = edgeIdOf(message) ?? message.id;
  if (v['no-watch']) return say(c.dim(`Not watching; ask the bundle with: ${CLI} message ${id}`));
  let waitMs = ctx.wait + (message.wait_seconds ?? 0) * 1000;
  if (statusOf(message) === 'scheduled' && message.send_at) {
    const until = Date.parse(message.send_at) - Date.now();
    if (until > ctx.wait) {
      say(c.dim(`It leaves in ${spelled(until)}; not watching that long. Ask later with: ${CLI} message ${id}`));
      return;
    }
    waitMs += Math.max(0, until);
  }
  await followEdgeMessage(ctx, message, { waitMs });
}

async function optoutsList(ctx) {
  if (ctx.positionals.length > 0)
    throw new UsageError(
      `Unexpected '${ctx.positionals[0]}': optouts takes --pool, or use: ${CLI} optouts clear <pool> <number>`,
    );
  const pools = await listPools(ctx);
  const only = ctx.values.pool === undefined ? undefined : await findPool(ctx, ctx.values.pool);
  const query = only ? { 'filter[messaging_profile_id]': only.id } : {};
  const rows = await edgeList(ctx, '/v2/messaging_optouts', query);
  if (ctx.values.json) return say(JSON.stringify(rows, null, 2));
  const name = (id) => pools.find((p) => p.id === id)?.name ?? id;
  table(rows, [
    ['POOL', (o) => name(o.messaging_profile_id), 30],
    ['PERSON', (o) => o.to],
    ['TEXTED', (o) => o.from ?? '-'],
    ['KEYWORD', (o) => o.keyword ?? '-'],
    ['SINCE', (o) => o.created_at],
  ]);
  if (rows.length > 0)
    say(
      c.dim(`Sends to these are refused (409, 40300) until they text START, or: ${CLI} optouts clear <pool> <person>`),
    );
}

async function optoutsClear(ctx) {
  const [wanted, number, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': optouts clear takes a pool and one number.`);
  needNumber(number, '<number>');
  const pool = await findPool(ctx, wanted);
  const path = `/messaging_optouts/${pool.id}/${encodeURIComponent(number)}`;
  const { data } = await edgeCall(ctx, 'DELETE', path, { query: { note: ctx.values.note } });
  say(
    `${data.to}'s opt-out of ${pool.name} is cleared${data.note ? ` (note: ${JSON.stringify(data.note)})` : ''}; sends to it go out again.`,
  );
  say(c.dim('  Only with the person’s consent: the bundle keeps a record of the clearing and your note.'));
}

async function showMessage(ctx) {
  const [id, ...extra] = ctx.positionals;
  if (!id) throw new UsageError(`Give a message id: ${CLI} message <id> (pool send prints it).`);
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': message takes one id.`);
  const { data: m } = await edgeCall(ctx, 'GET', `/v2/messages/${encodeURIComponent(id)}`);
  if (ctx.values.json) return say(JSON.stringify(m, null, 2));
  const pools = await listPools(ctx);
  const pool = pools.find((p) => p.id === m.messaging_profile_id);
  printEdgeMessage(m, { pool, chosenByPool: false });
  const held = heldText(m);
  if (held) say(c.yellow(`  ${held}`));
  for (const [label, at] of [
    ['received', m.received_at],
    ['sent', m.sent_at],
    ['final', m.completed_at],
  ])
    if (at) say(`  ${label.padEnd(9)}${at}`);
  if (m.cost?.amount) say(`  cost     ${m.cost.amount} ${m.cost.currency ?? ''}`.trimEnd());
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
      `bundle: to send through the bundle, use ${CLI} pool send. The destination picks the outcome by its last two`,
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
  'pool create': {
    group: 'Run your pools (through the bundle)',
    usage:
      'pool create <name> [--number N]... [--forward-url URL] [--brand B --contact C --frequency F] [--quiet-hours 08:00-21:00] [--smart-encoding] [--no-geomatch]',
    summary: 'create a pool (a messaging profile on the bundle) and add its numbers',
    details: [
      'POST /v2/messaging_profiles on the bundle with a number pool (long-code and toll-free weight 1,',
      'skip_unhealthy, sticky_sender, geomatch), then POST .../phone_numbers for each --number. A number’s',
      'type comes from its digits (5-6 digits: short code; +1 800/833/844/855/866/877/888: toll-free; else',
      'long code); use pool add --type to say otherwise. Locally, use the simulator’s numbers (state lists',
      'them): the bundle sends through the simulator, which refuses numbers it does not have.',
      `Example: ${CLI} pool create Walkthrough --number +13125550100 --number +12125550100 \\`,
      `           --forward-url http://127.0.0.1:${LISTEN_PORT}/ --brand "Acme" --contact "help@acme.test"`,
    ],
    options: {
      number: { type: 'string', multiple: true, arg: 'N', help: 'a number for the pool; repeat for more' },
      'forward-url': { type: 'string', arg: 'url', help: 'where the bundle forwards the pool’s events (e.g. listen)' },
      brand: { type: 'string', arg: 'text', help: 'the HELP reply’s brand (default: the pool’s name)' },
      contact: { type: 'string', arg: 'text', help: 'the HELP reply’s contact, e.g. help@acme.test' },
      frequency: { type: 'string', arg: 'text', help: 'the HELP reply’s frequency (default "Msg frequency varies")' },
      'quiet-hours': {
        type: 'string',
        arg: 'HH:MM-HH:MM',
        help: 'send only in this window of the recipient’s local time',
      },
      'smart-encoding': { type: 'boolean', help: 'curly quotes, dashes and … become GSM characters before sending' },
      'no-geomatch': { type: 'boolean', help: 'do not prefer a number of the recipient’s area code or country' },
      destinations: { type: 'string', arg: 'CC,CC', help: 'countries it may send to (default US,CA; * for all)' },
      ...EDGE_OPTIONS,
    },
    run: poolCreate,
  },
  'pool list': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool list [--json]',
    summary: 'the bundle’s pools: name, id, numbers, weights, forward URL',
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: poolList,
  },
  'pool show': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool show <pool> [--json]',
    summary: 'one pool: settings, edge settings, numbers (type, mps, health), opt-outs',
    details: [`<pool> is the pool's id, its name, or the start of its name (any case).`],
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: poolShow,
  },
  'pool add': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool add <pool> <number> [--type long-code|toll-free|short-code] [--mps N]',
    summary: 'add a number to a pool',
    details: [
      'Without --type the type comes from the digits (see pool create). Adding a number the pool already',
      'has updates its type and mps and clears its health (how you put a number back after fixing it).',
    ],
    options: {
      type: { type: 'string', arg: 'type', help: 'long-code, toll-free or short-code' },
      mps: { type: 'string', arg: 'N', help: 'message parts per second for this number (default: by type)' },
      ...EDGE_OPTIONS,
    },
    run: poolAdd,
  },
  'pool remove': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool remove <pool> <number>',
    summary: 'take a number out of a pool',
    options: EDGE_OPTIONS,
    run: poolRemove,
  },
  'pool set': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool set <pool> key=value ...',
    summary: 'change a pool: edge.forward_url=..., number_pool_settings.toll_free_weight=0',
    details: [
      'Dots reach nested keys. Edge settings: edge.forward_url, edge.quiet_hours.enabled (.start, .end),',
      'edge.default_country, edge.help.brand (.contact, .frequency), edge.smart_encoding, edge.mps.long-code',
      '(toll-free, short-code), edge.geomatch_country, edge.short_code_fallback. Telnyx fields: name,',
      'enabled, whitelisted_destinations=\'["US","CA"]\', number_pool_settings.long_code_weight (and',
      '.toll_free_weight, .skip_unhealthy, .sticky_sender, .geomatch; number_pool_settings=null turns the pool off).',
      'Values: true, false, null, numbers and JSON ([...], {...}) are read as such, except where the pool',
      'holds text now; anything else is text ("..." forces text).',
      `Example: ${CLI} pool set walk edge.quiet_hours.enabled=true edge.help.contact="help@acme.test"`,
    ],
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: poolSet,
  },
  'pool send': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool send <pool> <to> <text...> [--from N] [--media URL]... [--send-at ISO] [--idempotency-key K]',
    summary: 'send through the bundle; watch the receipts reach it',
    details: [
      'POST /v2/messages on the bundle with the pool’s messaging_profile_id: the pool chooses the sender',
      '(sticky sender, then the recipient’s area code, then the weights) unless --from names one of its',
      'numbers, checks opt-outs, quiet hours and throughput, and sends through Telnyx (the simulator).',
      'Prints the message (id, sender, status, parts and encoding) and says when the bundle holds it',
      '(scheduled, queued). Then it watches the simulator’s message.sent and message.finalized webhooks',
      'to the bundle and the bundle’s GET /v2/messages/{id} until the status is final, or --wait runs out.',
      'As with send, the destination’s last two digits pick the outcome at the simulator (…91 spam, …99 spam filter).',
    ],
    options: {
      from: { type: 'string', arg: 'number', help: 'send from this number of the pool instead of letting it choose' },
      media: {
        type: 'string',
        multiple: true,
        arg: 'url',
        help: 'an https media URL (makes it an MMS); repeat for more',
      },
      'send-at': { type: 'string', arg: 'ISO', help: 'send later, e.g. 2030-01-01T15:00:00Z (the bundle holds it)' },
      'idempotency-key': { type: 'string', arg: 'K', help: 'the same key within 24 h sends nothing new' },
      ...WATCH_OPTIONS,
      ...EDGE_OPTIONS,
    },
    run: poolSend,
  },
  'pool delete': {
    group: 'Run your pools (through the bundle)',
    usage: 'pool delete <pool> --yes',
    summary: 'delete a pool with its numbers, opt-outs and queued sends',
    options: { yes: { type: 'boolean', help: 'really delete it' }, ...EDGE_OPTIONS },
    run: poolDelete,
  },
  optouts: {
    group: 'Run your pools (through the bundle)',
    usage: 'optouts [--pool P] [--json]',
    summary: 'who has opted out (STOP), of every pool or one',
    options: {
      pool: { type: 'string', arg: 'pool', help: 'only this pool (id or start of the name)' },
      ...JSON_OPTION,
      ...EDGE_OPTIONS,
    },
    run: optoutsList,
  },
  'optouts clear': {
    group: 'Run your pools (through the bundle)',
    usage: 'optouts clear <pool> <number> [--note T]',
    summary: 'lift an opt-out by hand (with the person’s consent), noting why',
    options: { note: { type: 'string', arg: 'text', help: 'why, kept with the record' }, ...EDGE_OPTIONS },
    run: optoutsClear,
  },
  message: {
    group: 'Run your pools (through the bundle)',
    usage: 'message <id> [--json]',
    summary: 'a message as the bundle knows it (GET /v2/messages/{id})',
    details: ['<id> is Telnyx’s message id or the bundle’s own; pool send prints both.'],
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: showMessage,
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
      `Point a pool's forward URL here: ${CLI} pool set <pool> edge.forward_url=http://127.0.0.1:${LISTEN_PORT}/`,
      `(or pool create --forward-url; or PATCH ${EDGE_URL}/v2/messaging_profiles/<id> with {"edge":{"forward_url":...}}).`,
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
/** Options that take a value, so that the value is not read as the command. */
const VALUE_OPTIONS = new Set(['--sim', '--edge', '--token']);

function optionLines(options) {
  const rows = Object.entries(options).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ''}--${name}${o.arg ? ` <${o.arg}>` : ''}`,
    o.help,
  ]);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  return rows.map(([flag, help]) => `  ${flag.padEnd(width)}  ${help}`);
}

const synopsis = (cmd) => cmd.usage.replace(/ \[--.*$/, '');

function commandList(names) {
  const width = Math.max(...names.map((name) => synopsis(COMMANDS[name]).length));
  return names.map((name) => `  ${synopsis(COMMANDS[name]).padEnd(width)}  ${COMMANDS[name].summary}`);
}

function mainHelp() {
  const lines = [
    `${c.bold('npm run phone -- <command> [options]')}`,
    '',
    'Plays the other side of Telnyx against the local Telnyx simulator: text the account numbers,',
    `watch the signed webhooks reach the bundle (${EDGE_URL}), inject faults, inspect state.`,
    'Runs your pools through the bundle’s own API: create one, send through it, see the receipts.',
    'Start the simulator and the bundle first with: npm run dev',
    'Or be the business: listen receives the events the bundle forwards to a pool’s forward URL.',
  ];
  const names = Object.keys(COMMANDS);
  for (const group of [...new Set(names.map((name) => COMMANDS[name].group))]) {
    lines.push('', c.bold(group), ...commandList(names.filter((name) => COMMANDS[name].group === group)));
  }
  lines.push('', c.bold('Every command takes'), ...optionLines(COMMON_OPTIONS));
  lines.push(c.dim('  The pool, optouts and message commands also take --edge <url> and --token <token>.'));
  lines.push('', `More on one command: ${CLI} help <command>   (or ${CLI} <command> --help)`);
  lines.push(`Example: ${CLI} sms +13125551234 ${EXAMPLE_NUMBER} "hi, what are your opening hours?"`);
  return lines.join('\n');
}

/** pool: the list of its subcommands. */
function familyHelp(word) {
  const names = Object.keys(COMMANDS).filter((name) => name.startsWith(`${word} `));
  return [
    c.bold(`${CLI} ${word} <${names.map((n) => n.slice(word.length + 1)).join('|')}> ...`),
    '',
    ...commandList(names),
    '',
    `More on one: ${CLI} help ${names[0]}`,
  ].join('\n');
}

function commandHelp(name) {
  const cmd = COMMANDS[name];
  const lines = [c.bold(`${CLI} ${cmd.usage}`), '', cmd.summary];
  if (cmd.details) lines.push('', ...cmd.details);
  lines.push('', c.bold('Options'), ...optionLines({ ...cmd.options, ...COMMON_OPTIONS }));
  return lines.join('\n');
}

/** First words that have subcommands: pool. */
const isFamily = (word) => Object.keys(COMMANDS).some((name) => name.startsWith(`${word} `));

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
  const words = [...new Set(Object.keys(COMMANDS).map((name) => name.split(' ')[0]))];
  return words.find((name) => distance(word, name) <= 2 || name.startsWith(word));
}

let simUrl = process.env.SIM_URL ?? DEFAULT_SIM;
/** What the last request went to, for the message about an unexpected answer. */
let target = `${simUrl} (the Telnyx simulator)`;

async function main(argv) {
  // The command is the first word that is neither an option nor the value of --sim, --edge, --token;
  // for pool (and optouts clear) the word after it names the subcommand.
  let index = argv.findIndex((arg, i) => !arg.startsWith('-') && !VALUE_OPTIONS.has(argv[i - 1]));
  let name = index === -1 ? undefined : argv[index];
  let rest = index === -1 ? argv : [...argv.slice(0, index), ...argv.slice(index + 1)];
  if (name !== undefined && COMMANDS[`${name} ${rest[index]}`]) {
    name = `${name} ${rest[index]}`;
    rest = [...rest.slice(0, index), ...rest.slice(index + 1)];
  }
  if (name === undefined) {
    if (rest.length === 0 || rest.includes('--help') || rest.includes('-h')) return say(mainHelp());
    throw new UsageError(`Give a command first.`);
  }
  if (name === 'help') {
    const words = rest.filter((a) => !a.startsWith('-'));
    const topic = COMMANDS[words.slice(0, 2).join(' ')] ? words.slice(0, 2).join(' ') : words[0];
    if (topic === undefined) return say(mainHelp());
    if (COMMANDS[topic]) return say(commandHelp(topic));
    if (isFamily(topic)) return say(familyHelp(topic));
    throw new UsageError(`Unknown command '${words.join(' ')}'.`);
  }
  const cmd = COMMANDS[name];
  if (!cmd) {
    if (isFamily(name)) {
      if (rest.includes('--help') || rest.includes('-h') || rest[index] === undefined) return say(familyHelp(name));
      const subs = Object.keys(COMMANDS)
        .filter((n) => n.startsWith(`${name} `))
        .map((n) => n.slice(name.length + 1));
      throw new UsageError(`${name} takes one of ${subs.join(', ')}; got '${rest[index]}'.`, { cause: name });
    }
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
  const edge = parsed.values.edge ?? process.env.EDGE_URL ?? EDGE_URL;
  if (!/^https?:\/\/[^/]+/.test(edge))
    throw new UsageError(`--edge must be an http(s) URL such as ${EDGE_URL}; got '${edge}'.`, { cause: name });
  const ctx = {
    sim: sim.replace(/\/+$/, ''),
    edge: edge.replace(/\/+$/, ''),
    token: parsed.values.token ?? process.env.EDGE_TOKEN ?? DEV_ADMIN_TOKEN,
    tokenFrom:
      parsed.values.token !== undefined
        ? 'the one given with --token'
        : process.env.EDGE_TOKEN !== undefined
          ? 'the one in $EDGE_TOKEN'
          : 'npm run dev’s development token',
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
    const args = process.argv.slice(2);
    const command =
      typeof error.cause === 'string'
        ? error.cause
        : (args.map((a, i) => `${a} ${args[i + 1]}`).find((pair) => COMMANDS[pair]) ?? args.find((a) => COMMANDS[a]));
    console.error(`${error.message}\nUsage: ${command ? `${CLI} help ${command}` : `${CLI} --help`}`);
    process.exit(2);
  }
  if (error instanceof Failure) {
    console.error(error.message);
    process.exit(1);
  }
  // Most likely --sim or --edge names something that answers JSON but is not what it should be.
  console.error(`Unexpected problem: ${error.message}. Is ${target} what answered?`);
  if (process.env.PHONE_DEBUG) console.error(error.stack);
  process.exit(1);
}
