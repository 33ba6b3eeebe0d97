import type { Context } from 'hono';
import { ZodError } from 'zod';
import { AppError, type ErrorCode, type FieldError } from '../domain/errors.ts';

/** The one table from error code to HTTP status. */
export const STATUS_BY_CODE: Record<ErrorCode, 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 500 | 503> = {
  BAD_REQUEST: 400,
  MALFORMED_JSON: 400,
  VALIDATION_FAILED: 422,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CSRF_FAILED: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  VERSION_CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
};

export type Problem = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  current?: unknown;
};

/** Converts zod issues into field errors with dotted paths (`name.en`, `chairYears.2`). */
export function fieldErrors(err: ZodError, prefix = ''): FieldError[] {
  return err.issues.map((issue) => {
    let p = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      p = [p, ...issue.keys].filter(Boolean).join('.');
      message = `Unknown field${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}. Remove ${issue.keys.length > 1 ? 'them' : 'it'}.`;
    }
    return { path: p || '(body)', message, code: issue.code };
  });
}

/** Turns anything thrown into an AppError; unknown faults become INTERNAL. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ZodError) {
    return new AppError('VALIDATION_FAILED', 'Some fields are not valid.', { fields: fieldErrors(err) });
  }
  const code = (err as { code?: string } | null)?.code;
  const text = String((err as { message?: unknown } | null)?.message ?? '');
  if (code === '22021' || code === '22P05') {
    return new AppError('VALIDATION_FAILED', 'Some text contains a character that cannot be stored (such as U+0000). Remove it and try again.', { cause: err });
  }
  if (code === '53100' || code === 'ENOSPC' || /no space left on device/i.test(text)) {
    return new AppError('SERVICE_UNAVAILABLE', 'The server has run out of disk space, so the change was not saved. Try again once space has been freed.', { cause: err });
  }
  if (code === '25006' || code === 'EROFS' || /read-only file system/i.test(text)) {
    return new AppError('SERVICE_UNAVAILABLE', 'The server cannot write to its storage right now, so the change was not saved.', { cause: err });
  }
  if (code === 'ECONNREFUSED' || code === '57P01' || code === '08006' || code === '08001') {
    return new AppError('SERVICE_UNAVAILABLE', 'The database is not reachable right now. Try again in a moment.', { cause: err });
  }
  return new AppError('INTERNAL', 'Something went wrong on our side. The error has been logged.', { cause: err });
}

export function problemFor(c: Context, err: AppError): Problem {
  return {
    type: `${new URL(c.req.url).origin}/api/v1/problems#${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: err.code
      .toLowerCase()
      .replace(/_/g, ' ')
      .replace(/^./, (s) => s.toUpperCase()),
    status: STATUS_BY_CODE[err.code],
    code: err.code,
    detail: err.message,
    instance: new URL(c.req.url).pathname,
    requestId: c.get('requestId' as never) as string | undefined,
    ...(err.fields.length > 0 && { errors: err.fields }),
    ...(err.current !== undefined && { current: err.current }),
  };
}

/** Sends an AppError as application/problem+json, keeping headers already set (such as a cleared session cookie). */
export function problemResponse(c: Context, err: AppError): Response {
  const problem = problemFor(c, err);
  const headers: Record<string, string> = { 'content-type': 'application/problem+json; charset=utf-8' };
  if (err.retryAfterSeconds) headers['retry-after'] = String(Math.ceil(err.retryAfterSeconds));
  return c.body(JSON.stringify(problem), problem.status as 400, headers);
}
