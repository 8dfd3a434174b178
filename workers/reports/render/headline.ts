// The headline figures in the order every renderer shows them, with what each one is (a count or
// a ratio) and which way is good news, so the HTML cards, the chat summary and the CSV agree.
import type { Headline, Report } from '../types';
import type { Better, FigureKind, MaybeCompared } from './format';

export interface HeadlineFigure {
  key: keyof Headline;
  label: string;
  kind: FigureKind;
  better: Better;
}

export const HEADLINE_FIGURES: readonly HeadlineFigure[] = [
  { key: 'messages_sent', label: 'Messages sent', kind: 'count', better: 'neither' },
  { key: 'delivery_rate', label: 'Delivery rate', kind: 'ratio', better: 'up' },
  { key: 'messages_failed', label: 'Messages failed', kind: 'count', better: 'down' },
  { key: 'opt_outs', label: 'Opt-outs', kind: 'count', better: 'down' },
  { key: 'calls', label: 'Calls', kind: 'count', better: 'neither' },
  { key: 'calls_answered', label: 'Calls answered', kind: 'count', better: 'up' },
  { key: 'calls_missed', label: 'Calls missed', kind: 'count', better: 'down' },
  { key: 'lookups', label: 'Number lookups', kind: 'count', better: 'neither' },
  { key: 'lookup_hit_rate', label: 'Lookup cache hit rate', kind: 'ratio', better: 'up' },
];

/**
 * A headline figure and the day before. A rate with nothing to rate (no message delivered or
 * failed, no lookup) has no value, whatever number the headline carries: "0%" would read as
 * "everything failed".
 */
export function headlineFigure(report: Report, figure: HeadlineFigure): MaybeCompared {
  const compared = report.headline[figure.key];
  if (figure.key === 'delivery_rate' && report.messaging.totals.delivery_rate === null) {
    return { value: null, previous: compared.previous };
  }
  if (figure.key === 'lookup_hit_rate' && report.lookups.hit_rate === null) {
    return { value: null, previous: compared.previous };
  }
  return compared;
}
