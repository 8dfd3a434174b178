// One line for each thing that happens on a call, used live (call, dial) and afterwards (call show):
// the bundle's timeline (events in, commands out, flow steps, notes) and, from the simulator, what
// the caller or a far end did and any webhook that did not get through at once. Each line starts
// with the time since the call began in ms, so a slow command or a late event stands out.
import { c, cut, say } from './output.mjs';

/** "   +4620 ms": right-aligned so the columns after it line up for calls up to a few minutes. */
const since = (ms) => `+${Math.max(0, Math.round(ms))}`.padStart(8) + ' ms';

export const timelineLine = (ms, tag, text) => `  ${c.dim(since(ms))}  ${tag.padEnd(8)} ${text}`;

/** When an edge timeline entry happened: a command when it left (its `at` is when it was answered). */
export const edgeEntryTime = (entry) => Date.parse(entry.detail?.sent_at ?? entry.at);

/** What a node does, in a few words (its prompt, number, hours...). */
export function nodeWhat(node) {
  const prompt = (p) => (p?.speak ? `"${cut(p.speak, 40)}"` : p?.audio_url ? cut(p.audio_url, 40) : '');
  switch (node.kind) {
    case 'speak':
      return `"${cut(node.text, 50)}"`;
    case 'play':
      return cut(node.audio_url, 50);
    case 'menu':
      return `${prompt(node.prompt)} (${node.timeout_secs ?? 5} s, ${node.retries ?? 2} retries)`;
    case 'transfer':
      return `to ${node.to} (rings ${node.ring_timeout_secs ?? 30} s)`;
    case 'voicemail':
      return `${prompt(node.prompt)} up to ${node.max_length_secs ?? 120} s${node.forward_url ? `, sent to ${new URL(node.forward_url).host}` : ''}`;
    case 'business_hours':
      return `${node.time_zone}: ${Object.entries(node.weekly ?? {})
        .map(([day, spans]) => `${day} ${spans.map((s) => s.join('-')).join(',')}`)
        .join('; ')}`;
    case 'ask_business':
      return `asks ${new URL(node.url).host} (${node.deadline_ms ?? 1000} ms)`;
    default:
      return '';
  }
}

/**
 * How one of the bundle's timeline entries (GET /calls/{id}) reads, and its tag. `call`: what the
 * entries are read against: `legs` (the bundle's, with roles), `main` (the leg of the person
 * followed: its events carry no tag, another leg's say whose it is: [transfer]) and `nodes` (the
 * flow's, so a step says what it plays or where it transfers).
 */
export function edgeEntryText(entry, { legs = [], main, nodes = {} } = {}) {
  const d = entry.detail ?? {};
  const legTag = (id) => {
    if (!id || id === main) return '';
    return c.dim(` [${legs.find((l) => l.call_control_id === id)?.role ?? 'other leg'}]`);
  };
  const result = (r) => {
    if (r === undefined || r === 'applied' || r === 'recorded') return '';
    return `  ${c.yellow(r === 'duplicate delivery' ? 'duplicate delivery: ignored' : r)}`;
  };
  switch (entry.kind) {
    case 'event': {
      if (!d.event_type) return ['input', `${d.input ?? JSON.stringify(d)}${result(d.result)}`];
      let extra = '';
      if (d.event_type === 'call.gather.ended') extra = `  digits ${d.digits || '(none)'} (${d.status ?? '?'})`;
      if (d.event_type === 'call.hangup') extra = `  ${d.hangup_cause ?? ''}`;
      return ['event', `${c.bold(d.event_type)}${legTag(d.leg)}${extra}${result(d.result)}`];
    }
    case 'command': {
      const ok = d.result === 'ok';
      const how = ok ? c.green('ok') : /already ended|skipped/.test(d.result) ? c.dim(d.result) : c.red(d.result);
      return ['command', `${c.bold(d.action)}${legTag(d.leg)}  ${how}${d.ms !== undefined ? ` ${d.ms} ms` : ''}`];
    }
    case 'step': {
      const node = nodes[d.node];
      const what = node && node.kind !== 'business_hours' ? nodeWhat(node) : '';
      return ['step', `${c.bold(d.node)} (${d.kind ?? '?'})${what ? `  ${c.dim(what)}` : ''}`];
    }
    case 'note':
      return ['note', d.text ?? JSON.stringify(d)];
    default:
      return [entry.kind, cut(JSON.stringify(d), 100)];
  }
}

/** The text of a simulator control row: what the person on a leg did. */
export function simControlText(row, leg) {
  const who = leg?.direction === 'outgoing' ? 'far end' : 'caller';
  const d = row.detail ?? {};
  const words = {
    inbound: `${d.from} calls ${d.to}`,
    dtmf: `presses ${d.digits}`,
    hangup: 'hangs up',
    answer: 'answers',
    refuse: 'refuses the call',
    busy: 'is busy',
  };
  return [who, c.bold(words[row.name] ?? row.name)];
}

/** A simulator event whose webhook went wrong (or went right after going wrong). */
export function simDeliveryText(row, before) {
  const outcome = row.delivery;
  const words = {
    delivered: c.green(`delivered after ${before === 'pending' ? 'waiting' : `a failed attempt (${before})`}`),
    dropped: c.yellow('dropped by a webhook fault: the bundle never gets it'),
    no_url: c.yellow('not sent: the leg has no webhook URL'),
    error: c.red('not delivered (network error); the simulator retries'),
    timeout: c.red('not answered within the webhook timeout; the simulator retries'),
    rejected: c.red('refused by the bundle; the simulator retries'),
  };
  return ['webhook', `${row.name}  ${words[outcome] ?? outcome}`];
}

/** "answer → hours → closed → voicemail". */
export const pathText = (path) => (Array.isArray(path) && path.length > 0 ? path.join(' → ') : '(no step yet)');

/** How a call ended, from the bundle's view (GET /calls/{id}): outcome, path, hangup, recording. */
export function printOutcome(view) {
  const record = view.record;
  const state = view.state;
  const outcome = state?.outcome ?? record?.outcome;
  const status = state?.status ?? record?.status;
  const ended = status === 'ended';
  const head = ended ? 'Call ended' : `Call ${status ?? 'unknown'}`;
  const good = outcome && !/rejected|failed|error/.test(outcome);
  const outcomeText = outcome ? (good ? c.green(outcome) : c.yellow(outcome)) : c.dim('no outcome yet');
  const hangup = record?.hangup_cause
    ? `  (hangup: ${record.hangup_cause}${record.hangup_source ? ` from the ${record.hangup_source}` : ''})`
    : '';
  const seconds =
    record?.started_at && record?.ended_at
      ? `  ${((Date.parse(record.ended_at) - Date.parse(record.started_at)) / 1000).toFixed(1)} s`
      : '';
  say(`${c.bold(head)}: ${outcomeText}${hangup}${seconds}`);
  const flow = state?.flow_id ?? record?.flow_id;
  say(`  flow      ${flow ? `${flow}${state?.flow_source ? ` (${state.flow_source})` : ''}` : '-'}`);
  say(`  path      ${pathText(state?.path ?? record?.path)}`);
  if (!ended && state?.waiting_for) say(`  waiting   for ${state.waiting_for}`);
  if (record?.recording_url) say(`  recording ${record.recording_url}`);
}
