// Inline SVG charts for the HTML report: stacked columns (activity by hour) and one bar split into
// parts (delivered / failed / unconfirmed, call outcomes). Small on purpose: no axes library, no
// script, nothing fetched. Each chart is a <figure> holding the SVG and an HTML legend with the
// exact figures, so the colours never have to be read to get a number.
//
// Every SVG has role="img" with a <title> and <desc> (what a screen reader says), a viewBox and no
// fixed size, so it scales to the width of its box. Colours come from CSS classes (CHART_CSS), so
// the page's dark scheme recolours them. Data that is all zero draws an empty frame and says
// "No activity" instead of dividing by zero: no NaN can reach an attribute (svgNumber guards too).
import { formatCount, formatPercent } from './format';
import { html, svgNumber, type Markup } from './markup';

/** Okabe–Ito colours, told apart with the common colour-vision deficiencies; grey for "other". */
export const CHART_COLOURS = ['blue', 'orange', 'green', 'vermillion', 'sky', 'purple', 'yellow', 'grey'] as const;
export type ChartColour = (typeof CHART_COLOURS)[number];

const LIGHT: Record<ChartColour, string> = {
  blue: '#0072b2',
  orange: '#e69f00',
  green: '#009e73',
  vermillion: '#d55e00',
  sky: '#56b4e9',
  purple: '#cc79a7',
  yellow: '#f0e442',
  grey: '#8a8f98',
};
// On a dark background the darker hues lose contrast: the same hues, lightened.
const DARK: Record<ChartColour, string> = {
  ...LIGHT,
  blue: '#3d9be0',
  green: '#2cc28f',
  vermillion: '#f0743a',
  grey: '#9aa0a8',
};

/** The chart rules for the page's <style>: one custom property per colour, per scheme. */
export const CHART_CSS = [
  `:root{${CHART_COLOURS.map((c) => `--k-${c}:${LIGHT[c]}`).join(';')}}`,
  `@media (prefers-color-scheme: dark){:root{${CHART_COLOURS.map((c) => `--k-${c}:${DARK[c]}`).join(';')}}}`,
  ...CHART_COLOURS.map((c) => `.k-${c}{fill:var(--k-${c});background:var(--k-${c})}`),
  '.chart{margin:0.75rem 0;max-width:36rem}',
  '.chart svg{display:block;width:100%;height:auto;overflow:visible}',
  '.chart text{fill:var(--muted);font-family:inherit}',
  '.chart .grid{stroke:var(--line);stroke-width:1}',
  '.chart .frame{fill:none;stroke:var(--line);stroke-width:1}',
  '.chart .none{fill:var(--muted);font-style:italic}',
  '.legend{list-style:none;margin:0.5rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:0.25rem 1.25rem}',
  '.legend li{display:flex;align-items:center;gap:0.4rem}',
  '.swatch{display:inline-block;width:0.9rem;height:0.9rem;border-radius:3px;flex:none}',
].join('\n');

export interface Series {
  name: string;
  colour: ChartColour;
  values: readonly number[];
}

export interface Part {
  label: string;
  value: number;
  colour: ChartColour;
}

// Sizes in viewBox units. The viewBox is about a phone's width, so at 16px a user unit the labels
// stay legible on a phone and grow only modestly on a wide screen (the figure's max-width).
const WIDTH = 320;
const FONT = 15;

const safe = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** The smallest 1, 2, 2.5 or 5 × 10^k at or above n: a round top for the scale. */
export function niceMax(n: number): number {
  if (!(n > 0) || !Number.isFinite(n)) return 0;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

/** Axis labels short enough for the margin: 950, 1.5k, 20k, 1.2M. */
function axisLabel(n: number): string {
  if (n >= 1e6) return `${svgNumber(n / 1e6)}M`;
  if (n >= 1e3) return `${svgNumber(n / 1e3)}k`;
  return svgNumber(n);
}

function svgFrame(id: string, title: string, description: string, height: number, body: Markup): Markup {
  return html`<svg
    role="img"
    aria-labelledby="${id}-t ${id}-d"
    viewBox="0 0 ${WIDTH} ${height}"
    preserveAspectRatio="xMidYMid meet"
    font-size="${FONT}"
  >
    <title id="${id}-t">${title}</title>
    <desc id="${id}-d">${description}</desc>
    ${body}
  </svg>`;
}

function noActivity(y: number): Markup {
  return html`<text class="none" x="${WIDTH / 2}" y="${y}" text-anchor="middle">No activity</text>`;
}

/**
 * Columns stacked from several series, one per category (the day's 24 hours): how busy each hour
 * was and with what. `labelEvery` picks which categories are labelled under the axis.
 */
export function columnChart(options: {
  id: string;
  title: string;
  categories: readonly string[];
  series: readonly Series[];
  labelEvery?: number;
}): Markup {
  const { id, title, categories, series, labelEvery = 6 } = options;
  const height = 190;
  const left = 38;
  const right = 4;
  const top = 10;
  const bottom = 24;
  const plotWidth = WIDTH - left - right;
  const plotHeight = height - top - bottom;
  const baseline = top + plotHeight;

  const totals = categories.map((_, i) => series.reduce((sum, s) => sum + safe(s.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const slot = categories.length > 0 ? plotWidth / categories.length : plotWidth;
  const barWidth = Math.max(1, slot * 0.72);

  const grid: Markup[] = [];
  const ticks = max > 0 ? [0, max / 2, max] : [0];
  for (const tick of ticks) {
    const y = max > 0 ? baseline - (tick / max) * plotHeight : baseline;
    grid.push(
      html`<line class="grid" x1="${left}" x2="${WIDTH - right}" y1="${svgNumber(y)}" y2="${svgNumber(y)}" />`,
      html`<text x="${left - 4}" y="${svgNumber(y + FONT / 3)}" text-anchor="end">${axisLabel(tick)}</text>`,
    );
  }

  const columns: Markup[] = [];
  const labels: Markup[] = [];
  categories.forEach((category, i) => {
    const x = left + i * slot + (slot - barWidth) / 2;
    if (i % labelEvery === 0) {
      labels.push(
        html`<text x="${svgNumber(left + i * slot + slot / 2)}" y="${height - 6}" text-anchor="middle"
          >${category}</text
        >`,
      );
    }
    if (max === 0 || totals[i] === 0) return;
    let y = baseline;
    const rects: Markup[] = [];
    for (const s of series) {
      const value = safe(s.values[i] ?? 0);
      if (value === 0) continue;
      const h = (value / max) * plotHeight;
      y -= h;
      rects.push(
        html`<rect
          class="k-${s.colour}"
          x="${svgNumber(x)}"
          y="${svgNumber(y)}"
          width="${svgNumber(barWidth)}"
          height="${svgNumber(h)}"
        />`,
      );
    }
    const tooltip = `${category}: ${series.map((s) => `${formatCount(safe(s.values[i] ?? 0))} ${s.name}`).join(', ')}`;
    columns.push(html`<g><title>${tooltip}</title>${rects}</g>`);
  });

  const total = totals.reduce((a, b) => a + b, 0);
  const description =
    total === 0
      ? 'No activity.'
      : `${series.map((s) => `${s.name}: ${formatCount(s.values.reduce((a, v) => a + safe(v), 0))}`).join('; ')}. Busiest: ${
          categories[totals.indexOf(Math.max(...totals))] ?? ''
        }.`;
  const body = html`${grid}${columns}${labels}${total === 0 ? noActivity(top + plotHeight / 2) : null}`;
  return html`<figure class="chart">
    ${svgFrame(id, title, description, height, body)}${legend(
      series.map((s) => ({ label: s.name, colour: s.colour, value: s.values.reduce((a, v) => a + safe(v), 0) })),
      false,
    )}
  </figure>`;
}

/** One bar split into its parts, widths by share: how a whole (messages sent, calls) divided. */
export function splitBar(options: { id: string; title: string; parts: readonly Part[] }): Markup {
  const { id, title, parts } = options;
  const height = 36;
  const barHeight = 28;
  const total = parts.reduce((sum, p) => sum + safe(p.value), 0);
  const rects: Markup[] = [];
  let x = 0;
  if (total > 0) {
    for (const part of parts) {
      const value = safe(part.value);
      if (value === 0) continue;
      const w = (value / total) * WIDTH;
      rects.push(
        html`<rect class="k-${part.colour}" x="${svgNumber(x)}" y="4" width="${svgNumber(w)}" height="${barHeight}"
          ><title>${part.label}: ${formatCount(value)} (${formatPercent(value / total)})</title></rect
        >`,
      );
      x += w;
    }
  }
  const description =
    total === 0
      ? 'No activity.'
      : parts
          .map((p) => `${p.label}: ${formatCount(safe(p.value))} (${formatPercent(safe(p.value) / total)})`)
          .join('; ');
  const body =
    total === 0
      ? html`<rect
            class="frame"
            x="0.5"
            y="4.5"
            width="${WIDTH - 1}"
            height="${barHeight - 1}"
            rx="3"
          />${noActivity(4 + barHeight / 2 + FONT / 3)}`
      : html`${rects}`;
  return html`<figure class="chart">
    ${svgFrame(id, title, description, height, body)}${legend(parts, total > 0)}
  </figure>`;
}

function legend(parts: ReadonlyArray<{ label: string; value: number; colour: ChartColour }>, shares: boolean): Markup {
  const total = parts.reduce((sum, p) => sum + safe(p.value), 0);
  return html`<ul class="legend">
    ${parts.map(
      (p) =>
        html`<li>
          <span class="swatch k-${p.colour}" aria-hidden="true"></span>${p.label} <b>${formatCount(safe(p.value))}</b>${
            shares && total > 0 ? ` (${formatPercent(safe(p.value) / total)})` : ''
          }
        </li>`,
    )}
  </ul>`;
}

/**
 * Named counts (call outcomes) as parts, largest first, each with its own colour; past the palette
 * the smallest are folded into "other" so no two parts share a colour.
 */
export function partsFromCounts(counts: Record<string, number>): Part[] {
  const entries = Object.entries(counts)
    .filter(([, n]) => safe(n) > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const colours = CHART_COLOURS.filter((c) => c !== 'grey');
  const shown = entries.length > colours.length + 1 ? entries.slice(0, colours.length) : entries;
  const parts: Part[] = shown.map(([label, value], i) => ({
    label,
    value,
    colour: colours[i] ?? 'grey',
  }));
  if (shown.length < entries.length) {
    const rest = entries.slice(shown.length).reduce((sum, [, n]) => sum + n, 0);
    parts.push({ label: 'other', value: rest, colour: 'grey' });
  }
  return parts;
}
