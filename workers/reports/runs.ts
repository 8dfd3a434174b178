// Building a day's report end to end: the Report from D1, its three files in R2, and its row in
// report_runs (migration 0008), which GET /reports lists and the summary's delivery hangs on.

import { buildReport } from './build';
import type { ReportsConfig } from './config';
import { reportCsv } from './render/csv';
import { reportHtml } from './render/html';
import { putReportFiles } from './store';
import type { Report } from './types';

export interface ReportRun {
  date: string;
  built_at: string;
  partial: number;
  trigger: 'cron' | 'on_demand';
  build_ms: number;
  summary: string;
  delivery_status: string | null;
  delivery_attempts: number;
  delivery_claimed_at: string | null;
  delivery_error: string | null;
  delivered_at: string | null;
}

export async function runReport(
  env: Pick<Env, 'DB' | 'CONFIG' | 'REPORTS'>,
  day: string,
  options: { trigger: ReportRun['trigger']; config: ReportsConfig; now?: number },
): Promise<{ report: Report; buildMs: number }> {
  const started = Date.now();
  const report = await buildReport(env, day, {
    now: options.now ?? started,
    lookupPriceUsd: options.config.lookupPriceUsd,
  });
  await putReportFiles(
    env.REPORTS,
    day,
    // The CSV starts with a byte-order mark: without it Excel reads UTF-8 as a legacy code page and
    // garbles any name that is not plain ASCII (other spreadsheets ignore the mark).
    { json: JSON.stringify(report, null, 2), csv: `\uFEFF${reportCsv(report)}`, html: reportHtml(report) },
    report,
  );
  // Wall time, I/O included (a Worker's clock stands still while it computes).
  const buildMs = Date.now() - started;
  await env.DB.prepare(
    `INSERT INTO report_runs (date, built_at, partial, trigger, build_ms, summary) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (date) DO UPDATE SET built_at = excluded.built_at, partial = excluded.partial,
       trigger = excluded.trigger, build_ms = excluded.build_ms, summary = excluded.summary`,
  )
    .bind(day, report.generated_at, report.partial ? 1 : 0, options.trigger, buildMs, JSON.stringify(report.headline))
    .run();
  return { report, buildMs };
}

export async function reportRun(db: D1Database, day: string): Promise<ReportRun | null> {
  return db.prepare('SELECT * FROM report_runs WHERE date = ?').bind(day).first<ReportRun>();
}
