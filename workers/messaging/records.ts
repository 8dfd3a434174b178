// The D1 record of messages and opt-outs (migrations/0004_messages.sql), written by the pools as
// messages move. A failed write is logged, never turned into a failed send: the pool's own state
// is the truth, this is the history the reports read.

import { rowsInsertStatements, type RowsInsert } from '../../shared/d1-rows';
import { log, maskDigits } from '../../shared/log';

export interface MessageRecord {
  id: string;
  telnyx_id: string | null;
  profile_id: string;
  direction: 'outbound' | 'inbound';
  kind: 'send' | 'reply' | 'inbound';
  pool_number: string | null;
  other: string;
  other_country: string | null;
  type: string | null;
  parts: number | null;
  encoding: string | null;
  state: string;
  status: string | null;
  error_code: string | null;
  /** Telnyx's title for error_code ("Undeliverable"), kept for the reports. */
  error_title: string | null;
  cost: string | null;
  cost_currency: string | null;
  /** When it was accepted, or when it is due to leave if later (scheduled, queued): its report day. */
  created_at: number;
  sent_at: string | null;
  finalized_at: string | null;
}

/** The messages table (migrations/0004_messages.sql); a later write of a message fills in what it knows. */
const MESSAGE_UPSERT: RowsInsert = {
  table: 'messages',
  columns: [
    'id',
    'telnyx_id',
    'profile_id',
    'direction',
    'kind',
    'pool_number',
    'other_masked',
    'other_country',
    'type',
    'parts',
    'encoding',
    'state',
    'status',
    'error_code',
    'error_title',
    'cost',
    'cost_currency',
    'created_at',
    'sent_at',
    'finalized_at',
    'updated_at',
  ],
  onConflict: `ON CONFLICT (id) DO UPDATE SET telnyx_id = COALESCE(excluded.telnyx_id, telnyx_id),
    pool_number = COALESCE(excluded.pool_number, pool_number), state = excluded.state,
    status = COALESCE(excluded.status, status), error_code = COALESCE(excluded.error_code, error_code),
    error_title = COALESCE(excluded.error_title, error_title),
    cost = COALESCE(excluded.cost, cost), cost_currency = COALESCE(excluded.cost_currency, cost_currency),
    created_at = excluded.created_at, sent_at = COALESCE(excluded.sent_at, sent_at),
    finalized_at = COALESCE(excluded.finalized_at, finalized_at), updated_at = excluded.updated_at`,
};

/** Writes (or updates) message records, all in one D1 batch; false when D1 refused them (logged). */
export async function recordMessages(db: D1Database, records: readonly MessageRecord[]): Promise<boolean> {
  if (records.length === 0) return true;
  const now = new Date().toISOString();
  try {
    await db.batch(
      rowsInsertStatements(
        db,
        MESSAGE_UPSERT,
        records.map((m) => [
          m.id,
          m.telnyx_id,
          m.profile_id,
          m.direction,
          m.kind,
          m.pool_number,
          maskDigits(m.other),
          m.other_country,
          m.type,
          m.parts,
          m.encoding,
          m.state,
          m.status,
          m.error_code,
          m.error_title,
          m.cost,
          m.cost_currency,
          new Date(m.created_at).toISOString(),
          m.sent_at,
          m.finalized_at,
          now,
        ]),
      ),
    );
    return true;
  } catch (error) {
    log.error('message_record_failed', { error, count: records.length });
    return false;
  }
}

export async function recordOptOut(
  db: D1Database,
  event: {
    profile_id: string;
    /** The pool's number the STOP or START came to, when it came to one. */
    pool_number: string | null;
    recipient: string;
    action: 'opt_out' | 'opt_in' | 'cleared';
    keyword: string | null;
    source: string;
  },
): Promise<void> {
  try {
    await db
      .prepare(
        `INSERT INTO opt_out_events (profile_id, pool_number, recipient_masked, action, keyword, source, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .bind(
        event.profile_id,
        event.pool_number,
        maskDigits(event.recipient),
        event.action,
        event.keyword,
        event.source,
        new Date().toISOString(),
      )
      .run();
  } catch (error) {
    log.error('opt_out_record_failed', { error });
  }
}

/** Which pool a message belongs to, by the edge's id or Telnyx's. */
export async function profileOfMessage(db: D1Database, id: string): Promise<string | undefined> {
  const row = await db
    .prepare('SELECT profile_id FROM messages WHERE id = ? OR telnyx_id = ? LIMIT 1')
    .bind(id, id)
    .first<{ profile_id: string }>();
  return row?.profile_id;
}
