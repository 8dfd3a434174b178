// Messages people send to the account (POST /sim/messages/inbound): the message.received webhook
// in Telnyx's InboundMessagePayload shape (SMS and MMS media with content_type, size and
// hash_sha256), stored for GET /v2/messages/{id}; the control endpoint's checks; and Telnyx's
// opt-out rules: a STOP keyword (whole message, any case, trimmed) blocks the whole messaging
// profile for that sender with 409 / 40300 until START or UNSTOP, other profiles are unaffected,
// and the stop_blocks setting turns blocking off.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  AUSTIN,
  CHICAGO,
  ISO,
  MARKETING,
  UUID,
  api,
  control,
  controlOk,
  expectError,
  flush,
  getMessage,
  patchSettings,
  received,
  resetAll,
  simState,
  type Message,
} from './support';

const PERSON = '+12065550123';
const NEW_YORK = '+12125550100';

interface InboundResult {
  message: Message;
  event_id: string;
  opted_out: boolean;
}

function inbound(body: Record<string, unknown>): Promise<InboundResult> {
  return controlOk<InboundResult>('POST', '/sim/messages/inbound', body);
}

function sendTo(to: string, from = CHICAGO) {
  return api('POST', '/v2/messages', { from, to, text: 'Our weekly offer' });
}

beforeEach(() => resetAll());

describe('message.received', () => {
  it("is delivered in Telnyx's InboundMessagePayload shape", async () => {
    const result = await inbound({ from: PERSON, to: CHICAGO, text: 'Hello, is this open today?' });
    expect(result.opted_out).toBe(false);
    await flush();
    const [webhook, ...others] = await received();
    expect(others).toEqual([]);
    const data = webhook!.json.data;
    expect(data).toMatchObject({ record_type: 'event', event_type: 'message.received', id: result.event_id });
    expect(data.occurred_at).toMatch(ISO);

    const payload = data.payload;
    expect(payload).toMatchObject({
      record_type: 'message',
      direction: 'inbound',
      type: 'SMS',
      messaging_profile_id: MARKETING,
      text: 'Hello, is this open today?',
      encoding: 'GSM-7',
      parts: 1,
      media: [],
      cc: [],
      tags: [],
      errors: [],
      sent_at: null,
      completed_at: null,
    });
    expect(payload.id).toMatch(UUID);
    expect(payload.received_at).toMatch(ISO);
    expect(payload.from).toEqual({
      phone_number: PERSON,
      carrier: 'Bluepeak Mobile (sim)',
      line_type: 'Wireless',
      status: 'received',
    });
    expect(payload.to).toEqual([
      {
        phone_number: CHICAGO,
        carrier: expect.any(String),
        line_type: expect.any(String),
        status: 'webhook_delivered',
      },
    ]);
    // Absent from inbound messages (SUBSET.md: InboundMessagePayload).
    expect(payload).not.toHaveProperty('organization_id');
    expect(payload).not.toHaveProperty('subject');

    // Kept, and readable like any message.
    expect(await getMessage(payload.id)).toEqual(payload);
  });

  it('describes MMS media with content_type, size and a 32-character hash_sha256', async () => {
    const urls = [
      'https://media.example.test/photo.jpg',
      'https://media.example.test/clip.mp4',
      'https://media.example.test/card.vcf',
      'https://media.example.test/blob',
    ];
    const { message } = await inbound({ from: PERSON, to: CHICAGO, media_urls: urls });
    expect(message).toMatchObject({ type: 'MMS', text: '' });
    expect(message.media.map((m) => [m.url, m.content_type])).toEqual([
      [urls[0], 'image/jpeg'],
      [urls[1], 'video/mp4'],
      [urls[2], 'text/vcard'],
      [urls[3], 'application/octet-stream'],
    ]);
    for (const item of message.media) {
      expect(Object.keys(item).sort()).toEqual(['content_type', 'hash_sha256', 'size', 'url']);
      expect(item.hash_sha256).toMatch(/^[0-9a-f]{32}$/);
      expect(Number.isInteger(item.size) && (item.size as number) > 0).toBe(true);
    }
    // The same URL is always described the same way.
    const again = await inbound({ from: PERSON, to: CHICAGO, media_urls: [urls[0]] });
    expect(again.message.media[0]).toEqual(message.media[0]);
    await flush();
    expect((await received())[0]!.json.data.payload.media).toEqual(message.media);
  });

  it.each([
    ['from that is not a number', { from: 'someone', to: CHICAGO, text: 'x' }, '/from'],
    ['to that is not an account number', { from: PERSON, to: '+13125559999', text: 'x' }, '/to'],
    ['neither text nor media', { from: PERSON, to: CHICAGO }, '/text'],
    ['text that is not a string', { from: PERSON, to: CHICAGO, text: 7 }, '/text'],
    [
      'a media URL that is not http(s)',
      { from: PERSON, to: CHICAGO, media_urls: ['file:///etc/passwd'] },
      '/media_urls',
    ],
  ])('refuses %s with 400 and a pointer', async (_name, body, pointer) => {
    await expectError(await control('POST', '/sim/messages/inbound', body), 400, '10015', { pointer });
    expect((await simState()).counts.messages).toBe(0);
  });
});

describe('the sender', () => {
  it('must be strict +E.164, so an opt-out is keyed by the number later sends are checked against', async () => {
    for (const from of [
      '+1 312 555 0123',
      '13125550123',
      '+1\u0663\u0661\u0662\u0665\u0665\u0665\u0660\u0661\u0662\u0663',
      '+4402079460000',
    ]) {
      const response = await control('POST', '/sim/messages/inbound', { from, to: CHICAGO, text: 'STOP' });
      expect([from, response.status]).toEqual([from, 400]);
    }
    expect((await simState()).opt_outs).toEqual([]);
  });
});

describe('STOP', () => {
  it("blocks the profile's sends to that person with 409 / 40300, from any of its numbers", async () => {
    const result = await inbound({ from: PERSON, to: CHICAGO, text: 'stop' });
    expect(result.opted_out).toBe(true);
    const state = await simState();
    expect(state.opt_outs).toEqual([{ profile_id: MARKETING, recipient: PERSON, at: expect.any(Number) }]);

    await expectError(await sendTo(PERSON), 409, '40300', { pointer: '/to' });
    await expectError(await sendTo(PERSON, NEW_YORK), 409, '40300', { pointer: '/to' });
    await expectError(
      await api('POST', '/v2/messages/number_pool', { messaging_profile_id: MARKETING, to: PERSON, text: 'x' }),
      409,
      '40300',
    );
    // Other people still get messages, and other profiles still reach this person.
    expect((await sendTo('+12065550124')).status).toBe(200);
    expect((await sendTo(PERSON, AUSTIN)).status).toBe(200);
    // The STOP itself is delivered like any message.
    await flush();
    expect((await received()).find((w) => w.json.data.event_type === 'message.received')?.json.data.payload.text).toBe(
      'stop',
    );
  });

  it.each([
    'STOP',
    'stop',
    'Stop',
    'STOP ALL',
    'stop  all',
    'STOPALL',
    ' Quit ',
    'UNSUBSCRIBE',
    'cancel',
    'End',
    '\tstop\n',
  ])('takes %j as a STOP', async (text) => {
    expect((await inbound({ from: PERSON, to: CHICAGO, text })).opted_out).toBe(true);
    await expectError(await sendTo(PERSON), 409, '40300');
  });

  it.each(['stop please', 'STOP!', 'please stop', 'HELP', 'no', 'stopp'])(
    'does not take %j as a STOP',
    async (text) => {
      expect((await inbound({ from: PERSON, to: CHICAGO, text })).opted_out).toBe(false);
      expect((await sendTo(PERSON)).status).toBe(200);
    },
  );

  it.each(['START', 'start', ' Unstop '])('is lifted by %j', async (text) => {
    await inbound({ from: PERSON, to: CHICAGO, text: 'STOP' });
    await expectError(await sendTo(PERSON), 409, '40300');
    expect((await inbound({ from: PERSON, to: CHICAGO, text })).opted_out).toBe(false);
    expect((await simState()).opt_outs).toEqual([]);
    expect((await sendTo(PERSON)).status).toBe(200);
  });

  it('blocks nothing with stop_blocks off', async () => {
    await patchSettings({ stop_blocks: false });
    expect((await inbound({ from: PERSON, to: CHICAGO, text: 'STOP' })).opted_out).toBe(false);
    expect((await simState()).opt_outs).toEqual([]);
    const response = await sendTo(PERSON);
    expect(response.status).toBe(200);
  });

  it('blocks nothing when sent to a number on no profile', async () => {
    expect((await inbound({ from: PERSON, to: '+18885550100', text: 'STOP' })).opted_out).toBe(false);
    expect((await simState()).opt_outs).toEqual([]);
  });
});
