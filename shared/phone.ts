// Phone numbers: strict E.164 parsing and validation, the number's country, and for NANP
// numbers their area code (the key for geomatch and recipients' local time).
//
// libphonenumber-js does the validation with its "min" metadata, less the formatting rules the
// edge never uses (shared/phone-metadata.json, made by scripts/phone-metadata.mjs: 10 KiB
// gzipped instead of 19). It checks each country's lengths and leading digits; for NANP that already refuses unassigned
// area codes such as 555 and N11 codes. It is also forgiving in ways an API must not be: it
// reads "+1 (312) 555-0123", converts Arabic-Indic digits and spells out vanity letters
// ("+1800FLOWERS"). So the text is checked character by character first, and only a plain
// "+digits" string (or plain national digits, when the caller has a default country) reaches it.

import {
  getCountryCallingCode as countryCallingCodeIn,
  isSupportedCountry as isSupportedCountryIn,
  parsePhoneNumberFromString as parseWith,
  type CountryCode,
  type MetadataJson,
} from 'libphonenumber-js/core';
import phoneMetadata from './phone-metadata.json';
import { ApiError, TelnyxCode, type ErrorSource } from './errors';

export type { CountryCode };

const METADATA = phoneMetadata as unknown as MetadataJson;
const parsePhoneNumberFromString = (text: string, country?: CountryCode) =>
  parseWith(text, country === undefined ? {} : { defaultCountry: country }, METADATA);
const getCountryCallingCode = (country: CountryCode) => countryCallingCodeIn(country, METADATA);
const isSupportedCountry = (country: string): country is CountryCode =>
  isSupportedCountryIn(country as CountryCode, METADATA);

export interface PhoneNumber {
  /** "+13125550123" */
  e164: string;
  /** "1" */
  countryCallingCode: string;
  /** ISO 3166 region, e.g. "US"; undefined for non-geographic numbers such as +882/+883. */
  country: CountryCode | undefined;
  /** "3125550123" */
  nationalNumber: string;
  /** NANP (+1) numbers only: the three-digit area code (NPA), e.g. "312". */
  areaCode: string | undefined;
}

export interface ParsePhoneOptions {
  /** Where the value came from, for the error's `source` (e.g. { pointer: "/to" }). */
  source?: ErrorSource;
  /** When set, digits without a leading "+" are read as a national number of this country. */
  defaultCountry?: CountryCode;
}

/** E.164 allows at most 15 digits after the "+". */
const E164_MAX_DIGITS = 15;

function notE164(detail: string, source?: ErrorSource): ApiError {
  return new ApiError(422, {
    code: TelnyxCode.notE164,
    title: 'Phone number must be in +E.164 format',
    detail,
    ...(source && { source }),
  });
}

function invalidNumber(detail: string, source?: ErrorSource): ApiError {
  return new ApiError(422, {
    code: TelnyxCode.invalidPhoneNumber,
    title: 'Invalid phone number',
    detail,
    ...(source && { source }),
  });
}

/**
 * Parses a phone number or throws a 422 in Telnyx's shape that says what is wrong with it.
 * Accepts "+" followed by ASCII digits only; no spaces, punctuation, letters or other scripts'
 * digits. With `defaultCountry`, also a plain string of national digits ("3125550123").
 */
export function parsePhoneNumber(input: unknown, options: ParsePhoneOptions = {}): PhoneNumber {
  const { source, defaultCountry } = options;
  const example = 'Use a "+", the country code and the number, digits only, e.g. +13125550123.';
  if (typeof input !== 'string') throw notE164(`The phone number must be a string. ${example}`, source);
  if (input.length === 0) throw notE164(`The phone number is empty. ${example}`, source);
  if (input.length > 32) throw notE164(`The phone number is too long. ${example}`, source);

  const hasPlus = input.startsWith('+');
  const digits = hasPlus ? input.slice(1) : input;
  if (digits === '') throw notE164(`"${input}" has no digits. ${example}`, source);
  if (!/^[0-9]+$/.test(digits)) {
    const what = /\s/.test(input) ? 'spaces' : 'characters other than the digits 0-9';
    throw notE164(`"${input}" contains ${what}. ${example}`, source);
  }
  if (!hasPlus && defaultCountry === undefined) {
    throw notE164(`"${input}" has no "+" and country code. ${example}`, source);
  }
  if (hasPlus && digits.startsWith('0')) {
    throw notE164(`"${input}" starts with 0, but no country code does. ${example}`, source);
  }
  if (digits.length > E164_MAX_DIGITS) {
    throw notE164(
      `"${input}" has ${digits.length} digits; E.164 allows at most ${E164_MAX_DIGITS}. ${example}`,
      source,
    );
  }

  const parsed = hasPlus ? parsePhoneNumberFromString(input) : parsePhoneNumberFromString(input, defaultCountry);
  if (parsed === undefined || !parsed.isValid()) {
    const where = parsed?.country ?? (hasPlus ? undefined : defaultCountry);
    throw invalidNumber(`"${input}" is not a valid phone number${where ? ` in ${where}` : ''}.`, source);
  }
  // libphonenumber-js repairs some input instead of refusing it; strict means the number that
  // comes back is the number that was sent.
  if (hasPlus && parsed.number !== input) {
    throw invalidNumber(
      `"${input}" is not a valid number as written: it carries a national prefix after the country code. ` +
        `In E.164 it is ${parsed.number}.`,
      source,
    );
  }
  if (!hasPlus && defaultCountry !== undefined && parsed.countryCallingCode !== getCountryCallingCode(defaultCountry)) {
    throw notE164(
      `"${input}" reads as an international dialling string, not a national number of ${defaultCountry}. ` +
        `Write it as ${parsed.number}.`,
      source,
    );
  }
  const countryCallingCode = String(parsed.countryCallingCode);
  const nationalNumber = String(parsed.nationalNumber);
  return {
    e164: String(parsed.number),
    countryCallingCode,
    country: parsed.country,
    nationalNumber,
    areaCode: countryCallingCode === '1' ? nationalNumber.slice(0, 3) : undefined,
  };
}

/** True when `input` would be accepted by parsePhoneNumber with the same options. */
export function isValidPhoneNumber(input: unknown, options: ParsePhoneOptions = {}): boolean {
  try {
    parsePhoneNumber(input, options);
    return true;
  } catch (error) {
    if (error instanceof ApiError) return false;
    throw error;
  }
}

/** NANP toll-free area codes (8XX with repeated digits), which are never geographic. */
const NANP_TOLL_FREE = new Set(['800', '833', '844', '855', '866', '877', '888']);

export function isNanpTollFree(number: PhoneNumber): boolean {
  return number.areaCode !== undefined && NANP_TOLL_FREE.has(number.areaCode);
}

/** A country given by configuration (e.g. a default country for national input), or undefined. */
export function parseCountryCode(value: string): CountryCode | undefined {
  const upper = value.trim().toUpperCase();
  return /^[A-Z]{2}$/.test(upper) && isSupportedCountry(upper) ? upper : undefined;
}
