// The voice part of a report, from D1's `calls` (migrations 0007 and 0008): calls that started in
// the day. Answered means the call's main leg was answered (by the edge for an inbound call, by
// the far end for an outbound one); missed is an inbound call never answered; abandoned in menu
// is a caller who hung up while a menu waited for digits. Durations run from answer to end.
//
// Menu choices come from each call's path (the node ids in the order the call went through
// them): a menu node followed by another node is one choice. Which nodes are menus is read from
// the flow as it is stored now (KV `flow:<id>`, the voice worker's format); a flow deleted since
// shows no menu choices.

import type { FlowReport, VoiceFigures } from './types';

/** Outcomes name the node a hangup happened at ("caller hung up at main_menu"); reports group them. */
const OUTCOME = `CASE
  WHEN outcome IS NULL THEN 'in progress'
  WHEN outcome LIKE 'caller hung up%' THEN 'caller hung up'
  WHEN outcome LIKE 'hung up%' THEN 'hung up'
  WHEN outcome LIKE 'rejected%' THEN 'rejected'
  WHEN outcome LIKE 'failed%' THEN 'failed'
  WHEN outcome LIKE 'not answered%' THEN 'not answered'
  ELSE outcome END`;

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export async function voiceSection(
  db: D1Database,
  kv: KVNamespace,
  day: { from: string; to: string },
  options: { menuChoices?: boolean } = {},
): Promise<VoiceFigures> {
  const range = 'started_at >= ?1 AND started_at < ?2';
  const [counts, durations, outcomes, flows] = await db.batch<Record<string, unknown>>([
    db
      .prepare(
        `SELECT COUNT(*) FILTER (WHERE direction = 'incoming') AS inbound,
           COUNT(*) FILTER (WHERE direction = 'outgoing') AS outbound,
           COUNT(*) FILTER (WHERE answered_at IS NOT NULL) AS answered,
           COUNT(*) FILTER (WHERE direction = 'incoming' AND answered_at IS NULL AND status = 'ended') AS missed,
           COUNT(*) FILTER (WHERE end_kind = 'menu' AND outcome LIKE 'caller hung up%') AS abandoned_in_menu
         FROM calls WHERE ${range}`,
      )
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT ROUND((julianday(ended_at) - julianday(answered_at)) * 86400) AS seconds FROM calls
         WHERE ${range} AND answered_at IS NOT NULL AND ended_at IS NOT NULL ORDER BY 1`,
      )
      .bind(day.from, day.to),
    db
      .prepare(`SELECT ${OUTCOME} AS outcome, COUNT(*) AS count FROM calls WHERE ${range} GROUP BY 1`)
      .bind(day.from, day.to),
    db
      .prepare(
        `SELECT flow_id, ${OUTCOME} AS outcome, COUNT(*) AS count,
           COUNT(*) FILTER (WHERE answered_at IS NOT NULL) AS answered
         FROM calls WHERE ${range} AND flow_id IS NOT NULL GROUP BY flow_id, 2`,
      )
      .bind(day.from, day.to),
  ]);
  const c = counts!.results[0] as Record<string, number>;
  const seconds = (durations!.results as Array<{ seconds: number }>).map((r) => Math.max(0, r.seconds));

  const byFlow = new Map<string, FlowReport>();
  for (const row of flows!.results as Array<{ flow_id: string; outcome: string; count: number; answered: number }>) {
    let flow = byFlow.get(row.flow_id);
    if (!flow) {
      flow = {
        flow_id: row.flow_id,
        calls: 0,
        answered: 0,
        outcomes: {},
        menu_choices: [],
        transfers: 0,
        voicemails: 0,
      };
      byFlow.set(row.flow_id, flow);
    }
    flow.calls += row.count;
    flow.answered += row.answered;
    flow.outcomes[row.outcome] = row.count;
    if (row.outcome === 'transferred') flow.transfers += row.count;
    if (row.outcome === 'voicemail') flow.voicemails += row.count;
  }
  // A query and a KV read per flow: skipped where only the totals are wanted (the day before).
  if (options.menuChoices !== false) {
    for (const flow of byFlow.values()) flow.menu_choices = await menuChoices(db, kv, flow.flow_id, day);
  }

  return {
    inbound: c.inbound ?? 0,
    outbound: c.outbound ?? 0,
    answered: c.answered ?? 0,
    missed: c.missed ?? 0,
    abandoned_in_menu: c.abandoned_in_menu ?? 0,
    duration_seconds: { median: percentile(seconds, 50), p90: percentile(seconds, 90) },
    outcomes: Object.fromEntries(
      (outcomes!.results as Array<{ outcome: string; count: number }>).map((r) => [r.outcome, r.count]),
    ),
    flows: [...byFlow.values()].sort((a, b) => b.calls - a.calls || a.flow_id.localeCompare(b.flow_id)),
  };
}

async function menuChoices(
  db: D1Database,
  kv: KVNamespace,
  flowId: string,
  day: { from: string; to: string },
): Promise<FlowReport['menu_choices']> {
  const flow = await kv.get<{ nodes?: Record<string, { kind?: string }> }>(`flow:${flowId}`, 'json');
  const menus = Object.entries(flow?.nodes ?? {})
    .filter(([, node]) => node?.kind === 'menu')
    .map(([id]) => id);
  if (menus.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT step.value AS menu, after.value AS next, COUNT(*) AS count
       FROM calls, json_each(calls.path) AS step, json_each(calls.path) AS after
       WHERE calls.started_at >= ?1 AND calls.started_at < ?2 AND calls.flow_id = ?3
         AND after.key = step.key + 1 AND after.value != step.value
         AND step.value IN (SELECT value FROM json_each(?4))
       GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2`,
    )
    .bind(day.from, day.to, flowId, JSON.stringify(menus))
    .all<{ menu: string; next: string; count: number }>();
  return results;
}
