// Report files in R2 (REPORTS): reports/<date>.json, .csv and .html. A rebuild of the same day
// overwrites all three, so a day has one report, the latest.

export const REPORT_FORMATS = {
  json: 'application/json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;

export type ReportFormat = keyof typeof REPORT_FORMATS;

export const reportKey = (day: string, format: ReportFormat) => `reports/${day}.${format}`;

export async function putReportFiles(
  bucket: R2Bucket,
  day: string,
  files: Record<ReportFormat, string>,
  meta: { generated_at: string; partial: boolean },
): Promise<void> {
  await Promise.all(
    (Object.keys(REPORT_FORMATS) as ReportFormat[]).map((format) =>
      bucket.put(reportKey(day, format), files[format], {
        httpMetadata: { contentType: REPORT_FORMATS[format] },
        customMetadata: { generated_at: meta.generated_at, partial: String(meta.partial) },
      }),
    ),
  );
}

export function getReportFile(bucket: R2Bucket, day: string, format: ReportFormat): Promise<R2ObjectBody | null> {
  return bucket.get(reportKey(day, format));
}
