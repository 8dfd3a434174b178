// pool send and message: a send through the bundle, and a message as the bundle knows it, followed
// until its status is final (the bundle's record and the simulator's webhooks to the bundle).
import { c, CLI, clock, cut, Failure, say, spelled, UsageError } from './output.mjs';
import { EDGE_OPTIONS, JSON_OPTION, needNumber, WATCH_OPTIONS } from './args.mjs';
import { call, fetchLog, sleep } from './sim-client.mjs';
import { edgeCall, findPool, listPools } from './edge-client.mjs';
import { addAttempt, deliveryLine, summarize } from './deliveries.mjs';

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
      addAttempt(events, d, urls, simSettings.attempts_per_url);
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
  if (events.size > 0) summarize(ctx, events);
  say(`Message status at the bundle: ${statusText(message)}`);
  return message;
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

/** pool send, placed among the pool commands by POOL_COMMANDS (pool-commands.mjs). */
export const POOL_SEND_COMMAND = {
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
};

/** message, likewise. */
export const MESSAGE_COMMAND = {
  group: 'Run your pools (through the bundle)',
  usage: 'message <id> [--json]',
  summary: 'a message as the bundle knows it (GET /v2/messages/{id})',
  details: ['<id> is Telnyx’s message id or the bundle’s own; pool send prints both.'],
  options: { ...JSON_OPTION, ...EDGE_OPTIONS },
  run: showMessage,
};
