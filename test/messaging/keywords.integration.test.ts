// Keywords and opt-outs end to end: someone texts a pool number at the simulator, the simulator
// delivers message.received to the bundle, and the pool acts on it. The STOP family (RELIABILITY
// row 17: Telnyx's words and the FCC's "reasonable means") opts out with exactly one confirmation
// from the number that was written to, a repeated STOP sends none, and later sends are refused with
// 409/40300 before anything reaches Telnyx, from every number of the pool; START/UNSTOP opt back in
// (row 18); HELP/INFO get a CTIA-complete reply, also from someone who never subscribed. Opt-outs
// are per pool. GET /v2/messaging_optouts in Telnyx's shape (filters, redaction, paging), an
// operator's DELETE /messaging_optouts/{profile_id}/{phone}, the D1 opt_out_events record, and
// Telnyx's own 40300 on a send (row 16): the opt-out is recorded (source telnyx) and the send is not
// tried again from another number.
import { beforeEach, describe, expect, it } from 'vitest';
import { flush, resetSimulator } from '../support/sim';
import { testEnv as env } from '../support/test-env';
import {
  createPool,
  edge,
  eventually,
  expectError,
  inbound,
  messageHandled,
  ok,
  removeAllPools,
  send,
  shiftHHMM,
  simMessagesTo,
  simSends,
  simSettings,
  wallClock,
  webhookRow,
  type Json,
} from './support';

const N1 = '+13125550100'; // pool numbers: the simulator's Marketing profile
const N2 = '+12125550100';
const N3 = '+14155550100';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const HELP = { brand: 'Acme Dental', contact: 'help@acme.example', frequency: 'Up to 4 msgs/month' };

let people = 0;
/** A number no earlier test in this file has texted from; it ends in 10, which the simulator delivers to. */
function person(): string {
  people += 1;
  return `+1312555${String(people).padStart(2, '0')}10`;
}

interface OptOutEvent {
  profile_id: string;
  recipient_masked: string;
  action: string;
  keyword: string | null;
  source: string;
  at: string;
}

beforeEach(async () => {
  await resetSimulator();
  // The edge, not Telnyx, handles keywords here (as under `npm run dev`); a test that wants
  // Telnyx's own blocking turns it back on.
  await simSettings({ stop_blocks: false });
  await removeAllPools();
});

/** `from` texts `to`, and the pool has acted on it; the inbound message's id. */
async function text(from: string, to: string, body: string): Promise<string> {
  const { messageId } = await inbound(from, to, body);
  await flush();
  await messageHandled(messageId);
  return messageId;
}

/**
 * Someone new texts `word` to N2 of a new pool (N1 and N2, with HELP settings), and the pool has
 * answered exactly once, from N2: the pool, the person and that reply.
 */
async function firstTextToN2(word: string): Promise<{ pool: Json; who: string; reply: Json }> {
  const pool = await createPool({ edge: { help: HELP } }, [N1, N2]);
  const who = person();
  await text(who, N2, word);

  const replies = await simMessagesTo(who);
  expect(replies).toHaveLength(1);
  expect(replies[0].from.phone_number).toBe(N2);
  return { pool, who, reply: replies[0] };
}

async function optOuts(query = ''): Promise<Json[]> {
  return ok(await edge(`/v2/messaging_optouts${query}`));
}

async function optOutEvents(profileId: string): Promise<OptOutEvent[]> {
  return (
    await env.DB.prepare('SELECT * FROM opt_out_events WHERE profile_id = ? ORDER BY id')
      .bind(profileId)
      .all<OptOutEvent>()
  ).results;
}

describe('STOP', () => {
  // RELIABILITY row 17, as people write them.
  const variants = [
    'stop',
    ' Stop ',
    'STOP ALL',
    'unsubscribe',
    'quit.',
    'Stop please',
    'revoke',
    'STOP',
    'Opt-out',
    'cancel',
  ];

  it.each(variants)(
    '%j opts out, with one confirmation from the number written to; later sends are refused before Telnyx',
    async (word) => {
      const { pool, who, reply } = await firstTextToN2(word);
      expect(reply.text).toContain('Acme Dental');
      expect(reply.text).toMatch(/unsubscribed/i);
      expect(reply.text).toContain('START');

      expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([
        {
          messaging_profile_id: pool.id,
          from: N2,
          to: who,
          keyword: word.trim(),
          created_at: expect.stringMatching(ISO),
        },
      ]);

      // Refused by the pool itself, by profile or from any of its numbers: nothing reaches Telnyx.
      const before = (await simSends()).length;
      expectError(await send({ messaging_profile_id: pool.id, to: who, text: 'Sale today!' }), 409, '40300', {
        pointer: '/to',
      });
      expectError(await send({ from: N1, to: who, text: 'Sale today!' }), 409, '40300', { pointer: '/to' });
      expectError(await send({ from: N2, to: who, text: 'Sale today!' }), 409, '40300', { pointer: '/to' });
      expect(await simSends()).toHaveLength(before);
      expect(await simMessagesTo(who)).toHaveLength(1);

      await eventually(async () =>
        expect(await optOutEvents(pool.id)).toEqual([
          expect.objectContaining({ action: 'opt_out', keyword: word.trim(), source: 'keyword' }),
        ]),
      );
    },
  );

  it('records both messages in D1: the STOP (inbound) and the confirmation (reply), the person masked', async () => {
    const pool = await createPool({}, [N1]);
    const who = person();
    const messageId = await text(who, N1, 'STOP');
    const [confirmation] = await simMessagesTo(who);
    const rows = await eventually(async () => {
      const found = (
        await env.DB.prepare(
          'SELECT id, telnyx_id, direction, kind, pool_number, other_masked, state FROM messages WHERE profile_id = ? ORDER BY created_at',
        )
          .bind(pool.id)
          .all<Record<string, string | null>>()
      ).results;
      expect(found).toHaveLength(2);
      return found;
    });
    const masked = expect.stringMatching(new RegExp(`^\\+\\*+${who.slice(-4)}$`));
    expect(rows).toEqual([
      {
        id: messageId,
        telnyx_id: messageId,
        direction: 'inbound',
        kind: 'inbound',
        pool_number: N1,
        other_masked: masked,
        state: 'received',
      },
      expect.objectContaining({
        telnyx_id: confirmation.id,
        direction: 'outbound',
        kind: 'reply',
        pool_number: N1,
        other_masked: masked,
      }),
    ]);
  });

  it('a second STOP, to the same number or another of the pool, changes nothing and sends no confirmation', async () => {
    const pool = await createPool({ edge: { help: HELP } }, [N1, N2]);
    const who = person();
    await text(who, N1, 'STOP');
    await text(who, N1, 'stop');
    await text(who, N2, 'UNSUBSCRIBE');

    const replies = await simMessagesTo(who);
    expect(replies).toHaveLength(1);
    expect(replies[0].from.phone_number).toBe(N1);
    expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([
      expect.objectContaining({ to: who, from: N1, keyword: 'STOP' }),
    ]);
    await eventually(async () => expect(await optOutEvents(pool.id)).toHaveLength(1));
  });

  it('an opt-out is per pool: another pool may still send', async () => {
    const marketing = await createPool({}, [N1]);
    const reminders = await createPool({}, [N2]);
    const who = person();
    await text(who, N1, 'STOP');

    expectError(await send({ messaging_profile_id: marketing.id, to: who, text: 'Sale' }), 409, '40300');
    const sent = ok(await send({ messaging_profile_id: reminders.id, to: who, text: 'Your appointment is at 3pm' }));
    expect(sent.from.phone_number).toBe(N2);
    expect((await simMessagesTo(who)).map((m) => m.text)).toContain('Your appointment is at 3pm');
  });

  it('answers STOP and HELP at once, even while quiet hours hold sends', async () => {
    // A window closed now for Chicago numbers: it opens two hours from now.
    const local = wallClock(Date.now(), 'America/Chicago');
    const pool = await createPool(
      { edge: { help: HELP, quiet_hours: { enabled: true, start: shiftHHMM(local, 2), end: shiftHHMM(local, 3) } } },
      [N1],
    );
    const held = ok(await send({ messaging_profile_id: pool.id, to: person(), text: 'Held' }));
    expect(held.to[0].status).toBe('scheduled');

    const [stopper, asker] = [person(), person()];
    await text(stopper, N1, 'STOP');
    await text(asker, N1, 'HELP');
    expect((await simMessagesTo(stopper)).map((m) => m.text)).toEqual([expect.stringMatching(/unsubscribed/i)]);
    expect((await simMessagesTo(asker)).map((m) => m.text)).toEqual([
      expect.stringContaining('Msg&data rates may apply'),
    ]);
  });

  it("with Telnyx's own STOP handling on, records the opt-out; Telnyx refuses the confirmation, which is not retried", async () => {
    // README: leave STOP to the edge in the portal, otherwise Telnyx blocks the edge's confirmation.
    await simSettings({ stop_blocks: true });
    const pool = await createPool({}, [N1, N2]);
    const who = person();
    await text(who, N1, 'STOP');

    expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([
      expect.objectContaining({ to: who, from: N1, keyword: 'STOP' }),
    ]);
    // One attempt at the confirmation, refused by Telnyx; not tried from the pool's other number.
    expect((await simSends()).map((r) => r.status)).toEqual([409]);
    expect(await simMessagesTo(who)).toEqual([]);
    expectError(await send({ messaging_profile_id: pool.id, to: who, text: 'Sale' }), 409, '40300');
    expect(await simSends()).toHaveLength(1);
  });

  it('a sentence that only contains a STOP word is not an opt-out', async () => {
    const pool = await createPool({}, [N1]);
    const who = person();
    await text(who, N1, "Please don't stop the reminders, they help");
    expect(await simMessagesTo(who)).toEqual([]);
    expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([]);
    ok(await send({ messaging_profile_id: pool.id, to: who, text: 'Noted!' }));
    expect(await simMessagesTo(who)).toHaveLength(1);
  });

  it('a send scheduled before the STOP is never sent after it', async () => {
    const pool = await createPool({}, [N1]);
    const who = person();
    const scheduled = ok(
      await send({
        messaging_profile_id: pool.id,
        to: who,
        text: 'Reminder',
        send_at: new Date(Date.now() + 1500).toISOString(),
      }),
    );
    expect(scheduled.to[0].status).toBe('scheduled');
    await text(who, N1, 'STOP');

    const failed = await eventually(async () => {
      const message = ok(await edge(`/v2/messages/${scheduled.id}`));
      expect(message.to[0].status).toBe('sending_failed');
      return message;
    }, 6000);
    expect(failed.errors).toEqual([expect.objectContaining({ code: '40300' })]);
    // Only the confirmation ever reached the person.
    expect((await simMessagesTo(who)).map((m) => m.text)).toEqual([expect.stringMatching(/unsubscribed/i)]);
  }, 15_000);
});

describe('START', () => {
  it.each(['START', 'unstop', 'Start please'])(
    '%j after a STOP opts back in, with a confirmation from the number written to; sends work again',
    async (word) => {
      const pool = await createPool({ edge: { help: HELP } }, [N1, N2]);
      const who = person();
      await text(who, N1, 'STOP');
      await text(who, N2, word);

      const replies = await simMessagesTo(who);
      expect(replies.map((m) => m.from.phone_number)).toEqual([N1, N2]);
      expect(replies[1].text).toMatch(/resubscribed/i);
      expect(replies[1].text).toContain('Acme Dental');
      expect(replies[1].text).toContain('Msg&data rates may apply');
      expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([]);

      const sent = await send({ messaging_profile_id: pool.id, to: who, text: 'Welcome back' });
      expect(sent.status).toBe(200);
      await eventually(async () => expect((await simMessagesTo(who)).map((m) => m.text)).toContain('Welcome back'));

      await eventually(async () =>
        expect((await optOutEvents(pool.id)).map((e) => [e.action, e.keyword, e.source])).toEqual([
          ['opt_out', 'STOP', 'keyword'],
          ['opt_in', word, 'keyword'],
        ]),
      );
    },
  );
});

describe('HELP', () => {
  it.each(['HELP', 'info', ' Help! '])(
    '%j from someone who never subscribed gets a CTIA-complete reply from the number written to',
    async (word) => {
      const { pool, reply } = await firstTextToN2(word);
      for (const part of [
        'Acme Dental',
        'help@acme.example',
        'Up to 4 msgs/month',
        'Msg&data rates may apply',
        'STOP',
      ]) {
        expect(reply.text).toContain(part);
      }
      // Asking for help subscribes no one and opts no one out.
      expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([]);
    },
  );

  it('is answered for someone who has opted out, who stays opted out', async () => {
    const pool = await createPool({ edge: { help: HELP } }, [N1]);
    const who = person();
    await text(who, N1, 'STOP');
    await text(who, N1, 'HELP');
    const replies = await simMessagesTo(who);
    expect(replies).toHaveLength(2);
    expect(replies[1].text).toContain('Msg&data rates may apply');
    expectError(await send({ messaging_profile_id: pool.id, to: who, text: 'Sale' }), 409, '40300');
  });

  it('without help settings, names the profile and still says what CTIA requires', async () => {
    const pool = await createPool({ name: 'Riverside Pharmacy' }, [N1]);
    const who = person();
    await text(who, N1, 'HELP');
    const [reply] = await simMessagesTo(who);
    for (const part of ['Riverside Pharmacy', 'Msg frequency varies', 'Msg&data rates may apply', 'STOP']) {
      expect(reply.text).toContain(part);
    }
  });
});

describe('GET /v2/messaging_optouts', () => {
  it("lists opt-outs in Telnyx's shape, filtered by profile or sending number, redacted on request, paged", async () => {
    const a = await createPool({}, [N1, N2]);
    const b = await createPool({}, [N3]);
    const [p1, p2, p3] = [person(), person(), person()];
    await text(p1, N1, 'STOP');
    await text(p2, N2, 'Stop please');
    await text(p3, N3, 'quit');

    const all = await optOuts();
    expect(all).toHaveLength(3);
    expect(all).toEqual(
      expect.arrayContaining([
        { messaging_profile_id: a.id, from: N1, to: p1, keyword: 'STOP', created_at: expect.stringMatching(ISO) },
        {
          messaging_profile_id: a.id,
          from: N2,
          to: p2,
          keyword: 'Stop please',
          created_at: expect.stringMatching(ISO),
        },
        { messaging_profile_id: b.id, from: N3, to: p3, keyword: 'quit', created_at: expect.stringMatching(ISO) },
      ]),
    );

    expect((await optOuts(`?filter[messaging_profile_id]=${a.id}`)).map((o) => o.to).sort()).toEqual([p1, p2].sort());
    expect((await optOuts(`?filter[from]=${encodeURIComponent(N2)}`)).map((o) => o.to)).toEqual([p2]);
    expect(await optOuts(`?filter[messaging_profile_id]=${b.id}&filter[from]=${encodeURIComponent(N1)}`)).toEqual([]);

    const redacted = await optOuts(`?filter[messaging_profile_id]=${b.id}&redaction_enabled=true`);
    expect(redacted).toHaveLength(1);
    expect(redacted[0].to).toMatch(new RegExp(`^\\+\\*+${p3.slice(-4)}$`));
    expect(redacted[0].from).toBe(N3);

    const page = await edge('/v2/messaging_optouts?page[size]=2&page[number]=2');
    expect(page.body.data).toHaveLength(1);
    expect(page.body.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 2, total_results: 3 });

    expectError(await edge(`/v2/messaging_optouts?filter[messaging_profile_id]=${crypto.randomUUID()}`), 404, '10005');
  });
});

describe('DELETE /messaging_optouts/{profile_id}/{phone_number}', () => {
  it('lets an operator lift an opt-out, recorded in D1 with source operator; sends work again', async () => {
    const pool = await createPool({}, [N1]);
    const who = person();
    await text(who, N1, 'STOP');

    const cleared = await edge(
      `/messaging_optouts/${pool.id}/${encodeURIComponent(who)}?note=${encodeURIComponent('customer called')}`,
      { method: 'DELETE' },
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body.data).toEqual({
      messaging_profile_id: pool.id,
      to: who,
      cleared: true,
      note: 'customer called',
    });
    expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([]);

    ok(await send({ messaging_profile_id: pool.id, to: who, text: 'Your refill is ready' }));
    await eventually(async () =>
      expect((await simMessagesTo(who)).map((m) => m.text)).toEqual([
        expect.stringMatching(/unsubscribed/i),
        'Your refill is ready',
      ]),
    );

    const events = await eventually(async () => {
      const rows = await optOutEvents(pool.id);
      expect(rows.map((e) => [e.action, e.source])).toEqual([
        ['opt_out', 'keyword'],
        ['cleared', 'operator'],
      ]);
      return rows;
    });
    for (const event of events) {
      expect(event.recipient_masked).toMatch(new RegExp(`^\\+\\*+${who.slice(-4)}$`));
      expect(event.at).toMatch(ISO);
    }

    // Nothing left to clear.
    expectError(
      await edge(`/messaging_optouts/${pool.id}/${encodeURIComponent(who)}`, { method: 'DELETE' }),
      404,
      '10005',
    );
  });

  it('refuses a bad number, an unknown profile, and a caller without the admin token', async () => {
    const pool = await createPool({}, [N1]);
    const who = person();
    await text(who, N1, 'STOP');
    expectError(await edge(`/messaging_optouts/${pool.id}/not-a-number`, { method: 'DELETE' }), 422, '10016', {
      parameter: 'phone_number',
    });
    expectError(
      await edge(`/messaging_optouts/${crypto.randomUUID()}/${encodeURIComponent(who)}`, { method: 'DELETE' }),
      404,
      '10005',
    );
    const anonymous = await edge(`/messaging_optouts/${pool.id}/${encodeURIComponent(who)}`, {
      method: 'DELETE',
      headers: { authorization: '' },
    });
    expect(anonymous.status).toBe(401);
    expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toHaveLength(1);
  });
});

describe("Telnyx's own opt-out: 409 / 40300 on a send", () => {
  it('records the opt-out (source telnyx) and does not try another number of the pool', async () => {
    // Telnyx blocks per messaging profile: the person texted STOP to a number of the same Telnyx
    // profile that the edge's pool does not hold, so only Telnyx knows.
    await simSettings({ stop_blocks: true });
    const pool = await createPool({}, [N1, N2]);
    const who = person();
    const { eventId } = await inbound(who, N3, 'STOP');
    await flush();
    await eventually(async () => expect((await webhookRow(eventId))?.state).toBe('no_pool'));
    expect(await optOuts(`?filter[messaging_profile_id]=${pool.id}`)).toEqual([]);

    const refused = await send({ messaging_profile_id: pool.id, to: who, text: 'Sale today!' });
    expectError(refused, 409, '40300');
    // One request, refused; not tried again from the pool's other number.
    const sends = await simSends();
    expect(sends.map((r) => r.status)).toEqual([409]);

    const [optOut] = await optOuts(`?filter[messaging_profile_id]=${pool.id}`);
    expect(optOut).toMatchObject({ messaging_profile_id: pool.id, to: who, created_at: expect.stringMatching(ISO) });
    expect([N1, N2]).toContain(optOut.from);
    await eventually(async () =>
      expect(await optOutEvents(pool.id)).toEqual([expect.objectContaining({ action: 'opt_out', source: 'telnyx' })]),
    );

    // Now the pool refuses on its own, from any number, without asking Telnyx; and sends no
    // confirmation (the person never wrote to the edge).
    expectError(await send({ from: N1, to: who, text: 'Sale today!' }), 409, '40300');
    expectError(await send({ from: N2, to: who, text: 'Sale today!' }), 409, '40300');
    expect(await simSends()).toHaveLength(1);
    expect(await simMessagesTo(who)).toEqual([]);
  });
});

describe('messages people send in', () => {
  it('are answered by GET /v2/messages/{id} as Telnyx described them, under the pool the edge knows', async () => {
    const pool = await createPool({}, [N1]);
    const from = person();
    const messageId = await text(from, N1, 'Is the shop open on Sunday?');
    const message = await eventually(async () => ok(await edge(`/v2/messages/${messageId}`)));
    expect(message).toMatchObject({
      id: messageId,
      direction: 'inbound',
      text: 'Is the shop open on Sunday?',
      messaging_profile_id: pool.id,
      from: { phone_number: from },
    });
    expect(message.to[0].phone_number).toBe(N1);
    expectError(await edge(`/v2/messages/${crypto.randomUUID()}`), 404, '10005');
  });
});
