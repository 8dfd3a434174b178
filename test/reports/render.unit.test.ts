// The report renderers (workers/reports/render/) on realistic reports: a busy day, an empty day, a
// day of only failures and a day of hostile names. The CSV is read back with an RFC 4180 parser
// written here (strict: a stray quote or bare line feed fails) and must give the report's own
// numbers; text cells are guarded against formulas while numbers stay numbers. The HTML page
// escapes every value (a property over arbitrary names: the markup never changes with them), loads
// nothing from anywhere, and never prints NaN, undefined or Infinity; its charts are accessible
// SVG with finite geometry. The chat summary keeps within Slack's limits and escapes mrkdwn.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { reportCsv, CSV_COLUMNS } from '../../workers/reports/render/csv';
import {
  changeText,
  clip,
  describeChange,
  formatCount,
  formatDuration,
  formatMoney,
  formatPercent,
  formatUsd,
} from '../../workers/reports/render/format';
import { reportHtml } from '../../workers/reports/render/html';
import { escapeHtml } from '../../workers/reports/render/markup';
import { niceMax } from '../../workers/reports/render/charts';
import { SLACK_LIMITS, reportSummary } from '../../workers/reports/render/summary';
import type { Report } from '../../workers/reports/types';
import { NASTY, busyDay, buildReport, emptyDay, failuresOnlyDay, flow, nastyDay } from './fixtures';

const FIXTURES: Array<[string, () => Report]> = [
  ['busy day', busyDay],
  ['empty day', emptyDay],
  ['only failures', failuresOnlyDay],
  ['hostile names', nastyDay],
];

/** RFC 4180, strictly: CRLF between records, quotes only around whole fields, "" for a quote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  const fail = (why: string) => {
    throw new Error(`CSV at ${i}: ${why}: ${JSON.stringify(text.slice(Math.max(0, i - 20), i + 20))}`);
  };
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) fail('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            i++;
            break;
          }
        } else field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r' && text[i] !== '\n') {
        if (text[i] === '"') fail('quote inside an unquoted field');
        field += text[i++];
      }
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else if (i >= text.length) {
      fail('the last record has no CRLF');
    } else {
      fail('a field must end at a comma or CRLF');
    }
  }
  return records;
}

interface CsvRow {
  section: string;
  scope: string;
  key: string;
  metric: string;
  value: string;
  note: string;
}

/** The CSV as rows keyed by section|scope|key|metric; each key must be unique. */
function csvTable(report: Report): Map<string, CsvRow> {
  const [header, ...records] = parseCsv(reportCsv(report));
  expect(header).toEqual([...CSV_COLUMNS]);
  const rows = new Map<string, CsvRow>();
  for (const record of records) {
    expect(record).toHaveLength(CSV_COLUMNS.length);
    const [section = '', scope = '', key = '', metric = '', value = '', note = ''] = record;
    const id = [section, scope, key, metric].join('|');
    expect(rows.has(id), `duplicate row ${id}`).toBe(false);
    rows.set(id, { section, scope, key, metric, value, note });
  }
  return rows;
}

/** What a spreadsheet shows for a guarded text cell: the apostrophe hides, the text stays. */
const unguard = (cell: string) => (/^''*[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

function numberAt(rows: Map<string, CsvRow>, id: string): number | null {
  const row = rows.get(id);
  expect(row, `row ${id}`).toBeDefined();
  if (row!.value === '') return null;
  expect(row!.value).toMatch(/^-?\d+(\.\d+)?(e-?\d+)?$/);
  return Number(row!.value);
}

describe('format', () => {
  it('counts, percentages, durations and dollars', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(Number.NaN)).toBe('—');
    expect(formatCount(null)).toBe('—');
    expect(formatPercent(0.975)).toBe('97.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0)).toBe('0%');
    expect(formatPercent(0.99961)).toBe('>99.9%');
    expect(formatPercent(0.0004)).toBe('<0.1%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('—');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(94)).toBe('1 min 34 s');
    expect(formatDuration(3725)).toBe('1 h 02 min');
    expect(formatDuration(null)).toBe('—');
    expect(formatUsd(2.5)).toBe('$2.50');
    expect(formatUsd(12)).toBe('$12.00');
    expect(formatUsd(0.005)).toBe('$0.005');
    expect(formatUsd(0)).toBe('$0.00');
  });

  it('money from decimal text, exactly', () => {
    expect(formatMoney({ amount: '0.0040', currency: 'USD' })).toBe('0.004 USD');
    expect(formatMoney({ amount: '12.500000', currency: 'USD' })).toBe('12.50 USD');
    expect(formatMoney({ amount: '1234567.5', currency: 'EUR' })).toBe('1,234,567.50 EUR');
    expect(formatMoney({ amount: '-0.0040', currency: 'USD' })).toBe('-0.004 USD');
    expect(formatMoney({ amount: '-0.000', currency: 'USD' })).toBe('0.00 USD');
    expect(formatMoney({ amount: '0.300000000000000001', currency: 'USD' })).toBe('0.300000000000000001 USD');
    expect(formatMoney({ amount: 'n/a', currency: 'USD' })).toBe('n/a USD');
  });

  it('changes from the day before: none, unchanged, new, up, down, in points for rates', () => {
    expect(describeChange({ value: 5, previous: null }, 'count').direction).toBe('unknown');
    expect(describeChange({ value: 0, previous: 0 }, 'count')).toMatchObject({ direction: 'same', text: 'no change' });
    expect(describeChange({ value: 5, previous: 0 }, 'count', 'down')).toMatchObject({
      direction: 'new',
      tone: 'bad',
      arrow: '▲',
      text: 'new',
    });
    expect(describeChange({ value: 0, previous: 8 }, 'count', 'up')).toMatchObject({ text: '-100%', tone: 'bad' });
    expect(describeChange({ value: 112, previous: 100 }, 'count', 'up')).toMatchObject({
      direction: 'up',
      tone: 'good',
      text: '+12%',
      previous: '100',
    });
    expect(describeChange({ value: 0.975, previous: 0.95 }, 'ratio', 'up')).toMatchObject({
      text: '+2.5 pts',
      previous: '95.0%',
    });
    expect(describeChange({ value: 0.9751, previous: 0.9749 }, 'ratio').direction).toBe('same');
    expect(describeChange({ value: null, previous: 0.9 }, 'ratio').direction).toBe('unknown');
    expect(describeChange({ value: 5000, previous: 1 }, 'count').text).toBe('+499,900%');
    expect(changeText(describeChange({ value: 90, previous: 100 }, 'count'))).toBe('▼ -10% (was 100)');
  });

  it('clips text without splitting an emoji', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcdef', 4)).toBe('abc…');
    const clipped = clip('ab🛟🛟', 4);
    expect(clipped).toBe('ab…');
    expect(clipped.length).toBeLessThanOrEqual(4);
  });

  it('rounds a chart scale up to 1, 2, 2.5 or 5 × 10^k', () => {
    expect([0, 1, 3, 7, 10, 11, 23, 180, 2400].map(niceMax)).toEqual([0, 1, 5, 10, 10, 20, 25, 200, 2500]);
    expect(niceMax(Number.NaN)).toBe(0);
  });
});

describe('reportCsv', () => {
  it.each(FIXTURES)('%s: strict RFC 4180 with a header and six fields a record', (_, make) => {
    const csv = reportCsv(make());
    expect(csv.startsWith('section,scope,key,metric,value,note\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toMatch(/(^|[^"])\n/); // no bare LF outside quoted fields
    expect(parseCsv(csv).length).toBeGreaterThan(100);
    expect(csv).not.toMatch(/NaN|undefined|Infinity|\[object/);
  });

  it('reads back to the busy day’s numbers: totals, pools, numbers, failures, encodings, cost', () => {
    const report = busyDay();
    const rows = csvTable(report);
    const { totals, pools } = report.messaging;
    const figures = [
      'sent',
      'delivered',
      'failed',
      'unconfirmed',
      'received',
      'replies',
      'opt_outs',
      'opt_ins',
      'parts',
    ] as const;
    for (const metric of figures) {
      expect(numberAt(rows, `messaging|all||${metric}`)).toBe(totals[metric]);
      for (const pool of pools) {
        expect(numberAt(rows, `messaging|pool:${pool.profile_id}||${metric}`)).toBe(pool.figures[metric]);
        for (const n of pool.numbers) {
          expect(numberAt(rows, `messaging|pool:${pool.profile_id}|number:${n.number}|${metric}`)).toBe(
            n.figures[metric],
          );
        }
      }
    }
    expect(numberAt(rows, 'messaging|all||delivery_rate')).toBeCloseTo(totals.delivery_rate!, 12);
    for (const failure of totals.failures) {
      const row = rows.get(`messaging|all|failure:${failure.code}|failed`);
      expect(row).toMatchObject({ value: String(failure.count), note: failure.meaning });
    }
    const number = pools[0]!.numbers[0]!;
    expect(rows.get(`messaging|pool:${pools[0]!.profile_id}|number:${number.number}|failed:40008`)).toMatchObject({
      value: '14',
      note: 'Undeliverable: the carrier could not deliver the message',
    });
    expect(numberAt(rows, 'messaging|all||sent:UCS-2')).toBe(61);
    expect(numberAt(rows, 'messaging|all||sent:MMS')).toBe(12);
    // Money as Telnyx's decimal text, per currency; the exact sum: 790×0.004 + 651×0.004 + 230×0.0075.
    expect(rows.get('messaging|all||cost:USD')?.value).toBe('7.489000');
    expect(rows.get('messaging|all||cost:EUR')?.value).toBe('0.160000');
    expect(rows.get(`messaging|pool:${pools[0]!.profile_id}||sent`)?.note).toBe('Sales outreach');
  });

  it('reads back to the busy day’s voice, lookups, headline and hours', () => {
    const report = busyDay();
    const rows = csvTable(report);
    const v = report.voice;
    for (const metric of ['inbound', 'outbound', 'answered', 'missed', 'abandoned_in_menu'] as const) {
      expect(numberAt(rows, `voice|all||${metric}`)).toBe(v[metric]);
    }
    expect(numberAt(rows, 'voice|all||duration_median_seconds')).toBe(94);
    expect(numberAt(rows, 'voice|all||duration_p90_seconds')).toBe(412);
    for (const [outcome, count] of Object.entries(v.outcomes)) {
      expect(numberAt(rows, `voice|all|outcome:${outcome}|calls`)).toBe(count);
    }
    for (const f of v.flows) {
      for (const metric of ['calls', 'answered', 'transfers', 'voicemails'] as const) {
        expect(numberAt(rows, `voice|flow:${f.flow_id}||${metric}`)).toBe(f[metric]);
      }
      for (const c of f.menu_choices) {
        expect(numberAt(rows, `voice|flow:${f.flow_id}|menu:${c.menu}|next:${c.next}`)).toBe(c.count);
      }
    }
    const l = report.lookups;
    for (const metric of ['lookups', 'cache_hits', 'upstream_calls', 'stale_served', 'errors'] as const) {
      expect(numberAt(rows, `lookups|all||${metric}`)).toBe(l[metric]);
    }
    expect(numberAt(rows, 'lookups|all||cost_saved_usd')).toBeCloseTo(l.cost_saved_usd, 10);
    for (const [metric, figure] of Object.entries(report.headline)) {
      expect(numberAt(rows, `headline|day||${metric}`)).toBe(figure.value);
      expect(numberAt(rows, `headline|previous_day||${metric}`)).toBe(figure.previous);
    }
    let sent = 0;
    for (const hour of report.hourly) {
      const scope = `hour:${String(hour.hour).padStart(2, '0')}`;
      expect(numberAt(rows, `hourly|${scope}||calls`)).toBe(hour.calls);
      sent += numberAt(rows, `hourly|${scope}||messages_sent`)!;
    }
    expect(sent).toBe(report.messaging.totals.sent);
    expect(numberAt(rows, 'report|day||partial')).toBe(0);
    expect(rows.get('report|day||date')?.value).toBe('2026-11-20');
  });

  it('an empty day: zero counts, empty cells for rates and durations, 24 hours, no pools', () => {
    const rows = csvTable(emptyDay());
    expect(numberAt(rows, 'messaging|all||sent')).toBe(0);
    expect(numberAt(rows, 'messaging|all||delivery_rate')).toBeNull();
    expect(numberAt(rows, 'lookups|all||hit_rate')).toBeNull();
    expect(numberAt(rows, 'voice|all||duration_median_seconds')).toBeNull();
    expect(numberAt(rows, 'headline|previous_day||messages_sent')).toBeNull();
    expect([...rows.keys()].filter((k) => k.startsWith('hourly|') && k.endsWith('|calls'))).toHaveLength(24);
    expect([...rows.keys()].some((k) => k.includes('pool:'))).toBe(false);
  });

  it('only failures: a delivery rate of 0, every failure by code', () => {
    const rows = csvTable(failuresOnlyDay());
    expect(numberAt(rows, 'messaging|all||delivery_rate')).toBe(0);
    expect(numberAt(rows, 'messaging|all||failed')).toBe(38);
    expect(numberAt(rows, 'messaging|all|failure:40010|failed')).toBe(30);
    expect(numberAt(rows, 'messaging|all|failure:40002|failed')).toBe(8);
  });

  it('guards text cells against formulas, quotes what needs it, and reads back the same text', () => {
    const report = nastyDay();
    const csv = reportCsv(report);
    const rows = csvTable(report);
    // No cell may start with a formula character unless it is a number.
    for (const record of parseCsv(csv)) {
      for (const cell of record) {
        if (/^[=+\-@\t\r]/.test(cell)) expect(cell, `unguarded ${JSON.stringify(cell)}`).toMatch(/^-\d+(\.\d+)?$/);
      }
    }
    const byPool = (id: string) => rows.get(`messaging|pool:${id}||sent`)!;
    expect(byPool('pool,"1"').note).toBe(NASTY.script);
    expect(byPool('p2').note).toBe(NASTY.quoted);
    expect(byPool('p3').note).toBe(`'${NASTY.formula}`);
    expect(unguard(byPool('p3').note)).toBe(NASTY.formula);
    expect(byPool('p4').note).toBe(NASTY.emoji);
    expect(byPool('p6').note).toBe(NASTY.long);
    expect(rows.get(`messaging|${NASTY.minus.replace(/^/, 'pool:')}||sent`)?.note).toBe(`'${NASTY.plus}`);
    expect(rows.get(`messaging|pool:${NASTY.at}||sent`)?.note).toBe(`'${NASTY.tab}`);
    expect(rows.get('messaging|all|failure:=1+1|failed')?.note).toBe(NASTY.newline);
    expect(rows.get('messaging|all|failure:40008|failed')?.note).toBe(`'${NASTY.formula}`);
    expect(csv).toContain('"pool:pool,""1"""');
    expect(rows.get(`voice|flow:${NASTY.markup}|menu:${NASTY.script}|next:${NASTY.formula}`)?.value).toBe('2');
    expect(numberAt(rows, 'report|day||partial')).toBe(1);
  });

  it('numbers are never guarded: negative figures and amounts stay numbers', () => {
    const report = busyDay();
    report.messaging.totals.cost = [{ amount: '-0.0040', currency: 'USD' }];
    report.lookups.errors = -1;
    report.voice.duration_seconds.median = Number.NaN;
    const rows = csvTable(report);
    expect(rows.get('messaging|all||cost:USD')?.value).toBe('-0.0040');
    expect(rows.get('lookups|all||errors')?.value).toBe('-1');
    expect(rows.get('voice|all||duration_median_seconds')?.value).toBe('');
  });

  it('any pool name and meaning reads back as written (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ maxLength: 40 }), (name, meaning) => {
        const report = buildReport({
          date: '2026-11-20',
          pools: [
            { profile_id: name, name, numbers: [{ number: '+13125550100', sent: 3, failures: [['1', meaning, 1]] }] },
          ],
        });
        const rows = csvTable(report);
        expect(unguard(rows.get(`messaging|pool:${name}||sent`)!.note)).toBe(name);
        expect(unguard(rows.get(`messaging|all|failure:1|failed`)!.note)).toBe(meaning);
      }),
      // Apostrophes before a formula character once read back without them: always tried.
      {
        numRuns: 200,
        examples: [
          ['', "'="],
          ["'=SUM(A1)", "'Tis"],
          ["''+1", "'"],
        ],
      },
    );
  });
});

/** The page with the whitespace between and inside tags collapsed, for matching markup exactly. */
const squash = (page: string) => page.replace(/\s+/g, ' ').replace(/> </g, '><').replace(/ >/g, '>');

/** Values of every attribute in the page, as [name, value]. */
function attributes(page: string): Array<[string, string]> {
  return [...page.matchAll(/\s([a-zA-Z-:]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]);
}

describe('reportHtml', () => {
  it.each(FIXTURES)('%s: a whole page that loads nothing and prints no NaN', (_, make) => {
    const page = squash(reportHtml(make()));
    expect(page.startsWith('<!doctype html>')).toBe(true);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1" />');
    expect(page).toContain('prefers-color-scheme: dark');
    expect(page).toContain('Content-Security-Policy" content="default-src &#39;none&#39;;');
    expect(page).not.toMatch(/NaN|undefined|Infinity|\[object/);
    // Nothing external: no script, no link, image, frame or font; anchors stay on the page.
    expect(page).not.toMatch(/<(script|link|img|iframe|object|embed|base)\b/i);
    expect(page).not.toMatch(/url\(|@import|@font-face/i);
    for (const [name, value] of attributes(page)) {
      expect(name).not.toMatch(/^(src|srcset|action|xlink:href|on\w+)$/i);
      if (name === 'href') expect(value).toMatch(/^#[a-z]+$/);
    }
    expect(page).toMatch(/font:16px/);
    expect(page.trim().endsWith('</body></html>')).toBe(true);
  });

  it.each(FIXTURES.filter(([name]) => name !== 'hostile names'))('%s: no address anywhere in the page', (_, make) => {
    expect(reportHtml(make())).not.toMatch(/https?:|\/\/[a-z]/i);
  });

  it.each(FIXTURES)('%s: every chart is an accessible SVG with finite geometry', (_, make) => {
    const page = squash(reportHtml(make()));
    const svgs = [...page.matchAll(/<svg\b[^>]*>[\s\S]*?<\/svg>/g)].map((m) => m[0]);
    expect(svgs.length).toBeGreaterThanOrEqual(1);
    for (const svg of svgs) {
      expect(svg).toMatch(/^<svg role="img" aria-labelledby="[^"]+" viewBox="0 0 \d+ \d+"/);
      expect(svg).toMatch(/<title id="[^"]+">[^<]+<\/title>/);
      expect(svg).not.toMatch(/\swidth="\d+(px)?"[^>]*>$/); // scales with its box, no fixed size on the <svg>
      for (const [name, value] of attributes(svg)) {
        if (['x', 'y', 'x1', 'x2', 'y1', 'y2', 'width', 'height', 'rx'].includes(name)) {
          expect(Number.isFinite(Number(value)), `${name}="${value}"`).toBe(true);
          if (name === 'width' || name === 'height') expect(Number(value)).toBeGreaterThan(0);
        }
      }
    }
  });

  it('the busy day: headline with changes, every section and figure', () => {
    const report = busyDay();
    const page = squash(reportHtml(report));
    expect(page).toContain('<title>Daily report 2026-11-20</title>');
    expect(page).toContain('1,797'); // messages sent
    expect(page).toMatch(/▲<\/span> \+5.6% <span class="muted">from 1,702/); // sent, vs 1,702
    expect(page).toMatch(
      /class="chg neutral"><span aria-hidden="true">▲<\/span> new <span class="muted">\(0 the day before\)/,
    );
    expect(page).toContain('no change from the day before'); // missed calls 9 → 9
    for (const text of [
      'Sales outreach',
      'Support',
      '+13125550100',
      '+442071838750',
      '40008',
      'Blocked due to STOP message',
    ]) {
      expect(page).toContain(text);
    }
    expect(page).toContain('7.489 USD + 0.16 EUR');
    expect(page).toContain('main-menu');
    expect(page).toMatch(/welcome<\/td><td class="text">sales<\/td><td class="figure">52/);
    expect(page).toContain('1 min 34 s');
    expect(page).toContain('6 min 52 s');
    expect(page).toContain('77.7%'); // lookup hit rate 497/640
    expect(page).toContain('$2.49'); // saved: 497 × $0.005
    for (const id of ['chart-delivery', 'chart-outcomes', 'chart-hourly'])
      expect(page).toContain(`aria-labelledby="${id}-t`);
    expect(page).not.toContain('No activity');
    expect(page).not.toContain('Partial report');
  });

  it('an empty day: every section says it was quiet, the hourly chart says "No activity"', () => {
    const page = squash(reportHtml(emptyDay()));
    expect(page).toContain('No messages sent or received this day.');
    expect(page).toContain('No calls this day.');
    expect(page).toContain('No lookups this day.');
    expect(page).toContain('>No activity</text>');
    expect(page).toContain('no data for the day before');
    expect(page).not.toContain('<table><thead><tr><th scope="col" class="text">Pool');
  });

  it('only failures: a 0% delivery rate, and failures up from none', () => {
    const page = squash(reportHtml(failuresOnlyDay()));
    expect(page).toMatch(/Delivery rate<\/div><div class="value">0%/);
    expect(page).toMatch(
      /Messages failed<\/div><div class="value">38<\/div><span class="chg bad"><span aria-hidden="true">▲<\/span> new/,
    );
    expect(page).toContain('Not 10DLC registered');
    expect(page).toContain('No calls this day.');
  });

  it('a partial report says so at the top', () => {
    const page = reportHtml(nastyDay());
    expect(page.indexOf('Partial report')).toBeGreaterThan(0);
    expect(page.indexOf('Partial report')).toBeLessThan(page.indexOf('id="headline"'));
  });

  it('hostile names are shown escaped, never as markup', () => {
    const page = reportHtml(nastyDay());
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<u>');
    expect(page).not.toContain("' onmouseover");
    for (const text of [
      NASTY.script,
      NASTY.quoted,
      NASTY.formula,
      NASTY.emoji,
      NASTY.mention,
      NASTY.markup,
      NASTY.attribute,
    ]) {
      expect(page).toContain(escapeHtml(text));
    }
  });

  it('the markup does not depend on names (property): every < and " in a name is escaped', () => {
    const markupOf = (page: string) => [page.split('<').length, page.split('"').length, page.split("'").length];
    const withNames = (name: string) =>
      buildReport({
        date: '2026-11-20',
        pools: [
          { profile_id: name, name, numbers: [{ number: name, sent: 3, delivered: 2, failures: [[name, name, 1]] }] },
        ],
        voice: { flows: [flow(name, 2, 2, { [name]: 1, completed: 1 }, [{ menu: name, next: name, count: 1 }])] },
      });
    const baseline = markupOf(reportHtml(withNames('x')));
    fc.assert(
      fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), (name) => {
        fc.pre(name !== 'completed');
        expect(markupOf(reportHtml(withNames(name)))).toEqual(baseline);
      }),
      { numRuns: 150 },
    );
  });

  it('a rate with nothing to rate reads "—", not 0%, whatever the headline holds', () => {
    const page = squash(reportHtml(emptyDay()));
    expect(page).toMatch(/Delivery rate<\/div><div class="value">—/);
    expect(page).toMatch(/Lookup cache hit rate<\/div><div class="value">—/);
  });
});

describe('reportSummary', () => {
  const URL = 'https://edge.example.com/reports/2026-11-20.html';

  function checkLimits(summary: ReturnType<typeof reportSummary>) {
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary);
    expect(summary.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect(summary.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(summary.text).not.toMatch(/NaN|undefined|Infinity|\[object/);
    for (const block of summary.blocks as Array<Record<string, any>>) {
      expect(['header', 'section', 'context']).toContain(block.type);
      if (block.type === 'header') {
        expect(block.text.type).toBe('plain_text');
        expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
      }
      if (block.type === 'section') {
        expect(block.text ?? block.fields).toBeDefined();
        if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
        if (block.fields) {
          expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionFields);
          for (const field of block.fields) expect(field.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
        }
      }
      const json = JSON.stringify(block);
      expect(json).not.toMatch(/NaN|undefined|Infinity/);
    }
  }

  it.each(FIXTURES)('%s: within Slack’s limits, with and without a link', (_, make) => {
    checkLimits(reportSummary(make()));
    checkLimits(reportSummary(make(), URL));
  });

  it('the busy day: headline fields with changes, top failures, the link', () => {
    const summary = reportSummary(busyDay(), URL);
    const [header, fields] = summary.blocks as Array<Record<string, any>>;
    expect(header).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Daily report 2026-11-20', emoji: true },
    });
    expect(fields!.fields).toHaveLength(9);
    expect(fields!.fields[0]).toEqual({ type: 'mrkdwn', text: '*Messages sent*\n1,797  ▲ +5.6% (was 1,702)' });
    expect(JSON.stringify(summary.blocks)).toContain('40008 Undeliverable');
    expect(JSON.stringify(summary.blocks)).toContain(`<${URL}|Open the full report>`);
    expect(summary.text.split('\n')).toEqual([
      'Telnyx edge daily report for 2026-11-20',
      'Messages: 1,797 (▲ +5.6%) sent, 98.0% delivered, 35 failed, 11 opt-outs, 441 received',
      'Calls: 171 (= no change), 159 answered, 9 missed',
      'Lookups: 640 (▲ new), 77.7% from the cache',
      `Full report: ${URL}`,
    ]);
  });

  it('no link without a URL, or with one that is not http(s)', () => {
    for (const url of [undefined, '', 'javascript:alert(1)', 'not a url', 'file:///etc/passwd']) {
      const summary = reportSummary(busyDay(), url);
      expect(JSON.stringify(summary)).not.toMatch(/https?:|javascript:|file:|Open the full report|Full report/);
    }
    const odd = reportSummary(busyDay(), 'https://edge.example.com/r?x=<a>|b c');
    expect(JSON.stringify(odd.blocks)).toContain('<https://edge.example.com/r?x=%3Ca%3E%7Cb%20c|Open the full report>');
  });

  it('an empty day and a partial day say so', () => {
    expect(reportSummary(emptyDay()).text).toContain('No messages, calls or lookups this day.');
    // A day on which Telnyx refused every send (nothing "sent") is not a quiet day.
    const refused = emptyDay();
    refused.messaging.totals = { ...refused.messaging.totals, failed: 250 };
    expect(reportSummary(refused).text).not.toContain('No messages, calls or lookups this day.');
    const partial = reportSummary(nastyDay());
    expect(partial.text.split('\n')[0]).toContain('(partial');
    expect((partial.blocks[0] as any).text.text).toBe('Daily report 2026-11-23 (partial)');
  });

  it('escapes mrkdwn: hostile meanings cannot mention anyone or open a link', () => {
    const report = nastyDay();
    report.messaging.totals.failures.push({ code: '<!here>', meaning: NASTY.mention, count: 5 });
    const summary = reportSummary(report);
    const texts = JSON.stringify(summary);
    expect(texts).not.toMatch(/<!channel>|<!here>|<@U123>/);
    expect(texts).toContain('&lt;!channel&gt; &amp; &lt;@U123&gt;');
  });

  it('stays within the limits with hundreds of long failure meanings', () => {
    const report = busyDay();
    report.messaging.totals.failures = Array.from({ length: 300 }, (_, i) => ({
      code: String(40000 + i),
      meaning: `${'🛟'.repeat(400)}<&>`,
      count: 300 - i,
    }));
    const summary = reportSummary(report, URL);
    checkLimits(summary);
    expect(JSON.stringify(summary.blocks)).toContain('…and 295 more codes');
  });
});
