// What every part of the simulator is handed: its storage, its settings and its clock.

import { DEFAULT_SETTINGS, type SimSettings } from './settings';
import type { Store } from './store';

/** The simulator's bindings, generated from sim/wrangler.toml into sim/worker-configuration.d.ts. */
export type SimEnv = Env;

export class SimContext {
  #settings: SimSettings | undefined;

  constructor(
    readonly store: Store,
    readonly env: SimEnv,
    /** Asks the Durable Object to run its alarm no later than `at` (ms). */
    readonly wake: (at: number) => Promise<void>,
  ) {}

  /**
   * The simulator's clock in ms: real time plus any offset set with POST /sim/clock, so tests can
   * move past sticky-sender expiry or a throughput queue without waiting. Webhook signatures use
   * real time regardless, since the receiver checks them against its own clock.
   */
  now(): number {
    return Date.now() + Number(this.store.getValue('clock_offset_ms') ?? '0');
  }

  get settings(): SimSettings {
    if (this.#settings === undefined) {
      this.#settings = { ...DEFAULT_SETTINGS, ...JSON.parse(this.store.getValue('settings') ?? '{}') } as SimSettings;
    }
    return this.#settings;
  }

  saveSettings(settings: SimSettings): void {
    this.store.setValue('settings', JSON.stringify(settings));
    this.#settings = settings;
  }

  /** The default webhook base URL (no trailing slash). */
  webhookBase(): string {
    return (this.settings.webhook_base ?? this.env.SIM_WEBHOOK_BASE ?? 'http://127.0.0.1:8787').replace(/\/+$/, '');
  }

  iso(ms: number = this.now()): string {
    return new Date(ms).toISOString();
  }
}
