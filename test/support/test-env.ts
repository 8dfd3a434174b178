// The bindings vitest.config.ts adds for tests only, on top of the generated Env.
import { env, type D1Migration } from 'cloudflare:test';

export interface TestBindings {
  /** The Telnyx simulator (auxiliary worker), for tests to drive and inspect it. */
  SIM: Fetcher;
  /** The webhook receiver (auxiliary worker): records requests, answers as scripted. */
  RECEIVER: Fetcher;
  /** The D1 migrations of migrations/, read by vitest.config.ts. */
  TEST_MIGRATIONS: D1Migration[];
}

export const testEnv = env as typeof env & TestBindings;
