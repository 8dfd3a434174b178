// HTTP to the bundle (telnyx-edge) with the admin token: one call, paged lists, and finding a pool by
// id or name. Its errors name the next step (start the bundle, another token, pool remove, message).
import { CLI, describeApiErrors, Failure, UsageError } from './output.mjs';
import { noteTarget, readJson, startCommand, urlWith } from './http.mjs';

/**
 * One call to the bundle's API with the admin token. Returns the parsed JSON. `text` sends a body
 * that is already JSON text as it is (a flow file: the bundle refuses a key written twice, which
 * parsing and serializing again would hide). `accept` lists error statuses whose JSON is returned
 * rather than thrown, for a caller that prints them its own way.
 */
export async function edgeCall(ctx, method, path, { body, text, query = {}, headers: extra = {}, accept = [] } = {}) {
  noteTarget(`${ctx.edge} (telnyx-edge)`);
  const url = urlWith(ctx.edge, path, query);
  const headers = { authorization: `Bearer ${ctx.token}`, ...extra };
  if (body !== undefined || text !== undefined) headers['content-type'] = 'application/json';
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: text ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    if (error?.name === 'TimeoutError')
      throw new Failure(`The bundle at ${ctx.edge} did not answer ${method} ${path} within 120 s.`);
    const code = error?.cause?.code;
    const why = code && code !== 'ECONNREFUSED' ? ` (${code})` : '';
    throw new Failure(
      `telnyx-edge (the bundle) is not running at ${ctx.edge}${why}. Start it (and the simulator) with: ${startCommand(ctx)}`,
    );
  }
  const json = await readJson(response, method, url, `${ctx.edge} telnyx-edge`);
  if (accept.includes(response.status)) return json;
  if (!response.ok) {
    const lines = [describeApiErrors(response.status, method, url.pathname, json, response.headers, 'The bundle')];
    if (response.status === 401)
      lines.push(`  (token used: ${ctx.tokenFrom}; give another with --token T or $EDGE_TOKEN)`);
    if (response.headers.get('retry-after')) lines.push(`  (retry-after: ${response.headers.get('retry-after')} s)`);
    const owner = json?.errors?.find((e) => e.code === '10012')?.detail?.match(/messaging profile ([\w-]+)/)?.[1];
    if (owner) lines.push(`  (take it out there first: ${CLI} pool remove ${owner} <number>)`);
    const edgeId = json?.errors?.find((e) => e.meta?.edge_id)?.meta.edge_id;
    if (edgeId) lines.push(`  (follow it: ${CLI} message ${edgeId})`);
    throw Object.assign(new Failure(lines.join('\n')), { status: response.status, edgeId });
  }
  return json;
}

/** Every item of a paged bundle list (page[size] 250). */
export async function edgeList(ctx, path, query = {}) {
  const items = [];
  for (let page = 1; ; page++) {
    const { data, meta } = await edgeCall(ctx, 'GET', path, {
      query: { ...query, 'page[number]': page, 'page[size]': 250 },
    });
    items.push(...data);
    if (!meta || page >= meta.total_pages || data.length === 0) return items;
  }
}

/** Every pool of the bundle, oldest first. */
export async function listPools(ctx) {
  const pools = await edgeList(ctx, '/v2/messaging_profiles');
  if (pools.length > 0 && pools.every((p) => p.edge === undefined))
    throw new Failure(
      `${ctx.edge} answered, but its profiles have no edge settings. Is it telnyx-edge (not Telnyx or the simulator)?`,
    );
  return pools;
}

/** A pool by id, exact name, or the start of its name (any case); one only. */
export async function findPool(ctx, wanted) {
  if (wanted === undefined || wanted === '')
    throw new UsageError(`Name a pool: its id or the start of its name (${CLI} pool list shows them).`);
  const pools = await listPools(ctx);
  const lower = wanted.toLowerCase();
  const byId = pools.find((p) => p.id === wanted);
  if (byId) return byId;
  const exact = pools.filter((p) => p.name.toLowerCase() === lower);
  const matches = exact.length > 0 ? exact : pools.filter((p) => p.name.toLowerCase().startsWith(lower));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1)
    throw new UsageError(
      `'${wanted}' matches ${matches.length} pools: ${matches.map((p) => `${p.name} (${p.id})`).join(', ')}. Give more of the name, or the id.`,
    );
  throw new UsageError(
    pools.length === 0
      ? `No pool '${wanted}': the bundle at ${ctx.edge} has no pools yet. Create one: ${CLI} pool create <name> --number N`
      : `No pool '${wanted}'. Pools: ${pools.map((p) => `${p.name} (${p.id})`).join(', ')}.`,
  );
}
