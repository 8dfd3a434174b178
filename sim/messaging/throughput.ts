// Throughput as Telnyx applies it: each sending number, and the account as a whole, lets out so
// many message parts per second. A send beyond that is not refused; it waits its turn in a queue
// (its message.sent comes late). Only a queue longer than the horizon (4 h) refuses new sends,
// with 40318 "Message queue full".

import { ApiError } from '../../shared/errors';
import type { SimContext } from '../context';
import { defaultMps, type NumberType } from '../../shared/telnyx/throughput';

/** Parts per second a number sends: its own `mps` when set, else Telnyx's default for its type. */
export function numberMps(type: NumberType, destinationCountryCallingCode: string, override: number | null): number {
  return override ?? defaultMps(type, destinationCountryCallingCode);
}

export interface Slot {
  /** When the message leaves Telnyx (ms, simulator clock). */
  sendAt: number;
  /** How long it waited in the queue. */
  waitMs: number;
}

/**
 * Reserves the next free slot for `parts` parts on the number and on the account lane (SMS or
 * MMS), or throws 40318 when that slot lies beyond the queue horizon. Nothing is reserved then.
 */
export function reserveSlot(
  ctx: SimContext,
  options: { from: string; numberMps: number; kind: 'sms' | 'mms'; parts: number; notBefore: number },
): Slot {
  const lanes = [
    { lane: `number:${options.from}`, mps: options.numberMps },
    { lane: `account:${options.kind}`, mps: ctx.settings.account_mps[options.kind] },
  ];
  const now = ctx.now();
  let sendAt = Math.max(now, options.notBefore);
  for (const { lane } of lanes) {
    const next = ctx.store.first<{ next_free_at: number }>('SELECT next_free_at FROM send_slots WHERE lane = ?', lane);
    if (next !== undefined) sendAt = Math.max(sendAt, next.next_free_at);
  }
  const waitMs = sendAt - Math.max(now, options.notBefore);
  if (waitMs > ctx.settings.queue_horizon_seconds * 1000) {
    const retryAfter = Math.ceil((waitMs - ctx.settings.queue_horizon_seconds * 1000) / 1000);
    throw new ApiError(
      429,
      {
        code: '40318',
        title: 'Message queue full',
        detail:
          `The queue for ${options.from} would hold this message for ${Math.round(waitMs / 1000)} s, ` +
          `beyond the ${ctx.settings.queue_horizon_seconds} s limit. Wait before resending.`,
      },
      { headers: { 'retry-after': String(Math.max(1, retryAfter)) } },
    );
  }
  for (const { lane, mps } of lanes) {
    ctx.store.run(
      `INSERT INTO send_slots (lane, next_free_at) VALUES (?, ?)
       ON CONFLICT (lane) DO UPDATE SET next_free_at = excluded.next_free_at`,
      lane,
      sendAt + (options.parts / mps) * 1000,
    );
  }
  return { sendAt, waitMs };
}
