// Messaging on `wrangler dev` (the bundle and the simulator, as `npm run dev` runs them):
//   1. signed message.finalized webhooks per second against a trivial route (/health) in the
//      same run, and the CPU each webhook costs the bundle's process tree (read from /proc);
//   2. sends per second through one pool, answered by the simulator.
import crypto from 'node:crypto';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { DEV_ADMIN_TOKEN } from '../scripts/dev-settings.mjs';
import { startStack } from '../scripts/local-stack.mjs';
import { benchStateDir } from './state-dir.mjs';
import { devSigner } from './dev-signer.mjs';
import { json, throughput } from './load.mjs';

const AUTH = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const POOL_NUMBERS = ['+13125550100', '+13125550101', '+13125550102', '+12125550100', '+12125550101'];

/** CPU seconds (user + system) used so far by every process in a process group. */
function groupCpuSeconds(pgid) {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      // Fields after the parenthesised command: state ppid pgrp ... utime(14) stime(15).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100; // USER_HZ
}

function finalizedEvent(i) {
  const id = crypto.randomUUID();
  return JSON.stringify({
    data: {
      record_type: 'event',
      id,
      event_type: 'message.finalized',
      occurred_at: new Date().toISOString(),
      payload: {
        record_type: 'message',
        direction: 'outbound',
        id: crypto.randomUUID(),
        type: 'SMS',
        from: { phone_number: POOL_NUMBERS[i % POOL_NUMBERS.length], carrier: 'Telnyx', line_type: 'VoIP' },
        to: [{ phone_number: `+1415555${String(i % 10_000).padStart(4, '0')}`, status: 'delivered' }],
        text: 'Your order has shipped and will arrive on Tuesday.',
        parts: 1,
        encoding: 'GSM-7',
        errors: [],
        completed_at: new Date().toISOString(),
      },
    },
    meta: { attempt: 1, delivered_to: 'http://127.0.0.1/webhooks/messaging' },
  });
}

export async function benchMessaging({ root, seconds = 4, rounds = 3 }) {
  const stateDir = benchStateDir(root, 'messaging-state');
  rmSync(stateDir, { recursive: true, force: true });
  const stack = await startStack({
    edgePort: 8977,
    simPort: 8978,
    stateDir,
    output: null,
    logLevel: 'warn',
    // The benchmark measures the edge, not the account caps it would otherwise queue behind, nor
    // wrangler dev's relaying of an info line per request to its terminal (LOG_LEVEL warn).
    edgeVars: { ACCOUNT_SMS_MPS: '100000', LOG_LEVEL: 'warn' },
  });
  try {
    const { edgeUrl, simUrl } = stack;
    await json('PATCH', `${simUrl}/sim/settings`, {
      rate_limit_per_second: 100_000,
      // The simulator's own webhooks would mix into the measurements; they wait an hour.
      latency_ms: { sent: 3_600_000, finalized: 3_600_000, inbound: 3_600_000 },
    });
    const { data: pool } = await json(
      'POST',
      `${edgeUrl}/v2/messaging_profiles`,
      {
        name: 'Bench pool',
        whitelisted_destinations: ['US'],
        number_pool_settings: {
          long_code_weight: 1,
          toll_free_weight: 1,
          skip_unhealthy: true,
          sticky_sender: true,
          geomatch: true,
        },
        edge: { mps: { 'long-code': 10_000 } },
      },
      AUTH,
    );
    for (const number of POOL_NUMBERS) {
      await json('POST', `${edgeUrl}/v2/messaging_profiles/${pool.id}/phone_numbers`, { phone_number: number }, AUTH);
    }

    // 1. Webhooks against /health, alternating; the events are signed just before each round.
    const sign = devSigner(root);
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    const trivial = [];
    const webhooks = [];
    const cpuPerWebhook = [];
    let counter = 0;
    for (let round = 0; round < rounds; round++) {
      trivial.push((await throughput(`${edgeUrl}/health`, { seconds })).perSecond);
      const bodies = Array.from({ length: 12_000 }, () => finalizedEvent(counter++));
      const signed = bodies.map((body) => ({ method: 'POST', headers: sign(body), body }));
      let next = 0;
      const cpuBefore = groupCpuSeconds(stack.edgeProcessGroup);
      const run = await throughput(`${edgeUrl}/webhooks/messaging`, {
        seconds,
        next: () => signed[next++ % signed.length],
      });
      // Let the work each webhook started after its answer finish before reading the CPU.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const cpu = groupCpuSeconds(stack.edgeProcessGroup) - cpuBefore;
      if (run.unexpected > 0) throw new Error(`${run.unexpected} webhooks were not answered 200`);
      webhooks.push(run.perSecond);
      cpuPerWebhook.push((cpu / run.requests) * 1000);
    }

    // 2. Sends through the pool.
    let to = 0;
    const sends = await throughput(`${edgeUrl}/v2/messages`, {
      seconds,
      next: () => ({
        method: 'POST',
        headers: AUTH,
        body: JSON.stringify({
          messaging_profile_id: pool.id,
          to: `+1212555${String(1000 + (to++ % 8000))}`,
          text: 'Bench message',
        }),
      }),
    });
    if (sends.unexpected > 0) throw new Error(`${sends.unexpected} sends were not answered 200`);
    // A send answered "queued" (waiting a fraction of a millisecond for its turn) leaves in the
    // pool's alarm just after: give those a few seconds to arrive before counting.
    let atSimulator = 0;
    for (let waited = 0; waited <= 10_000; waited += 250) {
      atSimulator = (await json('GET', `${simUrl}/sim/state`)).counts.messages;
      if (atSimulator >= sends.requests) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return {
      trivialPerSecond: median(trivial),
      webhooksPerSecond: median(webhooks),
      cpuMsPerWebhook: median(cpuPerWebhook),
      sendsPerSecond: sends.perSecond,
      sends: sends.requests,
      sendsAtSimulator: atSimulator,
    };
  } finally {
    stack.stop();
  }
}
