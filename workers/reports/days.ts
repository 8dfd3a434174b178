// Report days are UTC calendar days, named YYYY-MM-DD, covering [00:00, 24:00) UTC.

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The day's name when `text` is a real calendar date (2026-02-30 is not), else undefined. */
export function parseDay(text: string): string | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(ms) || dayOf(ms) !== text ? undefined : text;
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

/** [from, to) of the day, as ISO 8601 text: the form every record's timestamps take. */
export function dayBounds(day: string): { from: string; to: string } {
  const start = dayStart(day);
  return { from: new Date(start).toISOString(), to: new Date(start + DAY_MS).toISOString() };
}

export function addDays(day: string, days: number): string {
  return dayOf(dayStart(day) + days * DAY_MS);
}
