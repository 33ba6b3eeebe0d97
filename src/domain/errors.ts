/**
 * The platform's error taxonomy: stable string codes that every edge (REST, pages, CLI)
 * converts to its own form in one place. The domain never speaks HTTP.
 */
export const ERROR_CODES = [
  /** The request could not be read (bad syntax, wrong content type). */
  'BAD_REQUEST',
  /** The body is not well-formed JSON. */
  'MALFORMED_JSON',
  /** Input was read but one or more fields are invalid; `fields` names them. */
  'VALIDATION_FAILED',
  /** No valid session or token. */
  'UNAUTHENTICATED',
  /** Signed in, but the policy does not allow this. */
  'FORBIDDEN',
  /** A form was posted without a valid anti-forgery token. */
  'CSRF_FAILED',
  /** The record does not exist or is not visible to the actor. */
  'NOT_FOUND',
  /** The request conflicts with existing data (a duplicate key, a state that forbids it). */
  'CONFLICT',
  /** The record changed since the version the client edited. */
  'VERSION_CONFLICT',
  /** The body is larger than the configured limit. */
  'PAYLOAD_TOO_LARGE',
  /** The body's media type is not accepted here. */
  'UNSUPPORTED_MEDIA_TYPE',
  /** Too many attempts; retry later. */
  'RATE_LIMITED',
  /** A dependency (the database) is unreachable. */
  'SERVICE_UNAVAILABLE',
  /** An unexpected fault; details are in the server log only. */
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type FieldError = {
  path: string;
  message: string;
  code?: string;
  /** For graded validation (activities): how serious the problem is, and what to do about it. */
  severity?: 'critical' | 'error' | 'warning';
  hint?: string;
};

export type AppErrorOptions = {
  fields?: FieldError[];
  /** For VERSION_CONFLICT: the current state of the record. */
  current?: unknown;
  /** For RATE_LIMITED: seconds until a retry may succeed. */
  retryAfterSeconds?: number;
  cause?: unknown;
};

/** An expected failure with a stable code and a message safe to show to users. */
export class AppError extends Error {
  readonly fields: FieldError[];
  readonly current: unknown;
  readonly retryAfterSeconds: number | undefined;
  constructor(
    readonly code: ErrorCode,
    message: string,
    options: AppErrorOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.fields = options.fields ?? [];
    this.current = options.current;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found.`);
export const forbidden = (message = 'You are not allowed to do this.') => new AppError('FORBIDDEN', message);
export const unauthenticated = () => new AppError('UNAUTHENTICATED', 'Sign in or present an API token to do this.');
