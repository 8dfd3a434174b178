#!/usr/bin/env node
// npm run dev: the Telnyx simulator on 127.0.0.1:8788 and the bundle on 127.0.0.1:8787, wired to
// each other, offline and with no account. Ctrl-C stops everything.
import { DEV_ADMIN_TOKEN, EDGE_PORT, SIM_PORT } from './dev-settings.mjs';
import { startStack } from './local-stack.mjs';

let stack;
let stopping = false;
function stop(code) {
  if (stopping) return;
  stopping = true;
  stack?.stop();
  setTimeout(() => process.exit(code), 500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

try {
  stack = await startStack({
    edgePort: EDGE_PORT,
    simPort: SIM_PORT,
    stateDir: '.wrangler/state',
    onExit: (name, how) => {
      console.error(`\n${name} stopped (${how}); stopping the rest.`);
      stop(1);
    },
  });
} catch (error) {
  console.error(error.message);
  stop(1);
}
if (stack && !stopping) {
  const { edgeUrl, simUrl } = stack;
  console.log(`
telnyx-edge is running at ${edgeUrl}   (admin token: ${DEV_ADMIN_TOKEN})
Telnyx simulator        at ${simUrl}   (GET ${simUrl}/sim lists its controls)

Try:  npm run phone -- sms +13125550123 +13125550100 "Hello"   someone texts your number; watch the bundle answer
      curl -s -H 'Authorization: Bearer ${DEV_ADMIN_TOKEN}' ${edgeUrl}/v2/number_lookup/+13125550100
      npm run phone -- help                                        calls and flows, pools, reports, faults
      docs/messaging-walkthrough.md, docs/voice-walkthrough.md, docs/reports-walkthrough.md: five minutes each
      (on other ports, give npm run phone the same EDGE_PORT and SIM_PORT)
Ctrl-C stops both.
`);
}
