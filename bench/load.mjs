// A small closed-loop load generator over keep-alive HTTP: `connections` loops, each sending its
// next request as soon as the previous answer is read. Good enough to compare two routes of the
// same server in one run; not a substitute for wrk.
import http from 'node:http';

export function get(agent, url, headers = {}) {
  return send(agent, 'GET', url, headers);
}

export function send(agent, method, url, headers = {}, body = undefined) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { agent, method, headers }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * Requests per second over `seconds`, how many answers were not the expected status, and the
 * sorted answer times in ms (for percentiles). `next()`
 * gives each request (method, headers, body) when they must differ; otherwise GET with `headers`.
 */
export async function throughput(url, { seconds = 4, connections = 10, headers = {}, expect = 200, next } = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  let unexpected = 0;
  const answerMs = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < deadline) {
        const request = next ? next() : { method: 'GET', headers, body: undefined };
        const sentAt = performance.now();
        const answer = await send(agent, request.method, url, request.headers, request.body);
        answerMs.push(performance.now() - sentAt);
        if (answer.status !== expect) unexpected++;
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  answerMs.sort((a, b) => a - b);
  return { perSecond: done / elapsed, requests: done, unexpected, answerMs };
}

/** The p-th percentile (0–100) of ascending `sorted` values: the nearest rank at or above p. */
export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A JSON request by fetch (for set-up, not for load); throws on any status but 2xx. */
export async function json(method, url, body, headers = { 'content-type': 'application/json' }) {
  const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}
