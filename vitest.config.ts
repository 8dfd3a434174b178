// Three test projects, the first two inside workerd:
//   edge:    the bundle (workers/index.ts) as the main worker, with the Telnyx simulator and a
//            webhook receiver as auxiliary workers on a test network (test/support/workers/network.js)
//            that routes 127.0.0.1:8788 to the simulator and 127.0.0.1:8787 back to the bundle;
//   sim:     the simulator (sim/index.ts) as the main worker, its webhooks going to the receiver;
//   browser: plain Node, driving Debian's headless Chromium (playwright-core) over pages the
//            renderers wrote to files; it blocks every request but the file's own.
// Nothing reaches the real network: the test network throws for any other host.
import { readFile } from 'node:fs/promises';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { build } from 'esbuild';
import { defineConfig, type Plugin } from 'vitest/config';
import { TEST_ADMIN_TOKEN, telnyxKey } from './test/support/keys.ts';

const COMPATIBILITY_DATE = '2026-04-20';
const SIM_SIGNING_KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(telnyxKey.seedByte)));

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

// Auxiliary workers are not compiled by Vite, so the simulator is bundled here, once per run.
const simScript = '.wrangler/test-build/sim.js';
await build({
  entryPoints: ['sim/index.ts'],
  bundle: true,
  format: 'esm',
  platform: 'browser',
  conditions: ['workerd', 'worker', 'browser'],
  external: ['cloudflare:*'],
  outfile: simScript,
  logLevel: 'error',
});

// The bundle's D1 migrations, applied to the test database by test/support/setup.ts.
const migrations = await readD1Migrations('migrations');

const simulator = (outboundService: string) => ({
  name: 'telnyx-sim',
  modules: true,
  scriptPath: simScript,
  compatibilityDate: COMPATIBILITY_DATE,
  durableObjects: { ACCOUNT: { className: 'SimAccount', useSQLite: true } },
  bindings: { SIM_SIGNING_KEY, SIM_WEBHOOK_BASE: 'http://127.0.0.1:8787', SIM_API_KEY: '' },
  outboundService,
});
const receiver = {
  name: 'receiver',
  modules: true,
  scriptPath: 'test/support/workers/receiver.js',
  compatibilityDate: COMPATIBILITY_DATE,
};

// The bundle's info-level log lines (one JSON object each) would drown the test output; warnings
// and errors still show. Tests that need a line capture console output themselves.
const quietInfoLogs = (log: string) => !/"level":"(info|debug)"/.test(log);

export default defineConfig({
  plugins: [ittyWithoutSourceMaps],
  test: {
    onConsoleLog: quietInfoLogs,
    projects: [
      {
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
                TELNYX_API_BASE: 'http://127.0.0.1:8788/v2',
                ADMIN_TOKEN: TEST_ADMIN_TOKEN,
                FORWARD_SIGNING_SECRET: 'whsec_dGVzdCBmb3J3YXJkaW5nIGtleSAwMTIzNDU2Nzg5',
                TEST_MIGRATIONS: migrations,
              },
              serviceBindings: { SIM: 'telnyx-sim', RECEIVER: 'receiver' },
              outboundService: 'network',
              workers: [
                simulator('network'),
                receiver,
                {
                  name: 'network',
                  modules: true,
                  scriptPath: 'test/support/workers/network.js',
                  compatibilityDate: COMPATIBILITY_DATE,
                  // The runner worker is the bundle under test; its name follows the project's name.
                  serviceBindings: { SIM: 'telnyx-sim', RECEIVER: 'receiver', EDGE: 'vitest-pool-workers-runner-edge' },
                },
              ],
            },
          }),
        ],
        test: {
          name: 'edge',
          // End-to-end tests wait on real webhooks and alarms; on a busy 2-core machine 5 s is too
          // tight. Each test's own waits (`eventually`) still name what did not happen, inside this.
          testTimeout: 30_000,
          include: ['test/**/*.test.ts'],
          exclude: ['test/sim/**', 'test/browser/**'],
          setupFiles: ['test/support/setup.ts'],
        },
      },
      {
        plugins: [
          ittyWithoutSourceMaps,
          cloudflareTest({
            main: './sim/index.ts',
            wrangler: { configPath: './sim/wrangler.toml' },
            miniflare: {
              bindings: { SIM_SIGNING_KEY, SIM_WEBHOOK_BASE: 'http://edge.receiver.test', SIM_API_KEY: '' },
              serviceBindings: { RECEIVER: 'receiver' },
              outboundService: 'receiver',
              workers: [receiver],
            },
          }),
        ],
        test: { name: 'sim', include: ['test/sim/**/*.test.ts'] },
      },
      {
        test: { name: 'browser', environment: 'node', include: ['test/browser/**/*.test.ts'] },
      },
    ],
  },
});
