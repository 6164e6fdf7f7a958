import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An error the HTTP API answers on purpose: `status`, a stable machine `code`, a message safe to
 * show the caller, and optional `data` (also shown). `app.onError` turns it into
 * `{ "error": { "code", "message", "data"? } }`; anything else is a 500 without details.
 */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly data?: Record<string, unknown>,
    /** Response headers the status calls for (WWW-Authenticate on 401). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed (empty body, not a JSON array, bad header). */
export class BadRequestError extends AppError {
  constructor(code: string, message: string, data?: Record<string, unknown>) {
    super(400, code, message, data);
  }
}

/** 401: no credentials, or credentials that are wrong, revoked or badly signed. */
export class UnauthorizedError extends AppError {
  constructor(code: string, message: string) {
    super(401, code, message, undefined, { 'WWW-Authenticate': 'Bearer realm="prazo"' });
  }
}

/** 404: no such route or resource. */
export class NotFoundError extends AppError {
  constructor(message = 'not found') {
    super(404, 'not_found', message);
  }
}

/** 413: the body is larger than the configured limit. */
export class PayloadTooLargeError extends AppError {
  constructor(limit: number) {
    super(413, 'payload_too_large', `the body is larger than the limit of ${limit} bytes; send smaller batches`, { limit });
  }
}

/** 415: a Content-Type the route does not read. */
export class UnsupportedMediaTypeError extends AppError {
  constructor(got: string | undefined, accepted: readonly string[]) {
    super(
      415,
      'unsupported_media_type',
      `Content-Type ${got ? JSON.stringify(got) : 'missing'}; send one of ${accepted.join(', ')}`,
      { accepted: [...accepted] },
    );
  }
}
