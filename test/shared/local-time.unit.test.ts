// Recipients' local time for quiet hours (shared/local-time): RELIABILITY.md row 19. Time zones from
// NANP area codes across every US and Canadian zone, the Caribbean by country, other countries by
// their main zone, fallbacks for toll-free, non-geographic and unknown numbers; every zone in the
// tables valid in workerd's Intl and every geographic US/Canadian area code libphonenumber knows
// covered; localTime; nextAllowedTime at the edges of the window (07:59, 08:00, 20:59, 21:00),
// across midnight, on the 2026 US and UK DST changes, with windows across midnight and windows that
// open in a skipped or repeated hour; parseSendWindow; a property test that the answer is never
// early, always inside the window, the earliest such instant, and at most 25 hours ahead.
import fc from 'fast-check';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/min';
import examples from 'libphonenumber-js/examples.mobile.json';
import { describe, expect, it } from 'vitest';
import {
  COUNTRY_TIME_ZONES,
  DEFAULT_SEND_WINDOW,
  NANP_TIME_ZONES,
  localTime,
  nextAllowedTime,
  parseSendWindow,
  timeZoneOf,
  type SendWindow,
} from '../../shared/local-time';
import { isValidPhoneNumber, parsePhoneNumber, type PhoneNumber } from '../../shared/phone';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

/** The example mobile number libphonenumber ships for a country, parsed. */
const exampleOf = (country: CountryCode): PhoneNumber =>
  parsePhoneNumber(getExampleNumber(country, examples as never)!.number);

/** [start, end) in minutes after midnight, across midnight when start > end. */
function isInside(ms: number, timeZone: string, window: SendWindow): boolean {
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const [start, end] = [minutes(window.start), minutes(window.end)];
  const { hour, minute } = localTime(ms, timeZone);
  const m = hour * 60 + minute;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

describe('timeZoneOf', () => {
  it.each([
    ['+12125550123', 'America/New_York'], // New York
    ['+13125550123', 'America/Chicago'], // Chicago
    ['+13035550123', 'America/Denver'], // Denver
    ['+16025550123', 'America/Phoenix'], // Phoenix, no DST
    ['+14155550123', 'America/Los_Angeles'], // San Francisco
    ['+19075550123', 'America/Anchorage'], // Alaska
    ['+18085550123', 'Pacific/Honolulu'], // Hawaii
    ['+14165550123', 'America/Toronto'], // Toronto
    ['+15145550123', 'America/Toronto'], // Montréal
    ['+16045550123', 'America/Vancouver'], // Vancouver
    ['+17095550123', 'America/St_Johns'], // Newfoundland, UTC-3:30
    ['+19025550123', 'America/Halifax'], // Nova Scotia
    ['+12045550123', 'America/Winnipeg'], // Manitoba
    ['+13065550123', 'America/Regina'], // Saskatchewan, no DST
    ['+14035550123', 'America/Edmonton'], // Calgary
    ['+12195550123', 'America/Chicago'], // Gary, Indiana: Central although Indiana is mostly Eastern
    ['+13175550123', 'America/New_York'], // Indianapolis
    ['+19155550123', 'America/Denver'], // El Paso: Mountain although Texas is mostly Central
    ['+18505550123', 'America/Chicago'], // Florida panhandle
    ['+12085550123', 'America/Denver'], // Boise
    ['+17872345678', 'America/Puerto_Rico'], // Puerto Rico, by country
  ])('%s -> %s', (e164, zone) => {
    expect(timeZoneOf(parsePhoneNumber(e164))).toBe(zone);
  });

  it.each([
    ['PR', 'America/Puerto_Rico'],
    ['JM', 'America/Jamaica'],
    ['DO', 'America/Santo_Domingo'],
    ['BS', 'America/Nassau'],
    ['TT', 'America/Port_of_Spain'],
    ['BB', 'America/Barbados'],
    ['BM', 'Atlantic/Bermuda'],
    ['VI', 'America/St_Thomas'],
    ['GU', 'Pacific/Guam'],
    ['GB', 'Europe/London'],
    ['IE', 'Europe/Dublin'],
    ['DE', 'Europe/Berlin'],
    ['JP', 'Asia/Tokyo'],
    ['IN', 'Asia/Kolkata'],
    ['AU', 'Australia/Sydney'],
    ['BR', 'America/Sao_Paulo'],
    ['MX', 'America/Mexico_City'],
    ['RU', 'Europe/Moscow'],
    ['ID', 'Asia/Jakarta'],
    ['ZA', 'Africa/Johannesburg'],
  ] as const)('%s numbers -> %s', (country, zone) => {
    const number = exampleOf(country);
    expect(number.country).toBe(country);
    expect(timeZoneOf(number)).toBe(zone);
  });

  it('gives every NANP country and territory its own zone, by country', () => {
    const nanp = ['AG', 'AI', 'AS', 'BB', 'BM', 'BS', 'DM', 'DO', 'GD', 'GU', 'JM', 'KN', 'KY', 'LC', 'MP', 'MS', 'PR'];
    for (const country of [...nanp, 'SX', 'TC', 'TT', 'VC', 'VG', 'VI'] as CountryCode[]) {
      const number = exampleOf(country);
      expect(number.countryCallingCode, country).toBe('1');
      expect(NANP_TIME_ZONES.has(number.areaCode!), `${country} ${number.areaCode}`).toBe(false);
      expect(timeZoneOf(number), country).toBe(COUNTRY_TIME_ZONES.get(country));
    }
  });

  it('falls back to the main zone for numbers with no place', () => {
    expect(timeZoneOf(parsePhoneNumber('+18005550100'))).toBe('America/New_York'); // US toll-free
    expect(timeZoneOf(parsePhoneNumber('+18885550100'))).toBe('America/New_York');
    expect(timeZoneOf(parsePhoneNumber('+19002345678'))).toBe('America/New_York'); // premium rate
    expect(timeZoneOf(parsePhoneNumber('+15002345678'))).toBe('America/New_York'); // personal communications
    expect(timeZoneOf(parsePhoneNumber('+16002345678'))).toBe('America/Toronto'); // Canadian non-geographic
    // Multi-zone countries use their most populous zone: a Perth mobile is still Sydney.
    expect(timeZoneOf(parsePhoneNumber('+61412345678'))).toBe('Australia/Sydney');
  });

  it('gives UTC for a country not in the table and for non-geographic numbers', () => {
    expect(timeZoneOf(exampleOf('FO'))).toBe('UTC');
    expect(timeZoneOf(parsePhoneNumber('+883510012345'))).toBe('UTC'); // international networks
    const bare: PhoneNumber = {
      e164: '+9999',
      countryCallingCode: '999',
      country: undefined,
      nationalNumber: '9',
      areaCode: undefined,
    };
    expect(timeZoneOf(bare)).toBe('UTC');
    // A NANP number with no country and an unknown area code still lands in North America.
    expect(timeZoneOf({ ...bare, e164: '+19995550123', countryCallingCode: '1', areaCode: '999' })).toBe(
      'America/New_York',
    );
  });

  it('covers every geographic US and Canadian area code libphonenumber accepts', () => {
    // Toll-free, premium, personal-communications (5XX) and Canadian non-geographic (600, 622, 633).
    const nonGeographic = /^(8(00|33|44|55|66|77|88)|900|500|52[1-9]|53[23]|544|566|577|588|600|622|633)$/;
    const accepted = new Set<string>();
    for (let npa = 200; npa <= 999; npa++) {
      for (const rest of ['2345678', '3456789']) {
        const e164 = `+1${npa}${rest}`;
        if (!isValidPhoneNumber(e164)) continue;
        const { country } = parsePhoneNumber(e164);
        if (country === 'US' || country === 'CA') accepted.add(String(npa));
      }
    }
    const geographic = [...accepted].filter((npa) => !nonGeographic.test(npa));
    expect(geographic.length).toBeGreaterThan(400);
    expect(geographic.filter((npa) => !NANP_TIME_ZONES.has(npa))).toEqual([]);
  });

  it('lists only well-formed geographic area codes', () => {
    expect(NANP_TIME_ZONES.size).toBeGreaterThan(400);
    for (const npa of NANP_TIME_ZONES.keys()) {
      expect(npa).toMatch(/^[2-9][0-8][0-9]$/); // a middle 9 is reserved for expansion
      expect(npa).not.toMatch(/^.11$/); // N11 service codes
      expect(npa).not.toMatch(/^(8(00|33|44|55|66|77|88)|900|500|600|700)$/);
    }
  });

  it('has a zone for every group asked for, and at least 60 countries', () => {
    const countries = [...COUNTRY_TIME_ZONES.keys()];
    const eu = 'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' ');
    const others = 'GB IE NO CH AU NZ JP KR CN IN SG HK BR MX AR CO CL ZA NG KE EG IL AE SA TR RU UA PH ID MY TH VN PK';
    for (const country of [...eu, ...others.split(' ')]) expect(countries, country).toContain(country);
    expect(countries.length - 25).toBeGreaterThanOrEqual(60); // not counting the NANP entries
  });
});

describe('every zone in the tables is valid in Intl', () => {
  const zones = new Set([...NANP_TIME_ZONES.values(), ...COUNTRY_TIME_ZONES.values(), 'UTC']);
  it.each([...zones])('%s', (timeZone) => {
    expect(() => new Intl.DateTimeFormat('en-US', { timeZone })).not.toThrow();
    expect(localTime(at('2026-06-01T12:00:00Z'), timeZone).date).toMatch(/^2026-06-0[12]$/);
  });
});

describe('localTime', () => {
  it.each([
    ['2026-01-15T17:30:00Z', 'America/New_York', { hour: 12, minute: 30, weekday: 4, date: '2026-01-15' }],
    ['2026-01-15T17:30:00Z', 'Pacific/Auckland', { hour: 6, minute: 30, weekday: 5, date: '2026-01-16' }],
    ['2026-01-15T17:30:00Z', 'Asia/Kathmandu', { hour: 23, minute: 15, weekday: 4, date: '2026-01-15' }],
    ['2026-01-15T17:30:00Z', 'America/St_Johns', { hour: 14, minute: 0, weekday: 4, date: '2026-01-15' }],
    ['2026-01-15T05:00:00Z', 'America/New_York', { hour: 0, minute: 0, weekday: 4, date: '2026-01-15' }],
    ['2026-07-15T05:00:00Z', 'America/New_York', { hour: 1, minute: 0, weekday: 3, date: '2026-07-15' }],
    ['2026-07-15T05:00:00Z', 'America/Phoenix', { hour: 22, minute: 0, weekday: 2, date: '2026-07-14' }],
    ['2026-03-01T00:00:00Z', 'UTC', { hour: 0, minute: 0, weekday: 0, date: '2026-03-01' }],
  ] as const)('%s in %s', (instant, timeZone, expected) => {
    expect(localTime(at(instant), timeZone)).toEqual(expected);
  });

  it('throws a RangeError for an unknown zone', () => {
    expect(() => localTime(0, 'Mars/Olympus_Mons')).toThrow(RangeError);
  });
});

describe('nextAllowedTime', () => {
  const NY = 'America/New_York';
  const CHICAGO = 'America/Chicago';
  const night: SendWindow = { start: '22:00', end: '06:00' };

  it.each([
    // [what, now, zone, window, expected]
    ['noon: allowed', '2026-01-15T17:00:00Z', NY, DEFAULT_SEND_WINDOW, '2026-01-15T17:00:00.000Z'],
    ['08:00 exactly: allowed', '2026-01-15T13:00:00Z', NY, DEFAULT_SEND_WINDOW, '2026-01-15T13:00:00.000Z'],
    ['07:59: wait a minute', '2026-01-15T12:59:00Z', NY, DEFAULT_SEND_WINDOW, '2026-01-15T13:00:00.000Z'],
    [
      '07:59:59.999: wait a millisecond',
      '2026-01-15T12:59:59.999Z',
      NY,
      DEFAULT_SEND_WINDOW,
      '2026-01-15T13:00:00.000Z',
    ],
    ['20:59:59.999: allowed', '2026-01-16T01:59:59.999Z', NY, DEFAULT_SEND_WINDOW, '2026-01-16T01:59:59.999Z'],
    ['21:00 exactly: next morning', '2026-01-16T02:00:00Z', NY, DEFAULT_SEND_WINDOW, '2026-01-16T13:00:00.000Z'],
    ['23:30: next morning', '2026-01-16T04:30:00Z', NY, DEFAULT_SEND_WINDOW, '2026-01-16T13:00:00.000Z'],
    [
      '00:30, after midnight: this morning',
      '2026-01-16T05:30:00Z',
      NY,
      DEFAULT_SEND_WINDOW,
      '2026-01-16T13:00:00.000Z',
    ],
    [
      'Chicago 07:00 is New York 08:00',
      '2026-01-15T13:00:00Z',
      CHICAGO,
      DEFAULT_SEND_WINDOW,
      '2026-01-15T14:00:00.000Z',
    ],
    [
      'St. John’s, half an hour off',
      '2026-01-15T11:00:00Z',
      'America/St_Johns',
      DEFAULT_SEND_WINDOW,
      '2026-01-15T11:30:00.000Z',
    ],
    [
      'Sydney, across the date line',
      '2026-01-15T12:00:00Z',
      'Australia/Sydney',
      DEFAULT_SEND_WINDOW,
      '2026-01-15T21:00:00.000Z',
    ],
    // US DST starts 2026-03-08 02:00 (EST -5 to EDT -4).
    ['DST starts: 01:30 EST to 08:00 EDT', '2026-03-08T06:30:00Z', NY, DEFAULT_SEND_WINDOW, '2026-03-08T12:00:00.000Z'],
    [
      'DST starts: from the evening before',
      '2026-03-08T02:30:00Z',
      NY,
      DEFAULT_SEND_WINDOW,
      '2026-03-08T12:00:00.000Z',
    ],
    [
      'DST starts: Phoenix does not change',
      '2026-03-08T14:00:00Z',
      'America/Phoenix',
      DEFAULT_SEND_WINDOW,
      '2026-03-08T15:00:00.000Z',
    ],
    [
      'DST starts: start in the skipped hour opens at 03:00',
      '2026-03-08T06:30:00Z',
      NY,
      { start: '02:30', end: '05:00' },
      '2026-03-08T07:00:00.000Z',
    ],
    [
      'DST starts: a window inside the skipped hour waits a day',
      '2026-03-08T06:30:00Z',
      NY,
      { start: '02:00', end: '03:00' },
      '2026-03-09T06:00:00.000Z',
    ],
    // US DST ends 2026-11-01 02:00 (EDT -4 to EST -5).
    ['DST ends: 01:30 EDT to 08:00 EST', '2026-11-01T05:30:00Z', NY, DEFAULT_SEND_WINDOW, '2026-11-01T13:00:00.000Z'],
    ['DST ends: from the evening before', '2026-11-01T02:00:00Z', NY, DEFAULT_SEND_WINDOW, '2026-11-01T13:00:00.000Z'],
    [
      'DST ends: the repeated 01:30 is a start again',
      '2026-11-01T05:50:00Z',
      NY,
      { start: '01:30', end: '01:45' },
      '2026-11-01T06:30:00.000Z',
    ],
    [
      'DST ends: going back jumps into the window',
      '2026-11-01T05:50:00Z',
      NY,
      { start: '00:30', end: '01:45' },
      '2026-11-01T06:00:00.000Z',
    ],
    // UK summer time starts 2026-03-29 01:00 GMT (GMT +0 to BST +1).
    [
      'UK DST starts: 00:30 GMT to 08:00 BST',
      '2026-03-29T00:30:00Z',
      'Europe/London',
      DEFAULT_SEND_WINDOW,
      '2026-03-29T07:00:00.000Z',
    ],
    [
      'UK DST starts: from the evening before',
      '2026-03-28T21:30:00Z',
      'Europe/London',
      DEFAULT_SEND_WINDOW,
      '2026-03-29T07:00:00.000Z',
    ],
    [
      'UK DST starts: start in the skipped hour',
      '2026-03-29T00:30:00Z',
      'Europe/London',
      { start: '01:30', end: '04:00' },
      '2026-03-29T01:00:00.000Z',
    ],
    // A window across midnight.
    ['night window: 23:00 allowed', '2026-01-16T05:00:00Z', CHICAGO, night, '2026-01-16T05:00:00.000Z'],
    ['night window: 05:59 allowed', '2026-01-16T11:59:00Z', CHICAGO, night, '2026-01-16T11:59:00.000Z'],
    ['night window: 06:00 waits for 22:00', '2026-01-16T12:00:00Z', CHICAGO, night, '2026-01-17T04:00:00.000Z'],
    ['night window: 21:59 waits a minute', '2026-01-17T03:59:00Z', CHICAGO, night, '2026-01-17T04:00:00.000Z'],
    ['night window: 00:00 allowed', '2026-01-16T06:00:00Z', CHICAGO, night, '2026-01-16T06:00:00.000Z'],
    ['night window on DST end', '2026-11-01T12:00:00Z', NY, night, '2026-11-02T03:00:00.000Z'],
  ] as [string, string, string, SendWindow, string][])('%s', (_what, now, timeZone, window, expected) => {
    expect(iso(nextAllowedTime(at(now), timeZone, window))).toBe(expected);
  });

  it('refuses a bad window, a bad zone and a bad time', () => {
    const now = at('2026-01-15T12:00:00Z');
    expect(() => nextAllowedTime(now, 'America/New_York', { start: '8:00', end: '21:00' })).toThrow(/start must be/);
    expect(() => nextAllowedTime(now, 'America/New_York', { start: '08:00', end: '08:00' })).toThrow(/empty/);
    expect(() => nextAllowedTime(now, 'Mars/Olympus_Mons', DEFAULT_SEND_WINDOW)).toThrow(RangeError);
    expect(() => nextAllowedTime(Number.NaN, 'America/New_York', DEFAULT_SEND_WINDOW)).toThrow(RangeError);
  });

  describe('properties', () => {
    const zones = [
      'America/New_York',
      'America/Los_Angeles',
      'America/Phoenix',
      'America/St_Johns',
      'Europe/London',
      'Europe/Berlin',
      'Australia/Sydney',
      'Australia/Lord_Howe', // half-hour DST
      'Pacific/Auckland',
      'America/Santiago',
      'Asia/Kathmandu',
      'Asia/Tokyo',
      'UTC',
    ];
    const hhmm = (minutes: number) =>
      `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
    // Windows of more than an hour: a shorter one can fall wholly into a skipped hour and not exist
    // that day, which the examples above cover.
    const window = fc
      .tuple(fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 61, max: 1439 }))
      .map(([start, length]): SendWindow => ({ start: hhmm(start), end: hhmm((start + length) % 1440) }));
    const transitions = [
      '2026-03-08T07:00:00Z',
      '2026-11-01T06:00:00Z',
      '2026-03-29T01:00:00Z',
      '2026-04-04T16:00:00Z',
    ];
    const instant = fc.oneof(
      fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2035-12-31T00:00:00Z') }),
      // Near DST changes, where mistakes hide.
      fc
        .tuple(fc.constantFrom(...transitions.map(at)), fc.integer({ min: -48 * HOUR, max: 48 * HOUR }))
        .map(([t, d]) => t + d),
      fc.constantFrom(...transitions.map(at)).map((t) => t - 1),
    );

    it('is never early, always inside the window, the earliest such instant, and within 25 hours', () => {
      fc.assert(
        fc.property(instant, fc.constantFrom(...zones), window, (ms, timeZone, window) => {
          const next = nextAllowedTime(ms, timeZone, window);
          expect(next).toBeGreaterThanOrEqual(ms);
          expect(next - ms).toBeLessThanOrEqual(25 * HOUR);
          expect(isInside(next, timeZone, window)).toBe(true);
          if (next > ms) {
            expect(isInside(ms, timeZone, window)).toBe(false);
            expect(isInside(next - 1, timeZone, window)).toBe(false);
          } else {
            expect(isInside(ms, timeZone, window)).toBe(true);
          }
          expect(nextAllowedTime(next, timeZone, window)).toBe(next);
        }),
        { numRuns: 1500 },
      );
    });

    it('leaves no allowed moment unused before the answer (checked every 15 minutes)', () => {
      fc.assert(
        fc.property(instant, fc.constantFrom(...zones), (ms, timeZone) => {
          const next = nextAllowedTime(ms, timeZone, DEFAULT_SEND_WINDOW);
          const firstMinute = Math.ceil(ms / MINUTE) * MINUTE;
          for (let t = firstMinute; t < next; t += 15 * MINUTE)
            expect(isInside(t, timeZone, DEFAULT_SEND_WINDOW)).toBe(false);
        }),
        { numRuns: 50 },
      );
    });
  });
});

describe('parseSendWindow', () => {
  it.each([
    [
      { start: '08:00', end: '21:00' },
      { start: '08:00', end: '21:00' },
    ],
    [
      { start: '22:00', end: '06:00' },
      { start: '22:00', end: '06:00' },
    ],
    [
      { start: '00:00', end: '23:59' },
      { start: '00:00', end: '23:59' },
    ],
    [
      { start: '09:30', end: '17:45', note: 'ignored' },
      { start: '09:30', end: '17:45' },
    ],
    ['08:00-21:00', { start: '08:00', end: '21:00' }],
    [' 22:00 - 06:00 ', { start: '22:00', end: '06:00' }],
  ])('%j', (value, expected) => {
    expect(parseSendWindow(value)).toEqual(expected);
  });

  it.each([
    [
      { start: '8:00', end: '21:00' },
      'Send window start must be a time of day "HH:MM" from 00:00 to 23:59, got "8:00".',
    ],
    [
      { start: '08:00', end: '24:00' },
      'Send window end must be a time of day "HH:MM" from 00:00 to 23:59, got "24:00".',
    ],
    [{ start: '08:60', end: '21:00' }, 'got "08:60"'],
    [{ start: '08:00:00', end: '21:00' }, 'got "08:00:00"'],
    [{ start: '0800', end: '2100' }, 'got "0800"'],
    [{ start: '０８:００', end: '21:00' }, 'start must be'],
    [{ start: '08:00' }, 'Send window end must be a time of day "HH:MM" from 00:00 to 23:59, got undefined.'],
    [{ start: 8, end: 21 }, 'got number'],
    [{ start: '08:00', end: '08:00' }, 'Send window start and end are both "08:00"; the window would be empty.'],
    ['08:00', 'Send window must be written "HH:MM-HH:MM", e.g. "08:00-21:00", got "08:00".'],
    ['08:00-21:00-22:00', 'must be written "HH:MM-HH:MM"'],
    ['8-21', 'got "8"'],
    ['', 'must be written'],
    [null, 'Send window must be { start: "HH:MM", end: "HH:MM" } or "HH:MM-HH:MM", got null.'],
    [undefined, 'got undefined'],
    [42, 'got number'],
    [['08:00', '21:00'], 'got object'],
  ])('refuses %j', (value, message) => {
    let error: unknown;
    try {
      parseSendWindow(value);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).constructor).toBe(Error);
    expect((error as Error).message).toContain(message);
  });

  it('accepts the default window', () => {
    expect(DEFAULT_SEND_WINDOW).toEqual({ start: '08:00', end: '21:00' });
    expect(parseSendWindow(DEFAULT_SEND_WINDOW)).toEqual(DEFAULT_SEND_WINDOW);
    expect(parseSendWindow(DEFAULT_SEND_WINDOW)).not.toBe(DEFAULT_SEND_WINDOW);
  });
});
