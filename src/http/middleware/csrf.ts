import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../domain/errors.ts';
import { newSecret } from '../../lib/ids.ts';
import type { AppEnv } from '../env.ts';

export const CSRF_COOKIE = 'icat_csrf';
export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'x-csrf-token';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Addresses whose secret token is the whole authority (no cookie is relied on), so a forged
 * request gains nothing: unsubscribe links, which mail clients post to without cookies (RFC 8058).
 */
const TOKEN_AUTHORIZED = /^\/alerts\/unsubscribe\/[A-Za-z0-9_-]{20,200}$/;
/**
 * API operations that act for nobody: readers' subscriptions, asked for by address and confirmed
 * or stopped by the token mailed to it. They use no session, so a forged request could do nothing
 * a direct one cannot; their JSON bodies cannot be sent cross-site without a CORS preflight.
 */
const ACTS_FOR_NOBODY = /^\/api\/v1\/search-subscriptions(\/confirm|\/unsubscribe)?$/;

/**
 * Forms whose multipart body is read as a stream by the handler (src/http/multipart.ts), so that
 * a large upload is never held in memory: their `_csrf` field is checked there, before the file.
 */
export const STREAMED_FORMS = new Set(['/activities/import/iati', '/api/v1/iati/imports']);

/** The refusal of a request whose anti-forgery token is missing or wrong. */
export const csrfFailed = () => new AppError('CSRF_FAILED', 'This form has expired or did not come from this site. Reload the page and try again.');

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Issues a fresh anti-forgery token (at sign-in and sign-out, so it rotates with the session). */
export function rotateCsrfToken(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string {
  const token = newSecret(24);
  setCookie(c, CSRF_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('services').config.secureCookies,
    path: '/',
  });
  c.set('csrfToken', token);
  return token;
}

/**
 * Double-submit protection for everything a browser can post: an unsafe request must carry
 * the token from the `icat_csrf` cookie in the `_csrf` form field or the X-CSRF-Token header.
 * Requests that authenticate with a bearer token carry no cookies and are exempt.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = getCookie(c, CSRF_COOKIE);
    if (SAFE.has(c.req.method)) {
      if (!token || token.length < 16) rotateCsrfToken(c);
      else c.set('csrfToken', token);
      return next();
    }
    if (c.req.header('authorization')?.toLowerCase().startsWith('bearer ')) return next();
    if (TOKEN_AUTHORIZED.test(c.req.path) || ACTS_FOR_NOBODY.test(c.req.path)) {
      if (token) c.set('csrfToken', token);
      else rotateCsrfToken(c);
      return next();
    }
    let sent = c.req.header(CSRF_HEADER);
    const type = c.req.header('content-type') ?? '';
    if (!sent && token && type.startsWith('multipart/form-data') && STREAMED_FORMS.has(c.req.path)) {
      c.set('csrfToken', token);
      c.set('csrfDeferred', true);
      return next();
    }
    if (!sent && (type.startsWith('application/x-www-form-urlencoded') || type.startsWith('multipart/form-data'))) {
      const body = await c.req.parseBody();
      const v = body[CSRF_FIELD];
      sent = typeof v === 'string' ? v : undefined;
    }
    if (!token || !sent || !same(token, sent)) {
      throw csrfFailed();
    }
    c.set('csrfToken', token);
    return next();
  };
}

/** Is this request's anti-forgery token still to be read from its streamed form (see STREAMED_FORMS)? */
export function csrfFieldExpected(c: Parameters<MiddlewareHandler<AppEnv>>[0]): boolean {
  return c.get('csrfDeferred') === true;
}

/** Checks the `_csrf` field of a streamed form against the cookie; throws CSRF_FAILED when they differ. */
export function checkCsrfField(c: Parameters<MiddlewareHandler<AppEnv>>[0], sent: string): void {
  const token = getCookie(c, CSRF_COOKIE);
  if (!token || !same(token, sent)) throw csrfFailed();
}
