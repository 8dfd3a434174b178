// The report as one self-contained HTML page, to open from R2 on a phone or a desk: no script, no
// font, image or style sheet fetched (a Content-Security-Policy in the page says so to the browser
// too), inline CSS, inline SVG charts, light or dark after the reader's setting. Wide tables scroll
// inside their own box so the page itself never scrolls sideways. Every value goes through the
// escaping `html` tag (markup.ts): pool names, flow ids and failure meanings come from users.
import type { MessagingFigures, PoolReport, Report } from '../types';
import { CHART_CSS, columnChart, partsFromCounts, splitBar } from './charts';
import {
  NO_VALUE,
  describeChange,
  formatCount,
  formatDuration,
  formatFigure,
  formatHour,
  formatInstant,
  formatMoneyList,
  formatPercent,
  formatUsd,
} from './format';
import { HEADLINE_FIGURES, headlineFigure } from './headline';
import { html, trusted, type Markup } from './markup';

// What the page may load: nothing but its own inline style. Images and fonts are none at all; a
// value that slipped through unescaped could still not run a script or call anywhere.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const PAGE_CSS = `
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--text:#1b1f24;--muted:#59626e;--line:#d9dde3;
--good:#08794b;--bad:#b3261e;--accent:#0b5cad;--notice:#fff4d6;--notice-line:#e0b44c}
@media (prefers-color-scheme: dark){:root{--bg:#111418;--card:#1b2027;--text:#e8eaed;--muted:#a4acb7;
--line:#343b45;--good:#4cc38a;--bad:#ff8a80;--accent:#8ab4f8;--notice:#3a3016;--notice-line:#8a6d1f}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif;overflow-wrap:anywhere}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;line-height:1.25;margin:0.5rem 0 0.25rem}
h2{font-size:1.25rem;margin:0 0 0.75rem}
h3{font-size:1.0625rem;margin:1.25rem 0 0.5rem}
p{margin:0.5rem 0}
.muted{color:var(--muted)}
section{background:var(--card);border:1px solid var(--line);border-radius:12px;padding:1rem;margin:1rem 0;min-width:0}
.notice{background:var(--notice);border:1px solid var(--notice-line);border-radius:8px;padding:0.75rem 1rem;margin:1rem 0}
nav ul{list-style:none;display:flex;flex-wrap:wrap;gap:0.25rem 1rem;padding:0;margin:0.5rem 0}
nav a{color:var(--accent)}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,8.75rem),1fr));gap:0.75rem}
.card{border:1px solid var(--line);border-radius:10px;padding:0.75rem}
.card .label{color:var(--muted)}
.card .value{font-size:1.75rem;font-weight:650;line-height:1.2;font-variant-numeric:tabular-nums}
.chg{display:block}
.good{color:var(--good)}.bad{color:var(--bad)}.neutral{color:var(--muted)}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,12rem),1fr));gap:0.25rem 1.5rem;margin:0}
.stats div{display:flex;justify-content:space-between;gap:1rem;border-bottom:1px solid var(--line);padding:0.3rem 0}
.stats dt{color:var(--muted)}.stats dd{margin:0;font-variant-numeric:tabular-nums;text-align:right}
.scroll{overflow-x:auto;max-width:100%;border:1px solid var(--line);border-radius:8px;margin:0.5rem 0}
.scroll:focus{outline:2px solid var(--accent)}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{padding:0.4rem 0.6rem;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap;vertical-align:top}
th.label,td.label,th.text,td.text,th.long,td.long{text-align:left}
td.text,td.long{white-space:normal;min-width:8rem;max-width:16rem;overflow-wrap:anywhere}
td.long{min-width:14rem;max-width:24rem}
th:first-child,td:first-child{position:sticky;left:0;z-index:1;background:var(--card)}
thead th:first-child{background:var(--bg)}
thead th{background:var(--bg);font-weight:600}
tbody tr:last-child td{border-bottom:0}
details summary{cursor:pointer;color:var(--accent);margin:0.5rem 0}
footer{color:var(--muted);padding:0 0 2rem}
`;

interface Column<T> {
  header: string;
  /**
   * figure (the default): right-aligned on one line; label: left-aligned on one line (codes,
   * numbers); text: left-aligned, wrapping (names, meanings); long: text given more room.
   */
  kind?: 'figure' | 'label' | 'text' | 'long';
  cell: (row: T) => string | Markup;
}

/** A table inside a box that scrolls sideways on its own, labelled for keyboards and readers. */
function table<T>(label: string, columns: Column<T>[], rows: readonly T[]): Markup {
  // The first column (what the row is about) stays in view while the rest scrolls sideways.
  const cls = (c: Column<T>) => c.kind ?? 'figure';
  return html`<div class="scroll" role="region" aria-label="${label}" tabindex="0">
    <table>
      <thead>
        <tr>
          ${columns.map((c) => html`<th scope="col" class="${cls(c)}">${c.header}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (row) =>
            html`<tr>
              ${columns.map((c) => html`<td class="${cls(c)}">${c.cell(row)}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** Label–value pairs as a definition list in a fluid grid. */
function stats(pairs: Array<[string, string | Markup]>): Markup {
  return html`<dl class="stats">
    ${pairs.map(
      ([term, value]) =>
        html`<div>
          <dt>${term}</dt>
          <dd>${value}</dd>
        </div>`,
    )}
  </dl>`;
}

function headline(report: Report): Markup {
  const cards = HEADLINE_FIGURES.map((figure) => {
    const compared = headlineFigure(report, figure);
    const change = describeChange(compared, figure.kind, figure.better);
    const detail =
      change.direction === 'unknown'
        ? html`<span class="chg neutral">${change.text}</span>`
        : change.direction === 'same'
          ? html`<span class="chg neutral">no change from the day before</span>`
          : html`<span class="chg ${change.tone}"
              ><span aria-hidden="true">${change.arrow}</span> ${change.text}
              <span class="muted"
                >${change.direction === 'new' ? '(0 the day before)' : `from ${change.previous}`}</span
              ></span
            >`;
    return html`<div class="card">
      <div class="label">${figure.label}</div>
      <div class="value">${formatFigure(compared.value, figure.kind)}</div>
      ${detail}
    </div>`;
  });
  return html`<section id="headline" aria-labelledby="headline-h">
    <h2 id="headline-h">The day at a glance</h2>
    <div class="cards">${cards}</div>
  </section>`;
}

function messagingStats(figures: MessagingFigures): Markup {
  return stats([
    ['Sent', formatCount(figures.sent)],
    ['Delivered', formatCount(figures.delivered)],
    ['Failed', formatCount(figures.failed)],
    ['Unconfirmed', formatCount(figures.unconfirmed)],
    ['Delivery rate', formatPercent(figures.delivery_rate)],
    ['Received', formatCount(figures.received)],
    ['Automatic replies', formatCount(figures.replies)],
    ['Opt-outs', formatCount(figures.opt_outs)],
    ['Opt-ins', formatCount(figures.opt_ins)],
    ['SMS parts', formatCount(figures.parts)],
    ['Cost', formatMoneyList(figures.cost)],
    ['Sent with a known cost', `${formatCount(figures.cost_known)} of ${formatCount(figures.sent)}`],
  ]);
}

/** The columns every per-pool and per-number row shares. */
function figureColumns<T>(figures: (row: T) => MessagingFigures): Column<T>[] {
  return [
    { header: 'Sent', cell: (r) => formatCount(figures(r).sent) },
    { header: 'Delivered', cell: (r) => formatCount(figures(r).delivered) },
    { header: 'Failed', cell: (r) => formatCount(figures(r).failed) },
    { header: 'Unconfirmed', cell: (r) => formatCount(figures(r).unconfirmed) },
    { header: 'Rate', cell: (r) => formatPercent(figures(r).delivery_rate) },
    { header: 'Received', cell: (r) => formatCount(figures(r).received) },
    { header: 'Opt-outs', cell: (r) => formatCount(figures(r).opt_outs) },
    { header: 'Opt-ins', cell: (r) => formatCount(figures(r).opt_ins) },
    { header: 'Parts', cell: (r) => formatCount(figures(r).parts) },
    { header: 'Cost', cell: (r) => formatMoneyList(figures(r).cost) },
  ];
}

function messaging(report: Report): Markup {
  const { totals, pools } = report.messaging;
  const quiet = totals.sent === 0 && totals.received === 0 && totals.replies === 0 && pools.length === 0;
  const head = html`<h2 id="messaging-h">Messaging</h2>`;
  if (quiet) {
    return html`<section id="messaging" aria-labelledby="messaging-h">
      ${head}
      <p class="muted">No messages sent or received this day.</p>
    </section>`;
  }
  const split = splitBar({
    id: 'chart-delivery',
    title: 'What became of the messages sent',
    parts: [
      { label: 'Delivered', value: totals.delivered, colour: 'green' },
      { label: 'Failed', value: totals.failed, colour: 'vermillion' },
      { label: 'Unconfirmed', value: totals.unconfirmed, colour: 'grey' },
    ],
  });
  const numbers = pools.flatMap((pool) => pool.numbers.map((n) => ({ pool, ...n })));
  const encodings = Object.entries(totals.encodings).sort((a, b) => b[1] - a[1]);
  return html`<section id="messaging" aria-labelledby="messaging-h">
    ${head} ${split} ${messagingStats(totals)}
    <h3>Failures by error code</h3>
    ${
      totals.failures.length === 0
        ? html`<p class="muted">No failures.</p>`
        : table(
            'Failures by error code',
            [
              { header: 'Code', kind: 'label', cell: (f) => f.code },
              { header: 'Meaning', kind: 'text', cell: (f) => f.meaning },
              { header: 'Count', cell: (f) => formatCount(f.count) },
            ],
            [...totals.failures].sort((a, b) => b.count - a.count),
          )
    }
    <h3>Encodings</h3>
    ${
      encodings.length === 0
        ? html`<p class="muted">Nothing sent.</p>`
        : stats(
            encodings.map(([name, count]) => [
              name,
              `${formatCount(count)} (${formatPercent(count / (totals.sent || 1))})`,
            ]),
          )
    }
    <h3>By pool</h3>
    ${
      pools.length === 0
        ? html`<p class="muted">No pool sent or received anything.</p>`
        : table<PoolReport>(
            'Messaging by pool',
            [{ header: 'Pool', kind: 'text', cell: (p) => p.name }, ...figureColumns<PoolReport>((p) => p.figures)],
            pools,
          )
    }
    ${
      numbers.length === 0
        ? null
        : html`<h3>By number</h3>
            ${table<(typeof numbers)[number]>(
              'Messaging by number',
              [
                { header: 'Number', kind: 'label', cell: (n) => n.number },
                { header: 'Pool', kind: 'text', cell: (n) => n.pool.name },
                ...figureColumns<(typeof numbers)[number]>((n) => n.figures),
              ],
              numbers,
            )}`
    }
  </section>`;
}

/** Outcome names as the call records write them (no_answer), as words (no answer). */
const humanName = (name: string) => name.replace(/_/g, ' ');

function humanKeys(counts: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = Object.create(null);
  for (const [name, n] of Object.entries(counts)) out[humanName(name)] = (out[humanName(name)] ?? 0) + n;
  return out;
}

function voice(report: Report): Markup {
  const v = report.voice;
  const head = html`<h2 id="voice-h">Voice</h2>`;
  if (v.inbound === 0 && v.outbound === 0 && v.flows.length === 0) {
    return html`<section id="voice" aria-labelledby="voice-h">
      ${head}
      <p class="muted">No calls this day.</p>
    </section>`;
  }
  const choices = v.flows.flatMap((flow) => flow.menu_choices.map((c) => ({ flow: flow.flow_id, ...c })));
  return html`<section id="voice" aria-labelledby="voice-h">
    ${head}
    ${splitBar({ id: 'chart-outcomes', title: 'How the calls ended', parts: partsFromCounts(humanKeys(v.outcomes)) })}
    ${stats([
      ['Inbound calls', formatCount(v.inbound)],
      ['Outbound calls', formatCount(v.outbound)],
      ['Answered', formatCount(v.answered)],
      ['Missed', formatCount(v.missed)],
      ['Left while a menu waited', formatCount(v.abandoned_in_menu)],
      ['Duration, median', formatDuration(v.duration_seconds.median)],
      ['Duration, 90th percentile', formatDuration(v.duration_seconds.p90)],
    ])}
    <h3>By call flow</h3>
    ${
      v.flows.length === 0
        ? html`<p class="muted">No call ran a flow.</p>`
        : table(
            'Calls by flow',
            [
              { header: 'Flow', kind: 'text', cell: (f) => f.flow_id },
              { header: 'Calls', cell: (f) => formatCount(f.calls) },
              { header: 'Answered', cell: (f) => formatCount(f.answered) },
              { header: 'Transfers', cell: (f) => formatCount(f.transfers) },
              { header: 'Voicemails', cell: (f) => formatCount(f.voicemails) },
              {
                header: 'Outcomes',
                kind: 'long',
                cell: (f) =>
                  Object.entries(f.outcomes)
                    .sort((a, b) => b[1] - a[1])
                    .map(([name, n]) => `${humanName(name)} ${formatCount(n)}`)
                    .join(', ') || NO_VALUE,
              },
            ],
            v.flows,
          )
    }
    ${
      choices.length === 0
        ? null
        : html`<h3>Menu choices</h3>
            ${table(
              'Menu choices by flow',
              [
                { header: 'Flow', kind: 'text', cell: (c) => c.flow },
                { header: 'Menu', kind: 'text', cell: (c) => c.menu },
                { header: 'Went to', kind: 'text', cell: (c) => c.next },
                { header: 'Calls', cell: (c) => formatCount(c.count) },
              ],
              choices,
            )}`
    }
  </section>`;
}

function lookups(report: Report): Markup {
  const l = report.lookups;
  const head = html`<h2 id="lookups-h">Number lookups</h2>`;
  if (l.lookups === 0) {
    return html`<section id="lookups" aria-labelledby="lookups-h">
      ${head}
      <p class="muted">No lookups this day.</p>
    </section>`;
  }
  return html`<section id="lookups" aria-labelledby="lookups-h">
    ${head}
    ${stats([
      ['Lookups', formatCount(l.lookups)],
      ['Answered from the cache', formatCount(l.cache_hits)],
      ['Cache hit rate', formatPercent(l.hit_rate)],
      ['Calls to Telnyx', formatCount(l.upstream_calls)],
      ['Stale answers served', formatCount(l.stale_served)],
      ['Errors', formatCount(l.errors)],
      ['Price of one lookup', formatUsd(l.price_per_lookup_usd)],
      ['Saved by the cache', formatUsd(l.cost_saved_usd)],
    ])}
  </section>`;
}

function hourly(report: Report): Markup {
  // 24 entries by contract; indexed by hour here so a missing or unordered entry cannot shift a bar.
  const hours = Array.from({ length: 24 }, (_, hour) => {
    const entry = report.hourly.find((h) => h.hour === hour);
    return { hour, messages_sent: 0, messages_received: 0, calls: 0, lookups: 0, ...entry };
  });
  const chart = columnChart({
    id: 'chart-hourly',
    title: 'Activity by hour (UTC)',
    categories: hours.map((h) => String(h.hour).padStart(2, '0')),
    series: [
      { name: 'messages sent', colour: 'blue', values: hours.map((h) => h.messages_sent) },
      { name: 'messages received', colour: 'sky', values: hours.map((h) => h.messages_received) },
      { name: 'calls', colour: 'orange', values: hours.map((h) => h.calls) },
      { name: 'lookups', colour: 'purple', values: hours.map((h) => h.lookups) },
    ],
  });
  return html`<section id="hourly" aria-labelledby="hourly-h">
    <h2 id="hourly-h">Activity by hour</h2>
    ${chart}
    <details>
      <summary>The figures hour by hour</summary>
      ${table(
        'Activity by hour',
        [
          { header: 'Hour (UTC)', kind: 'label', cell: (h) => formatHour(h.hour) },
          { header: 'Sent', cell: (h) => formatCount(h.messages_sent) },
          { header: 'Received', cell: (h) => formatCount(h.messages_received) },
          { header: 'Calls', cell: (h) => formatCount(h.calls) },
          { header: 'Lookups', cell: (h) => formatCount(h.lookups) },
        ],
        hours,
      )}
    </details>
  </section>`;
}

export function reportHtml(report: Report): string {
  const title = `Daily report ${report.date}`;
  const partial = report.partial
    ? html`<p class="notice" role="note">
        <strong>Partial report:</strong> built at ${formatInstant(report.generated_at)}, before the day was over.
        Figures after that time are missing.
      </p>`
    : null;
  const page = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="Content-Security-Policy" content="${CSP}" />
        <meta name="referrer" content="no-referrer" />
        <meta name="color-scheme" content="light dark" />
        <title>${title}</title>
        <style>
          ${trusted(PAGE_CSS)}${trusted(CHART_CSS)}
        </style>
      </head>
      <body>
        <main>
          <header>
            <h1>${title}</h1>
            <p class="muted">${formatInstant(report.from)} to ${formatInstant(report.to)}</p>
            ${partial}
            <nav aria-label="Sections">
              <ul>
                <li><a href="#messaging">Messaging</a></li>
                <li><a href="#voice">Voice</a></li>
                <li><a href="#lookups">Lookups</a></li>
                <li><a href="#hourly">By hour</a></li>
              </ul>
            </nav>
          </header>
          ${headline(report)} ${messaging(report)} ${voice(report)} ${lookups(report)} ${hourly(report)}
          <footer>Generated ${formatInstant(report.generated_at)} by telnyx-edge. Times are UTC.</footer>
        </main>
      </body>
    </html> `;
  return page.text;
}
