// Throughput as Telnyx applies it (sim/messaging/throughput.ts): a number's mps (set with
// PATCH /sim/numbers) spaces its sends in simulator time, each part taking 1/mps seconds, shown in
// wait_seconds and in message.sent's occurred_at and sent_at; the account-wide SMS and MMS lanes;
// a long code's 0.1 mps to other countries; and the queue horizon: a send that would wait longer
// is refused with 429 / 40318 and retry-after, leaving nothing behind, and accepted once the queue
// has moved on.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AUSTIN,
  CHICAGO,
  advanceClock,
  api,
  controlOk,
  expectError,
  flush,
  patchSettings,
  received,
  resetAll,
  send,
  simState,
  storedMessages,
  type Message,
} from './support';

const NEW_YORK = '+12125550100';

/**
 * A send queued behind `seconds` of earlier sends waits that long, less the real time that passed
 * between the sends (a few milliseconds).
 */
function expectWait(message: Message, seconds: number): void {
  expect(message.wait_seconds).toBeLessThanOrEqual(seconds);
  expect(message.wait_seconds).toBeGreaterThan(seconds - 0.25);
}

function sendFrom(from: string, to: string, text = 'Queued up') {
  return send({ from, to, text });
}

async function sentWebhooks() {
  await flush();
  return (await received()).filter((w) => w.json.data.event_type === 'message.sent').map((w) => w.json.data);
}

beforeEach(() => resetAll());

describe("a number's mps", () => {
  it('spaces sends 1/mps seconds apart', async () => {
    const { data } = await controlOk<{ data: { mps: number } }>(
      'PATCH',
      `/sim/numbers/${CHICAGO}`, // a literal + in a path stays a +
      { mps: 1 },
    );
    expect(data.mps).toBe(1);
    const messages = [];
    for (const to of ['+12065550123', '+12065550124', '+12065550125']) messages.push(await sendFrom(CHICAGO, to));

    expect(messages[0]!.wait_seconds).toBeNull();
    expectWait(messages[1]!, 1);
    expectWait(messages[2]!, 2);

    const sent = await sentWebhooks();
    expect(sent.map((e) => e.payload.id)).toEqual(messages.map((m) => m.id));
    const times = sent.map((e) => Date.parse(e.occurred_at));
    expect(times[1]! - times[0]!).toBe(1000);
    expect(times[2]! - times[1]!).toBe(1000);
    for (const event of sent) expect(event.payload.sent_at).toBe(event.occurred_at);
  });

  it('counts every part of a message', async () => {
    await controlOk('PATCH', `/sim/numbers/${encodeURIComponent(CHICAGO)}`, { mps: 1 });
    await sendFrom(CHICAGO, '+12065550123', 'x'.repeat(200)); // 2 parts
    const next = await sendFrom(CHICAGO, '+12065550124');
    expectWait(next, 2);
  });

  it('queues each number on its own', async () => {
    await controlOk('PATCH', `/sim/numbers/${encodeURIComponent(CHICAGO)}`, { mps: 1 });
    await sendFrom(CHICAGO, '+12065550123');
    // At most the account's 1/50 s between any two SMS; nothing of Chicago's 1 s.
    expect((await sendFrom(NEW_YORK, '+12065550124')).wait_seconds ?? 0).toBeLessThan(0.03);
  });

  it('has drained its queue once the clock has moved on', async () => {
    await controlOk('PATCH', `/sim/numbers/${encodeURIComponent(CHICAGO)}`, { mps: 1 });
    await sendFrom(CHICAGO, '+12065550123');
    await sendFrom(CHICAGO, '+12065550124');
    await advanceClock(5000);
    expect((await sendFrom(CHICAGO, '+12065550125')).wait_seconds).toBeNull();
  });

  it('is 0.1 for a long code sending to another country', async () => {
    await sendFrom(AUSTIN, '+447400123456');
    expectWait(await sendFrom(AUSTIN, '+447400123457'), 10);
  });
});

describe('account throughput', () => {
  it('spaces SMS across all numbers at account_mps.sms', async () => {
    await patchSettings({ account_mps: { sms: 2 } });
    const first = await sendFrom(CHICAGO, '+12065550123');
    const second = await sendFrom(NEW_YORK, '+12065550124');
    const third = await sendFrom(AUSTIN, '+12065550125');
    expect(first.wait_seconds).toBeNull();
    expectWait(second, 0.5);
    expectWait(third, 1);
  });

  it('keeps MMS in a lane of its own', async () => {
    await patchSettings({ account_mps: { mms: 1 } });
    const mms = { text: 'pic', media_urls: ['https://media.example.test/a.png'] };
    await send({ from: CHICAGO, to: '+12065550123', ...mms });
    expect((await sendFrom(NEW_YORK, '+12065550124')).wait_seconds).toBeNull();
    expectWait(await send({ from: NEW_YORK, to: '+12065550125', ...mms }), 1);
  });
});

describe('the queue horizon', () => {
  it('refuses with 429 / 40318 and retry-after a send that would wait longer, keeping nothing of it', async () => {
    await controlOk('PATCH', `/sim/numbers/${encodeURIComponent(CHICAGO)}`, { mps: 1 });
    await patchSettings({ queue_horizon_seconds: 2 });
    const accepted = [];
    for (const to of ['+12065550123', '+12065550124', '+12065550125']) accepted.push(await sendFrom(CHICAGO, to));
    // Waits of 0, about 1 and about 2 s: all within the horizon.
    expect(accepted.map((m) => (m.wait_seconds ?? 0) <= 2)).toEqual([true, true, true]);
    expectWait(accepted[2]!, 2);

    const refused = await api('POST', '/v2/messages', { from: CHICAGO, to: '+12065550126', text: 'One too many' });
    await expectError(refused, 429, '40318');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await storedMessages()).toHaveLength(3);
    expect((await simState()).counts.events_pending).toBe(6);
    // Refused again at once: the refusal reserved no slot.
    await expectError(
      await api('POST', '/v2/messages', { from: CHICAGO, to: '+12065550126', text: 'Again' }),
      429,
      '40318',
    );

    // After retry-after seconds the queue has room again.
    await advanceClock(1000);
    const later = await sendFrom(CHICAGO, '+12065550126');
    expect(later.wait_seconds).toBeLessThanOrEqual(2);
    expect(await storedMessages()).toHaveLength(4);
    expect(await sentWebhooks()).toHaveLength(4);
  });
});
