import type { Context } from 'hono';
import { forbidden } from '../../../domain/errors.ts';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES, type MembershipInput, type User } from '../../../domain/identity/identity-schemas.ts';
import { deactivateUser, getUser, listUsers, setMemberships, updateUser } from '../../../domain/identity/users.ts';
import { pickText } from '../../../domain/languages.ts';
import type { Organization } from '../../../domain/organizations/organization-schemas.ts';
import { listOrganizations } from '../../../domain/organizations/organizations.ts';
import { can } from '../../../domain/policies.ts';
import { LANGUAGE_NAMES, isLanguage } from '../../../i18n/i18n.ts';
import type { AppEnv } from '../../env.ts';
import { ActionButton, Csrf, expectedError } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { formatDate, formatDateTime, isoDate } from '../format.ts';
import { pageContext, type PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { AdminShell, requireAdministration } from './admin-shell.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v : '';
};

/** Every organization (archived ones too, so old memberships still have a name), by id. */
async function organizationsById(c: Context<AppEnv>): Promise<Map<string, Organization>> {
  const { items } = await listOrganizations(c.get('ctx'), { limit: 200, includeArchived: true });
  return new Map(items.map((o) => [o.id, o]));
}

function Memberships({ page, user, orgs }: { page: PageContext; user: User; orgs: Map<string, Organization> }) {
  if (user.memberships.length === 0) return <span class="meta">—</span>;
  return (
    <ul class="plain-list">
      {user.memberships.map((m) => (
        <li>
          {orgs.get(m.organizationId)?.acronym ?? m.organizationId} <span class="meta">({page.t(`role.${m.role}`)})</span>
        </li>
      ))}
    </ul>
  );
}

/** GET /admin/users: accounts, filtered by text, organization and state, a page at a time. */
export async function userListPage(c: Context<AppEnv>) {
  requireAdministration(c);
  const ctx = c.get('ctx');
  if (!can(ctx.actor, 'user.list')) throw forbidden();
  const t = c.get('t');
  const q = (c.req.query('q') ?? '').trim().slice(0, 200);
  const organizationId = (c.req.query('organization') ?? '').slice(0, 100);
  const includeInactive = c.req.query('inactive') === '1';
  const cursor = c.req.query('cursor')?.slice(0, 500) || undefined;
  const orgs = await organizationsById(c);
  const result = await listUsers(ctx, { q: q || undefined, organizationId: organizationId || undefined, includeInactive, limit: 50, cursor });
  return renderPage(c, { title: t('admin.users.title') }, (page) => (
    <AdminShell
      page={page}
      heading={t('admin.users.title')}
      intro={t('admin.users.intro')}
      actions={
        can(page.actor, 'invitation.list') && (
          <a class="button" href="/admin/invitations">
            {t('admin.users.invite')}
          </a>
        )
      }
    >
      <form method="get" action="/admin/users" class="filter-bar" role="search" aria-label={t('admin.filter')}>
        <div class="field">
          <label for="users-q">{t('admin.users.filterText')}</label>
          <input type="search" id="users-q" name="q" value={q} maxlength={200} />
        </div>
        <div class="field">
          <label for="users-org">{t('admin.users.organization')}</label>
          <select id="users-org" name="organization">
            <option value="">{t('admin.users.anyOrganization')}</option>
            {[...orgs.values()].map((o) => (
              <option value={o.id} selected={o.id === organizationId}>
                {o.acronym}
              </option>
            ))}
          </select>
        </div>
        <div class="checkbox">
          <input type="checkbox" id="users-inactive" name="inactive" value="1" checked={includeInactive} />
          <label for="users-inactive">{t('admin.users.includeInactive')}</label>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('members.filter.submit')}
          </button>
        </div>
      </form>
      {result.items.length === 0 ? (
        <p class="empty">{t('admin.users.none')}</p>
      ) : (
        <div class="table-wrap" tabindex={0}>
          <table class="data-table">
            <caption class="visually-hidden">{t('admin.users.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('admin.users.name')}</th>
                <th scope="col">{t('admin.users.email')}</th>
                <th scope="col">{t('admin.users.role')}</th>
                <th scope="col">{t('admin.users.organizations')}</th>
                <th scope="col">{t('admin.users.lastSignIn')}</th>
              </tr>
            </thead>
            <tbody>
              {result.items.map((u) => (
                <tr class={u.active ? undefined : 'row-muted'}>
                  <th scope="row">
                    <a href={`/admin/users/${u.id}`}>{u.name}</a>
                    {!u.active && <span class="badge badge-muted">{t('admin.users.inactive')}</span>}
                  </th>
                  <td>{u.email}</td>
                  <td>{u.platformRole ? t(`role.${u.platformRole}`) : <span class="meta">—</span>}</td>
                  <td>
                    <Memberships page={page} user={u} orgs={orgs} />
                  </td>
                  <td>
                    {u.lastSignInAt ? (
                      <time datetime={isoDate(u.lastSignInAt)}>{formatDate(page.lang, u.lastSignInAt)}</time>
                    ) : (
                      <span class="meta">{t('admin.users.never')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} nextCursor={result.nextCursor} params={{ q, organization: organizationId, inactive: includeInactive ? '1' : '' }} />
    </AdminShell>
  ));
}

async function renderUser(c: Context<AppEnv>, user: User, opts: { status?: number; flash?: PageContext['flash'] } = {}) {
  const t = c.get('t');
  const page = pageContext(c);
  if (opts.flash) page.flash = opts.flash;
  const orgs = await organizationsById(c);
  const manage = can(page.actor, 'user.manage');
  const self = page.actor.kind !== 'anonymous' && page.actor.userId === user.id;
  const activeOrgs = [...orgs.values()].filter((o) => !o.archived);
  return renderPage(c, { title: user.name, status: opts.status, page }, () => (
    <AdminShell page={page} heading={user.name} intro={user.email}>
      <p>
        <a class="arrow-link-back" href="/admin/users">
          {t('admin.users.back')}
        </a>
      </p>
      <dl class="facts">
        <div>
          <dt>{t('admin.users.status')}</dt>
          <dd>{user.active ? <span class="badge badge-success">{t('admin.users.active')}</span> : <span class="badge badge-muted">{t('admin.users.inactive')}</span>}</dd>
        </div>
        <div>
          <dt>{t('admin.users.role')}</dt>
          <dd>{user.platformRole ? t(`role.${user.platformRole}`) : t('admin.users.noPlatformRole')}</dd>
        </div>
        <div>
          <dt>{t('admin.users.language')}</dt>
          <dd>{isLanguage(user.preferredLanguage) ? LANGUAGE_NAMES[user.preferredLanguage] : user.preferredLanguage}</dd>
        </div>
        <div>
          <dt>{t('admin.users.created')}</dt>
          <dd>{formatDate(page.lang, user.createdAt)}</dd>
        </div>
        <div>
          <dt>{t('admin.users.lastSignIn')}</dt>
          <dd>{user.lastSignInAt ? formatDateTime(page.lang, user.lastSignInAt) : t('admin.users.never')}</dd>
        </div>
        <div>
          <dt>{t('admin.users.password')}</dt>
          <dd>{user.hasPassword ? t('admin.users.passwordSet') : t('admin.users.passwordNotSet')}</dd>
        </div>
      </dl>

      <section aria-labelledby="memberships-title">
        <h2 id="memberships-title">{t('admin.users.organizations')}</h2>
        {!manage ? (
          <Memberships page={page} user={user} orgs={orgs} />
        ) : (
          <form method="post" action={`/admin/users/${user.id}/memberships`} class="stack form-wide">
            <Csrf page={page} />
            {user.memberships.length > 0 && (
              <div class="table-wrap" tabindex={0}>
                <table>
                  <caption class="visually-hidden">{t('admin.users.organizations')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('admin.users.organization')}</th>
                      <th scope="col">{t('admin.users.membershipRole')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {user.memberships.map((m, i) => {
                      const o = orgs.get(m.organizationId);
                      return (
                        <tr>
                          <th scope="row">
                            <input type="hidden" name={`org.${i}`} value={m.organizationId} />
                            {o ? `${o.acronym} — ${pickText(o.name, page.lang)}` : m.organizationId}
                          </th>
                          <td>
                            <label class="visually-hidden" for={`role-${i}`}>
                              {t('admin.users.roleIn', { org: o?.acronym ?? m.organizationId })}
                            </label>
                            <select id={`role-${i}`} name={`role.${i}`}>
                              {MEMBERSHIP_ROLES.map((r) => (
                                <option value={r} selected={r === m.role}>
                                  {t(`role.${r}`)}
                                </option>
                              ))}
                              <option value="">{t('admin.users.removeMembership')}</option>
                            </select>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )}
            <fieldset>
              <legend>{t('admin.users.addMembership')}</legend>
              <div class="form-grid">
                <div class="field">
                  <label for="new-org">{t('admin.users.organization')}</label>
                  <select id="new-org" name="org.new">
                    <option value="">{t('admin.users.chooseOrganization')}</option>
                    {activeOrgs
                      .filter((o) => !user.memberships.some((m) => m.organizationId === o.id))
                      .map((o) => (
                        <option value={o.id}>{o.acronym}</option>
                      ))}
                  </select>
                </div>
                <div class="field">
                  <label for="new-role">{t('admin.users.membershipRole')}</label>
                  <select id="new-role" name="role.new">
                    {MEMBERSHIP_ROLES.map((r) => (
                      <option value={r}>{t(`role.${r}`)}</option>
                    ))}
                  </select>
                </div>
              </div>
            </fieldset>
            <div class="form-actions">
              <button type="submit" class="button">
                {t('admin.users.saveMemberships')}
              </button>
            </div>
          </form>
        )}
      </section>

      {manage && !self && (
        <section aria-labelledby="role-title">
          <h2 id="role-title">{t('admin.users.platformRole')}</h2>
          <form method="post" action={`/admin/users/${user.id}/role`} class="stack">
            <Csrf page={page} />
            <input type="hidden" name="version" value={String(user.version)} />
            <div class="field">
              <label for="platform-role">{t('admin.users.platformRole')}</label>
              <p class="hint" id="platform-role-hint">
                {t('admin.users.platformRoleHint')}
              </p>
              <select id="platform-role" name="platformRole" aria-describedby="platform-role-hint">
                <option value="" selected={!user.platformRole}>
                  {t('admin.users.noPlatformRole')}
                </option>
                {PLATFORM_ROLES.map((r) => (
                  <option value={r} selected={r === user.platformRole}>
                    {t(`role.${r}`)}
                  </option>
                ))}
              </select>
            </div>
            <div class="form-actions">
              <button type="submit" class="button">
                {t('admin.users.saveRole')}
              </button>
            </div>
          </form>
        </section>
      )}

      {manage && !self && (
        <section class="danger-zone" aria-labelledby="deactivate-title">
          <h2 id="deactivate-title">{user.active ? t('admin.users.deactivateTitle') : t('admin.users.reactivateTitle')}</h2>
          <p id="deactivate-help">{user.active ? t('admin.users.deactivateHelp') : t('admin.users.reactivateHelp')}</p>
          {user.active ? (
            <ActionButton page={page} action={`/admin/users/${user.id}/deactivate`} label={t('admin.users.deactivate')} variant="danger" describedBy="deactivate-help" />
          ) : (
            <ActionButton
              page={page}
              action={`/admin/users/${user.id}/reactivate`}
              label={t('admin.users.reactivate')}
              hidden={{ version: String(user.version) }}
              describedBy="deactivate-help"
            />
          )}
        </section>
      )}
    </AdminShell>
  ));
}

/** GET /admin/users/:id */
export async function userPage(c: Context<AppEnv>) {
  requireAdministration(c);
  const user = await getUser(c.get('ctx'), c.req.param('id') ?? '');
  return renderUser(c, user);
}

/** Runs one change on a person's account; an expected refusal re-shows the page with the reason. */
function userAction(run: (c: Context<AppEnv>, id: string, body: Body) => Promise<unknown>, notice: string) {
  return async (c: Context<AppEnv>) => {
    const id = c.req.param('id') ?? '';
    const body = (await c.req.parseBody()) as Body;
    try {
      await run(c, id, body);
      return c.redirect(`/admin/users/${id}?notice=${notice}`, 303);
    } catch (caught) {
      const err = expectedError(caught, ['CONFLICT', 'VERSION_CONFLICT', 'VALIDATION_FAILED']);
      if (!err) throw caught;
      const t = c.get('t');
      const user = await getUser(c.get('ctx'), id);
      const text =
        err.code === 'VERSION_CONFLICT'
          ? t('errors.version_conflict.body')
          : err.code === 'CONFLICT'
            ? t('admin.users.conflict')
            : t('errors.validation_failed.title');
      return renderUser(c, user, { status: err.code === 'VALIDATION_FAILED' ? 422 : 409, flash: { kind: 'error', text } });
    }
  };
}

/** POST /admin/users/:id/role */
export const changeRoleAction = userAction(async (c, id, body) => {
  const role = str(body, 'platformRole');
  await updateUser(c.get('ctx'), id, {
    platformRole: role === '' ? null : (role as User['platformRole']),
    version: Number(str(body, 'version')),
  });
}, 'roleSaved');

/** POST /admin/users/:id/memberships: the listed memberships (minus removed ones) plus the new one. */
export const setMembershipsAction = userAction(async (c, id, body) => {
  const memberships: MembershipInput[] = [];
  for (const key of Object.keys(body)) {
    const m = /^org\.(\d+)$/.exec(key);
    if (!m) continue;
    const organizationId = str(body, key);
    const role = str(body, `role.${m[1]}`);
    if (organizationId && role) memberships.push({ organizationId, role: role as MembershipInput['role'] });
  }
  const added = str(body, 'org.new');
  if (added && !memberships.some((m) => m.organizationId === added)) {
    memberships.push({ organizationId: added, role: (str(body, 'role.new') || 'staff') as MembershipInput['role'] });
  }
  await setMemberships(c.get('ctx'), id, memberships);
}, 'membershipsSaved');

/** POST /admin/users/:id/deactivate */
export const deactivateAction = userAction(async (c, id) => {
  await deactivateUser(c.get('ctx'), id);
}, 'userDeactivated');

/** POST /admin/users/:id/reactivate */
export const reactivateAction = userAction(async (c, id, body) => {
  await updateUser(c.get('ctx'), id, { active: true, version: Number(str(body, 'version')) });
}, 'userReactivated');
