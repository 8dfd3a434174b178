// The account's sending rate (Telnyx: 50 SMS parts and 15 MMS a second, unless configured), shared
// by all of a pool's numbers.
//
// A number's own lane is strictly in turn: its sends leave one after another at its rate. The
// account's rate is counted per second instead, and the seconds fill out of order: a send queued an
// hour ahead on a slow number takes its share of that hour's second and holds no other number back
// now. Within a second, sends are spaced by how much of it is used, and a send that does not fit in
// what is left of a second carries the rest into the next: sends made in order are spaced exactly
// parts / rate apart, as one lane would space them.
//
// Its table, account_seconds, is in schema.ts with the rest of the pool's storage.

export type AccountKind = 'sms' | 'mms';

/** Seconds this far in the past are forgotten. */
const KEEP_SECONDS = 60;

export interface AccountPlace {
  second: number;
  /** How much of the second (in parts) is used before this send, counting time already past. */
  used: number;
  /** When the send may leave. */
  at: number;
}

/**
 * The earliest place at or after `from` (ms). Reads only: the caller takes it with
 * `takeAccountPlace` once the send is accepted.
 */
export function findAccountPlace(sql: SqlStorage, kind: AccountKind, from: number, mps: number): AccountPlace {
  const first = Math.floor(from / 1000);
  // The first second with room left, and the first nobody has used yet: the earlier wins.
  const withRoom = sql
    .exec<{ second: number; used: number }>(
      'SELECT second, used FROM account_seconds WHERE kind = ? AND second >= ? AND used < ? ORDER BY second LIMIT 1',
      kind,
      first,
      mps,
    )
    .toArray()[0];
  const unused = firstUnusedSecond(sql, kind, first);
  const place = withRoom !== undefined && withRoom.second < unused ? withRoom : { second: unused, used: 0 };
  // In the second `from` falls in, the part before `from` is gone.
  const used = place.second === first ? Math.max(place.used, ((from - first * 1000) / 1000) * mps) : place.used;
  return { second: place.second, used, at: place.second * 1000 + (used / mps) * 1000 };
}

function firstUnusedSecond(sql: SqlStorage, kind: AccountKind, first: number): number {
  const taken = sql.exec('SELECT 1 FROM account_seconds WHERE kind = ? AND second = ?', kind, first).toArray();
  if (taken.length === 0) return first;
  // The end of the run of used seconds that starts at `first` (an ordered index walk that stops there).
  const end = sql
    .exec<{ second: number }>(
      `SELECT a.second FROM account_seconds a
       WHERE a.kind = ? AND a.second >= ?
         AND NOT EXISTS (SELECT 1 FROM account_seconds b WHERE b.kind = a.kind AND b.second = a.second + 1)
       ORDER BY a.second LIMIT 1`,
      kind,
      first,
    )
    .toArray()[0]!;
  return end.second + 1;
}

/** Takes `parts` from the place found, carrying what does not fit into the following seconds. */
export function takeAccountPlace(
  sql: SqlStorage,
  kind: AccountKind,
  place: AccountPlace,
  parts: number,
  mps: number,
): void {
  let second = place.second;
  let rest = place.used + parts;
  sql.exec(
    `INSERT INTO account_seconds (kind, second, used) VALUES (?, ?, ?)
     ON CONFLICT (kind, second) DO UPDATE SET used = excluded.used`,
    kind,
    second,
    Math.min(rest, mps),
  );
  rest -= mps;
  while (rest > 0) {
    second += 1;
    sql.exec(
      `INSERT INTO account_seconds (kind, second, used) VALUES (?, ?, ?)
       ON CONFLICT (kind, second) DO UPDATE SET used = used + excluded.used`,
      kind,
      second,
      Math.min(rest, mps),
    );
    rest -= mps;
  }
}

export function forgetPastSeconds(sql: SqlStorage, now: number): void {
  sql.exec('DELETE FROM account_seconds WHERE second < ?', Math.floor(now / 1000) - KEEP_SECONDS);
}
