// Reading request bodies safely: a size limit enforced while reading (a missing or false
// Content-Length cannot get around it), and JSON parsing that refuses pathological nesting
// before the parser or any later recursive code can trip over it.

import { ApiError, TelnyxCode, badRequest, payloadTooLarge } from './errors';

/** Telnyx's webhooks are a few KiB; anything near this is not from Telnyx. */
export const WEBHOOK_BODY_LIMIT = 256 * 1024;
/** Management API bodies (pools, flows, connection configs). */
export const API_BODY_LIMIT = 256 * 1024;
/** Real payloads nest about 6 levels deep; 32 leaves room without inviting a stack overflow. */
export const MAX_JSON_DEPTH = 32;

/** Reads the whole body, refusing with 413 as soon as it exceeds `limit` bytes. */
export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length');
  if (declared !== null && /^\d+$/.test(declared) && Number(declared) > limit) throw payloadTooLarge(limit);
  if (request.body === null) return new Uint8Array(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw payloadTooLarge(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8, refusing invalid byte sequences instead of silently replacing them. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The deepest nesting of arrays and objects in a JSON text (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return deepest;
}

/** Parses JSON text into a value, or throws a 400 in Telnyx's shape saying what is wrong. */
export function parseJsonText(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (jsonDepth(text) > maxDepth) {
    throw badRequest(`The JSON body is nested more than ${maxDepth} levels deep.`, { pointer: '/' });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON.', { pointer: '/' }, TelnyxCode.invalidJson);
  }
}

/** Reads a JSON object body for the management API. */
export async function readJsonObject(request: Request, limit = API_BODY_LIMIT): Promise<Record<string, unknown>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
    throw new ApiError(415, {
      code: TelnyxCode.unsupportedMediaType,
      title: 'Unsupported Media Type',
      detail: 'Send the body as JSON with Content-Type: application/json.',
    });
  }
  const text = decodeUtf8(await readBodyBytes(request, limit));
  if (text === undefined)
    throw badRequest('The request body is not valid UTF-8.', { pointer: '/' }, TelnyxCode.invalidJson);
  const value = parseJsonText(text);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object.', { pointer: '/' });
  }
  return value as Record<string, unknown>;
}
