// "Watch and inspect": the simulator's logs and state (watch, deliveries, requests, messages, lookups,
// state), read-only.
import {
  c,
  clock,
  Failure,
  firstLine,
  poolWeights,
  printKeyValues,
  readablePath,
  say,
  section,
  spelled,
  table,
} from './output.mjs';
import { JSON_OPTION, LIMIT_OPTION, wholeNumber } from './args.mjs';
import { call, fetchLog, latestSeq, sleep, tailLog } from './sim-client.mjs';
import { deliveryLine } from './deliveries.mjs';
import { printFaults } from './sim-bend.mjs';

function requestLine(r) {
  const status = r.status < 400 ? String(r.status) : c.red(r.status);
  return `${c.dim(clock(r.at))}  api      ${r.method} ${readablePath(r.path)}  ${status}${r.fault ? `  ${c.yellow(`[fault: ${r.fault}]`)}` : ''}`;
}

const poolText = (pool) => (pool === null ? 'off' : poolWeights(pool));

/** The "Watch and inspect" commands, in the order help lists them. */
export const INSPECT_COMMANDS = {
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
};
