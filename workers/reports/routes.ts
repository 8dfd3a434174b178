// The reports' HTTP routes (admin token, like every non-webhook route):
//   GET  /reports                        the days with a report, newest first, paged
//   GET  /reports/{date}.{json|csv|html} a report file, from R2
//   POST /reports/run?date=YYYY-MM-DD    build (or rebuild) a day's report now; default yesterday.
//                                        Today is allowed and marked partial. &deliver=true (not
//                                        for today) sends its summary now, even if it was sent.

import { TelnyxCode, badRequest, jsonResponse, notFound, unprocessable } from '../../shared/errors';
import { pageMeta, readPage } from '../../shared/paging';
import type { EdgeArgs, EdgeRequest, EdgeRouter } from '../../shared/worker';
import { reportsConfig } from './config';
import { addDays, dayOf, parseDay } from './days';
import { deliverSummary } from './deliver';
import { runReport, type ReportRun } from './runs';
import { REPORT_FORMATS, getReportFile, type ReportFormat } from './store';

function present(run: ReportRun, origin: string) {
  const files = Object.fromEntries(
    (Object.keys(REPORT_FORMATS) as ReportFormat[]).map((format) => [
      format,
      `${origin}/reports/${run.date}.${format}`,
    ]),
  );
  return {
    record_type: 'report',
    date: run.date,
    built_at: run.built_at,
    partial: run.partial === 1,
    trigger: run.trigger,
    build_ms: run.build_ms,
    headline: JSON.parse(run.summary) as unknown,
    delivery: {
      status: run.delivery_status,
      attempts: run.delivery_attempts,
      error: run.delivery_error,
      delivered_at: run.delivered_at,
    },
    files,
  };
}

/** The day a run asks for: a real calendar date, not after today (UTC). */
function requestedDay(value: string | null, now: number): string {
  const today = dayOf(now);
  if (value === null || value === '') return addDays(today, -1);
  const day = parseDay(value);
  if (day === undefined) {
    throw badRequest(`date must be a calendar date as YYYY-MM-DD, not "${value.slice(0, 40)}".`, { parameter: 'date' });
  }
  if (day > today) {
    throw unprocessable(
      TelnyxCode.badRequest,
      'Invalid parameter',
      `${day} has not happened yet (today is ${today} UTC).`,
      {
        parameter: 'date',
      },
    );
  }
  return day;
}

export function registerReportRoutes(router: EdgeRouter): void {
  router.get<EdgeRequest, EdgeArgs>('/reports', async (request, env) => {
    const page = readPage(new URL(request.url).searchParams);
    const [count, rows] = await env.DB.batch<Record<string, unknown>>([
      env.DB.prepare('SELECT COUNT(*) AS total FROM report_runs'),
      env.DB.prepare('SELECT * FROM report_runs ORDER BY date DESC LIMIT ? OFFSET ?').bind(
        page.size,
        (page.number - 1) * page.size,
      ),
    ]);
    const origin = new URL(request.url).origin;
    return jsonResponse({
      data: (rows!.results as unknown as ReportRun[]).map((run) => present(run, origin)),
      meta: pageMeta(page, Number(count!.results[0]?.total ?? 0)),
    });
  });

  router.get<EdgeRequest<{ file: string }>, EdgeArgs>('/reports/:file', async (request, env) => {
    let name: string;
    try {
      name = decodeURIComponent(request.params.file);
    } catch {
      name = ''; // a broken %-escape names no report
    }
    const match = /^(.+)\.(json|csv|html)$/.exec(name);
    const day = match ? parseDay(match[1]!) : undefined;
    if (!match || day === undefined) {
      throw notFound('Reports are at /reports/YYYY-MM-DD.json, .csv or .html.');
    }
    const format = match[2] as ReportFormat;
    const object = await getReportFile(env.REPORTS, day, format);
    if (object === null) throw notFound(`There is no report for ${day}; POST /reports/run?date=${day} builds one.`);
    return new Response(object.body, {
      headers: {
        'content-type': REPORT_FORMATS[format],
        etag: object.httpEtag,
        'last-modified': object.uploaded.toUTCString(),
        // A partial report changes; a finished day's does not, but may be rebuilt on demand.
        'cache-control': 'private, no-cache',
        ...(format === 'csv' && { 'content-disposition': `attachment; filename="telnyx-edge-${day}.csv"` }),
        // The page is the edge's own, self-contained: no script, nothing fetched from elsewhere.
        ...(format === 'html' && {
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        }),
      },
    });
  });

  router.post<EdgeRequest, EdgeArgs>('/reports/run', async (request, env) => {
    const query = new URL(request.url).searchParams;
    const now = Date.now();
    const day = requestedDay(query.get('date'), now);
    const deliver = query.get('deliver');
    if (deliver !== null && deliver !== 'true' && deliver !== 'false') {
      throw badRequest('deliver must be true or false.', { parameter: 'deliver' });
    }
    const config = reportsConfig(env);
    if (deliver === 'true' && day === dayOf(now)) {
      // A summary goes out once; today's, sent now, would stand in for the whole day's for good.
      throw unprocessable(
        TelnyxCode.badRequest,
        'Invalid parameter',
        `${day} is not over yet: its summary is sent once, for the whole day. Build it without deliver, or wait.`,
        { parameter: 'deliver' },
      );
    }
    if (deliver === 'true' && config.webhookUrl === undefined) {
      throw unprocessable(
        TelnyxCode.badRequest,
        'Invalid parameter',
        'REPORT_WEBHOOK_URL is not set: there is nowhere to send the summary.',
        {
          parameter: 'deliver',
        },
      );
    }
    const { report } = await runReport(env, day, { trigger: 'on_demand', config, now });
    // An operator's explicit request: sent even if it was sent before, or failed five times.
    if (deliver === 'true') await deliverSummary(env, day, config, { report, force: true });
    const run = await env.DB.prepare('SELECT * FROM report_runs WHERE date = ?').bind(day).first<ReportRun>();
    return jsonResponse({ data: present(run!, new URL(request.url).origin) }, 201);
  });
}
