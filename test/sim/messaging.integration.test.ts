// Sending messages through the simulator (POST /v2/messages): the message object as Telnyx
// returns it (every field of SUBSET.md "Outbound message", with its types), encoding and parts
// (GSM-7, UCS-2, the 153/67-unit split), MMS; the message.sent / message.finalized webhooks and
// the final state at GET /v2/messages/{id} (sent_at, completed_at, cost as decimal strings,
// errors[]); the latency settings and scheduled sends; every row of the outcome table
// (sim/messaging/outcomes.ts); and every validation error, with Telnyx's status, code and pointer,
// leaving nothing stored.
import { beforeEach, describe, expect, it } from 'vitest';
import { OUTCOME_TABLE } from '../../sim/messaging/outcomes';
import { SIM_ORGANIZATION_ID } from '../../sim/seed';
import {
  AUSTIN,
  CHICAGO,
  DEFAULT_WEBHOOK_URL,
  ISO,
  MARKETING,
  SUPPORT,
  UUID,
  api,
  controlOk,
  expectError,
  flush,
  getMessage,
  patchSettings,
  received,
  receivedTypes,
  resetAll,
  send,
  simState,
  storedMessages,
  type Message,
} from './support';

/** A mobile number (RANGES.md: 206 is Bluepeak; line numbers 0000-2999 are mobile). */
const MOBILE = '+12065550123';

/** The fields of SUBSET.md "Outbound message (also the `data` of POST /messages responses)". */
const OUTBOUND_FIELDS = [
  'completed_at',
  'cost',
  'cost_breakdown',
  'direction',
  'encoding',
  'errors',
  'from',
  'id',
  'media',
  'messaging_profile_id',
  'organization_id',
  'parts',
  'received_at',
  'record_type',
  'sent_at',
  'subject',
  'tags',
  'tcr_campaign_billable',
  'tcr_campaign_id',
  'tcr_campaign_registered',
  'text',
  'to',
  'type',
  'valid_until',
  'webhook_failover_url',
  'webhook_url',
];
const LINE_TYPES = ['Wireline', 'Wireless', 'VoWiFi', 'VoIP', 'Pre-Paid Wireless', ''];
const DECIMAL = /^\d+\.\d+$/;

beforeEach(() => resetAll());

describe('POST /v2/messages', () => {
  it("answers with Telnyx's outbound message object, queued", async () => {
    const before = Date.now();
    const message = await send({ from: CHICAGO, to: MOBILE, text: 'Hello there' });
    for (const field of OUTBOUND_FIELDS) expect(message, field).toHaveProperty(field);
    expect(message).toMatchObject({
      record_type: 'message',
      direction: 'outbound',
      type: 'SMS',
      text: 'Hello there',
      encoding: 'GSM-7',
      parts: 1,
      messaging_profile_id: MARKETING,
      organization_id: SIM_ORGANIZATION_ID,
      subject: null,
      media: [],
      tags: [],
      errors: [],
      cost: null,
      cost_breakdown: null,
      sent_at: null,
      completed_at: null,
      tcr_campaign_billable: false,
      tcr_campaign_id: null,
      tcr_campaign_registered: null,
      webhook_url: DEFAULT_WEBHOOK_URL,
      webhook_failover_url: null,
    });
    expect(message.id).toMatch(UUID);
    expect(message.from).toEqual({ phone_number: CHICAGO, carrier: expect.any(String), line_type: 'VoIP' });
    expect(message.to).toEqual([
      { phone_number: MOBILE, status: 'queued', carrier: 'Bluepeak Mobile (sim)', line_type: 'Wireless' },
    ]);
    expect(LINE_TYPES).toContain(message.from.line_type);
    expect(message.received_at).toMatch(ISO);
    expect(Date.parse(message.received_at)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(message.received_at)).toBeLessThanOrEqual(Date.now() + 1000);
    expect(message.valid_until).toMatch(ISO);
    // Stored as returned.
    expect(await getMessage(message.id)).toEqual(message);
  });

  it('reports a fixed-line destination as Wireline', async () => {
    const message = await send({ from: CHICAGO, to: '+12065553000', text: 'Landline' });
    expect(message.to[0]).toMatchObject({ carrier: 'Bluepeak Communications (sim)', line_type: 'Wireline' });
  });

  it('accepts `to` as a list of one number, as the spec example sends it', async () => {
    const message = await send({ from: CHICAGO, to: [MOBILE], text: 'Listed' });
    expect(message.to[0]!.phone_number).toBe(MOBILE);
  });

  it.each([
    ['160 GSM characters', 'a'.repeat(160), 'GSM-7', 1],
    ['161 GSM characters', 'a'.repeat(161), 'GSM-7', 2],
    ['306 GSM characters (2 x 153)', 'a'.repeat(306), 'GSM-7', 2],
    ['307 GSM characters', 'a'.repeat(307), 'GSM-7', 3],
    ['80 euro signs (2 septets each)', '€'.repeat(80), 'GSM-7', 1],
    ['81 euro signs', '€'.repeat(81), 'GSM-7', 2],
    ['text with an emoji', 'See you soon 😀', 'UCS-2', 1],
    ['70 UCS-2 characters', 'ą'.repeat(70), 'UCS-2', 1],
    ['71 UCS-2 characters', 'ą'.repeat(71), 'UCS-2', 2],
    ['1530 GSM characters (10 parts, the most)', 'a'.repeat(1530), 'GSM-7', 10],
  ])('counts %s as %s in %i part(s)', async (_name, text, encoding, parts) => {
    const message = await send({ from: CHICAGO, to: MOBILE, text });
    expect(message).toMatchObject({ encoding, parts, type: 'SMS' });
  });

  it('sends an MMS when media_urls are given, one part, priced as MMS', async () => {
    const url = 'https://media.example.test/cat.jpg';
    const message = await send({ from: CHICAGO, to: MOBILE, text: 'A cat', subject: 'Look', media_urls: [url] });
    expect(message).toMatchObject({ type: 'MMS', parts: 1, subject: 'Look' });
    expect(message.media).toEqual([{ url, content_type: null, sha256: null, size: null }]);
    await flush();
    expect((await getMessage(message.id)).cost).toEqual({ amount: '0.0150', currency: 'USD' });
  });

  it('answers 404 in Telnyx shape for an unknown message id', async () => {
    await expectError(await api('GET', `/v2/messages/${crypto.randomUUID()}`), 404, '10005');
  });
});

describe("a message's life", () => {
  it('goes queued, then sent (message.sent), then delivered (message.finalized)', async () => {
    const message = await send({ from: CHICAGO, to: MOBILE, text: 'All the way' });
    expect((await getMessage(message.id)).to[0]!.status).toBe('queued');
    await flush();

    const webhooks = await received();
    expect(webhooks.map((w) => w.json.data.event_type)).toEqual(['message.sent', 'message.finalized']);
    const sent = webhooks[0]!.json.data.payload;
    const finalized = webhooks[1]!.json.data.payload;
    for (const payload of [sent, finalized]) {
      for (const field of OUTBOUND_FIELDS) expect(payload, field).toHaveProperty(field);
      expect(payload).toMatchObject({ id: message.id, text: 'All the way', received_at: message.received_at });
    }
    expect(sent.to[0]!.status).toBe('sent');
    expect(sent.sent_at).toMatch(ISO);
    expect(sent).toMatchObject({ completed_at: null, cost: null, errors: [] });

    expect(finalized.to[0]!.status).toBe('delivered');
    expect(finalized.sent_at).toBe(sent.sent_at);
    expect(finalized.completed_at).toMatch(ISO);
    expect(Date.parse(finalized.completed_at!)).toBeGreaterThan(Date.parse(finalized.sent_at!));
    expect(finalized.cost).toEqual({ amount: '0.0040', currency: 'USD' });
    expect(finalized.cost_breakdown).toEqual({
      rate: { amount: '0.0024', currency: 'USD' },
      carrier_fee: { amount: '0.0016', currency: 'USD' },
    });
    expect(finalized.errors).toEqual([]);

    // GET shows the final state: the finalized payload itself.
    const final = await getMessage(message.id);
    expect(final).toEqual(finalized);
    expect(final.cost!.amount).toMatch(DECIMAL);
    expect(typeof final.cost!.amount).toBe('string');
  });

  it('costs each part', async () => {
    const message = await send({ from: CHICAGO, to: MOBILE, text: 'b'.repeat(161) });
    await flush();
    expect((await getMessage(message.id)).cost).toEqual({ amount: '0.0080', currency: 'USD' });
  });

  it('takes its times from the latency settings', async () => {
    await patchSettings({ latency_ms: { sent: 1500, finalized: 4000 } });
    const message = await send({ from: CHICAGO, to: MOBILE, text: 'On time' });
    await flush();
    const final = await getMessage(message.id);
    // received_at is read a moment after the send's slot is taken, so it may be a millisecond or two late.
    const sentAfter = Date.parse(final.sent_at!) - Date.parse(final.received_at);
    expect(sentAfter).toBeGreaterThan(1490);
    expect(sentAfter).toBeLessThan(1600);
    expect(Date.parse(final.completed_at!) - Date.parse(final.sent_at!)).toBe(4000);
  });

  it('is scheduled with send_at, and leaves at that time', async () => {
    await patchSettings({ latency_ms: { sent: 0 } });
    const sendAt = new Date(Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000).toISOString();
    const message = await send({ from: CHICAGO, to: MOBILE, text: 'Later', send_at: sendAt });
    expect(message.to[0]!.status).toBe('scheduled');
    await flush();
    const final = await getMessage(message.id);
    expect(final.sent_at).toBe(sendAt);
    expect(final.to[0]!.status).toBe('delivered');
  });
});

describe('smart encoding', () => {
  it("with the profile's smart_encoding on, look-alikes are sent as GSM characters", async () => {
    const curly = 'It\u2019s \u201cready\u201d \u2014 see you\u2026';
    const plain = await send({ from: CHICAGO, to: '+13125551234', text: curly });
    expect(plain).toMatchObject({ encoding: 'UCS-2', text: curly, smart_encoding_applied: false });
    await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, { smart_encoding: true });
    const smart = await send({ from: CHICAGO, to: '+13125551234', text: curly });
    expect(smart).toMatchObject({
      encoding: 'GSM-7',
      text: 'It\'s "ready" - see you...',
      smart_encoding_applied: true,
    });
  });
});

describe('the outcome table', () => {
  // What each destination ending does, written out here so that the code cannot change it unnoticed.
  const EXPECTED: Record<string, { status: string; code?: string }> = {
    '90': { status: 'delivery_failed', code: '40001' },
    '91': { status: 'delivery_failed', code: '40002' },
    '92': { status: 'delivery_failed', code: '40003' },
    '93': { status: 'delivery_failed', code: '40006' },
    '94': { status: 'delivery_failed', code: '40008' },
    '95': { status: 'delivery_failed', code: '40012' },
    '96': { status: 'delivery_unconfirmed' },
    '97': { status: 'sending_failed', code: '40013' },
    '98': { status: 'delivery_failed', code: '40005' },
    '99': { status: 'delivery_failed', code: '40015' },
    '23': { status: 'delivered' },
    '00': { status: 'delivered' },
  };

  it('has a row for every ending the code knows', () => {
    const failing = Object.keys(EXPECTED).filter((ending) => ending >= '90');
    expect(Object.keys(OUTCOME_TABLE).sort()).toEqual(failing);
  });

  it.each(Object.entries(EXPECTED))('a destination ending in %s ends %o', async (ending, expected) => {
    const to = `+120655501${ending}`;
    const message = await send({ from: CHICAGO, to, text: `Outcome ${ending}` });
    await flush();
    const final = await getMessage(message.id);
    expect(final.to[0]!.status).toBe(expected.status);
    if (expected.code === undefined) {
      expect(final.errors).toEqual([]);
    } else {
      expect(final.errors).toHaveLength(1);
      expect(final.errors[0]).toEqual({ code: expected.code, title: expect.any(String), detail: expect.any(String) });
      expect(final.errors[0]).toEqual(OUTCOME_TABLE[ending]!.error);
    }
    if (expected.status === 'sending_failed') {
      // It never left: no message.sent, no sent_at, nothing charged.
      expect(await receivedTypes()).toEqual(['message.finalized']);
      expect(final).toMatchObject({ sent_at: null, cost: null, cost_breakdown: null });
    } else {
      expect(await receivedTypes()).toEqual(['message.sent', 'message.finalized']);
      expect(final.sent_at).toMatch(ISO);
      expect(final.cost).toEqual({ amount: '0.0040', currency: 'USD' });
    }
    expect(final.completed_at).toMatch(ISO);
  });
});

describe('validation', () => {
  const NOW_PLUS_HOUR = () => new Date(Date.now() + 3_600_000).toISOString();
  const cases: Array<{
    name: string;
    body: Record<string, unknown> | (() => Record<string, unknown>);
    path?: string;
    status: number;
    code: string;
    pointer?: string;
  }> = [
    { name: 'missing to', body: { from: CHICAGO, text: 'x' }, status: 422, code: '10004', pointer: '/to' },
    { name: 'empty to', body: { from: CHICAGO, to: '', text: 'x' }, status: 422, code: '10004', pointer: '/to' },
    {
      name: 'to not in +E.164',
      body: { from: CHICAGO, to: '2065550123', text: 'x' },
      status: 422,
      code: '10016',
      pointer: '/to',
    },
    {
      name: 'to with spaces',
      body: { from: CHICAGO, to: '+1 206 555 0123', text: 'x' },
      status: 422,
      code: '10016',
      pointer: '/to',
    },
    {
      name: 'two recipients',
      body: { from: CHICAGO, to: [MOBILE, '+12065550124'], text: 'x' },
      status: 422,
      code: '10016',
      pointer: '/to',
    },
    {
      name: 'to not a real number',
      body: { from: CHICAGO, to: '+11235550100', text: 'x' },
      status: 400,
      code: '40310',
      pointer: '/to',
    },
    {
      name: 'from not on the account',
      body: { from: '+13125559999', to: MOBILE, text: 'x' },
      status: 400,
      code: '40305',
      pointer: '/from',
    },
    {
      name: 'from on no profile',
      body: { from: '+18885550100', to: MOBILE, text: 'x' },
      status: 400,
      code: '40305',
      pointer: '/from',
    },
    { name: 'neither from nor profile', body: { to: MOBILE, text: 'x' }, status: 422, code: '10004', pointer: '/from' },
    { name: 'no text', body: { from: CHICAGO, to: MOBILE }, status: 400, code: '40316', pointer: '/text' },
    { name: 'empty text', body: { from: CHICAGO, to: MOBILE, text: '' }, status: 400, code: '40316', pointer: '/text' },
    {
      name: 'text not a string',
      body: { from: CHICAGO, to: MOBILE, text: 42 },
      status: 400,
      code: '10015',
      pointer: '/text',
    },
    {
      name: 'an MMS with neither media nor text',
      body: { from: CHICAGO, to: MOBILE, type: 'MMS' },
      status: 400,
      code: '40316',
      pointer: '/media_urls',
    },
    {
      name: '11 media URLs',
      body: {
        from: CHICAGO,
        to: MOBILE,
        media_urls: Array.from({ length: 11 }, (_, i) => `https://m.example.test/${i}.jpg`),
      },
      status: 400,
      code: '40317',
      pointer: '/media_urls',
    },
    {
      name: 'a media URL that is not http(s)',
      body: { from: CHICAGO, to: MOBILE, media_urls: ['ftp://m.example.test/a.jpg'] },
      status: 400,
      code: '40317',
      pointer: '/media_urls',
    },
    {
      name: '11 parts of text',
      body: { from: CHICAGO, to: MOBILE, text: 'a'.repeat(1531) },
      status: 400,
      code: '40302',
      pointer: '/text',
    },
    {
      name: 'type FAX',
      body: { from: CHICAGO, to: MOBILE, text: 'x', type: 'FAX' },
      status: 400,
      code: '10015',
      pointer: '/type',
    },
    {
      name: 'type not a string',
      body: { from: CHICAGO, to: MOBILE, text: 'x', type: 1 },
      status: 400,
      code: '10015',
      pointer: '/type',
    },
    {
      name: 'webhook_url not a URL',
      body: { from: CHICAGO, to: MOBILE, text: 'x', webhook_url: 'not a url' },
      status: 400,
      code: '10003',
      pointer: '/webhook_url',
    },
    {
      name: 'webhook_failover_url not http(s)',
      body: { from: CHICAGO, to: MOBILE, text: 'x', webhook_failover_url: 'ftp://hooks.example.test/' },
      status: 400,
      code: '10003',
      pointer: '/webhook_failover_url',
    },
    {
      name: 'use_profile_webhooks not a boolean',
      body: { from: CHICAGO, to: MOBILE, text: 'x', use_profile_webhooks: 'yes' },
      status: 400,
      code: '10015',
      pointer: '/use_profile_webhooks',
    },
    {
      name: 'send_at in the past',
      body: { from: CHICAGO, to: MOBILE, text: 'x', send_at: '2020-01-01T00:00:00Z' },
      status: 400,
      code: '10015',
      pointer: '/send_at',
    },
    {
      name: 'send_at not a date',
      body: { from: CHICAGO, to: MOBILE, text: 'x', send_at: 'tomorrow' },
      status: 400,
      code: '10015',
      pointer: '/send_at',
    },
    {
      name: 'send_at to the number pool',
      path: '/v2/messages/number_pool',
      body: () => ({ messaging_profile_id: MARKETING, to: MOBILE, text: 'x', send_at: NOW_PLUS_HOUR() }),
      status: 400,
      code: '10015',
      pointer: '/send_at',
    },
    {
      name: 'number pool without messaging_profile_id',
      path: '/v2/messages/number_pool',
      body: { to: MOBILE, text: 'x' },
      status: 422,
      code: '10004',
      pointer: '/messaging_profile_id',
    },
    {
      name: 'number pool from a profile with number_pool_settings null',
      path: '/v2/messages/number_pool',
      body: { messaging_profile_id: SUPPORT, to: MOBILE, text: 'x' },
      status: 400,
      code: '10015',
      pointer: '/messaging_profile_id',
    },
    {
      name: 'number pool from an unknown profile',
      path: '/v2/messages/number_pool',
      body: { messaging_profile_id: crypto.randomUUID(), to: MOBILE, text: 'x' },
      status: 400,
      code: '10017',
      pointer: '/messaging_profile_id',
    },
    {
      name: 'a destination outside whitelisted_destinations (marketing: US, CA)',
      body: { from: CHICAGO, to: '+447400123456', text: 'x' },
      status: 400,
      code: '40309',
      pointer: '/to',
    },
    {
      name: 'a destination outside whitelisted_destinations (support: US, CA, GB)',
      body: { from: AUSTIN, to: '+4915123456789', text: 'x' },
      status: 400,
      code: '40309',
      pointer: '/to',
    },
  ];

  it.each(cases)('refuses $name with $status $code', async ({ body, path, status, code, pointer }) => {
    const response = await api('POST', path ?? '/v2/messages', typeof body === 'function' ? body() : body);
    await expectError(response, status, code, pointer === undefined ? undefined : { pointer });
    // Nothing of a refused send is kept or sent.
    expect(await storedMessages()).toEqual([]);
    expect((await simState()).counts.events_pending).toBe(0);
  });

  it('refuses a send from a disabled profile with 40312', async () => {
    expect((await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, { enabled: false })).status).toBe(200);
    await expectError(await api('POST', '/v2/messages', { from: CHICAGO, to: MOBILE, text: 'x' }), 400, '40312');
    await expectError(
      await api('POST', '/v2/messages/number_pool', { messaging_profile_id: MARKETING, to: MOBILE, text: 'x' }),
      400,
      '40312',
    );
    expect(await storedMessages()).toEqual([]);
    // Enabled again, it sends.
    expect((await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, { enabled: true })).status).toBe(200);
    await send({ from: CHICAGO, to: MOBILE, text: 'x' });
  });

  it("reports the first problem in the order of sim/README.md's table", async () => {
    const tooMany = Array.from({ length: 11 }, (_, i) => `https://m.example.test/${i}.jpg`);
    const stranger = '+13125559999';
    const pairs: Array<[Record<string, unknown>, number, string]> = [
      [{ from: stranger, text: 'x' }, 422, '10004'], // to missing, before from
      [{ from: stranger, to: '2065550123', text: 'x' }, 422, '10016'],
      [{ from: stranger, to: '+11235550100', text: 'x', webhook_url: 'nope' }, 400, '40310'],
      [{ from: stranger, to: MOBILE, text: 'x', webhook_url: 'nope', type: 'FAX' }, 400, '10003'],
      [{ from: stranger, to: MOBILE, text: 'x', type: 'FAX', media_urls: tooMany }, 400, '10015'],
      [{ from: stranger, to: MOBILE, media_urls: tooMany }, 400, '40317'],
      [{ from: stranger, to: MOBILE }, 400, '40316'],
      [{ from: stranger, to: MOBILE, text: 'a'.repeat(1531) }, 400, '40302'],
      [{ from: stranger, to: '+447400123456', text: 'x' }, 400, '40305'],
    ];
    for (const [body, status, code] of pairs) await expectError(await api('POST', '/v2/messages', body), status, code);

    // Someone in GB, where marketing may not send, has sent it STOP; and so has someone in the US.
    const gb = '+447400123457';
    await controlOk('POST', '/sim/messages/inbound', { from: gb, to: CHICAGO, text: 'STOP' });
    await controlOk('POST', '/sim/messages/inbound', { from: MOBILE, to: CHICAGO, text: 'STOP' });
    await expectError(await api('POST', '/v2/messages', { from: CHICAGO, to: gb, text: 'x' }), 400, '40309');
    // A full queue is only looked at once the recipient has not opted out.
    await controlOk('PATCH', `/sim/numbers/${CHICAGO}`, { mps: 0.001 });
    await send({ from: CHICAGO, to: '+12065550124', text: 'fills the queue for 1000 s' });
    await patchSettings({ queue_horizon_seconds: 10 });
    await expectError(await api('POST', '/v2/messages', { from: CHICAGO, to: MOBILE, text: 'x' }), 409, '40300');
    await expectError(
      await api('POST', '/v2/messages', { from: CHICAGO, to: '+12065550125', text: 'x' }),
      429,
      '40318',
    );
    // A disabled profile is refused before its destinations are looked at.
    expect((await api('PATCH', `/v2/messaging_profiles/${MARKETING}`, { enabled: false })).status).toBe(200);
    await expectError(await api('POST', '/v2/messages', { from: CHICAGO, to: gb, text: 'x' }), 400, '40312');
  });

  it('refuses a body that is not a JSON object, or not JSON', async () => {
    await expectError(await api('POST', '/v2/messages', [MOBILE]), 400, '10015', { pointer: '/' });
    const empty = await api('POST', '/v2/messages', undefined, { 'content-type': 'application/json' });
    await expectError(empty, 400, '10023', { pointer: '/' });
    const text = await api('POST', '/v2/messages', undefined, { 'content-type': 'text/plain' });
    await expectError(text, 415, '10014');
  });

  it('keeps the messages it accepted, newest first, at GET /sim/messages', async () => {
    const first = await send({ from: CHICAGO, to: MOBILE, text: 'one' });
    await expectError(await api('POST', '/v2/messages', { from: CHICAGO, text: 'x' }), 422, '10004');
    const second = await send({ from: CHICAGO, to: MOBILE, text: 'two' });
    expect((await storedMessages()).map((m: Message) => m.id)).toEqual([second.id, first.id]);
  });
});
