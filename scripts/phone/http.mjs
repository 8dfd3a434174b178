// What the simulator client and the bundle client share: a URL with query parameters, an answer that
// must be JSON, and which of the two was asked last (named when an answer makes no sense).
import { SIM_URL as DEFAULT_SIM } from '../dev-settings.mjs';
import { cut, Failure } from './output.mjs';

/** What the last request went to, for the message about an unexpected answer. */
let target = `${process.env.SIM_URL ?? DEFAULT_SIM} (the Telnyx simulator)`;

export const noteTarget = (what) => {
  target = what;
};
export const lastTarget = () => target;

/** base + path, with each query value (or each item of an array value) appended; undefined and null left out. */
export function urlWith(base, path, query) {
  const url = new URL(base + path);
  for (const [name, value] of Object.entries(query)) {
    for (const item of [value].flat())
      if (item !== undefined && item !== null) url.searchParams.append(name, String(item));
  }
  return url;
}

/** The answer's body as JSON; `expected` ("http://... the Telnyx simulator") is named when it is not. */
export async function readJson(response, method, url, expected) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Failure(
      `Unexpected answer from ${url.origin} to ${method} ${url.pathname}: HTTP ${response.status}, not JSON` +
        ` (${cut(text, 60) || 'empty'}). Is ${expected}?`,
    );
  }
}

/** The `npm run dev` line that starts the stack on the ports the CLI was pointed at. */
export function startCommand(ctx) {
  const edgePort = /^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)$/.exec(ctx.edge ?? '')?.[1];
  const simPort = /^http:\/\/(?:127\.0\.0\.1|localhost):(\d+)$/.exec(ctx.sim ?? '')?.[1];
  const ports = [
    edgePort && edgePort !== '8787' ? `EDGE_PORT=${edgePort}` : '',
    simPort && simPort !== '8788' ? `SIM_PORT=${simPort}` : '',
  ].filter(Boolean);
  return [...ports, 'npm run dev'].join(' ');
}
