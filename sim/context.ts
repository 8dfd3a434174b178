// What every part of the simulator is handed: its storage, its settings and its clock.

import { DEFAULT_SETTINGS, type SimSettings } from './settings';
import type { Store } from './store';

/** The simulator's bindings, generated from sim/wrangler.toml into sim/worker-configuration.d.ts. */
export type SimEnv = Env;

export class SimContext {
  #settings: SimSettings | undefined;
  /** A word for the request log about the call being answered (a repeated command_id: "duplicate"). */
  requestNote: string | null = null;

  constructor(
    readonly store: Store,
    readonly env: SimEnv,
    /** Asks the Durable Object to run its alarm no later than `at` (ms). */
    readonly wake: (at: number) => Promise<void>,
  ) {}

  /**
   * The simulator's clock in ms: real time plus any offset set with POST /sim/clock, so tests can
   * move past sticky-sender expiry or a throughput queue without waiting. Frozen (POST /sim/clock
   * { freeze: true }) it stands still and moves only when advanced, so a test decides exactly when
   * a ringing phone answers or a gather times out. Webhook signatures use real time regardless,
   * since the receiver checks them against its own clock.
   */
  now(): number {
    const frozen = this.store.getValue('clock_frozen_at');
    if (frozen !== undefined) return Number(frozen);
    return Date.now() + Number(this.store.getValue('clock_offset_ms') ?? '0');
  }

  clockFrozen(): boolean {
    return this.store.getValue('clock_frozen_at') !== undefined;
  }

  freezeClock(freeze: boolean): void {
    if (freeze === this.clockFrozen()) return;
    if (freeze) {
      this.store.setValue('clock_frozen_at', String(this.now()));
    } else {
      this.store.setValue('clock_offset_ms', String(this.now() - Date.now()));
      this.store.deleteValue('clock_frozen_at');
    }
  }

  advanceClock(ms: number): void {
    const key = this.clockFrozen() ? 'clock_frozen_at' : 'clock_offset_ms';
    this.store.setValue(key, String(Number(this.store.getValue(key) ?? '0') + ms));
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
