// "Call flows (through the bundle)": flow load, list, show, delete and check, against the bundle's
// /flows API. A flow file is sent as the text it is, not parsed and written again, so the bundle
// sees exactly what the person wrote (it refuses a key written twice, which a round trip would hide).
import { readFileSync } from 'node:fs';
import { c, CLI, Failure, say, table, UsageError } from './output.mjs';
import { EDGE_OPTIONS, JSON_OPTION } from './args.mjs';
import { edgeCall, edgeList } from './edge-client.mjs';
import { nodeWhat } from './voice-timeline.mjs';

const GROUP = 'Call flows (through the bundle)';

/** The file's text and what it parses to; a missing file or broken JSON said in one line. */
function readFlowFile(file) {
  if (!file) throw new UsageError(`Give a flow file: ${CLI} flow load docs/example-flow.json`);
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const why = error.code === 'ENOENT' ? 'no such file' : error.code === 'EISDIR' ? 'it is a folder' : error.message;
    throw new UsageError(`Cannot read ${file}: ${why}.`);
  }
  try {
    const doc = JSON.parse(text);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
      throw new Failure(`${file} is JSON but not a flow: a flow is one object with name, start and nodes.`);
    return { text, doc };
  } catch (error) {
    if (error instanceof Failure) throw error;
    // Node names a character position; a line and column are what an editor shows.
    const position = Number(/position (\d+)/.exec(error.message)?.[1]);
    const before = Number.isNaN(position) ? '' : text.slice(0, position);
    const where = before ? ` (line ${before.split('\n').length}, column ${position - before.lastIndexOf('\n')})` : '';
    throw new Failure(
      `${file} is not valid JSON${where}: ${error.message.replace(/ in JSON at position \d+.*$/, '')}.`,
    );
  }
}

/** A 422's faults, one line each: where (JSON pointer), what is wrong, and the bundle's code. */
function printFaults(file, errors) {
  const rows = errors.map((e) => [e.source?.pointer ?? e.source?.parameter ?? '(document)', e]);
  const width = Math.max(...rows.map(([where]) => where.length));
  say(c.red(`${file}: ${errors.length} fault${errors.length === 1 ? '' : 's'}`));
  for (const [where, e] of rows) {
    const title = e.title && e.title !== 'Invalid parameter' ? `${e.title}: ` : '';
    say(`  ${where.padEnd(width)}  ${title}${e.detail ?? ''}  ${c.dim(e.code ?? '')}`.trimEnd());
  }
}

/** "8 nodes, answers +13125550100": what a flow is, in a few words. */
const flowSummary = (f) =>
  `${Object.keys(f.nodes ?? {}).length} nodes, ${
    f.numbers?.length ? `answers ${f.numbers.join(', ')}` : 'answers no number (dial with --flow, or route to it)'
  }`;

async function flowCheck(ctx) {
  const [file, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': flow check takes one file.`);
  const { text } = readFlowFile(file);
  const answer = await edgeCall(ctx, 'POST', '/flows/validate', { text, accept: [422] });
  if (answer.errors) {
    printFaults(file, answer.errors);
    throw new Failure('Nothing was stored (check never stores).');
  }
  const f = answer.data;
  say(
    c.green(`${file} is a valid flow: ${f.id ? `${f.id} ` : ''}"${f.name}", ${flowSummary(f)}.`),
    c.dim(`Nothing was stored; ${CLI} flow load ${file} stores it (a number another flow holds is checked then).`),
  );
}

async function flowLoad(ctx) {
  const [file, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': flow load takes one file.`);
  const { text, doc } = readFlowFile(file);
  // The document's own id decides: an id the bundle has is replaced (PUT), anything else created.
  const id = typeof doc.id === 'string' && doc.id !== '' ? doc.id : undefined;
  const existing = id && (await edgeCall(ctx, 'GET', `/flows/${encodeURIComponent(id)}`, { accept: [404] })).data;
  const answer = existing
    ? await edgeCall(ctx, 'PUT', `/flows/${encodeURIComponent(id)}`, { text, accept: [422] })
    : await edgeCall(ctx, 'POST', '/flows', { text, accept: [422] });
  if (answer.errors) {
    printFaults(file, answer.errors);
    throw new Failure(`Nothing was stored${existing ? `; flow ${id} is as it was` : ''}.`);
  }
  const f = answer.data;
  say(`${existing ? 'Updated' : 'Created'} flow ${c.bold(f.id)} "${f.name}": ${flowSummary(f)}.`);
  if (existing) {
    const dropped = (existing.numbers ?? []).filter((n) => !f.numbers.includes(n));
    if (dropped.length > 0) say(`  released ${dropped.join(', ')} (no longer in the file)`);
  }
  if (f.numbers.length > 0) say(c.dim(`Call it: ${CLI} call ${f.numbers[0]}`));
  else say(c.dim(`Run it on a call you place: ${CLI} dial <to> --flow ${f.id}`));
}

/** The links of a node, as "1→sales timeout→voicemail". */
function links(node) {
  const pairs = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'options' && value && typeof value === 'object')
      for (const [digits, target] of Object.entries(value)) pairs.push(`${digits}→${target}`);
    else if (['next', 'open', 'closed', 'on_invalid', 'on_timeout', 'on_no_answer', 'default'].includes(key))
      pairs.push(key === 'next' ? `→${value}` : `${key.replace(/^on_/, '')}→${value}`);
  }
  return pairs.join(' ');
}

async function flowShow(ctx) {
  const [id, ...extra] = ctx.positionals;
  if (!id) throw new UsageError(`Give a flow id: ${CLI} flow show main-line (${CLI} flow list shows them).`);
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': flow show takes one id.`);
  const { data: f } = await edgeCall(ctx, 'GET', `/flows/${encodeURIComponent(id)}`);
  if (ctx.values.json) return say(JSON.stringify(f, null, 2));
  say(`${c.bold(f.id)}  "${f.name}"`, `  numbers  ${f.numbers.join(', ') || '-'}`, `  updated  ${f.updated_at}`, '');
  table(
    Object.entries(f.nodes).map(([name, node]) => ({ name, node })),
    [
      ['NODE', (r) => `${r.name}${r.name === f.start ? ' (start)' : ''}`],
      ['KIND', (r) => r.node.kind],
      ['WHAT', (r) => nodeWhat(r.node), 70],
      ['LINKS', (r) => links(r.node), 70],
    ],
  );
}

async function flowList(ctx) {
  if (ctx.positionals.length > 0) throw new UsageError(`Unexpected '${ctx.positionals[0]}': flow list takes no ids.`);
  const flows = await edgeList(ctx, '/flows');
  if (ctx.values.json) return say(JSON.stringify(flows, null, 2));
  table(flows, [
    ['ID', (f) => f.id],
    ['NAME', (f) => f.name, 30],
    ['NUMBERS', (f) => f.numbers.join(' ') || '-', 50],
    ['NODES', (f) => String(Object.keys(f.nodes).length)],
    ['START', (f) => f.start],
    ['UPDATED', (f) => f.updated_at],
  ]);
  if (flows.length === 0) say(c.dim(`Load one: ${CLI} flow load docs/example-flow.json`));
}

async function flowDelete(ctx) {
  const [id, ...extra] = ctx.positionals;
  if (!id) throw new UsageError(`Give a flow id: ${CLI} flow delete main-line`);
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': flow delete takes one id.`);
  const { data: f } = await edgeCall(ctx, 'DELETE', `/flows/${encodeURIComponent(id)}`);
  say(`Deleted flow ${c.bold(f.id)} "${f.name}"${f.numbers.length ? `; released ${f.numbers.join(', ')}` : ''}.`);
  if (f.numbers.length > 0)
    say(c.dim(`Calls to ${f.numbers.join(', ')} now go to a routed flow, the flow "default", or are rejected.`));
}

const FILE_DETAILS = [
  'The file is a flow document as README.md (Call flows) describes; docs/example-flow.json is one.',
  'It is sent to the bundle exactly as written. Each fault is printed with its JSON pointer',
  '(/nodes/sales/ring_timeout_secs), and the command exits 1.',
];

/** The flow commands, in the order help lists them. */
export const FLOW_COMMANDS = {
  'flow load': {
    group: GROUP,
    usage: 'flow load <file.json>',
    summary: 'store a flow from a file: created, or replaced when its id exists',
    details: [
      ...FILE_DETAILS,
      'With an "id" the bundle already has, the flow is replaced (PUT /flows/{id}); otherwise it is',
      'created (POST /flows; no id: the bundle gives it one). A number another flow holds is refused (409).',
    ],
    options: EDGE_OPTIONS,
    run: flowLoad,
  },
  'flow check': {
    group: GROUP,
    usage: 'flow check <file.json>',
    summary: 'validate a flow file without storing it (POST /flows/validate)',
    details: FILE_DETAILS,
    options: EDGE_OPTIONS,
    run: flowCheck,
  },
  'flow list': {
    group: GROUP,
    usage: 'flow list [--json]',
    summary: 'every flow: id, name, numbers, nodes',
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: flowList,
  },
  'flow show': {
    group: GROUP,
    usage: 'flow show <id> [--json]',
    summary: 'one flow, node by node with its links',
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: flowShow,
  },
  'flow delete': {
    group: GROUP,
    usage: 'flow delete <id>',
    summary: 'delete a flow and release its numbers',
    options: EDGE_OPTIONS,
    run: flowDelete,
  },
};
