import type { Context } from 'hono';
import type { AppEnv } from '../../env.ts';
import { renderPage } from '../render.tsx';
import { adminSections, AdminShell, requireAdministration } from './admin-shell.tsx';

/** GET /admin: the sections the actor may use, each with what it is for. */
export function adminOverviewPage(c: Context<AppEnv>) {
  requireAdministration(c);
  const t = c.get('t');
  return renderPage(c, { title: t('admin.overview.title') }, (page) => (
    <AdminShell page={page} heading={t('admin.overview.title')} intro={t('admin.overview.intro')}>
      <ul class="card-grid admin-cards">
        {adminSections(page.actor)
          .filter((s) => s.href !== '/admin')
          .map((s) => (
            <li class="card card-link">
              <h2>
                <a href={s.href}>{t(s.key)}</a>
              </h2>
              <p>{t(`${s.key}Help`)}</p>
            </li>
          ))}
      </ul>
      <p class="meta">{t('admin.overview.role', { role: page.actor.kind !== 'anonymous' && page.actor.platformRole ? t(`role.${page.actor.platformRole}`) : t('role.member') })}</p>
    </AdminShell>
  ));
}
