// Types for the simulator's tests: cloudflare:test's helpers, and the bindings the test config adds.
/// <reference types="@cloudflare/vitest-pool-workers/types" />

declare namespace Cloudflare {
  interface Env {
    /** The webhook receiver (auxiliary worker): records requests, answers as scripted. */
    RECEIVER: Fetcher;
  }
}
