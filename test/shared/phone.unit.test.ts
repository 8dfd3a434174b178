// Phone number parsing (shared/phone): RELIABILITY.md row 20. Bad numbers (no "+", spaces,
// punctuation, "+0…", 16 digits, letters, other scripts' digits, non-strings, unassigned NANP area
// codes) are refused with a 422 in Telnyx's error shape before anything reaches Telnyx; good numbers
// come back with their country and, for NANP, their area code; property tests for refusals and
// round trips; isValidPhoneNumber and parseCountryCode.
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, TelnyxCode, type ErrorSource } from '../../shared/errors';
import {
  isNanpTollFree,
  isValidPhoneNumber,
  parseCountryCode,
  parsePhoneNumber,
  type ParsePhoneOptions,
  type PhoneNumber,
} from '../../shared/phone';

const FORMAT = TelnyxCode.notE164; // 10016: not "+" and ASCII digits
const INVALID = TelnyxCode.invalidPhoneNumber; // 10002: well formed, but no such number

const titles: Record<string, string> = {
  [FORMAT]: 'Phone number must be in +E.164 format',
  [INVALID]: 'Invalid phone number',
};

/** The ApiError that parsePhoneNumber throws for `input`; fails the test if it accepts it. */
function refusal(input: unknown, options: ParsePhoneOptions = {}): ApiError {
  let parsed: PhoneNumber;
  try {
    parsed = parsePhoneNumber(input, options);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)} as ${parsed.e164}`);
}

/** Valid numbers from several countries, in E.164. */
const goodNumbers = ['+13125550123', '+14165550123', '+442079460000', '+4915112345678', '+61412345678', '+18005550100'];

describe('parsePhoneNumber refuses bad numbers with a 422 in Telnyx shape', () => {
  const fullwidth = '+１３１２５５５０１２３';
  const arabicIndic = '+1٣١٢٥٥٥٠١٢٣';
  // [what, input, options, code, text the detail must contain (default: the input in quotes)]
  const cases: [string, unknown, ParsePhoneOptions, string, string?][] = [
    ['no "+" and no default country', '15551234567', {}, FORMAT],
    ['national digits without a default country', '3125550123', {}, FORMAT],
    ['555, which is not an area code, read as US', '15551234567', { defaultCountry: 'US' }, INVALID, ' in US'],
    ['spaces between groups', '+1 312 555 0123', {}, FORMAT, 'spaces'],
    ['a leading space', ' +13125550123', {}, FORMAT, 'spaces'],
    ['a trailing space', '+13125550123 ', {}, FORMAT, 'spaces'],
    ['a trailing newline', '+13125550123\n', {}, FORMAT, 'spaces'],
    ['a tab', '+1312\t5550123', {}, FORMAT, 'spaces'],
    ['a no-break space', '+1312\u00a05550123', {}, FORMAT, 'spaces'],
    ['a zero-width space', '+1312\u200b5550123', {}, FORMAT, 'characters other than the digits 0-9'],
    ['dashes', '+1-312-555-0123', {}, FORMAT, 'characters other than the digits 0-9'],
    ['dots', '+1.312.555.0123', {}, FORMAT],
    ['parentheses', '+(1)3125550123', {}, FORMAT],
    ['a leading 0 after the "+"', '+0123456789', {}, FORMAT, 'starts with 0'],
    ['16 digits', '+1234567890123456', {}, FORMAT, 'has 16 digits'],
    ['vanity letters', '+1800FLOWERS', {}, FORMAT, 'characters other than the digits 0-9'],
    ['Arabic-Indic digits', arabicIndic, {}, FORMAT],
    ['fullwidth digits', fullwidth, {}, FORMAT],
    ['fullwidth digits as national input', fullwidth.slice(1), { defaultCountry: 'US' }, FORMAT],
    ['an empty string', '', {}, FORMAT, 'is empty'],
    ['only a "+"', '+', {}, FORMAT],
    ['two "+"', '++13125550123', {}, FORMAT],
    ['a "+" inside national input', '312+5550123', { defaultCountry: 'US' }, FORMAT],
    ['a number, not a string', 12125550123, {}, FORMAT, 'must be a string'],
    ['null', null, {}, FORMAT, 'must be a string'],
    ['undefined', undefined, {}, FORMAT, 'must be a string'],
    ['an object', {}, {}, FORMAT, 'must be a string'],
    ['an array', ['+13125550123'], {}, FORMAT, 'must be a string'],
    ['an N11 area code (211)', '+12115550123', {}, INVALID],
    ['an area code starting with 1', '+11235550123', {}, INVALID],
    ['a NANP number one digit short', '+1212555010', {}, INVALID],
    ['a NANP number one digit long', '+131255501234', {}, INVALID],
    ['32 characters, 31 digits', '+' + '1'.repeat(31), {}, FORMAT, 'has 31 digits'],
    ['33 characters', '+' + '1'.repeat(32), {}, FORMAT, 'too long'],
    ['10,000 characters', '+1' + '3'.repeat(9_998), {}, FORMAT, 'too long'],
    ['a long string of text', '+13125550123 '.repeat(100), {}, FORMAT, 'too long'],
  ];

  it.each(cases)('%s', (_what, input, options, code, mention) => {
    const sources: (ErrorSource | undefined)[] = [{ pointer: '/to' }, { parameter: 'phone_number' }, undefined];
    for (const source of sources) {
      const error = refusal(input, { ...options, ...(source && { source }) });
      expect(error.status).toBe(422);
      expect(error.errors).toHaveLength(1);
      const [body] = error.errors;
      expect(body!.code).toBe(code);
      expect(body!.title).toBe(titles[code]);
      expect(body!.detail).toContain(mention ?? `"${String(input)}"`);
      if (source) expect(body!.source).toEqual(source);
      else expect(body).not.toHaveProperty('source');
      expect(error.message).toBe(body!.detail);
    }
  });

  it('says what is wrong in the detail of a well-formed but invalid number', () => {
    expect(refusal('+12115550123').errors[0]!.detail).toBe('"+12115550123" is not a valid phone number.');
    expect(refusal('15551234567', { defaultCountry: 'US' }).errors[0]!.detail).toBe(
      '"15551234567" is not a valid phone number in US.',
    );
  });

  it('renders as a Telnyx v2 error response', async () => {
    const response = refusal('+1 312 555 0123', { source: { pointer: '/to' } }).toResponse();
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({
      errors: [
        {
          code: '10016',
          title: 'Phone number must be in +E.164 format',
          detail:
            '"+1 312 555 0123" contains spaces. Use a "+", the country code and the number, digits only, e.g. +13125550123.',
          source: { pointer: '/to' },
        },
      ],
    });
  });

  describe('before any Telnyx call', () => {
    afterEach(() => vi.restoreAllMocks());

    it('refuses every bad number without a network request', () => {
      const fetchSpy = vi.spyOn(globalThis, 'fetch');
      for (const [, input, options] of cases) expect(isValidPhoneNumber(input, options)).toBe(false);
      expect(fetchSpy).not.toHaveBeenCalled();
    });
  });
});

describe('parsePhoneNumber accepts good numbers', () => {
  it.each([
    ['+13125550123', { countryCallingCode: '1', country: 'US', nationalNumber: '3125550123', areaCode: '312' }],
    ['+14165550123', { countryCallingCode: '1', country: 'CA', nationalNumber: '4165550123', areaCode: '416' }],
    ['+442079460000', { countryCallingCode: '44', country: 'GB', nationalNumber: '2079460000', areaCode: undefined }],
    ['+4915112345678', { countryCallingCode: '49', country: 'DE', nationalNumber: '15112345678', areaCode: undefined }],
    ['+61412345678', { countryCallingCode: '61', country: 'AU', nationalNumber: '412345678', areaCode: undefined }],
    ['+18005550100', { countryCallingCode: '1', country: 'US', nationalNumber: '8005550100', areaCode: '800' }],
  ] as const)('%s', (e164, expected) => {
    expect(parsePhoneNumber(e164)).toEqual({ e164, ...expected });
    expect(parsePhoneNumber(e164, { source: { pointer: '/to' } }).e164).toBe(e164);
  });

  it('marks NANP toll-free numbers, and only those', () => {
    expect(isNanpTollFree(parsePhoneNumber('+18005550100'))).toBe(true);
    expect(isNanpTollFree(parsePhoneNumber('+18885550100'))).toBe(true);
    expect(isNanpTollFree(parsePhoneNumber('+13125550123'))).toBe(false);
    expect(isNanpTollFree(parsePhoneNumber('+14165550123'))).toBe(false);
    expect(isNanpTollFree(parsePhoneNumber('+442079460000'))).toBe(false);
  });

  it('reads plain national digits as a number of the default country', () => {
    expect(parsePhoneNumber('3125550123', { defaultCountry: 'US' })).toEqual(parsePhoneNumber('+13125550123'));
    expect(parsePhoneNumber('4165550123', { defaultCountry: 'CA' }).country).toBe('CA');
    expect(parsePhoneNumber('02079460000', { defaultCountry: 'GB' }).e164).toBe('+442079460000');
    // A "+" number ignores the default country.
    expect(parsePhoneNumber('+13125550123', { defaultCountry: 'GB' }).country).toBe('US');
  });
});

describe('parsePhoneNumber properties', () => {
  const whitespace = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2009', '\u202f', '\u3000', '\ufeff', '\u200b'];
  /** One character (one code point) that is neither "+" nor an ASCII digit. */
  const foreignChar = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => !/^[+0-9]$/.test(c));
  const phoneLike = fc.stringMatching(/^\+?[0-9]{0,16}$/);

  it('refuses any string with a character other than "+" and 0-9, always with a 10016', () => {
    fc.assert(
      fc.property(
        fc.oneof(phoneLike, fc.string({ unit: 'binary' })),
        foreignChar,
        fc.oneof(phoneLike, fc.string({ unit: 'binary' })),
        fc.option(fc.constantFrom<ParsePhoneOptions['defaultCountry']>('US', 'GB', 'DE'), { nil: undefined }),
        (before, char, after, defaultCountry) => {
          const error = refusal(before + char + after, { defaultCountry });
          expect(error.status).toBe(422);
          expect(error.errors[0]!.code).toBe(FORMAT);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a valid number with whitespace inserted anywhere', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...goodNumbers),
        fc.array(fc.tuple(fc.nat(), fc.constantFrom(...whitespace)), { minLength: 1, maxLength: 3 }),
        (number, insertions) => {
          let input = number;
          for (const [position, space] of insertions) {
            const at = position % (input.length + 1);
            input = input.slice(0, at) + space + input.slice(at);
          }
          const error = refusal(input, { source: { pointer: '/to' } });
          expect([error.status, error.errors[0]!.code]).toEqual([422, FORMAT]);
          expect(error.errors[0]!.source).toEqual({ pointer: '/to' });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('round-trips: parsing a parsed number gives the same number', () => {
    // NANP numbers with real area codes and any exchange and line, plus the good list.
    const nanp = fc
      .tuple(
        fc.constantFrom('212', '312', '415', '617', '202', '416', '604', '713'),
        fc.integer({ min: 200, max: 999 }),
        fc.integer({ min: 0, max: 9999 }),
      )
      .map(([area, exchange, line]) => `+1${area}${exchange}${String(line).padStart(4, '0')}`);
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...goodNumbers), nanp), (e164) => {
        const parsed = parsePhoneNumber(e164);
        expect(parsed.e164).toBe(e164);
        expect(parsePhoneNumber(parsed.e164)).toEqual(parsed);
        expect(parsed.e164).toBe(`+${parsed.countryCallingCode}${parsed.nationalNumber}`);
        if (parsed.countryCallingCode === '1') expect(parsed.areaCode).toBe(parsed.nationalNumber.slice(0, 3));
        else expect(parsed.areaCode).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('never throws anything but a 422 ApiError, whatever the input', () => {
    const check = (input: unknown, options: ParsePhoneOptions = {}) => {
      let outcome: unknown;
      try {
        outcome = parsePhoneNumber(input, options);
      } catch (error) {
        expect(error).toBeInstanceOf(ApiError);
        outcome = error;
      }
      if (outcome instanceof ApiError) {
        expect(outcome.status).toBe(422);
        expect([FORMAT, INVALID]).toContain(outcome.errors[0]!.code);
      } else {
        expect((outcome as PhoneNumber).e164).toMatch(/^\+[1-9][0-9]{1,14}$/);
      }
    };
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'grapheme' }),
          fc.string({ unit: 'binary' }),
          fc.string({ unit: 'grapheme-composite' }),
        ),
        (input) => {
          check(input);
          check(input, { defaultCountry: 'US' });
        },
      ),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.anything(), (input) => check(input)),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^\+?[0-9]{1,20}$/), (input) => {
        check(input);
        check(input, { defaultCountry: 'DE' });
      }),
      { numRuns: 500 },
    );
  });
});

// Strict E.164 means the number that comes back is the number that was sent, and national input
// is read as a number of the default country. libphonenumber-js on its own would repair "+digits"
// input that keeps a national trunk prefix after the country code, and would read an international
// dialling prefix (011, 00) in "national" input; parsePhoneNumber refuses both.
describe('parsePhoneNumber returns the number it was given', () => {
  it.each([
    ['a UK number with its trunk 0 kept', '+4402079460000'],
    ['a German mobile with its trunk 0 kept', '+49015112345678'],
    ['an Australian mobile with its trunk 0 kept', '+610412345678'],
    ['a NANP number with its trunk 1 kept', '+112125550123'],
  ])('refuses %s (%s) rather than rewriting it', (_what, input) => {
    expect(isValidPhoneNumber(input)).toBe(false);
  });

  it('never accepts "+digits" input as a different number', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\+[1-9][0-9]{6,14}$/), (input) => {
        if (isValidPhoneNumber(input)) expect(parsePhoneNumber(input).e164).toBe(input);
      }),
      { numRuns: 3000 },
    );
  });

  it.each([
    ['US', '011442079460000'],
    ['DE', '00442079460000'],
    ['GB', '0013125550123'],
  ] as const)(
    'reads national input as a number of the default country %s, not an international dial string (%s)',
    (defaultCountry, input) => {
      const error = refusal(input, { defaultCountry });
      expect([error.status, error.errors[0]!.code]).toEqual([422, FORMAT]);
      expect(error.errors[0]!.detail).toContain('international dialling string');
    },
  );
});

describe('isValidPhoneNumber', () => {
  it('agrees with parsePhoneNumber', () => {
    for (const number of goodNumbers) expect(isValidPhoneNumber(number)).toBe(true);
    expect(isValidPhoneNumber('3125550123', { defaultCountry: 'US' })).toBe(true);
    expect(isValidPhoneNumber('3125550123')).toBe(false);
    for (const bad of [
      '15551234567',
      '+1 312 555 0123',
      '+0123456789',
      '+1234567890123456',
      '+12115550123',
      '',
      null,
    ]) {
      expect(isValidPhoneNumber(bad)).toBe(false);
    }
  });
});

describe('parseCountryCode', () => {
  it.each([
    ['us', 'US'],
    ['US', 'US'],
    [' gb ', 'GB'],
    ['De', 'DE'],
    ['XX', undefined],
    ['USA', undefined],
    ['U', undefined],
    ['', undefined],
    ['U1', undefined],
    ['ＵＳ', undefined],
  ])('%j -> %j', (value, expected) => {
    expect(parseCountryCode(value)).toBe(expected);
  });

  it('gives a country that parsePhoneNumber accepts as a default', () => {
    const country = parseCountryCode('us');
    expect(parsePhoneNumber('3125550123', { defaultCountry: country }).e164).toBe('+13125550123');
  });
});
