// Path and query parameters as the client meant them.

import type { IRequest } from 'itty-router';

/** A path segment as the client meant it ("%2B1312..." is "+1312..."); undecodable text stays as sent. */
export function decodePathSegment(segment: string | undefined): string {
  try {
    return decodeURIComponent(segment ?? '');
  } catch {
    return segment ?? '';
  }
}

export function idParam(request: IRequest): string {
  return decodePathSegment(request.params.id);
}

export function query(request: IRequest): URLSearchParams {
  return new URL(request.url).searchParams;
}
