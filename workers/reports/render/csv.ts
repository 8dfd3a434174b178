// The report as one long-format CSV table (RFC 4180), so a spreadsheet can pivot it any way:
// every figure is one row of section, scope, key, metric, value, plus a note in words.
//
//   section  report | headline | messaging | voice | lookups | hourly
//   scope    all | pool:<profile id> | flow:<flow id> | day | previous_day | hour:05
//   key      empty for the scope as a whole | number:+13125550100 | failure:40008 | outcome:voicemail
//            | menu:<menu node>
//   metric   the JSON's field names (sent, delivered, delivery_rate, ...), and breakdowns:
//            sent:GSM-7 (by encoding), cost:USD (per currency, never summed across), failed:40008
//            (a number's failures by code), next:<node> (a menu's choices)
//   value    a number: counts, ratios for rates (0.975), seconds, money as Telnyx's decimal text
//   note     the pool's name on pool rows, the code's meaning on failure rows, else empty
//
// Pool names and failure meanings come from users and Telnyx, so text cells are guarded against
// formula injection; numbers are written as numbers and never guarded, or -1 would stop being one.
import type { FlowReport, MessagingFigures, Report } from '../types';
import { isDecimalText } from './format';

export const CSV_COLUMNS = ['section', 'scope', 'key', 'metric', 'value', 'note'] as const;

/** Money's decimal text is a number too: marked so it is written unguarded ("-0.0040" stays a number). */
class DecimalText {
  constructor(readonly text: string) {}
}

/** A number, written as is; decimal text; other text (guarded, quoted as needed); null for empty. */
type Cell = number | DecimalText | string | null;
type Row = [section: string, scope: string, key: string, metric: string, value: Cell, note?: string];

/**
 * Text a spreadsheet would take for a formula, also behind apostrophes: "'=1" gets its guard too,
 * or it would read back the same as a guarded "=1". A reader undoes the guard by removing one
 * leading apostrophe from a cell that matches this after it.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

/** A text cell: guarded against formula injection (OWASP's rule: a leading apostrophe), then quoted. */
function textCell(text: string): string {
  return quote(FORMULA_START.test(text) ? `'${text}` : text);
}

/** RFC 4180: a field with a comma, quote, CR or LF goes in double quotes, its quotes doubled. */
function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replace(/"/g, '""')}"` : field;
}

function cell(value: Cell): string {
  if (value === null) return '';
  if (value instanceof DecimalText) return isDecimalText(value.text) ? value.text : textCell(value.text);
  // A non-finite number is not a figure; an empty cell says so rather than "NaN".
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  return textCell(value);
}

function messagingRows(scope: string, key: string, figures: MessagingFigures, note = ''): Row[] {
  const metric = (name: string, value: Cell): Row => ['messaging', scope, key, name, value, note];
  const rows: Row[] = [
    metric('sent', figures.sent),
    metric('delivered', figures.delivered),
    metric('failed', figures.failed),
    metric('unconfirmed', figures.unconfirmed),
    metric('delivery_rate', figures.delivery_rate),
    metric('replies', figures.replies),
    metric('received', figures.received),
    metric('opt_outs', figures.opt_outs),
    metric('opt_ins', figures.opt_ins),
    metric('parts', figures.parts),
    metric('cost_known', figures.cost_known),
    // One metric per currency, so costs in two currencies are never summed by a pivot.
    ...figures.cost.map((money) => metric(`cost:${money.currency}`, new DecimalText(money.amount))),
    ...Object.entries(figures.encodings).map(([encoding, count]) => metric(`sent:${encoding}`, count)),
  ];
  // Failures by code get a key of their own and the code's meaning as their note.
  if (key === '') {
    for (const failure of figures.failures) {
      rows.push(['messaging', scope, `failure:${failure.code}`, 'failed', failure.count, failure.meaning]);
    }
  } else {
    for (const failure of figures.failures) {
      rows.push(['messaging', scope, key, `failed:${failure.code}`, failure.count, failure.meaning]);
    }
  }
  return rows;
}

function flowRows(flow: FlowReport): Row[] {
  const scope = `flow:${flow.flow_id}`;
  const rows: Row[] = [
    ['voice', scope, '', 'calls', flow.calls],
    ['voice', scope, '', 'answered', flow.answered],
    ['voice', scope, '', 'transfers', flow.transfers],
    ['voice', scope, '', 'voicemails', flow.voicemails],
  ];
  for (const [outcome, count] of Object.entries(flow.outcomes))
    rows.push(['voice', scope, `outcome:${outcome}`, 'calls', count]);
  for (const choice of flow.menu_choices)
    rows.push(['voice', scope, `menu:${choice.menu}`, `next:${choice.next}`, choice.count]);
  return rows;
}

export function reportCsv(report: Report): string {
  const lines: string[] = [CSV_COLUMNS.join(',')];
  const add = ([section, scope, key, metric, value, note = '']: Row) => {
    lines.push([section, scope, key, metric, value, note].map(cell).join(','));
  };

  add(['report', 'day', '', 'date', report.date]);
  add(['report', 'day', '', 'from', report.from]);
  add(['report', 'day', '', 'to', report.to]);
  add(['report', 'day', '', 'generated_at', report.generated_at]);
  // 1 or 0 so a spreadsheet can filter on it as on any other figure.
  add(['report', 'day', '', 'partial', report.partial ? 1 : 0]);

  for (const [metric, figure] of Object.entries(report.headline)) {
    add(['headline', 'day', '', metric, figure.value]);
    add(['headline', 'previous_day', '', metric, figure.previous]);
  }

  const { totals, pools } = report.messaging;
  for (const row of messagingRows('all', '', totals)) add(row);
  for (const pool of pools) {
    const scope = `pool:${pool.profile_id}`;
    for (const row of messagingRows(scope, '', pool.figures, pool.name)) add(row);
    for (const { number, figures } of pool.numbers) {
      for (const row of messagingRows(scope, `number:${number}`, figures, pool.name)) add(row);
    }
  }

  const voice = report.voice;
  add(['voice', 'all', '', 'inbound', voice.inbound]);
  add(['voice', 'all', '', 'outbound', voice.outbound]);
  add(['voice', 'all', '', 'answered', voice.answered]);
  add(['voice', 'all', '', 'missed', voice.missed]);
  add(['voice', 'all', '', 'abandoned_in_menu', voice.abandoned_in_menu]);
  add(['voice', 'all', '', 'duration_median_seconds', voice.duration_seconds.median]);
  add(['voice', 'all', '', 'duration_p90_seconds', voice.duration_seconds.p90]);
  for (const [outcome, count] of Object.entries(voice.outcomes))
    add(['voice', 'all', `outcome:${outcome}`, 'calls', count]);
  for (const flow of voice.flows) for (const row of flowRows(flow)) add(row);

  const lookups = report.lookups;
  add(['lookups', 'all', '', 'lookups', lookups.lookups]);
  add(['lookups', 'all', '', 'cache_hits', lookups.cache_hits]);
  add(['lookups', 'all', '', 'hit_rate', lookups.hit_rate]);
  add(['lookups', 'all', '', 'upstream_calls', lookups.upstream_calls]);
  add(['lookups', 'all', '', 'stale_served', lookups.stale_served]);
  add(['lookups', 'all', '', 'errors', lookups.errors]);
  add(['lookups', 'all', '', 'price_per_lookup_usd', lookups.price_per_lookup_usd, 'USD']);
  add(['lookups', 'all', '', 'cost_saved_usd', lookups.cost_saved_usd, 'USD']);

  for (const hour of report.hourly) {
    const scope = `hour:${String(hour.hour).padStart(2, '0')}`;
    add(['hourly', scope, '', 'messages_sent', hour.messages_sent]);
    add(['hourly', scope, '', 'messages_received', hour.messages_received]);
    add(['hourly', scope, '', 'calls', hour.calls]);
    add(['hourly', scope, '', 'lookups', hour.lookups]);
  }

  // Every record ends in CRLF, the last one too (RFC 4180 allows it, and appending stays simple).
  return lines.map((line) => `${line}\r\n`).join('');
}
