// The Telnyx simulator: a stand-in for the part of Telnyx's v2 API that telnyx-edge uses, which
// answers as Telnyx answers and sends real signed webhooks. See sim/README.md.

import type { SimEnv } from './context';

export { SimAccount } from './account';

export default {
  async fetch(request, env) {
    // One account, one Durable Object: every request sees the same consistent state.
    const account = env.ACCOUNT.get(env.ACCOUNT.idFromName('account'));
    return account.fetch(request);
  },
} satisfies ExportedHandler<SimEnv>;
