#!/usr/bin/env node
// npm run phone -- <command>: play the other side of Telnyx from a terminal, against the Telnyx
// simulator (sim/) that `npm run dev` runs on 127.0.0.1:8788. Text the account's numbers, watch the
// signed webhooks reach the bundle, send through the simulator's Telnyx API, inject faults, look
// at the simulator's state. `pool`, `optouts` and `message` run the business's number pools through
// the bundle's own API (create, send, follow the receipts); `listen` plays the business's URL that
// receives the events the bundle forwards; `flow` loads call flows into the bundle and `call` rings
// one of the account's numbers and follows the flow live. No Telnyx account needed; docs/phone-cli.md
// has examples, docs/messaging-walkthrough.md and docs/voice-walkthrough.md one whole session each.
//
// Plain Node 20, standard library only. This file is the entry: the command table (COMMANDS), help,
// argument parsing (node:util parseArgs) and dispatch. The commands, each with its usage, options and
// the function that runs it, live in phone/, one module per help group:
//   sim-play.mjs       Play the other side: sms, mms, stop, start, send, lookup
//   sim-inspect.mjs    Watch and inspect: watch, deliveries, requests, messages, lookups, state
//   sim-bend.mjs       Bend the simulator: fault, faults, settings, flush, reset, clock
//   pool-commands.mjs  Run your pools: pool create, list, show, add, remove, set, delete; optouts
//   pool-send.mjs      Run your pools: pool send, message
//   listen.mjs         Be the business: listen
//   voice-flows.mjs    Call flows: flow load, check, list, show, delete
//   voice-calls.mjs    Calls: call, call show, calls, dial, answer, refuse, busy, hangup
//   report-commands.mjs  Daily reports: report, reports, cron
// and what they share: output.mjs (colours, tables, the two errors), args.mjs (reading what was
// typed), sim-client.mjs and edge-client.mjs (HTTP to the simulator and to the bundle, over
// http.mjs), deliveries.mjs (the simulator's webhook deliveries, followed until they settle), and for
// calls voice-follow.mjs (a call followed live), voice-timeline.mjs (its lines) and keypad.mjs (keys).
import { parseArgs } from 'node:util';
import { DEV_ADMIN_TOKEN, EDGE_URL, SIM_URL as DEFAULT_SIM } from './dev-settings.mjs';
import { c, CLI, Failure, say, UsageError } from './phone/output.mjs';
import { EXAMPLE_NUMBER, seconds } from './phone/args.mjs';
import { lastTarget } from './phone/http.mjs';
import { PLAY_COMMANDS } from './phone/sim-play.mjs';
import { INSPECT_COMMANDS } from './phone/sim-inspect.mjs';
import { BEND_COMMANDS } from './phone/sim-bend.mjs';
import { POOL_COMMANDS } from './phone/pool-commands.mjs';
import { LISTEN_COMMANDS } from './phone/listen.mjs';
import { FLOW_COMMANDS } from './phone/voice-flows.mjs';
import { CALL_COMMANDS } from './phone/voice-calls.mjs';
import { REPORT_COMMANDS } from './phone/report-commands.mjs';

/** Every command, by the words that name it; help lists the groups and commands in this order. */
const COMMANDS = {
  ...PLAY_COMMANDS,
  ...INSPECT_COMMANDS,
  ...BEND_COMMANDS,
  ...POOL_COMMANDS,
  ...LISTEN_COMMANDS,
  ...FLOW_COMMANDS,
  ...CALL_COMMANDS,
  ...REPORT_COMMANDS,
};

// ---- Help and dispatch --------------------------------------------------------------------------

const COMMON_OPTIONS = {
  sim: { type: 'string', arg: 'url', help: `the simulator (default $SIM_URL or ${DEFAULT_SIM})` },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
};
/** Options that take a value (any command's), so the value is never taken for the command. */
const VALUE_OPTIONS = new Set(
  [COMMON_OPTIONS, ...Object.values(COMMANDS).map((command) => command.options ?? {})].flatMap((options) =>
    Object.entries(options)
      .filter(([, o]) => o.type === 'string')
      .flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]),
  ),
);

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
    'Voice: flow load puts a call flow in the bundle; call rings a number and follows the flow live.',
    'Reports: report builds a day’s report now; cron fires the hourly cron that builds yesterday’s.',
  ];
  const names = Object.keys(COMMANDS);
  for (const group of [...new Set(names.map((name) => COMMANDS[name].group))]) {
    lines.push('', c.bold(group), ...commandList(names.filter((name) => COMMANDS[name].group === group)));
  }
  lines.push('', c.bold('Every command takes'), ...optionLines(COMMON_OPTIONS));
  lines.push(
    c.dim('  The commands that talk to the bundle (pool, optouts, message, flow, call, calls, dial, report,'),
    c.dim('  reports, cron) also take --edge <url> and --token <token>. EDGE_PORT and SIM_PORT move both'),
    c.dim('  defaults, as for npm run dev.'),
  );
  lines.push('', `More on one command: ${CLI} help <command>   (or ${CLI} <command> --help)`);
  lines.push(`Example: ${CLI} sms +13125551234 ${EXAMPLE_NUMBER} "hi, what are your opening hours?"`);
  lines.push(`         ${CLI} flow load docs/example-flow.json && ${CLI} call ${EXAMPLE_NUMBER}`);
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

async function main(argv) {
  // The command is the first word that is neither an option nor an option's value;
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
  const sim = parsed.values.sim ?? process.env.SIM_URL ?? DEFAULT_SIM;
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
  console.error(`Unexpected problem: ${error.message}. Is ${lastTarget()} what answered?`);
  if (process.env.PHONE_DEBUG) console.error(error.stack);
  process.exit(1);
}
