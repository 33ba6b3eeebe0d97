import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { isLanguage } from '../../i18n/i18n.ts';
import type { AppEnv } from '../env.ts';
import { LANGUAGE_COOKIE } from '../middleware/language.ts';
import { adminRoutes } from './admin/index.tsx';
import { apiReferencePage } from './api-reference.tsx';
import { accountRoutes } from './account.tsx';
import { activityRecordRoutes } from './activities/activity-pages.tsx';
import { activityListRoutes } from './activities-list.tsx';
import { suggestionReviewRoutes } from './activities/suggestion-review.tsx';
import { authRoutes } from './auth.tsx';
import { coordinationRoutes } from './coordination/coordination-pages.tsx';
import { homePage } from './home.tsx';
import { membersPage, organizationPage } from './members.tsx';
import { libraryRoutes } from './library/library-routes.tsx';
import { searchAlertRoutes } from './search-alerts.tsx';

/** A local path to return to after an action; anything else falls back to the home page. */
export function safeNext(next: string | undefined, fallback = '/'): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}

/** Server-rendered pages; each handler parses input, calls one domain function and renders. */
export function pageRoutes() {
  const pages = new Hono<AppEnv>();
  pages.get('/', homePage);
  pages.get('/members', membersPage);
  pages.get('/members/:slug', organizationPage);
  pages.route('/', authRoutes());
  pages.route('/', accountRoutes());
  pages.get('/api', apiReferencePage);
  // The list, exports and import before the record routes (/activities/:id).
  pages.route('/', activityListRoutes());
  pages.route('/', suggestionReviewRoutes());
  pages.route('/', activityRecordRoutes());
  pages.route('/', searchAlertRoutes());
  pages.route('/', libraryRoutes());
  pages.route('/', coordinationRoutes());
  pages.route('/admin', adminRoutes());
  pages.get('/language/:lang', (c) => {
    const lang = c.req.param('lang');
    if (isLanguage(lang)) {
      setCookie(c, LANGUAGE_COOKIE, lang, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'Lax', secure: c.get('services').config.secureCookies });
    }
    return c.redirect(safeNext(c.req.query('next')), 303);
  });
  return pages;
}
