// "Daily reports (through the bundle)": report (build one now, POST /reports/run), reports (the list,
// GET /reports) and cron (fire the hourly cron under wrangler dev through miniflare's
// /cdn-cgi/handler/scheduled, then say from GET /reports what it built). Report days are UTC days.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { c, CLI, describeApiErrors, Failure, say, table, UsageError } from './output.mjs';
import { EDGE_OPTIONS, JSON_OPTION } from './args.mjs';
import { edgeCall, edgeList } from './edge-client.mjs';
import { noteTarget, startCommand, urlWith } from './http.mjs';

const GROUP = 'Daily reports (through the bundle)';
const DAY_MS = 86_400_000;
const CRON = '0 * * * *'; // the bundle's one schedule (wrangler.toml [triggers])
const root = path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url))));

// ---- Days and times (UTC) -------------------------------------------------------------------------

const dayOf = (ms) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (day) => Date.parse(`${day}T00:00:00.000Z`);
const addDays = (day, n) => dayOf(dayStart(day) + n * DAY_MS);
const utc = (ms) => `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** today, yesterday or a calendar date YYYY-MM-DD (2026-02-30 is not one), as YYYY-MM-DD. */
function readDay(text, what) {
  const today = dayOf(Date.now());
  if (text === 'today') return today;
  if (text === 'yesterday') return addDays(today, -1);
  if (/^\d{4}-\d{2}-\d{2}$/.test(text ?? '') && dayOf(dayStart(text) || 0) === text) return text;
  throw new UsageError(`${what} takes today, yesterday or a date as YYYY-MM-DD (a UTC day); got '${text}'.`);
}

/** An ISO 8601 time; without a zone it is read as UTC (reports think in UTC days). */
function readInstant(text) {
  const zoneless = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?)?$/.test(text);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = zoneless ? Date.parse(`${text.includes('T') ? text : `${text}T00:00`}Z`) : iso ? Date.parse(text) : NaN;
  if (Number.isNaN(ms))
    throw new UsageError(`--at takes an ISO time such as 2026-05-02T06:00Z (UTC without a zone); got '${text}'.`);
  return ms;
}

/**
 * REPORT_HOUR_UTC as npm run dev gives it to the bundle: wrangler.toml's [vars], unless a .dev.vars
 * file (which wrangler dev reads too) sets it. The bundle does not publish its value (GET /health
 * lists only problems), so a bundle started some other way may differ; 6 is the bundle's default.
 */
function reportHour() {
  const read = (file, pattern) => {
    try {
      return pattern.exec(readFileSync(path.join(root, file), 'utf8'))?.[1];
    } catch {
      return undefined;
    }
  };
  const local = read('.dev.vars', /^\s*REPORT_HOUR_UTC\s*=\s*"?(\d{1,2})"?\s*$/m);
  if (local !== undefined) return { hour: Number(local), from: '.dev.vars' };
  const toml = read('wrangler.toml', /^\s*REPORT_HOUR_UTC\s*=\s*"(\d{1,2})"\s*$/m);
  if (toml !== undefined) return { hour: Number(toml), from: 'wrangler.toml' };
  return { hour: 6, from: 'not found in wrangler.toml: the bundle’s default assumed' };
}

// ---- How a report reads -------------------------------------------------------------------------

const counts = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
/** A ratio as the report page prints it: one decimal (98.0%), 0% and 100% only when exact. */
function percent(ratio) {
  if (ratio === null || !Number.isFinite(ratio)) return '—';
  const p = ratio * 100;
  if (p === 0 || p === 100) return `${p}%`;
  if (p > 99.9 && p < 100) return '>99.9%';
  if (p < 0.1) return '<0.1%';
  return `${p.toFixed(1)}%`;
}

/** The headline's figures in the order the report shows them; a ratio changes by points. */
const FIGURES = [
  ['messages_sent', 'messages sent', 'count'],
  ['delivery_rate', 'delivery rate', 'ratio'],
  ['messages_failed', 'failed', 'count'],
  ['opt_outs', 'opt-outs', 'count'],
  ['calls', 'calls', 'count'],
  ['calls_answered', 'answered', 'count'],
  ['calls_missed', 'missed', 'count'],
  ['lookups', 'lookups', 'count'],
  ['lookup_hit_rate', 'lookup hit rate', 'ratio'],
];

/**
 * A headline figure's value, or null for a rate with nothing to rate (nothing delivered or failed, no
 * lookup). The bundle writes such a rate as null; reports built before it did wrote 0.
 */
function valueOf(headline, key) {
  const value = headline[key]?.value ?? null;
  if (key === 'delivery_rate' && value === 0 && headline.messages_failed?.value === 0) return null;
  if (key === 'lookup_hit_rate' && headline.lookups?.value === 0) return null;
  return value;
}

function changeText(value, previous, kind) {
  if (previous === null || previous === undefined) return c.dim('no data for the day before');
  const shown = kind === 'ratio' ? percent(previous) : counts.format(previous);
  if (value === null) return c.dim(`(was ${shown} the day before)`);
  const delta = value - previous;
  if (kind === 'ratio' ? Math.abs(delta) < 0.0005 : delta === 0) return c.dim(`= same as the day before`);
  const arrow = delta > 0 ? '▲' : '▼';
  const sign = delta > 0 ? '+' : '-';
  if (kind === 'ratio') return `${arrow} ${sign}${oneDecimal.format(Math.abs(delta) * 100)} pts (was ${shown})`;
  if (previous === 0) return `${arrow} new (was 0)`;
  return `${arrow} ${sign}${oneDecimal.format(Math.abs(delta / previous) * 100)}% (was ${shown})`;
}

function printHeadline(headline) {
  const width = Math.max(...FIGURES.map(([, label]) => label.length));
  for (const [key, label, kind] of FIGURES) {
    const value = valueOf(headline, key);
    const shown = kind === 'ratio' ? percent(value) : counts.format(value ?? 0);
    say(`  ${label.padEnd(width)}  ${shown.padStart(6)}  ${changeText(value, headline[key]?.previous, kind)}`);
  }
}

/** The summary's delivery to REPORT_WEBHOOK_URL, in words. */
function deliveryText(d) {
  switch (d?.status ?? null) {
    case null:
      return 'not sent (not asked)';
    case 'not_configured':
      return 'not sent (no REPORT_WEBHOOK_URL)';
    case 'delivered':
      return `delivered ${d.delivered_at ? utc(Date.parse(d.delivered_at)) : ''}`.trim();
    case 'failed':
      return `failed after ${d.attempts} attempt${d.attempts === 1 ? '' : 's'}${d.error ? `: ${d.error}` : ''}`;
    default:
      return `${d.status}${d.attempts ? ` (${d.attempts} attempt${d.attempts === 1 ? '' : 's'})` : ''}`;
  }
}

const triggerText = (r) => (r.trigger === 'on_demand' ? 'on demand' : r.trigger);

function printReport(r) {
  const partial = r.partial ? c.yellow('partial: the day was not over when it was built') : 'the whole day';
  say(
    `${c.bold(`Report on ${r.date}`)} (UTC), ${partial}`,
    c.dim(`  built ${utc(Date.parse(r.built_at))} ${triggerText(r)}, in ${r.build_ms} ms`),
  );
  printHeadline(r.headline);
  say(`  summary  ${deliveryText(r.delivery)}`, '', 'Files:');
  for (const url of Object.values(r.files)) say(`  ${url}`);
}

// ---- Files --------------------------------------------------------------------------------------

/** One report file, as bytes, with the admin token; the bundle's errors said as edgeCall says them. */
async function fetchFile(ctx, url) {
  noteTarget(`${ctx.edge} (telnyx-edge)`);
  let response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${ctx.token}` },
      signal: AbortSignal.timeout(60_000),
    });
  } catch (error) {
    if (error?.name === 'TimeoutError') throw new Failure(`The bundle did not answer GET ${url} within 60 s.`);
    throw new Failure(
      `telnyx-edge (the bundle) is not running at ${ctx.edge}. Start it (and the simulator) with: ${startCommand(ctx)}`,
    );
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (!response.ok) {
    let body;
    try {
      body = JSON.parse(bytes.toString('utf8'));
    } catch {
      body = bytes.toString('utf8').slice(0, 200);
    }
    throw new Failure(
      describeApiErrors(response.status, 'GET', new URL(url).pathname, body, response.headers, 'The bundle'),
    );
  }
  return bytes;
}

/** Makes the --save folder before anything is built, so a bad folder costs nothing. */
function makeFolder(dir) {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    const why = { EEXIST: 'a file has that name', ENOTDIR: 'a file is in the way', EACCES: 'permission denied' };
    throw new Failure(`Cannot make the folder ${dir}: ${why[error.code] ?? error.message}.`);
  }
}

async function saveFiles(ctx, report, dir) {
  say('', `Saved to ${dir}:`);
  for (const [format, url] of Object.entries(report.files)) {
    const file = path.join(dir, `${report.date}.${format}`);
    const bytes = await fetchFile(ctx, url);
    try {
      writeFileSync(file, bytes);
    } catch (error) {
      throw new Failure(`Cannot write ${file}: ${error.message}.`);
    }
    say(`  ${file}  ${counts.format(bytes.length)} bytes`);
  }
  const html = path.join(dir, `${report.date}.html`);
  say(c.dim(`Open the page in a browser: xdg-open ${html} (open on macOS), or file://${path.resolve(html)}`));
}

// ---- The commands -------------------------------------------------------------------------------

async function reportRun(ctx) {
  const [when = 'yesterday', ...extra] = ctx.positionals;
  if (extra.length > 0) throw new UsageError(`Unexpected '${extra[0]}': report takes one day.`);
  const day = readDay(when, 'report');
  if (day > dayOf(Date.now())) throw new UsageError(`${day} has not happened yet (today is ${dayOf(Date.now())} UTC).`);
  const dir = ctx.values.save;
  if (dir === '') throw new UsageError('--save takes a folder: --save reports/');
  if (dir !== undefined) makeFolder(dir);
  const { data } = await edgeCall(ctx, 'POST', '/reports/run', {
    query: { date: day, deliver: ctx.values.deliver ? 'true' : undefined },
  });
  if (ctx.values.json) say(JSON.stringify(data, null, 2));
  else printReport(data);
  if (dir !== undefined) await saveFiles(ctx, data, dir);
  else if (!ctx.values.json) say(c.dim(`Download them: ${CLI} report ${day} --save <dir>`));
}

async function reportList(ctx) {
  if (ctx.positionals.length > 0) throw new UsageError(`Unexpected '${ctx.positionals[0]}': reports takes no days.`);
  const reports = await edgeList(ctx, '/reports');
  if (ctx.values.json) return say(JSON.stringify(reports, null, 2));
  const count = (r, key) => counts.format(r.headline?.[key]?.value ?? 0);
  table(reports, [
    ['DATE', (r) => r.date],
    ['DAY', (r) => (r.partial ? 'partial' : 'whole')],
    ['TRIGGER', triggerText],
    ['BUILT', (r) => utc(Date.parse(r.built_at))],
    ['SENT', (r) => count(r, 'messages_sent')],
    ['CALLS', (r) => count(r, 'calls')],
    ['LOOKUPS', (r) => count(r, 'lookups')],
    ['SUMMARY', (r) => deliveryText(r.delivery), 70],
  ]);
  if (reports.length === 0)
    say(c.dim(`Build one: ${CLI} report today   (or let the cron: ${CLI} cron --morning-after today)`));
  else
    say(
      c.dim(
        `Files: ${ctx.edge}/reports/<date>.json|csv|html   (${CLI} report <date> --save <dir> rebuilds and downloads)`,
      ),
    );
}

/** Fires the cron through miniflare's trigger; "ok", or a Failure saying what answered instead. */
async function fireCron(ctx, at) {
  const url = urlWith(ctx.edge, '/cdn-cgi/handler/scheduled', { cron: CRON, time: at });
  let response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch (error) {
    if (error?.name === 'TimeoutError') throw new Failure(`The cron at ${ctx.edge} did not finish within 120 s.`);
    throw new Failure(
      `telnyx-edge (the bundle) is not running at ${ctx.edge}. Start it (and the simulator) with: ${startCommand(ctx)}`,
    );
  }
  const text = (await response.text()).trim();
  if (response.status === 200 && text === 'ok') return 'ok';
  if (response.status === 500 && text === 'exception') return 'exception';
  throw new Failure(
    `${ctx.edge} has no cron trigger at /cdn-cgi/handler/scheduled (HTTP ${response.status}: ${text.slice(0, 80) || 'empty'}).` +
      ' Only wrangler dev (npm run dev) has it; a deployed Worker runs its cron on Cloudflare’s schedule.',
  );
}

const sameRun = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function cronRun(ctx) {
  if (ctx.positionals.length > 0)
    throw new UsageError(`Unexpected '${ctx.positionals[0]}': cron takes --at or --morning-after, not words.`);
  const { at: atText, 'morning-after': afterText } = ctx.values;
  if (atText !== undefined && afterText !== undefined) throw new UsageError('Give --at or --morning-after, not both.');
  const { hour, from } = reportHour();
  const today = dayOf(Date.now());
  let at = Date.now();
  if (atText !== undefined) at = readInstant(atText);
  if (afterText !== undefined) {
    const day = readDay(afterText, '--morning-after');
    if (day > today) throw new UsageError(`${day} has not happened yet (today is ${today} UTC).`);
    at = dayStart(addDays(day, 1)) + hour * 3_600_000;
  }
  // The cron reports on the day before its own time and purges records by it: a time after
  // tomorrow would report on a day still to come and delete records that are not old yet.
  if (dayOf(at) > addDays(today, 1))
    throw new UsageError(`--at ${utc(at)} is after tomorrow (UTC): the cron would report on a day still to come.`);

  const before = new Map((await edgeList(ctx, '/reports')).map((r) => [r.date, r]));
  const hourSource = from === 'wrangler.toml' ? '' : ` (${from})`;
  say(
    `Firing the hourly cron "${CRON}" at ${c.bold(utc(at))} (scheduledTime ${at})`,
    c.dim(`  ${ctx.edge}/cdn-cgi/handler/scheduled, wrangler dev's trigger; REPORT_HOUR_UTC ${hour}${hourSource}`),
  );
  const outcome = await fireCron(ctx, at);
  const after = await edgeList(ctx, '/reports');
  say(outcome === 'ok' ? 'The cron ran: ok.' : c.red('The cron ran and failed (exception).'));

  const atHour = new Date(at).getUTCHours();
  const due = atHour >= hour ? addDays(dayOf(at), -1) : undefined;
  const changed = after.filter((r) => !sameRun(r, before.get(r.date)));
  if (due === undefined) {
    say(
      `  ${String(atHour).padStart(2, '0')}:xx UTC is before REPORT_HOUR_UTC (${hour}): housekeeping only, no report is due.`,
      c.dim(`  To have it report on today: ${CLI} cron --morning-after today`),
    );
  } else {
    const report = after.find((r) => r.date === due);
    const built = report && report.built_at !== before.get(due)?.built_at;
    if (built) {
      const hh = `${String(hour).padStart(2, '0')}:00`;
      say(`  At or after ${hh} UTC (REPORT_HOUR_UTC) it reports on the day before, ${due}, and built it:`);
      if (at > Date.now())
        say(
          c.dim(
            `  (the cron's time, ${utc(at)}, is ahead of the clock: it chose the day; the day is not over, so partial)`,
          ),
        );
      say('');
      printReport(report);
    } else if (report) {
      say(
        `  It reports on ${due}, but had done so before: the cron builds a day's report once, whichever hourly run`,
        `  gets there first. The report of ${due} is as it was (built ${utc(Date.parse(report.built_at))} ${triggerText(report)}).`,
        c.dim(`  Rebuild it now: ${CLI} report ${due}`),
      );
    } else {
      say(`  It was due to report on ${due}, but no report on ${due} is listed.`);
    }
  }
  for (const r of changed.filter((r) => r.date !== due)) {
    const was = before.get(r.date);
    say(`  ${r.date}: summary ${was ? `${deliveryText(was.delivery)} → ` : ''}${deliveryText(r.delivery)}`);
  }
  if (outcome !== 'ok')
    throw new Failure(`The bundle's log (the terminal running ${startCommand(ctx)}) says why it failed.`);
}

const DAY_DETAILS = [
  'Days are UTC days, as the bundle counts them. today builds a partial report (the day is not over).',
];

/** The report commands, in the order help lists them. */
export const REPORT_COMMANDS = {
  report: {
    group: GROUP,
    usage: 'report [<date>|today|yesterday] [--save <dir>] [--deliver] [--json]',
    summary: 'build a day’s report now (POST /reports/run): its headline and file links',
    details: [
      'Builds (or rebuilds) the report on that day, yesterday by default, and prints its headline: messages',
      'sent, delivery rate, failed, opt-outs, calls, answered, missed, lookups and the lookup cache hit rate,',
      'each with its change from the day before, then the links to its JSON, CSV and HTML files.',
      ...DAY_DETAILS,
    ],
    options: {
      save: { type: 'string', arg: 'dir', help: 'also download the JSON, CSV and HTML files into this folder' },
      deliver: { type: 'boolean', help: 'also send its summary to REPORT_WEBHOOK_URL, if not sent before' },
      json: { type: 'boolean', help: 'print the bundle’s JSON as it came' },
      ...EDGE_OPTIONS,
    },
    run: reportRun,
  },
  reports: {
    group: GROUP,
    usage: 'reports [--json]',
    summary: 'the days with a report, newest first: partial, trigger, summary delivery',
    options: { ...JSON_OPTION, ...EDGE_OPTIONS },
    run: reportList,
  },
  cron: {
    group: GROUP,
    usage: 'cron [--at <ISO time>|--morning-after <date>]',
    summary: 'fire the hourly cron under npm run dev (default: now), then say what it built',
    details: [
      `Fires "${CRON}" with that scheduledTime through wrangler dev's /cdn-cgi/handler/scheduled (no token`,
      'needed: wrangler answers it before the bundle). At or after REPORT_HOUR_UTC (read from wrangler.toml;',
      'the cron itself reads the bundle’s own) it builds the previous UTC day’s report, once per day, and',
      'sends its summary if REPORT_WEBHOOK_URL is set. --morning-after today fires it at that hour tomorrow,',
      'so it reports on today; --at takes an ISO time, UTC unless it names a zone. GET /reports afterwards',
      'says what it did. The cron also purges records older than RETENTION_DAYS by that time.',
    ],
    options: {
      at: { type: 'string', arg: 'ISO time', help: 'the scheduledTime, e.g. 2026-05-02T06:00Z (default: now)' },
      'morning-after': {
        type: 'string',
        arg: 'date',
        help: 'REPORT_HOUR_UTC on the day after <date> (today, yesterday or YYYY-MM-DD)',
      },
      ...EDGE_OPTIONS,
    },
    run: cronRun,
  },
};
