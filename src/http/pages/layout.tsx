import type { Child } from 'hono/jsx';
import { LANGUAGES } from '../../domain/languages.ts';
import { can } from '../../domain/policies.ts';
import { direction, LANGUAGE_NAMES } from '../../i18n/i18n.ts';
import type { PageContext } from './page-context.ts';

type LayoutProps = { page: PageContext; title: string; children: Child; description?: string; head?: Child };

/** The emblem: a simple mark drawn for the platform (not an official logo). */
export function Emblem() {
  return (
    <svg class="emblem" viewBox="0 0 32 32" width="32" height="32" aria-hidden="true" focusable="false">
      <circle cx="16" cy="16" r="14" fill="none" stroke="currentColor" stroke-width="2" />
      <path d="M6 16h20M16 2c4 4 6 9 6 14s-2 10-6 14M16 2c-4 4-6 9-6 14s2 10 6 14" fill="none" stroke="currentColor" stroke-width="1.6" />
    </svg>
  );
}

function NavLink({ page, href, children }: { page: PageContext; href: string; children: Child }) {
  const current = href === '/' ? page.path === '/' : page.path === href || page.path.startsWith(`${href}/`);
  return (
    <li>
      <a href={href} aria-current={current ? 'page' : undefined}>
        {children}
      </a>
    </li>
  );
}

/** Whether the actor holds any ability the administration area offers (it is the area's door too). */
export function canUseAdministration(actor: PageContext['actor']): boolean {
  return can(actor, 'organization.create') || can(actor, 'user.list') || can(actor, 'audit.read') || can(actor, 'invitation.list');
}

/** The one page layout: skip link, banner, navigation, language switcher, main, footer. */
export function Layout({ page, title, children, description, head }: LayoutProps) {
  const { t, lang, actor } = page;
  const signedIn = actor.kind !== 'anonymous';
  const isStaff = signedIn && (actor.platformRole !== null || actor.memberships.length > 0);
  const isAdminish = canUseAdministration(actor);
  return (
    <html lang={lang} dir={direction(lang)}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · ${t('site.name')}`}</title>
        <meta name="description" content={description ?? t('site.tagline')} />
        <link rel="stylesheet" href={page.asset('app.css')} />
        <link rel="icon" href={page.asset('favicon.svg')} type="image/svg+xml" />
        <script type="module" src={page.asset('app.js')} defer />
        {head}
      </head>
      <body>
        <a class="skip-link" href="#main">
          {t('nav.skip')}
        </a>
        <header class="site-header">
          <div class="bar container">
            <a class="brand" href="/">
              <Emblem />
              <span class="brand-text">
                <span class="brand-name">{t('site.name')}</span>
                <span class="brand-sub">{t('site.subtitle')}</span>
              </span>
            </a>
            <nav class="lang-switch" aria-label={t('nav.language')}>
              <ul>
                {LANGUAGES.map((l) => (
                  <li>
                    <a
                      href={`/language/${l}?next=${encodeURIComponent(page.url)}`}
                      lang={l}
                      hreflang={l}
                      aria-current={l === lang ? 'true' : undefined}
                    >
                      {LANGUAGE_NAMES[l]}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          </div>
          <nav class="main-nav" aria-label={t('nav.main')}>
            <div class="container">
              <ul>
                <NavLink page={page} href="/">
                  {t('nav.home')}
                </NavLink>
                <NavLink page={page} href="/members">
                  {t('nav.members')}
                </NavLink>
                <NavLink page={page} href="/activities">
                  {t('activityList.nav')}
                </NavLink>
                <NavLink page={page} href="/library">
                  {t('library.nav')}
                </NavLink>
                <NavLink page={page} href="/coordination">
                  {t('coordination.nav.main')}
                </NavLink>
                <NavLink page={page} href="/api">
                  {t('nav.api')}
                </NavLink>
                {isAdminish && (
                  <NavLink page={page} href="/admin">
                    {t('nav.admin')}
                  </NavLink>
                )}
              </ul>
              <ul class="account-nav">
                {signedIn ? (
                  <>
                    <NavLink page={page} href="/account">
                      {actor.name}
                    </NavLink>
                    <li>
                      <form method="post" action="/sign-out" class="inline-form">
                        <input type="hidden" name="_csrf" value={page.csrfToken} />
                        <button type="submit" class="link-button">
                          {t('nav.signOut')}
                        </button>
                      </form>
                    </li>
                  </>
                ) : (
                  <NavLink page={page} href="/sign-in">
                    {t('nav.signIn')}
                  </NavLink>
                )}
              </ul>
            </div>
          </nav>
        </header>
        <main id="main" tabindex={-1}>
          <div class="container">
            {page.flash && (
              <p class={`flash flash-${page.flash.kind}`} role={page.flash.kind === 'error' ? 'alert' : 'status'}>
                {page.flash.text}
              </p>
            )}
            {children}
          </div>
        </main>
        <footer class="site-footer">
          <div class="container footer-grid">
            <p>{t('footer.about')}</p>
            <ul>
              <li>
                <a href="/api">{t('footer.api')}</a>
              </li>
              <li>
                <a href="/api/v1/openapi.json">{t('footer.openapi')}</a>
              </li>
              {isStaff && (
                <li>
                  <a href="/account">{t('footer.account')}</a>
                </li>
              )}
            </ul>
            <p class="footer-note">{t('footer.note')}</p>
          </div>
        </footer>
      </body>
    </html>
  );
}
