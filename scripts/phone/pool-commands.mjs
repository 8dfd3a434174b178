// "Run your pools (through the bundle)": pool create, list, show, add, remove, set and delete, and the
// opt-outs, through the bundle's own API. pool send and message live in pool-send.mjs.
import { c, CLI, Failure, keyValues, poolWeights, printKeyValues, say, section, table, UsageError } from './output.mjs';
import { EDGE_OPTIONS, EXAMPLE_NUMBER, JSON_OPTION, needNumber, settingValue } from './args.mjs';
import { call } from './sim-client.mjs';
import { edgeCall, edgeList, findPool, listPools } from './edge-client.mjs';
import { LISTEN_PORT } from './listen.mjs';
import { MESSAGE_COMMAND, POOL_SEND_COMMAND } from './pool-send.mjs';

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
  s === null || s === undefined ? c.yellow('no pool settings (sends need --from)') : poolWeights(s);

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
  // A number belongs to one pool. Checked before anything is created, so a second run of the same
  // command (say, the walkthrough's, on kept local state) leaves no empty pool behind.
  const taken = [];
  for (const other of existing) {
    for (const n of await edgeList(ctx, `/v2/messaging_profiles/${other.id}/phone_numbers`)) {
      if (numbers.includes(n.phone_number)) taken.push({ number: n.phone_number, pool: other });
    }
  }
  if (taken.length > 0) {
    throw new Failure(
      [
        `Nothing was created: ${taken.length === 1 ? 'a number is' : 'some numbers are'} already in a pool.`,
        ...taken.map(({ number, pool }) => `  ${number} is in ${pool.name} (${pool.id})`),
        'Free a number, or remove the pool with all its numbers:',
        ...taken.map(({ number, pool }) => `  ${CLI} pool remove ${pool.id} ${number}`),
        ...[...new Set(taken.map(({ pool }) => pool.id))].map((id) => `  ${CLI} pool delete ${id} --yes`),
      ].join('\n'),
    );
  }
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

/** The "Run your pools" commands, in the order help lists them. */
export const POOL_COMMANDS = {
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
  'pool send': POOL_SEND_COMMAND,
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
  message: MESSAGE_COMMAND,
};
