// What stands in front of every /v2 call, and the calls that are not messaging: the bearer key
// (401 / 10009 for a missing or malformed Authorization, nothing done), the account rate limit
// (429 / 10011 with x-ratelimit-limit/remaining/reset, headers on every counted /v2 answer), the
// request log (GET /sim/requests), 404 in Telnyx's shape for unknown paths, and number lookup over
// HTTP (repeated type parameters, the record the lookup module builds, 422 and 400, counts at
// GET /sim/lookups).
import { beforeEach, describe, expect, it } from 'vitest';
import { lookupRecord } from '../../sim/lookup/records';
import {
  CHICAGO,
  api,
  controlOk,
  expectError,
  patchSettings,
  resetAll,
  startOfSecond,
  storedMessages,
  throughEntry,
} from './support';

interface RequestRow {
  seq: number;
  method: string;
  path: string;
  status: number;
  fault: string | null;
  at: string;
}

async function requestLog(query = ''): Promise<RequestRow[]> {
  return (await controlOk<{ data: RequestRow[] }>('GET', `/sim/requests${query}`)).data;
}

function withAuthorization(authorization: string | undefined, init: RequestInit = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  return throughEntry('/v2/messages', {
    method: 'POST',
    headers,
    body: JSON.stringify({ from: CHICAGO, to: '+12065550123', text: 'Who goes there?' }),
    ...init,
  });
}

beforeEach(() => resetAll());

describe('the entry worker', () => {
  it('hands every request to the one account', async () => {
    const sent = await throughEntry('/v2/messages', {
      method: 'POST',
      headers: { authorization: 'Bearer KEY_test', 'content-type': 'application/json' },
      body: JSON.stringify({ from: CHICAGO, to: '+12065550123', text: 'Through the front door' }),
    });
    expect(sent.status).toBe(200);
    const { data } = (await sent.json()) as { data: { id: string } };
    expect((await storedMessages()).map((m) => m.id)).toEqual([data.id]);
    const banner = await throughEntry('/');
    expect(await banner.text()).toMatch(/^Telnyx simulator\. /);
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['Basic credentials', 'Basic dXNlcjpwYXNz'],
    ['Bearer with no token', 'Bearer'],
    ['Bearer with two tokens', 'Bearer KEY one'],
    ['a bare token', 'KEY_test'],
  ])('refuses %s with 401 / 10009, doing nothing', async (_name, authorization) => {
    const response = await withAuthorization(authorization);
    await expectError(response, 401, '10009');
    expect(await storedMessages()).toEqual([]);
    expect((await requestLog()).map((r) => [r.method, r.path, r.status])).toEqual([['POST', '/v2/messages', 401]]);
  });

  it('accepts any bearer token while SIM_API_KEY is empty, in any case of "Bearer"', async () => {
    expect((await withAuthorization('Bearer KEY_anything')).status).toBe(200);
    expect((await withAuthorization('bearer KEY_other ')).status).toBe(200);
  });
});

describe('the rate limit', () => {
  it('refuses the call past rate_limit_per_second with 429 / 10011 and x-ratelimit-* headers', async () => {
    await patchSettings({ rate_limit_per_second: 3 });
    await startOfSecond();
    const responses: Response[] = [];
    for (let i = 0; i < 4; i++) responses.push(await api('GET', '/v2/messaging_profiles'));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
    expect(responses.map((r) => r.headers.get('x-ratelimit-limit'))).toEqual(['3', '3', '3', '3']);
    expect(responses.map((r) => r.headers.get('x-ratelimit-remaining'))).toEqual(['2', '1', '0', '0']);
    expect(responses.map((r) => r.headers.get('x-ratelimit-reset'))).toEqual(['1', '1', '1', '1']);
    await expectError(responses[3]!, 429, '10011');
    expect((await requestLog()).at(-1)).toMatchObject({ status: 429, fault: 'rate_limit' });

    // A refused send does nothing.
    const send = await api('POST', '/v2/messages', { from: CHICAGO, to: '+12065550123', text: 'Refused' });
    expect(send.status).toBe(429);
    expect(await storedMessages()).toEqual([]);

    // The next second has room again.
    await startOfSecond();
    expect((await api('GET', '/v2/messaging_profiles')).status).toBe(200);
  });

  it.each([
    ['a success', 'GET', '/v2/messaging_profiles', undefined, 200],
    ['a send', 'POST', '/v2/messages', { from: CHICAGO, to: '+12065550123', text: 'x' }, 200],
    ['a refused send', 'POST', '/v2/messages', { from: CHICAGO, text: 'x' }, 422],
    ['an unknown message', 'GET', `/v2/messages/${crypto.randomUUID()}`, undefined, 404],
    ['an unknown path', 'GET', '/v2/no_such_thing', undefined, 404],
  ])('puts x-ratelimit-* headers on %s', async (_name, method, path, body, status) => {
    const response = await api(method, path, body);
    expect(response.status).toBe(status);
    expect(response.headers.get('x-ratelimit-limit')).toBe('200');
    expect(Number(response.headers.get('x-ratelimit-remaining'))).toBeLessThan(200);
    expect(response.headers.get('x-ratelimit-reset')).toBe('1');
  });
});

describe('unknown paths', () => {
  it.each([
    ['GET', '/v2/no_such_thing'],
    ['GET', '/v2'],
    ['POST', '/v2/conferences'],
    ['DELETE', '/v2/messages/abc'],
    ['PUT', '/v2/messaging_profiles'],
  ])('%s %s answers 404 / 10005 in Telnyx shape', async (method, path) => {
    await expectError(await api(method, path), 404, '10005');
  });
});

describe('the request log', () => {
  it('records every /v2 call with its path, query and status, filtered by path and since', async () => {
    await api('GET', '/v2/messaging_profiles?page[size]=1');
    await api('POST', '/v2/messages', { from: CHICAGO, text: 'no to' });
    await api('GET', '/v2/number_lookup/%2B13125550100');
    const log = await requestLog();
    expect(log.map((r) => [r.method, r.path, r.status, r.fault])).toEqual([
      ['GET', '/v2/messaging_profiles?page[size]=1', 200, null],
      ['POST', '/v2/messages', 422, null],
      ['GET', '/v2/number_lookup/%2B13125550100', 200, null],
    ]);
    expect((await requestLog('?path=/v2/messages')).map((r) => r.path)).toEqual(['/v2/messages']);
    expect((await requestLog(`?since=${log[0]!.seq}`)).map((r) => r.seq)).toEqual([log[1]!.seq, log[2]!.seq]);
    // Control calls are not API calls.
    expect(log.every((r) => r.path.startsWith('/v2'))).toBe(true);
  });
});

describe('number lookup', () => {
  it('answers with the record for the number and the types asked for', async () => {
    const response = await api('GET', '/v2/number_lookup/%2B13125550100?type=carrier&type=caller-name');
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: Record<string, unknown> };
    expect(data).toEqual(JSON.parse(JSON.stringify(lookupRecord('+13125550100', ['carrier', 'caller-name']))));
    expect(data).toMatchObject({
      record_type: 'number_lookup',
      phone_number: '+13125550100',
      country_code: 'US',
      carrier: { name: 'Northwind Wireless (sim)', type: 'mobile' },
      caller_name: { error_code: '' },
      portability: { city: 'CHICAGO', ported_status: 'N' },
    });
  });

  it('reads an unescaped + in the path, and looks up carrier alone when no type is given', async () => {
    const response = await api('GET', '/v2/number_lookup/+13125550100');
    const { data } = (await response.json()) as { data: Record<string, unknown> };
    expect(data.phone_number).toBe('+13125550100');
    expect(data).toHaveProperty('carrier');
    expect(data).not.toHaveProperty('caller_name');
  });

  it('refuses a number that is not one with 422 / 10002', async () => {
    await expectError(await api('GET', '/v2/number_lookup/12345'), 422, '10002', { parameter: 'phone_number' });
    await expectError(await api('GET', '/v2/number_lookup/%2B11235550100'), 422, '10002', {
      parameter: 'phone_number',
    });
  });

  it('refuses an unknown type with 400', async () => {
    await expectError(await api('GET', '/v2/number_lookup/%2B13125550100?type=fraud'), 400, '10015', {
      parameter: 'type',
    });
  });

  it('counts lookups by number and type at GET /sim/lookups', async () => {
    await api('GET', '/v2/number_lookup/%2B13125550100?type=carrier&type=caller-name');
    await api('GET', '/v2/number_lookup/%2B13125550100?type=carrier&type=carrier');
    await api('GET', '/v2/number_lookup/%2B442079460100');
    await api('GET', '/v2/number_lookup/12345'); // refused: not counted
    const { data } = await controlOk<{ data: unknown[] }>('GET', '/sim/lookups');
    expect(data).toEqual([
      { phone_number: '+13125550100', type: 'caller-name', count: 1 },
      { phone_number: '+13125550100', type: 'carrier', count: 2 },
      { phone_number: '+442079460100', type: 'carrier', count: 1 },
    ]);
  });
});
