// Request bodies (shared/http.ts): size limits enforced while reading, strict UTF-8, and JSON that
// is malformed or nested too deep refused with 400 in Telnyx's shape (RELIABILITY.md row 29).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors';
import { MAX_JSON_DEPTH, jsonDepth, parseJsonText, readBodyBytes, readJsonObject } from '../../shared/http';

function jsonRequest(body: BodyInit, contentType = 'application/json') {
  return new Request('https://edge.test/x', { method: 'POST', body, headers: { 'content-type': contentType } });
}

async function apiError(promise: Promise<unknown> | (() => unknown)): Promise<ApiError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('readBodyBytes', () => {
  it('returns the body when it fits, and an empty body as zero bytes', async () => {
    expect(await readBodyBytes(jsonRequest('{"a":1}'), 7)).toEqual(new TextEncoder().encode('{"a":1}'));
    expect(await readBodyBytes(new Request('https://edge.test/x'), 10)).toEqual(new Uint8Array(0));
  });

  it('413 when Content-Length says the body is too large, without reading it', async () => {
    let pulled = false;
    const stream = new ReadableStream(
      {
        pull() {
          pulled = true;
        },
      },
      { highWaterMark: 0 }, // pulled only when someone reads
    );
    const request = new Request('https://edge.test/x', {
      method: 'POST',
      body: stream,
      headers: { 'content-length': '2000' },
    });
    expect((await apiError(readBodyBytes(request, 1000))).status).toBe(413);
    expect(pulled).toBe(false);
  });

  it('413 when the body turns out larger than it claims', async () => {
    const error = await apiError(readBodyBytes(jsonRequest('x'.repeat(1001)), 1000));
    expect(error.status).toBe(413);
    expect(error.errors[0]).toMatchObject({ code: '10015', title: 'Request body too large' });
  });
});

describe('JSON bodies', () => {
  it('measures nesting, ignoring brackets inside strings', () => {
    expect(jsonDepth('{}')).toBe(1);
    expect(jsonDepth('{"a":[{"b":[]}]}')).toBe(4);
    expect(jsonDepth('{"a":"[[[[{{{{\\"[["}')).toBe(1);
    expect(jsonDepth('"just a string"')).toBe(0);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1} with 400`, () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(parseJsonText(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    const error = (() => {
      try {
        parseJsonText(nested(MAX_JSON_DEPTH + 1));
      } catch (e) {
        return e as ApiError;
      }
    })();
    expect(error).toBeInstanceOf(ApiError);
    expect(error!.status).toBe(400);
    expect(error!.errors[0]!.detail).toContain('nested');
  });

  it('refuses 40,000 levels of nesting quickly and without a stack overflow', async () => {
    const deep = '{"a":'.repeat(40_000) + '1' + '}'.repeat(40_000);
    const error = await apiError(readJsonObject(jsonRequest(deep)));
    expect(error.status).toBe(400);
  });

  it('400 with code 10023 for text that is not JSON, or not UTF-8', async () => {
    for (const body of ['{"a":', 'nope', '{"a":1}}', new Uint8Array([0x7b, 0xff, 0x7d])]) {
      const error = await apiError(readJsonObject(jsonRequest(body)));
      expect(error.status).toBe(400);
      expect(error.errors[0]!.code).toBe('10023');
    }
  });

  it('400 when the JSON is not an object', async () => {
    for (const body of ['[]', '"x"', '1', 'null']) {
      expect((await apiError(readJsonObject(jsonRequest(body)))).status).toBe(400);
    }
  });

  it('415 for a body that is not declared as JSON', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', '']) {
      const error = await apiError(readJsonObject(jsonRequest('{}', type)));
      expect(error.status).toBe(415);
      expect(error.errors[0]!.code).toBe('10014');
    }
    expect(await readJsonObject(jsonRequest('{"a":1}', 'application/json; charset=utf-8'))).toEqual({ a: 1 });
    expect(await readJsonObject(jsonRequest('{"a":1}', 'application/vnd.api+json'))).toEqual({ a: 1 });
  });

  it('never throws anything but ApiError, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        try {
          parseJsonText(text);
        } catch (error) {
          expect(error).toBeInstanceOf(ApiError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
