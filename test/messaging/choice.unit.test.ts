// Choosing the sending number (workers/messaging/pool/choose.ts), with an injected random source:
// the sticky sender kept, and dropped when its number left the pool, its type is weighted 0 or it is
// unhealthy; geomatch by NANP area code, then (geomatch_country) the recipient's country, then any
// number; weights (0 removes a type; 1:1 and 3:1 over 1,000 seeded draws within ±5 points; the type
// is drawn, then a number of it; only ratios matter); unhealthy numbers skipped, and all of them used
// when nothing healthy is left; undefined when nothing can send; the health thresholds and the
// spam and invalid-source code sets; and a property test over random pools.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HEALTH_MIN_SAMPLE,
  PoolIndex,
  STICKY_MS,
  chooseSender,
  isInvalidSourceCode,
  isSpamCode,
  isUnhealthy,
  type ChoiceSettings,
  type Health,
} from '../../workers/messaging/pool/choose';
import type { PoolNumber } from '../../workers/messaging/pool/types';

/** mulberry32: a small seeded PRNG, so every statistic below is repeatable. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function longCode(phone: string, country = 'US'): PoolNumber {
  return { phone_number: phone, type: 'long-code', mps: null, country, area_code: phone.slice(2, 5) };
}
function tollFree(phone: string): PoolNumber {
  return { phone_number: phone, type: 'toll-free', mps: null, country: 'US', area_code: phone.slice(2, 5) };
}
function shortCode(code: string): PoolNumber {
  return { phone_number: code, type: 'short-code', mps: null, country: 'US', area_code: null };
}

const CHI_1 = longCode('+13125550100');
const CHI_2 = longCode('+13125550101');
const NYC = longCode('+12125550100');
const SFO = longCode('+14155550100');
const TORONTO = longCode('+14165550100', 'CA');
const LONDON: PoolNumber = {
  phone_number: '+442079460100',
  type: 'long-code',
  mps: null,
  country: 'GB',
  area_code: null,
};
const TF_833 = tollFree('+18335550100');
const TF_844 = tollFree('+18445550100');

const ALL = [CHI_1, CHI_2, NYC, SFO, TORONTO, LONDON, TF_833, TF_844];

const SETTINGS: ChoiceSettings = {
  weights: { 'long-code': 1, 'toll-free': 1 },
  skipUnhealthy: true,
  sticky: true,
  geomatch: true,
  geomatchCountry: true,
};

const CHICAGO_RECIPIENT = { areaCode: '312', country: 'US' };
const TORONTO_RECIPIENT = { areaCode: '647', country: 'CA' };
const DALLAS_RECIPIENT = { areaCode: '214', country: 'US' };
const UK_RECIPIENT = { areaCode: null, country: 'GB' };
const NOWHERE_RECIPIENT = { areaCode: null, country: null };

const typeOf = (index: PoolIndex, sender: string) => index.numbers.get(sender)!.type;

/** `draws` choices with a PRNG seeded with `seed`; the senders and how each was chosen. */
function draw(
  index: PoolIndex,
  settings: ChoiceSettings,
  recipient: { areaCode: string | null; country: string | null },
  draws = 1000,
  seed = 1,
  sticky?: string,
) {
  const random = seeded(seed);
  const senders: string[] = [];
  const hows = new Set<string>();
  for (let i = 0; i < draws; i++) {
    const choice = chooseSender(index, settings, recipient, sticky, random);
    expect(choice).toBeDefined();
    senders.push(choice!.sender);
    hows.add(choice!.how);
  }
  return { senders, hows, share: (predicate: (s: string) => boolean) => senders.filter(predicate).length / draws };
}

describe('PoolIndex', () => {
  it('indexes numbers by type, area code and country; a number without an area code is in no area group', () => {
    const index = new PoolIndex(ALL, [NYC.phone_number]);
    expect(index.numbers.size).toBe(ALL.length);
    expect(index.all.get('long-code')).toEqual([
      CHI_1.phone_number,
      CHI_2.phone_number,
      NYC.phone_number,
      SFO.phone_number,
      TORONTO.phone_number,
      LONDON.phone_number,
    ]);
    expect(index.all.get('toll-free')).toEqual([TF_833.phone_number, TF_844.phone_number]);
    expect(index.byArea.get('312')?.get('long-code')).toEqual([CHI_1.phone_number, CHI_2.phone_number]);
    expect(index.byArea.get('833')?.get('toll-free')).toEqual([TF_833.phone_number]);
    expect([...index.byArea.values()].flatMap((g) => [...g.values()].flat())).not.toContain(LONDON.phone_number);
    expect(index.byCountry.get('CA')?.get('long-code')).toEqual([TORONTO.phone_number]);
    expect(index.byCountry.get('GB')?.get('long-code')).toEqual([LONDON.phone_number]);
    expect([...index.unhealthy]).toEqual([NYC.phone_number]);
  });
});

describe('sticky sender', () => {
  const index = new PoolIndex(ALL);

  it('keeps the number that last sent to the recipient, ahead of geomatch and weights', () => {
    // SFO is neither the recipient's area code nor its only choice: only stickiness picks it.
    const { senders, hows } = draw(index, SETTINGS, CHICAGO_RECIPIENT, 200, 7, SFO.phone_number);
    expect(new Set(senders)).toEqual(new Set([SFO.phone_number]));
    expect(hows).toEqual(new Set(['sticky']));
  });

  it('is not used when the pool is not sticky', () => {
    const choice = chooseSender(index, { ...SETTINGS, sticky: false }, CHICAGO_RECIPIENT, SFO.phone_number, seeded(3));
    expect(choice).toMatchObject({ how: 'area code' });
    expect([CHI_1.phone_number, CHI_2.phone_number]).toContain(choice!.sender);
  });

  it('is dropped when its number has left the pool', () => {
    const { senders, hows } = draw(index, SETTINGS, CHICAGO_RECIPIENT, 200, 7, '+17735550100');
    expect(hows).toEqual(new Set(['area code']));
    expect(senders).not.toContain('+17735550100');
  });

  it('is dropped when its type is weighted 0', () => {
    const settings = { ...SETTINGS, weights: { 'long-code': 1, 'toll-free': 0 } };
    const { senders, hows } = draw(index, settings, DALLAS_RECIPIENT, 200, 7, TF_833.phone_number);
    expect(hows).toEqual(new Set(['country']));
    expect(senders.every((s) => typeOf(index, s) === 'long-code')).toBe(true);
  });

  it('is dropped when it is unhealthy and the pool skips unhealthy numbers, kept when it does not', () => {
    const sick = new PoolIndex(ALL, [SFO.phone_number]);
    const skipping = draw(sick, SETTINGS, CHICAGO_RECIPIENT, 200, 7, SFO.phone_number);
    expect(skipping.hows).toEqual(new Set(['area code']));
    expect(skipping.senders).not.toContain(SFO.phone_number);

    const keeping = chooseSender(sick, { ...SETTINGS, skipUnhealthy: false }, CHICAGO_RECIPIENT, SFO.phone_number);
    expect(keeping).toEqual({ sender: SFO.phone_number, how: 'sticky' });
  });

  it('is kept when every number of the pool is unhealthy (nothing better to switch to)', () => {
    const sick = new PoolIndex(
      ALL,
      ALL.map((n) => n.phone_number),
    );
    expect(chooseSender(sick, SETTINGS, CHICAGO_RECIPIENT, SFO.phone_number, seeded(1))).toEqual({
      sender: SFO.phone_number,
      how: 'sticky',
    });
  });

  it('is kept 8 days', () => {
    expect(STICKY_MS).toBe(8 * 24 * 3600 * 1000);
  });
});

describe('geomatch', () => {
  const index = new PoolIndex(ALL);

  it('prefers a number with the recipient’s NANP area code, drawn among them', () => {
    const { senders, hows, share } = draw(index, SETTINGS, CHICAGO_RECIPIENT);
    expect(hows).toEqual(new Set(['area code']));
    expect(new Set(senders)).toEqual(new Set([CHI_1.phone_number, CHI_2.phone_number]));
    expect(share((s) => s === CHI_1.phone_number)).toBeCloseTo(0.5, 1);
  });

  it('matches a toll-free recipient’s area code too (the area code group holds every type)', () => {
    const { senders, hows } = draw(index, SETTINGS, { areaCode: '844', country: 'US' }, 100);
    expect(hows).toEqual(new Set(['area code']));
    expect(new Set(senders)).toEqual(new Set([TF_844.phone_number]));
  });

  it('then the recipient’s country (geomatch_country), when no number has the area code', () => {
    const { senders, hows } = draw(index, SETTINGS, TORONTO_RECIPIENT, 200);
    expect(hows).toEqual(new Set(['country']));
    expect(new Set(senders)).toEqual(new Set([TORONTO.phone_number]));

    const uk = draw(index, SETTINGS, UK_RECIPIENT, 200);
    expect(uk.hows).toEqual(new Set(['country']));
    expect(new Set(uk.senders)).toEqual(new Set([LONDON.phone_number]));
  });

  it('then any number, by the weights, when neither the area code nor the country has one', () => {
    const { senders, hows } = draw(new PoolIndex([CHI_1, NYC, TF_833]), SETTINGS, TORONTO_RECIPIENT);
    expect(hows).toEqual(new Set(['weights']));
    expect(new Set(senders)).toEqual(new Set([CHI_1.phone_number, NYC.phone_number, TF_833.phone_number]));
    expect(draw(index, SETTINGS, NOWHERE_RECIPIENT, 200).hows).toEqual(new Set(['weights']));
  });

  it('country matching is skipped without geomatch_country; area codes without geomatch', () => {
    const noCountry = draw(index, { ...SETTINGS, geomatchCountry: false }, TORONTO_RECIPIENT);
    expect(noCountry.hows).toEqual(new Set(['weights']));
    expect(new Set(noCountry.senders).size).toBeGreaterThan(4);

    const noArea = draw(index, { ...SETTINGS, geomatch: false, geomatchCountry: false }, CHICAGO_RECIPIENT);
    expect(noArea.hows).toEqual(new Set(['weights']));
    // Chicago's two numbers are 2 of 6 long codes (weighted 1:1 with the 2 toll-free): about 1/6.
    expect(noArea.share((s) => s === CHI_1.phone_number || s === CHI_2.phone_number)).toBeCloseTo(1 / 6, 1);

    // geomatch off but geomatch_country on: the country group, every US number alike.
    const countryOnly = draw(index, { ...SETTINGS, geomatch: false }, CHICAGO_RECIPIENT);
    expect(countryOnly.hows).toEqual(new Set(['country']));
    expect(countryOnly.senders).toContain(NYC.phone_number);
  });

  it('an area code whose numbers are unhealthy gives way to a healthy number of the country', () => {
    const sick = new PoolIndex(ALL, [CHI_1.phone_number, CHI_2.phone_number]);
    const { senders, hows } = draw(sick, SETTINGS, CHICAGO_RECIPIENT, 300);
    expect(hows).toEqual(new Set(['country']));
    expect(senders).not.toContain(CHI_1.phone_number);
    expect(senders).not.toContain(CHI_2.phone_number);
  });

  it('an area code whose numbers are of a type weighted 0 gives way too', () => {
    const settings = { ...SETTINGS, weights: { 'long-code': 1, 'toll-free': 0 } };
    const { hows, senders } = draw(index, settings, { areaCode: '833', country: 'US' }, 200);
    expect(hows).toEqual(new Set(['country']));
    expect(senders).not.toContain(TF_833.phone_number);
  });
});

describe('weights', () => {
  const plain = { ...SETTINGS, sticky: false, geomatch: false, geomatchCountry: false };
  // Four long codes and four toll-free numbers, so a number-level draw would give the same shares
  // as a type-level one; the uneven pool below tells them apart.
  const even = new PoolIndex([
    CHI_1,
    NYC,
    SFO,
    TORONTO,
    TF_833,
    TF_844,
    tollFree('+18555550100'),
    tollFree('+18665550100'),
  ]);
  const isTollFree = (index: PoolIndex) => (s: string) => typeOf(index, s) === 'toll-free';

  it.each([1, 2, 3, 42, 2026])('1:1 gives each type half of 1,000 draws, ±5 points (seed %i)', (seed) => {
    const { share } = draw(even, plain, NOWHERE_RECIPIENT, 1000, seed);
    expect(Math.abs(share(isTollFree(even)) - 0.5)).toBeLessThanOrEqual(0.05);
  });

  it.each([1, 2, 3, 42, 2026])('3:1 gives long codes three quarters of 1,000 draws, ±5 points (seed %i)', (seed) => {
    const settings = { ...plain, weights: { 'long-code': 3, 'toll-free': 1 } };
    const { share } = draw(even, settings, NOWHERE_RECIPIENT, 1000, seed);
    expect(Math.abs(share((s) => typeOf(even, s) === 'long-code') - 0.75)).toBeLessThanOrEqual(0.05);
  });

  it('the weights choose the type, not the number: 1 toll-free against 5 long codes still gets half', () => {
    const uneven = new PoolIndex([CHI_1, CHI_2, NYC, SFO, TORONTO, TF_833]);
    const { share } = draw(uneven, plain, NOWHERE_RECIPIENT, 1000, 11);
    expect(Math.abs(share(isTollFree(uneven)) - 0.5)).toBeLessThanOrEqual(0.05);
    // ... and each of the 5 long codes about a tenth.
    for (const n of [CHI_1, CHI_2, NYC, SFO, TORONTO]) {
      expect(Math.abs(share((s) => s === n.phone_number) - 0.1)).toBeLessThanOrEqual(0.03);
    }
  });

  it('within a type every number is drawn alike (4 long codes: a quarter each, ±5 points)', () => {
    const settings = { ...plain, weights: { 'long-code': 1 } };
    const { share } = draw(even, settings, NOWHERE_RECIPIENT, 1000, 5);
    for (const n of [CHI_1, NYC, SFO, TORONTO]) {
      expect(Math.abs(share((s) => s === n.phone_number) - 0.25)).toBeLessThanOrEqual(0.05);
    }
  });

  it('0 removes a type entirely', () => {
    const noTollFree = draw(even, { ...plain, weights: { 'long-code': 1, 'toll-free': 0 } }, NOWHERE_RECIPIENT);
    expect(noTollFree.share(isTollFree(even))).toBe(0);
    const onlyTollFree = draw(even, { ...plain, weights: { 'long-code': 0, 'toll-free': 1 } }, NOWHERE_RECIPIENT);
    expect(onlyTollFree.share(isTollFree(even))).toBe(1);
  });

  it('a type with no weight at all is never used (short codes unless asked for)', () => {
    const index = new PoolIndex([shortCode('22395'), CHI_1]);
    const { senders } = draw(index, plain, NOWHERE_RECIPIENT, 200);
    expect(new Set(senders)).toEqual(new Set([CHI_1.phone_number]));
    const shortOnly = draw(index, { ...plain, weights: { 'short-code': 1 } }, NOWHERE_RECIPIENT, 50);
    expect(new Set(shortOnly.senders)).toEqual(new Set(['22395']));
  });

  it('only the ratio counts: weights 2:6 choose exactly as 1:3 with the same random numbers', () => {
    const a = draw(even, { ...plain, weights: { 'long-code': 3, 'toll-free': 1 } }, NOWHERE_RECIPIENT, 500, 9);
    const b = draw(even, { ...plain, weights: { 'long-code': 75, 'toll-free': 25 } }, NOWHERE_RECIPIENT, 500, 9);
    expect(b.senders).toEqual(a.senders);
  });

  it('a weighted type with nothing usable drops out in favour of the other (toll-free 1000:1, all unhealthy)', () => {
    const index = new PoolIndex([CHI_1, TF_833, TF_844], [TF_833.phone_number, TF_844.phone_number]);
    const settings = { ...plain, weights: { 'long-code': 1, 'toll-free': 1000 } };
    const { senders } = draw(index, settings, NOWHERE_RECIPIENT, 300);
    expect(new Set(senders)).toEqual(new Set([CHI_1.phone_number]));
  });

  it('the edges of the random range pick the first and the last entries', () => {
    const index = new PoolIndex([CHI_1, NYC, TF_833, TF_844]);
    expect(chooseSender(index, plain, NOWHERE_RECIPIENT, undefined, () => 0)?.sender).toBe(CHI_1.phone_number);
    expect(chooseSender(index, plain, NOWHERE_RECIPIENT, undefined, () => 0.999999999)?.sender).toBe(
      TF_844.phone_number,
    );
  });
});

describe('skip unhealthy', () => {
  const plain = { ...SETTINGS, sticky: false, geomatch: false, geomatchCountry: false };

  it('never chooses an unhealthy number while a healthy one can send', () => {
    const index = new PoolIndex(ALL, [CHI_1.phone_number, TF_833.phone_number, LONDON.phone_number]);
    const { senders } = draw(index, plain, NOWHERE_RECIPIENT, 1000, 4);
    expect(senders).not.toContain(CHI_1.phone_number);
    expect(senders).not.toContain(TF_833.phone_number);
    expect(senders).not.toContain(LONDON.phone_number);
    expect(new Set(senders).size).toBe(ALL.length - 3);
  });

  it('a pool that does not skip them uses them like any other number', () => {
    const index = new PoolIndex(ALL, [CHI_1.phone_number, TF_833.phone_number]);
    const { senders } = draw(index, { ...plain, skipUnhealthy: false }, NOWHERE_RECIPIENT, 1000, 4);
    expect(senders).toContain(CHI_1.phone_number);
    expect(senders).toContain(TF_833.phone_number);
  });

  it('when every number is unhealthy it still answers, using them all by the weights', () => {
    const index = new PoolIndex(
      ALL,
      ALL.map((n) => n.phone_number),
    );
    const { senders, share } = draw(index, plain, NOWHERE_RECIPIENT, 1000, 8);
    expect(new Set(senders)).toEqual(new Set(ALL.map((n) => n.phone_number)));
    expect(Math.abs(share((s) => typeOf(index, s) === 'toll-free') - 0.5)).toBeLessThanOrEqual(0.05);
  });

  it('when every number that may send is unhealthy, those are used, never a type weighted 0', () => {
    const index = new PoolIndex([CHI_1, NYC, TF_833], [CHI_1.phone_number, NYC.phone_number]);
    const settings = { ...plain, weights: { 'long-code': 1, 'toll-free': 0 } };
    const { senders } = draw(index, settings, NOWHERE_RECIPIENT, 300);
    expect(new Set(senders)).toEqual(new Set([CHI_1.phone_number, NYC.phone_number]));
  });

  it('with every number unhealthy, geomatch still applies', () => {
    const index = new PoolIndex(
      ALL,
      ALL.map((n) => n.phone_number),
    );
    const { senders, hows } = draw(index, SETTINGS, CHICAGO_RECIPIENT, 200);
    expect(hows).toEqual(new Set(['area code']));
    expect(new Set(senders)).toEqual(new Set([CHI_1.phone_number, CHI_2.phone_number]));
  });
});

describe('nothing can send', () => {
  it.each<[string, PoolIndex, Partial<ChoiceSettings>]>([
    ['an empty pool', new PoolIndex([]), {}],
    ['every type weighted 0', new PoolIndex(ALL), { weights: { 'long-code': 0, 'toll-free': 0 } }],
    ['no weights at all', new PoolIndex(ALL), { weights: {} }],
    ['only short codes, not asked for', new PoolIndex([shortCode('22395')]), {}],
    [
      'every number unhealthy and its type weighted 0',
      new PoolIndex([TF_833], [TF_833.phone_number]),
      { weights: { 'long-code': 1, 'toll-free': 0 } },
    ],
  ])('undefined for %s', (_name, index, settings) => {
    expect(
      chooseSender(index, { ...SETTINGS, ...settings }, CHICAGO_RECIPIENT, TF_833.phone_number, seeded(1)),
    ).toBeUndefined();
  });
});

describe('isUnhealthy', () => {
  const h = (finalized: number, delivered: number, spam = 0, invalid_source = 0): Health => ({
    finalized,
    delivered,
    spam,
    invalid_source,
  });

  it('judges only after 10 finalized messages', () => {
    expect(HEALTH_MIN_SAMPLE).toBe(10);
    expect(isUnhealthy(undefined)).toBe(false);
    expect(isUnhealthy(h(0, 0))).toBe(false);
    expect(isUnhealthy(h(9, 0, 9))).toBe(false);
    expect(isUnhealthy(h(10, 0))).toBe(true);
  });

  it.each<[string, Health, boolean]>([
    ['deliverability 20 %', h(10, 2), true],
    ['deliverability 24 %', h(100, 24), true],
    ['deliverability exactly 25 %', h(100, 25), false],
    ['deliverability 30 %', h(10, 3), false],
    ['spam 80 %', h(10, 10, 8), true],
    ['spam 76 %', h(100, 100, 76), true],
    ['spam exactly 75 %', h(100, 100, 75), false],
    ['spam 70 %', h(10, 10, 7), false],
    ['all delivered', h(1000, 1000), false],
  ])('%s → unhealthy: %s', (_name, health, expected) => {
    expect(isUnhealthy(health)).toBe(expected);
  });

  it('any invalid source verdict makes a number unhealthy at once, whatever else it did', () => {
    expect(isUnhealthy(h(0, 0, 0, 1))).toBe(true);
    expect(isUnhealthy(h(1000, 1000, 0, 1))).toBe(true);
  });
});

describe('error code sets', () => {
  it.each(['40002', '40003', '40015'])('%s is spam', (code) => {
    expect(isSpamCode(code)).toBe(true);
    expect(isInvalidSourceCode(code)).toBe(false);
  });

  it.each(['40013', '40305'])('%s is an invalid source', (code) => {
    expect(isInvalidSourceCode(code)).toBe(true);
    expect(isSpamCode(code)).toBe(false);
  });

  it.each([undefined, '', '40001', '40005', '40006', '40008', '40012', '40300', '40318', '10007', '40002 '])(
    '%s is neither',
    (code) => {
      expect(isSpamCode(code)).toBe(false);
      expect(isInvalidSourceCode(code)).toBe(false);
    },
  );
});

describe('properties', () => {
  const numberArb = fc.record({
    area: fc.constantFrom('312', '212', '415', '833', '844'),
    line: fc.integer({ min: 1000, max: 9999 }),
    type: fc.constantFrom<PoolNumber['type']>('long-code', 'toll-free', 'short-code'),
    country: fc.constantFrom('US', 'CA'),
  });

  it('the answer is a number of the pool, of a type weighted above 0, healthy when one can be, else undefined only when nothing may send', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(numberArb, { minLength: 0, maxLength: 12, selector: (n) => `${n.area}${n.line}` }),
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
        fc.record({
          long: fc.constantFrom(0, 1, 3),
          toll: fc.constantFrom(0, 1, 2),
          skipUnhealthy: fc.boolean(),
          sticky: fc.boolean(),
          geomatch: fc.boolean(),
          geomatchCountry: fc.boolean(),
        }),
        fc.constantFrom('312', '212', '999', null),
        fc.integer(),
        (specs, sickFlags, s, recipientArea, seed) => {
          const numbers: PoolNumber[] = specs.map((n) => ({
            phone_number: `+1${n.area}555${n.line}`,
            type: n.type,
            mps: null,
            country: n.country,
            area_code: n.area,
          }));
          const sick = numbers.filter((_n, i) => sickFlags[i]).map((n) => n.phone_number);
          const index = new PoolIndex(numbers, sick);
          const settings: ChoiceSettings = {
            weights: { 'long-code': s.long, 'toll-free': s.toll },
            skipUnhealthy: s.skipUnhealthy,
            sticky: s.sticky,
            geomatch: s.geomatch,
            geomatchCountry: s.geomatchCountry,
          };
          const sticky = numbers[0]?.phone_number;
          const choice = chooseSender(
            index,
            settings,
            { areaCode: recipientArea, country: 'US' },
            sticky,
            seeded(seed),
          );
          const mayUse = numbers.filter((n) => (settings.weights[n.type] ?? 0) > 0);
          if (mayUse.length === 0) {
            expect(choice).toBeUndefined();
            return;
          }
          expect(choice).toBeDefined();
          const chosen = index.numbers.get(choice!.sender);
          expect(chosen).toBeDefined();
          expect(settings.weights[chosen!.type] ?? 0).toBeGreaterThan(0);
          if (s.skipUnhealthy && mayUse.some((n) => !sick.includes(n.phone_number))) {
            expect(sick).not.toContain(choice!.sender);
          }
          if (choice!.how === 'area code') expect(chosen!.area_code).toBe(recipientArea);
        },
      ),
      { numRuns: 500 },
    );
  });
});
