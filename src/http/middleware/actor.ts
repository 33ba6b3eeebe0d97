import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../domain/errors.ts';
import { resolveSession } from '../../domain/identity/sessions.ts';
import { authenticateApiToken } from '../../domain/identity/tokens.ts';
import type { AppEnv } from '../env.ts';

export const SESSION_COOKIE = 'icat_session';

/** Sets the session cookie: http-only, SameSite=Lax, Secure over https, lasting as long as the session. */
export function setSessionCookie(c: Context<AppEnv>, secret: string, expiresAt: Date): void {
  setCookie(c, SESSION_COOKIE, secret, {
    httpOnly: true,
    sameSite: 'Lax',
    secure: c.get('services').config.secureCookies,
    path: '/',
    expires: expiresAt,
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: c.get('services').config.secureCookies, httpOnly: true, sameSite: 'Lax' });
}

/** The raw session cookie value, for signing out or rotating at sign-in. */
export function sessionCookie(c: Context<AppEnv>): string | undefined {
  return getCookie(c, SESSION_COOKIE);
}

/**
 * Resolves who is acting. `Authorization: Bearer <token>` wins: a malformed, unknown, revoked
 * or expired token is refused with 401 even on public routes, so a broken integration notices
 * instead of silently reading public data. Otherwise the session cookie: an invalid one
 * leaves the visitor anonymous and is cleared.
 */
export function resolveActor(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const { db, config } = c.get('services');
    const authorization = c.req.header('authorization');
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m) throw new AppError('UNAUTHENTICATED', 'The Authorization header must be "Bearer <API token>".');
      c.set('actor', await authenticateApiToken(db, m[1]!));
      return next();
    }
    const secret = getCookie(c, SESSION_COOKIE);
    if (secret) {
      const actor = await resolveSession(db, config, secret);
      if (actor) c.set('actor', actor);
      else clearSessionCookie(c);
    }
    return next();
  };
}
