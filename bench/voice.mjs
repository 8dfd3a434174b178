// Voice on `wrangler dev` (the bundle and the simulator, as `npm run dev` runs them):
//   1. time from a call event's arrival to the command it causes: real calls placed at the
//      simulator run a flow (answer, speak, a menu, a choice, a goodbye, hang up); each call's
//      timeline at the bundle gives, for every command, when the webhook of the event that caused
//      it reached the Worker and when the command left for Telnyx (both read from the Worker's
//      clock, which moves in whole milliseconds);
//   2. events per second through one call session: signed call.dtmf.received events (which the
//      session stores and weighs without commanding anything) posted to /webhooks/voice for one
//      call_session_id over 10 connections, with the time each webhook took to be answered.
import crypto from 'node:crypto';
import { rmSync } from 'node:fs';
import { DEV_ADMIN_TOKEN } from '../scripts/dev-settings.mjs';
import { startStack } from '../scripts/local-stack.mjs';
import { benchStateDir } from './state-dir.mjs';
import { devSigner } from './dev-signer.mjs';
import { json, percentile, throughput } from './load.mjs';

const AUTH = { authorization: `Bearer ${DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' };
const OUR_NUMBER = '+13125550100';

const FLOW = {
  id: 'bench',
  name: 'Bench line',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'welcome' },
    welcome: { kind: 'speak', text: 'Welcome.', next: 'menu' },
    menu: {
      kind: 'menu',
      prompt: { speak: 'Press 1.' },
      timeout_secs: 10,
      retries: 0,
      options: { 1: 'thanks' },
      on_invalid: 'bye',
      on_timeout: 'bye',
    },
    thanks: { kind: 'speak', text: 'Thanks.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

async function until(check, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Event-stored → command-sent delays of one call, from its timeline at the bundle. */
function delaysOf(timeline) {
  const delays = [];
  let cause;
  for (const entry of timeline) {
    if (entry.kind === 'event' && entry.detail.received_at && entry.detail.result === 'applied') {
      cause = Date.parse(entry.detail.received_at);
    } else if (entry.kind === 'command' && entry.detail.sent_at && cause !== undefined) {
      delays.push(Date.parse(entry.detail.sent_at) - cause);
      cause = undefined; // the first command an event causes; later ones queue behind it
    }
  }
  return delays;
}

export async function benchVoice({ root, calls = 40, seconds = 4 }) {
  const stateDir = benchStateDir(root, 'voice-state');
  rmSync(stateDir, { recursive: true, force: true });
  const stack = await startStack({
    edgePort: 8957,
    simPort: 8958,
    stateDir,
    output: null,
    logLevel: 'warn',
    edgeVars: { LOG_LEVEL: 'warn' },
  });
  try {
    const { edgeUrl, simUrl } = stack;
    await json('PATCH', `${simUrl}/sim/settings`, {
      rate_limit_per_second: 100_000,
      latency_ms: { sent: 0, finalized: 0, inbound: 0 },
      voice: { ring_ms: 50, inbound_ring_ms: 60_000, speak_ms_per_char: 0, speak_min_ms: 20, playback_ms: 20 },
    });
    await json('POST', `${edgeUrl}/flows`, FLOW, AUTH);

    // 1. Real calls, a few at a time.
    const delays = [];
    const oneCall = async (i) => {
      const call = await json('POST', `${simUrl}/sim/calls/inbound`, {
        from: `+1206555${String(1000 + i).slice(-4)}`,
        to: OUR_NUMBER,
      });
      // 404 until the call's first event has reached the bundle.
      const view = async () => {
        const response = await fetch(`${edgeUrl}/calls/${call.call_session_id}`, { headers: AUTH });
        return response.status === 404 ? {} : (await response.json()).data;
      };
      // Press 1 once the simulator is gathering (the bundle decides a moment before the command lands).
      const gathering = async () =>
        (await json('GET', `${simUrl}/sim/calls/${encodeURIComponent(call.call_control_id)}`)).data.call.gather;
      await until(gathering, 10_000, 'the menu');
      await json('POST', `${simUrl}/sim/calls/${encodeURIComponent(call.call_control_id)}/dtmf`, { digits: '1' });
      const ended = await until(
        async () => {
          const v = await view();
          return v.record?.status === 'ended' ? v : undefined;
        },
        10_000,
        'the end of the call',
      );
      delays.push(...delaysOf(ended.timeline));
    };
    for (let i = 0; i < calls; i += 4) {
      await Promise.all(Array.from({ length: Math.min(4, calls - i) }, (_, k) => oneCall(i + k)));
    }
    delays.sort((a, b) => a - b);

    // 2. Events through one call session.
    const sign = devSigner(root);
    const session = crypto.randomUUID();
    const event = () =>
      JSON.stringify({
        data: {
          record_type: 'event',
          id: crypto.randomUUID(),
          event_type: 'call.dtmf.received',
          occurred_at: new Date().toISOString(),
          payload: {
            call_control_id: 'v3:bench-leg',
            call_leg_id: session,
            call_session_id: session,
            connection_id: '1700000000000000002',
            digit: '5',
          },
        },
        meta: { attempt: 1 },
      });
    const bodies = Array.from({ length: 20_000 }, event);
    let next = 0;
    const run = await throughput(`${edgeUrl}/webhooks/voice`, {
      seconds,
      next: () => {
        const body = bodies[next++ % bodies.length];
        return { method: 'POST', headers: sign(body), body };
      },
    });
    if (run.unexpected > 0) throw new Error(`${run.unexpected} voice webhooks were not answered 200`);

    return {
      samples: delays.length,
      p50Ms: percentile(delays, 50),
      p99Ms: percentile(delays, 99),
      maxMs: delays[delays.length - 1],
      eventsPerSecond: run.perSecond,
      answerP50Ms: percentile(run.answerMs, 50),
      answerP99Ms: percentile(run.answerMs, 99),
    };
  } finally {
    stack.stop();
  }
}
