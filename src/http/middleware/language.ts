import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { isLanguage, negotiateLanguage, translator } from '../../i18n/i18n.ts';
import type { AppEnv } from '../env.ts';

export const LANGUAGE_COOKIE = 'icat_lang';

/** Chooses the interface language: ?lang=, then the language cookie, then Accept-Language, then English. */
export function resolveLanguage(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const fromQuery = c.req.query('lang');
    const fromCookie = getCookie(c, LANGUAGE_COOKIE);
    const lang = isLanguage(fromQuery)
      ? fromQuery
      : isLanguage(fromCookie)
        ? fromCookie
        : (negotiateLanguage(c.req.header('accept-language')) ?? 'en');
    c.set('lang', lang);
    c.set('t', translator(lang));
    await next();
    c.header('content-language', lang);
    c.res.headers.append('vary', 'Accept-Language, Cookie');
  };
}
