// A call session's state, in its Durable Object's SQLite storage.
//
// The engine's state is one JSON row (`call`), rewritten with every change. What it decided to do
// is written as `tasks` in the same turn, before any of it is carried out, so an object evicted
// half way picks up where it stopped: a command's command_id is saved with it, and Telnyx ignores a
// resent command_id for 60 s, so resending after a restart is safe.

export const SESSION_SCHEMA = `
CREATE TABLE IF NOT EXISTS call (id INTEGER PRIMARY KEY CHECK (id = 1), state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY,
  event_type TEXT NOT NULL,
  occurred_at TEXT,
  received_at INTEGER NOT NULL,
  body TEXT NOT NULL,
  deliveries INTEGER NOT NULL DEFAULT 1,
  state TEXT NOT NULL,              -- pending | applied | ignored | deferred (its leg's call.initiated has not come yet)
  note TEXT
);
CREATE INDEX IF NOT EXISTS events_pending ON events (occurred_at, received_at) WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS tasks (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,               -- command | resolve_flow | ask | forward_recording | forward_event | record
  payload TEXT NOT NULL,
  state TEXT NOT NULL,              -- pending | done | failed
  result TEXT,
  created_at INTEGER NOT NULL,
  done_at INTEGER
);
CREATE INDEX IF NOT EXISTS tasks_pending ON tasks (seq) WHERE state = 'pending';
CREATE TABLE IF NOT EXISTS deadlines (name TEXT PRIMARY KEY, at INTEGER NOT NULL, step INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS timeline (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,               -- event | command | step | note
  detail TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;
