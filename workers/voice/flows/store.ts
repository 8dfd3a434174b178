// Where flows live, and which flow a number belongs to.
//
//   KV (CONFIG)  flow:<id>             the flow document, JSON: what calls read
//                flow-number:<e164>    the id of the flow that last claimed the number: the index calls use
//   D1 (DB)      flows                 one row per flow id: which write holds it, and until when
//                flow_numbers          the claims: one row per number, naming its one flow
//
// KV has no transactions and is eventually consistent, so it cannot decide which of two flows
// saved at once gets a number. D1 decides: a batch is one transaction, and flow_numbers' primary
// key gives a number one flow. Calls do not read D1 on their way in (flowForNumber), only writes do.
//
// A write (POST, PUT), each step after the one before has succeeded:
//   1. D1, one transaction: take the flow's row for this write (a create inserts it, so two creates
//      of one id cannot both win; a replace locks it, so writes of one flow take turns and their
//      KV documents land in the order of their claims) and claim every number the new document
//      lists, refreshing claimed_at of those the flow holds already (so none of them can pass for
//      a leftover while this write is on its way). A number another flow holds fails the whole
//      transaction: nothing is claimed or locked, and the client gets a 409 naming that flow.
//   2. KV: flow-number:<n> = id for every listed number.
//   3. KV: the document.
//   4. D1, one transaction: release the numbers the flow holds but the document no longer lists,
//      and unlock the row.
// Claims come first because the claim is the lock on a number: writing the document first would
// let two documents list one number. A crash between steps leaves numbers claimed by a flow whose
// document does not list them (the new ones after 1 or 2, the dropped ones after 3). No call follows
// a claim or an index entry alone: the document must list the number. And such a claim is a
// leftover once it is older than CLAIM_LEASE_MS: the next flow that wants the number takes it, and
// the flow's own next write releases it. The lease (2 minutes) outlasts a write in progress (a
// write gives up and undoes step 1 if step 2 has not begun within WRITE_BUDGET_MS) plus KV's
// propagation (about a minute), so a claim is never judged by a document that is still on its way.
// A crashed write's lock expires by itself after LOCK_MS.
//
// A delete locks the row, then 1. deletes the KV document (from then on no call runs the flow),
// 2. removes the claims and the row in one D1 transaction. A crash after 1 leaves a row and claims
// with no document: leftovers by the same rule (the id goes to the next POST of it).
//
// The number index is never deleted: an entry naming a flow that does not list the number (any
// more) is ignored by flowForNumber, and overwritten when a flow claims the number.

import { ApiError, notFound, type TelnyxErrorObject } from '../../../shared/errors';
import { log } from '../../../shared/log';
import type { Flow } from './types';
import { FLOW_ID, pointer } from './validate';

export const flowKey = (id: string) => `flow:${id}`;
export const numberKey = (e164: string) => `flow-number:${e164}`;

/** How old a claim (or a row's last write) must be before it can be a leftover. */
export const CLAIM_LEASE_MS = 120_000;
/** A write that has not reached KV this long after step 1 gives up and undoes it. */
export const WRITE_BUDGET_MS = 20_000;
/** How long a write holds its flow's row; a crashed write's lock lapses after this. */
export const LOCK_MS = 60_000;
/** Tries of one write while another write of the same flow holds it, or claims race. */
const ATTEMPTS = 6;

const E164 = /^\+[1-9][0-9]{1,14}$/;

interface FlowRow {
  id: string;
  write_id: string;
  locked_until: number;
  created_at: string;
  written_at: string;
}

interface ClaimRow {
  number: string;
  flow_id: string;
  claimed_at: string;
}

// --- What calls read -------------------------------------------------------------------------------

/** A stored flow by id (one KV read). */
export async function getFlow(env: Env, id: string): Promise<Flow | undefined> {
  if (!FLOW_ID.test(id)) return undefined;
  return (await env.CONFIG.get<Flow>(flowKey(id), 'json')) ?? undefined;
}

/**
 * The flow that answers calls to `number` (+E.164). It is on the path of every inbound call, so
 * it reads KV only: the number index, then the document, which must list the number. That is two
 * KV reads for a claimed number and one for a number no flow claims, each served from the
 * location's cache when hot (a few ms) and from KV's central store when cold. Only when the index
 * names a flow that does not list the number (the number moved to another flow less than KV's
 * minute ago, as seen from here) is D1 asked for the claim, once.
 */
export async function flowForNumber(env: Env, number: string): Promise<Flow | undefined> {
  if (!E164.test(number)) return undefined;
  const indexed = await env.CONFIG.get(numberKey(number));
  if (indexed === null) return undefined;
  const flow = await getFlow(env, indexed);
  if (flow?.numbers.includes(number)) return flow;
  const claim = await env.DB.prepare('SELECT flow_id FROM flow_numbers WHERE number = ?1')
    .bind(number)
    .first<{ flow_id: string }>();
  if (claim === null || claim.flow_id === indexed) return undefined;
  const owner = await getFlow(env, claim.flow_id);
  return owner?.numbers.includes(number) ? owner : undefined;
}

// --- Listing ---------------------------------------------------------------------------------------

/** Flows oldest first, a page of them, and how many there are (D1 says which exist, KV gives them). */
export async function listFlows(
  env: Env,
  page: { number: number; size: number },
  filter: { number?: string } = {},
): Promise<{ flows: Flow[]; total: number }> {
  const where = 'WHERE ?1 IS NULL OR id IN (SELECT flow_id FROM flow_numbers WHERE number = ?1)';
  const number = filter.number ?? null;
  const [count, rows] = await env.DB.batch<{ total: number } & { id: string }>([
    env.DB.prepare(`SELECT COUNT(*) AS total FROM flows ${where}`).bind(number),
    env.DB.prepare(`SELECT id FROM flows ${where} ORDER BY created_at, id LIMIT ?2 OFFSET ?3`).bind(
      number,
      page.size,
      (page.number - 1) * page.size,
    ),
  ]);
  const docs = await Promise.all(rows!.results.map((row) => getFlow(env, row.id)));
  // A row without its document is a flow being created (or a crash's leftover): not shown.
  const flows = docs.filter(
    (flow): flow is Flow => flow !== undefined && (filter.number === undefined || flow.numbers.includes(filter.number)),
  );
  return { flows, total: count!.results[0]?.total ?? 0 };
}

// --- Rows, claims and leftovers --------------------------------------------------------------------

const isOld = (iso: string, now: number) => now - Date.parse(iso) >= CLAIM_LEASE_MS;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function busy(detail: string): ApiError {
  return new ApiError(409, { code: '10012', title: 'Flow busy', detail });
}

async function flowRow(env: Env, id: string): Promise<FlowRow | undefined> {
  const row = await env.DB.prepare('SELECT id, write_id, locked_until, created_at, written_at FROM flows WHERE id = ?1')
    .bind(id)
    .first<FlowRow>();
  return row ?? undefined;
}

/** A row no write holds, last written before the lease, whose document is not in KV. */
async function isLeftoverRow(env: Env, row: FlowRow, now: number): Promise<boolean> {
  return row.locked_until <= now && isOld(row.written_at, now) && (await getFlow(env, row.id)) === undefined;
}

/** A claim older than the lease whose flow's document does not list the number. */
async function isLeftoverClaim(env: Env, claim: ClaimRow, now: number): Promise<boolean> {
  return isOld(claim.claimed_at, now) && !(await getFlow(env, claim.flow_id))?.numbers.includes(claim.number);
}

/** Removes a flow's claims and row, if `writeId` still holds the row. */
async function removeRow(env: Env, id: string, writeId: string): Promise<boolean> {
  const [, removed] = await env.DB.batch([
    env.DB.prepare(
      'DELETE FROM flow_numbers WHERE flow_id = ?1 AND EXISTS (SELECT 1 FROM flows WHERE id = ?1 AND write_id = ?2)',
    ).bind(id, writeId),
    env.DB.prepare('DELETE FROM flows WHERE id = ?1 AND write_id = ?2').bind(id, writeId),
  ]);
  return removed!.meta.changes > 0;
}

/** The row of a flow that exists; a leftover row is removed on the way and counts as none. */
async function existingRow(env: Env, id: string): Promise<FlowRow | undefined> {
  const row = await flowRow(env, id);
  if (row === undefined || !(await isLeftoverRow(env, row, Date.now()))) return row;
  await removeRow(env, row.id, row.write_id);
  log.warn('flow_leftover_removed', { flow_id: id });
  return undefined;
}

/** Step 1's claims, each guarded by the write's own write_id (so they do nothing unless it holds the row). */
function claimStatements(env: Env, flow: Flow, writeId: string, at: string): D1PreparedStatement[] {
  const held = 'EXISTS (SELECT 1 FROM flows WHERE id = ?2 AND write_id = ?4)';
  const numbers = JSON.stringify(flow.numbers);
  return [
    env.DB.prepare(
      `UPDATE flow_numbers SET claimed_at = ?3 WHERE flow_id = ?2 AND number IN (SELECT value FROM json_each(?1)) AND ${held}`,
    ).bind(numbers, flow.id, at, writeId),
    // A number another flow holds breaks the primary key, and the whole transaction with it.
    env.DB.prepare(
      `INSERT INTO flow_numbers (number, flow_id, claimed_at) SELECT value, ?2, ?3 FROM json_each(?1)
       WHERE value NOT IN (SELECT number FROM flow_numbers WHERE flow_id = ?2) AND ${held}`,
    ).bind(numbers, flow.id, at, writeId),
  ];
}

function duplicate(detail: string, at: string, flowId: string): TelnyxErrorObject {
  return { code: '10012', title: 'Duplicate resource', detail, source: { pointer: at }, meta: { flow_id: flowId } };
}

/**
 * After step 1 failed: what blocked it. Leftovers in the way are removed so that the next try can
 * succeed; what really belongs to another flow comes back as 409 errors, one per id or number.
 */
async function blockers(env: Env, flow: Flow, creating: boolean): Promise<TelnyxErrorObject[]> {
  const now = Date.now();
  const errors: TelnyxErrorObject[] = [];
  if (creating) {
    const row = await existingRow(env, flow.id);
    if (row !== undefined) {
      errors.push(duplicate(`A flow with id "${flow.id}" exists; PUT /flows/${flow.id} replaces it.`, '/id', flow.id));
    }
  }
  const { results: claims } = await env.DB.prepare(
    `SELECT number, flow_id, claimed_at FROM flow_numbers
     WHERE number IN (SELECT value FROM json_each(?1)) AND flow_id <> ?2`,
  )
    .bind(JSON.stringify(flow.numbers), flow.id)
    .all<ClaimRow>();
  for (const claim of claims) {
    if (await isLeftoverClaim(env, claim, now)) {
      await env.DB.prepare('DELETE FROM flow_numbers WHERE number = ?1 AND flow_id = ?2 AND claimed_at = ?3')
        .bind(claim.number, claim.flow_id, claim.claimed_at)
        .run();
      log.warn('flow_leftover_claim_taken', { number: claim.number, from: claim.flow_id, to: flow.id });
    } else {
      const at = pointer('numbers', flow.numbers.indexOf(claim.number));
      errors.push(
        duplicate(
          `${claim.number} already answers to flow "${claim.flow_id}"; remove it there first.`,
          at,
          claim.flow_id,
        ),
      );
    }
  }
  return errors.sort((a, b) => a.source!.pointer!.localeCompare(b.source!.pointer!, 'en', { numeric: true }));
}

type StepOne = 'done' | 'missing' | 'held';

/**
 * Runs step 1 until it succeeds. `attempt` returns 'held' while another write holds the row (then
 * this waits a little and tries again), 'missing' when there is no such flow, and throws when the
 * transaction failed, which is when blockers() is asked why.
 */
async function stepOne(env: Env, flow: Flow, creating: boolean, attempt: () => Promise<StepOne>): Promise<void> {
  for (let n = 1; ; n++) {
    let outcome: StepOne;
    try {
      outcome = await attempt();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const errors = await blockers(env, flow, creating);
      if (errors.length > 0) throw new ApiError(409, errors);
      if (n >= ATTEMPTS) throw error;
      continue;
    }
    if (outcome === 'done') return;
    if (outcome === 'missing') throw notFound(`No flow with id ${flow.id}.`);
    if (n >= ATTEMPTS) throw busy(`Flow ${flow.id} is being changed by another request; send this one again.`);
    await sleep(25 * 2 ** n);
  }
}

/** Steps 2 to 4 of a write that did step 1 at `started` and holds the row as `writeId`. */
async function publish(env: Env, flow: Flow, writeId: string, started: number, undo: () => Promise<unknown>) {
  try {
    if (Date.now() - started > WRITE_BUDGET_MS) {
      throw new ApiError(503, {
        code: '10007',
        title: 'Try again',
        detail: 'Saving the flow took too long, so nothing was changed; send it again.',
      });
    }
    await Promise.all(flow.numbers.map((n) => env.CONFIG.put(numberKey(n), flow.id)));
    await env.CONFIG.put(flowKey(flow.id), JSON.stringify(flow));
  } catch (error) {
    await undo().catch((undoError: unknown) => log.error('flow_undo_failed', { flow_id: flow.id, error: undoError }));
    throw error;
  }
  try {
    await env.DB.batch([
      env.DB.prepare(
        `DELETE FROM flow_numbers WHERE flow_id = ?1 AND number NOT IN (SELECT value FROM json_each(?2))
         AND EXISTS (SELECT 1 FROM flows WHERE id = ?1 AND write_id = ?3)`,
      ).bind(flow.id, JSON.stringify(flow.numbers), writeId),
      env.DB.prepare('UPDATE flows SET locked_until = 0 WHERE id = ?1 AND write_id = ?2').bind(flow.id, writeId),
    ]);
  } catch (error) {
    // The document is saved. Dropped numbers stay claimed as leftovers (the next claim of them
    // takes them) and the lock lapses after LOCK_MS.
    log.warn('flow_release_failed', { flow_id: flow.id, error });
  }
}

// --- Writes ----------------------------------------------------------------------------------------

/** POST: stores a new, validated flow and claims its numbers; 409 when the id or a number is taken. */
export async function createFlow(env: Env, flow: Flow): Promise<Flow> {
  const writeId = crypto.randomUUID();
  let started = 0;
  await stepOne(env, flow, true, async () => {
    started = Date.now();
    const at = new Date(started).toISOString();
    await env.DB.batch([
      env.DB.prepare(
        'INSERT INTO flows (id, write_id, locked_until, created_at, written_at) VALUES (?1, ?2, ?3, ?4, ?5)',
      ).bind(flow.id, writeId, started + LOCK_MS, flow.created_at, at),
      ...claimStatements(env, flow, writeId, at),
    ]);
    return 'done';
  });
  await publish(env, flow, writeId, started, () => removeRow(env, flow.id, writeId));
  return flow;
}

/** PUT: replaces a flow with a validated document (keeping created_at) and re-claims its numbers. */
export async function replaceFlow(env: Env, flow: Flow): Promise<Flow> {
  const writeId = crypto.randomUUID();
  let started = 0;
  let stored = flow;
  await stepOne(env, flow, false, async () => {
    const row = await existingRow(env, flow.id);
    if (row === undefined) return 'missing';
    started = Date.now();
    if (row.locked_until > started) return 'held';
    const at = new Date(started).toISOString();
    const [lock] = await env.DB.batch([
      env.DB.prepare(
        `UPDATE flows SET write_id = ?2, locked_until = ?3, written_at = ?4
         WHERE id = ?1 AND write_id = ?5 AND locked_until <= ?6`,
      ).bind(flow.id, writeId, started + LOCK_MS, at, row.write_id, started),
      ...claimStatements(env, flow, writeId, at),
    ]);
    if (lock!.meta.changes === 0) return 'held';
    stored = { ...flow, created_at: row.created_at };
    return 'done';
  });
  const before = await getFlow(env, flow.id);
  // Undo: release what the document in KV (unchanged) does not list, and unlock.
  const undo = () =>
    env.DB.batch([
      env.DB.prepare(
        `DELETE FROM flow_numbers WHERE flow_id = ?1 AND number NOT IN (SELECT value FROM json_each(?2))
         AND EXISTS (SELECT 1 FROM flows WHERE id = ?1 AND write_id = ?3)`,
      ).bind(flow.id, JSON.stringify(before?.numbers ?? []), writeId),
      env.DB.prepare('UPDATE flows SET locked_until = 0 WHERE id = ?1 AND write_id = ?2').bind(flow.id, writeId),
    ]);
  await publish(env, stored, writeId, started, undo);
  return stored;
}

/** DELETE: removes a flow and releases its numbers; undefined when there is no such flow. */
export async function deleteFlow(env: Env, id: string): Promise<Flow | undefined> {
  for (let n = 1; n <= ATTEMPTS; n++) {
    const row = await existingRow(env, id);
    if (row === undefined) return undefined;
    const now = Date.now();
    const writeId = crypto.randomUUID();
    const lock =
      row.locked_until <= now
        ? await env.DB.prepare(
            `UPDATE flows SET write_id = ?2, locked_until = ?3 WHERE id = ?1 AND write_id = ?4 AND locked_until <= ?5`,
          )
            .bind(id, writeId, now + LOCK_MS, row.write_id, now)
            .run()
        : undefined;
    if (lock === undefined || lock.meta.changes === 0) {
      await sleep(25 * 2 ** n);
      continue;
    }
    const flow = await getFlow(env, id);
    await env.CONFIG.delete(flowKey(id));
    await removeRow(env, id, writeId);
    return flow;
  }
  throw busy(`Flow ${id} is being changed by another request; delete it again.`);
}
