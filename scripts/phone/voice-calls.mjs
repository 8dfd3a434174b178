// "Calls": someone calls an account number through the simulator (call), the business dials out
// through the bundle (dial), both followed live by voice-follow.mjs; the bundle's calls in progress
// (calls) and one call's timeline (call show); and the far end of a ringing leg (answer, refuse,
// busy) or either party hanging up (hangup), acting on the simulator as the other person would.
import { c, CLI, say, table, UsageError } from './output.mjs';
import { EDGE_OPTIONS, EXAMPLE_NUMBER, JSON_OPTION, needNumber, seconds } from './args.mjs';
import { call } from './sim-client.mjs';
import { edgeCall, edgeList } from './edge-client.mjs';
import { followCall, KEYS_HELP } from './voice-follow.mjs';
import { edgeEntryText, edgeEntryTime, pathText, printOutcome, timelineLine } from './voice-timeline.mjs';

const GROUP = 'Calls (the simulator calls, the bundle answers)';
/** Someone who is not on the account: the person calling in. */
const CALLER = '+13125551234';

const FOLLOW_OPTIONS = {
  press: {
    type: 'string',
    multiple: true,
    arg: 'digits',
    help: 'press these at the next menu (repeat: one value per menu)',
  },
  'hangup-after': { type: 'string', arg: 'seconds', help: 'hang up this long after the call starts' },
};

/** --press values, each checked: what one menu hears. */
function pressValues(values = []) {
  for (const v of values)
    if (!/^[0-9A-D*#]{1,16}$/.test(v))
      throw new UsageError(`--press takes DTMF digits (0-9, *, #, A-D), up to 16; got '${v}'.`);
  return values;
}

const followOptions = (ctx) => ({
  presses: pressValues(ctx.values.press),
  hangupAfterMs:
    ctx.values['hangup-after'] === undefined ? undefined : seconds(ctx.values['hangup-after'], '--hangup-after'),
});

/** Fails early, with the line that starts it, when the bundle is not there to take the call. */
const edgeIsUp = (ctx) => edgeCall(ctx, 'GET', '/calls/active', { query: { 'page[size]': 1 } });

async function callIn(ctx) {
  const [to = EXAMPLE_NUMBER, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': call takes one number to call.`);
  needNumber(to, '<to> (the account number to call)');
  const from = needNumber(ctx.values.from ?? CALLER, '--from');
  const follow = followOptions(ctx);
  await edgeIsUp(ctx);
  const { data: flows } = await edgeCall(ctx, 'GET', '/flows', { query: { 'filter[number]': to } });
  const ids = await call(ctx, 'POST', '/sim/calls/inbound', { body: { from, to } });
  say(
    `${c.bold(from)} calls ${c.bold(to)} ${c.dim('(the simulator places it; the bundle answers)')}`,
    `  call_control_id  ${ids.call_control_id}`,
    `  session          ${ids.call_session_id}`,
    `  flow             ${flows[0] ? `${flows[0].id} "${flows[0].name}"` : c.yellow(`none claims ${to}: a routed flow, the flow "default", or rejected`)}`,
  );
  const { view } = await followCall(ctx, { leg: ids.call_control_id, session: ids.call_session_id, ...follow });
  if (view?.record?.outcome === 'rejected: no flow' || view?.state?.outcome === 'rejected: no flow')
    say(
      c.dim(
        `  Give ${to} a flow: put it in a flow's "numbers" and load that (${CLI} help flow load), or load a flow with id "default" for every number no flow claims.`,
      ),
    );
}

async function dialOut(ctx) {
  const [to, ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': dial takes one number.`);
  needNumber(to, '<to> (the number to dial)');
  const from = needNumber(ctx.values.from ?? EXAMPLE_NUMBER, '--from');
  const follow = followOptions(ctx);
  await edgeIsUp(ctx);
  // The Call Control application the calling number is on, as Telnyx needs one to place a call.
  let connection = ctx.values.connection;
  if (connection === undefined) {
    const { numbers } = await call(ctx, 'GET', '/sim/state');
    connection = numbers.find((n) => n.phone_number === from)?.connection_id;
    if (!connection)
      throw new UsageError(`${from} is on no Call Control application at the simulator; give --connection ID.`);
  }
  const body = { connection_id: connection, from, to, ...(ctx.values.flow && { flow_id: ctx.values.flow }) };
  const { data } = await edgeCall(ctx, 'POST', '/v2/calls', { body });
  say(
    `${c.bold(from)} dials ${c.bold(to)} ${c.dim(`(POST ${ctx.edge}/v2/calls; the bundle dials through the simulator)`)}`,
    `  call_control_id  ${data.call_control_id}`,
    `  session          ${data.call_session_id}`,
    `  flow             ${ctx.values.flow ?? c.dim('none: the call is only placed and recorded')}`,
    c.dim(`  It rings, then does what the last two digits of ${to} say: 00-79 answers, 80-84 busy, 85-89 never`),
    c.dim(
      `  answers, 90-93 refuses, 96-97 answers and hangs up (sim/README.md).${process.stdin.isTTY ? ' Press a, r or b while it rings.' : ''}`,
    ),
  );
  await followCall(ctx, { leg: data.call_control_id, session: data.call_session_id, ...follow });
}

async function activeCalls(ctx) {
  if (ctx.positionals.length > 0) throw new UsageError(`Unexpected '${ctx.positionals[0]}': calls takes no ids.`);
  const calls = await edgeList(ctx, '/calls/active');
  if (ctx.values.json) return say(JSON.stringify(calls, null, 2));
  // The records in D1 are written when a call starts and ends; where each call stands now is its
  // session's own view, asked for each (a handful of calls locally).
  const states = await Promise.all(
    calls.map(async (x) => {
      const answer = await edgeCall(ctx, 'GET', `/calls/${encodeURIComponent(x.session_id)}`, { accept: [404] });
      return answer.data?.state ?? null;
    }),
  );
  table(
    calls.map((x, i) => ({ ...x, live: states[i] })),
    [
      ['SESSION', (x) => x.session_id],
      ['DIR', (x) => (x.direction === 'incoming' ? 'in' : 'out')],
      ['NUMBER', (x) => x.business_number],
      ['OTHER', (x) => x.other_masked],
      ['FLOW', (x) => x.flow_id ?? '-'],
      ['NOW', (x) => (x.live ? `${x.live.status}, waiting for ${x.live.waiting_for}` : '?')],
      ['PATH', (x) => pathText(x.live?.path ?? x.path), 50],
      ['STARTED', (x) => x.started_at],
    ],
  );
  if (calls.length > 0) say(c.dim(`One call: ${CLI} call show <session>`));
}

async function showCall(ctx) {
  const [id, ...extra] = ctx.positionals;
  if (!id) throw new UsageError(`Give a call's session id: ${CLI} call show <session> (call and calls print it).`);
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': call show takes one id.`);
  // A call_control_id (v3:...) is a leg: the simulator knows its session.
  const session = id.startsWith('v3:')
    ? (await call(ctx, 'GET', `/sim/calls/${encodeURIComponent(id)}`)).data.call.call_session_id
    : id;
  const { data: view } = await edgeCall(ctx, 'GET', `/calls/${encodeURIComponent(session)}`);
  if (ctx.values.json) return say(JSON.stringify(view, null, 2));
  const r = view.record;
  say(
    `${c.bold(`Call ${session}`)}${r ? `  ${r.direction}, ${r.business_number} ${r.direction === 'incoming' ? '←' : '→'} ${r.other_masked}` : ''}`,
  );
  const t0 = view.timeline.length > 0 ? Date.parse(view.timeline[0].at) : 0;
  // The flow as it is now (the call ran it as it was then): for what each step played.
  const flowId = view.state?.flow_id ?? r?.flow_id;
  const flow = flowId && (await edgeCall(ctx, 'GET', `/flows/${encodeURIComponent(flowId)}`, { accept: [404] })).data;
  const legs = view.state?.legs ?? [];
  const about = { legs, main: legs[0]?.call_control_id, nodes: flow?.nodes };
  const lines = view.timeline.map((entry) => [edgeEntryTime(entry), ...edgeEntryText(entry, about)]);
  for (const [at, tag, text] of lines.sort((a, b) => a[0] - b[0])) say(timelineLine(at - t0, tag, text));
  say('');
  printOutcome(view);
}

/** answer, refuse, busy, hangup: the other person on a leg, through the simulator's control API. */
const legCommand = (what, summary, details) => ({
  group: GROUP,
  usage: `${what} <call_control_id>`,
  summary,
  details,
  run: async (ctx) => {
    const [id, ...extra] = ctx.positionals;
    if (!id) throw new UsageError(`Give a leg's call_control_id (v3:...); call, dial and ${CLI} call show print them.`);
    if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': ${what} takes one call_control_id.`);
    const { data: leg } = await call(ctx, 'POST', `/sim/calls/${encodeURIComponent(id)}/${what}`, { body: {} });
    const who = leg.direction === 'incoming' ? `The caller ${leg.from}` : `The far end ${leg.to}`;
    say(`${who}: ${what} → the leg is ${c.bold(leg.status)}${leg.hangup ? ` (${leg.hangup.hangup_cause})` : ''}.`);
  },
});

const RINGING_ONLY = [
  'Acts on a leg the bundle dialled or transferred to, while it rings (call and dial print its',
  'call_control_id when it appears), whatever its digits would have made the simulator do.',
];

/** The call commands, in the order help lists them. */
export const CALL_COMMANDS = {
  call: {
    group: GROUP,
    usage: `call [<to>] [--from N] [--press D]... [--hangup-after S]`,
    summary: 'someone calls an account number; follow the flow live, press keys',
    details: [
      `The simulator places a call from --from (default ${CALLER}) to <to> (default ${EXAMPLE_NUMBER},`,
      'on the seeded Call Control application); its webhooks go to the bundle, which runs the flow that',
      'claims the number. Every event in, command out and flow step is printed as it happens, with',
      'the ms since the call began. On a terminal, keys act at once:',
      `  ${KEYS_HELP}.`,
      'When stdin is not a terminal no keys are read: --press 1 presses 1 at the next menu the bundle',
      'plays (repeat it for later menus; --press 12 presses 1 and 2 together, for a two-digit choice),',
      'and --hangup-after 20 hangs up 20 s after the call began. It ends when the call ends, with the',
      `outcome and the path through the flow. ${CLI} call show <session> prints it again.`,
    ],
    options: {
      from: { type: 'string', arg: 'number', help: `who calls (default ${CALLER})` },
      ...FOLLOW_OPTIONS,
      ...EDGE_OPTIONS,
    },
    run: callIn,
  },
  'call show': {
    group: GROUP,
    usage: 'call show <session> [--json]',
    summary: 'one call at the bundle: its timeline, outcome and path',
    details: ['<session> is the call_session_id (call, dial and calls print it), or a leg’s call_control_id.'],
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: showCall,
  },
  calls: {
    group: GROUP,
    usage: 'calls [--json]',
    summary: 'the calls in progress at the bundle (GET /calls/active)',
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: activeCalls,
  },
  dial: {
    group: GROUP,
    usage: 'dial <to> [--from N] [--flow ID] [--connection ID] [--press D]... [--hangup-after S]',
    summary: 'the bundle dials out (POST /v2/calls), optionally with a flow; follow it',
    details: [
      `POST /v2/calls at the bundle from --from (default ${EXAMPLE_NUMBER}) on its Call Control application`,
      '(--connection to name another), with the bundle’s own flow_id when --flow is given: the flow runs',
      'once the far end answers. The simulator’s far end does what the last two digits of <to> say',
      '(00-79 answers, 80-84 busy, 85-89 never answers, 90-93 refuses, 96-97 answers then hangs up).',
      'Followed as call is: the keys and --press are the far end’s.',
    ],
    options: {
      from: { type: 'string', arg: 'number', help: `the calling number (default ${EXAMPLE_NUMBER})` },
      flow: { type: 'string', arg: 'id', help: 'the flow to run when the far end answers' },
      connection: { type: 'string', arg: 'id', help: 'the Call Control application (default: the one of --from)' },
      ...FOLLOW_OPTIONS,
      ...EDGE_OPTIONS,
    },
    run: dialOut,
  },
  answer: legCommand('answer', 'a ringing far end answers', RINGING_ONLY),
  refuse: legCommand('refuse', 'a ringing far end refuses the call (call_rejected)', RINGING_ONLY),
  busy: legCommand('busy', 'a ringing far end is busy (user_busy)', RINGING_ONLY),
  hangup: legCommand('hangup', 'the caller (or an answered far end) hangs up', [
    'The person on that leg hangs up: the caller of an inbound call, or the far end of an answered',
    'outgoing leg. For a call followed with q, or one placed by a script.',
  ]),
};
