import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Actor } from '../../../domain/actor.ts';
import { forbidden, unauthenticated } from '../../../domain/errors.ts';
import { can } from '../../../domain/policies.ts';
import type { AppEnv } from '../../env.ts';
import { canUseAdministration } from '../layout.tsx';
import type { PageContext } from '../page-context.ts';

/**
 * The door of the administration area: visitors are sent to sign in (UNAUTHENTICATED), people
 * without any administration ability see "not allowed". Each action is still authorized by its
 * domain function; this only decides whether the area is worth showing.
 */
export function requireAdministration(c: Context<AppEnv>): void {
  const actor = c.get('actor');
  if (actor.kind === 'anonymous') throw unauthenticated();
  if (!canUseAdministration(actor)) throw forbidden();
}

type Section = { href: string; key: string; show: (a: Actor) => boolean };
const SECTIONS: Section[] = [
  { href: '/admin', key: 'admin.nav.overview', show: () => true },
  { href: '/admin/organizations', key: 'admin.nav.organizations', show: () => true },
  { href: '/admin/users', key: 'admin.nav.users', show: (a) => can(a, 'user.list') },
  { href: '/admin/invitations', key: 'admin.nav.invitations', show: (a) => can(a, 'invitation.list') },
  { href: '/admin/tokens', key: 'admin.nav.tokens', show: (a) => can(a, 'user.manage') },
  { href: '/admin/audit', key: 'admin.nav.audit', show: (a) => can(a, 'audit.read') },
];

/** The sections of the administration area the actor may use, for the overview and the side menu. */
export function adminSections(actor: Actor): { href: string; key: string }[] {
  return SECTIONS.filter((s) => s.show(actor));
}

/** The administration area's frame: a side menu of the sections the actor may use, then the content. */
export function AdminShell({ page, children, heading, intro, actions }: { page: PageContext; children: Child; heading: string; intro?: string; actions?: Child }) {
  const { t } = page;
  return (
    <div class="with-sidebar admin">
      <nav class="sidebar admin-nav" aria-labelledby="admin-nav-title">
        <h2 id="admin-nav-title" class="sidebar-title">
          {t('nav.admin')}
        </h2>
        <ul>
          {adminSections(page.actor).map((s) => {
            const current = s.href === '/admin' ? page.path === '/admin' : page.path === s.href || page.path.startsWith(`${s.href}/`);
            return (
              <li>
                <a href={s.href} aria-current={current ? 'page' : undefined}>
                  {t(s.key)}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <div class="sidebar-content">
        <div class="page-heading">
          <div>
            <h1>{heading}</h1>
            {intro && <p class="lead">{intro}</p>}
          </div>
          {actions && <div class="page-actions">{actions}</div>}
        </div>
        {children}
      </div>
    </div>
  );
}
