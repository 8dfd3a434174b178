// A pool's state, in its Durable Object's SQLite storage.
//
// The inbox holds every Telnyx messaging event for the pool's numbers, written before the webhook
// is acknowledged (so nothing Telnyx delivered is lost) and keyed by Telnyx's event id (so a
// second delivery is only counted). The alarm acts on pending events, in the order they came.

export const POOL_SCHEMA = `
CREATE TABLE IF NOT EXISTS numbers (
  phone_number TEXT PRIMARY KEY,
  type TEXT NOT NULL,
  mps REAL,
  country TEXT,
  area_code TEXT,
  added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS health (
  phone_number TEXT PRIMARY KEY,
  finalized INTEGER NOT NULL DEFAULT 0,
  delivered INTEGER NOT NULL DEFAULT 0,
  spam INTEGER NOT NULL DEFAULT 0,
  invalid_source INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sticky (recipient TEXT PRIMARY KEY, sender TEXT NOT NULL, last_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS opt_outs (
  recipient TEXT PRIMARY KEY,
  sender TEXT,
  keyword TEXT,
  source TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS opt_out_log (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  recipient TEXT NOT NULL,
  action TEXT NOT NULL,
  keyword TEXT,
  source TEXT NOT NULL,
  note TEXT,
  at INTEGER NOT NULL
);
-- Each number's turn (next_free_at); the account's rate is kept per second (account-rate.ts).
CREATE TABLE IF NOT EXISTS lanes (lane TEXT PRIMARY KEY, next_free_at INTEGER NOT NULL);
DELETE FROM lanes WHERE lane LIKE 'account:%';
CREATE TABLE IF NOT EXISTS account_seconds (
  kind TEXT NOT NULL,
  second INTEGER NOT NULL,
  used REAL NOT NULL,
  PRIMARY KEY (kind, second)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  reserved INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  request TEXT NOT NULL,
  sender TEXT,
  chosen_by_pool INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  telnyx_id TEXT,
  status TEXT,
  message TEXT,
  errors TEXT,
  idempotency_key TEXT
);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, due_at, seq);
CREATE INDEX IF NOT EXISTS outbox_telnyx ON outbox (telnyx_id);
CREATE UNIQUE INDEX IF NOT EXISTS outbox_idempotency ON outbox (idempotency_key);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox (created_at);
DROP TABLE IF EXISTS events_seen;
CREATE TABLE IF NOT EXISTS inbox (
  event_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  occurred_at TEXT,
  path TEXT NOT NULL,
  edge_id TEXT,
  body TEXT NOT NULL,
  deliveries INTEGER NOT NULL DEFAULT 1,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  actions TEXT,
  received_at INTEGER NOT NULL,
  recorded INTEGER NOT NULL DEFAULT 0
);
-- Partial indexes keep the alarm's work proportional to what is waiting, not to the week of
-- events the inbox keeps: the events to act on, those whose history is not yet in D1, and age.
DROP INDEX IF EXISTS inbox_pending;
CREATE INDEX IF NOT EXISTS inbox_waiting ON inbox (received_at) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS inbox_unrecorded ON inbox (received_at) WHERE recorded = 0 AND state != 'pending';
CREATE INDEX IF NOT EXISTS inbox_received ON inbox (received_at);
-- Messages people sent to the pool, as Telnyx described them, for GET /v2/messages/{id}; pruned
-- with the inbox.
CREATE TABLE IF NOT EXISTS inbound_messages (
  id TEXT PRIMARY KEY,
  message TEXT NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS inbound_received ON inbound_messages (received_at);
-- Inbox events acted on whose forward to the business is not queued yet: a retry forwards only.
CREATE TABLE IF NOT EXISTS inbox_acted (
  event_id TEXT PRIMARY KEY,
  forward_url TEXT
);
-- The message id the first answer to an Idempotency-Key gave, which a repeat gives too.
CREATE TABLE IF NOT EXISTS idempotent_answers (
  idempotency_key TEXT PRIMARY KEY,
  answered_id TEXT NOT NULL
);
-- Message records D1 refused, kept until a later alarm writes them (the newest of each message).
CREATE TABLE IF NOT EXISTS unrecorded (
  id TEXT PRIMARY KEY,
  record TEXT NOT NULL,
  failed_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/**
 * Outbox states. A row only moves forward, and `sending` is written before a request leaves, so a
 * row found in `sending` after a restart may have been sent: it becomes `unknown`, never resent.
 *   scheduled  waiting for send_at or the end of quiet hours; no throughput reserved yet
 *   queued     waiting for a throughput slot (or for Telnyx's rate limit to reset)
 *   sending    the request to Telnyx is under way
 *   sent       Telnyx accepted it; its events carry it on (status: sent, delivered, ...)
 *   unknown    Telnyx did not answer (5xx, timeout): never resent; its webhook, which names the
 *              row, settles it, else it fails after UNKNOWN_TIMEOUT_MS
 *   failed     refused (by Telnyx, an opt-out, or the pool), with errors
 *   cancelled  cancelled by DELETE /v2/messages/{id} before it left
 */
export type OutboxState = 'scheduled' | 'queued' | 'sending' | 'sent' | 'unknown' | 'failed' | 'cancelled';
