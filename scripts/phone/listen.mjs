// "Be the business": listen, a local HTTP server standing in for a pool's forward URL, that checks the
// Standard Webhooks signature of each event the bundle forwards. Needs neither the simulator nor the bundle.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { DEV_ADMIN_TOKEN, DEV_FORWARD_SIGNING_SECRET, EDGE_URL } from '../dev-settings.mjs';
import { c, CLI, clock, cut, Failure, say, UsageError } from './output.mjs';
import { wholeNumber } from './args.mjs';

export const LISTEN_PORT = 8790;
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

/** The "Be the business" commands. */
export const LISTEN_COMMANDS = {
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
