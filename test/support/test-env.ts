// The bindings vitest.config.ts adds for tests only, on top of the generated Env.
import { env } from 'cloudflare:test';

export interface TestBindings {
  /** The Telnyx simulator (auxiliary worker), for tests to drive and inspect it. */
  SIM: Fetcher;
  /** The webhook receiver (auxiliary worker): records requests, answers as scripted. */
  RECEIVER: Fetcher;
}

export const testEnv = env as typeof env & TestBindings;
