import type { Context } from 'hono';
import { forbidden } from '../../../domain/errors.ts';
import type { ApiToken } from '../../../domain/identity/identity-schemas.ts';
import { listApiTokens, revokeApiToken } from '../../../domain/identity/tokens.ts';
import { listOrganizations } from '../../../domain/organizations/organizations.ts';
import { can } from '../../../domain/policies.ts';
import type { AppEnv } from '../../env.ts';
import { ActionButton } from '../components/form.tsx';
import { formatDate, formatDateTime, isoDate } from '../format.ts';
import { renderPage } from '../render.tsx';
import { AdminShell, requireAdministration } from './admin-shell.tsx';

const STATUS_BADGE: Record<ApiToken['status'], string> = { active: 'badge-success', expired: 'badge-muted', revoked: 'badge-muted' };

/** GET /admin/tokens: every API token (administrators), with owner, scopes and last use; revoke from here. */
export async function tokensPage(c: Context<AppEnv>) {
  requireAdministration(c);
  const ctx = c.get('ctx');
  if (!can(ctx.actor, 'user.manage')) throw forbidden();
  const t = c.get('t');
  const includeRevoked = c.req.query('revoked') === '1';
  const [tokens, orgList] = await Promise.all([listApiTokens(ctx, { includeRevoked }), listOrganizations(ctx, { limit: 200, includeArchived: true })]);
  const acronyms = new Map(orgList.items.map((o) => [o.id, o.acronym]));
  return renderPage(c, { title: t('admin.tokens.title') }, (page) => (
    <AdminShell page={page} heading={t('admin.tokens.title')} intro={t('admin.tokens.intro')}>
      <form method="get" action="/admin/tokens" class="filter-bar" aria-label={t('admin.filter')}>
        <div class="checkbox">
          <input type="checkbox" id="tokens-revoked" name="revoked" value="1" checked={includeRevoked} />
          <label for="tokens-revoked">{t('admin.tokens.includeRevoked')}</label>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('members.filter.submit')}
          </button>
        </div>
      </form>
      {tokens.length === 0 ? (
        <p class="empty">{t('admin.tokens.none')}</p>
      ) : (
        <div class="table-wrap" tabindex={0}>
          <table class="data-table">
            <caption class="visually-hidden">{t('admin.tokens.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.tokens.name')}</th>
                <th scope="col">{t('admin.tokens.owner')}</th>
                <th scope="col">{t('admin.tokens.scopes')}</th>
                <th scope="col">{t('admin.tokens.created')}</th>
                <th scope="col">{t('admin.tokens.expires')}</th>
                <th scope="col">{t('admin.tokens.lastUsed')}</th>
                <th scope="col">
                  <span class="visually-hidden">{t('admin.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {tokens.map((tok) => (
                <tr class={tok.status === 'active' ? undefined : 'row-muted'}>
                  <th scope="row">
                    {tok.name}
                    <br />
                    <code>icat_{tok.prefix}_…</code>
                    <span class={`badge ${STATUS_BADGE[tok.status]}`}>{t(`admin.tokens.status.${tok.status}`)}</span>
                  </th>
                  <td>
                    <a href={`/admin/users/${tok.userId}`}>{tok.userEmail}</a>
                    {tok.organizationId && <div class="meta">{t('admin.tokens.actsFor', { org: acronyms.get(tok.organizationId) ?? tok.organizationId })}</div>}
                  </td>
                  <td>{tok.scopes.map((s) => <code class="scope">{s}</code>)}</td>
                  <td>
                    <time datetime={isoDate(tok.createdAt)}>{formatDate(page.lang, tok.createdAt)}</time>
                  </td>
                  <td>{tok.expiresAt ? formatDate(page.lang, tok.expiresAt) : <span class="meta">{t('admin.tokens.never')}</span>}</td>
                  <td>{tok.lastUsedAt ? formatDateTime(page.lang, tok.lastUsedAt) : <span class="meta">{t('admin.tokens.neverUsed')}</span>}</td>
                  <td class="row-actions">
                    {tok.status === 'active' && (
                      <ActionButton page={page} action={`/admin/tokens/${tok.id}/revoke`} label={t('admin.tokens.revoke')} variant="link" />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </AdminShell>
  ));
}

/** POST /admin/tokens/:id/revoke */
export async function revokeTokenAction(c: Context<AppEnv>) {
  await revokeApiToken(c.get('ctx'), c.req.param('id') ?? '');
  return c.redirect('/admin/tokens?notice=tokenRevoked', 303);
}
