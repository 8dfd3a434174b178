// Reports end to end: a day of real traffic through the simulator (sends to destinations that
// deliver, fail and stay unconfirmed; STOP, HELP and a plain text; calls through a menu to a
// transfer, to a spoken goodbye, abandoned in the menu, and to a number no flow claims; lookups
// that miss and hit), then the hourly cron the morning after builds the day's report, and the
// figures are what that traffic must give. Nothing in D1 is written by hand.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { flushLookupRecords } from '../../workers/lookup/events';
import { flush } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import {
  createPool,
  edge,
  eventually,
  inbound,
  messageHandled,
  ok,
  removeAllPools,
  send,
  simSettings,
} from '../messaging/support';
import {
  OUR_NUMBER,
  callIn,
  createFlow,
  edgeCall,
  farEnd,
  resetVoice,
  waitingFor,
  ANSWERS,
} from '../voice/call-support';
import { clearRecords, cron, dayOf, morningAfter, reportOf } from './support';

const N1 = OUR_NUMBER; // +13125550100: a pool number, and on the simulator's Call Control application
const N2 = '+12125550100'; // a second account number: in the pool, claimed by no call flow

const FLOW = {
  id: 'front-desk',
  name: 'Front desk',
  numbers: [N1],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1 for sales, 2 for hours.' },
      timeout_secs: 30,
      retries: 0,
      options: { '1': 'sales', '2': 'hours' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    sales: { kind: 'transfer', to: ANSWERS, ring_timeout_secs: 10, on_no_answer: 'bye' },
    hours: { kind: 'speak', text: 'We are open nine to five.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

async function sentRecord(id: string, status: string): Promise<void> {
  await eventually(async () => {
    // The answer carries Telnyx's id; the record is keyed by the edge's own.
    const row = await env.DB.prepare('SELECT status FROM messages WHERE id = ?1 OR telnyx_id = ?1')
      .bind(id)
      .first<{ status: string }>();
    expect(row?.status, `message ${id}`).toBe(status);
  }, 8000);
}

async function sendAndSettle(profileId: string, from: string, to: string, status: string): Promise<void> {
  const answer = await send({ messaging_profile_id: profileId, from, to, text: 'Your order has shipped' });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  await flush();
  await sentRecord(answer.body.data.id, status);
}

async function callEnded(sessionId: string) {
  return eventually(async () => {
    const view = await edgeCall(sessionId);
    expect(view.record?.status).toBe('ended');
    return view.record;
  }, 8000);
}

beforeAll(async () => {
  await resetVoice();
});

beforeEach(async () => {
  await resetVoice();
  await simSettings({ stop_blocks: false });
  await removeAllPools();
  await clearRecords();
});

describe('a day of real traffic', () => {
  it('gives the report the figures that traffic must give', { timeout: 60_000 }, async () => {
    const pool = await createPool({ name: 'Shipping' }, [N1, N2]);

    // Messaging: three delivered, one undeliverable (40008), one unconfirmed, one the carrier
    // refused at sending (40013, which also marks N2 unhealthy: so it goes last, from N2).
    await sendAndSettle(pool.id, N1, '+13125551201', 'delivered');
    await sendAndSettle(pool.id, N1, '+13125551202', 'delivered');
    await sendAndSettle(pool.id, N2, '+13125551203', 'delivered');
    await sendAndSettle(pool.id, N1, '+13125551294', 'delivery_failed');
    await sendAndSettle(pool.id, N1, '+13125551296', 'delivery_unconfirmed');
    await sendAndSettle(pool.id, N2, '+13125551297', 'sending_failed');
    // Inbound: STOP and HELP (each answered once, by the number written to) and a plain text.
    for (const [from, to, text] of [
      ['+13125552210', N1, 'STOP'],
      ['+13125552310', N2, 'HELP'],
      ['+13125552410', N1, 'Is the shop open on Sunday?'],
    ] as const) {
      await messageHandled((await inbound(from, to, text)).messageId);
    }
    await flush();

    // Voice: 1 → transfer answered; 2 → spoken hours; a caller who leaves the menu; a call to N2.
    await createFlow(FLOW);
    const transferred = await callIn('+12065550101', N1);
    await waitingFor(transferred.call_session_id, 'digits');
    await farEnd(transferred.call_control_id, 'dtmf', { digits: '1' });
    await eventually(async () => expect((await edgeCall(transferred.call_session_id)).state.status).toBe('bridged'));
    await farEnd(transferred.call_control_id, 'hangup');
    await callEnded(transferred.call_session_id);

    const hours = await callIn('+12065550102', N1);
    await waitingFor(hours.call_session_id, 'digits');
    await farEnd(hours.call_control_id, 'dtmf', { digits: '2' });
    await callEnded(hours.call_session_id);

    const abandoned = await callIn('+12065550103', N1);
    await waitingFor(abandoned.call_session_id, 'digits');
    await farEnd(abandoned.call_control_id, 'hangup');
    await callEnded(abandoned.call_session_id);

    const unclaimed = await callIn('+12065550104', N2);
    await callEnded(unclaimed.call_session_id);

    // Lookups: two numbers asked for the first time (Telnyx asked), one of them again (a hit).
    for (const number of ['+13125551201', '+13125551202', '+13125551201']) {
      ok(await edge(`/v2/number_lookup/${encodeURIComponent(number)}`));
    }
    await flushLookupRecords(env.DB);

    const day = dayOf(Date.now());
    const { results: days } = await env.DB.prepare(
      `SELECT DISTINCT substr(created_at, 1, 10) AS day FROM messages
       UNION SELECT DISTINCT substr(started_at, 1, 10) FROM calls`,
    ).all<{ day: string }>();
    expect(
      days.map((d) => d.day),
      'the traffic crossed midnight UTC; run the test again',
    ).toEqual([day]);

    await cron(morningAfter(day));
    const report = await reportOf(day);

    expect(report).toMatchObject({ date: day, from: `${day}T00:00:00.000Z`, partial: false });
    const totals = report.messaging.totals;
    expect(totals).toMatchObject({
      sent: 5,
      delivered: 3,
      failed: 2,
      unconfirmed: 1,
      replies: 2,
      received: 3,
      opt_outs: 1,
      opt_ins: 0,
      parts: 5,
      encodings: { 'GSM-7': 5 },
      cost: [{ amount: '0.0200', currency: 'USD' }],
      cost_known: 5,
    });
    expect(totals.delivery_rate).toBeCloseTo(3 / 5, 10);
    expect(totals.failures).toEqual([
      { code: '40008', meaning: 'Undeliverable', count: 1 },
      { code: '40013', meaning: 'Invalid source number', count: 1 },
    ]);

    expect(report.messaging.pools).toHaveLength(1);
    const [shipping] = report.messaging.pools;
    expect(shipping).toMatchObject({ profile_id: pool.id, name: 'Shipping' });
    const byNumber = Object.fromEntries(shipping!.numbers.map((n) => [n.number, n.figures]));
    expect(byNumber[N1]).toMatchObject({ sent: 4, delivered: 2, failed: 1, unconfirmed: 1, opt_outs: 1, received: 2 });
    expect(byNumber[N2]).toMatchObject({ sent: 1, delivered: 1, failed: 1, unconfirmed: 0, opt_outs: 0, received: 1 });

    expect(report.voice).toMatchObject({
      inbound: 4,
      outbound: 0,
      answered: 3,
      missed: 1,
      abandoned_in_menu: 1,
      outcomes: { transferred: 1, completed: 1, 'caller hung up': 1, rejected: 1 },
    });
    expect(report.voice.duration_seconds.median).toEqual(expect.any(Number));
    expect(report.voice.flows).toEqual([
      {
        flow_id: 'front-desk',
        calls: 3,
        answered: 3,
        outcomes: { transferred: 1, completed: 1, 'caller hung up': 1 },
        menu_choices: [
          { menu: 'menu', next: 'hours', count: 1 },
          { menu: 'menu', next: 'sales', count: 1 },
        ],
        transfers: 1,
        voicemails: 0,
      },
    ]);

    expect(report.lookups).toMatchObject({
      lookups: 3,
      cache_hits: 1,
      upstream_calls: 2,
      stale_served: 0,
      errors: 0,
      price_per_lookup_usd: 0.0025,
      cost_saved_usd: 0.0025,
    });
    expect(report.lookups.hit_rate).toBeCloseTo(1 / 3, 10);

    // The hours add up to the day.
    const sum = (key: 'messages_sent' | 'messages_received' | 'calls' | 'lookups') =>
      report.hourly.reduce((n, h) => n + h[key], 0);
    expect(report.hourly).toHaveLength(24);
    expect([sum('messages_sent'), sum('messages_received'), sum('calls'), sum('lookups')]).toEqual([6, 3, 4, 3]);

    // The day before had nothing: no comparison, rather than a comparison with zeros.
    expect(report.headline.messages_sent).toEqual({ value: 5, previous: null });
    expect(report.headline.calls).toEqual({ value: 4, previous: null });
  });
});
