// A Durable Object's small named values, kept as JSON in a `kv (key, value)` table of its SQLite
// storage (both NumberPool and CallSession have one): its context, alarm times, pending retries.

/** The value stored under `key`, or undefined. */
export function readValue<T>(sql: SqlStorage, key: string): T | undefined {
  const row = sql.exec<{ value: string }>('SELECT value FROM kv WHERE key = ?', key).toArray()[0];
  return row === undefined ? undefined : (JSON.parse(row.value) as T);
}

export function writeValue(sql: SqlStorage, key: string, value: unknown): void {
  sql.exec(
    'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    key,
    JSON.stringify(value),
  );
}
