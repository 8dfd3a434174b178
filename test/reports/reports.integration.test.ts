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
  PLAIN_POOL,
  createPool,
  edge,
  eventually,
  fault,
  inbound,
  messageHandled,
  ok,
  poolStub,
  removeAllPools,
  send,
  simSettings,
} from '../messaging/support';
import {
  ANSWERS,
  OUR_NUMBER,
  callIn,
  createFlow,
  edgeCall,
  farEnd,
  receivedAt,
  resetReceiver,
  resetVoice,
  scriptReceiver,
  waitingFor,
} from '../voice/call-support';
import { deliverSummary } from '../../workers/reports/deliver';
import { reportsConfig } from '../../workers/reports/config';
import { DAY, HOUR, clearRecords, cron, dayOf, morningAfter, raw, reportOf } from './support';

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

    // The cron stood for tomorrow morning, but by the real clock the day is not over: partial.
    expect(report).toMatchObject({ date: day, from: `${day}T00:00:00.000Z`, partial: true });
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
    expect([sum('messages_sent'), sum('messages_received'), sum('calls'), sum('lookups')]).toEqual([5, 3, 4, 3]);

    // The day before had nothing: no comparison, rather than a comparison with zeros.
    expect(report.headline.messages_sent).toEqual({ value: 5, previous: null });
    expect(report.headline.calls).toEqual({ value: 4, previous: null });
  });
});

const CHAT = 'https://chat.receiver.test/hooks/daily';

/** A little real traffic: one delivered send and one lookup. */
async function someTraffic(): Promise<void> {
  const pool = await createPool({ name: 'Small' }, [N1]);
  await sendAndSettle(pool.id, N1, '+13125551211', 'delivered');
  ok(await edge('/v2/number_lookup/%2B13125551211'));
  await flushLookupRecords(env.DB);
}

async function chatPosts(): Promise<Array<{ body: string; at: number }>> {
  return receivedAt('chat.receiver.test');
}

async function runOf(day: string): Promise<{ built_at: string; delivery_status: string | null } | null> {
  return env.DB.prepare('SELECT built_at, delivery_status FROM report_runs WHERE date = ?').bind(day).first();
}

async function runsOf(job: string): Promise<Array<{ status: string; detail: string | null }>> {
  return (
    await env.DB.prepare('SELECT status, detail FROM cron_runs WHERE job = ? ORDER BY scheduled_time')
      .bind(job)
      .all<{ status: string; detail: string | null }>()
  ).results;
}

describe('the daily cron (RELIABILITY row 26)', () => {
  beforeEach(async () => {
    await resetReceiver();
  });

  it(
    'fired twice at once: one report, one summary; later hours do not send it again',
    { timeout: 30_000 },
    async () => {
      await someTraffic();
      const day = dayOf(Date.now());
      const withChat = { REPORT_WEBHOOK_URL: CHAT };

      // Before the report hour nothing is built.
      await cron(morningAfter(day, 5), withChat);
      expect(await runsOf('daily_report')).toEqual([]);

      await Promise.all([cron(morningAfter(day), withChat), cron(morningAfter(day), withChat)]);
      const built = (await runOf(day))!.built_at;
      await cron(morningAfter(day, 7), withChat);
      await cron(morningAfter(day, 8), withChat);
      // Built once: a later hour (or the second firing) rebuilding it would change built_at.
      expect((await runOf(day))!.built_at).toBe(built);

      expect(await runsOf('daily_report')).toEqual([
        { status: 'ok', detail: expect.stringContaining(`"date":"${day}"`) },
      ]);
      const posts = await chatPosts();
      expect(posts).toHaveLength(1);
      const summary = JSON.parse(posts[0]!.body);
      expect(summary.text).toContain(day);
      expect(summary.blocks).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'header' })]));

      const listed = ok(await edge('/reports'));
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        date: day,
        partial: true,
        trigger: 'cron',
        delivery: { status: 'delivered', attempts: 1, error: null },
        files: { html: `http://127.0.0.1:8787/reports/${day}.html` },
      });
      // Housekeeping ran once per hour it was fired for, the doubled hour included.
      expect((await runsOf('housekeeping:records')).map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    },
  );

  it(
    'a summary the chat tool refuses is sent again the next hour, and only until it is delivered',
    { timeout: 30_000 },
    async () => {
      await someTraffic();
      const day = dayOf(Date.now());
      await scriptReceiver({ responses: [{ status: 503 }] });
      await cron(morningAfter(day), { REPORT_WEBHOOK_URL: CHAT });
      expect(ok(await edge('/reports'))[0].delivery).toMatchObject({
        status: 'failed',
        attempts: 1,
        error: 'HTTP 503',
      });

      await cron(morningAfter(day, 7), { REPORT_WEBHOOK_URL: CHAT });
      await cron(morningAfter(day, 8), { REPORT_WEBHOOK_URL: CHAT });
      expect(await chatPosts()).toHaveLength(2);
      expect(ok(await edge('/reports'))[0].delivery).toMatchObject({ status: 'delivered', attempts: 2, error: null });
    },
  );

  it('a day whose every cron was missed is built by a later run; a day with nothing is not', async () => {
    await someTraffic();
    const day = dayOf(Date.now());
    // No cron from tomorrow 06:00 to midnight; the next one is two mornings later.
    await cron(morningAfter(day) + 2 * DAY);
    const built = ok(await edge('/reports')).map((r: { date: string }) => r.date);
    expect(built).toEqual([dayOf(Date.now() + 2 * DAY), day]); // the quiet day in between is not built
    expect((await reportOf(day)).messaging.totals.sent).toBe(1);
  });

  it('without REPORT_WEBHOOK_URL the report is built and nothing is sent', async () => {
    await someTraffic();
    const day = dayOf(Date.now());
    await cron(morningAfter(day));
    expect(ok(await edge('/reports'))[0].delivery.status).toBe('not_configured');
    expect(await chatPosts()).toEqual([]);
  });
});

describe('the summary is sent at most once', () => {
  beforeEach(async () => {
    await resetReceiver();
  });

  it('two deliveries of one day at once: one post; an operator can send it again on purpose', async () => {
    const past = '2020-03-01';
    expect((await edge(`/reports/run?date=${past}`, { method: 'POST' })).status).toBe(201);
    const config = { ...reportsConfig(env), webhookUrl: CHAT };
    const outcomes = await Promise.all([1, 2].map(() => deliverSummary(env, past, config)));
    expect(outcomes.sort()).toEqual(['delivered', 'not_due']);
    expect(await deliverSummary(env, past, config)).toBe('not_due');
    expect(await chatPosts()).toHaveLength(1);

    // deliver=true is an explicit request: sent again.
    const again = await deliverSummary(env, past, config, { force: true });
    expect(again).toBe('delivered');
    expect(await chatPosts()).toHaveLength(2);
  });

  it("today's summary cannot be sent on demand: it would stand for the whole day", async () => {
    const today = dayOf(Date.now());
    const answer = await edge(`/reports/run?date=${today}&deliver=true`, { method: 'POST' });
    expect(answer.status).toBe(422);
    expect(answer.body.errors[0].source).toEqual({ parameter: 'deliver' });
    expect(await runOf(today)).toBeNull();
  });
});

describe('reports on demand', () => {
  it('a send scheduled for tomorrow counts on tomorrow, not on the day it was asked for', async () => {
    const pool = await createPool({}, [N1]);
    const sendAt = new Date(Date.now() + DAY + HOUR).toISOString();
    const answer = await send({ messaging_profile_id: pool.id, to: '+13125551231', text: 'Tomorrow', send_at: sendAt });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const row = await eventually(async () => {
      const found = await env.DB.prepare('SELECT created_at, state FROM messages').first<{
        created_at: string;
        state: string;
      }>();
      expect(found?.state).toBe('scheduled');
      return found!;
    });
    expect(row.created_at.slice(0, 10)).toBe(dayOf(Date.parse(sendAt)));
  });

  it('the day after a day of traffic compares with it', async () => {
    await someTraffic();
    const day = dayOf(Date.now());
    // The cron of the morning after tomorrow reports on tomorrow, which has had nothing yet.
    await cron(morningAfter(day) + DAY);
    const next = await reportOf(dayOf(Date.now() + DAY));
    expect(next.headline.messages_sent).toEqual({ value: 0, previous: 1 });
    expect(next.headline.lookups).toEqual({ value: 0, previous: 1 });
    expect(next.headline.delivery_rate).toEqual({ value: null, previous: 1 });
  });

  it('an empty day: every figure zero, no comparison, all three files served', async () => {
    const answer = await edge('/reports/run?date=2020-01-01', { method: 'POST' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.data).toMatchObject({ date: '2020-01-01', trigger: 'on_demand', partial: false });
    const report = await reportOf('2020-01-01');
    expect(report.messaging).toEqual({ totals: expect.objectContaining({ sent: 0, delivery_rate: null }), pools: [] });
    expect(report.voice).toMatchObject({
      inbound: 0,
      answered: 0,
      duration_seconds: { median: null, p90: null },
      flows: [],
    });
    expect(report.lookups).toMatchObject({ lookups: 0, hit_rate: null, cost_saved_usd: 0 });
    expect(report.headline.delivery_rate).toEqual({ value: null, previous: null }); // nothing to rate, not 0 %
    for (const [format, type] of [
      ['csv', 'text/csv'],
      ['html', 'text/html'],
    ] as const) {
      const file = await raw(`/reports/2020-01-01.${format}`);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toContain(type);
      expect(file.text.length).toBeGreaterThan(100);
      expect(file.text.startsWith('section,')).toBe(format === 'csv'); // text() drops a byte-order mark
    }
  });

  it('the CSV file starts with a byte-order mark, so Excel reads it as UTF-8', async () => {
    expect((await edge('/reports/run?date=2020-01-02', { method: 'POST' })).status).toBe(201);
    const bytes = new Uint8Array(await (await env.REPORTS.get('reports/2020-01-02.csv'))!.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3, 11))).toBe('section,');
  });

  it('a day with only failures: a delivery rate of 0, each failure by its code and meaning', async () => {
    const pool = await createPool({}, [N1]);
    await sendAndSettle(pool.id, N1, '+13125551290', 'delivery_failed');
    await sendAndSettle(pool.id, N1, '+13125551291', 'delivery_failed');
    await sendAndSettle(pool.id, N1, '+13125551391', 'delivery_failed');
    const today = dayOf(Date.now());
    const answer = await edge(`/reports/run?date=${today}`, { method: 'POST' });
    expect(answer.status).toBe(201);
    expect(answer.body.data.partial).toBe(true); // today is not over
    const { totals } = (await reportOf(today)).messaging;
    expect(totals).toMatchObject({ sent: 3, delivered: 0, failed: 3, unconfirmed: 0, delivery_rate: 0 });
    expect(totals.failures).toEqual([
      { code: '40002', meaning: 'Blocked as spam - temporary', count: 2 },
      { code: '40001', meaning: 'Not routable', count: 1 },
    ]);
  });

  it("refuses what is not a day it can report on, in Telnyx's error shape, and builds nothing", async () => {
    const cases: Array<[string, number, string]> = [
      ['/reports/run?date=2026-02-30', 400, 'date'],
      ['/reports/run?date=yesterday', 400, 'date'],
      [`/reports/run?date=${dayOf(Date.now() + 2 * DAY)}`, 422, 'date'],
      ['/reports/run?deliver=maybe', 400, 'deliver'],
    ];
    for (const [path, status, parameter] of cases) {
      const answer = await edge(path, { method: 'POST' });
      expect(answer.status, path).toBe(status);
      expect(answer.body.errors[0].source).toEqual({ parameter });
    }
    expect(ok(await edge('/reports'))).toEqual([]);
    for (const path of ['/reports/2020-01-01.pdf', '/reports/2020-13-01.json', '/reports/2020-01-02.json']) {
      const answer = await edge(path);
      expect(answer.status, path).toBe(404);
      expect(answer.body.errors[0].code).toBe('10005');
    }
    const anonymous = await raw('/reports', {});
    expect(anonymous.status).toBe(401);
  });
});

describe('hourly housekeeping', () => {
  it('deletes records older than RETENTION_DAYS and keeps the reports', async () => {
    await someTraffic();
    const day = dayOf(Date.now());
    await cron(morningAfter(day));
    const count = async (table: string) =>
      (await env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<{ n: number }>())!.n;
    expect(await count('messages')).toBeGreaterThan(0);
    await cron(morningAfter(day) + 3 * DAY, { RETENTION_DAYS: '2' } as Partial<Env>);
    for (const table of ['messages', 'lookup_events']) expect(await count(table), table).toBe(0);
    // That cron also reported on its own previous day; the first report is still there.
    const kept = await env.DB.prepare('SELECT date FROM report_runs ORDER BY date').all<{ date: string }>();
    expect(kept.results.map((r) => r.date)).toEqual([day, dayOf(morningAfter(day) + 2 * DAY)]);
    expect((await raw(`/reports/${day}.html`)).status).toBe(200);
  });

  it('clears the bodies of acted-on webhook events after a week, keeps their rows, and keeps every other body', async () => {
    await env.DB.exec('DELETE FROM webhook_events');
    const now = Date.now();
    const insert = env.DB.prepare(
      `INSERT INTO webhook_events (event_id, source, event_type, received_at, path, deliveries, body, state)
       VALUES (?, 'messaging', 'message.finalized', ?, '/webhooks/messaging', 1, ?, ?)`,
    );
    const daysAgo = (days: number) => new Date(now - days * DAY).toISOString();
    await env.DB.batch([
      insert.bind('processed-8d', daysAgo(8), '{"data":"old"}', 'processed'),
      insert.bind('processed-6d', daysAgo(6), '{"data":"recent"}', 'processed'),
      insert.bind('no-pool-8d', daysAgo(8), '{"data":"only copy"}', 'no_pool'),
      insert.bind('failed-8d', daysAgo(8), '{"data":"never acted on"}', 'failed'),
      insert.bind('quarantined-8d', daysAgo(8), 'not an event', 'quarantined'),
    ]);
    await cron(now);
    const bodies = await env.DB.prepare('SELECT event_id, body FROM webhook_events ORDER BY event_id').all<{
      event_id: string;
      body: string;
    }>();
    expect(bodies.results).toEqual([
      { event_id: 'failed-8d', body: '{"data":"never acted on"}' },
      { event_id: 'no-pool-8d', body: '{"data":"only copy"}' },
      { event_id: 'processed-6d', body: '{"data":"recent"}' },
      { event_id: 'processed-8d', body: '' },
      { event_id: 'quarantined-8d', body: 'not an event' },
    ]);
    const run = await env.DB.prepare("SELECT detail FROM cron_runs WHERE job = 'housekeeping:records'").first<{
      detail: string;
    }>();
    expect(JSON.parse(run!.detail)).toMatchObject({ webhook_bodies_cleared: 1 });
  });

  it('a pool reads back a message whose final webhook never came, and forgets sticky senders after 8 days', async () => {
    const pool = await createPool({ number_pool_settings: { ...PLAIN_POOL, sticky_sender: true } }, [N1]);
    // Both of its webhooks are lost: the edge knows only Telnyx's answer to the send (queued).
    await fault({ target: 'webhooks', kind: 'drop', count: 2 });
    const answer = await send({ messaging_profile_id: pool.id, to: '+13125551221', text: 'Lost receipt' });
    expect(answer.status).toBe(200);
    await flush();
    await sentRecord(answer.body.data.id, 'queued');

    const stub = poolStub(pool.id);
    // Within the hour: too soon to ask.
    expect(await stub.housekeep(Date.now())).toMatchObject({ checked: 0, settled: 0 });
    // Past the cron's time budget the pool only expires sticky senders.
    expect(await stub.housekeep(Date.now() + 2 * HOUR, { readBack: false })).toMatchObject({ checked: 0, settled: 0 });
    expect(await stub.housekeep(Date.now() + 2 * HOUR)).toMatchObject({ checked: 1, settled: 1, sticky_expired: 0 });
    await sentRecord(answer.body.data.id, 'delivered');
    expect(await stub.housekeep(Date.now() + 9 * DAY)).toMatchObject({ sticky_expired: 1 });
  });
});
