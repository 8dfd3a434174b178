// The pool's throughput lanes, through the bundle and the Telnyx simulator: a number at 1 MPS sends
// its first message at once and queues the rest (answered "queued" with edge ids), which its alarm
// sends in order, 1 s apart; a message's parts count against the lane; SMS and MMS share a number's
// lane but have their own account lanes (50 SMS parts and 15 MMS a second per pool, and smaller
// caps set on the pool's bindings); the queue horizon (4 h by default, or QUEUE_HORIZON_SECONDS)
// refuses with 429 / 40318 and retry-after, storing and reserving nothing.
//
// A pool's Durable Object reads its own bindings, so an env passed to worker.fetch does not reach
// it: caps and the horizon are set on the object (setPoolBindings) and put back after each test.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resetSimulator } from '../support/sim';
import {
  createPool,
  edgeStatus,
  eventually,
  ok,
  outbox,
  poolAlarm,
  poolSql,
  removeAllPools,
  send,
  setPoolBindings,
  simMessages,
  simSends,
  sleep,
  type Answer,
  type Json,
} from './support';

const CHI = '+13125550100';
const NYC = '+12125550100';
const SFO = '+14155550100';
const AUSTIN_1 = '+15125550100';
const AUSTIN_2 = '+15125550101';
const RECIPIENT = '+13125550123';
const OTHER_RECIPIENT = '+12125550177';
const UK_RECIPIENT = '+447400123411';
const MEDIA = ['https://media.example.com/cat.jpg'];

let restore: Array<() => Promise<void>> = [];

beforeEach(async () => {
  // The simulator stops delivering the last test's webhooks, the pools are deleted (which cancels
  // their alarms), and the simulator is reset again for whatever slipped in between.
  await resetSimulator();
  await removeAllPools();
  await resetSimulator();
});

afterEach(async () => {
  for (const undo of restore.reverse()) await undo();
  restore = [];
});

async function bindings(profileId: string, values: Record<string, string>): Promise<void> {
  restore.push(await setPoolBindings(profileId, values));
}

async function sendAll(profileId: string, bodies: Array<Record<string, unknown>>): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const body of bodies) answers.push(await send({ messaging_profile_id: profileId, to: RECIPIENT, ...body }));
  return answers;
}

describe('a number at 1 MPS', () => {
  it('sends the first message at once and queues the rest, which leave in order about 1 s apart', async () => {
    const pool = await createPool({}, [{ phone_number: CHI, mps: 1 }]);
    const texts = ['one', 'two', 'three', 'four'];
    const answers = await sendAll(
      pool.id,
      texts.map((text) => ({ text })),
    );
    const [first, ...queued] = answers.map(ok) as Json[];

    // The first is Telnyx's own message; only it has reached the simulator so far.
    const atSimulator = await simMessages();
    expect(atSimulator.map((m) => m.id)).toEqual([first.id]);
    expect(atSimulator[0].text).toBe('one');
    expect(await simSends()).toHaveLength(1);

    // The others are the edge's, queued, from the pool's number.
    for (const message of queued) {
      expect(message.to[0].status).toBe('queued');
      expect(message.from.phone_number).toBe(CHI);
      expect(message.sent_at).toBeNull();
      expect(await edgeStatus(message.id)).toBe('queued');
    }

    // Their slots are exactly one second apart, and the alarm is set no later than the first of
    // them (earlier when a webhook of the first message is waiting in the inbox).
    const rows = await outbox(pool.id);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'queued', 'queued', 'queued']);
    expect(rows.slice(1).map((r) => r.id)).toEqual(queued.map((m) => m.id));
    expect(rows.slice(1).map((r, i) => r.due_at - rows[i]!.due_at)).toEqual([1000, 1000, 1000]);
    const alarm = await poolAlarm(pool.id);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(rows[1]!.due_at);

    // The alarm sends them, in order, each at its slot.
    const sent = await eventually(async () => {
      const messages = await simMessages();
      expect(messages).toHaveLength(4);
      return messages;
    }, 8000);
    expect(sent.map((m) => m.text)).toEqual(texts);
    expect(sent.map((m) => m.edge_id)).toEqual(rows.map((r) => r.id));
    const times = (await simSends()).map((r) => Date.parse(r.at));
    expect(times).toHaveLength(4);
    times.slice(1).forEach((at, i) => {
      expect(at - times[i]!).toBeGreaterThanOrEqual(900);
      expect(at - times[i]!).toBeLessThanOrEqual(1800);
      expect(at).toBeGreaterThanOrEqual(rows[i + 1]!.due_at);
    });
    await eventually(async () => expect(await edgeStatus(queued[2].id)).toMatch(/^(sent|delivered)$/));
  }, 20_000);

  it('counts a message’s parts: a 3-part SMS holds the lane 3 s', async () => {
    const pool = await createPool({}, [{ phone_number: CHI, mps: 1 }]);
    const [long, short] = await sendAll(pool.id, [{ text: 'x'.repeat(400) }, { text: 'after the long one' }]);
    expect(ok(long!).parts).toBe(3);
    expect(ok(short!).to[0].status).toBe('queued');
    const rows = await outbox(pool.id);
    expect(rows[1]!.due_at - rows[0]!.due_at).toBe(3000);
  });

  it('each number has its own lane: a second number of the pool sends at once', async () => {
    const pool = await createPool({}, [
      { phone_number: CHI, mps: 1 },
      { phone_number: NYC, mps: 1 },
    ]);
    const answers = await sendAll(pool.id, [
      { from: CHI, text: 'chi 1' },
      { from: NYC, text: 'nyc 1' },
      { from: CHI, text: 'chi 2' },
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const rows = await outbox(pool.id);
    expect(rows.map((r) => [r.sender, r.state])).toEqual([
      [CHI, 'sent'],
      [NYC, expect.stringMatching(/^(sent|queued)$/)],
      [CHI, 'queued'],
    ]);
    // NYC waits at most for the account lane (1/50 s after CHI's first part), not for CHI's second.
    expect(rows[1]!.due_at - rows[0]!.due_at).toBeLessThanOrEqual(20);
    expect(rows[2]!.due_at - rows[0]!.due_at).toBe(1000);
  });

  // The account's rate is counted per second and filled out of order (account-rate.ts): a send
  // queued far ahead on a slow number holds no other number back now. A long code sends 0.1 a
  // second outside the US, so two texts to the UK put the second one 10 s out.
  it('a message queued on a slow number does not hold back the pool’s other numbers', async () => {
    // The simulator's Support profile (Austin's numbers) may send to GB.
    const pool = await createPool({ whitelisted_destinations: ['US', 'CA', 'GB'] }, [AUSTIN_1, AUSTIN_2]);
    const answers = await sendAll(pool.id, [
      { from: AUSTIN_1, to: UK_RECIPIENT, text: 'uk 1' },
      { from: AUSTIN_1, to: UK_RECIPIENT, text: 'uk 2: 10 s later on this number' },
      { from: AUSTIN_2, text: 'another number, to the US' },
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const rows = await outbox(pool.id);
    expect(rows.map((r) => r.sender)).toEqual([AUSTIN_1, AUSTIN_1, AUSTIN_2]);
    expect(rows[1]!.due_at - rows[0]!.due_at).toBe(10_000);
    // At most the account lane's 1/50 s after the last message that left, not 10 s.
    expect(rows[2]!.due_at - rows[0]!.due_at).toBeLessThanOrEqual(1000);
  });
});

describe('SMS and MMS lanes', () => {
  it('share a number’s lane: an MMS waits behind an SMS from the same number (an MMS is 1 part)', async () => {
    const pool = await createPool({}, [{ phone_number: CHI, mps: 1 }]);
    const answers = await sendAll(pool.id, [
      { text: 'sms first' },
      { text: 'then a picture', media_urls: MEDIA },
      { text: 'y'.repeat(300) },
    ]);
    expect(answers.map((a) => ok(a).type)).toEqual(['SMS', 'MMS', 'SMS']);
    const rows = await outbox(pool.id);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'queued', 'queued']);
    expect(rows.slice(1).map((r, i) => r.due_at - rows[i]!.due_at)).toEqual([1000, 1000]);
  });

  it('have their own account lanes: with the SMS lane full an MMS still goes at once, and the other way round', async () => {
    const pool = await createPool({}, [CHI, NYC, SFO]);
    await bindings(pool.id, { ACCOUNT_SMS_MPS: '1', ACCOUNT_MMS_MPS: '1' });
    const answers = await sendAll(pool.id, [
      { from: CHI, text: 'sms 1' },
      { from: NYC, text: 'sms 2 waits for the account' },
      { from: SFO, text: 'mms 1', media_urls: MEDIA },
      { from: CHI, text: 'mms 2 waits for the account', media_urls: MEDIA },
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const rows = await outbox(pool.id);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'queued', 'sent', 'queued']);
    // Each number's own lane (long code to the US: 75 a second) is far from full: the account's is.
    expect(rows[1]!.due_at - rows[0]!.due_at).toBe(1000);
    expect(rows[3]!.due_at - rows[2]!.due_at).toBe(1000);
    expect((await simMessages()).map((m) => m.text)).toEqual(['sms 1', 'mms 1']);

    const sent = await eventually(async () => {
      const messages = await simMessages();
      expect(messages).toHaveLength(4);
      return messages;
    }, 6000);
    expect(
      sent
        .map((m) => m.text)
        .slice(2)
        .sort(),
    ).toEqual(['mms 2 waits for the account', 'sms 2 waits for the account']);
  }, 15_000);

  it('the default account cap is 50 SMS parts a second: a 10-part SMS holds the lane 200 ms for the next number', async () => {
    const pool = await createPool({}, [CHI, NYC, SFO]);
    const answers = await sendAll(pool.id, [
      { from: CHI, text: 'z'.repeat(1500) },
      { from: NYC, text: 'next number, same account lane' },
      { from: SFO, text: 'an MMS is not held up', media_urls: MEDIA },
    ]);
    expect(ok(answers[0]!).parts).toBe(10);
    const rows = await outbox(pool.id);
    expect(rows.map((r) => r.state)).toEqual(['sent', 'queued', 'sent']);
    expect(rows[1]!.due_at - rows[0]!.due_at).toBe(200);
    await eventually(async () => expect(await simSends()).toHaveLength(3));
  });
});

describe('the queue horizon', () => {
  it('refuses a send that would wait past 4 h with 429 / 40318 and retry-after, storing and reserving nothing', async () => {
    // 0.0001 parts a second: every message holds the number's lane 10,000 s.
    const pool = await createPool({}, [{ phone_number: CHI, mps: 0.0001 }]);
    const [first, second] = await sendAll(pool.id, [{ text: 'at once' }, { text: 'in 10,000 s' }]);
    expect(ok(first!).to[0].status).toBe('queued');
    expect(ok(second!).to[0].status).toBe('queued');
    const lane = async () =>
      (
        await poolSql<{ next_free_at: number }>(
          pool.id,
          'SELECT next_free_at FROM lanes WHERE lane = ?',
          `number:${CHI}`,
        )
      )[0]!.next_free_at;
    const laneBefore = await lane();
    const rowsBefore = await outbox(pool.id);
    expect(laneBefore - rowsBefore[0]!.due_at).toBe(20_000_000);

    const refused = await send({ messaging_profile_id: pool.id, to: OTHER_RECIPIENT, text: 'in 20,000 s: too late' });
    expect(refused.status).toBe(429);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors[0]).toMatchObject({ code: '40318', title: 'Message queue full' });
    expect(refused.body.errors[0].detail).toContain('14400 s');
    // 20,000 s of queue against a 14,400 s horizon: room again in 5,600 s.
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(5599);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(5600);

    expect(await outbox(pool.id)).toEqual(rowsBefore);
    expect(await lane()).toBe(laneBefore);
    expect(await simSends()).toHaveLength(1);
    // Refused again, no worse: nothing was reserved by the first refusal.
    const again = await send({ messaging_profile_id: pool.id, to: OTHER_RECIPIENT, text: 'still too late' });
    expect(again.status).toBe(429);
    expect(Number(again.headers.get('retry-after'))).toBeLessThanOrEqual(5600);
  });

  it('QUEUE_HORIZON_SECONDS=2 at 1 MPS: three sends fit, the fourth is refused for 1 s, then there is room', async () => {
    const pool = await createPool({}, [{ phone_number: CHI, mps: 1 }]);
    await bindings(pool.id, { QUEUE_HORIZON_SECONDS: '2' });
    const answers = await sendAll(pool.id, [{ text: 'now' }, { text: '+1 s' }, { text: '+2 s' }, { text: '+3 s' }]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
    const refused = answers[3]!;
    expect(refused.body.errors[0]).toMatchObject({ code: '40318' });
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.data).toBeUndefined();
    const stored = await poolSql<{ request: string }>(pool.id, 'SELECT request FROM outbox ORDER BY seq');
    expect(stored.map((r) => JSON.parse(r.request).text)).toEqual(['now', '+1 s', '+2 s']);

    await sleep(1100);
    const later = await send({ messaging_profile_id: pool.id, to: RECIPIENT, text: 'after retry-after' });
    expect(later.status).toBe(200);
    expect(ok(later).to[0].status).toBe('queued');
  }, 10_000);
});
