// Number lookup on `wrangler dev` (the bundle and the simulator, as `npm run dev` runs them):
//   1. the throughput of a cache-hit lookup against a trivial route (/health), in the same run;
//   2. a replay of 10,000 lookups over 2,000 numbers with Zipf-like popularity (s = 1): how many
//      Telnyx calls it took, against the number of distinct (number, type) pairs asked for.
import http from 'node:http';
import { rmSync } from 'node:fs';
import { DEV_ADMIN_TOKEN } from '../scripts/dev-settings.mjs';
import { startStack } from '../scripts/local-stack.mjs';
import { benchStateDir } from './state-dir.mjs';
import { get, json, throughput } from './load.mjs';

const AUTH = { authorization: `Bearer ${DEV_ADMIN_TOKEN}` };

/** A deterministic pseudo-random source, so every run replays the same lookups. */
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function zipfSampler(n, random) {
  const cumulative = [];
  let total = 0;
  for (let rank = 1; rank <= n; rank++) cumulative.push((total += 1 / rank));
  return () => {
    const target = random() * total;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

export async function benchLookup({ root, seconds = 4, rounds = 3 }) {
  const stateDir = benchStateDir(root, 'state');
  rmSync(stateDir, { recursive: true, force: true });
  const stack = await startStack({ edgePort: 8987, simPort: 8988, stateDir, output: null, logLevel: 'warn' });
  try {
    const { edgeUrl, simUrl } = stack;
    // The benchmark measures the cache, not the simulator's request rate limit.
    await json('PATCH', `${simUrl}/sim/settings`, { rate_limit_per_second: 100_000 });

    // 1. Cache-hit lookup against /health, alternating so both see the same machine.
    const hitUrl = `${edgeUrl}/v2/number_lookup/%2B13125550100?type=carrier`;
    const warm = await get(new http.Agent(), hitUrl, AUTH);
    if (warm.status !== 200) throw new Error(`warming lookup answered ${warm.status}`);
    const trivial = [];
    const hits = [];
    for (let round = 0; round < rounds; round++) {
      trivial.push((await throughput(`${edgeUrl}/health`, { seconds })).perSecond);
      const hit = await throughput(hitUrl, { seconds, headers: AUTH });
      if (hit.unexpected > 0) throw new Error(`${hit.unexpected} cache-hit lookups did not answer 200`);
      hits.push(hit.perSecond);
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

    // 2. The replay.
    const random = mulberry32(20261123);
    const pick = zipfSampler(2000, random);
    const numbers = Array.from({ length: 2000 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
    const typeSets = [['carrier'], ['carrier'], ['carrier'], ['caller-name'], ['carrier', 'caller-name']];
    const lookups = Array.from({ length: 10_000 }, () => ({
      number: numbers[pick()],
      types: typeSets[Math.floor(random() * typeSets.length)],
    }));
    const distinctPairs = new Set(lookups.flatMap((l) => l.types.map((t) => `${l.number}|${t}`))).size;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
    let next = 0;
    let failed = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < lookups.length) {
          const { number, types } = lookups[next++];
          const query = types.map((t) => `type=${t}`).join('&');
          const answer = await get(agent, `${edgeUrl}/v2/number_lookup/${encodeURIComponent(number)}?${query}`, AUTH);
          if (answer.status !== 200) failed++;
        }
      }),
    );
    const replaySeconds = (performance.now() - started) / 1000;
    agent.destroy();
    const counted = (await (await fetch(`${simUrl}/sim/lookups`)).json()).data;
    const upstreamCalls = (await (await fetch(`${simUrl}/sim/requests?path=/v2/number_lookup&limit=10000`)).json()).data
      .length;
    const upstreamPairs = counted.reduce((sum, row) => sum + row.count, 0);
    return {
      trivialPerSecond: median(trivial),
      hitPerSecond: median(hits),
      replay: { lookups: lookups.length, failed, distinctPairs, upstreamCalls, upstreamPairs, seconds: replaySeconds },
    };
  } finally {
    stack.stop();
  }
}
