// Runs inside workerd for `npm run bench`: building a day's report (the cron's whole job: the D1
// queries, the three renderings, the files in R2, the run's row) over a day of 100,000 messages,
// 20,000 calls and 50,000 lookups in local D1.
//   POST /seed  fills the day (2026-11-20) with generated records, in SQL (a recursive sequence),
//               so seeding takes seconds; the distributions are written out below
//   GET /?n=N   builds the report N times
import { runReport } from '../../workers/reports/runs';
import { reportsConfig } from '../../workers/reports/config';

interface BenchEnv {
  DB: D1Database;
  CONFIG: KVNamespace;
  REPORTS: R2Bucket;
}

const DAY = '2026-11-20';
const MESSAGES = 100_000;
const CALLS = 20_000;
const LOOKUP_EVENTS = 10_000; // misses and the like, a row each
const LOOKUP_HITS = 40_000; // counted per minute, as the lookup worker writes them

/** `count` rows numbered i = 0.. spread over the day: second i * 86400 / count. */
const sequence = (count: number) =>
  `WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < ${count - 1})`;
const timeOf = (count: number) =>
  `strftime('%Y-%m-%dT%H:%M:%S.000Z', '${DAY}', '+' || (i * 86400 / ${count}) || ' seconds')`;

const SEED = [
  // 10 pools of 10 numbers. 95 % sends: 85 % delivered, 6 % delivery_failed over four codes, 5 %
  // unconfirmed, 2 % sending_failed, 2 % still sent; 3 % inbound, 2 % replies. A quarter UCS-2.
  `${sequence(MESSAGES)}
   INSERT INTO messages (id, telnyx_id, profile_id, direction, kind, pool_number, other_masked, other_country, type,
     parts, encoding, state, status, error_code, error_title, cost, cost_currency, created_at, updated_at)
   SELECT 'm' || i, 't' || i, 'pool-' || (i % 10),
     CASE WHEN i % 100 < 3 THEN 'inbound' ELSE 'outbound' END,
     CASE WHEN i % 100 < 3 THEN 'inbound' WHEN i % 100 < 5 THEN 'reply' ELSE 'send' END,
     '+1312555' || printf('%04d', i % 100), '+*******' || printf('%04d', i % 10000), 'US',
     CASE WHEN i % 50 = 7 THEN 'MMS' ELSE 'SMS' END, 1 + (i % 3), CASE WHEN i % 4 = 0 THEN 'UCS-2' ELSE 'GSM-7' END,
     CASE WHEN i % 100 < 3 THEN 'received' ELSE 'sent' END,
     CASE WHEN i % 100 < 3 THEN 'received' WHEN i % 100 < 88 THEN 'delivered' WHEN i % 100 < 94 THEN 'delivery_failed'
          WHEN i % 100 < 99 THEN 'delivery_unconfirmed' ELSE 'sending_failed' END,
     CASE WHEN i % 100 BETWEEN 88 AND 93 THEN '4000' || (1 + i % 4) WHEN i % 100 = 99 THEN '40013' END,
     CASE WHEN i % 100 BETWEEN 88 AND 93 THEN 'Carrier failure ' || (1 + i % 4) WHEN i % 100 = 99 THEN 'Invalid source number' END,
     CASE WHEN i % 100 >= 5 AND i % 100 < 99 THEN '0.0040' END, 'USD', ${timeOf(MESSAGES)}, ${timeOf(MESSAGES)}
   FROM seq`,
  `${sequence(3_000)}
   INSERT INTO opt_out_events (profile_id, pool_number, recipient_masked, action, keyword, source, at)
   SELECT 'pool-' || (i % 10), '+1312555' || printf('%04d', i % 100), '+*******' || printf('%04d', i),
     CASE WHEN i % 5 = 0 THEN 'opt_in' ELSE 'opt_out' END, 'STOP', 'keyword', ${timeOf(3_000)}
   FROM seq`,
  // 80 % inbound; 85 % answered, lasting 30 s to 10 min; five flows with a menu; outcomes mixed.
  `${sequence(CALLS)}
   INSERT INTO calls (session_id, direction, business_number, other_masked, connection_id, flow_id, status, outcome,
     hangup_cause, hangup_source, path, legs, recording_url, end_kind, started_at, answered_at, ended_at, updated_at)
   SELECT 'c' || i, CASE WHEN i % 5 = 0 THEN 'outgoing' ELSE 'incoming' END, '+13125550100', '+*******0123',
     'conn', 'flow-' || (i % 5), 'ended',
     CASE WHEN i % 100 < 15 THEN 'rejected: no flow' WHEN i % 100 < 45 THEN 'transferred'
          WHEN i % 100 < 65 THEN 'voicemail' WHEN i % 100 < 75 THEN 'caller hung up at menu' ELSE 'completed' END,
     'normal_clearing', 'caller',
     CASE WHEN i % 100 < 15 THEN '[]' WHEN i % 100 < 45 THEN '["greet","menu","sales"]'
          WHEN i % 100 < 65 THEN '["greet","menu","vm","bye"]' WHEN i % 100 < 75 THEN '["greet","menu"]'
          ELSE '["greet","menu","hours","bye"]' END,
     '[]', NULL, CASE WHEN i % 100 BETWEEN 65 AND 74 THEN 'menu' ELSE 'hangup' END,
     ${timeOf(CALLS)},
     CASE WHEN i % 100 >= 15 THEN strftime('%Y-%m-%dT%H:%M:%S.000Z', ${timeOf(CALLS)}, '+3 seconds') END,
     strftime('%Y-%m-%dT%H:%M:%S.000Z', ${timeOf(CALLS)}, '+' || (30 + i % 570) || ' seconds'), ${timeOf(CALLS)}
   FROM seq`,
  `${sequence(LOOKUP_EVENTS)}
   INSERT INTO lookup_events (at, phone_masked, country, types, cache, upstream_calls, upstream_ms, status)
   SELECT ${timeOf(LOOKUP_EVENTS)}, '+*******' || printf('%04d', i), 'US', 'carrier',
     CASE WHEN i % 50 = 0 THEN 'STALE' WHEN i % 97 = 0 THEN 'ERROR' ELSE 'MISS' END, 1, 120, 200
   FROM seq`,
  // Hits per minute: 1,440 minutes; 40,000 hits spread as evenly as whole numbers allow.
  `${sequence(1440)}
   INSERT INTO lookup_hits (minute, country, types, count)
   SELECT strftime('%Y-%m-%dT%H:%M', '${DAY}', '+' || i || ' minutes'), 'US', 'carrier',
     ${Math.floor(LOOKUP_HITS / 1440)} + CASE WHEN i < ${LOOKUP_HITS % 1440} THEN 1 ELSE 0 END
   FROM seq`,
];

const MENU_FLOW = {
  nodes: { greet: { kind: 'answer' }, menu: { kind: 'menu' }, sales: { kind: 'transfer' }, vm: { kind: 'voicemail' } },
};

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    if (url.pathname === '/seed') {
      for (const sql of SEED) await env.DB.prepare(sql).run();
      for (let p = 0; p < 10; p++) await env.CONFIG.put(`profile:pool-${p}`, JSON.stringify({ name: `Pool ${p}` }));
      for (let f = 0; f < 5; f++) await env.CONFIG.put(`flow:flow-${f}`, JSON.stringify(MENU_FLOW));
      const counts = await env.DB.batch(
        ['messages', 'calls', 'lookup_events'].map((t) => env.DB.prepare(`SELECT COUNT(*) AS n FROM ${t}`)),
      );
      const hits = await env.DB.prepare('SELECT SUM(count) AS n FROM lookup_hits').first<{ n: number }>();
      return Response.json({
        messages: counts[0]!.results[0],
        calls: counts[1]!.results[0],
        lookup_events: counts[2]!.results[0],
        lookup_hits: hits?.n,
      });
    }
    const n = Number(url.searchParams.get('n') ?? '0');
    const config = reportsConfig({} as never);
    let sent = 0;
    for (let i = 0; i < n; i++) {
      const { report } = await runReport(env as unknown as Env, DAY, { trigger: 'on_demand', config });
      sent = report.messaging.totals.sent;
    }
    return Response.json({ n, sent });
  },
};
