// shared/phone-metadata.json is libphonenumber-js's "min" metadata without its formatting rules
// (scripts/phone-metadata.mjs). Parsing must not notice: over numbers made up for every country
// and calling code, international and national, both metadata give the same verdict and the same
// number, country and national number.
import { parsePhoneNumberFromString as parseWithMin, getCountries } from 'libphonenumber-js/min';
import { parsePhoneNumberFromString as parseWithCore, type MetadataJson } from 'libphonenumber-js/core';
import { describe, expect, it } from 'vitest';
import stripped from '../../shared/phone-metadata.json';
import full from 'libphonenumber-js/metadata.min.json';

const STRIPPED = stripped as unknown as MetadataJson;

/** A small seeded generator, so a failure names numbers that can be tried again. */
function digitsFrom(seed: number): (count: number) => string {
  let state = seed >>> 0;
  return (count) => {
    let out = '';
    for (let i = 0; i < count; i++) {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      out += String(state % 10);
    }
    return out;
  };
}

function verdict(parsed: ReturnType<typeof parseWithMin>) {
  if (parsed === undefined) return 'unparsed';
  return { valid: parsed.isValid(), number: parsed.number, country: parsed.country, national: parsed.nationalNumber };
}

describe('the stripped metadata', () => {
  it('has every country and calling code of the full one, and only formatting rules removed', () => {
    expect(Object.keys(stripped.countries)).toEqual(Object.keys(full.countries));
    expect(stripped.country_calling_codes).toEqual(full.country_calling_codes);
    expect(JSON.stringify(stripped).length).toBeLessThan(JSON.stringify(full).length / 2);
  });

  it('parses international numbers as the full metadata does', () => {
    const digits = digitsFrom(20261124);
    let valid = 0;
    let checked = 0;
    for (const callingCode of Object.keys(full.country_calling_codes)) {
      for (let length = 4; length <= 12; length++) {
        for (let sample = 0; sample < 6; sample++) {
          const text = `+${callingCode}${digits(length)}`;
          const expected = verdict(parseWithMin(text));
          expect(verdict(parseWithCore(text, STRIPPED)), text).toEqual(expected);
          checked++;
          if (typeof expected === 'object' && expected.valid) valid++;
        }
      }
    }
    // Made-up numbers are mostly invalid; enough must be valid for the comparison to mean something.
    expect(checked).toBeGreaterThan(10_000);
    expect(valid).toBeGreaterThan(500);
  });

  it('parses national numbers (with and without a national prefix) as the full metadata does', () => {
    const digits = digitsFrom(7);
    let valid = 0;
    for (const country of getCountries()) {
      for (let length = 5; length <= 11; length++) {
        for (const prefix of ['', '0', '1', '8']) {
          const text = `${prefix}${digits(length)}`;
          const expected = verdict(parseWithMin(text, country));
          expect(verdict(parseWithCore(text, { defaultCountry: country }, STRIPPED)), `${country} ${text}`).toEqual(
            expected,
          );
          if (typeof expected === 'object' && expected.valid) valid++;
        }
      }
    }
    expect(valid).toBeGreaterThan(500);
  });
});
