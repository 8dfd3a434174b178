// The pool under faults, through the bundle and the Telnyx simulator (RELIABILITY.md):
//   row 13  Telnyx's 429 with x-ratelimit-reset: the send is queued, not failed; the whole pool
//           pauses until the reset (no stampede onto other numbers); the alarm sends everything after
//   row 14  a 5xx: 502 "outcome unknown" in Telnyx's shape with the edge id, one request, never
//           resent, failed after 10 minutes unconfirmed; a 5xx after Telnyx did send it (500_after):
//           its own webhooks settle the edge's row; a webhook that settles a send while its request
//           is still in flight is not undone when the request then fails
//   row 15  a timeout is "outcome unknown" too; a row left in `sending` by an evicted object becomes
//           `unknown` on restart, is never resent, and is still settled after 10 minutes
//   row 16  409 / 40300 from Telnyx: the recipient is recorded as opted out, no other number tries
//           invalid source (40305 for the chosen number): that number is marked unhealthy and the
//           send is retried once from another number of the pool
//   row 23  the alarm run twice sends nothing twice; an alarm that throws is retried and sends then
//   row 24  two sends at the same moment (slow Telnyx): two messages, no request repeated
//   rows 7, 8  a webhook delivered twice, or twice at once, is acted on once
//   row 9   message.finalized before message.sent: the late "sent" does not move the message back
//   row 10  a slow forward_url: the webhook is still answered at once (forwarding is off the path)
//   row 12  a signed event of an unknown type, or with odd fields: 200, stored, ignored
import { abortAllDurableObjects, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NumberPool, UNKNOWN_TIMEOUT_MS } from '../../workers/messaging/pool/number-pool';
import { testEnv as env } from '../support/test-env';
import { deliveries, flush, resetSimulator } from '../support/sim';
import {
  addNumber,
  createPool,
  edge,
  edgeMessage,
  edgeStatus,
  eventBody,
  eventHandled,
  eventually,
  fault,
  inbound,
  inboundPayload,
  listNumbers,
  ok,
  outbox,
  poolAlarm,
  poolSql,
  poolStub,
  postWebhook,
  processedEvent,
  receivedAt,
  receiver,
  removeAllPools,
  send,
  setPoolBindings,
  simMessages,
  simMessagesTo,
  simSends,
  simSettings,
  sleep,
  type Json,
} from './support';

const CHI = '+13125550100';
const NYC = '+12125550100';
const SFO = '+14155550100';
/** On the simulator's account but on no messaging profile: Telnyx refuses it as a sender (40305). */
const ORPHAN_TOLL_FREE = '+18885550100';

/** A fresh recipient (delivered, by the simulator's outcome table) for each use. */
let recipientSeq = 10;
function recipient(area = '312'): string {
  // Last two digits 90-99 fail or stay unconfirmed at the simulator (sim/README.md): skipped.
  if (recipientSeq % 100 >= 90) recipientSeq += 100 - (recipientSeq % 100);
  return `+1${area}555${String(2000 + recipientSeq++).padStart(4, '0')}`;
}

let restore: Array<() => Promise<void>> = [];

beforeEach(async () => {
  await resetSimulator();
  await removeAllPools();
  await resetSimulator();
  await receiver('reset');
});

afterEach(async () => {
  vi.restoreAllMocks();
  for (const undo of restore.reverse()) await undo();
  restore = [];
});

function uuidLike(value: unknown): void {
  expect(value).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
}

/** The simulator's messages that carry `edgeId` in their webhook URL. */
async function simMessagesFor(edgeId: string): Promise<Json[]> {
  return (await simMessages()).filter((m) => m.edge_id === edgeId);
}

/** The 10 minutes an unknown send waits for its webhooks, and the alarm after, without waiting them. */
async function tenMinutesPass(profileId: string, edgeId: string): Promise<void> {
  await poolSql(
    profileId,
    'UPDATE outbox SET updated_at = updated_at - ? WHERE id = ?',
    UNKNOWN_TIMEOUT_MS + 1000,
    edgeId,
  );
  await runInDurableObject(poolStub(profileId), (instance) => instance.alarm());
}

const settled = (id: string, status = 'delivered', timeoutMs = 5000) =>
  eventually(async () => expect(await edgeStatus(id)).toBe(status), timeoutMs);

describe('row 13: Telnyx answers 429 with x-ratelimit-reset', () => {
  it('queues the send, pauses the whole pool until the reset, then the alarm sends everything once', async () => {
    const pool = await createPool({}, [CHI, NYC]);
    await fault({ target: 'api', kind: '429', count: 1, path: '/v2/messages', reset_seconds: 2 });

    const before = Date.now();
    const first = await send({ messaging_profile_id: pool.id, from: CHI, to: recipient(), text: 'first' });
    const after = Date.now();
    expect(first.status).toBe(200);
    const queued = ok(first);
    expect(queued.to[0].status).toBe('queued');
    uuidLike(queued.id);
    const requests = await simSends();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ status: 429, fault: '429' });

    // The pause is the pool's: another number, another recipient, and the pool's own choice all wait.
    const other = ok(await send({ messaging_profile_id: pool.id, from: NYC, to: recipient('212'), text: 'second' }));
    const chosen = ok(await send({ messaging_profile_id: pool.id, to: recipient('415'), text: 'third' }));
    expect(other.to[0].status).toBe('queued');
    expect(chosen.to[0].status).toBe('queued');
    expect(await simSends()).toHaveLength(1);

    // Paused for the 2 s Telnyx asked, and the alarm is set for the end of the pause.
    const [pausedUntil] = await poolSql<{ value: string }>(pool.id, "SELECT value FROM kv WHERE key = 'paused_until'");
    const until = Number(pausedUntil!.value);
    expect(until).toBeGreaterThanOrEqual(before + 2000);
    expect(until).toBeLessThanOrEqual(after + 2000);
    const rows = await outbox(pool.id);
    expect(rows.map((r) => r.state)).toEqual(['queued', 'queued', 'queued']);
    expect(rows.every((r) => r.due_at >= until)).toBe(true);
    expect(await poolAlarm(pool.id)).toBe(until);

    // After the reset, each message is sent exactly once, none before the pause ended.
    const sent = await eventually(async () => {
      const messages = await simMessages();
      expect(messages).toHaveLength(3);
      return messages;
    }, 8000);
    expect(sent.map((m) => m.edge_id).sort()).toEqual([queued.id, other.id, chosen.id].sort());
    const accepted = (await simSends()).slice(1);
    expect(accepted.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of accepted) expect(Date.parse(r.at)).toBeGreaterThanOrEqual(until);
    await settled(queued.id);
  }, 15_000);
});

describe("the alarm's batch is read once; each row is read again just before it leaves", () => {
  /** Two sends due in the same alarm run, the alarm started, with `firstFault` on the first request. */
  async function twoDueSends(firstFault: Record<string, unknown>) {
    const pool = await createPool({}, [CHI]);
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const to = recipient();
    const first = ok(await send({ messaging_profile_id: pool.id, to, text: 'first', send_at: sendAt }));
    const second = ok(await send({ messaging_profile_id: pool.id, to, text: 'second', send_at: sendAt }));
    // Both due now, with their throughput slots taken, as queued sends are.
    await poolSql(
      pool.id,
      "UPDATE outbox SET state = 'queued', status = 'queued', reserved = 1, due_at = ? WHERE state = 'scheduled'",
      Date.now() - 1,
    );
    await fault({ target: 'api', path: '/v2/messages', count: 1, ...firstFault });
    const alarm = runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    return { pool, to, first: first.id as string, second: second.id as string, alarm };
  }

  /** Until the first send's request is out (its row `sending`): the pool takes other work meanwhile. */
  const whileFirstIsOut = (poolId: string, id: string) =>
    eventually(async () =>
      expect(await poolSql(poolId, 'SELECT state FROM outbox WHERE id = ?', id)).toEqual([{ state: 'sending' }]),
    );

  it('a send cancelled while the alarm waits on Telnyx for another is not sent', async () => {
    const { pool, first, second, alarm } = await twoDueSends({ kind: 'slow', delay_ms: 600 });
    await whileFirstIsOut(pool.id, first);
    const cancelled = await edge(`/v2/messages/${second}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    await alarm;
    expect((await simMessages()).map((m) => m.text)).toEqual(['first']);
    expect(await edgeStatus(second)).toBe('cancelled');
  });

  it('a send whose recipient opted out meanwhile fails as blocked (40300), not sent', async () => {
    const { pool, to, first, second, alarm } = await twoDueSends({ kind: 'slow', delay_ms: 600 });
    await whileFirstIsOut(pool.id, first);
    await poolSql(
      pool.id,
      "INSERT INTO opt_outs (recipient, sender, keyword, source, at) VALUES (?, NULL, 'STOP', 'inbound', ?)",
      to,
      Date.now(),
    );
    await alarm;
    expect((await simMessages()).map((m) => m.text)).toEqual(['first']);
    const message = await edgeMessage(second);
    expect(message.to[0].status).toBe('sending_failed');
    expect(message.errors[0].code).toBe('40300');
  });

  it("after Telnyx's 429 on one, the rest of the batch waits out the pause instead of trying", async () => {
    const { pool, second, alarm } = await twoDueSends({ kind: '429', reset_seconds: 2 });
    await alarm;
    expect(await simSends()).toHaveLength(1);
    const [pausedUntil] = await poolSql<{ value: string }>(pool.id, "SELECT value FROM kv WHERE key = 'paused_until'");
    const row = (await outbox(pool.id)).find((r) => r.id === second)!;
    expect(row.state).toBe('queued');
    expect(row.due_at).toBeGreaterThanOrEqual(Number(pausedUntil!.value));
  });
});

describe('an event whose forward cannot be queued', () => {
  it('is acted on once (one HELP reply), and only its forward is tried again', async () => {
    const person = recipient();
    await createPool(
      {
        edge: {
          forward_url: 'http://business.receiver.test/events',
          help: { brand: 'Acme', contact: 'help@acme.test' },
        },
      },
      [CHI],
    );
    // A body the forwarding queue refuses every time (over its 120 KiB): the forward always fails.
    const body = eventBody('message.received', {
      ...inboundPayload(person, CHI, 'HELP'),
      padding: 'x'.repeat(130_000),
    });
    expect((await postWebhook(body)).status).toBe(200);
    const eventId = (JSON.parse(body) as { data: { id: string } }).data.id;
    const pool = (await edge('/v2/messaging_profiles')).body.data[0] as { id: string };
    const handled = await eventHandled(pool.id, eventId, 15_000);
    expect(handled.state).toBe('failed');
    expect(handled.actions).toEqual(['help sent']);
    const [attempts] = await poolSql<{ attempts: number }>(
      pool.id,
      'SELECT attempts FROM inbox WHERE event_id = ?',
      eventId,
    );
    expect(attempts!.attempts).toBe(5);
    expect((await simMessagesTo(person)).map((m) => m.text)).toHaveLength(1);
  }, 20_000);
});

describe('row 14: Telnyx answers 5xx', () => {
  it('500: 502 "outcome unknown" with the edge id; one request; the alarm never resends it', async () => {
    const pool = await createPool({}, [CHI]);
    await fault({ target: 'api', kind: '500', count: 1, path: '/v2/messages' });
    const answer = await send({ messaging_profile_id: pool.id, to: recipient(), text: 'did it go?' });

    expect(answer.status).toBe(502);
    expect(answer.body.errors).toHaveLength(1);
    const error = answer.body.errors[0];
    expect(error).toMatchObject({ code: '10007', title: 'Outcome unknown' });
    expect(error.detail).toContain('will not resend');
    uuidLike(error.meta.edge_id);
    expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.ts|stack/i);
    const edgeId: string = error.meta.edge_id;
    expect(await simSends()).toEqual([expect.objectContaining({ status: 500, fault: '500' })]);

    const message = await edgeMessage(edgeId);
    expect(message).toMatchObject({ id: edgeId, from: { phone_number: CHI } });
    expect(message.to[0].status).toBe('unknown');

    // The pool waits for the message's webhook, up to 10 minutes; running its alarm sends nothing.
    const [row] = await outbox(pool.id);
    expect(row).toMatchObject({ state: 'unknown', attempts: 1 });
    expect(await poolAlarm(pool.id)).toBe(row!.updated_at + UNKNOWN_TIMEOUT_MS);
    expect(await runDurableObjectAlarm(poolStub(pool.id))).toBe(true);
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    expect(await simSends()).toHaveLength(1);
    expect(await edgeStatus(edgeId)).toBe('unknown');
  });

  it('an unknown send never confirmed is failed after 10 minutes, still not resent', async () => {
    const pool = await createPool({}, [CHI]);
    await fault({ target: 'api', kind: '500', count: 1, path: '/v2/messages' });
    const edgeId: string = (await send({ messaging_profile_id: pool.id, to: recipient(), text: 'lost?' })).body
      .errors[0].meta.edge_id;
    await tenMinutesPass(pool.id, edgeId);

    const message = await edgeMessage(edgeId);
    expect(message.to[0].status).toBe('sending_failed');
    expect(message.errors).toEqual([
      expect.objectContaining({
        code: '10007',
        title: 'Outcome unknown',
        detail: expect.stringContaining('not resent'),
      }),
    ]);
    expect(await simSends()).toHaveLength(1);
  });

  it('a send given up as unknown that Telnyx did send: its late receipts settle it and count for the number', async () => {
    const pool = await createPool({}, [CHI]);
    await fault({ target: 'api', kind: '500_after', count: 1, path: '/v2/messages' });
    const answer = await send({ messaging_profile_id: pool.id, to: recipient(), text: 'out after all' });
    const edgeId: string = answer.body.errors[0].meta.edge_id;
    await tenMinutesPass(pool.id, edgeId);
    expect((await edgeMessage(edgeId)).to[0].status).toBe('sending_failed');
    // The edge's own verdict is no outcome of the number's: Telnyx's, arriving late, is.
    await flush();
    await settled(edgeId);
    expect(await poolSql(pool.id, 'SELECT finalized, delivered FROM health WHERE phone_number = ?', CHI)).toEqual([
      { finalized: 1, delivered: 1 },
    ]);
  });

  it('500_after: Telnyx did send it; its message.sent and message.finalized (edge id in the URL) settle the edge’s row', async () => {
    const pool = await createPool({}, [CHI]);
    await fault({ target: 'api', kind: '500_after', count: 1, path: '/v2/messages' });
    const answer = await send({ messaging_profile_id: pool.id, to: recipient(), text: 'went out after all' });
    expect(answer.status).toBe(502);
    const edgeId: string = answer.body.errors[0].meta.edge_id;

    // The message did go out at the simulator, carrying the edge id in its webhook URL.
    const [atSimulator] = await simMessagesFor(edgeId);
    expect(atSimulator).toBeDefined();
    expect(await simSends()).toHaveLength(1);

    await flush();
    await settled(edgeId);
    const message = await edgeMessage(edgeId);
    expect(message).toMatchObject({ id: atSimulator.id, from: { phone_number: CHI } });
    expect(message.messaging_profile_id).toBe(pool.id);
    // Telnyx's id finds it too.
    expect((await edgeMessage(atSimulator.id)).to[0].status).toBe('delivered');
    const [row] = await outbox(pool.id);
    expect(row).toMatchObject({ state: 'sent', status: 'delivered', attempts: 1 });
    const actions = await poolSql<{ actions: string }>(pool.id, 'SELECT actions FROM inbox ORDER BY rowid');
    expect(actions.map((a) => JSON.parse(a.actions))).toContainEqual(expect.arrayContaining(['reconciled']));
    expect(await simSends()).toHaveLength(1);
  });

  // Telnyx took the message and its webhooks arrived (the pool handles them while it awaits the
  // request), then the answer was lost: the webhooks are the truth, so the send is answered as
  // delivered, not "unknown", and the row is not set back.
  it('a webhook that settles a send while its request is in flight is not undone when the request then fails', async () => {
    const pool = await createPool({}, [CHI]);
    const realFetch = globalThis.fetch;
    let settledInFlight = false;
    vi.spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      if (request.method !== 'POST' || new URL(request.url).pathname !== '/v2/messages') return realFetch(request);
      await realFetch(request); // Telnyx takes it ...
      await flush(); // ... its webhooks reach the edge, which acts on them ...
      settledInFlight = await eventually(async () => {
        expect((await outbox(pool.id))[0]!.status).toBe('delivered');
        return true;
      }, 3000).catch(() => false);
      throw new DOMException('The operation was aborted due to timeout', 'TimeoutError'); // ... its answer never does.
    });
    const answer = await send({ messaging_profile_id: pool.id, to: recipient(), text: 'fast webhooks' });
    vi.restoreAllMocks();

    // The premise: the row was settled (delivered) while the request was still under way.
    expect(settledInFlight).toBe(true);
    expect(answer.status).toBe(200);
    expect(answer.body.data.to[0].status).toBe('delivered');
    const edgeId = (await outbox(pool.id))[0]!.id;
    expect(await simMessagesFor(edgeId)).toHaveLength(1);
    await settled(edgeId, 'delivered', 2000);
    expect((await outbox(pool.id))[0]).toMatchObject({ state: 'sent', status: 'delivered' });
  });
});

describe('row 15: no answer from Telnyx', () => {
  it('a timeout is "outcome unknown", never resent', async () => {
    const pool = await createPool({}, [CHI]);
    const realFetch = globalThis.fetch;
    const spy = vi
      .spyOn(globalThis, 'fetch')
      .mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
        const request = new Request(input, init);
        if (request.method === 'POST' && new URL(request.url).pathname === '/v2/messages') {
          throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
        }
        return realFetch(request);
      });
    const answer = await send({ messaging_profile_id: pool.id, to: recipient(), text: 'no answer' });
    const telnyxCalls = spy.mock.calls.filter(([input]) =>
      String(input instanceof Request ? input.url : input).includes('/v2/messages'),
    );
    vi.restoreAllMocks();

    expect(answer.status).toBe(502);
    expect(answer.body.errors[0]).toMatchObject({ code: '10007', meta: { edge_id: expect.any(String) } });
    expect(telnyxCalls).toHaveLength(1);
    const edgeId: string = answer.body.errors[0].meta.edge_id;
    expect(await edgeStatus(edgeId)).toBe('unknown');
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    expect(await simSends()).toHaveLength(0);
    expect((await outbox(pool.id))[0]).toMatchObject({ state: 'unknown', attempts: 1 });
  });

  /** A pool with one message that was under way (`sending`) when its object stopped. */
  async function evictedMidSend() {
    // No webhooks during the test: they would arm the alarm and settle the row.
    await simSettings({ latency_ms: { sent: 600_000, finalized: 600_000, inbound: 0 } });
    const pool = await createPool({}, [{ phone_number: CHI, mps: 1 }]);
    ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'went out' }));
    const queued = ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'was leaving' }));
    // As #deliver leaves it just before the request: `sending`, one attempt. Then the object stops.
    await runInDurableObject(poolStub(pool.id), async (_instance, state) => {
      state.storage.sql.exec(
        "UPDATE outbox SET state = 'sending', status = 'sending', attempts = 1 WHERE id = ?",
        queued.id,
      );
      await state.storage.deleteAlarm();
    });
    await abortAllDurableObjects();
    return { pool, id: queued.id as string };
  }

  it('a row left in `sending` by an evicted object becomes `unknown` on restart and is never sent', async () => {
    const { pool, id } = await evictedMidSend();
    const row = (await outbox(pool.id)).find((r) => r.id === id)!;
    expect(row.state).toBe('unknown');
    // Its slot has long passed; the alarm, run twice, leaves it alone.
    await sleep(Math.max(0, row.due_at - Date.now()) + 50);
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    expect((await simMessages()).map((m) => m.text)).toEqual(['went out']);
    expect((await outbox(pool.id)).find((r) => r.id === id)!.state).toBe('unknown');
  }, 10_000);

  // The status (what GET /v2/messages/{id} shows) follows the state, as after a 5xx or timeout.
  it('GET /v2/messages/{id} reports it as unknown, as it does after a 5xx', async () => {
    const { id } = await evictedMidSend();
    expect(await edgeStatus(id)).toBe('unknown');
  });

  // Even in a quiet pool the 10-minute settlement comes: the restarted object arms its alarm.
  it('the restarted object arms its alarm for the 10-minute settlement of the unknown row', async () => {
    const { pool, id } = await evictedMidSend();
    const row = (await outbox(pool.id)).find((r) => r.id === id)!;
    expect(row.state).toBe('unknown');
    const alarm = await poolAlarm(pool.id);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(row.updated_at + UNKNOWN_TIMEOUT_MS);
  });
});

describe('row 16: Telnyx says the recipient opted out (409 / 40300)', () => {
  it('records the opt-out and tries no other number; later sends are refused before Telnyx', async () => {
    await simSettings({ stop_blocks: true });
    const person = recipient();
    // The person texted STOP to a number of the same Telnyx profile that is in no pool of the edge,
    // so Telnyx blocks the profile while the edge knows nothing of it.
    await inbound(person, '+14155550101', 'STOP');
    await flush();
    const pool = await createPool({}, [CHI, NYC, SFO]);

    const refused = await send({ messaging_profile_id: pool.id, to: person, text: 'hello?' });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors[0]).toMatchObject({ code: '40300' });
    const requests = await simSends();
    expect(requests).toEqual([expect.objectContaining({ status: 409 })]);

    const [row] = await outbox(pool.id);
    expect(row!.state).toBe('failed');
    const optOuts = ok(await edge(`/v2/messaging_optouts?filter[messaging_profile_id]=${pool.id}`));
    expect(optOuts).toEqual([
      expect.objectContaining({ messaging_profile_id: pool.id, to: person, from: row!.sender }),
    ]);
    expect(await poolSql(pool.id, 'SELECT source FROM opt_outs WHERE recipient = ?', person)).toEqual([
      { source: 'telnyx' },
    ]);

    const again = await send({ messaging_profile_id: pool.id, to: person, text: 'and now?' });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].code).toBe('40300');
    expect(await simSends()).toHaveLength(1);
    // The pool itself is not held up.
    expect(ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'someone else' }))).toBeDefined();
    await eventually(async () => expect(await simSends()).toHaveLength(2));
  });
});

describe('invalid source (40305 for the chosen number)', () => {
  // Geomatch picks the toll-free number for a recipient in its area code 888; Telnyx refuses it.
  const pool888 = () =>
    createPool(
      { number_pool_settings: { long_code_weight: 1, toll_free_weight: 1, skip_unhealthy: true, geomatch: true } },
      [{ phone_number: ORPHAN_TOLL_FREE, type: 'toll-free' }, CHI],
    );

  it('marks the number unhealthy and retries once from another number of the pool, which succeeds', async () => {
    const pool = await pool888();
    const answer = await send({ messaging_profile_id: pool.id, to: '+18885550177', text: 'toll-free to toll-free' });
    expect(answer.status).toBe(200);
    expect(ok(answer).from.phone_number).toBe(CHI);
    // The retry takes its own turn on the other number and in the account's rate (the refused
    // request counted too), so it may be queued for a few ms.
    await eventually(async () => expect((await simSends()).map((r) => r.status)).toEqual([400, 200]));
    expect(await simMessages()).toEqual([
      expect.objectContaining({ from: expect.objectContaining({ phone_number: CHI }) }),
    ]);
    await eventually(async () =>
      expect((await outbox(pool.id))[0]).toMatchObject({ state: 'sent', sender: CHI, attempts: 2 }),
    );

    const numbers = await listNumbers(pool.id);
    const health = Object.fromEntries(numbers.map((n) => [n.phone_number, n.health.healthy]));
    expect(health).toEqual({ [ORPHAN_TOLL_FREE]: false, [CHI]: true });

    // Now skipped at once, without asking Telnyx again.
    ok(await send({ messaging_profile_id: pool.id, to: '+18885550178', text: 'second' }));
    // (Queued for a few ms at most, behind the account lane's 1/50 s.)
    await eventually(async () => expect((await simSends()).map((r) => r.status)).toEqual([400, 200, 200]));
    expect((await simMessages()).map((m) => m.from.phone_number)).toEqual([CHI, CHI]);

    // Adding the number again (after fixing it at Telnyx) clears its health.
    await addNumber(pool.id, { phone_number: ORPHAN_TOLL_FREE, type: 'toll-free' });
    const after = await listNumbers(pool.id);
    expect(after.find((n) => n.phone_number === ORPHAN_TOLL_FREE).health.healthy).toBe(true);
  });

  it('a send that named the number itself (from) is not moved to another number', async () => {
    const pool = await pool888();
    const answer = await send({ messaging_profile_id: pool.id, from: ORPHAN_TOLL_FREE, to: recipient(), text: 'x' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors[0].code).toBe('40305');
    expect((await simSends()).map((r) => r.status)).toEqual([400]);
    expect((await outbox(pool.id))[0]).toMatchObject({ state: 'failed', sender: ORPHAN_TOLL_FREE });
  });

  // The retry reserves a turn on the new number's lane: never over a number's rate.
  it('the retry keeps to the other number’s throughput', async () => {
    const pool = await createPool(
      { number_pool_settings: { long_code_weight: 1, toll_free_weight: 1, skip_unhealthy: true, geomatch: true } },
      [
        { phone_number: ORPHAN_TOLL_FREE, type: 'toll-free' },
        { phone_number: CHI, mps: 1 },
      ],
    );
    // The account lane (50 parts a second) would queue the second send by a few ms; lift it.
    restore.push(await setPoolBindings(pool.id, { ACCOUNT_SMS_MPS: '10000' }));
    ok(await send({ messaging_profile_id: pool.id, from: CHI, to: recipient(), text: 'holds CHI for 1 s' }));
    const retried = await send({ messaging_profile_id: pool.id, to: '+18885550179', text: 'retried on CHI' });
    expect(retried.status).toBe(200);
    const chiSends = await eventually(async () => {
      const accepted = (await simSends()).filter((r) => r.status === 200).map((r) => Date.parse(r.at));
      expect(accepted).toHaveLength(2);
      return accepted;
    }, 3000);
    expect((await simMessages()).map((m) => m.from.phone_number)).toEqual([CHI, CHI]);
    // CHI sends 1 a second: its second message leaves no sooner than 1 s after its first.
    expect(chiSends[1]! - chiSends[0]!).toBeGreaterThanOrEqual(950);
  });
});

describe('row 24: two sends at the same moment, with Telnyx slow to answer', () => {
  it('two messages, each sent once', async () => {
    const pool = await createPool({}, [CHI, NYC]);
    await fault({ target: 'api', kind: 'slow', count: 2, path: '/v2/messages', delay_ms: 400 });
    const person = recipient();
    const answers = await Promise.all([
      send({ messaging_profile_id: pool.id, to: person, text: 'same moment' }),
      send({ messaging_profile_id: pool.id, to: person, text: 'same moment' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const rows = await outbox(pool.id);
    expect(rows).toHaveLength(2);
    expect(new Set(rows.map((r) => r.id)).size).toBe(2);

    await eventually(async () => expect(await simMessages()).toHaveLength(2));
    const atSimulator = await simMessages();
    expect(atSimulator.map((m) => m.edge_id).sort()).toEqual(rows.map((r) => r.id).sort());
    await Promise.all(rows.map((r) => settled(r.id)));
    expect(await simSends()).toHaveLength(2);
  });

  it('the same Idempotency-Key twice at once: one message', async () => {
    const pool = await createPool({}, [CHI]);
    await fault({ target: 'api', kind: 'slow', count: 2, path: '/v2/messages', delay_ms: 400 });
    const body = { messaging_profile_id: pool.id, to: recipient(), text: 'once only' };
    const key = { 'idempotency-key': crypto.randomUUID() };
    const answers = await Promise.all([send(body, key), send(body, key)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    // Both callers are told of the same message.
    expect(answers[1]!.body.data.id).toBe(answers[0]!.body.data.id);
    expect(await outbox(pool.id)).toHaveLength(1);
    await sleep(600);
    expect(await simSends()).toHaveLength(1);
  });
});

describe('row 23: the alarm runs twice, or throws and is retried', () => {
  /** A 1 MPS pool with two queued messages whose slots have come; no webhooks, no alarm of its own. */
  async function dueQueue() {
    await simSettings({ latency_ms: { sent: 600_000, finalized: 600_000, inbound: 0 } });
    const pool = await createPool({}, [{ phone_number: CHI, mps: 1 }]);
    const ids: string[] = [];
    for (const text of ['a', 'b', 'c'])
      ids.push(ok(await send({ messaging_profile_id: pool.id, to: recipient(), text })).id);
    await runInDurableObject(poolStub(pool.id), (_instance, state) => state.storage.deleteAlarm());
    const rows = await outbox(pool.id);
    await sleep(Math.max(0, rows[2]!.due_at - Date.now()) + 50);
    return { pool, queued: ids.slice(1) };
  }

  it('twice in a row sends each due message once', async () => {
    const { pool, queued } = await dueQueue();
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    expect(await runDurableObjectAlarm(poolStub(pool.id))).toBe(false);
    const messages = await simMessages();
    expect(messages.map((m) => m.text)).toEqual(['a', 'b', 'c']);
    expect(messages.slice(1).map((m) => m.edge_id)).toEqual(queued);
    expect((await outbox(pool.id)).map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
  }, 10_000);

  it('an alarm that cannot reach Telnyx (TELNYX_API_KEY missing) keeps its sends queued, and sends each once later', async () => {
    const { pool, queued } = await dueQueue();
    const undo = await setPoolBindings(pool.id, { TELNYX_API_KEY: '' });
    restore.push(undo);
    const before = Date.now();
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    expect(await simMessages()).toHaveLength(1);
    const waiting = (await outbox(pool.id)).filter((r) => queued.includes(r.id));
    expect(waiting.map((r) => r.state)).toEqual(['queued', 'queued']);
    // Tried again a minute later, and the alarm is set for it.
    for (const row of waiting) expect(row.due_at).toBeGreaterThanOrEqual(before + 60_000);
    expect(await poolAlarm(pool.id)).toBeGreaterThanOrEqual(before + 60_000);
    // A new send says why at once, rather than accepting what it cannot send.
    const refused = await send({ messaging_profile_id: pool.id, to: recipient(), text: 'now?' });
    expect(refused.status).toBe(503);
    expect(refused.body.errors[0].detail).toMatch(/TELNYX_API_KEY/);

    await undo();
    await runInDurableObject(poolStub(pool.id), (_instance, state) => {
      state.storage.sql.exec("UPDATE outbox SET due_at = ? WHERE state = 'queued'", Date.now());
    });
    // Each takes a new turn on its number (1 a second), and the pool's own alarm sends it.
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    const messages = await eventually(async () => {
      const all = await simMessages();
      expect(all).toHaveLength(3);
      return all;
    }, 6000);
    expect(
      messages
        .map((m) => m.edge_id)
        .slice(1)
        .sort(),
    ).toEqual([...queued].sort());
  }, 15_000);
});

describe('a burst of webhooks for one pool', () => {
  it('stores every event once, in fewer calls to the pool than webhooks, each answered 200', async () => {
    const pool = await createPool({}, [CHI]);
    const receive = vi.spyOn(NumberPool.prototype, 'receiveEvents');
    const events = Array.from({ length: 40 }, (_, i) =>
      eventBody('message.received', inboundPayload(recipient(), CHI, `burst ${i}`)),
    );
    // The first delivery of one event again, in the same burst: counted, not stored twice.
    events.push(events[0]!);
    const answers = await Promise.all(events.map((body) => postWebhook(body)));
    expect(answers.map((a) => a.status)).toEqual(events.map(() => 200));
    const ids = events.map((body) => JSON.parse(body).data.id as string);
    const inbox = await poolSql<{ event_id: string; deliveries: number }>(
      pool.id,
      'SELECT event_id, deliveries FROM inbox',
    );
    expect(inbox.map((r) => r.event_id).sort()).toEqual([...new Set(ids)].sort());
    expect(inbox.find((r) => r.event_id === ids[0])!.deliveries).toBe(2);
    expect(receive.mock.calls.flatMap(([, batch]) => batch.map((e) => e.id)).sort()).toEqual([...ids].sort());
    expect(receive.mock.calls.length).toBeLessThanOrEqual(events.length / 2);
  });
});

describe("the pool's storage stays bounded", () => {
  it('forgets inbox events after a week and settled messages after 30 days, keeping what is still to send', async () => {
    const pool = await createPool({}, [CHI]);
    const day = 86_400_000;
    const now = Date.now();
    await runInDurableObject(poolStub(pool.id), (_instance, state) => {
      const sql = state.storage.sql;
      const inbox = (id: string, receivedAt: number, recorded: number) =>
        sql.exec(
          `INSERT INTO inbox (event_id, seq, event_type, path, body, state, received_at, recorded)
           VALUES (?, 0, 'message.finalized', '/webhooks/messaging', '{}', 'done', ?, ?)`,
          id,
          receivedAt,
          recorded,
        );
      inbox('old', now - 8 * day, 1);
      inbox('old, history not yet in D1', now - 8 * day, 0);
      inbox('recent', now - 6 * day, 1);
      const outbox = (id: string, state: string, createdAt: number) =>
        sql.exec(
          `INSERT INTO outbox (id, seq, kind, state, due_at, created_at, updated_at, request)
           VALUES (?, 0, 'send', ?, ?, ?, ?, '{}')`,
          id,
          state,
          now + day,
          createdAt,
          createdAt,
        );
      outbox('old sent', 'sent', now - 31 * day);
      outbox('old failed', 'failed', now - 31 * day);
      outbox('old but scheduled', 'scheduled', now - 31 * day);
      outbox('recent sent', 'sent', now - 29 * day);
    });
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    const inboxLeft = await poolSql<{ event_id: string }>(pool.id, 'SELECT event_id FROM inbox ORDER BY event_id');
    // An old event whose history had not reached D1 goes there first, then it too is forgotten.
    expect(inboxLeft.map((r) => r.event_id)).toEqual(['recent']);
    expect(await processedEvent('old, history not yet in D1')).toMatchObject({ state: 'processed' });
    const outboxLeft = await poolSql<{ id: string }>(pool.id, 'SELECT id FROM outbox ORDER BY id');
    expect(outboxLeft.map((r) => r.id)).toEqual(['old but scheduled', 'recent sent']);
  });
});

describe('rows 7 and 8: the same webhook twice', () => {
  it('a duplicate delivery (same event id) is acted on once, and counted', async () => {
    const pool = await createPool({ edge: { forward_url: 'http://business.receiver.test/events' } }, [CHI]);
    await fault({ target: 'webhooks', kind: 'duplicate', count: 1 });
    const message = ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'twice told' }));
    await flush();

    const attempts = await deliveries(`?message_id=${message.id}`);
    const sentEvent = attempts.filter((d) => d.event_type === 'message.sent');
    expect(sentEvent).toHaveLength(2);
    expect(sentEvent.map((d) => d.status)).toEqual([200, 200]);
    expect(sentEvent[0]!.event_id).toBe(sentEvent[1]!.event_id);
    const eventId = sentEvent[0]!.event_id;

    const inbox = await eventHandled(pool.id, eventId);
    expect(inbox).toMatchObject({ state: 'done', deliveries: 2, actions: ['status:sent'] });
    expect(await poolSql(pool.id, 'SELECT event_id FROM inbox WHERE event_id = ?', eventId)).toHaveLength(1);
    // Forwarded once: the business sees the event once.
    await eventually(async () => {
      const forwarded = await receivedAt('business.receiver.test');
      expect(forwarded.filter((r) => r.headers['webhook-id'] === eventId)).toHaveLength(1);
    });
    await settled(message.id);
    expect(
      (await receivedAt('business.receiver.test')).filter((r) => r.headers['webhook-id'] === eventId),
    ).toHaveLength(1);
    // The pool's history in D1 (written in batches, within seconds): one row, two deliveries.
    expect(await processedEvent(eventId, 10_000)).toMatchObject({
      state: 'processed',
      deliveries: 2,
      event_type: 'message.sent',
    });
  }, 20_000);

  it('two identical deliveries at the same moment: one inbox row, one HELP reply', async () => {
    const pool = await createPool({ edge: { help: { brand: 'Acme', contact: 'help@acme.test' } } }, [CHI]);
    const person = recipient();
    const eventId = crypto.randomUUID();
    const body = eventBody('message.received', inboundPayload(person, CHI, 'HELP'), eventId);
    const answers = await Promise.all([postWebhook(body), postWebhook(body)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);

    expect(await eventHandled(pool.id, eventId)).toMatchObject({
      state: 'done',
      deliveries: 2,
      actions: ['help sent'],
    });
    await eventually(async () => expect(await simMessages()).toHaveLength(1));
    await sleep(300);
    const replies = await simMessages();
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatchObject({ from: expect.objectContaining({ phone_number: CHI }) });
    expect(replies[0].to[0].phone_number).toBe(person);
    expect(replies[0].text).toContain('Acme');
  });
});

describe('a message whose every webhook was lost', () => {
  it('is read back by the hourly housekeeping, acted on and forwarded as a read-back; the late webhook counts no health twice', async () => {
    const pool = await createPool({ edge: { forward_url: 'http://business.receiver.test/events' } }, [CHI]);
    await fault({ target: 'webhooks', kind: 'drop', count: 2 });
    const message = ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'never heard back' }));
    await flush();
    // The answer names the message by Telnyx's id once Telnyx took it.
    const telnyxId = message.id as string;
    expect(await poolSql(pool.id, 'SELECT 1 FROM outbox WHERE telnyx_id = ?', telnyxId)).toHaveLength(1);
    expect(await edgeStatus(message.id as string)).toBe('queued');
    expect(await receivedAt('business.receiver.test')).toEqual([]);

    const stub = poolStub(pool.id);
    expect(await stub.housekeep(Date.now() + 2 * 3_600_000)).toMatchObject({ checked: 1, settled: 1 });
    const readBackId = `read-back:${telnyxId}:delivered`;
    expect((await eventHandled(pool.id, readBackId)).actions).toEqual(['health', 'status:delivered']);
    expect(await edgeStatus(message.id as string)).toBe('delivered');
    const forwarded = await eventually(async () => {
      const at = (await receivedAt('business.receiver.test')).filter((r) => r.headers['webhook-id'] === readBackId);
      expect(at).toHaveLength(1);
      return JSON.parse(at[0]!.body) as {
        data: { event_type: string; payload: { id: string; to: Array<{ status: string }> } };
        meta: { read_back?: boolean };
      };
    });
    expect(forwarded.data.event_type).toBe('message.finalized');
    expect(forwarded.data.payload.id).toBe(telnyxId);
    expect(forwarded.data.payload.to[0]!.status).toBe('delivered');
    expect(forwarded.meta.read_back).toBe(true);
    const health = () => poolSql(pool.id, 'SELECT finalized, delivered FROM health WHERE phone_number = ?', CHI);
    expect(await health()).toEqual([{ finalized: 1, delivered: 1 }]);

    // Nothing left to ask about; the same news read back again would be the same event.
    expect(await stub.housekeep(Date.now() + 3 * 3_600_000)).toMatchObject({ checked: 0, settled: 0 });
    // Telnyx's own webhook, late: acted on and forwarded as the event it is, but the number's
    // health already knows this message.
    const [simMessage] = await simMessages();
    const late = eventBody('message.finalized', simMessage!);
    expect((await postWebhook(late)).status).toBe(200);
    const lateId = (JSON.parse(late) as { data: { id: string } }).data.id;
    expect((await eventHandled(pool.id, lateId)).actions).toEqual(['status:delivered']);
    expect(await health()).toEqual([{ finalized: 1, delivered: 1 }]);
  }, 20_000);
});

describe('message records D1 refuses', () => {
  afterEach(async () => {
    const away = await env.DB.prepare("SELECT 1 FROM sqlite_master WHERE name = 'messages_away'").first();
    if (away) await env.DB.exec('ALTER TABLE messages_away RENAME TO messages');
  });

  it('are kept in the pool, survive an eviction, and are written by an alarm a minute later', async () => {
    const pool = await createPool({}, [CHI]);
    await env.DB.exec('ALTER TABLE messages RENAME TO messages_away'); // every record write now fails
    const message = ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'recorded later' }));
    await flush();
    // GET /v2/messages/{id} finds the message in its pool although D1 has no record of it.
    await settled(message.id as string);
    // Sent and settled all the same; its newest record waits in the pool, one row for the message.
    const waiting = await eventually(async () => {
      const rows = await poolSql<{ record: string; failed_at: number }>(pool.id, 'SELECT * FROM unrecorded');
      expect(rows).toHaveLength(1);
      expect(JSON.parse(rows[0]!.record)).toMatchObject({ telnyx_id: message.id, status: 'delivered' });
      return rows[0]!;
    });
    // An alarm comes by the retry minute at the latest (sooner when the pool has other work).
    const alarm = await poolAlarm(pool.id);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(waiting.failed_at + 60_000);

    await abortAllDurableObjects(); // what the pool held in memory is gone
    await env.DB.exec('ALTER TABLE messages_away RENAME TO messages');
    const recorded = () =>
      env.DB.prepare('SELECT status FROM messages WHERE telnyx_id = ?').bind(message.id).first<{ status: string }>();
    expect(await recorded()).toBeNull();
    await runInDurableObject(poolStub(pool.id), (instance) => instance.alarm());
    expect(await recorded()).toEqual({ status: 'delivered' });
    expect(await poolSql(pool.id, 'SELECT * FROM unrecorded')).toEqual([]);
  }, 20_000);
  it('leave a scheduled message readable and cancellable', async () => {
    const pool = await createPool({}, [CHI]);
    await env.DB.exec('ALTER TABLE messages RENAME TO messages_away');
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = ok(
      await send({ messaging_profile_id: pool.id, to: recipient(), text: 'later', send_at: sendAt }),
    );
    expect(await edgeStatus(scheduled.id as string)).toBe('scheduled');
    const cancelled = await edge(`/v2/messages/${scheduled.id}`, { method: 'DELETE' });
    expect(cancelled.status).toBe(200);
    expect(await edgeStatus(scheduled.id as string)).toBe('cancelled');
    // An id no pool holds is still a 404.
    expect((await edge(`/v2/messages/${crypto.randomUUID()}`)).status).toBe(404);
  });
});

describe('row 9: events out of order', () => {
  it('message.finalized before message.sent: the message stays delivered', async () => {
    const pool = await createPool({}, [CHI]);
    await fault({ target: 'webhooks', kind: 'reorder', count: 2 });
    const message = ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'backwards' }));
    await flush();
    const order = (await deliveries(`?message_id=${message.id}`)).map((d) => d.event_type);
    expect(order).toEqual(['message.finalized', 'message.sent']);

    const sentEventId = (await deliveries(`?message_id=${message.id}&event_type=message.sent`))[0]!.event_id;
    const late = await eventHandled(pool.id, sentEventId);
    expect(late.actions).toContain('stale event');
    expect(await edgeStatus(message.id)).toBe('delivered');
    const [row] = await outbox(pool.id);
    expect(row).toMatchObject({ state: 'sent', status: 'delivered' });
    expect((await edgeMessage(message.id)).completed_at).not.toBeNull();
  });
});

describe('row 10: a slow business URL', () => {
  it('the webhook is answered at once; the event reaches the slow URL afterwards', async () => {
    const pool = await createPool({ edge: { forward_url: 'http://slow.receiver.test/events' } }, [CHI]);
    await receiver('script', { otherwise: { delay_ms: 3000 } });
    const eventId = crypto.randomUUID();
    const body = eventBody('message.received', inboundPayload(recipient(), CHI, 'just saying hi'), eventId);

    const answer = await postWebhook(body);
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(1000);

    expect(await eventHandled(pool.id, eventId)).toMatchObject({ state: 'done', actions: ['received'] });
    const forwarded = await eventually(async () => {
      const at = (await receivedAt('slow.receiver.test')).filter((r) => r.headers['webhook-id'] === eventId);
      expect(at).toHaveLength(1);
      return at[0]!;
    }, 5000);
    expect(forwarded.body).toBe(body);
  }, 10_000);

  it('a delivery from the simulator is answered well under 2 s too', async () => {
    await createPool({ edge: { forward_url: 'http://slow.receiver.test/events' } }, [CHI]);
    await receiver('script', { otherwise: { delay_ms: 3000 } });
    const { eventId } = await inbound(recipient(), CHI, 'hello there');
    await flush();
    const [attempt] = await deliveries(`?event_id=${eventId}`);
    expect(attempt).toMatchObject({ status: 200, outcome: 'delivered', attempt: 1 });
    expect((attempt as unknown as { latency_ms: number }).latency_ms).toBeLessThan(1000);
  });
});

describe('row 12: unknown or malformed events', () => {
  it('an unknown event_type for a pool number: 200, stored, ignored', async () => {
    const pool = await createPool({}, [CHI]);
    const eventId = crypto.randomUUID();
    const body = eventBody(
      'message.teleported',
      { id: crypto.randomUUID(), from: { phone_number: CHI }, to: [{ phone_number: recipient() }], warp: 9 },
      eventId,
    );
    expect((await postWebhook(body)).status).toBe(200);
    expect(await eventHandled(pool.id, eventId)).toEqual({ state: 'done', deliveries: 1, actions: ['ignored'] });
    const [stored] = await poolSql<{ event_type: string; body: string }>(
      pool.id,
      'SELECT event_type, body FROM inbox WHERE event_id = ?',
      eventId,
    );
    expect(stored).toEqual({ event_type: 'message.teleported', body });
    expect(await outbox(pool.id)).toEqual([]);
    expect(await simSends()).toHaveLength(0);
  });

  it('a receipt with fields of the wrong shape: 200, stored, nothing changed, nothing thrown', async () => {
    const pool = await createPool({}, [CHI]);
    const message = ok(await send({ messaging_profile_id: pool.id, to: recipient(), text: 'before' }));
    await flush();
    await settled(message.id);
    const eventId = crypto.randomUUID();
    const body = eventBody(
      'message.finalized',
      { id: 42, from: { phone_number: CHI }, to: 'not a list', errors: { code: 40002 }, completed_at: [] },
      eventId,
    );
    expect((await postWebhook(body)).status).toBe(200);
    expect((await eventHandled(pool.id, eventId)).state).toBe('done');
    expect(await edgeStatus(message.id)).toBe('delivered');
  });

  it('an event with no payload at all: 200, kept as no_pool', async () => {
    const eventId = crypto.randomUUID();
    const body = JSON.stringify({ data: { record_type: 'event', id: eventId, event_type: 'message.sent' } });
    expect((await postWebhook(body)).status).toBe(200);
    expect(await processedEvent(eventId)).toMatchObject({ state: 'no_pool' });
  });
});
