// HTTP to the Telnyx simulator: one call (its /sim control API, or its Telnyx API with the development
// key), and reading its logs (webhook deliveries, API requests) page by page or from the end.
import { DEV_TELNYX_API_KEY } from '../dev-settings.mjs';
import { describeApiErrors, Failure } from './output.mjs';
import { noteTarget, readJson, startCommand, urlWith } from './http.mjs';

const PAGE = 10_000; // the most rows /sim/deliveries and /sim/requests give at once

/** One call to the simulator; `api` adds the development Telnyx API key. Returns the parsed JSON. */
export async function call(ctx, method, path, { body, query = {}, api = false } = {}) {
  noteTarget(`${ctx.sim} (the Telnyx simulator)`);
  const url = urlWith(ctx.sim, path, query);
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (api) headers.authorization = `Bearer ${DEV_TELNYX_API_KEY}`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    if (error?.name === 'TimeoutError')
      throw new Failure(`The simulator at ${ctx.sim} did not answer ${method} ${path} within 120 s.`);
    const code = error?.cause?.code;
    const why = code && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    throw new Failure(
      `The Telnyx simulator is not running at ${ctx.sim}${why}. Start it (and the bundle) with: ${startCommand(ctx)}`,
    );
  }
  const json = await readJson(response, method, url, `${ctx.sim} the Telnyx simulator`);
  if (!response.ok) throw new Failure(describeApiErrors(response.status, method, url.pathname, json, response.headers));
  return json;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every row of a /sim log (deliveries, requests) after `since`, page by page. */
export async function fetchLog(ctx, path, query = {}, since = 0) {
  const rows = [];
  for (;;) {
    const { data } = await call(ctx, 'GET', path, { query: { ...query, since, limit: PAGE } });
    rows.push(...data);
    if (data.length < PAGE) return rows;
    since = data.at(-1).seq;
  }
}

/** The newest seq in a /sim log (0 when empty), as /sim/state reports it. */
export async function latestSeq(ctx, path) {
  const { counts } = await call(ctx, 'GET', '/sim/state');
  return path === '/sim/requests' ? counts.last_request_seq : counts.last_delivery_seq;
}

/** The last `limit` rows of a log, oldest first; filters are the log's own query parameters. */
export async function tailLog(ctx, path, limit, filters) {
  if (Object.values(filters).every((v) => v === undefined)) {
    const latest = await latestSeq(ctx, path);
    return (await call(ctx, 'GET', path, { query: { since: Math.max(0, latest - limit), limit } })).data;
  }
  return (await fetchLog(ctx, path, filters)).slice(-limit);
}
