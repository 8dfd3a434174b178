// One error type for every failure a client can see, rendered as Telnyx's v2 error body:
//   { "errors": [ { "code", "title", "detail", "source": { "pointer" | "parameter" }, "meta" } ] }
// Validators throw ApiError; the router catches it in one place (errorResponse). Anything else
// that reaches the router is a bug: it is logged with an error id and the client gets a 500 that
// carries the id and nothing of the cause.

import { log } from './log';

/** Telnyx's error codes used by the edge (developers.telnyx.com/docs/overview/errors). */
export const TelnyxCode = {
  invalidPhoneNumber: '10002',
  missingParameter: '10004',
  notFound: '10005',
  unexpected: '10007',
  authenticationFailed: '10009',
  tooManyRequests: '10011',
  unsupportedMediaType: '10014',
  badRequest: '10015',
  notE164: '10016',
  invalidJson: '10023',
} as const;

export interface ErrorSource {
  /** JSON pointer into the request body, e.g. "/to". */
  pointer?: string;
  /** Query or path parameter name, e.g. "type". */
  parameter?: string;
}

export interface TelnyxErrorObject {
  code: string;
  title: string;
  detail?: string;
  source?: ErrorSource;
  meta?: Record<string, unknown>;
}

export interface TelnyxErrorBody {
  errors: TelnyxErrorObject[];
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly errors: TelnyxErrorObject[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    error: TelnyxErrorObject | TelnyxErrorObject[],
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    const errors = Array.isArray(error) ? error : [error];
    super(errors.map((e) => e.detail ?? e.title).join('; '), { cause: options.cause });
    this.status = status;
    this.errors = errors;
    this.headers = options.headers ?? {};
  }

  toResponse(): Response {
    return jsonResponse({ errors: this.errors } satisfies TelnyxErrorBody, this.status, this.headers);
  }
}

export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  });
}

// Small constructors for the errors every module needs, so titles and codes stay consistent.

export function badRequest(detail: string, source?: ErrorSource, code: string = TelnyxCode.badRequest): ApiError {
  return new ApiError(400, { code, title: 'Bad Request', detail, ...(source && { source }) });
}

export function unprocessable(code: string, title: string, detail: string, source?: ErrorSource): ApiError {
  return new ApiError(422, { code, title, detail, ...(source && { source }) });
}

export function unauthorized(detail: string): ApiError {
  return new ApiError(401, { code: TelnyxCode.authenticationFailed, title: 'Authentication failed', detail });
}

export function notFound(detail = 'The requested resource or URL could not be found.'): ApiError {
  return new ApiError(404, { code: TelnyxCode.notFound, title: 'Resource not found', detail });
}

export function payloadTooLarge(limitBytes: number): ApiError {
  return new ApiError(413, {
    code: TelnyxCode.badRequest,
    title: 'Request body too large',
    detail: `The request body is larger than ${limitBytes} bytes.`,
  });
}

/** The edge is missing configuration it needs; it refuses rather than guess (fail closed). */
export function misconfigured(detail: string): ApiError {
  return new ApiError(503, { code: TelnyxCode.unexpected, title: 'Service not configured', detail });
}

/**
 * The router's single catch: ApiError becomes its response; anything else is logged in full
 * under a fresh error id and answered with a 500 that names only that id.
 */
export function errorResponse(error: unknown, request?: Request): Response {
  if (error instanceof ApiError) return error.toResponse();
  const errorId = crypto.randomUUID();
  log.error('unhandled_error', {
    error_id: errorId,
    method: request?.method,
    path: request ? new URL(request.url).pathname : undefined,
    error,
  });
  return jsonResponse(
    {
      errors: [
        {
          code: TelnyxCode.unexpected,
          title: 'Unexpected error',
          detail: `An unexpected error occurred. Quote error id ${errorId} when reporting it.`,
          meta: { error_id: errorId },
        },
      ],
    } satisfies TelnyxErrorBody,
    500,
  );
}
