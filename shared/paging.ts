// Telnyx's paging: page[number] and page[size] in the query, a meta block in the answer.

import { badRequest } from './errors';

/** page[number] and page[size] (at most 250), with Telnyx's meta block. */
export function paginate<T>(items: readonly T[], query: URLSearchParams) {
  const read = (name: string, fallback: number, max: number) => {
    const raw = query.get(name);
    if (raw === null) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= 1 && value <= max))
      throw badRequest(`${name} must be a whole number from 1 to ${max}.`, { parameter: name });
    return value;
  };
  const size = read('page[size]', 20, 250);
  const number = read('page[number]', 1, Number.MAX_SAFE_INTEGER);
  return {
    data: items.slice((number - 1) * size, number * size),
    meta: {
      page_number: number,
      page_size: size,
      total_pages: Math.max(1, Math.ceil(items.length / size)),
      total_results: items.length,
    },
  };
}
