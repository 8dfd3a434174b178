// A stand-in for a webhook endpoint (the bundle's, or a business's): records every request and
// answers as a test scripts it. Control paths under /__receiver:
//   POST /__receiver/script  { responses: [{ status, delay_ms, body }], otherwise: { status, ... } }
//   GET  /__receiver/received   every request recorded: { url, method, headers, body, at }
//   POST /__receiver/reset
let received = [];
let script = [];
let otherwise = { status: 200, delay_ms: 0, body: '{"ok":true}' };

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/__receiver/script') {
      const body = await request.json();
      script = body.responses ?? [];
      otherwise = { ...otherwise, ...(body.otherwise ?? {}) };
      return Response.json({ ok: true });
    }
    if (url.pathname === '/__receiver/received') return Response.json(received);
    if (url.pathname === '/__receiver/reset') {
      received = [];
      script = [];
      otherwise = { status: 200, delay_ms: 0, body: '{"ok":true}' };
      return Response.json({ ok: true });
    }
    received.push({
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
      at: Date.now(),
    });
    const answer = { ...otherwise, ...(script.shift() ?? {}) };
    if (answer.delay_ms) await new Promise((resolve) => setTimeout(resolve, answer.delay_ms));
    return new Response(answer.body ?? '', { status: answer.status, headers: { 'content-type': 'application/json' } });
  },
};
