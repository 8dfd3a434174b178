// Types for the tests: cloudflare:test's helpers, and the bindings the test config adds.
/// <reference types="@cloudflare/vitest-pool-workers/types" />
