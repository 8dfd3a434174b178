// A call's D1 record when D1 fails: the call itself goes on (its tasks run in order, and a failed
// record must not hold up the commands behind it), and the record is written a minute later by
// the object's alarm, so the call does not stay "active" for ever.
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { testEnv as env } from '../support/test-env';
import {
  OUR_NUMBER,
  callIn,
  callSessionStub,
  commandsAtSim,
  createFlow,
  edgeCall,
  eventually,
  resetVoice,
} from './call-support';

const SHORT_FLOW = {
  id: 'short',
  name: 'Short',
  numbers: [OUR_NUMBER],
  start: 'greet',
  nodes: {
    greet: { kind: 'answer', next: 'hello' },
    hello: { kind: 'speak', text: 'Hello.', next: 'bye' },
    bye: { kind: 'hangup' },
  },
};

beforeEach(async () => {
  await resetVoice();
});

afterEach(async () => {
  // Whatever happened, the table is back for the next test.
  const away = await env.DB.prepare("SELECT 1 FROM sqlite_master WHERE name = 'calls_away'").first();
  if (away) await env.DB.exec('ALTER TABLE calls_away RENAME TO calls');
});

it('a record D1 refused is written by the alarm later, and the call was not held up', async () => {
  await createFlow(SHORT_FLOW);
  await env.DB.exec('ALTER TABLE calls RENAME TO calls_away'); // every write to `calls` now fails

  const call = await callIn();
  // The flow ran to its end at Telnyx although each record write failed.
  await eventually(async () =>
    expect(await commandsAtSim(call.call_control_id)).toEqual(['answer', 'speak', 'hangup']),
  );
  const stub = callSessionStub(call.call_session_id);
  const retries = await eventually(async () => {
    const rows = await runInDurableObject(stub, (_instance, state) =>
      state.storage.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = 'retries'").toArray(),
    );
    const pending = JSON.parse(rows[0]?.value ?? '[]') as Array<{ at: number; task: { type: string } }>;
    expect(pending.map((r) => r.task.type)).toEqual(['record']);
    const ended = await stub.view();
    expect(ended.state?.status).toBe('ended');
    return pending;
  });
  expect(retries[0]!.at).toBeGreaterThan(Date.now() + 30_000); // a minute later, not at once

  await env.DB.exec('ALTER TABLE calls_away RENAME TO calls');
  expect(
    await env.DB.prepare('SELECT 1 FROM calls WHERE session_id = ?').bind(call.call_session_id).first(),
  ).toBeNull();

  // The minute passes: the alarm queues the record again and writes it.
  await runInDurableObject(stub, (_instance, state) => {
    state.storage.sql.exec(
      "UPDATE kv SET value = ? WHERE key = 'retries'",
      JSON.stringify([{ ...retries[0], at: Date.now() - 1 }]),
    );
  });
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  const view = await edgeCall(call.call_session_id);
  expect(view.record).toMatchObject({ status: 'ended', outcome: 'completed', end_kind: 'hangup', flow_id: 'short' });
  const left = await runInDurableObject(stub, (_instance, state) =>
    state.storage.sql.exec<{ value: string }>("SELECT value FROM kv WHERE key = 'retries'").toArray(),
  );
  expect(JSON.parse(left[0]!.value)).toEqual([]);
});
