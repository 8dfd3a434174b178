// The test network: every outbound fetch of the bundle and of the simulator comes here (their
// outboundService). Requests are routed by host, as the loopback network routes them under
// `npm run dev`; anything else fails loudly, because no test may reach the real network.
export default {
  async fetch(request, env) {
    const { host } = new URL(request.url);
    if (host === '127.0.0.1:8787') return env.EDGE.fetch(request);
    if (host === '127.0.0.1:8788') return env.SIM.fetch(request);
    if (host.endsWith('.receiver.test')) return env.RECEIVER.fetch(request);
    throw new Error(`unexpected outbound request in a test: ${request.method} ${request.url}`);
  },
};
