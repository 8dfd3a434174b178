// The messaging part of a report, from D1's `messages` and `opt_out_events` (migrations 0004 and
// 0008). Every figure is counted by SQL over the day's rows (the messages_created index), grouped
// by pool and number, so a day of 100,000 messages is a handful of queries, not 100,000 rows
// read into the Worker.
//
// What the words mean, for outbound messages the business sent (kind 'send'):
//   sent         Telnyx accepted it and sent it on (state sent, but not Telnyx's sending_failed)
//   delivered    Telnyx's final status delivered
//   failed       a final failure: Telnyx could not deliver it, refused it, or the edge gave up on
//                it (its opt-out check, a throughput horizon, an outcome never confirmed)
//   unconfirmed  sent, with no final status: Telnyx's delivery_unconfirmed, or nothing yet
// Replies (STOP/START/HELP answers) are counted apart and in none of the above. A message counts
// on the day of its created_at, which for a scheduled or queued send is when it is due to leave.

import { failureMeaning } from './error-meanings';
import type { FailureCount, MessagingFigures, Money, PoolReport } from './types';

export const FAILED = `(state = 'failed' OR status IN ('delivery_failed', 'sending_failed', 'failed', 'expired'))`;
export const SENT = `(state = 'sent' AND COALESCE(status, '') != 'sending_failed')`;

interface GroupRow {
  profile_id: string;
  pool_number: string | null;
  sent: number;
  delivered: number;
  failed: number;
  unconfirmed: number;
  replies: number;
  received: number;
  parts: number | null;
}

export function emptyMessagingFigures(): MessagingFigures {
  return {
    sent: 0,
    delivered: 0,
    failed: 0,
    unconfirmed: 0,
    delivery_rate: null,
    failures: [],
    replies: 0,
    received: 0,
    opt_outs: 0,
    opt_ins: 0,
    parts: 0,
    encodings: {},
    cost: [],
    cost_known: 0,
  };
}

export function deliveryRate(delivered: number, failed: number): number | null {
  return delivered + failed === 0 ? null : delivered / (delivered + failed);
}

/** Amounts are summed as whole millionths, so "0.0040" + "0.0035" is exactly "0.0075". */
function money(millionths: number, currency: string): Money {
  const abs = Math.abs(millionths);
  // Six decimal places, then at most two trailing zeros dropped: Telnyx writes "0.0040".
  const fraction = String(abs % 1_000_000)
    .padStart(6, '0')
    .replace(/0{1,2}$/, '');
  return { amount: `${millionths < 0 ? '-' : ''}${Math.floor(abs / 1_000_000)}.${fraction}`, currency };
}

/** Adds `from` into `into` (counts, failures, encodings, costs), then recomputes the rate. */
function addInto(into: MessagingFigures, from: MessagingFigures, costMillionths: Map<string, number>): void {
  for (const key of [
    'sent',
    'delivered',
    'failed',
    'unconfirmed',
    'replies',
    'received',
    'opt_outs',
    'opt_ins',
    'parts',
    'cost_known',
  ] as const) {
    into[key] += from[key];
  }
  for (const failure of from.failures) {
    const same = into.failures.find((f) => f.code === failure.code);
    if (same) same.count += failure.count;
    else into.failures.push({ ...failure });
  }
  for (const [encoding, count] of Object.entries(from.encodings)) {
    into.encodings[encoding] = (into.encodings[encoding] ?? 0) + count;
  }
  for (const cost of from.cost) {
    costMillionths.set(cost.currency, (costMillionths.get(cost.currency) ?? 0) + toMillionths(cost.amount));
  }
  into.delivery_rate = deliveryRate(into.delivered, into.failed);
}

function toMillionths(amount: string): number {
  const [whole = '0', fraction = ''] = amount.replace('-', '').split('.');
  const value = Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0').slice(0, 6));
  return amount.startsWith('-') ? -value : value;
}

function sortFailures(failures: FailureCount[]): FailureCount[] {
  return failures.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

/** The day's messaging, per pool and per number, and the totals; `names` gives pools' names. */
export async function messagingSection(
  db: D1Database,
  day: { from: string; to: string },
  names: ReadonlyMap<string, string>,
): Promise<{ totals: MessagingFigures; pools: PoolReport[] }> {
  const range = 'created_at >= ?1 AND created_at < ?2';
  const [groups, failures, encodings, costs, optOuts] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT profile_id, pool_number,
           COUNT(*) FILTER (WHERE kind = 'send' AND ${SENT}) AS sent,
           COUNT(*) FILTER (WHERE kind = 'send' AND ${SENT} AND status = 'delivered') AS delivered,
           COUNT(*) FILTER (WHERE kind = 'send' AND ${FAILED}) AS failed,
           COUNT(*) FILTER (WHERE kind = 'send' AND ${SENT} AND NOT ${FAILED} AND COALESCE(status, '') != 'delivered')
             AS unconfirmed,
           COUNT(*) FILTER (WHERE kind = 'reply') AS replies,
           COUNT(*) FILTER (WHERE direction = 'inbound') AS received,
           SUM(CASE WHEN kind = 'send' AND ${SENT} THEN COALESCE(parts, 1) END) AS parts
         FROM messages WHERE ${range} GROUP BY profile_id, pool_number`,
      )
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT profile_id, pool_number, COALESCE(error_code, 'unknown') AS code, MAX(error_title) AS title,
           COUNT(*) AS count
         FROM messages WHERE ${range} AND kind = 'send' AND ${FAILED}
         GROUP BY profile_id, pool_number, COALESCE(error_code, 'unknown')`,
      )
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT profile_id, pool_number, CASE WHEN type = 'MMS' THEN 'MMS' ELSE COALESCE(encoding, 'unknown') END AS encoding,
           COUNT(*) AS count
         FROM messages WHERE ${range} AND kind = 'send' AND ${SENT}
         GROUP BY profile_id, pool_number, 3`,
      )
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT profile_id, pool_number, COALESCE(cost_currency, 'USD') AS currency,
           SUM(CAST(ROUND(CAST(cost AS REAL) * 1000000) AS INTEGER)) AS millionths, COUNT(*) AS known
         FROM messages WHERE ${range} AND kind = 'send' AND cost IS NOT NULL AND cost != ''
         GROUP BY profile_id, pool_number, 3`,
      )
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT profile_id, pool_number,
           COUNT(*) FILTER (WHERE action = 'opt_out') AS opt_outs,
           COUNT(*) FILTER (WHERE action = 'opt_in') AS opt_ins
         FROM opt_out_events WHERE at >= ?1 AND at < ?2 GROUP BY profile_id, pool_number`,
      )
      .bind(day.from, day.to),
  ]);

  // Figures per (pool, number); a null number holds what no number of the pool can claim.
  const cells = new Map<string, { profile_id: string; number: string | null; figures: MessagingFigures }>();
  const cell = (profileId: string, number: string | null) => {
    const key = `${profileId}\u0000${number ?? ''}`;
    let found = cells.get(key);
    if (!found) {
      found = { profile_id: profileId, number, figures: emptyMessagingFigures() };
      cells.set(key, found);
    }
    return found.figures;
  };
  for (const row of groups!.results as unknown as GroupRow[]) {
    const f = cell(row.profile_id, row.pool_number);
    Object.assign(f, {
      sent: row.sent,
      delivered: row.delivered,
      failed: row.failed,
      unconfirmed: row.unconfirmed,
      replies: row.replies,
      received: row.received,
      parts: row.parts ?? 0,
    });
  }
  for (const row of failures!.results as Array<{
    profile_id: string;
    pool_number: string | null;
    code: string;
    title: string | null;
    count: number;
  }>) {
    cell(row.profile_id, row.pool_number).failures.push({
      code: row.code,
      meaning: failureMeaning(row.code, row.title),
      count: row.count,
    });
  }
  for (const row of encodings!.results as Array<{
    profile_id: string;
    pool_number: string | null;
    encoding: string;
    count: number;
  }>) {
    cell(row.profile_id, row.pool_number).encodings[row.encoding] = row.count;
  }
  for (const row of costs!.results as Array<{
    profile_id: string;
    pool_number: string | null;
    currency: string;
    millionths: number;
    known: number;
  }>) {
    const f = cell(row.profile_id, row.pool_number);
    f.cost.push(money(row.millionths, row.currency));
    f.cost_known += row.known;
  }
  for (const row of optOuts!.results as Array<{
    profile_id: string;
    pool_number: string | null;
    opt_outs: number;
    opt_ins: number;
  }>) {
    const f = cell(row.profile_id, row.pool_number);
    f.opt_outs += row.opt_outs;
    f.opt_ins += row.opt_ins;
  }

  const pools = new Map<string, PoolReport & { costs: Map<string, number> }>();
  const totals = emptyMessagingFigures();
  const totalCosts = new Map<string, number>();
  for (const { profile_id, number, figures } of cells.values()) {
    figures.delivery_rate = deliveryRate(figures.delivered, figures.failed);
    sortFailures(figures.failures);
    let pool = pools.get(profile_id);
    if (!pool) {
      pool = {
        profile_id,
        name: names.get(profile_id) ?? profile_id,
        figures: emptyMessagingFigures(),
        numbers: [],
        costs: new Map(),
      };
      pools.set(profile_id, pool);
    }
    addInto(pool.figures, figures, pool.costs);
    addInto(totals, figures, totalCosts);
    if (number !== null) pool.numbers.push({ number, figures });
  }
  const finish = (figures: MessagingFigures, costs: Map<string, number>) => {
    figures.cost = [...costs].sort(([a], [b]) => a.localeCompare(b)).map(([currency, m]) => money(m, currency));
    sortFailures(figures.failures);
  };
  finish(totals, totalCosts);
  const poolList = [...pools.values()].map(({ costs, ...pool }) => {
    finish(pool.figures, costs);
    pool.numbers.sort((a, b) => b.figures.sent - a.figures.sent || a.number.localeCompare(b.number));
    return pool;
  });
  poolList.sort((a, b) => b.figures.sent - a.figures.sent || a.name.localeCompare(b.name));
  return { totals, pools: poolList };
}
