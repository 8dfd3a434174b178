// Telnyx's number pool as the simulator imitates it (sim/messaging/pool.ts), through
// POST /v2/messages/number_pool and POST /v2/messages with messaging_profile_id and no from: only
// the profile's long codes and toll-free numbers (never the short code), geomatch by NANP area
// code, sticky sender (kept while used within 8 days, re-drawn after), the type weights (0 removes
// a type), and skip_unhealthy with its thresholds (deliverability under 25 %, spam over 75 %,
// judged from 10 finalized messages; a pool of only unhealthy numbers still sends).
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MARKETING,
  advanceClock,
  api,
  controlOk,
  expectError,
  flush,
  resetAll,
  send,
  sendFromPool,
  simState,
} from './support';

const LONG_CODES = [
  '+12125550100',
  '+12125550101',
  '+13125550100',
  '+13125550101',
  '+13125550102',
  '+14155550100',
  '+14155550101',
];
const TOLL_FREE = ['+18335550100', '+18445550100'];
const POOL = [...LONG_CODES, ...TOLL_FREE];
const DAY = 86_400_000;

/** `count` different people in an area code with no pool number (Seattle), so geomatch leaves the pool whole. */
function people(count: number, areaCode = '206', first = 1000): string[] {
  return Array.from({ length: count }, (_, i) => `+1${areaCode}555${first + i}`);
}

async function fromEach(recipients: string[]): Promise<string[]> {
  const senders: string[] = [];
  for (const to of recipients) senders.push((await sendFromPool(to)).from.phone_number);
  return senders;
}

async function setPool(settings: Record<string, unknown>, profile: string = MARKETING): Promise<void> {
  const number_pool_settings = {
    long_code_weight: 1,
    toll_free_weight: 1,
    skip_unhealthy: true,
    sticky_sender: false,
    geomatch: false,
    ...settings,
  };
  const response = await api('PATCH', `/v2/messaging_profiles/${profile}`, { number_pool_settings });
  expect(response.status, await response.clone().text()).toBe(200);
}

/** Gives `from` a record of finalized messages: `delivered` delivered, then one to each failing ending. */
async function giveRecord(from: string, delivered: number, failingEndings: string[]): Promise<void> {
  for (let i = 0; i < delivered; i++) await send({ from, to: '+12065550123', text: 'fine' });
  for (const ending of failingEndings) await send({ from, to: `+120655501${ending}`, text: 'failing' });
  await flush();
}

async function stickyRows() {
  return (await simState()).sticky_senders as Array<{
    profile_id: string;
    recipient: string;
    sender: string;
    last_at: number;
  }>;
}

beforeEach(() => resetAll());

describe('the pool', () => {
  it("holds the profile's long codes and toll-free numbers, never its short code", async () => {
    const senders = await fromEach(people(40));
    for (const sender of senders) expect(POOL).toContain(sender);
    expect(senders).not.toContain('22395');
    // Both types are drawn at weights 1:1.
    expect(senders.some((s) => TOLL_FREE.includes(s))).toBe(true);
    expect(senders.some((s) => LONG_CODES.includes(s))).toBe(true);
  });

  it('answers with an ordinary message from the chosen number', async () => {
    const message = await sendFromPool('+12065550123');
    expect(message).toMatchObject({ record_type: 'message', direction: 'outbound', messaging_profile_id: MARKETING });
    expect(POOL).toContain(message.from.phone_number);
    expect(message.to[0]).toMatchObject({ phone_number: '+12065550123', status: 'queued' });
  });

  it('is used by POST /v2/messages with messaging_profile_id and no from', async () => {
    const message = await send({ messaging_profile_id: MARKETING, to: '+12065550123', text: 'Pooled' });
    expect(POOL).toContain(message.from.phone_number);
    expect(await stickyRows()).toEqual([
      {
        profile_id: MARKETING,
        recipient: '+12065550123',
        sender: message.from.phone_number,
        last_at: expect.any(Number),
      },
    ]);
  });

  it('remembers no sticky sender for a send from a given number', async () => {
    await send({ from: '+13125550100', to: '+12065550123', text: 'Direct' });
    expect(await stickyRows()).toEqual([]);
  });

  it('refuses a profile whose only number is a short code', async () => {
    const created = await api('POST', '/v2/messaging_profiles', {
      name: 'Short code only',
      whitelisted_destinations: ['US'],
      number_pool_settings: { long_code_weight: 1, toll_free_weight: 1, skip_unhealthy: false },
    });
    const id = ((await created.json()) as { data: { id: string } }).data.id;
    await controlOk('PATCH', '/sim/numbers/22395', { messaging_profile_id: id });
    const response = await api('POST', '/v2/messages/number_pool', {
      messaging_profile_id: id,
      to: '+12065550123',
      text: 'x',
    });
    await expectError(response, 400, '10015', { pointer: '/messaging_profile_id' });
  });
});

describe('geomatch', () => {
  it.each(['212', '312', '415'])('sends to area code %s from a number in that area code', async (areaCode) => {
    const senders = await fromEach(people(6, areaCode, 2000));
    for (const sender of senders) expect(sender.startsWith(`+1${areaCode}`)).toBe(true);
  });

  it('leaves the whole pool open to an area code it has no number in', async () => {
    const senders = new Set(await fromEach(people(20, '303')));
    expect(senders.size).toBeGreaterThan(2);
  });

  it('does not apply when off', async () => {
    await setPool({ geomatch: false });
    const senders = await fromEach(people(20, '212', 2000));
    expect(senders.some((s) => !s.startsWith('+1212'))).toBe(true);
  });
});

describe('sticky sender', () => {
  const recipients = people(8, '206', 3000);

  it('sends to the same person from the same number, again and again', async () => {
    const first = await sendFromPool('+12065550123');
    for (let i = 0; i < 5; i++) {
      expect((await sendFromPool('+12065550123')).from.phone_number).toBe(first.from.phone_number);
    }
    const [row] = await stickyRows();
    expect(row).toMatchObject({ profile_id: MARKETING, recipient: '+12065550123', sender: first.from.phone_number });
  });

  it('keeps the number while it is used within 8 days, and draws again after 9 days without a message', async () => {
    const original = await fromEach(recipients);
    expect(new Set(original).size).toBeGreaterThan(1); // the people do not all share one number

    // 7 days on: kept, and each send renews the 8 days.
    await advanceClock(7 * DAY);
    expect(await fromEach(recipients)).toEqual(original);
    await advanceClock(7 * DAY);
    expect(await fromEach(recipients)).toEqual(original);
    const renewed = await stickyRows();
    const clock = Date.parse((await simState()).clock as string);
    for (const row of renewed) expect(clock - row.last_at).toBeLessThan(60_000);

    // 9 days without a message: the sticky choice has expired and each sender is drawn again.
    await advanceClock(9 * DAY);
    const redrawn = await fromEach(recipients);
    expect(redrawn).not.toEqual(original);
    for (const sender of redrawn) expect(POOL).toContain(sender);
    // The new choice is what sticks now.
    const rows = await stickyRows();
    expect(recipients.map((r) => rows.find((row) => row.recipient === r)?.sender)).toEqual(redrawn);
    expect(await fromEach(recipients)).toEqual(redrawn);
  });

  it('moves to another number when the sticky one turns unhealthy', async () => {
    const person = '+12065550123';
    const before = (await sendFromPool(person)).from.phone_number;
    await giveRecord(before, 0, Array(10).fill('92'));
    const after = (await sendFromPool(person)).from.phone_number;
    expect(after).not.toBe(before);
    expect((await stickyRows()).find((r) => r.recipient === person)?.sender).toBe(after);
  });

  it('is not applied when off', async () => {
    await setPool({ sticky_sender: false });
    const senders = await fromEach(Array(12).fill('+12065550123'));
    expect(new Set(senders).size).toBeGreaterThan(1);
  });
});

describe('weights', () => {
  it('never draws a toll-free number at toll_free_weight 0', async () => {
    await setPool({ long_code_weight: 1, toll_free_weight: 0 });
    const senders = await fromEach(people(30));
    for (const sender of senders) expect(LONG_CODES).toContain(sender);
  });

  it('draws only toll-free numbers at long_code_weight 0, even where geomatch would pick a long code', async () => {
    await setPool({ long_code_weight: 0, toll_free_weight: 5, geomatch: true });
    const senders = await fromEach([...people(10), ...people(10, '312', 2000)]);
    for (const sender of senders) expect(TOLL_FREE).toContain(sender);
  });

  it('refuses to send when every weight is 0', async () => {
    await setPool({ long_code_weight: 0, toll_free_weight: 0 });
    const response = await api('POST', '/v2/messages/number_pool', {
      messaging_profile_id: MARKETING,
      to: '+12065550123',
      text: 'x',
    });
    await expectError(response, 400, '10015', { pointer: '/messaging_profile_id' });
  });
});

describe('skip_unhealthy', () => {
  const SICK = '+13125550100';
  const chicagoPeople = people(20, '312', 2000);

  it('leaves out a number with no deliveries in 10 finalized messages', async () => {
    await giveRecord(SICK, 0, Array(10).fill('92'));
    const listed = await api('GET', `/v2/messaging_profiles/${MARKETING}/phone_numbers`);
    const { data } = (await listed.json()) as { data: Array<{ phone_number: string; health: Record<string, number> }> };
    expect(data.find((n) => n.phone_number === SICK)?.health).toEqual({
      message_count: 10,
      success_ratio: 0,
      spam_ratio: 1,
      inbound_outbound_ratio: 0,
    });
    const senders = await fromEach(chicagoPeople);
    expect(senders).not.toContain(SICK);
    for (const sender of senders) expect(['+13125550101', '+13125550102']).toContain(sender);
  });

  it('keeps the number when skip_unhealthy is off', async () => {
    await setPool({ skip_unhealthy: false, geomatch: true });
    await giveRecord(SICK, 0, Array(10).fill('92'));
    expect(await fromEach(chicagoPeople)).toContain(SICK);
  });

  it.each([
    // [delivered, failing endings, left out?]
    [0, Array(10).fill('90'), true], // deliverability 0 %
    [0, Array(9).fill('92'), false], // too few messages to judge
    [2, Array(8).fill('90'), true], // 20 % delivered
    [3, Array(7).fill('90'), false], // 30 % delivered, no spam
    [3, Array(7).fill('92'), false], // 30 % delivered, 70 % spam
    [2, [...Array(4).fill('91'), ...Array(4).fill('99')], true], // 20 % delivered, 80 % spam
    [10, ['92'], false],
  ] as const)('with %i delivered and %j failed, leaves the number out: %s', async (delivered, failing, leftOut) => {
    await setPool({ skip_unhealthy: true, geomatch: true });
    await giveRecord(SICK, delivered, [...failing]);
    const senders = await fromEach(chicagoPeople);
    expect(senders.includes(SICK)).toBe(!leftOut);
  });

  it('still sends when every number in the pool is unhealthy', async () => {
    const created = await api('POST', '/v2/messaging_profiles', {
      name: 'One toll-free',
      whitelisted_destinations: ['US'],
      number_pool_settings: { long_code_weight: 1, toll_free_weight: 1, skip_unhealthy: true },
    });
    const id = ((await created.json()) as { data: { id: string } }).data.id;
    await controlOk('PATCH', '/sim/numbers/+18885550100', { messaging_profile_id: id });
    await giveRecord('+18885550100', 0, Array(10).fill('92'));
    const message = await send(
      { messaging_profile_id: id, to: '+12065550123', text: 'Anyway' },
      '/v2/messages/number_pool',
    );
    expect(message.from.phone_number).toBe('+18885550100');
  });
});
