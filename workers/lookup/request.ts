// Reading what a lookup request asks for: the number (path or batch entry) and the types.

import { ApiError, TelnyxCode, type ErrorSource } from '../../shared/errors';
import { parsePhoneNumber, type PhoneNumber } from '../../shared/phone';
import type { NumberLookupType } from '../../shared/telnyx/types';
import type { LookupConfig } from './config';

export const LOOKUP_TYPES: readonly NumberLookupType[] = ['carrier', 'caller-name'];

/**
 * The `type` values, which may repeat (?type=carrier&type=caller-name) or come comma-separated;
 * deduplicated in the order given. None means a carrier lookup (carrier, portability, LRN).
 */
export function parseTypes(values: readonly unknown[], source: ErrorSource): NumberLookupType[] {
  const types: NumberLookupType[] = [];
  for (const value of values.flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))) {
    const type = LOOKUP_TYPES.find((t) => t === (typeof value === 'string' ? value.trim() : value));
    if (type === undefined) {
      throw new ApiError(400, {
        code: TelnyxCode.badRequest,
        title: 'Bad Request',
        detail: `${JSON.stringify(value)} is not a lookup type. Allowed: "carrier", "caller-name" (repeat type= for both).`,
        source,
      });
    }
    if (!types.includes(type)) types.push(type);
  }
  return types.length === 0 ? ['carrier'] : types;
}

/**
 * A number as given in a path segment or a batch: +E.164, URL-encoded or not, or national digits
 * of DEFAULT_COUNTRY. A "+" that a form encoder turned into a space is read as the "+" it was.
 */
export function parseLookupNumber(raw: string, config: LookupConfig, source: ErrorSource): PhoneNumber {
  let text = raw;
  try {
    text = decodeURIComponent(raw);
  } catch {
    // Not percent-encoded after all: parsePhoneNumber will say what is wrong with it.
  }
  if (/^ \d+$/.test(text)) text = `+${text.slice(1)}`;
  return parsePhoneNumber(text, { defaultCountry: config.defaultCountry, source });
}
