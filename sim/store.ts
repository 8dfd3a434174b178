// The simulator's state, in the SQLite storage of its one Durable Object. Resources keep
// Telnyx's JSON as they would be returned (profiles, messages, connections); the columns beside
// the JSON are only what the simulator searches or sorts by. Calls keep their legs' state as JSON
// too, with their timers (what happens next, and when) in a table the alarm reads.

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS numbers (
  phone_number TEXT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  country_code TEXT NOT NULL,
  messaging_profile_id TEXT,
  connection_id TEXT,
  mps REAL,
  created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS profiles (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  direction TEXT NOT NULL,
  profile_id TEXT,
  from_number TEXT NOT NULL,
  to_number TEXT NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS opt_outs (profile_id TEXT NOT NULL, recipient TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (profile_id, recipient));
CREATE TABLE IF NOT EXISTS sticky_senders (profile_id TEXT NOT NULL, recipient TEXT NOT NULL, sender TEXT NOT NULL, last_at INTEGER NOT NULL, PRIMARY KEY (profile_id, recipient));
CREATE TABLE IF NOT EXISTS send_slots (lane TEXT PRIMARY KEY, next_free_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS number_outcomes (phone_number TEXT PRIMARY KEY, finalized INTEGER NOT NULL, delivered INTEGER NOT NULL, spam INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  event_type TEXT NOT NULL,
  message_id TEXT,
  data TEXT NOT NULL,
  urls TEXT NOT NULL,
  url_index INTEGER NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 0,
  due_at INTEGER NOT NULL,
  state TEXT NOT NULL,
  copies INTEGER NOT NULL DEFAULT 1,
  applied INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS events_due ON events (state, due_at, seq);
CREATE TABLE IF NOT EXISTS deliveries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  message_id TEXT,
  url TEXT,
  attempt INTEGER NOT NULL,
  status INTEGER,
  latency_ms INTEGER,
  outcome TEXT NOT NULL,
  error TEXT,
  response TEXT,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  method TEXT NOT NULL,
  path TEXT NOT NULL,
  status INTEGER NOT NULL,
  fault TEXT,
  note TEXT,
  at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS lookups (phone_number TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (phone_number, type));
CREATE TABLE IF NOT EXISTS faults (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  target TEXT NOT NULL,
  kind TEXT NOT NULL,
  remaining INTEGER NOT NULL,
  path_prefix TEXT,
  params TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (id TEXT PRIMARY KEY, kind TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS registrations (connection_id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
  call_control_id TEXT PRIMARY KEY,
  call_session_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  alive INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_session ON calls (call_session_id, seq);
CREATE TABLE IF NOT EXISTS call_timers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_control_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  due_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS call_timers_due ON call_timers (due_at, id);
CREATE TABLE IF NOT EXISTS call_commands (
  call_control_id TEXT NOT NULL,
  command_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  response TEXT NOT NULL,
  PRIMARY KEY (call_control_id, command_id)
);
CREATE TABLE IF NOT EXISTS call_timeline (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  call_session_id TEXT NOT NULL,
  call_control_id TEXT,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  detail TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS call_timeline_session ON call_timeline (call_session_id, seq);
CREATE TABLE IF NOT EXISTS recordings (id TEXT PRIMARY KEY, body TEXT NOT NULL);
`;

/**
 * Bumped whenever SCHEMA changes a table that already existed: a store written by an older
 * simulator is then rebuilt and seeded afresh (CREATE TABLE IF NOT EXISTS adds no columns).
 */
export const SCHEMA_VERSION = '2';

export const TABLES = [
  'numbers',
  'profiles',
  'messages',
  'opt_outs',
  'sticky_senders',
  'send_slots',
  'number_outcomes',
  'events',
  'deliveries',
  'requests',
  'lookups',
  'faults',
  'kv',
  'resources',
  'registrations',
  'calls',
  'call_timers',
  'call_commands',
  'call_timeline',
  'recordings',
] as const;

/** Kept so the request and delivery logs cannot grow without bound in a long dev session. */
export const LOG_LIMIT = 20_000;

type Row = Record<string, SqlStorageValue>;

/** Thin helpers over SqlStorage so the rest of the simulator reads as queries, not cursors. */
export class Store {
  constructor(readonly sql: SqlStorage) {}

  all<T extends Row = Row>(query: string, ...bindings: unknown[]): T[] {
    return this.sql.exec<T>(query, ...bindings).toArray();
  }

  first<T extends Row = Row>(query: string, ...bindings: unknown[]): T | undefined {
    return this.sql.exec<T>(query, ...bindings).toArray()[0];
  }

  run(query: string, ...bindings: unknown[]): number {
    return this.sql.exec(query, ...bindings).rowsWritten;
  }

  getValue(key: string): string | undefined {
    return this.first<{ value: string }>('SELECT value FROM kv WHERE key = ?', key)?.value;
  }

  setValue(key: string, value: string): void {
    this.run(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      key,
      value,
    );
  }

  /** A counter that survives eviction: message and event sequence numbers. */
  next(counter: string): number {
    const value = Number(this.getValue(counter) ?? '0') + 1;
    this.setValue(counter, String(value));
    return value;
  }

  trim(table: 'requests' | 'deliveries'): void {
    this.run(`DELETE FROM ${table} WHERE seq <= (SELECT MAX(seq) FROM ${table}) - ?`, LOG_LIMIT);
  }

  deleteValue(key: string): void {
    this.run('DELETE FROM kv WHERE key = ?', key);
  }

  wipe(): void {
    for (const table of TABLES) this.run(`DELETE FROM ${table}`);
  }

  /** Drops every table and creates them anew from SCHEMA (a store from an older SCHEMA_VERSION). */
  rebuild(): void {
    for (const table of TABLES) this.run(`DROP TABLE IF EXISTS ${table}`);
    this.sql.exec(SCHEMA);
  }
}
