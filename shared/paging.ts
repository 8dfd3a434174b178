// Telnyx's paging: page[number] and page[size] in the query, a meta block in the answer.

import { badRequest } from './errors';

export const MAX_PAGE_SIZE = 250;

export interface Page {
  number: number;
  size: number;
}

/** A whole-number query parameter from 1 to `max`; a 400 naming the parameter otherwise. */
export function wholeNumber(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^\d{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max))
    throw badRequest(`${name} must be a whole number from 1 to ${max}.`, { parameter: name });
  return value;
}

/** The page a query asks for; 400 for a page[number] or page[size] that is not 1.. its limit. */
export function readPage(query: URLSearchParams, defaultSize = 20): Page {
  return {
    size: wholeNumber(query, 'page[size]', defaultSize, MAX_PAGE_SIZE),
    number: wholeNumber(query, 'page[number]', 1, Number.MAX_SAFE_INTEGER),
  };
}

/** Telnyx's meta block for a page of `total` results. */
export function pageMeta(page: Page, total: number) {
  return {
    page_number: page.number,
    page_size: page.size,
    total_pages: Math.max(1, Math.ceil(total / page.size)),
    total_results: total,
  };
}

/** One page of `items`, with Telnyx's meta block. */
export function paginate<T>(items: readonly T[], query: URLSearchParams, defaultSize = 20) {
  const page = readPage(query, defaultSize);
  return {
    data: items.slice((page.number - 1) * page.size, page.number * page.size),
    meta: pageMeta(page, items.length),
  };
}
