// D1 records of forwarding (migrations/0003_forwarding.sql): failed attempts, and dead letters.

import type { ForwardMessage } from './queue';

export interface FailureRecord {
  messageId: string;
  attempt: number;
  url: string;
  profileId: string;
  eventType: string;
  status: number | null;
  error: string;
  responseExcerpt: string | null;
  retryDelaySeconds: number | null;
  at: string;
}

export interface DeadLetterRow {
  id: string;
  url: string;
  body: string;
  profile_id: string;
  event_type: string;
  created_at: string;
  attempts: number | null;
  last_status: number | null;
  last_error: string | null;
  last_failure_at: string | null;
  deaths: number;
  dead_at: string;
  redriven_at: string | null;
  redrive_count: number;
}

/** Appends failed attempts, in one round trip. */
export async function recordFailures(db: D1Database, failures: readonly FailureRecord[]): Promise<void> {
  if (failures.length === 0) return;
  const insert = db.prepare(
    `INSERT INTO forward_failures
       (message_id, attempt, url, profile_id, event_type, status, error, response_excerpt, retry_delay_seconds, at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  await db.batch(
    failures.map((f) =>
      insert.bind(
        f.messageId,
        f.attempt,
        f.url,
        f.profileId,
        f.eventType,
        f.status,
        f.error,
        f.responseExcerpt,
        f.retryDelaySeconds,
        f.at,
      ),
    ),
  );
}

/**
 * Stores a dead letter, with the last recorded failure of that message id. Idempotent: the same
 * dead letter delivered again (the DLQ is at-least-once) changes nothing; a row that was redriven
 * and has died again becomes dead again. Returns whether the row was written.
 */
export async function storeDeadLetter(db: D1Database, message: ForwardMessage, deadAt: string): Promise<boolean> {
  // INSERT ... SELECT with an upsert needs a WHERE in the SELECT (SQLite's parsing rule).
  const result = await db
    .prepare(
      `INSERT INTO forward_dead_letters
         (id, url, body, profile_id, event_type, created_at, attempts, last_status, last_error, last_failure_at,
          deaths, dead_at, redriven_at, redrive_count)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, f.attempt, f.status, f.error, f.at, 1, ?7, NULL, 0
       FROM (SELECT 1) AS one
       LEFT JOIN (SELECT attempt, status, error, at FROM forward_failures WHERE message_id = ?1 ORDER BY seq DESC LIMIT 1) AS f
       WHERE true
       ON CONFLICT (id) DO UPDATE SET
         url = excluded.url,
         body = excluded.body,
         profile_id = excluded.profile_id,
         event_type = excluded.event_type,
         created_at = excluded.created_at,
         attempts = excluded.attempts,
         last_status = excluded.last_status,
         last_error = excluded.last_error,
         last_failure_at = excluded.last_failure_at,
         deaths = forward_dead_letters.deaths + 1,
         dead_at = excluded.dead_at,
         redriven_at = NULL
       WHERE forward_dead_letters.redriven_at IS NOT NULL`,
    )
    .bind(message.id, message.url, message.body, message.profile_id, message.event_type, message.created_at, deadAt)
    .run();
  return result.meta.changes > 0;
}

export function rowToMessage(row: DeadLetterRow): ForwardMessage {
  return {
    id: row.id,
    url: row.url,
    body: row.body,
    profile_id: row.profile_id,
    event_type: row.event_type,
    created_at: row.created_at,
  };
}
