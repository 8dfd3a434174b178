// The simulator's number lookup records (sim/lookup/records.ts): every table of sim/lookup/RANGES.md
// asserted value by value (line-number rows and their boundaries, area codes, carriers, ported
// numbers, non-geographic area codes, caller names, countries outside NANP); the doc's Examples
// table and worked examples read from RANGES.md itself and compared with the code, so the two
// cannot drift; type selection; determinism; the spec's fields and enums on every record; 422 for
// bad numbers and 400 for bad types in Telnyx's error shape; assignability to the SDK's record type.
/// <reference types="vite/client" />
import fc from 'fast-check';
import type { NumberLookupRetrieveResponse } from 'telnyx/resources';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../shared/errors';
import {
  lookupRecord,
  parseLookupTypes,
  type CarrierBlock,
  type LookupType,
  type NumberLookupRecord,
  type PortabilityBlock,
} from '../../sim/lookup/records';
import ranges from '../../sim/lookup/RANGES.md?raw';

const BOTH: LookupType[] = ['carrier', 'caller-name'];

// The spec's enums and field lists (openapi.json: NumberLookupRecord, Carrier, Portability,
// CallerName), copied here so that the code cannot change them unnoticed.
const CARRIER_TYPES = [
  'fixed line',
  'mobile',
  'voip',
  'fixed line or mobile',
  'toll free',
  'premium rate',
  'shared cost',
  'personal number',
  'pager',
  'uan',
  'voicemail',
  'unknown',
];
const PORTED_STATUSES = ['Y', 'N', ''];
const RECORD_FIELDS = ['country_code', 'fraud', 'national_format', 'phone_number', 'record_type'];
const CARRIER_FIELDS = [
  'error_code',
  'mobile_country_code',
  'mobile_network_code',
  'name',
  'normalized_carrier',
  'type',
];
const PORTABILITY_FIELDS = [
  'altspid',
  'altspid_carrier_name',
  'altspid_carrier_type',
  'city',
  'line_type',
  'lrn',
  'ocn',
  'ported_date',
  'ported_status',
  'spid',
  'spid_carrier_name',
  'spid_carrier_type',
  'state',
];
const CALLER_NAME_FIELDS = ['caller_name', 'error_code'];

const BLANK_PORTABILITY: PortabilityBlock = {
  lrn: '',
  ocn: '',
  spid: '',
  spid_carrier_name: '',
  spid_carrier_type: '',
  altspid: '',
  altspid_carrier_name: '',
  altspid_carrier_type: '',
  line_type: '',
  ported_status: '',
  ported_date: '',
  city: '',
  state: '',
};

/** Both blocks of a record; fails the test when either is missing. */
function blocks(number: string): { carrier: CarrierBlock; portability: PortabilityBlock; callerName: string } {
  const { carrier, portability, caller_name } = lookupRecord(number, BOTH);
  if (!carrier || !portability || !caller_name) throw new Error(`${number}: a block is missing`);
  return { carrier, portability, callerName: caller_name.caller_name };
}

/** The ApiError that `fn` throws; fails the test if it returns. */
function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected an ApiError, got a result');
}

describe('NANP rows by line number (RANGES.md "By line number")', () => {
  it('0000-2999: mobile, served by the family wireless arm, not ported, with a caller name', () => {
    expect(lookupRecord('+13125550100', BOTH)).toEqual({
      record_type: 'number_lookup',
      phone_number: '+13125550100',
      national_format: '(312) 555-0100',
      country_code: 'US',
      fraud: null,
      carrier: {
        name: 'Northwind Wireless (sim)',
        type: 'mobile',
        mobile_country_code: '310',
        mobile_network_code: '990',
        normalized_carrier: 'Northwind',
        error_code: null,
      },
      portability: {
        ...BLANK_PORTABILITY,
        lrn: '3122010000',
        ocn: '9N0W',
        spid: '9N0W',
        spid_carrier_name: 'Northwind Wireless (sim)',
        spid_carrier_type: '1',
        line_type: 'mobile',
        ported_status: 'N',
        city: 'CHICAGO',
        state: 'Illinois',
      },
      caller_name: { caller_name: 'SMITH JOHN', error_code: '' },
    });
  });

  it('3000-5999: fixed line, served by the family wireline arm, no MCC/MNC', () => {
    const { carrier, portability } = blocks('+12125553000');
    expect(carrier).toEqual({
      name: 'Northwind Telephone (sim)',
      type: 'fixed line',
      mobile_country_code: '',
      mobile_network_code: '',
      normalized_carrier: 'Northwind',
      error_code: null,
    });
    expect(portability).toEqual({
      ...BLANK_PORTABILITY,
      lrn: '2123010000',
      ocn: '9N0T',
      spid: '9N0T',
      spid_carrier_name: 'Northwind Telephone (sim)',
      spid_carrier_type: '0',
      line_type: 'fixed line',
      ported_status: 'N',
      city: 'NEW YORK',
      state: 'New York',
    });
  });

  it('6000-7999: voip, served by Cloudline Voice whatever the area code', () => {
    const { carrier, portability } = blocks('+14155556000');
    expect(carrier).toEqual({
      name: 'Cloudline Voice (sim)',
      type: 'voip',
      mobile_country_code: '',
      mobile_network_code: '',
      normalized_carrier: 'Cloudline',
      error_code: null,
    });
    expect(portability).toEqual({
      ...BLANK_PORTABILITY,
      lrn: '4154510000',
      ocn: '9C5V',
      spid: '9C5V',
      spid_carrier_name: 'Cloudline Voice (sim)',
      spid_carrier_type: '3',
      line_type: 'voip',
      ported_status: 'N',
      city: 'SAN FRANCISCO',
      state: 'California',
    });
    expect(blocks('+12125557999').carrier.name).toBe('Cloudline Voice (sim)');
    expect(blocks('+14165556000').carrier.name).toBe('Cloudline Voice (sim)');
  });

  it('8000-8499: fixed line or mobile, served by the family wireline arm', () => {
    const { carrier, portability } = blocks('+15125558000');
    expect(carrier).toEqual({
      name: 'Redrock Telecom (sim)',
      type: 'fixed line or mobile',
      mobile_country_code: '',
      mobile_network_code: '',
      normalized_carrier: 'Redrock',
      error_code: null,
    });
    expect(portability).toMatchObject({
      lrn: '5123210000',
      ocn: '9R2T',
      spid: '9R2T',
      spid_carrier_type: '0',
      line_type: 'fixed line or mobile',
      ported_status: 'N',
    });
  });

  it('8500-8999: mobile ported to the next family, with a new LRN and SPID and a ported date', () => {
    const { carrier, portability } = blocks('+12065558500');
    expect(carrier).toEqual({
      name: 'Redrock Cellular (sim)',
      type: 'mobile',
      mobile_country_code: '310',
      mobile_network_code: '992',
      normalized_carrier: 'Redrock',
      error_code: null,
    });
    expect(portability).toEqual({
      ...BLANK_PORTABILITY,
      lrn: '2062210000',
      ocn: '9B1W', // the block still belongs to Bluepeak, the 206 family
      spid: '9R2W',
      spid_carrier_name: 'Redrock Cellular (sim)',
      spid_carrier_type: '1',
      line_type: 'mobile',
      ported_status: 'Y',
      ported_date: '2010-05-17',
      city: 'SEATTLE',
      state: 'Washington',
    });
    // The same line unported would route to the original carrier's switch.
    expect(blocks('+12065550100').portability).toMatchObject({ lrn: '2062110000', spid: '9B1W', ocn: '9B1W' });
  });

  it('8500-8999: the last family wraps to the first, in the US and in Canada', () => {
    expect(blocks('+15125558500').portability).toMatchObject({ ocn: '9R2W', spid: '9N0W', lrn: '5122010000' });
    expect(blocks('+15145558500').portability).toMatchObject({ ocn: '9A4W', spid: '9M3W', lrn: '5142310000' });
    expect(blocks('+16045558500').carrier).toMatchObject({ name: 'Aurora Mobile (sim)', mobile_country_code: '302' });
  });

  it('ported_date is (2010 + line % 10)-(1 + line % 12)-(1 + line % 28)', () => {
    expect(blocks('+13125558500').portability.ported_date).toBe('2010-05-17');
    expect(blocks('+13125558999').portability.ported_date).toBe('2019-12-12');
    expect(blocks('+13125558513').portability.ported_date).toBe('2013-06-02');
  });

  it('9000-9499: fixed line without a caller name on record', () => {
    const record = lookupRecord('+13055559000', BOTH);
    expect(record.carrier).toMatchObject({ name: 'Northwind Telephone (sim)', type: 'fixed line', error_code: null });
    expect(record.portability).toMatchObject({ ported_status: 'N', city: 'MIAMI', state: 'Florida' });
    expect(record.caller_name).toEqual({ caller_name: '', error_code: '10001' });
  });

  it('9500-9999: inactive, unknown carrier with error 10001, blank portability but the place', () => {
    expect(lookupRecord('+16175559500', BOTH)).toEqual({
      record_type: 'number_lookup',
      phone_number: '+16175559500',
      national_format: '(617) 555-9500',
      country_code: 'US',
      fraud: null,
      carrier: {
        name: '',
        type: 'unknown',
        mobile_country_code: '',
        mobile_network_code: '',
        normalized_carrier: '',
        error_code: '10001',
      },
      portability: { ...BLANK_PORTABILITY, line_type: 'unknown', city: 'BOSTON', state: 'Massachusetts' },
      caller_name: { caller_name: '', error_code: '10001' },
    });
  });

  // [line number, carrier.type, ported_status, caller_name.error_code]: both ends of every row.
  it.each([
    ['0000', 'mobile', 'N', ''],
    ['2999', 'mobile', 'N', ''],
    ['3000', 'fixed line', 'N', ''],
    ['5999', 'fixed line', 'N', ''],
    ['6000', 'voip', 'N', ''],
    ['7999', 'voip', 'N', ''],
    ['8000', 'fixed line or mobile', 'N', ''],
    ['8499', 'fixed line or mobile', 'N', ''],
    ['8500', 'mobile', 'Y', ''],
    ['8999', 'mobile', 'Y', ''],
    ['9000', 'fixed line', 'N', '10001'],
    ['9499', 'fixed line', 'N', '10001'],
    ['9500', 'unknown', '', '10001'],
    ['9999', 'unknown', '', '10001'],
  ])('line %s is %s, ported_status "%s", caller name error "%s"', (line, type, ported, callerError) => {
    const record = lookupRecord(`+1312555${line}`, BOTH);
    expect(record.carrier?.type).toBe(type);
    expect(record.portability?.ported_status).toBe(ported);
    expect(record.portability?.line_type).toBe(type);
    expect(record.caller_name?.error_code).toBe(callerError);
    expect(record.carrier?.error_code).toBe(type === 'unknown' ? '10001' : null);
  });
});

describe('NANP area codes and carriers (RANGES.md "Area codes", "Carriers")', () => {
  // [area code, city, state, the wireless arm that serves line 0100]
  it.each([
    ['212', 'NEW YORK', 'New York', 'Northwind Wireless (sim)'],
    ['206', 'SEATTLE', 'Washington', 'Bluepeak Mobile (sim)'],
    ['303', 'DENVER', 'Colorado', 'Redrock Cellular (sim)'],
    ['305', 'MIAMI', 'Florida', 'Northwind Wireless (sim)'],
    ['312', 'CHICAGO', 'Illinois', 'Northwind Wireless (sim)'],
    ['415', 'SAN FRANCISCO', 'California', 'Bluepeak Mobile (sim)'],
    ['512', 'AUSTIN', 'Texas', 'Redrock Cellular (sim)'],
    ['617', 'BOSTON', 'Massachusetts', 'Bluepeak Mobile (sim)'],
    ['416', 'TORONTO', 'Ontario', 'Maple Wireless (sim)'],
    ['514', 'MONTREAL', 'Quebec', 'Aurora Mobile (sim)'],
    ['604', 'VANCOUVER', 'British Columbia', 'Maple Wireless (sim)'],
    // Any other area code: no place; family = area code % 3 (US) or % 2 (CA).
    ['720', '', '', 'Northwind Wireless (sim)'],
    ['469', '', '', 'Bluepeak Mobile (sim)'],
    ['905', '', '', 'Aurora Mobile (sim)'],
  ])('%s: %s, %s, %s', (npa, city, state, wireless) => {
    const { carrier, portability } = blocks(`+1${npa}5550100`);
    expect(carrier.name).toBe(wireless);
    expect([portability.city, portability.state]).toEqual([city, state]);
  });

  // [number whose line picks the arm, name, normalized_carrier, SPID/OCN, NPAC type, MCC, MNC, LRN]
  it.each([
    ['+13125550100', 'Northwind Wireless (sim)', 'Northwind', '9N0W', '1', '310', '990', '3122010000'],
    ['+13125553000', 'Northwind Telephone (sim)', 'Northwind', '9N0T', '0', '', '', '3123010000'],
    ['+14155550100', 'Bluepeak Mobile (sim)', 'Bluepeak', '9B1W', '1', '310', '991', '4152110000'],
    ['+14155553000', 'Bluepeak Communications (sim)', 'Bluepeak', '9B1T', '0', '', '', '4153110000'],
    ['+15125550100', 'Redrock Cellular (sim)', 'Redrock', '9R2W', '1', '310', '992', '5122210000'],
    ['+15125553000', 'Redrock Telecom (sim)', 'Redrock', '9R2T', '0', '', '', '5123210000'],
    ['+14165550100', 'Maple Wireless (sim)', 'Maple', '9M3W', '1', '302', '993', '4162310000'],
    ['+14165553000', 'Maple Telephone (sim)', 'Maple', '9M3T', '0', '', '', '4163310000'],
    ['+15145550100', 'Aurora Mobile (sim)', 'Aurora', '9A4W', '1', '302', '994', '5142410000'],
    ['+15145553000', 'Aurora Telecom (sim)', 'Aurora', '9A4T', '0', '', '', '5143410000'],
    ['+13125556000', 'Cloudline Voice (sim)', 'Cloudline', '9C5V', '3', '', '', '3124510000'],
  ])('%s is served by %s', (number, name, normalized, id, spidType, mcc, mnc, lrn) => {
    const { carrier, portability } = blocks(number);
    expect(carrier).toMatchObject({
      name,
      normalized_carrier: normalized,
      mobile_country_code: mcc,
      mobile_network_code: mnc,
    });
    expect(portability).toMatchObject({
      spid: id,
      ocn: id,
      spid_carrier_name: name,
      spid_carrier_type: spidType,
      lrn,
      altspid: '',
      altspid_carrier_name: '',
      altspid_carrier_type: '',
    });
  });

  it('marks every simulated carrier as such', () => {
    for (const number of ['+13125550100', '+14155553000', '+14165556000', '+18005550100', '+33612345678']) {
      expect(blocks(number).carrier.name).toMatch(/\(sim\)$/);
    }
  });
});

describe('NANP non-geographic area codes (RANGES.md "Non-geographic area codes")', () => {
  it.each(['800', '833', '844', '855', '866', '877', '888'])('%s is toll free whatever the line number', (npa) => {
    for (const line of ['0100', '3000', '6000', '8500', '9000', '9999']) {
      const { carrier, portability } = blocks(`+1${npa}555${line}`);
      expect(carrier).toEqual({
        name: 'Tollway Networks (sim)',
        type: 'toll free',
        mobile_country_code: '',
        mobile_network_code: '',
        normalized_carrier: 'Tollway',
        error_code: null,
      });
      expect(portability).toEqual({ ...BLANK_PORTABILITY, line_type: 'toll free' });
    }
  });

  it('900 is premium rate and 500 and 533 are personal numbers, with a caller name from the list', () => {
    expect(blocks('+19005550100')).toMatchObject({
      carrier: { type: 'premium rate', name: 'Tollway Networks (sim)' },
      portability: { ...BLANK_PORTABILITY, line_type: 'premium rate' },
      callerName: 'BLUE RIVER LLC',
    });
    expect(blocks('+15002345678').carrier.type).toBe('personal number');
    expect(blocks('+15332345678').carrier.type).toBe('personal number');
    expect(blocks('+18665552368').callerName).toBe('GARCIA MARIA');
  });
});

describe('caller names (RANGES.md "Caller names")', () => {
  const names = [
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

  it('picks the name by the digit sum of the national number, mod 10', () => {
    // 3125550100 sums to 22; the last digit adds 0-9, so +1312555010d has index (2 + d) % 10.
    for (let d = 0; d <= 9; d++) {
      expect(blocks(`+1312555010${d}`).callerName).toBe(names[(2 + d) % 10]);
    }
  });

  it('keeps every name CNAM-shaped: upper case, at most 15 characters', () => {
    for (const name of names) expect(name).toMatch(/^[A-Z ]{1,15}$/);
  });
});

describe('numbers outside NANP (RANGES.md "Outside NANP")', () => {
  // [number, country_code, carrier.type, carrier.name, normalized_carrier, MCC, MNC]
  it.each([
    ['+447400123456', 'GB', 'mobile', 'Albion Mobile (sim)', 'Albion', '234', '99'],
    ['+442079460000', 'GB', 'fixed line', 'Albion Telecom (sim)', 'Albion', '', ''],
    ['+441134960000', 'GB', 'fixed line', 'Albion Telecom (sim)', 'Albion', '', ''],
    ['+448001234567', 'GB', 'toll free', 'Albion Telecom (sim)', 'Albion', '', ''],
    ['+4917612345678', 'DE', 'mobile', 'Rhein Mobilfunk (sim)', 'Rhein', '262', '99'],
    ['+4915112345678', 'DE', 'mobile', 'Rhein Mobilfunk (sim)', 'Rhein', '262', '99'],
    ['+4916012345678', 'DE', 'mobile', 'Rhein Mobilfunk (sim)', 'Rhein', '262', '99'],
    ['+4930123456', 'DE', 'fixed line', 'Rhein Telekom (sim)', 'Rhein', '', ''],
    ['+33612345678', 'FR', 'mobile', 'Lutece Mobile (sim)', 'Lutece', '208', '99'],
    ['+33712345678', 'FR', 'mobile', 'Lutece Mobile (sim)', 'Lutece', '208', '99'],
    ['+33123456789', 'FR', 'fixed line', 'Lutece Telecom (sim)', 'Lutece', '', ''],
    ['+33912345678', 'FR', 'voip', 'Lutece Telecom (sim)', 'Lutece', '', ''],
    ['+61412345678', 'AU', 'mobile', 'Southern Cross Mobile (sim)', 'Southern Cross', '505', '99'],
    ['+61291234567', 'AU', 'fixed line', 'Southern Cross Telecom (sim)', 'Southern Cross', '', ''],
    ['+611800123456', 'AU', 'toll free', 'Southern Cross Telecom (sim)', 'Southern Cross', '', ''],
    ['+81312345678', 'JP', 'unknown', '', '', '', ''],
    ['+447911123456', 'GG', 'mobile', '', '', '', ''],
  ])('%s (%s) is %s: %s', (number, country, type, name, normalized, mcc, mnc) => {
    const record = lookupRecord(number, BOTH);
    expect(record.country_code).toBe(country);
    expect(record.carrier).toEqual({
      name,
      type,
      mobile_country_code: mcc,
      mobile_network_code: mnc,
      normalized_carrier: normalized,
      error_code: null,
    });
    expect(record.portability).toEqual(BLANK_PORTABILITY);
    expect(record.caller_name).toEqual({ caller_name: '', error_code: '10001' });
  });

  it('formats the national number as libphonenumber does', () => {
    expect(lookupRecord('+442079460000', []).national_format).toBe('020 7946 0000');
    expect(lookupRecord('+33612345678', []).national_format).toBe('06 12 34 56 78');
    expect(lookupRecord('+61291234567', []).national_format).toBe('(02) 9123 4567');
  });
});

describe('RANGES.md itself agrees with the code', () => {
  /** The rows of the markdown table that follows `heading`, as trimmed cells. */
  function tableAfter(heading: string): string[][] {
    const start = ranges.indexOf(`\n${heading}\n`);
    expect(start, `RANGES.md has no "${heading}"`).toBeGreaterThanOrEqual(0);
    const lines = ranges.slice(start).split('\n');
    const first = lines.findIndex((line) => line.startsWith('|'));
    const rows: string[][] = [];
    for (const line of lines.slice(first)) {
      if (!line.startsWith('|')) break;
      rows.push(
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim()),
      );
    }
    return rows.slice(2); // header and separator
  }

  const examples = tableAfter('## Examples');

  it('has a good number of examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(25);
  });

  it.each(examples)('Examples: %s', (number, country, type, name, mccMnc, ported, callerName) => {
    const record = lookupRecord(number!, BOTH);
    const carrier = record.carrier!;
    const mobileCodes = carrier.mobile_country_code
      ? `${carrier.mobile_country_code}/${carrier.mobile_network_code}`
      : '';
    expect([
      record.country_code,
      carrier.type,
      carrier.name,
      mobileCodes,
      record.portability!.ported_status,
      record.caller_name!.caller_name,
    ]).toEqual([country, type, name, mccMnc, ported, callerName]);
  });

  // "GET /v2/number_lookup/{number}[?query] → {status}" followed by a ```json block.
  const worked = [...ranges.matchAll(/^GET \/v2\/number_lookup\/(\S+?)(?:\?(\S+))? → (\d{3})\n+```json\n([^`]+)```/gm)];

  it('has worked examples of a 200, a 422 and a 400', () => {
    expect(worked.map((match) => match[3])).toEqual(expect.arrayContaining(['200', '422', '400']));
    expect(worked.length).toBeGreaterThanOrEqual(6);
  });

  it.each(worked.map((match) => [`${match[1]}?${match[2] ?? ''} → ${match[3]}`, match] as const))(
    'worked example %s',
    (_title, [, path, query, status, json]) => {
      const expected: unknown = JSON.parse(json!);
      const respond = () => {
        const types = parseLookupTypes(new URLSearchParams(query ?? '').getAll('type'));
        return { data: lookupRecord(decodeURIComponent(path!), types) };
      };
      if (status === '200') {
        expect(respond()).toEqual(expected);
      } else {
        const error = thrown(respond);
        expect(error.status).toBe(Number(status));
        expect({ errors: error.errors }).toEqual(expected);
      }
    },
  );
});

describe('type selection', () => {
  it('reads a lookup without type as a carrier lookup', () => {
    expect(parseLookupTypes([])).toEqual(['carrier']);
  });

  it('keeps the order given and drops repeats', () => {
    expect(parseLookupTypes(['carrier'])).toEqual(['carrier']);
    expect(parseLookupTypes(['caller-name'])).toEqual(['caller-name']);
    expect(parseLookupTypes(['carrier', 'caller-name'])).toEqual(['carrier', 'caller-name']);
    expect(parseLookupTypes(['caller-name', 'carrier'])).toEqual(['caller-name', 'carrier']);
    expect(parseLookupTypes(['carrier', 'carrier'])).toEqual(['carrier']);
    expect(parseLookupTypes(['caller-name', 'carrier', 'caller-name', 'carrier'])).toEqual(['caller-name', 'carrier']);
  });

  it('carrier gives carrier and portability, and no caller_name', () => {
    const record = lookupRecord('+13125550100', ['carrier']);
    expect(Object.keys(record).sort()).toEqual([...RECORD_FIELDS, 'carrier', 'portability'].sort());
  });

  it('caller-name gives caller_name only', () => {
    const record = lookupRecord('+13125550100', ['caller-name']);
    expect(Object.keys(record).sort()).toEqual([...RECORD_FIELDS, 'caller_name'].sort());
  });

  it('both give all three blocks, in any order and with repeats', () => {
    const both = lookupRecord('+13125550100', ['carrier', 'caller-name']);
    expect(Object.keys(both).sort()).toEqual([...RECORD_FIELDS, 'caller_name', 'carrier', 'portability'].sort());
    expect(lookupRecord('+13125550100', ['caller-name', 'carrier'])).toEqual(both);
    expect(lookupRecord('+13125550100', ['carrier', 'caller-name', 'carrier'])).toEqual(both);
    // The blocks do not depend on which others were asked for.
    expect(lookupRecord('+13125550100', ['carrier']).carrier).toEqual(both.carrier);
    expect(lookupRecord('+13125550100', ['caller-name']).caller_name).toEqual(both.caller_name);
  });

  it('an empty list (which parseLookupTypes never returns) gives the base record only', () => {
    expect(Object.keys(lookupRecord('+13125550100', [])).sort()).toEqual([...RECORD_FIELDS].sort());
  });
});

describe('determinism', () => {
  const numbers = ['+13125550100', '+12065558500', '+16175559500', '+18665552368', '+447400123456', '+81312345678'];

  it('answers the same number with a deep-equal record every time', () => {
    for (const number of numbers) expect(lookupRecord(number, BOTH)).toEqual(lookupRecord(number, BOTH));
  });

  it('returns fresh objects, so a caller that edits a record changes no later answer', () => {
    for (const number of numbers) {
      const first = lookupRecord(number, BOTH);
      const pristine = structuredClone(first);
      first.portability!.city = 'EDITED';
      first.carrier!.name = 'EDITED';
      first.caller_name!.caller_name = 'EDITED';
      expect(lookupRecord(number, BOTH)).toEqual(pristine);
    }
  });
});

describe('every record has the spec fields, with values in the spec enums', () => {
  function checkShape(record: NumberLookupRecord, types: LookupType[]): void {
    const expected = [...RECORD_FIELDS];
    if (types.includes('carrier')) expected.push('carrier', 'portability');
    if (types.includes('caller-name')) expected.push('caller_name');
    expect(Object.keys(record).sort()).toEqual(expected.sort());
    expect(record.record_type).toBe('number_lookup');
    expect(record.fraud).toBeNull();
    expect(record.phone_number).toMatch(/^\+[1-9][0-9]{1,14}$/);
    expect(record.country_code).toMatch(/^([A-Z]{2})?$/);
    if (record.carrier) {
      expect(Object.keys(record.carrier).sort()).toEqual(CARRIER_FIELDS);
      expect(CARRIER_TYPES).toContain(record.carrier.type);
      expect(record.carrier.error_code === null || /^[0-9]{5}$/.test(record.carrier.error_code)).toBe(true);
      for (const field of ['name', 'mobile_country_code', 'mobile_network_code', 'normalized_carrier'] as const) {
        expect(typeof record.carrier[field]).toBe('string');
      }
      if (record.carrier.type !== 'mobile') expect(record.carrier.mobile_country_code).toBe('');
    }
    if (record.portability) {
      expect(Object.keys(record.portability).sort()).toEqual(PORTABILITY_FIELDS);
      expect(PORTED_STATUSES).toContain(record.portability.ported_status);
      for (const value of Object.values(record.portability)) expect(typeof value).toBe('string');
      expect(record.portability.ported_date).toMatch(/^(\d{4}-\d{2}-\d{2})?$/);
      expect(record.portability.ported_date !== '').toBe(record.portability.ported_status === 'Y');
    }
    if (record.caller_name) {
      expect(Object.keys(record.caller_name).sort()).toEqual(CALLER_NAME_FIELDS);
      expect(record.caller_name.error_code).toMatch(/^([0-9]{5})?$/);
      expect(record.caller_name.caller_name === '').toBe(record.caller_name.error_code !== '');
    }
  }

  const typeChoices: LookupType[][] = [['carrier'], ['caller-name'], ['carrier', 'caller-name']];

  it('for the documented examples', () => {
    const numbers = ['+13125550100', '+18665552368', '+19005550100', '+447400123456', '+4930123456'];
    for (const number of [...numbers, '+33912345678', '+611800123456', '+81312345678', '+447911123456']) {
      for (const types of typeChoices) checkShape(lookupRecord(number, types), types);
    }
  });

  it('for any valid NANP number, and the row follows the line number', () => {
    const npas = ['212', '206', '303', '305', '312', '415', '512', '617', '416', '514', '604', '720', '469', '905'];
    fc.assert(
      fc.property(
        fc.constantFrom(...npas),
        fc.integer({ min: 200, max: 999 }),
        fc.integer({ min: 0, max: 9999 }),
        fc.constantFrom(...typeChoices),
        (npa, exchange, line, types) => {
          const number = `+1${npa}${exchange}${String(line).padStart(4, '0')}`;
          let record: NumberLookupRecord;
          try {
            record = lookupRecord(number, types);
          } catch (error) {
            // Some exchanges (N11, 555 outside 01XX in some areas, ...) are not valid numbers.
            expect(error).toBeInstanceOf(ApiError);
            return;
          }
          checkShape(record, types);
          expect(lookupRecord(number, types)).toEqual(record);
          if (record.carrier) {
            const expectedType =
              line < 3000
                ? 'mobile'
                : line < 6000
                  ? 'fixed line'
                  : line < 8000
                    ? 'voip'
                    : line < 8500
                      ? 'fixed line or mobile'
                      : line < 9000
                        ? 'mobile'
                        : line < 9500
                          ? 'fixed line'
                          : 'unknown';
            expect(record.carrier.type).toBe(expectedType);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('invalid numbers are a 422 in Telnyx shape', () => {
  it.each([
    ['an unassigned area code (555)', '+15551234567'],
    ['an N11 area code', '+12115550100'],
    ['no "+"', '13125550100'],
    ['spaces between groups', '+1 312 555 0100'],
    ['dashes', '+1-312-555-0100'],
    ['a trailing space', '+13125550100 '],
    ['two leading spaces', '  13125550100'],
    ['a space before the "+"', ' +13125550100'],
    ['an undecoded %2B', '%2B13125550100'],
    ['two "+"', '++13125550100'],
    ['a national prefix after the country code', '+4402079460000'],
    ['a leading 0 after the "+"', '+013125550100'],
    ['16 digits', '+1312555010000000'],
    ['too short', '+1312555010'],
    ['letters', '+1800FLOWERS'],
    ['fullwidth digits', '+１３１２５５５０１００'],
    ['only a "+"', '+'],
    ['an empty string', ''],
  ])('%s: %j', (_what, input) => {
    const error = thrown(() => lookupRecord(input, BOTH));
    expect(error.status).toBe(422);
    expect(error.errors).toEqual([
      {
        code: '10002',
        title: 'Invalid phone number',
        detail: `The phone number ${JSON.stringify(input)} is not a valid phone number. Use "+", the country code and the number, digits only, e.g. +13125550100.`,
        source: { parameter: 'phone_number' },
      },
    ]);
  });

  it('shortens a very long number or type in the detail', () => {
    const type = thrown(() => parseLookupTypes(['x'.repeat(5_000)]));
    expect(type.errors[0]!.detail).toContain(`"${'x'.repeat(40)}…" is not a lookup type`);
    const error = thrown(() => lookupRecord('+1' + '3'.repeat(5_000), BOTH));
    expect(error.errors[0]!.detail!.length).toBeLessThan(200);
    expect(error.errors[0]!.detail).toContain(`"+1${'3'.repeat(38)}…"`);
  });

  it('renders as a Telnyx v2 error response', async () => {
    const response = thrown(() => lookupRecord('+15551234567', BOTH)).toResponse();
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body: { errors: { code: string; source: unknown }[] } = await response.json();
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0]).toMatchObject({ code: '10002', source: { parameter: 'phone_number' } });
  });

  it('reads a leading space as the "+" that form decoding turned into it', () => {
    expect(lookupRecord(' 13125550100', BOTH)).toEqual(lookupRecord('+13125550100', BOTH));
    expect(lookupRecord(' 447400123456', ['carrier']).phone_number).toBe('+447400123456');
  });
});

describe('bad lookup types are a 400 in Telnyx shape', () => {
  it.each([
    ['portability', ['portability']],
    ['a capital letter', ['Carrier']],
    ['a comma list', ['carrier,caller-name']],
    ['an empty value', ['']],
    ['surrounding space', [' carrier']],
    ['an underscore', ['caller_name']],
    ['a bad value after a good one', ['carrier', 'cnam']],
  ])('%s', (_what, values) => {
    const error = thrown(() => parseLookupTypes(values));
    const bad = values.at(-1)!;
    expect(error.status).toBe(400);
    expect(error.errors).toEqual([
      {
        code: '10015',
        title: 'Bad Request',
        detail: `${JSON.stringify(bad)} is not a lookup type. Allowed values: "carrier", "caller-name"; repeat the parameter to ask for both.`,
        source: { parameter: 'type' },
      },
    ]);
  });
});

describe('the record fits the Telnyx SDK type', () => {
  it('is assignable to NumberLookupRetrieveResponse data (checked by tsc)', () => {
    const record: NonNullable<NumberLookupRetrieveResponse['data']> = lookupRecord('+13125558500', BOTH);
    const response: NumberLookupRetrieveResponse = { data: lookupRecord('+447400123456', ['carrier']) };
    const carrierType: NonNullable<NumberLookupRetrieveResponse.Data.Carrier['type']> | undefined =
      record.carrier?.type;
    expect(carrierType).toBe('mobile');
    expect(record.portability?.ported_status).toBe('Y');
    expect(response.data?.carrier?.name).toBe('Albion Mobile (sim)');
  });
});
