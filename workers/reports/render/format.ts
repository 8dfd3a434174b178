// How figures read to a person, the same in the HTML page, the chat summary and the CSV's notes:
// counts with thousands separators, ratios as percentages, durations in minutes and seconds, money
// from Telnyx's decimal text, and a day-over-day change. Every function here returns text for any
// input, including null, NaN and Infinity, so no renderer can ever print "NaN" or "undefined".
import type { Money } from '../types';

/** A Compared whose value may be missing (a rate on a day with nothing to rate). */
export interface MaybeCompared {
  value: number | null;
  previous: number | null;
}

/** What a figure is, which decides how it prints and how its change is measured. */
export type FigureKind = 'count' | 'ratio';

/** Shown where a figure has no value (no messages to rate, no calls to time). */
export const NO_VALUE = '—';

// en-US fixed rather than the runtime's default locale: a report must read the same wherever it
// is rendered (Workers and Node differ in their default).
const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 0, maximumFractionDigits: 1 });

const finite = (n: number | null | undefined): n is number => typeof n === 'number' && Number.isFinite(n);

export function formatCount(n: number | null | undefined): string {
  return finite(n) ? counts.format(n) : NO_VALUE;
}

/** A ratio (0.975) as a percentage ("97.5%"). One decimal: 99.96% must not read as 100%. */
export function formatPercent(ratio: number | null | undefined): string {
  if (!finite(ratio)) return NO_VALUE;
  const percent = ratio * 100;
  // Rounding must not claim perfection or nothing when it was not so.
  if (percent > 99.9 && percent < 100) return '>99.9%';
  if (percent > 0 && percent < 0.1) return '<0.1%';
  // One decimal always (98.0%, not 98%), so a column of rates lines up; 0% and 100% are exact.
  if (percent === 0 || percent === 100) return `${percent}%`;
  return `${percent.toFixed(1)}%`;
}

/** Seconds as "45 s", "3 min 05 s", "1 h 02 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (!finite(seconds) || seconds < 0) return NO_VALUE;
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = total % 60;
  if (hours > 0) return `${hours} h ${String(minutes).padStart(2, '0')} min`;
  return `${minutes} min ${String(secs).padStart(2, '0')} s`;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** True when text is a plain decimal number as Telnyx writes amounts ("0.0040", "-1.5"). */
export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text);
}

/**
 * Telnyx's decimal text as money, without going through a float (amounts are summed exactly in
 * millionths; a float would print 0.30000000000000004): thousands grouped, trailing zeros past the
 * cents dropped ("12.500000" → "12.50", "0.004000" → "0.004"), and the currency code after it.
 */
export function formatMoney(money: Money): string {
  const match = DECIMAL.exec(money.amount.trim());
  if (!match) return `${money.amount} ${money.currency}`.trim();
  const [, sign = '', whole = '0', fraction = ''] = match;
  let cents = fraction.replace(/0+$/, '');
  if (cents.length < 2) cents = cents.padEnd(2, '0');
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const isZero = /^0*$/.test(whole + fraction);
  return `${isZero ? '' : sign}${grouped}.${cents} ${money.currency}`;
}

/** Several currencies on one line ("1.20 USD + 0.80 EUR"), or "none" when no cost was reported. */
export function formatMoneyList(amounts: Money[]): string {
  return amounts.length === 0 ? 'none reported' : amounts.map(formatMoney).join(' + ');
}

/** A number of US dollars (the lookup price and savings, which the configuration gives as numbers). */
export function formatUsd(n: number | null | undefined): string {
  if (!finite(n)) return NO_VALUE;
  // Lookups cost fractions of a cent, so small amounts keep four decimals rather than "$0.00".
  const digits = Math.abs(n) < 1 && n !== 0 ? 4 : 2;
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: digits }).format(
    Math.abs(n),
  );
  return `${n < 0 ? '-' : ''}$${text}`;
}

/** Whether a rise in a figure is good news (deliveries), bad news (failures) or neither. */
export type Better = 'up' | 'down' | 'neither';

export interface Change {
  /** up / down / same; "new" when the day before had zero; "unknown" without a day before. */
  direction: 'up' | 'down' | 'same' | 'new' | 'unknown';
  /** good or bad for the business, judged with `better`; neutral when unchanged or unknown. */
  tone: 'good' | 'bad' | 'neutral';
  /** ▲ ▼ or = ; empty when unknown. */
  arrow: string;
  /** The change alone: "+12.5%", "-3.0 pts", "new", "no change", "no data for the day before". */
  text: string;
  /** The figure the day before, formatted ("1,100", "97.2%"), or null without one. */
  previous: string | null;
}

/**
 * The change from the day before. Counts change by a percentage of the day before (which needs a
 * day before that was not zero: 0 → 5 is "new", not "+Infinity%"); ratios change by percentage
 * points, since "+2% of 95%" would be ambiguous.
 */
export function describeChange(figure: MaybeCompared, kind: FigureKind, better: Better = 'neither'): Change {
  const format = kind === 'ratio' ? formatPercent : formatCount;
  const { value, previous } = figure;
  if (!finite(previous) || !finite(value)) {
    return {
      direction: 'unknown',
      tone: 'neutral',
      arrow: '',
      text: 'no data for the day before',
      previous: finite(previous) ? format(previous) : null,
    };
  }
  const shown = format(previous);
  const delta = value - previous;
  // Below what the figure prints, a difference is noise: 97.51% vs 97.49% is "no change".
  const negligible = kind === 'ratio' ? Math.abs(delta) < 0.0005 : delta === 0;
  if (negligible) return { direction: 'same', tone: 'neutral', arrow: '=', text: 'no change', previous: shown };
  const direction = delta > 0 ? 'up' : 'down';
  const tone = better === 'neither' ? 'neutral' : better === direction ? 'good' : 'bad';
  const arrow = delta > 0 ? '▲' : '▼';
  if (kind === 'count' && previous === 0) return { direction: 'new', tone, arrow, text: 'new', previous: shown };
  const sign = delta > 0 ? '+' : '-';
  let text: string;
  if (kind === 'ratio') {
    text = `${sign}${oneDecimal.format(Math.abs(delta) * 100)} pts`;
  } else {
    const percent = Math.abs(delta / previous) * 100;
    text = `${sign}${percent >= 1000 ? counts.format(percent) : oneDecimal.format(percent)}%`;
  }
  return { direction, tone, arrow, text, previous: shown };
}

/** "▲ +12.5% (was 1,100)" for plain text; "no data for the day before" without a day before. */
export function changeText(change: Change): string {
  if (change.direction === 'unknown') return change.text;
  if (change.direction === 'same') return `${change.arrow} ${change.text}`;
  return `${change.arrow} ${change.text} (was ${change.previous})`;
}

/** A figure as its kind prints it. */
export function formatFigure(value: number | null | undefined, kind: FigureKind): string {
  return kind === 'ratio' ? formatPercent(value) : formatCount(value);
}

/** "00:00" … "23:00". */
export function formatHour(hour: number): string {
  return finite(hour) ? `${String(Math.trunc(hour)).padStart(2, '0')}:00` : NO_VALUE;
}

/** An ISO instant as "2026-11-22 14:05 UTC" (the report's times are UTC; no locale guessing). */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 16)} UTC`;
}

/** Cuts text to at most `max` characters, never inside a surrogate pair (emoji stay whole). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}
