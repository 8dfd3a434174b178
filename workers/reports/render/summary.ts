// The day's summary as a chat message: Slack's shape (`text` plus Block Kit `blocks`), which Slack
// incoming webhooks take as is and Mattermost, Rocket.Chat and others read at least the `text` of.
// `text` is the notification and the fallback for tools without blocks, so it stands on its own.
//
// Slack's limits are kept by construction (a header's text ≤ 150 characters, ≤ 10 fields in a
// section, a field ≤ 2,000, a section's text and `text` ≤ 3,000, ≤ 50 blocks) and every user-made
// string is escaped for mrkdwn (& < >), so a pool named "<!channel>" cannot ping anyone.
import type { Report } from '../types';
import { changeText, clip, describeChange, formatCount, formatFigure, formatInstant, formatPercent } from './format';
import { HEADLINE_FIGURES, headlineFigure } from './headline';

export const SLACK_LIMITS = {
  headerText: 150,
  sectionFields: 10,
  fieldText: 2000,
  sectionText: 3000,
  text: 3000,
  blocks: 50,
} as const;

export interface ReportSummary {
  text: string;
  blocks: unknown[];
}

/** Slack's mrkdwn escaping: only these three characters, as its docs ask. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The report's address for a link, or null when it is not an http(s) URL (a misconfigured URL
 * leaves the link out rather than failing the summary). <, > and | would end Slack's <url|label>.
 */
function linkTarget(reportUrl: string | undefined): string | null {
  if (!reportUrl) return null;
  let url: URL;
  try {
    url = new URL(reportUrl);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  return url.href.replace(/[<>| ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function headlineLine(report: Report, key: (typeof HEADLINE_FIGURES)[number]['key']): string {
  const figure = HEADLINE_FIGURES.find((f) => f.key === key);
  if (!figure) return '';
  const compared = headlineFigure(report, figure);
  const change = describeChange(compared, figure.kind, figure.better);
  const value = formatFigure(compared.value, figure.kind);
  return change.direction === 'unknown' ? value : `${value} (${change.arrow} ${change.text})`;
}

/** The plain-text message: a title line and one line per product. */
function plainText(report: Report, link: string | null): string {
  const { totals } = report.messaging;
  const v = report.voice;
  const l = report.lookups;
  const lines = [
    `Telnyx edge daily report for ${report.date}${report.partial ? ' (partial: built before the day ended)' : ''}`,
  ];
  // Failed sends and replies are activity too: a day on which Telnyx refused every send is not quiet.
  const quiet =
    totals.sent + totals.failed + totals.replies + totals.received === 0 &&
    v.inbound + v.outbound === 0 &&
    l.lookups === 0;
  if (quiet) {
    lines.push('No messages, calls or lookups this day.');
  } else {
    lines.push(
      `Messages: ${headlineLine(report, 'messages_sent')} sent, ${formatPercent(totals.delivery_rate)} delivered, ` +
        `${formatCount(totals.failed)} failed, ${formatCount(totals.opt_outs)} opt-outs, ${formatCount(totals.received)} received`,
      `Calls: ${headlineLine(report, 'calls')}, ${formatCount(v.answered)} answered, ${formatCount(v.missed)} missed`,
      `Lookups: ${headlineLine(report, 'lookups')}, ${formatPercent(l.hit_rate)} from the cache`,
    );
  }
  if (link) lines.push(`Full report: ${link}`);
  return clip(mrkdwn(lines.join('\n')), SLACK_LIMITS.text);
}

export function reportSummary(report: Report, reportUrl?: string): ReportSummary {
  const link = linkTarget(reportUrl);
  const blocks: unknown[] = [];

  blocks.push({
    type: 'header',
    text: {
      type: 'plain_text',
      text: clip(`Daily report ${report.date}${report.partial ? ' (partial)' : ''}`, SLACK_LIMITS.headerText),
      emoji: true,
    },
  });

  const fields = HEADLINE_FIGURES.slice(0, SLACK_LIMITS.sectionFields).map((figure) => {
    const compared = headlineFigure(report, figure);
    const change = describeChange(compared, figure.kind, figure.better);
    const text = `*${figure.label}*\n${formatFigure(compared.value, figure.kind)}  ${changeText(change)}`;
    return { type: 'mrkdwn', text: clip(mrkdwn(text), SLACK_LIMITS.fieldText) };
  });
  blocks.push({ type: 'section', fields });

  if (report.partial) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:warning: Built at ${formatInstant(report.generated_at)}, before the day was over: later figures are missing.`,
      },
    });
  }

  const failures = [...report.messaging.totals.failures].sort((a, b) => b.count - a.count);
  if (failures.length > 0) {
    // Each line clipped on its own, so one long meaning cannot push the others out of the section.
    const top = failures
      .slice(0, 5)
      .map((f) => `• ${mrkdwn(clip(f.code, 40))} ${mrkdwn(clip(f.meaning, 200))}: ${formatCount(f.count)}`)
      .join('\n');
    const more = failures.length > 5 ? `\n…and ${formatCount(failures.length - 5)} more codes` : '';
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Failures by code*\n${top}${more}`, SLACK_LIMITS.sectionText) },
    });
  }

  if (link) {
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `<${link}|Open the full report>` } });
  }

  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `${formatInstant(report.from)} to ${formatInstant(report.to)} · generated ${formatInstant(report.generated_at)} by telnyx-edge`,
      },
    ],
  });

  return { text: plainText(report, link), blocks };
}
