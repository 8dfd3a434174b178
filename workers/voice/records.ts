// Calls in D1 (`calls`, migration 0007): written by the call's Durable Object when the call starts
// and when it ends, read by GET /calls/active and the reports.

import { maskDigits } from '../../shared/log';
import type { CallState } from './session/engine';

export interface CallRecord {
  session_id: string;
  direction: string;
  business_number: string | null;
  other_masked: string | null;
  connection_id: string | null;
  flow_id: string | null;
  status: 'active' | 'ended';
  outcome: string | null;
  hangup_cause: string | null;
  hangup_source: string | null;
  path: string;
  legs: string;
  recording_url: string | null;
  /** The kind of the flow node the call was at when it ended (a caller leaving a menu abandoned it). */
  end_kind: string | null;
  started_at: string;
  answered_at: string | null;
  ended_at: string | null;
  updated_at: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The record of a call as it stands. */
export function callRecord(state: CallState, now: number): CallRecord {
  const main = state.main_leg === null ? undefined : state.legs[state.main_leg];
  const incoming = state.direction === 'incoming';
  const ours = incoming ? main?.to : main?.from;
  const theirs = incoming ? main?.from : main?.to;
  return {
    session_id: state.session_id,
    direction: state.direction,
    business_number: ours ?? null,
    other_masked: theirs ? maskDigits(theirs) : null,
    connection_id: state.connection_id,
    flow_id: state.flow?.id ?? null,
    status: state.status === 'ended' ? 'ended' : 'active',
    outcome: state.outcome,
    hangup_cause: main?.hangup_cause ?? null,
    hangup_source: main?.hangup_source ?? null,
    path: JSON.stringify(state.path),
    legs: JSON.stringify(
      Object.values(state.legs).map((leg) => ({
        role: leg.role,
        state: leg.state,
        started_at: iso(leg.started_at),
        answered_at: iso(leg.answered_at),
        ended_at: iso(leg.ended_at),
        hangup_cause: leg.hangup_cause,
      })),
    ),
    recording_url: state.recording_urls?.mp3 ?? state.recording_urls?.wav ?? null,
    end_kind: state.status === 'ended' && state.node !== null ? (state.flow?.nodes[state.node]?.kind ?? null) : null,
    started_at: iso(state.started_at)!,
    answered_at: iso(main?.answered_at ?? null),
    ended_at: iso(state.ended_at),
    updated_at: new Date(now).toISOString(),
  };
}

const COLUMNS = [
  'session_id',
  'direction',
  'business_number',
  'other_masked',
  'connection_id',
  'flow_id',
  'status',
  'outcome',
  'hangup_cause',
  'hangup_source',
  'path',
  'legs',
  'recording_url',
  'end_kind',
  'started_at',
  'answered_at',
  'ended_at',
  'updated_at',
] as const;

/** Inserts or updates a call's row. */
export async function writeCallRecord(db: D1Database, record: CallRecord): Promise<void> {
  const updates = COLUMNS.filter((c) => c !== 'session_id' && c !== 'started_at')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ');
  await db
    .prepare(
      `INSERT INTO calls (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})
       ON CONFLICT (session_id) DO UPDATE SET ${updates}`,
    )
    .bind(...COLUMNS.map((c) => record[c]))
    .run();
}

/** One page of the calls in progress, newest first, and how many there are in all. */
export async function activeCalls(
  db: D1Database,
  page: { size: number; number: number },
): Promise<{ calls: CallRecord[]; total: number }> {
  const [rows, count] = await db.batch<Record<string, unknown>>([
    db
      .prepare("SELECT * FROM calls WHERE status = 'active' ORDER BY started_at DESC, session_id LIMIT ? OFFSET ?")
      .bind(page.size, (page.number - 1) * page.size),
    db.prepare("SELECT COUNT(*) AS total FROM calls WHERE status = 'active'"),
  ]);
  return { calls: rows!.results as unknown as CallRecord[], total: Number(count!.results[0]?.total ?? 0) };
}

export async function callRecordOf(db: D1Database, sessionId: string): Promise<CallRecord | null> {
  return db.prepare('SELECT * FROM calls WHERE session_id = ?').bind(sessionId).first<CallRecord>();
}
