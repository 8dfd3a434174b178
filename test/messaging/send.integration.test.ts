// Sending through a pool (POST /v2/messages and /v2/messages/number_pool), end to end through the
// bundle and the Telnyx simulator: Telnyx's message object for the edge's pool, then the
// simulator's webhooks carry it to its final status, which GET /v2/messages/{id} shows by the
// edge's id and by Telnyx's, with the D1 `messages` record (other party masked) and the sending
// number's health; delivery_failed (spam, …92) and sending_failed (…97). Every check before
// anything leaves (RELIABILITY row 20 and the list), each with its status, code and
// pointer and with no request at the simulator; explicit `from` (a long code, or a short code as
// Telnyx allows), a `from` of no pool, short codes only when asked, MMS, the 10-part limit, smart
// encoding (the edge setting and Telnyx's own profile field), whitelisted destinations, a disabled
// profile, Idempotency-Key (repeated, concurrent, and retried while the first is in flight),
// send_at (sent when its time comes, by the pool's alarm) and quiet hours (deferred to the next
// window start in the recipient's zone, with the pool's alarm set: row 19).
import { beforeEach, describe, expect, it } from 'vitest';
import { deliveries, flush, resetSimulator } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import {
  createPool,
  edge,
  edgeMessage,
  eventually,
  expectError,
  fault,
  listNumbers,
  ok,
  poolAlarm,
  removeAllPools,
  send,
  shiftHHMM,
  simMessagesTo,
  simSends,
  sleep,
  wallClock,
  type Answer,
  type Json,
} from './support';

const N1 = '+13125550100'; // Chicago, in the simulator's Marketing profile
const N2 = '+12125550100'; // New York, same profile
const TO = '+13125551234'; // a Chicago mobile: delivered
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

interface MessageRow {
  id: string;
  telnyx_id: string | null;
  profile_id: string;
  direction: string;
  kind: string;
  pool_number: string | null;
  other_masked: string;
  other_country: string | null;
  type: string | null;
  parts: number | null;
  encoding: string | null;
  state: string;
  status: string | null;
  error_code: string | null;
  cost: string | null;
  created_at: string;
  sent_at: string | null;
  finalized_at: string | null;
}

beforeEach(async () => {
  await resetSimulator();
  await removeAllPools();
});

/** The D1 record of a message, by the edge's id or Telnyx's. */
async function messageRow(id: string): Promise<MessageRow | null> {
  return env.DB.prepare('SELECT * FROM messages WHERE id = ? OR telnyx_id = ?').bind(id, id).first<MessageRow>();
}

async function rowsOfPool(profileId: string): Promise<MessageRow[]> {
  return (await env.DB.prepare('SELECT * FROM messages WHERE profile_id = ?').bind(profileId).all<MessageRow>())
    .results;
}

/** GET /v2/messages/{id} until its recipient's status is `status`. */
async function messageWithStatus(id: string, status: string): Promise<Json> {
  return eventually(async () => {
    const message = await edgeMessage(id);
    expect(message.to[0].status).toBe(status);
    return message;
  });
}

describe('a send through a pool', () => {
  it("answers Telnyx's message for the edge's pool; its webhooks carry it to delivered, by either id, recorded in D1", async () => {
    const pool = await createPool({}, [N1, N2]);
    const answer = await send({ messaging_profile_id: pool.id, to: TO, text: 'Your table is ready' });
    expect(answer.status).toBe(200);
    const message = answer.body.data;
    expect(message).toMatchObject({
      record_type: 'message',
      direction: 'outbound',
      id: expect.stringMatching(UUID),
      type: 'SMS',
      messaging_profile_id: pool.id,
      to: [{ phone_number: TO, status: 'queued' }],
      text: 'Your table is ready',
      parts: 1,
      encoding: 'GSM-7',
      errors: [],
    });
    expect([N1, N2]).toContain(message.from.phone_number);

    // Exactly one request reached Telnyx, from the chosen number, with the edge's webhook URLs.
    expect(await simSends()).toHaveLength(1);
    const [atTelnyx] = await simMessagesTo(TO);
    expect(atTelnyx).toMatchObject({ id: message.id, from: { phone_number: message.from.phone_number } });
    expect(atTelnyx.webhook_url).toMatch(/^http:\/\/127\.0\.0\.1:8787\/webhooks\/messaging\?edge_id=[0-9a-f-]{36}$/);

    await flush();
    const delivered = await messageWithStatus(message.id, 'delivered');
    expect(delivered).toMatchObject({
      id: message.id,
      messaging_profile_id: pool.id,
      from: { phone_number: message.from.phone_number },
      sent_at: expect.stringMatching(ISO),
      completed_at: expect.stringMatching(ISO),
      errors: [],
    });
    const events = await deliveries(`?message_id=${message.id}`);
    expect(events.map((d) => [d.event_type, d.status])).toEqual([
      ['message.sent', 200],
      ['message.finalized', 200],
    ]);

    // The edge's own id names the same message.
    const row = await eventually(async () => {
      const found = await messageRow(message.id);
      expect(found?.status).toBe('delivered');
      return found!;
    });
    expect(row.id).toMatch(UUID);
    expect(row.id).not.toBe(message.id);
    expect(ok(await edge(`/v2/messages/${row.id}`))).toEqual(delivered);

    expect(row).toMatchObject({
      telnyx_id: message.id,
      profile_id: pool.id,
      direction: 'outbound',
      kind: 'send',
      pool_number: message.from.phone_number,
      other_country: 'US',
      type: 'SMS',
      parts: 1,
      encoding: 'GSM-7',
      state: 'sent',
      status: 'delivered',
      error_code: null,
      cost: expect.stringMatching(/^\d+\.\d+$/),
      sent_at: expect.stringMatching(ISO),
      finalized_at: expect.stringMatching(ISO),
    });
    // The pool's number is the business's; the other party is masked.
    expect(row.other_masked).toMatch(/^\+\*+1234$/);
    expect(row.other_masked).not.toContain('3125551234');

    const sender = (await listNumbers(pool.id)).find((n) => n.phone_number === message.from.phone_number);
    expect(sender.health).toMatchObject({ message_count: 1, success_ratio: 1, spam_ratio: 0, healthy: true });
  });

  it('sends through POST /v2/messages/number_pool the same way', async () => {
    const pool = await createPool({}, [N1, N2]);
    const answer = await send(
      { messaging_profile_id: pool.id, to: TO, text: 'Pool endpoint' },
      {},
      '/v2/messages/number_pool',
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ messaging_profile_id: pool.id, to: [{ phone_number: TO }] });
    expect([N1, N2]).toContain(answer.body.data.from.phone_number);
    expect(await simSends()).toHaveLength(1);
    await flush();
    await messageWithStatus(answer.body.data.id, 'delivered');
  });

  it('a destination ending in 92 ends delivery_failed with 40003, counted against the sending number', async () => {
    const pool = await createPool({}, [N1, N2]);
    const message = ok(await send({ from: N1, to: '+13125551292', text: 'Blocked as spam' }));
    await flush();
    const failed = await messageWithStatus(message.id, 'delivery_failed');
    expect(failed.errors).toEqual([expect.objectContaining({ code: '40003' })]);

    const health = Object.fromEntries((await listNumbers(pool.id)).map((n) => [n.phone_number, n.health]));
    // One final message, not delivered, a spam verdict; too few (under 10) to call the number unhealthy.
    expect(health[N1]).toMatchObject({ message_count: 1, success_ratio: 0, spam_ratio: 1, healthy: true });
    expect(health[N2]).toMatchObject({ message_count: 0, success_ratio: 1, spam_ratio: 0, healthy: true });

    const row = await eventually(async () => {
      const found = await messageRow(message.id);
      expect(found?.status).toBe('delivery_failed');
      return found!;
    });
    expect(row).toMatchObject({ error_code: '40003', pool_number: N1, finalized_at: expect.stringMatching(ISO) });
  });

  it('a destination ending in 97 ends sending_failed (40013, no message.sent); the number is then avoided', async () => {
    const pool = await createPool({}, [N1, N2]);
    const message = ok(await send({ from: N1, to: '+13125551297', text: 'Invalid source' }));
    await flush();
    const failed = await messageWithStatus(message.id, 'sending_failed');
    expect(failed.errors).toEqual([expect.objectContaining({ code: '40013' })]);
    expect(failed.sent_at).toBeNull();
    expect((await deliveries(`?message_id=${message.id}`)).map((d) => d.event_type)).toEqual(['message.finalized']);

    const health = Object.fromEntries((await listNumbers(pool.id)).map((n) => [n.phone_number, n.health]));
    // A carrier's "invalid source" verdict makes the number unhealthy at once.
    expect(health[N1]).toMatchObject({ message_count: 1, success_ratio: 0, healthy: false });
    for (const to of ['+13125551201', '+13125551202', '+13125551203']) {
      const next = ok(await send({ messaging_profile_id: pool.id, to, text: 'Who sends?' }));
      expect(next.from.phone_number).toBe(N2);
    }
  });

  it('answers 404 for a message that never went through the edge', async () => {
    expectError(await edge(`/v2/messages/${crypto.randomUUID()}`), 404, '10005');
  });
});

describe('checks before anything leaves', () => {
  type Case = [
    name: string,
    body: (poolId: string) => unknown,
    status: number,
    code: string,
    source: { pointer?: string; parameter?: string } | undefined,
    options?: { path?: string; headers?: Record<string, string> },
  ];
  const base = (poolId: string) => ({ messaging_profile_id: poolId, to: TO, text: 'Hello' });
  const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
  const https = (i: number) => `https://cdn.example.com/image-${i}.jpg`;

  const cases: Case[] = [
    ['no to', (p) => ({ messaging_profile_id: p, text: 'Hello' }), 422, '10004', { pointer: '/to' }],
    ['a to with spaces', (p) => ({ ...base(p), to: '+1 312 555 1234' }), 422, '10016', { pointer: '/to' }],
    ['a to starting +0', (p) => ({ ...base(p), to: '+0123456789' }), 422, '10016', { pointer: '/to' }],
    ['a to of 16 digits', (p) => ({ ...base(p), to: '+1234567890123456' }), 422, '10016', { pointer: '/to' }],
    ['a to with letters', (p) => ({ ...base(p), to: '+1800FLOWERS' }), 422, '10016', { pointer: '/to' }],
    [
      'a to in unicode digits',
      (p) => ({ ...base(p), to: '+１３１２５５５１２３４' }),
      422,
      '10016',
      { pointer: '/to' },
    ],
    ['a to that is a number', (p) => ({ ...base(p), to: 13125551234 }), 422, '10016', { pointer: '/to' }],
    ['a to with an N11 area code', (p) => ({ ...base(p), to: '+12115550123' }), 422, '10002', { pointer: '/to' }],
    ['a to of 15551234567', (p) => ({ ...base(p), to: '15551234567' }), 422, '10002', { pointer: '/to' }],
    ['a from that is no number', (p) => ({ ...base(p), from: '+1 555' }), 422, '10016', { pointer: '/from' }],
    // Telnyx takes alphanumeric sender IDs; pools hold numbers only, so the edge says so plainly.
    ['an alphanumeric sender ID', (p) => ({ ...base(p), from: 'Acme' }), 400, '40305', { pointer: '/from' }],
    ['no text and no media', (p) => ({ messaging_profile_id: p, to: TO }), 400, '40316', { pointer: '/text' }],
    ['empty text', (p) => ({ ...base(p), text: '' }), 400, '40316', { pointer: '/text' }],
    ['text that is not a string', (p) => ({ ...base(p), text: 42 }), 400, '10015', { pointer: '/text' }],
    ['text of 11 parts', (p) => ({ ...base(p), text: 'a'.repeat(153 * 10 + 1) }), 400, '40302', { pointer: '/text' }],
    [
      'a UCS-2 text of 11 parts',
      (p) => ({ ...base(p), text: 'ж'.repeat(67 * 10 + 1) }),
      400,
      '40302',
      { pointer: '/text' },
    ],
    [
      'an http media URL',
      (p) => ({ ...base(p), media_urls: ['http://cdn.example.com/a.jpg'] }),
      400,
      '40317',
      {
        pointer: '/media_urls/0',
      },
    ],
    [
      'a second media URL of ftp',
      (p) => ({ ...base(p), media_urls: [https(1), 'ftp://cdn.example.com/b.jpg'] }),
      400,
      '40317',
      {
        pointer: '/media_urls/1',
      },
    ],
    [
      '11 media URLs',
      (p) => ({ ...base(p), media_urls: Array.from({ length: 11 }, (_, i) => https(i)) }),
      400,
      '40317',
      {
        pointer: '/media_urls',
      },
    ],
    [
      'media_urls that is not a list',
      (p) => ({ ...base(p), media_urls: https(1) }),
      400,
      '10015',
      {
        pointer: '/media_urls',
      },
    ],
    ['a type other than SMS or MMS', (p) => ({ ...base(p), type: 'FAX' }), 400, '10015', { pointer: '/type' }],
    ['send_at in the past', (p) => ({ ...base(p), send_at: soon(-5 * 60_000) }), 400, '10015', { pointer: '/send_at' }],
    [
      'send_at beyond the 35-day horizon',
      (p) => ({ ...base(p), send_at: soon(36 * 86_400_000) }),
      400,
      '10015',
      {
        pointer: '/send_at',
      },
    ],
    ['send_at that is no date', (p) => ({ ...base(p), send_at: 'tomorrow' }), 400, '10015', { pointer: '/send_at' }],
    ['send_at without a time', (p) => ({ ...base(p), send_at: '2099-01-01' }), 400, '10015', { pointer: '/send_at' }],
    [
      'send_at on the number pool endpoint',
      (p) => ({ ...base(p), send_at: soon(3_600_000) }),
      400,
      '10015',
      { pointer: '/send_at' },
      { path: '/v2/messages/number_pool' },
    ],
    [
      'a webhook_url that is not http(s)',
      (p) => ({ ...base(p), webhook_url: 'ftp://hooks.example.com' }),
      400,
      '10003',
      {
        pointer: '/webhook_url',
      },
    ],
    [
      'use_short_code that is not a boolean',
      (p) => ({ ...base(p), use_short_code: 'yes' }),
      400,
      '10015',
      {
        pointer: '/use_short_code',
      },
    ],
    [
      'no messaging_profile_id on the number pool endpoint',
      () => ({ to: TO, text: 'Hello' }),
      422,
      '10004',
      { pointer: '/messaging_profile_id' },
      { path: '/v2/messages/number_pool' },
    ],
    ['neither from nor messaging_profile_id', () => ({ to: TO, text: 'Hello' }), 422, '10004', { pointer: '/from' }],
    ['a messaging_profile_id of no profile', () => base(crypto.randomUUID()), 404, '10005', undefined],
    [
      'a messaging_profile_id that is not a string',
      () => base(42 as never),
      400,
      '10015',
      {
        pointer: '/messaging_profile_id',
      },
    ],
    ['a body that is not JSON', () => '{"to": "+1312', 400, '10023', undefined],
    ['a body that is a list', () => [], 400, '10015', { pointer: '/' }],
    [
      'an Idempotency-Key over 255 characters',
      (p) => base(p),
      400,
      '10015',
      { parameter: 'Idempotency-Key' },
      { headers: { 'idempotency-key': 'k'.repeat(256) } },
    ],
  ];

  it.each(cases)(
    'refuses %s, sending and recording nothing',
    async (_name, body, status, code, source, options = {}) => {
      const pool = await createPool({}, [N1, N2]);
      const raw = body(pool.id);
      const answer = await edge(options.path ?? '/v2/messages', {
        body: typeof raw === 'string' ? raw : JSON.stringify(raw),
        headers: options.headers,
      });
      const error = expectError(answer, status, code, source);
      expect(error.detail).toEqual(expect.any(String));
      expect(JSON.stringify(answer.body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
      expect(await simSends()).toEqual([]);
      expect(await rowsOfPool(pool.id)).toEqual([]);
    },
  );

  it('refuses a from that is in no pool (40305), and a from of another pool than the one named', async () => {
    const pool = await createPool({}, [N1]);
    const other = await createPool({}, [N2]);
    expectError(await send({ from: '+14155550100', to: TO, text: 'Hello' }), 400, '40305', { pointer: '/from' });
    expectError(await send({ from: N2, messaging_profile_id: pool.id, to: TO, text: 'Hello' }), 400, '40305', {
      pointer: '/from',
    });
    expect(await simSends()).toEqual([]);
    expect(await rowsOfPool(pool.id)).toEqual([]);
    expect(await rowsOfPool(other.id)).toEqual([]);
  });

  it('refuses a send from a pool with no numbers, or for a short code the pool lacks (40305)', async () => {
    const empty = await createPool();
    expectError(await send({ messaging_profile_id: empty.id, to: TO, text: 'Hello' }), 400, '40305', {
      pointer: '/messaging_profile_id',
    });
    const pool = await createPool({}, [N1]);
    expectError(
      await send({ messaging_profile_id: pool.id, to: TO, text: 'Hello', use_short_code: true }),
      400,
      '40305',
      {
        pointer: '/messaging_profile_id',
      },
    );
    expect(await simSends()).toEqual([]);
  });

  it("refuses a destination outside the profile's whitelisted_destinations (40309)", async () => {
    const usOnly = await createPool({ whitelisted_destinations: ['US'] }, [N1]);
    const refusal = expectError(
      await send({ messaging_profile_id: usOnly.id, to: '+447400123457', text: 'Hello London' }),
      400,
      '40309',
      { pointer: '/to' },
    );
    expect(refusal.detail).toContain('GB');
    expectError(
      await send({ messaging_profile_id: usOnly.id, to: '+14165551234', text: 'Hello Toronto' }),
      400,
      '40309',
      {
        pointer: '/to',
      },
    );
    expect(await simSends()).toEqual([]);

    const northAmerica = await createPool({ whitelisted_destinations: ['US', 'CA'] }, [N2]);
    expect(
      ok(await send({ messaging_profile_id: northAmerica.id, to: '+14165551234', text: 'Hello Toronto' })),
    ).toMatchObject({ to: [{ phone_number: '+14165551234' }] });
    expect(await simSends()).toHaveLength(1);
  });

  it('refuses a send through a disabled profile (40312), by profile or by from', async () => {
    const pool = await createPool({}, [N1]);
    ok(await edge(`/v2/messaging_profiles/${pool.id}`, { method: 'PATCH', body: { enabled: false } }));
    expectError(await send({ messaging_profile_id: pool.id, to: TO, text: 'Hello' }), 400, '40312');
    expectError(await send({ from: N1, to: TO, text: 'Hello' }), 400, '40312');
    expect(await simSends()).toEqual([]);

    ok(await edge(`/v2/messaging_profiles/${pool.id}`, { method: 'PATCH', body: { enabled: true } }));
    ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'Hello' }));
    expect(await simSends()).toHaveLength(1);
  });
});

describe('what is sent', () => {
  it('sends from an explicit from of the pool, found by from alone or with the profile', async () => {
    const pool = await createPool({}, [N1, N2]);
    const byFrom = ok(await send({ from: N2, to: TO, text: 'From New York' }));
    expect(byFrom).toMatchObject({ messaging_profile_id: pool.id, from: { phone_number: N2 } });
    const both = ok(await send({ from: N2, messaging_profile_id: pool.id, to: '+13125551235', text: 'Again' }));
    expect(both).toMatchObject({ messaging_profile_id: pool.id, from: { phone_number: N2 } });
    await eventually(async () => {
      const sent = [...(await simMessagesTo(TO)), ...(await simMessagesTo('+13125551235'))];
      expect(sent.map((m) => m.from.phone_number)).toEqual([N2, N2]);
    });
  });

  it('sends from a short code of the pool only when asked: use_short_code, or the short code as from', async () => {
    const pool = await createPool({}, [N1, { phone_number: '22395', type: 'short-code' }]);
    // The pool's own choice never takes the short code.
    for (const to of ['+13125551240', '+13125551241', '+13125551242']) {
      expect(ok(await send({ messaging_profile_id: pool.id, to, text: 'Long code' })).from.phone_number).toBe(N1);
    }
    const asked = ok(
      await send({ messaging_profile_id: pool.id, to: '+13125551243', text: 'Short code', use_short_code: true }),
    );
    expect(asked.from.phone_number).toBe('22395');
    // Telnyx's `from` takes "+E.164, alphanumeric sender ID, or short code".
    const named = await send({ from: '22395', to: '+13125551244', text: 'Named short code' });
    expect(named.status, JSON.stringify(named.body)).toBe(200);
    expect(named.body.data).toMatchObject({ messaging_profile_id: pool.id, from: { phone_number: '22395' } });
    await eventually(async () =>
      expect((await simMessagesTo('+13125551244')).map((m) => m.from.phone_number)).toEqual(['22395']),
    );
  });

  it('sends an MMS with https media (up to 10), with or without text', async () => {
    const pool = await createPool({}, [N1]);
    const media = Array.from({ length: 10 }, (_, i) => `https://cdn.example.com/photo-${i}.jpg`);
    const mms = ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'Your photos', media_urls: media }));
    expect(mms).toMatchObject({ type: 'MMS', parts: 1, messaging_profile_id: pool.id });
    expect(mms.media.map((m: Json) => m.url)).toEqual(media);

    const mediaOnly = ok(
      await send({ messaging_profile_id: pool.id, to: '+13125551235', media_urls: ['https://cdn.example.com/a.png'] }),
    );
    expect(mediaOnly).toMatchObject({ type: 'MMS', parts: 1 });

    await eventually(async () => {
      const [first] = await simMessagesTo(TO);
      expect(first).toMatchObject({ type: 'MMS', text: 'Your photos' });
      expect(first.media.map((m: Json) => m.url)).toEqual(media);
      expect(await simMessagesTo('+13125551235')).toEqual([expect.objectContaining({ type: 'MMS' })]);
    });
  });

  it('sends a text of exactly 10 parts', async () => {
    const pool = await createPool({}, [N1]);
    const answer = ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'a'.repeat(153 * 10) }));
    expect(answer).toMatchObject({ parts: 10, encoding: 'GSM-7' });
    expect(await simSends()).toHaveLength(1);
  });

  // Curly quotes, a dash and an ellipsis: UCS-2 as written (2 parts), GSM-7 once smart-encoded (1).
  const curly = '“Your appointment” is confirmed — we’ll see you on Tuesday… Reply ‘C’ to cancel. Thanks!!!!';

  it('without smart encoding, sends typographic text as written (UCS-2)', async () => {
    const pool = await createPool({}, [N1]);
    const answer = ok(await send({ messaging_profile_id: pool.id, to: TO, text: curly }));
    expect(answer).toMatchObject({ encoding: 'UCS-2', parts: 2, text: curly, smart_encoding_applied: false });
    const [atTelnyx] = await simMessagesTo(TO);
    expect(atTelnyx.text).toBe(curly);
  });

  it('with smart encoding, replaces look-alikes first: GSM-7, fewer parts, smart_encoding_applied', async () => {
    const pool = await createPool({ edge: { smart_encoding: true } }, [N1]);
    const answer = ok(await send({ messaging_profile_id: pool.id, to: TO, text: curly }));
    const plain = `"Your appointment" is confirmed - we'll see you on Tuesday... Reply 'C' to cancel. Thanks!!!!`;
    expect(answer).toMatchObject({ encoding: 'GSM-7', parts: 1, text: plain });
    const [atTelnyx] = await simMessagesTo(TO);
    expect(atTelnyx.text).toBe(plain);
    expect(answer.smart_encoding_applied).toBe(true);
  });

  it("honours Telnyx's own smart_encoding field of the profile (as the SDK sets it)", async () => {
    // The bundle sends from numbers whose Telnyx profile is not this one, so Telnyx will not apply
    // the field: the edge has to, or a profile that says smart_encoding: true sends UCS-2.
    const pool = await createPool({ smart_encoding: true }, [N1]);
    expect(pool.smart_encoding).toBe(true);
    const answer = ok(await send({ messaging_profile_id: pool.id, to: TO, text: curly }));
    expect(answer).toMatchObject({ encoding: 'GSM-7', parts: 1, smart_encoding_applied: true });
  });

  it('with smart encoding, leaves text that needs no replacement alone', async () => {
    const pool = await createPool({ edge: { smart_encoding: true } }, [N1]);
    const answer = ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'Plain "ASCII" text' }));
    expect(answer).toMatchObject({
      encoding: 'GSM-7',
      parts: 1,
      text: 'Plain "ASCII" text',
      smart_encoding_applied: false,
    });
  });
});

describe('Idempotency-Key', () => {
  it('answers a repeated key with the first answer, sending once; another key sends again', async () => {
    const pool = await createPool({}, [N1, N2]);
    const body = { messaging_profile_id: pool.id, to: TO, text: 'Exactly once' };
    const first = await send(body, { 'idempotency-key': 'order-1001' });
    const second = await send(body, { 'idempotency-key': 'order-1001' });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body).toEqual(first.body);
    expect(await simSends()).toHaveLength(1);

    const third = await send(body, { 'idempotency-key': 'order-1002' });
    expect(third.status).toBe(200);
    expect(third.body.data.id).not.toBe(first.body.data.id);
    await eventually(async () => expect(await simSends()).toHaveLength(2));
  });

  it('sends once for the same key sent twice at the same time; both answers name that message', async () => {
    const pool = await createPool({}, [N1, N2]);
    const body = { messaging_profile_id: pool.id, to: TO, text: 'Exactly once, concurrently' };
    const answers: Answer[] = await Promise.all([
      send(body, { 'idempotency-key': 'concurrent-1' }),
      send(body, { 'idempotency-key': 'concurrent-1' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await simSends()).toHaveLength(1);
    const [first, second] = await Promise.all(
      answers.map(async (a) => ok(await edge(`/v2/messages/${a.body.data.id}`))),
    );
    expect(second).toEqual(first);
    await eventually(async () => expect(await rowsOfPool(pool.id)).toHaveLength(1));
  });

  it('a repeat of the key while the first send is still on its way to Telnyx answers with the same message id', async () => {
    // The client timed out and retries: Telnyx is slow to answer the first request.
    await fault({ target: 'api', kind: 'slow', count: 1, delay_ms: 400, path: '/v2/messages' });
    const pool = await createPool({}, [N1]);
    const body = { messaging_profile_id: pool.id, to: TO, text: 'Retried while in flight' };
    const original = send(body, { 'idempotency-key': 'in-flight-1' });
    // Well inside the 400 ms Telnyx takes: the first request is on its way when the retry comes.
    await sleep(100);
    const retry = await send(body, { 'idempotency-key': 'in-flight-1' });
    const first = await original;
    expect([first.status, retry.status]).toEqual([200, 200]);
    expect(await simSends()).toHaveLength(1);
    // Webhooks and GET name the message by the id the first answer gave; the retry must give it too.
    expect(retry.body.data.id).toBe(first.body.data.id);
  });

  it('a repeat after a queued send has left names it by the id the first answer gave (the edge id)', async () => {
    const pool = await createPool({}, [{ phone_number: N1, mps: 1 }]);
    ok(await send({ messaging_profile_id: pool.id, from: N1, to: TO, text: 'takes the slot' }));
    const body = { messaging_profile_id: pool.id, from: N1, to: TO, text: 'waits its turn' };
    const first = ok(await send(body, { 'idempotency-key': 'queued-1' }));
    expect(first.to[0].status).toBe('queued');
    // It leaves a second later; from then on the message carries Telnyx's id.
    await eventually(async () => expect(await simSends()).toHaveLength(2));
    await eventually(async () => expect((await edgeMessage(first.id as string)).id).not.toBe(first.id));
    const repeat = ok(await send(body, { 'idempotency-key': 'queued-1' }));
    expect(repeat.id).toBe(first.id);
    expect(await simSends()).toHaveLength(2);
  });

  it('a key is per pool: the same key in another pool is another send', async () => {
    const a = await createPool({}, [N1]);
    const b = await createPool({}, [N2]);
    ok(await send({ messaging_profile_id: a.id, to: TO, text: 'A' }, { 'idempotency-key': 'shared' }));
    ok(await send({ messaging_profile_id: b.id, to: TO, text: 'B' }, { 'idempotency-key': 'shared' }));
    expect(await simSends()).toHaveLength(2);
  });
});

describe('scheduled sends and quiet hours', () => {
  it('holds a send_at send as scheduled, then sends it when its time comes', async () => {
    const pool = await createPool({}, [N1]);
    const sendAt = new Date(Date.now() + 1500).toISOString();
    const answer = await send({ messaging_profile_id: pool.id, to: TO, text: 'Later', send_at: sendAt });
    expect(answer.status).toBe(200);
    const scheduled = answer.body.data;
    expect(scheduled).toMatchObject({
      record_type: 'message',
      id: expect.stringMatching(UUID),
      messaging_profile_id: pool.id,
      from: { phone_number: N1 },
      to: [{ phone_number: TO, status: 'scheduled' }],
      send_at: sendAt,
      text: 'Later',
    });
    expect(await simSends()).toEqual([]);
    const row = await eventually(async () => {
      const found = await messageRow(scheduled.id);
      expect(found).toMatchObject({ state: 'scheduled', status: 'scheduled', telnyx_id: null });
      return found!;
    });
    expect(row.id).toBe(scheduled.id);

    // The pool's alarm sends it at send_at (Durable Object alarms keep real time).
    const [atTelnyx] = await eventually(async () => {
      const sent = await simMessagesTo(TO);
      expect(sent).toHaveLength(1);
      return sent;
    }, 6000);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(sendAt));
    expect(atTelnyx).toMatchObject({ text: 'Later', from: { phone_number: N1 } });

    await flush();
    const delivered = await messageWithStatus(scheduled.id, 'delivered');
    expect(delivered.id).toBe(atTelnyx.id);
    expect(ok(await edge(`/v2/messages/${atTelnyx.id}`))).toEqual(delivered);
    expect(await simSends()).toHaveLength(1);
  }, 15_000);

  it('POST /v2/messages/schedule holds the send like send_at, and requires send_at', async () => {
    const pool = await createPool({}, [N1]);
    const sendAt = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = ok(
      await send(
        { messaging_profile_id: pool.id, to: TO, text: 'Later', send_at: sendAt },
        {},
        '/v2/messages/schedule',
      ),
    );
    expect(scheduled).toMatchObject({ to: [{ status: 'scheduled' }], send_at: sendAt, from: { phone_number: N1 } });
    expectError(
      await send({ messaging_profile_id: pool.id, to: TO, text: 'Now?' }, {}, '/v2/messages/schedule'),
      422,
      '10004',
      {
        pointer: '/send_at',
      },
    );
    expect(await simSends()).toEqual([]);
  });

  it('DELETE /v2/messages/{id} cancels a send that has not left, so it never goes; a sent one cannot be', async () => {
    const pool = await createPool({}, [N1]);
    const sendAt = new Date(Date.now() + 1500).toISOString();
    const scheduled = ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'Never', send_at: sendAt }));
    // The D1 record, which finds the pool of a message, is written just after the answer.
    await eventually(async () => expect(await messageRow(scheduled.id)).not.toBeNull());
    const cancelled = ok(await edge(`/v2/messages/${scheduled.id}`, { method: 'DELETE' }));
    expect(cancelled).toMatchObject({ id: scheduled.id, to: [{ phone_number: TO, status: 'cancelled' }] });
    expect(ok(await edge(`/v2/messages/${scheduled.id}`)).to[0].status).toBe('cancelled');
    await eventually(async () => expect(await messageRow(scheduled.id)).toMatchObject({ state: 'cancelled' }));
    // Past its send_at, and after the pool's alarm has run, nothing went to Telnyx.
    await sleep(2500);
    expect(await simSends()).toEqual([]);
    expectError(await edge(`/v2/messages/${scheduled.id}`, { method: 'DELETE' }), 409, '10015');

    const sent = ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'Now' }));
    await eventually(async () => expect(await messageRow(sent.id)).not.toBeNull());
    expectError(await edge(`/v2/messages/${sent.id}`, { method: 'DELETE' }), 409, '10015');
    expectError(await edge(`/v2/messages/${crypto.randomUUID()}`, { method: 'DELETE' }), 404, '10005');
    expect(await simSends()).toHaveLength(1);
  }, 15_000);

  it("defers a send in quiet hours to the next window start in the recipient's zone, with the pool's alarm set", async () => {
    // A window that is closed now in Chicago (TO's zone): it opens two hours from now, for an hour.
    const now = Date.now();
    const local = wallClock(now, 'America/Chicago');
    const window = { enabled: true, start: shiftHHMM(local, 2), end: shiftHHMM(local, 3) };
    const pool = await createPool({ edge: { quiet_hours: window } }, [N1]);

    const answer = await send({ messaging_profile_id: pool.id, to: TO, text: 'Not at night' });
    expect(answer.status).toBe(200);
    const deferred = answer.body.data;
    expect(deferred.to[0].status).toBe('scheduled');
    const at = Date.parse(deferred.send_at);
    expect(at).toBeGreaterThan(now);
    expect(at - now).toBeLessThanOrEqual(24 * 3_600_000);
    expect(wallClock(at, 'America/Chicago')).toBe(window.start);
    expect(new Date(at).getUTCSeconds()).toBe(0);
    expect(await simSends()).toEqual([]);

    // Deferred, not dropped: the pool holds it and its alarm is set for the window's start.
    expect(await poolAlarm(pool.id)).toBe(at);
    expect(ok(await edge(`/v2/messages/${deferred.id}`))).toMatchObject({
      to: [{ status: 'scheduled' }],
      send_at: deferred.send_at,
    });
  });

  it('sends at once inside the quiet-hours window, and quiet hours follow the recipient, not the sender', async () => {
    const now = Date.now();
    // Open now in Chicago: from an hour ago to an hour ahead.
    const chicago = wallClock(now, 'America/Chicago');
    const pool = await createPool(
      { edge: { quiet_hours: { enabled: true, start: shiftHHMM(chicago, -1), end: shiftHHMM(chicago, 1) } } },
      [N1],
    );
    const inside = ok(await send({ messaging_profile_id: pool.id, to: TO, text: 'Now' }));
    expect(inside.to[0].status).toBe('queued');
    expect(await simSends()).toHaveLength(1);

    // Sydney's clock is 15 to 17 hours from Chicago's, so the same window is closed there now.
    ok(await edge(`/v2/messaging_profiles/${pool.id}`, { method: 'PATCH', body: { whitelisted_destinations: ['*'] } }));
    const abroad = ok(await send({ messaging_profile_id: pool.id, to: '+61412345679', text: 'Later in Sydney' }));
    expect(abroad.to[0].status).toBe('scheduled');
    const at = Date.parse(abroad.send_at);
    expect(wallClock(at, 'Australia/Sydney')).toBe(shiftHHMM(chicago, -1));
    expect(at - now).toBeLessThanOrEqual(24 * 3_600_000);
    expect(await simSends()).toHaveLength(1);
  });
});
