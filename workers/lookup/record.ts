// Telnyx's number lookup record, cut into the parts each lookup type pays for, and put back
// together. `carrier` brings the carrier and portability blocks (the LRN); `caller-name` brings the
// caller_name block (CNAM). The number's own fields (phone_number, national_format, country_code,
// fraud) come with either. Each part is cached on its own, so a lookup of both types can reuse
// one and ask Telnyx only for the other.

import type { NumberLookupRetrieveResponse, NumberLookupType } from '../../shared/telnyx/types';

export type LookupRecord = NonNullable<NumberLookupRetrieveResponse['data']>;

const BASE_FIELDS = ['record_type', 'phone_number', 'national_format', 'country_code', 'fraud'] as const;
const TYPE_FIELDS: Record<NumberLookupType, readonly (keyof LookupRecord)[]> = {
  carrier: ['carrier', 'portability'],
  'caller-name': ['caller_name'],
};

export type RecordPart = Partial<LookupRecord>;

/** The fields of `record` that the lookup of `type` provides. */
export function partOf(record: LookupRecord, type: NumberLookupType): RecordPart {
  const part: Record<string, unknown> = {};
  for (const field of [...BASE_FIELDS, ...TYPE_FIELDS[type]]) {
    if (field in record) part[field] = record[field as keyof LookupRecord];
  }
  return part as RecordPart;
}

/** One record from the parts of several lookup types of the same number. */
export function combine(parts: readonly RecordPart[]): LookupRecord {
  return Object.assign({ record_type: 'number_lookup' }, ...parts) as LookupRecord;
}
