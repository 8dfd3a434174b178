// Call flows over HTTP through the bundle, with real KV and D1 (workers/voice/flows): create, read,
// list (paging, filter[number]), replace and delete; 422s with a pointer per problem and nothing
// stored; bad JSON, content types and sizes as the rest of the API; 409s for a taken id or number,
// naming the flow that has it; claims under concurrent writes (two flows, one number: exactly one
// wins; one flow written twice at once: the writes take turns); delete releasing numbers; POST
// /flows/validate storing nothing; 401 without the token. Then what the call engine uses:
// flowForNumber and getFlow (the default flow), the number index and its D1 fallback, and the
// leftovers a crash between the store's steps would leave (store.ts), which heal after the lease.
import { beforeEach, describe, expect, it } from 'vitest';
import example from '../../docs/example-flow.json';
import { DEFAULT_FLOW_ID, flowForNumber, getFlow } from '../../workers/voice/flows';
import { CLAIM_LEASE_MS } from '../../workers/voice/flows/store';
import { testEnv as env } from '../support/test-env';
import { clearFlows, call, dataOf, pointersOf, simpleFlow, stored, type Doc } from './flow-support';

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const [N1, N2, N3] = ['+13125550123', '+14165550123', '+442079460000'];

const create = (doc: Doc) => call('POST', '/flows', { json: doc });
const replace = (id: string, doc: Doc) => call('PUT', `/flows/${id}`, { json: doc });
const remove = (id: string) => call('DELETE', `/flows/${id}`);
const read = (id: string) => call('GET', `/flows/${id}`);
const nothingStored = { rows: [], claims: {}, docs: [], index: [] };

beforeEach(clearFlows);

describe('create, read, replace, delete', () => {
  it('stores the example flow with its defaults, in KV and D1, and reads it back', async () => {
    const reply = await create(example);
    expect(reply.status).toBe(201);
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    const flow = reply.body.data;
    expect(flow).toMatchObject(example);
    expect(flow.nodes.main_menu.max_digits).toBe(1);
    expect(flow.created_at).toMatch(ISO);
    expect(flow.updated_at).toBe(flow.created_at);
    expect(dataOf(await read('main-line'))).toEqual(flow);
    expect(await env.CONFIG.get('flow:main-line', 'json')).toEqual(flow);
    expect(await stored()).toEqual({
      rows: ['main-line'],
      claims: { '+13125550100': 'main-line' },
      docs: ['flow:main-line'],
      index: ['flow-number:+13125550100'],
    });
  });

  it('generates an id when the document has none', async () => {
    const flow = dataOf(await create(simpleFlow()), 201);
    expect(flow.id).toMatch(UUID);
    expect(dataOf(await read(flow.id)).name).toBe('Greeting');
  });

  it('PUT replaces the document, keeps created_at, and re-claims numbers: dropped ones are free, new ones taken', async () => {
    const first = dataOf(await create(simpleFlow({ id: 'line', numbers: [N1, N2] })), 201);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const changed = simpleFlow({ name: 'Renamed', numbers: [N2, N3] });
    const flow = dataOf(await replace('line', changed));
    expect(flow).toMatchObject({ id: 'line', name: 'Renamed', numbers: [N2, N3], created_at: first.created_at });
    expect(flow.updated_at > first.updated_at).toBe(true);
    expect(dataOf(await read('line'))).toEqual(flow);
    expect((await stored()).claims).toEqual({ [N2]: 'line', [N3]: 'line' });
    // The dropped number can go to another flow at once.
    expect(dataOf(await create(simpleFlow({ id: 'other', numbers: [N1] })), 201).numbers).toEqual([N1]);
  });

  it('PUT accepts the document as GET returned it (read-only fields ignored) and an id equal to the path', async () => {
    const flow = dataOf(await create(simpleFlow({ id: 'line' })), 201);
    const again = dataOf(await replace('line', flow));
    expect(again).toEqual({ ...flow, updated_at: again.updated_at });
  });

  it('PUT refuses another id in the document, and a flow that does not exist', async () => {
    dataOf(await create(simpleFlow({ id: 'line' })), 201);
    const wrong = await replace('line', simpleFlow({ id: 'other' }));
    expect([wrong.status, pointersOf(wrong)]).toEqual([422, ['/id']]);
    const missing = await replace('nope', simpleFlow());
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]).toMatchObject({ code: '10005', title: 'Resource not found' });
    expect((await replace('Not%20An%20Id', simpleFlow())).status).toBe(404);
    expect((await stored()).rows).toEqual(['line']);
  });

  it('DELETE answers the flow, removes it everywhere, releases its numbers, and is 404 the second time', async () => {
    const flow = dataOf(await create(simpleFlow({ id: 'line', numbers: [N1] })), 201);
    expect(dataOf(await remove('line'))).toEqual(flow);
    expect((await read('line')).status).toBe(404);
    const left = await stored();
    expect([left.rows, left.claims, left.docs]).toEqual([[], {}, []]);
    expect((await remove('line')).status).toBe(404);
    expect(dataOf(await create(simpleFlow({ id: 'next', numbers: [N1] })), 201).id).toBe('next');
  });

  it('GET of a flow that does not exist, or of an id that cannot be one, is 404', async () => {
    for (const id of ['nope', 'UPPER', '%E2%9C%93', 'a'.repeat(65)]) {
      const reply = await read(id);
      expect(reply.status, id).toBe(404);
      expect(reply.body.errors[0].code).toBe('10005');
    }
    expect((await remove('UPPER')).status).toBe(404);
  });
});

describe('listing', () => {
  beforeEach(async () => {
    for (const [id, numbers] of [
      ['a', [N1]],
      ['b', []],
      ['c', [N2, N3]],
      ['d', []],
      ['e', []],
    ] as const) {
      dataOf(await create(simpleFlow({ id, numbers })), 201);
    }
  });

  it('lists oldest first with Telnyx paging and meta', async () => {
    const all = await call('GET', '/flows');
    expect(all.body.data.map((f: Doc) => f.id)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(all.body.meta).toEqual({ page_number: 1, page_size: 20, total_pages: 1, total_results: 5 });
    const page = await call('GET', '/flows?page[number]=2&page[size]=2');
    expect(page.body.data.map((f: Doc) => f.id)).toEqual(['c', 'd']);
    expect(page.body.meta).toEqual({ page_number: 2, page_size: 2, total_pages: 3, total_results: 5 });
    const past = await call('GET', '/flows?page[number]=9&page[size]=2');
    expect([past.body.data, past.body.meta.total_results]).toEqual([[], 5]);
  });

  it('filter[number] finds the flow that answers a number, URL-encoded or not', async () => {
    for (const query of [`filter[number]=${encodeURIComponent(N3)}`, `filter%5Bnumber%5D=%2B442079460000`]) {
      const reply = await call('GET', `/flows?${query}`);
      expect(reply.body.data.map((f: Doc) => f.id)).toEqual(['c']);
      expect(reply.body.meta.total_results).toBe(1);
    }
    const none = await call('GET', `/flows?filter[number]=${encodeURIComponent('+61412345678')}`);
    expect([none.body.data, none.body.meta.total_results]).toEqual([[], 0]);
  });

  it('refuses bad paging (400) and a filter that is not a +E.164 number (422), naming the parameter', async () => {
    for (const query of ['page[size]=0', 'page[size]=251', 'page[number]=0', 'page[number]=x', 'page[size]=1.5']) {
      const reply = await call('GET', `/flows?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.errors[0].source).toEqual({ parameter: query.split('=')[0] });
    }
    const bad = await call('GET', '/flows?filter[number]=3125550123');
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toMatchObject({ code: '10016', source: { parameter: 'filter[number]' } });
  });
});

describe('refusals store nothing', () => {
  it('a flow with several problems: 422 with every one of them, each with its pointer', async () => {
    const doc = {
      id: 'broken',
      name: 'Broken',
      numbers: [N1, '312-555-0123'],
      start: 'menu',
      nodes: {
        menu: {
          kind: 'menu',
          prompt: { speak: 'Press 1' },
          timeout_secs: 61,
          options: { '1': 'sales', '3': 'nowhere' },
          on_invalid: 'bye',
          on_timeout: 'bye',
        },
        sales: { kind: 'transfer', to: '+13125550123', ring_timeout_secs: 4, on_no_answer: 'bye' },
        bye: { kind: 'hangup' },
        lost: { kind: 'hangup', colour: 'blue' },
      },
    };
    const reply = await create(doc);
    expect(reply.status).toBe(422);
    expect(pointersOf(reply)).toEqual([
      '/numbers/1',
      '/nodes/menu/timeout_secs',
      '/nodes/sales/ring_timeout_secs',
      '/nodes/lost/colour',
      '/nodes/menu/options/3',
    ]);
    for (const error of reply.body.errors) {
      expect(error).toMatchObject({ code: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    }
    expect(await stored()).toEqual(nothingStored);
  });

  it('a PUT with problems leaves the stored flow and its claims as they were', async () => {
    const flow = dataOf(await create(simpleFlow({ id: 'line', numbers: [N1] })), 201);
    const reply = await replace('line', simpleFlow({ numbers: [N2], start: 'missing' }));
    expect([reply.status, pointersOf(reply)]).toEqual([422, ['/start']]);
    expect(dataOf(await read('line'))).toEqual(flow);
    expect((await stored()).claims).toEqual({ [N1]: 'line' });
  });

  it('a key written twice in the JSON text is a 422 at that key', async () => {
    const raw =
      '{"name":"n","start":"m","nodes":{"m":{"kind":"menu","prompt":{"speak":"p"},' +
      '"options":{"1":"bye","1":"bye"},"on_invalid":"bye","on_timeout":"bye"},"bye":{"kind":"hangup"}}}';
    const reply = await call('POST', '/flows', { raw });
    expect([reply.status, pointersOf(reply)]).toEqual([422, ['/nodes/m/options/1']]);
    expect(await stored()).toEqual(nothingStored);
  });

  it('bad JSON, a JSON array, another content type and a huge body are refused as the rest of the API does', async () => {
    const badJson = await call('POST', '/flows', { raw: '{"name": ' });
    expect([badJson.status, badJson.body.errors[0].code, badJson.body.errors[0].source]).toEqual([
      400,
      '10023',
      { pointer: '/' },
    ]);
    const array = await call('POST', '/flows', { raw: '[]' });
    expect([array.status, array.body.errors[0].source]).toEqual([400, { pointer: '/' }]);
    const text = await call('POST', '/flows', { raw: JSON.stringify(simpleFlow()), type: 'text/plain' });
    expect([text.status, text.body.errors[0].code]).toEqual([415, '10014']);
    const put = await call('PUT', '/flows/line', { raw: 'name=x', type: 'application/x-www-form-urlencoded' });
    expect(put.status).toBe(415);
    const huge = await call('POST', '/flows', { json: simpleFlow({ name: 'x'.repeat(300 * 1024) }) });
    expect(huge.status).toBe(413);
    const deep = await call('POST', '/flows/validate', { raw: '{"a":'.repeat(40) + '1' + '}'.repeat(40) });
    expect(deep.status).toBe(400);
    expect(await stored()).toEqual(nothingStored);
  });
});

describe('conflicts (409)', () => {
  it('an id that exists', async () => {
    dataOf(await create(simpleFlow({ id: 'line' })), 201);
    const reply = await create(simpleFlow({ id: 'line', name: 'Second' }));
    expect(reply.status).toBe(409);
    expect(reply.body.errors).toEqual([
      expect.objectContaining({ code: '10012', source: { pointer: '/id' }, meta: { flow_id: 'line' } }),
    ]);
    expect(dataOf(await read('line')).name).toBe('Greeting');
  });

  it('a number another flow answers: named, with a pointer to it; nothing of the refused flow is stored', async () => {
    dataOf(await create(simpleFlow({ id: 'first', numbers: [N1, N2] })), 201);
    const reply = await create(simpleFlow({ id: 'second', numbers: [N3, N2, N1] }));
    expect(reply.status).toBe(409);
    expect(reply.body.errors.map((e: Doc) => [e.source.pointer, e.meta.flow_id])).toEqual([
      ['/numbers/1', 'first'],
      ['/numbers/2', 'first'],
    ]);
    expect(reply.body.errors[0].detail).toContain(`${N2} already answers to flow "first"`);
    expect(await stored()).toMatchObject({ rows: ['first'], claims: { [N1]: 'first', [N2]: 'first' } });
  });

  it("a PUT that takes another flow's number changes nothing", async () => {
    dataOf(await create(simpleFlow({ id: 'first', numbers: [N1] })), 201);
    const second = dataOf(await create(simpleFlow({ id: 'second', numbers: [N2] })), 201);
    const reply = await replace('second', simpleFlow({ name: 'Grab', numbers: [N2, N3, N1] }));
    expect([reply.status, pointersOf(reply)]).toEqual([409, ['/numbers/2']]);
    expect(dataOf(await read('second'))).toEqual(second);
    expect((await stored()).claims).toEqual({ [N1]: 'first', [N2]: 'second' });
  });
});

describe('claims under concurrent writes', () => {
  it('two flows created at once with one number: exactly one wins, the other gets 409 naming it', async () => {
    for (const [round, number] of [N1, N2, N3].entries()) {
      const ids = [`left-${round}`, `right-${round}`];
      const replies = await Promise.all(ids.map((id) => create(simpleFlow({ id, numbers: [number] }))));
      const statuses = replies.map((r) => r.status).sort();
      expect(statuses).toEqual([201, 409]);
      const winner = replies.find((r) => r.status === 201)!.body.data.id;
      const loser = replies.find((r) => r.status === 409)!;
      expect(loser.body.errors[0].meta.flow_id).toBe(winner);
      const now = await stored();
      expect(now.claims[number]).toBe(winner);
      expect(now.rows).not.toContain(ids.find((id) => id !== winner));
      expect(now.docs).not.toContain(`flow:${ids.find((id) => id !== winner)}`);
    }
  });

  it('two existing flows taking one number at once: exactly one gets it', async () => {
    dataOf(await create(simpleFlow({ id: 'left', numbers: [N1] })), 201);
    dataOf(await create(simpleFlow({ id: 'right', numbers: [N2] })), 201);
    const replies = await Promise.all([
      replace('left', simpleFlow({ numbers: [N1, N3] })),
      replace('right', simpleFlow({ numbers: [N2, N3] })),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
    const winner = replies[0]!.status === 200 ? 'left' : 'right';
    const claims = (await stored()).claims;
    expect(claims[N3]).toBe(winner);
    const docs = await Promise.all(['left', 'right'].map(async (id) => dataOf(await read(id)).numbers));
    expect(docs.filter((numbers) => numbers.includes(N3))).toHaveLength(1);
  });

  it('one id created twice at once: one 201, one 409', async () => {
    const replies = await Promise.all([create(simpleFlow({ id: 'twin' })), create(simpleFlow({ id: 'twin' }))]);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 409]);
    expect((await stored()).rows).toEqual(['twin']);
  });

  it('one flow written twice at once: the writes take turns, and the claims match the document that stays', async () => {
    dataOf(await create(simpleFlow({ id: 'line', numbers: [N1] })), 201);
    const replies = await Promise.all([
      replace('line', simpleFlow({ name: 'A', numbers: [N2] })),
      replace('line', simpleFlow({ name: 'B', numbers: [N3] })),
    ]);
    expect(replies.map((r) => r.status)).toEqual([200, 200]);
    const flow = dataOf(await read('line'));
    expect(['A', 'B']).toContain(flow.name);
    expect((await stored()).claims).toEqual(Object.fromEntries(flow.numbers.map((n: string) => [n, 'line'])));
  });

  it('a write and a delete of one flow at once leave either the flow with its claims or nothing', async () => {
    dataOf(await create(simpleFlow({ id: 'line', numbers: [N1] })), 201);
    const [put, del] = await Promise.all([replace('line', simpleFlow({ numbers: [N2] })), remove('line')]);
    expect(del.status).toBe(200);
    const now = await stored();
    if (put.status === 200 && now.rows.length === 1) {
      expect(now).toMatchObject({ claims: { [N2]: 'line' }, docs: ['flow:line'] });
    } else {
      expect([now.rows, now.claims, now.docs]).toEqual([[], {}, []]);
    }
  });
});

describe('POST /flows/validate', () => {
  it('answers the normalized flow and stores nothing', async () => {
    const reply = await call('POST', '/flows/validate', { json: example });
    expect(reply.status).toBe(200);
    expect(reply.body.data).toMatchObject({ ...example, created_at: expect.stringMatching(ISO) });
    expect(reply.body.data.nodes.voicemail.beep).toBe(true);
    expect(await stored()).toEqual(nothingStored);
  });

  it('gives a flow without an id one, as POST would', async () => {
    expect(dataOf(await call('POST', '/flows/validate', { json: simpleFlow() })).id).toMatch(UUID);
  });

  it('answers 422 with every problem, and stores nothing', async () => {
    const reply = await call('POST', '/flows/validate', {
      json: { name: '', start: 'x', nodes: { x: { kind: 'dial' } } },
    });
    expect([reply.status, pointersOf(reply)]).toEqual([422, ['/name', '/nodes/x/kind']]);
    expect(await stored()).toEqual(nothingStored);
  });

  it('checks the document only: an id or a number that is taken does not matter here', async () => {
    dataOf(await create(simpleFlow({ id: 'line', numbers: [N1] })), 201);
    expect((await call('POST', '/flows/validate', { json: simpleFlow({ id: 'line', numbers: [N1] }) })).status).toBe(
      200,
    );
    expect((await stored()).rows).toEqual(['line']);
  });
});

describe('auth', () => {
  it('every route is 401 without the admin token, or with a wrong one, and changes nothing', async () => {
    dataOf(await create(simpleFlow({ id: 'line' })), 201);
    const routes: Array<[string, string]> = [
      ['GET', '/flows'],
      ['POST', '/flows'],
      ['POST', '/flows/validate'],
      ['GET', '/flows/line'],
      ['PUT', '/flows/line'],
      ['DELETE', '/flows/line'],
    ];
    for (const [method, path] of routes) {
      for (const token of [null, 'wrong-token-0123456789']) {
        const json = method === 'POST' || method === 'PUT' ? simpleFlow({ name: 'Intruder' }) : undefined;
        const reply = await call(method, path, { json, token });
        expect(reply.status, `${method} ${path} ${token}`).toBe(401);
        expect(reply.body.errors[0].code).toBe('10009');
      }
    }
    expect(await stored()).toMatchObject({ rows: ['line'], docs: ['flow:line'] });
    expect(dataOf(await read('line')).name).toBe('Greeting');
  });
});

describe('what the call engine reads', () => {
  it('flowForNumber finds the flow that lists the number, and follows the number when it moves', async () => {
    const first = dataOf(await create(simpleFlow({ id: 'first', numbers: [N1, N2] })), 201);
    expect(await flowForNumber(env, N1)).toEqual(first);
    expect(await flowForNumber(env, N3)).toBeUndefined();
    expect(await flowForNumber(env, '3125550123')).toBeUndefined();
    dataOf(await replace('first', simpleFlow({ numbers: [N2] })));
    expect(await flowForNumber(env, N1)).toBeUndefined();
    const second = dataOf(await create(simpleFlow({ id: 'second', numbers: [N1] })), 201);
    expect(await flowForNumber(env, N1)).toEqual(second);
    dataOf(await remove('second'));
    expect(await flowForNumber(env, N1)).toBeUndefined();
  });

  it('an index entry naming a flow that does not list the number falls back to the claim in D1', async () => {
    const owner = dataOf(await create(simpleFlow({ id: 'owner', numbers: [N1] })), 201);
    dataOf(await create(simpleFlow({ id: 'stale' })), 201);
    await env.CONFIG.put(`flow-number:${N1}`, 'stale');
    expect(await flowForNumber(env, N1)).toEqual(owner);
    await env.CONFIG.put(`flow-number:${N1}`, 'gone');
    expect(await flowForNumber(env, N1)).toEqual(owner);
  });

  it('getFlow reads a flow by id; the default flow is the one stored with id "default"', async () => {
    expect(DEFAULT_FLOW_ID).toBe('default');
    expect(await getFlow(env, DEFAULT_FLOW_ID)).toBeUndefined();
    const fallback = dataOf(await create(simpleFlow({ id: 'default', name: 'Everything else' })), 201);
    expect(await getFlow(env, DEFAULT_FLOW_ID)).toEqual(fallback);
    expect(await getFlow(env, '../default')).toBeUndefined();
  });
});

describe('what a crash between steps leaves behind heals after the lease', () => {
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const claim = (number: string, flowId: string, claimedAt: string) =>
    env.DB.prepare('INSERT INTO flow_numbers (number, flow_id, claimed_at) VALUES (?1, ?2, ?3)')
      .bind(number, flowId, claimedAt)
      .run();
  const row = (id: string, writtenAt: string, lockedUntil = 0) =>
    env.DB.prepare(
      "INSERT INTO flows (id, write_id, locked_until, created_at, written_at) VALUES (?1, 'w', ?2, ?3, ?3)",
    )
      .bind(id, lockedUntil, writtenAt)
      .run();

  it('a claim by a flow whose document never arrived blocks others only until the lease ends', async () => {
    await row('ghost', ago(1000));
    await claim(N1, 'ghost', ago(1000));
    const blocked = await create(simpleFlow({ id: 'new', numbers: [N1] }));
    expect([blocked.status, blocked.body.errors[0].meta.flow_id]).toEqual([409, 'ghost']);
    await env.DB.prepare('UPDATE flow_numbers SET claimed_at = ?1')
      .bind(ago(CLAIM_LEASE_MS + 1000))
      .run();
    dataOf(await create(simpleFlow({ id: 'new', numbers: [N1] })), 201);
    expect((await stored()).claims).toEqual({ [N1]: 'new' });
    expect(await flowForNumber(env, N1)).toMatchObject({ id: 'new' });
  });

  it('a number a flow dropped but did not release goes to the next flow that asks', async () => {
    dataOf(await create(simpleFlow({ id: 'old', numbers: [N2] })), 201);
    await claim(N1, 'old', ago(CLAIM_LEASE_MS + 1)); // as if step 4 of a PUT dropping N1 never ran
    dataOf(await create(simpleFlow({ id: 'new', numbers: [N1] })), 201);
    expect((await stored()).claims).toEqual({ [N1]: 'new', [N2]: 'old' });
  });

  it('a number a flow lists stays its own, however old the claim', async () => {
    dataOf(await create(simpleFlow({ id: 'old', numbers: [N1] })), 201);
    await env.DB.prepare('UPDATE flow_numbers SET claimed_at = ?1')
      .bind(ago(10 * CLAIM_LEASE_MS))
      .run();
    expect((await create(simpleFlow({ id: 'new', numbers: [N1] }))).status).toBe(409);
  });

  it('an id whose document never arrived is free again after the lease; a PUT or DELETE of it is 404', async () => {
    await row('ghost', ago(CLAIM_LEASE_MS - 10_000));
    expect((await create(simpleFlow({ id: 'ghost' }))).status).toBe(409);
    await env.DB.prepare('UPDATE flows SET written_at = ?1')
      .bind(ago(CLAIM_LEASE_MS + 1))
      .run();
    expect((await replace('ghost', simpleFlow())).status).toBe(404);
    await row('ghost', ago(CLAIM_LEASE_MS + 1));
    expect((await remove('ghost')).status).toBe(404);
    await row('ghost', ago(CLAIM_LEASE_MS + 1));
    await claim(N1, 'ghost', ago(CLAIM_LEASE_MS + 1));
    dataOf(await create(simpleFlow({ id: 'ghost', numbers: [N1] })), 201);
    expect((await stored()).claims).toEqual({ [N1]: 'ghost' });
  });

  it('a write waits for a lock a crashed write left, until it lapses', async () => {
    dataOf(await create(simpleFlow({ id: 'line' })), 201);
    await env.DB.prepare('UPDATE flows SET locked_until = ?1')
      .bind(Date.now() + 300)
      .run();
    const started = Date.now();
    expect(dataOf(await replace('line', simpleFlow({ name: 'After the lock' }))).name).toBe('After the lock');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await env.DB.prepare('UPDATE flows SET locked_until = ?1')
      .bind(Date.now() + 60_000)
      .run();
    const busy = await replace('line', simpleFlow({ name: 'Too soon' }));
    expect([busy.status, busy.body.errors[0].title]).toEqual([409, 'Flow busy']);
  });
});
