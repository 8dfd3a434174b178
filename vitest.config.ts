import { readFile } from 'node:fs/promises';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { defineConfig, type Plugin } from 'vitest/config';
import { TEST_ADMIN_TOKEN, telnyxKey } from './test/support/keys.ts';

// itty-router's published source maps name source files the package does not ship, and Vite warns
// about each one on every run. Loading the package without its source-map comments silences that;
// stack traces through itty-router then show its compiled code, which is short and readable.
const ittyWithoutSourceMaps: Plugin = {
  name: 'itty-router-without-source-maps',
  enforce: 'pre',
  async load(id) {
    if (!/[\\/]node_modules[\\/]itty-router[\\/].*\.mjs$/.test(id)) return null;
    return (await readFile(id, 'utf8')).replace(/^\/\/# sourceMappingURL=.*$/gm, '');
  },
};

export default defineConfig({
  plugins: [
    ittyWithoutSourceMaps,
    cloudflareTest({
      main: './workers/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Secrets as the tests expect them; a test that needs them absent builds its own env.
        bindings: {
          TELNYX_API_KEY: 'KEY_test_0123456789',
          TELNYX_PUBLIC_KEY: telnyxKey.publicKeyBase64,
          ADMIN_TOKEN: TEST_ADMIN_TOKEN,
          FORWARD_SIGNING_SECRET: 'whsec_test_0123456789',
        },
        // Nothing in a test may reach the network: an unexpected outbound request fails loudly.
        outboundService: (request: Request) => {
          throw new Error(`unexpected outbound request in a test: ${request.method} ${request.url}`);
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
  },
});
