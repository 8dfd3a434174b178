// The simulator's number lookup records (GET /v2/number_lookup/{phone_number}): pure functions that
// turn a phone number and the requested lookup types into the NumberLookupRecord Telnyx would send.
//
// There is no Telnyx account and no real carrier data offline, so the answer is made up, but never
// at random: it follows from the digits by the small tables below, which RANGES.md documents for
// users and which the unit tests check row by row. The same number always gets the same record, so
// a test can pick +13125558500 knowing it is a ported mobile number.
//
// Every carrier name carries "(sim)" and every SPID/OCN starts with "9", so simulated data cannot be
// mistaken for real LERG or NPAC data if it ever leaks into a log or a report.

import {
  parsePhoneNumberFromString,
  type CountryCode,
  type PhoneNumber,
  type PhoneNumberType,
} from 'libphonenumber-js/min';
import { ApiError, TelnyxCode } from '../../shared/errors';

export type LookupType = 'carrier' | 'caller-name';

/** carrier.type: the spec's enum (NumberLookupRecord > Carrier > type). */
export type CarrierType =
  | 'fixed line'
  | 'mobile'
  | 'voip'
  | 'fixed line or mobile'
  | 'toll free'
  | 'premium rate'
  | 'shared cost'
  | 'personal number'
  | 'pager'
  | 'uan'
  | 'voicemail'
  | 'unknown';

export interface CarrierBlock {
  name: string;
  type: CarrierType;
  mobile_country_code: string;
  mobile_network_code: string;
  normalized_carrier: string;
  error_code: string | null;
}

export interface PortabilityBlock {
  lrn: string;
  ocn: string;
  spid: string;
  spid_carrier_name: string;
  spid_carrier_type: string;
  altspid: string;
  altspid_carrier_name: string;
  altspid_carrier_type: string;
  line_type: string;
  ported_status: 'Y' | 'N' | '';
  ported_date: string;
  city: string;
  state: string;
}

export interface CallerNameBlock {
  caller_name: string;
  /** '' when a name is on record: the SDK types this field as a string, never null. */
  error_code: string;
}

export interface NumberLookupRecord {
  record_type: 'number_lookup';
  phone_number: string;
  national_format: string;
  country_code: string;
  fraud: null;
  carrier?: CarrierBlock;
  portability?: PortabilityBlock;
  caller_name?: CallerNameBlock;
}

const LOOKUP_TYPES: readonly LookupType[] = ['carrier', 'caller-name'];

/**
 * The `type` query parameter, which may repeat (?type=carrier&type=caller-name): deduplicated, in
 * the order given. Values are matched exactly (no case folding, no comma lists), as the spec's enum is.
 *
 * No `type` at all is read as a carrier lookup: the spec declares no default, and a bare lookup
 * that returns carrier and portability is the most useful answer for the clients of this sim.
 * (Telnyx's current guides describe a bare lookup as formatting plus, for NANP, portability only.)
 */
export function parseLookupTypes(values: readonly string[]): LookupType[] {
  if (values.length === 0) return ['carrier'];
  const types: LookupType[] = [];
  for (const value of values) {
    const type = LOOKUP_TYPES.find((t) => t === value);
    if (type === undefined) {
      throw new ApiError(400, {
        code: TelnyxCode.badRequest,
        title: 'Bad Request',
        detail: `${quote(value)} is not a lookup type. Allowed values: "carrier", "caller-name"; repeat the parameter to ask for both.`,
        source: { parameter: 'type' },
      });
    }
    if (!types.includes(type)) types.push(type);
  }
  return types;
}

// ---- Who runs the numbers ----------------------------------------------------------------------

/** A mobile or fixed network. mcc/mnc are simulated codes, given for mobile numbers only. */
interface Network {
  name: string;
  normalized: string;
  mcc: string;
  mnc: string;
}

/** A NANP service provider as NPAC and the LERG know it. */
interface NanpOperator extends Network {
  /** 4-character SPID, used as the OCN too. */
  id: string;
  /** NPAC service provider type: '0' wireline, '1' wireless, '3' interconnected VoIP. */
  spidType: '0' | '1' | '3';
  /** The exchange of the operator's switch: its LRN in an area code is NPA + this + "0000". */
  lrnNxx: string;
}

interface Family<T extends Network> {
  wireless: T;
  wireline: T;
}

function operator(
  name: string,
  normalized: string,
  id: string,
  spidType: NanpOperator['spidType'],
  mcc: string,
  mnc: string,
  lrnNxx: string,
): NanpOperator {
  return { name, normalized, id, spidType, mcc, mnc, lrnNxx };
}

// Geographic NANP numbers: an area code belongs to one family (AREAS below), whose wireless arm
// serves its mobile rows and whose wireline arm serves its fixed rows. Arguments: name,
// normalized_carrier, SPID/OCN, NPAC type, MCC, MNC, LRN exchange.
const US_FAMILIES: Family<NanpOperator>[] = [
  {
    wireless: operator('Northwind Wireless (sim)', 'Northwind', '9N0W', '1', '310', '990', '201'),
    wireline: operator('Northwind Telephone (sim)', 'Northwind', '9N0T', '0', '', '', '301'),
  },
  {
    wireless: operator('Bluepeak Mobile (sim)', 'Bluepeak', '9B1W', '1', '310', '991', '211'),
    wireline: operator('Bluepeak Communications (sim)', 'Bluepeak', '9B1T', '0', '', '', '311'),
  },
  {
    wireless: operator('Redrock Cellular (sim)', 'Redrock', '9R2W', '1', '310', '992', '221'),
    wireline: operator('Redrock Telecom (sim)', 'Redrock', '9R2T', '0', '', '', '321'),
  },
];
const CA_FAMILIES: Family<NanpOperator>[] = [
  {
    wireless: operator('Maple Wireless (sim)', 'Maple', '9M3W', '1', '302', '993', '231'),
    wireline: operator('Maple Telephone (sim)', 'Maple', '9M3T', '0', '', '', '331'),
  },
  {
    wireless: operator('Aurora Mobile (sim)', 'Aurora', '9A4W', '1', '302', '994', '241'),
    wireline: operator('Aurora Telecom (sim)', 'Aurora', '9A4T', '0', '', '', '341'),
  },
];
/** Every VoIP row, whatever the area code. */
const VOIP = operator('Cloudline Voice (sim)', 'Cloudline', '9C5V', '3', '', '', '451');
/** Toll-free, premium-rate and personal numbers: not in NPAC, so only the carrier block names it. */
const NON_GEOGRAPHIC: Network = { name: 'Tollway Networks (sim)', normalized: 'Tollway', mcc: '', mnc: '' };

/** Area codes with a known city (LERG-style upper case) and state, and the family that holds them. */
const AREAS: Record<string, { city: string; state: string; family: number }> = {
  '212': { city: 'NEW YORK', state: 'New York', family: 0 },
  '206': { city: 'SEATTLE', state: 'Washington', family: 1 },
  '303': { city: 'DENVER', state: 'Colorado', family: 2 },
  '305': { city: 'MIAMI', state: 'Florida', family: 0 },
  '312': { city: 'CHICAGO', state: 'Illinois', family: 0 },
  '415': { city: 'SAN FRANCISCO', state: 'California', family: 1 },
  '512': { city: 'AUSTIN', state: 'Texas', family: 2 },
  '617': { city: 'BOSTON', state: 'Massachusetts', family: 1 },
  '416': { city: 'TORONTO', state: 'Ontario', family: 0 },
  '514': { city: 'MONTREAL', state: 'Quebec', family: 1 },
  '604': { city: 'VANCOUVER', state: 'British Columbia', family: 0 },
};

const NANP_TOLL_FREE = new Set(['800', '833', '844', '855', '866', '877', '888']);

/** Outside NANP: one mobile and one fixed network per supported country. */
const COUNTRIES: Partial<Record<CountryCode, Family<Network>>> = {
  GB: {
    wireless: { name: 'Albion Mobile (sim)', normalized: 'Albion', mcc: '234', mnc: '99' },
    wireline: { name: 'Albion Telecom (sim)', normalized: 'Albion', mcc: '', mnc: '' },
  },
  DE: {
    wireless: { name: 'Rhein Mobilfunk (sim)', normalized: 'Rhein', mcc: '262', mnc: '99' },
    wireline: { name: 'Rhein Telekom (sim)', normalized: 'Rhein', mcc: '', mnc: '' },
  },
  FR: {
    wireless: { name: 'Lutece Mobile (sim)', normalized: 'Lutece', mcc: '208', mnc: '99' },
    wireline: { name: 'Lutece Telecom (sim)', normalized: 'Lutece', mcc: '', mnc: '' },
  },
  AU: {
    wireless: { name: 'Southern Cross Mobile (sim)', normalized: 'Southern Cross', mcc: '505', mnc: '99' },
    wireline: { name: 'Southern Cross Telecom (sim)', normalized: 'Southern Cross', mcc: '', mnc: '' },
  },
};

/**
 * Where libphonenumber's "min" metadata has no type for a number (it has none for DE and FR), the
 * first rule whose pattern matches the national number decides.
 */
const LEADING_DIGITS: Partial<Record<CountryCode, [CarrierType, RegExp][]>> = {
  GB: [
    ['mobile', /^7[1-57-9]/],
    ['fixed line', /^[12]/],
  ],
  DE: [
    ['mobile', /^1[5-7]/],
    ['fixed line', /^[2-9]/],
  ],
  FR: [
    ['mobile', /^[67]/],
    ['fixed line', /^[1-5]/],
    ['voip', /^9/],
  ],
  AU: [
    ['mobile', /^4/],
    ['fixed line', /^[2378]/],
  ],
};

const TYPE_NAMES: Record<PhoneNumberType, CarrierType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed line',
  FIXED_LINE_OR_MOBILE: 'fixed line or mobile',
  TOLL_FREE: 'toll free',
  PREMIUM_RATE: 'premium rate',
  SHARED_COST: 'shared cost',
  VOIP: 'voip',
  PERSONAL_NUMBER: 'personal number',
  PAGER: 'pager',
  UAN: 'uan',
  VOICEMAIL: 'voicemail',
};

/** CNAM-style names (upper case, at most 15 characters), picked by the digit sum of the number. */
const CALLER_NAMES = [
  'ACME WIDGETS',
  'DOE JANE',
  'SMITH JOHN',
  'NORTHWIND CAFE',
  'GARCIA MARIA',
  'BLUE RIVER LLC',
  'NGUYEN AN',
  'OAK DENTAL',
  'PATEL RAJ',
  'SUNRISE MOTORS',
];

/** The sim's one error code for "nothing on record" (Telnyx's 10001 is "Inactive phone number"). */
const NOT_ON_RECORD = '10001';

// ---- The record --------------------------------------------------------------------------------

/** What the tables say about a number, before it is cut into the blocks that were asked for. */
interface Facts {
  type: CarrierType;
  network: Network | undefined;
  carrierError: string | null;
  callerName: string | undefined;
  portability: PortabilityBlock;
}

/**
 * The record for `rawPhoneNumber` (the decoded path parameter), with the carrier and portability
 * blocks when `types` has 'carrier' and the caller_name block when it has 'caller-name'.
 * Throws a 422 ApiError (10002) when the number is not "+" and the digits of a valid number.
 */
export function lookupRecord(rawPhoneNumber: string, types: readonly LookupType[]): NumberLookupRecord {
  const number = parseNumber(rawPhoneNumber);
  const facts = number.countryCallingCode === '1' ? nanpFacts(number) : internationalFacts(number);
  const record: NumberLookupRecord = {
    record_type: 'number_lookup',
    phone_number: number.number,
    national_format: number.formatNational(),
    country_code: number.country ?? '',
    fraud: null,
  };
  if (types.includes('carrier')) {
    const mobile = facts.type === 'mobile';
    record.carrier = {
      name: facts.network?.name ?? '',
      type: facts.type,
      mobile_country_code: mobile ? (facts.network?.mcc ?? '') : '',
      mobile_network_code: mobile ? (facts.network?.mnc ?? '') : '',
      normalized_carrier: facts.network?.normalized ?? '',
      error_code: facts.carrierError,
    };
    record.portability = facts.portability;
  }
  if (types.includes('caller-name')) {
    record.caller_name =
      facts.callerName === undefined
        ? { caller_name: '', error_code: NOT_ON_RECORD }
        : { caller_name: facts.callerName, error_code: '' };
  }
  return record;
}

/**
 * "+" and digits of a number libphonenumber calls valid, written exactly as E.164 (so "+44020…",
 * with the national prefix, is refused rather than repaired). Decoding the path is the caller's
 * job ("%2B" is a "+"), but a leading space is read as "+" too: Telnyx's own examples send the "+"
 * unencoded, and a client or proxy that form-decodes the URL turns it into a space.
 */
function parseNumber(raw: string): PhoneNumber {
  const candidate = raw.startsWith(' ') ? `+${raw.slice(1)}` : raw;
  const parsed = /^\+[1-9][0-9]{1,14}$/.test(candidate) ? parsePhoneNumberFromString(candidate) : undefined;
  if (parsed === undefined || !parsed.isValid() || parsed.number !== candidate) {
    throw new ApiError(422, {
      code: TelnyxCode.invalidPhoneNumber,
      title: 'Invalid phone number',
      detail: `The phone number ${quote(raw)} is not a valid phone number. Use "+", the country code and the number, digits only, e.g. +13125550100.`,
      source: { parameter: 'phone_number' },
    });
  }
  return parsed;
}

function blankPortability(lineType = '', city = '', state = ''): PortabilityBlock {
  return {
    lrn: '',
    ocn: '',
    spid: '',
    spid_carrier_name: '',
    spid_carrier_type: '',
    altspid: '',
    altspid_carrier_name: '',
    altspid_carrier_type: '',
    line_type: lineType,
    ported_status: '',
    ported_date: '',
    city,
    state,
  };
}

/** NANP: the area code picks the place and the carrier family; the line number picks the row. */
function nanpFacts(number: PhoneNumber): Facts {
  const national = String(number.nationalNumber);
  const npa = national.slice(0, 3);
  const line = Number(national.slice(6));
  const callerName = CALLER_NAMES[digitSum(national) % CALLER_NAMES.length];

  // Non-geographic area codes answer the same whatever the line number.
  const libType = number.getType();
  const special = NANP_TOLL_FREE.has(npa)
    ? 'toll free'
    : libType === 'PREMIUM_RATE' || libType === 'PERSONAL_NUMBER'
      ? TYPE_NAMES[libType]
      : undefined;
  if (special !== undefined) {
    return {
      type: special,
      network: NON_GEOGRAPHIC,
      carrierError: null,
      callerName,
      portability: blankPortability(special),
    };
  }

  const area = AREAS[npa];
  const families = number.country === 'CA' ? CA_FAMILIES : US_FAMILIES;
  const index = (area?.family ?? Number(npa)) % families.length;
  const family = families[index]!;
  const city = area?.city ?? '';
  const state = area?.state ?? '';

  /** Served by `provider`; `owner` holds the block (differs when ported). */
  const served = (type: CarrierType, provider: NanpOperator, owner = provider, portedDate = ''): Facts => ({
    type,
    network: provider,
    carrierError: null,
    callerName,
    portability: {
      ...blankPortability(type, city, state),
      lrn: `${npa}${provider.lrnNxx}0000`,
      ocn: owner.id,
      spid: provider.id,
      spid_carrier_name: provider.name,
      spid_carrier_type: provider.spidType,
      ported_status: portedDate === '' ? 'N' : 'Y',
      ported_date: portedDate,
    },
  });

  if (line < 3000) return served('mobile', family.wireless);
  if (line < 6000) return served('fixed line', family.wireline);
  if (line < 8000) return served('voip', VOIP);
  if (line < 8500) return served('fixed line or mobile', family.wireline);
  if (line < 9000) {
    // Ported from this area's mobile carrier to the next family's.
    const to = families[(index + 1) % families.length]!.wireless;
    const date = `${2010 + (line % 10)}-${pad(1 + (line % 12))}-${pad(1 + (line % 28))}`;
    return served('mobile', to, family.wireless, date);
  }
  if (line < 9500) return { ...served('fixed line', family.wireline), callerName: undefined };
  // An inactive line: nobody serves it, so only the place is known.
  return {
    type: 'unknown',
    network: undefined,
    carrierError: NOT_ON_RECORD,
    callerName: undefined,
    portability: blankPortability('unknown', city, state),
  };
}

/** Outside NANP there is no NPAC and no CNAM: portability is blank and no caller name is on record. */
function internationalFacts(number: PhoneNumber): Facts {
  const country = number.country;
  const libType = number.getType();
  const national = String(number.nationalNumber);
  const rules = (country && LEADING_DIGITS[country]) ?? [];
  const type: CarrierType =
    (libType && TYPE_NAMES[libType]) ?? rules.find(([, pattern]) => pattern.test(national))?.[0] ?? 'unknown';
  const family = country && COUNTRIES[country];
  const network = family && type !== 'unknown' ? (type === 'mobile' ? family.wireless : family.wireline) : undefined;
  return { type, network, carrierError: null, callerName: undefined, portability: blankPortability() };
}

/** A client's value for an error detail, in quotes and cut short so a huge input stays out of the body. */
function quote(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function digitSum(digits: string): number {
  let sum = 0;
  for (const d of digits) sum += Number(d);
  return sum;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
