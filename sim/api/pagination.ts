// Telnyx's page[number] / page[size] pagination and its meta block.

import { badRequest } from '../../shared/errors';

function pageParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= 1 && value <= max)) {
    throw badRequest(`${name} must be a whole number from 1 to ${max}.`, { parameter: name });
  }
  return value;
}

export function paginate<T>(items: readonly T[], query: URLSearchParams, defaultSize = 20, maxSize = 250) {
  const size = pageParam(query, 'page[size]', defaultSize, maxSize);
  const number = pageParam(query, 'page[number]', 1, Number.MAX_SAFE_INTEGER);
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
