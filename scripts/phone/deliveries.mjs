// The simulator's webhook deliveries: one attempt as a line, and following an event's attempts until
// it settles (delivered, dropped, failed), with a one-line summary. Used by sms, send, watch, pool send.
import { c, CLI, clock, firstLine, say } from './output.mjs';
import { call, fetchLog, sleep } from './sim-client.mjs';
import { startCommand } from './http.mjs';

export function deliveryLine(d, tag = '') {
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

/** Whether a delivery attempt ends its event: delivered, dropped, no URL, or the last try of the last URL. */
function settles(d, urls, attemptsPerUrl) {
  if (['delivered', 'dropped', 'no_url'].includes(d.outcome)) return d.outcome;
  if (d.url === urls.at(-1) && d.attempt >= attemptsPerUrl) return 'failed';
  return undefined;
}

/**
 * Adds a delivery attempt to its event in `events` (Map id -> { type, result, attempts }); the first
 * attempt that settles the event gives its result.
 */
export function addAttempt(events, d, urls, attemptsPerUrl) {
  const event = events.get(d.event_id) ?? { type: d.event_type, result: undefined, attempts: [] };
  event.attempts.push(d);
  event.result ??= settles(d, urls, attemptsPerUrl);
  events.set(d.event_id, event);
}

/**
 * Prints the delivery attempts of the events `match` picks, from `since`, until `complete(events)`
 * says all are settled or `waitMs` passes. Returns the events: Map id -> { type, result, attempts }.
 */
export async function followDeliveries(ctx, { since, query = {}, match = () => true, urls, complete, waitMs }) {
  const { attempts_per_url: attemptsPerUrl } = (await call(ctx, 'GET', '/sim/settings')).data;
  const events = new Map();
  const deadline = Date.now() + waitMs;
  let cursor = since;
  const poll = async () => {
    for (const d of await fetchLog(ctx, '/sim/deliveries', query, cursor)) {
      cursor = d.seq;
      if (!match(d)) continue;
      say(`  ${deliveryLine(d)}`);
      addAttempt(events, d, urls, attemptsPerUrl);
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
  summarize(ctx, events);
  return events;
}

export function summarize(ctx, events) {
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
    say(
      origin === new URL(ctx.edge).origin
        ? `Nothing answered at ${origin}. Is the bundle running? Start it (and the simulator) with: ${startCommand(ctx)}`
        : `Nothing answered at ${origin}, the webhook URL the message named.`,
    );
  }
}
