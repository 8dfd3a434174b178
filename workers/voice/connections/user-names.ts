// Credential user names are unique without regard to case, also under concurrent creates. KV cannot
// promise that: two edges (or two requests in one) can each read "free" and each write, and a read
// may lag a write by up to a minute (RELIABILITY row 25). So the claim is a row in D1, whose
// primary key is the lower-cased user name: D1 runs every statement against one primary database
// in order, so of two INSERTs for the same name exactly one succeeds, whatever KV shows.
//
// Order of work: claim, then write KV (then release the old name, on a rename); if the KV write
// fails the claim is released. A claim can outlive its connection only if a worker dies between
// the two writes, so a claim whose holder is missing from KV (or no longer has that name) may be
// taken over, but only once the claim is older than KV's 60 s lag: a connection created a moment
// ago elsewhere may not be visible yet. In upstream mode the holder is 'pending:<uuid>' while
// Telnyx is being asked, bound to Telnyx's id once it answers and released if it refuses or does
// not answer (Telnyx refuses a taken name itself); the hourly sync rebuilds the claims from
// Telnyx's list, so a create whose outcome was unknown gets its claim back there.

import { invalid } from '../../../shared/telnyx/messaging-profile';
import { load } from './store';

/** KV may lag a write by this long; a younger claim is never taken over. */
export const CLAIM_GRACE_MS = 60_000;

const key = (userName: string) => userName.toLowerCase();

interface ClaimRow {
  connection_id: string;
  claimed_at: number;
}

function taken(userName: string): Error {
  return invalid('/user_name', `user_name "${userName}" is already taken (user names are unique regardless of case).`);
}

async function abandoned(env: Pick<Env, 'CONFIG'>, row: ClaimRow, userName: string, nowMs: number): Promise<boolean> {
  if (nowMs - row.claimed_at < CLAIM_GRACE_MS) return false;
  if (row.connection_id.startsWith('pending:')) return true;
  const holder = await load(env.CONFIG, 'connection', row.connection_id);
  return holder?.type !== 'credential' || key(String(holder.data.user_name)) !== key(userName);
}

/** Claims `userName` for `holder` (a connection id, or a pending marker); a 422 when another holds it. */
export async function claimUserName(
  env: Pick<Env, 'DB' | 'CONFIG'>,
  userName: string,
  holder: string,
  nowMs = Date.now(),
): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const inserted = await env.DB.prepare(
      `INSERT INTO connection_user_names (user_name_key, connection_id, claimed_at) VALUES (?, ?, ?)
       ON CONFLICT (user_name_key) DO NOTHING`,
    )
      .bind(key(userName), holder, nowMs)
      .run();
    if (inserted.meta.changes === 1) return;
    const row = await env.DB.prepare(
      'SELECT connection_id, claimed_at FROM connection_user_names WHERE user_name_key = ?',
    )
      .bind(key(userName))
      .first<ClaimRow>();
    if (row === null) continue; // released in between: try once more
    if (row.connection_id === holder) return;
    if (!(await abandoned(env, row, userName, nowMs))) break;
    // Take the stale claim over, unless someone else did so first.
    const takeover = await env.DB.prepare(
      `UPDATE connection_user_names SET connection_id = ?, claimed_at = ?
       WHERE user_name_key = ? AND connection_id = ? AND claimed_at = ?`,
    )
      .bind(holder, nowMs, key(userName), row.connection_id, row.claimed_at)
      .run();
    if (takeover.meta.changes === 1) return;
    break;
  }
  throw taken(userName);
}

/** Moves a claim from its pending marker to the id Telnyx gave the connection. */
export async function bindUserName(db: D1Database, userName: string, pending: string, id: string): Promise<void> {
  await db
    .prepare('UPDATE connection_user_names SET connection_id = ? WHERE user_name_key = ? AND connection_id = ?')
    .bind(id, key(userName), pending)
    .run();
}

/** Frees `userName` if `holder` holds it (never someone else's claim). */
export async function releaseUserName(db: D1Database, userName: string, holder: string): Promise<void> {
  await db
    .prepare('DELETE FROM connection_user_names WHERE user_name_key = ? AND connection_id = ?')
    .bind(key(userName), holder)
    .run();
}

/** Two spellings of one user name? */
export function sameUserName(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && key(a) === key(b);
}

/**
 * Upstream mode's hourly rebuild: every credential connection Telnyx holds keeps its name, and
 * claims held by nothing Telnyx knows are dropped once past the grace period.
 */
export async function rebuildUserNames(
  db: D1Database,
  holders: ReadonlyArray<{ id: string; user_name: string }>,
  nowMs = Date.now(),
): Promise<void> {
  const statements = holders.map((h) =>
    db
      .prepare(
        `INSERT INTO connection_user_names (user_name_key, connection_id, claimed_at) VALUES (?, ?, ?)
         ON CONFLICT (user_name_key) DO UPDATE SET connection_id = excluded.connection_id, claimed_at = excluded.claimed_at
         WHERE connection_user_names.connection_id <> excluded.connection_id`,
      )
      .bind(key(h.user_name), h.id, nowMs),
  );
  const ids = JSON.stringify(holders.map((h) => h.id));
  statements.push(
    db
      .prepare(
        `DELETE FROM connection_user_names
         WHERE claimed_at < ? AND connection_id NOT IN (SELECT value FROM json_each(?))`,
      )
      .bind(nowMs - CLAIM_GRACE_MS, ids),
  );
  await db.batch(statements);
}
