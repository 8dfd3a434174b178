// Types for the tests: cloudflare:test's helpers. The bindings only tests have (SIM, RECEIVER) are
// typed in test/support/test-env.ts rather than added to Cloudflare.Env, so that Env stays exactly
// what wrangler.toml declares (shared/health.ts checks it lists every name in Env).
/// <reference types="@cloudflare/vitest-pool-workers/types" />
