// Following a call live, for call and dial: polls the simulator's view of the call (GET
// /sim/calls/{id}: what the caller and far ends did, how each webhook went) and the bundle's (GET
// /calls/{session}: events in, commands out, flow steps) and prints each new line as it appears,
// merged in time order. Meanwhile it presses digits: keys typed on a terminal at once, --press
// values each at the next gather the bundle starts. It ends when every leg of the call has ended,
// then prints the bundle's outcome and the path through the flow.
import { c, CLI, Failure, say } from './output.mjs';
import { call, sleep } from './sim-client.mjs';
import { edgeCall } from './edge-client.mjs';
import { readKeys } from './keypad.mjs';
import {
  edgeEntryText,
  edgeEntryTime,
  printOutcome,
  simControlText,
  simDeliveryText,
  timelineLine,
} from './voice-timeline.mjs';

const POLL_MS = 200;
const SETTLE_MS = 5000; // after the last leg ends: the recording, the voicemail forward, the record
const FAILED = new Set(['error', 'timeout', 'rejected', 'dropped', 'no_url']);

export const KEYS_HELP =
  '0-9 * # press digits, h hang up, a/r/b answer/refuse/busy a ringing far end, q stop following';

/** What the simulator's control API said no to, in one line (its 400 detail). */
async function simAct(ctx, id, what, body = {}) {
  try {
    await call(ctx, 'POST', `/sim/calls/${encodeURIComponent(id)}/${what}`, { body });
    return undefined;
  } catch (error) {
    if (!(error instanceof Failure)) throw error;
    return error.message.split('\n').at(-1).trim();
  }
}

/**
 * Follows one call until it ends (or q). `leg`: the call_control_id the person plays (the caller of
 * an inbound call, the far end of a dial); `session`: its call_session_id at the bundle.
 * `presses`: digits to press, one value per gather; `hangupAfterMs`: when the person hangs up.
 */
export async function followCall(ctx, { leg, session, presses = [], hangupAfterMs }) {
  // The simulator's clock may have been moved (phone clock); its times are shifted back to this
  // machine's, which the bundle's timeline uses, so the two merge in order.
  const { clock } = await call(ctx, 'GET', '/sim/state');
  const skew = Date.parse(clock) - Date.now();
  const offset = Math.abs(skew) > 2000 ? skew : 0;
  const simTime = (iso) => Date.parse(iso) - offset;

  const started = Date.now();
  let t0; // when the call began, on this machine's clock
  let simSeq = 0;
  const deliveries = new Map(); // sim event seq -> last delivery outcome seen
  const legsSeen = new Set([leg]);
  let edgeCount = 0;
  let edgeView = null; // the bundle's GET /calls/{session}, once it knows the call
  let nodes; // the nodes of the call's flow, read once the bundle names it (a step says what it plays)
  let sim; // the simulator's GET /sim/calls/{leg}
  let gathersUsed = 0;
  let hungUp = false;
  let quit = false;
  const queue = [...presses];

  const print = (lines) => {
    for (const [at, tag, text] of lines.sort((a, b) => a[0] - b[0])) say(timelineLine(at - t0, tag, text));
  };
  const warn = (text) => say(`  ${c.yellow(text)}`);

  /** Legs still ringing at the far end, newest first: what a, r and b act on. */
  const ringing = () => (sim?.legs ?? []).filter((l) => l.status === 'ringing').reverse();

  const keys = readKeys((key) => {
    if (/^[0-9*#]$/.test(key)) {
      simAct(ctx, leg, 'dtmf', { digits: key }).then((no) => no && warn(`${key} not pressed: ${no}`));
    } else if (key === 'h') {
      hungUp = true;
      simAct(ctx, leg, 'hangup').then((no) => no && warn(`not hung up: ${no}`));
    } else if ('arb'.includes(key)) {
      const target = ringing()[0];
      const what = { a: 'answer', r: 'refuse', b: 'busy' }[key];
      if (!target) warn(`${what}: no far end is ringing`);
      else simAct(ctx, target.call_control_id, what).then((no) => no && warn(`not ${what}ed: ${no}`));
    } else if (key === 'q' || key === '\x03' || key === '\x04') {
      quit = true;
    } else {
      say(c.dim(`  keys: ${KEYS_HELP}`));
    }
  });
  const onSignal = () => {
    quit = true;
  };
  process.on('SIGINT', onSignal);
  if (keys.interactive) say(c.dim(`Keys: ${KEYS_HELP}.`));
  else if (queue.length === 0 && hangupAfterMs === undefined)
    say(c.dim('stdin is not a terminal: no keys are read (use --press and --hangup-after).'));

  /** One look at both sides; prints what is new. Returns whether every leg has ended. */
  const poll = async () => {
    const [simAnswer, edgeAnswer] = await Promise.all([
      call(ctx, 'GET', `/sim/calls/${encodeURIComponent(leg)}`),
      edgeCall(ctx, 'GET', `/calls/${encodeURIComponent(session)}`, { accept: [404] }),
    ]);
    sim = simAnswer.data;
    if (edgeAnswer.data) edgeView = edgeAnswer.data;
    const flowId = edgeView?.state?.flow_id;
    if (nodes === undefined && flowId)
      nodes = (await edgeCall(ctx, 'GET', `/flows/${encodeURIComponent(flowId)}`, { accept: [404] })).data?.nodes;
    t0 ??= simTime(sim.timeline[0]?.at ?? sim.call.start_time);
    const lines = [];
    for (const row of sim.timeline.filter((r) => r.seq > simSeq)) {
      simSeq = row.seq;
      const rowLeg = sim.legs.find((l) => l.call_control_id === row.call_control_id);
      if (row.kind === 'control') lines.push([simTime(row.at), ...simControlText(row, rowLeg)]);
    }
    // A webhook that failed (or got through after failing) is news; one delivered at once is not.
    for (const row of sim.timeline.filter((r) => r.kind === 'event')) {
      const before = deliveries.get(row.seq) ?? 'pending';
      if (row.delivery === before) continue;
      deliveries.set(row.seq, row.delivery);
      // Dropped or unsent is decided when the event is due; a retry's news is when it is seen.
      const at = ['dropped', 'no_url'].includes(row.delivery) ? simTime(row.at) : Date.now();
      if (FAILED.has(row.delivery) || (row.delivery === 'delivered' && FAILED.has(before)))
        lines.push([at, ...simDeliveryText(row, before)]);
    }
    for (const l of sim.legs.filter((x) => !legsSeen.has(x.call_control_id))) {
      legsSeen.add(l.call_control_id);
      const how = keys.interactive ? 'a answers, r refuses, b is busy' : `${CLI} answer|refuse|busy <id>`;
      lines.push([
        simTime(l.start_time),
        'leg',
        `${l.transfer_of ? 'transfer' : 'new leg'} to ${c.bold(l.to)} rings  ${l.call_control_id}  ${c.dim(`(${how})`)}`,
      ]);
    }
    const entries = edgeView?.timeline ?? [];
    const about = { legs: edgeView?.state?.legs ?? [], main: leg, nodes };
    for (const entry of entries.slice(edgeCount)) lines.push([edgeEntryTime(entry), ...edgeEntryText(entry, about)]);
    edgeCount = entries.length;
    print(lines);
    return sim.legs.every((l) => !l.is_alive);
  };

  /** --press: each value at the next gather the bundle starts, once it waits for digits. */
  const pressIfWaiting = async () => {
    if (queue.length === 0 || edgeView?.state?.waiting_for !== 'digits') return;
    const gathers = edgeView.timeline.filter(
      (e) => e.kind === 'command' && e.detail?.result === 'ok' && /^gather/.test(e.detail.action),
    ).length;
    if (gathers <= gathersUsed) return;
    gathersUsed = gathers;
    const digits = queue.shift();
    const no = await simAct(ctx, leg, 'dtmf', { digits });
    if (no) warn(`--press ${digits} not pressed: ${no}`);
  };

  let ended = false;
  try {
    while (!quit) {
      ended = await poll();
      if (ended) break;
      await pressIfWaiting();
      if (hangupAfterMs !== undefined && !hungUp && Date.now() - started >= hangupAfterMs) {
        hungUp = true;
        const no = await simAct(ctx, leg, 'hangup');
        if (no) warn(`--hangup-after: not hung up: ${no}`);
      }
      await sleep(POLL_MS);
    }
  } finally {
    keys.stop();
    process.off('SIGINT', onSignal);
  }
  if (!ended) {
    say(
      c.dim(`Stopped following; the call goes on. Later: ${CLI} call show ${session}`) +
        c.dim(`  (hang up: ${CLI} hangup ${leg})`),
    );
    return { ended: false };
  }
  // Every leg has ended; what follows (recording saved, voicemail forwarded, the record) is quick.
  const deadline = Date.now() + SETTLE_MS;
  let quiet = 0;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const count = edgeCount;
    await poll();
    quiet = edgeCount === count ? quiet + 1 : 0;
    if (edgeView?.record?.status === 'ended' && quiet >= 3) break;
  }
  if (queue.length > 0) warn(`Not pressed (the bundle did not gather again): ${queue.join(', ')}`);
  say('');
  if (!edgeView) {
    say(c.red(`The bundle never heard of this call (${session}).`));
    const events = sim.timeline.filter((r) => r.kind === 'event');
    for (const row of events) say(`  ${row.name}  ${row.delivery}`);
    throw new Failure(`See the webhook attempts: ${CLI} deliveries --event-type call.initiated`);
  }
  printOutcome(edgeView);
  return { ended: true, view: edgeView };
}
