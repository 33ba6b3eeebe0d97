import type { Context } from 'hono';
import { forbidden } from '../../../domain/errors.ts';
import { MEMBERSHIP_ROLES, PLATFORM_ROLES, type Invitation, type InvitationInput } from '../../../domain/identity/identity-schemas.ts';
import { createInvitation, listInvitations, revokeInvitation } from '../../../domain/identity/invitations.ts';
import { LANGUAGES } from '../../../domain/languages.ts';
import type { Organization } from '../../../domain/organizations/organization-schemas.ts';
import { listOrganizations } from '../../../domain/organizations/organizations.ts';
import { can } from '../../../domain/policies.ts';
import { LANGUAGE_NAMES } from '../../../i18n/i18n.ts';
import type { AppEnv } from '../../env.ts';
import { ActionButton, Csrf, emptyForm, ErrorSummary, expectedError, formErrors, SelectField, TextField, type FormState } from '../components/form.tsx';
import { formatDate, isoDate } from '../format.ts';
import { pageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { AdminShell, requireAdministration } from './admin-shell.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v.trim() : '';
};

const STATUS_BADGE: Record<Invitation['status'], string> = {
  pending: 'badge-info',
  accepted: 'badge-success',
  revoked: 'badge-muted',
  expired: 'badge-muted',
};

async function renderInvitations(c: Context<AppEnv>, form: FormState, status = 200) {
  requireAdministration(c);
  const ctx = c.get('ctx');
  if (!can(ctx.actor, 'invitation.list')) throw forbidden();
  const t = c.get('t');
  const page = pageContext(c);
  const [invitations, orgList] = await Promise.all([listInvitations(ctx), listOrganizations(ctx, { limit: 200 })]);
  const orgs = new Map<string, Organization>(orgList.items.map((o) => [o.id, o]));
  // Offer only what the policy lets this person invite to.
  const invitable = orgList.items.filter((o) => can(ctx.actor, 'invitation.create', { organizationId: o.id, platformRole: null }));
  const platformRoles = PLATFORM_ROLES.filter((r) => can(ctx.actor, 'invitation.create', { organizationId: null, platformRole: r }));
  const labels = {
    email: t('admin.invitations.email'),
    name: t('admin.invitations.name'),
    organizationId: t('admin.users.organization'),
    role: t('admin.users.membershipRole'),
    platformRole: t('admin.users.platformRole'),
    language: t('admin.invitations.language'),
  };
  return renderPage(c, { title: t('admin.invitations.title'), status, page }, () => (
    <AdminShell page={page} heading={t('admin.invitations.title')} intro={t('admin.invitations.intro')}>
      <section aria-labelledby="invite-title" id="invite">
        <h2 id="invite-title">{t('admin.invitations.inviteTitle')}</h2>
        <ErrorSummary t={t} form={form} labels={labels} />
        <form method="post" action="/admin/invitations" class="stack" novalidate>
          <Csrf page={page} />
          <div class="stack-fields">
            <TextField t={t} form={form} name="email" type="email" label={labels.email} required autocomplete="off" maxlength={254} />
            <TextField t={t} form={form} name="name" label={labels.name} hint={t('admin.invitations.nameHint')} maxlength={200} />
            <SelectField
              t={t}
              form={form}
              name="organizationId"
              label={labels.organizationId}
              options={[
                ...(platformRoles.length > 0 ? [{ value: '', label: t('admin.invitations.noOrganization') }] : []),
                ...invitable.map((o) => ({ value: o.id, label: o.acronym })),
              ]}
            />
            <SelectField t={t} form={form} name="role" label={labels.role} options={MEMBERSHIP_ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
            {platformRoles.length > 0 && (
              <SelectField
                t={t}
                form={form}
                name="platformRole"
                label={labels.platformRole}
                hint={t('admin.invitations.platformRoleHint')}
                options={[{ value: '', label: t('admin.users.noPlatformRole') }, ...platformRoles.map((r) => ({ value: r, label: t(`role.${r}`) }))]}
              />
            )}
            <SelectField
              t={t}
              form={form}
              name="language"
              label={labels.language}
              hint={t('admin.invitations.languageHint')}
              options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
            />
          </div>
          <div class="form-actions">
            <button type="submit" class="button">
              {t('admin.invitations.send')}
            </button>
          </div>
        </form>
      </section>

      <section aria-labelledby="sent-title">
        <h2 id="sent-title">{t('admin.invitations.sentTitle')}</h2>
        {invitations.length === 0 ? (
          <p class="empty">{t('admin.invitations.none')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table class="data-table">
              <caption class="visually-hidden">{t('admin.invitations.sentTitle')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.invitations.email')}</th>
                  <th scope="col">{t('admin.invitations.as')}</th>
                  <th scope="col">{t('admin.invitations.status')}</th>
                  <th scope="col">{t('admin.invitations.sent')}</th>
                  <th scope="col">{t('admin.invitations.expires')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('admin.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {invitations.map((inv) => (
                  <tr>
                    <th scope="row">
                      {inv.email}
                      {inv.name && <span class="meta"> — {inv.name}</span>}
                    </th>
                    <td>
                      {inv.organizationId && (
                        <>
                          {orgs.get(inv.organizationId)?.acronym ?? inv.organizationId} <span class="meta">({t(`role.${inv.role ?? 'staff'}`)})</span>
                        </>
                      )}
                      {inv.platformRole && <div>{t(`role.${inv.platformRole}`)}</div>}
                    </td>
                    <td>
                      <span class={`badge ${STATUS_BADGE[inv.status]}`}>{t(`admin.invitations.statusName.${inv.status}`)}</span>
                    </td>
                    <td>
                      <time datetime={isoDate(inv.createdAt)}>{formatDate(page.lang, inv.createdAt)}</time>
                    </td>
                    <td>
                      <time datetime={isoDate(inv.expiresAt)}>{formatDate(page.lang, inv.expiresAt)}</time>
                    </td>
                    <td class="row-actions">
                      {inv.status === 'pending' && can(page.actor, 'invitation.revoke', { organizationId: inv.organizationId, platformRole: inv.platformRole }) && (
                        <ActionButton page={page} action={`/admin/invitations/${inv.id}/revoke`} label={t('admin.invitations.revoke')} variant="link" />
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </AdminShell>
  ));
}

/** GET /admin/invitations: the invitation form and the invitations sent so far. */
export function invitationsPage(c: Context<AppEnv>) {
  return renderInvitations(c, emptyForm({ role: 'staff', language: c.get('lang') }));
}

/** POST /admin/invitations */
export async function createInvitationAction(c: Context<AppEnv>) {
  const body = (await c.req.parseBody()) as Body;
  const values = {
    email: str(body, 'email'),
    name: str(body, 'name'),
    organizationId: str(body, 'organizationId'),
    role: str(body, 'role'),
    platformRole: str(body, 'platformRole'),
    language: str(body, 'language'),
  };
  const input: InvitationInput = {
    email: values.email,
    ...(values.name && { name: values.name }),
    organizationId: values.organizationId || null,
    role: values.organizationId ? ((values.role || 'staff') as InvitationInput['role']) : null,
    platformRole: (values.platformRole || null) as InvitationInput['platformRole'],
    ...(values.language && { language: values.language as InvitationInput['language'] }),
  };
  try {
    await createInvitation(c.get('ctx'), input);
    return c.redirect('/admin/invitations?notice=invitationSent', 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'CONFLICT']);
    if (!err) throw caught;
    const t = c.get('t');
    const errors = formErrors(t, c.get('lang'), err);
    if (err.code === 'CONFLICT' && errors.email) errors.email = t('admin.invitations.alreadyAccount');
    return renderInvitations(c, { values, errors }, 422);
  }
}

/** POST /admin/invitations/:id/revoke */
export async function revokeInvitationAction(c: Context<AppEnv>) {
  await revokeInvitation(c.get('ctx'), c.req.param('id') ?? '');
  return c.redirect('/admin/invitations?notice=invitationRevoked', 303);
}
