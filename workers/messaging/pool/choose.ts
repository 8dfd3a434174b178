// Choosing the sending number, as Telnyx's number pool does and then some:
//
//   1. sticky sender: the number that last sent to this recipient (kept 8 days), unless it has left
//      the pool, its type is weighted 0, or it is unhealthy;
//   2. geomatch: a number with the recipient's NANP area code;
//   3. beyond Telnyx: a number in the recipient's country (geomatch_country);
//   4. any number: the weights choose the type (long_code_weight, toll_free_weight; 0 removes a
//      type), then a number of that type is drawn.
// skip_unhealthy leaves out numbers with deliverability under 25 %, a spam-type failure ratio over
// 75 % (once 10 of their messages are final), or a carrier's "invalid source" verdict; if every
// number is unhealthy the pool uses them all rather than refuse (as Telnyx's does). Short codes are
// used only when a send asks for one; with short_code_fallback, a long code stands in when no short
// code can send.
//
// The pool keeps its numbers indexed by type, area code and country, so a choice draws from a
// list instead of scanning the pool: in a pool of 10,000 numbers it costs microseconds.

import type { NumberType } from '../../../shared/telnyx/throughput';
import type { PoolNumber } from './types';

export const STICKY_MS = 8 * 86_400_000;
export const HEALTH_MIN_SAMPLE = 10;
const SPAM_CODES = new Set(['40002', '40003', '40015']);
const INVALID_SOURCE_CODES = new Set(['40013', '40305']);

export interface Health {
  finalized: number;
  delivered: number;
  spam: number;
  invalid_source: number;
}

export function isUnhealthy(health: Health | undefined): boolean {
  if (health === undefined) return false;
  if (health.invalid_source > 0) return true;
  if (health.finalized < HEALTH_MIN_SAMPLE) return false;
  return health.delivered / health.finalized < 0.25 || health.spam / health.finalized > 0.75;
}

export const isSpamCode = (code: string | undefined) => code !== undefined && SPAM_CODES.has(code);
export const isInvalidSourceCode = (code: string | undefined) => code !== undefined && INVALID_SOURCE_CODES.has(code);

type ByType = Map<NumberType, string[]>;

function add(group: ByType, number: PoolNumber): void {
  const list = group.get(number.type);
  if (list) list.push(number.phone_number);
  else group.set(number.type, [number.phone_number]);
}

/** The pool's numbers, indexed for choosing. Rebuilt when numbers are added or removed. */
export class PoolIndex {
  readonly numbers = new Map<string, PoolNumber>();
  readonly all: ByType = new Map();
  readonly byArea = new Map<string, ByType>();
  readonly byCountry = new Map<string, ByType>();
  readonly unhealthy = new Set<string>();

  constructor(numbers: Iterable<PoolNumber>, unhealthy: Iterable<string> = []) {
    for (const number of numbers) {
      this.numbers.set(number.phone_number, number);
      add(this.all, number);
      if (number.area_code) add(getOrCreate(this.byArea, number.area_code), number);
      if (number.country) add(getOrCreate(this.byCountry, number.country), number);
    }
    for (const n of unhealthy) this.unhealthy.add(n);
  }
}

function getOrCreate(map: Map<string, ByType>, key: string): ByType {
  let group = map.get(key);
  if (group === undefined) map.set(key, (group = new Map()));
  return group;
}

export interface ChoiceSettings {
  weights: Partial<Record<NumberType, number>>;
  skipUnhealthy: boolean;
  sticky: boolean;
  geomatch: boolean;
  geomatchCountry: boolean;
}

export interface Choice {
  sender: string;
  how: 'sticky' | 'area code' | 'country' | 'weights';
}

export function chooseSender(
  index: PoolIndex,
  settings: ChoiceSettings,
  recipient: { areaCode: string | null; country: string | null },
  stickySender: string | undefined,
  random: () => number = Math.random,
): Choice | undefined {
  const avoidUnhealthy = settings.skipUnhealthy && index.unhealthy.size > 0;
  const usable = (n: string) => {
    const number = index.numbers.get(n);
    return (
      number !== undefined && (settings.weights[number.type] ?? 0) > 0 && !(avoidUnhealthy && index.unhealthy.has(n))
    );
  };
  if (settings.sticky && stickySender !== undefined && usable(stickySender))
    return { sender: stickySender, how: 'sticky' };

  const groups: Array<[Choice['how'], ByType | undefined]> = [
    ['area code', settings.geomatch && recipient.areaCode ? index.byArea.get(recipient.areaCode) : undefined],
    ['country', settings.geomatchCountry && recipient.country ? index.byCountry.get(recipient.country) : undefined],
    ['weights', index.all],
  ];
  for (const [how, group] of groups) {
    if (group === undefined) continue;
    const sender = drawWeighted(group, settings.weights, usable, random);
    if (sender !== undefined) return { sender, how };
  }
  // Every usable number is unhealthy: use them all rather than refuse the send.
  if (avoidUnhealthy)
    return chooseSender(index, { ...settings, skipUnhealthy: false }, recipient, stickySender, random);
  return undefined;
}

/** A type by weight, then a usable number of it at random; types that turn out to have none drop out. */
function drawWeighted(
  group: ByType,
  weights: Partial<Record<NumberType, number>>,
  usable: (n: string) => boolean,
  random: () => number,
): string | undefined {
  const types = [...group.keys()].filter((t) => (weights[t] ?? 0) > 0);
  while (types.length > 0) {
    const total = types.reduce((sum, t) => sum + weights[t]!, 0);
    let pick = random() * total;
    const index = types.findIndex((t) => (pick -= weights[t]!) < 0);
    const type = types[index === -1 ? types.length - 1 : index]!;
    const list = group.get(type)!;
    // A few random draws find a usable number almost always; only a pool that is mostly unusable
    // pays for the full scan.
    for (let attempt = 0; attempt < 8; attempt++) {
      const n = list[Math.floor(random() * list.length)]!;
      if (usable(n)) return n;
    }
    const remaining = list.filter(usable);
    if (remaining.length > 0) return remaining[Math.floor(random() * remaining.length)];
    types.splice(types.indexOf(type), 1);
  }
  return undefined;
}
