import { Hono, type Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { TOKEN_SCOPES } from '../../domain/actor.ts';
import type { AppError } from '../../domain/errors.ts';
import { getAccountOverview, type AccountOverview } from '../../domain/identity/account.ts';
import { PASSWORD_MIN_LENGTH } from '../../domain/identity/passwords.ts';
import { signOutEverywhere } from '../../domain/identity/sessions.ts';
import { createApiToken, revokeApiToken } from '../../domain/identity/tokens.ts';
import { changePassword, updateUser } from '../../domain/identity/users.ts';
import { LANGUAGES, pickText } from '../../domain/languages.ts';
import { isLanguage, LANGUAGE_NAMES } from '../../i18n/i18n.ts';
import type { AppEnv } from '../env.ts';
import { toAppError } from '../problem.ts';
import { clearSessionCookie } from '../middleware/actor.ts';
import { rotateCsrfToken } from '../middleware/csrf.ts';
import { LANGUAGE_COOKIE } from '../middleware/language.ts';
import { ActionButton, Csrf, emptyForm, ErrorSummary, fieldId, formErrors, SelectField, TextField, type FormState } from './components/form.tsx';
import { formatDate, formatDateTime } from './format.ts';
import { pageContext, type PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v : '';
};
const strs = (body: Body, key: string): string[] => {
  const v = body[key];
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x): x is string => typeof x === 'string');
};

type Forms = { profile?: FormState; password?: FormState; token?: FormState };
type AccountOpts = { forms?: Forms; created?: { name: string; secret: string }; status?: number; flash?: PageContext['flash'] };

/** Errors a form on this page shows beside its fields; anything else goes to the error page. */
function formError(err: unknown): AppError {
  const e = toAppError(err);
  if (['VALIDATION_FAILED', 'FORBIDDEN', 'VERSION_CONFLICT', 'CONFLICT'].includes(e.code) && (e.fields.length > 0 || e.code === 'VERSION_CONFLICT')) return e;
  throw err;
}

function TokenForm({ page, form, overview }: { page: PageContext; form: FormState; overview: AccountOverview }) {
  const { t } = page;
  const chosen = new Set((form.values.scopes ?? 'read').split(','));
  const scopeError = form.errors.scopes;
  const expiresError = form.errors.expiresAt;
  const labels = { name: t('account.tokens.field.name'), scopes: t('account.tokens.field.scopes'), organizationId: t('account.tokens.field.organization'), expiresAt: t('account.tokens.field.expires') };
  return (
    <>
      <ErrorSummary t={t} form={form} labels={labels} />
      <form method="post" action="/account/tokens" class="stack" novalidate>
        <Csrf page={page} />
        <TextField t={t} form={form} name="name" label={labels.name} hint={t('account.tokens.hint.name')} required maxlength={200} />
        <fieldset id={fieldId('scopes')} aria-describedby={scopeError ? `${fieldId('scopes')}-error` : undefined}>
          <legend>{labels.scopes}</legend>
          {scopeError && (
            <p class="error" id={`${fieldId('scopes')}-error`}>
              {scopeError}
            </p>
          )}
          {TOKEN_SCOPES.filter((s) => overview.grantableScopes.includes(s)).map((s) => (
            <div class="checkbox">
              <input type="checkbox" id={`scope-${s}`} name="scopes" value={s} checked={chosen.has(s)} />
              <label for={`scope-${s}`}>
                <strong>{t(`account.tokens.scope.${s}`)}</strong> — {t(`account.tokens.scopeHint.${s}`)}
              </label>
            </div>
          ))}
        </fieldset>
        {overview.organizations.length > 0 && (
          <SelectField
            t={t}
            form={form}
            name="organizationId"
            label={labels.organizationId}
            hint={t('account.tokens.hint.organization')}
            options={[
              { value: '', label: t('account.tokens.allOrganizations') },
              ...overview.organizations.map((o) => ({ value: o.id, label: `${o.acronym} — ${pickText(o.name, page.lang)}` })),
            ]}
          />
        )}
        <div class={`field${expiresError ? ' field-invalid' : ''}`}>
          <label for={fieldId('expiresAt')}>{labels.expiresAt}</label>
          <p class="hint" id={`${fieldId('expiresAt')}-hint`}>
            {t('account.tokens.hint.expires')}
          </p>
          {expiresError && (
            <p class="error" id={`${fieldId('expiresAt')}-error`}>
              {expiresError}
            </p>
          )}
          <input
            type="date"
            id={fieldId('expiresAt')}
            name="expiresAt"
            value={form.values.expiresAt ?? ''}
            aria-invalid={expiresError ? 'true' : undefined}
            aria-describedby={[`${fieldId('expiresAt')}-hint`, expiresError && `${fieldId('expiresAt')}-error`].filter(Boolean).join(' ')}
          />
        </div>
        <p>
          <button type="submit" class="button">
            {t('account.tokens.create')}
          </button>
        </p>
      </form>
    </>
  );
}

async function accountPage(c: Context<AppEnv>, opts: AccountOpts = {}) {
  const t = c.get('t');
  const overview = await getAccountOverview(c.get('ctx'));
  const page = pageContext(c);
  if (opts.flash) page.flash = opts.flash;
  const { user } = overview.me;
  const forms = opts.forms ?? {};
  const profile = forms.profile ?? emptyForm({ name: user.name, preferredLanguage: user.preferredLanguage, version: String(user.version) });
  const password = forms.password ?? emptyForm();
  const tokenForm = forms.token ?? emptyForm({ scopes: 'read' });
  const profileLabels = { name: t('auth.field.name'), preferredLanguage: t('account.profile.language') };
  const passwordLabels = { currentPassword: t('account.password.current'), newPassword: t('auth.field.newPassword'), confirm: t('auth.field.confirmPassword') };
  return renderPage(c, { title: t('account.title'), status: opts.status, page }, () => (
    <>
      <h1>{t('account.title')}</h1>
      <p class="lead">{t('account.lead', { email: user.email })}</p>
      <p>
        <a href="/account/searches">{t('alerts.list.title')}</a> — {t('alerts.list.accountHint')}
      </p>

      {opts.created && (
        <section class="notice-panel secret-panel" aria-labelledby="secret-title" role="status">
          <h2 id="secret-title">{t('account.tokens.createdTitle', { name: opts.created.name })}</h2>
          <p>{t('account.tokens.createdBody')}</p>
          <p>
            <label for="new-token-secret">{t('account.tokens.secret')}</label>
            <input type="text" id="new-token-secret" class="secret" readonly value={opts.created.secret} autocomplete="off" spellcheck={false} />
          </p>
        </section>
      )}

      <section aria-labelledby="profile-title">
        <h2 id="profile-title">{t('account.profile.title')}</h2>
        <ErrorSummary t={t} form={profile} labels={profileLabels} />
        <form method="post" action="/account/profile" class="stack" novalidate>
          <Csrf page={page} />
          <input type="hidden" name="version" value={profile.values.version ?? ''} />
          <TextField t={t} form={profile} name="name" label={profileLabels.name} autocomplete="name" required maxlength={200} />
          <SelectField
            t={t}
            form={profile}
            name="preferredLanguage"
            label={profileLabels.preferredLanguage}
            hint={t('account.profile.languageHint')}
            options={LANGUAGES.map((l) => ({ value: l, label: LANGUAGE_NAMES[l] }))}
          />
          <p>
            <button type="submit" class="button">
              {t('account.profile.save')}
            </button>
          </p>
        </form>
        <h3>{t('account.profile.memberships')}</h3>
        {overview.organizations.length === 0 && user.platformRole === null ? (
          <p class="meta">{t('account.profile.noMemberships')}</p>
        ) : (
          <ul>
            {user.platformRole && <li>{t(`role.${user.platformRole}`)}</li>}
            {overview.organizations.map((o) => (
              <li>
                <a href={`/members/${o.id}`}>{o.acronym}</a> — {t(`role.${o.role}`)}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="password-title">
        <h2 id="password-title">{t('account.password.title')}</h2>
        <ErrorSummary t={t} form={password} labels={passwordLabels} />
        <form method="post" action="/account/password" class="stack" novalidate>
          <Csrf page={page} />
          <input type="text" name="username" value={user.email} autocomplete="username" hidden />
          <TextField t={t} form={password} name="currentPassword" type="password" label={passwordLabels.currentPassword} autocomplete="current-password" required />
          <TextField
            t={t}
            form={password}
            name="newPassword"
            type="password"
            label={passwordLabels.newPassword}
            hint={t('auth.password.hint', { min: PASSWORD_MIN_LENGTH })}
            autocomplete="new-password"
            required
          />
          <TextField t={t} form={password} name="confirm" type="password" label={passwordLabels.confirm} autocomplete="new-password" required />
          <p class="meta">{t('account.password.othersEnd')}</p>
          <p>
            <button type="submit" class="button">
              {t('account.password.submit')}
            </button>
          </p>
        </form>
      </section>

      <section aria-labelledby="sessions-title">
        <h2 id="sessions-title">{t('account.sessions.title')}</h2>
        <p>{t('account.sessions.lead')}</p>
        <div class="table-wrap" tabindex={0}>
          <table>
            <caption class="visually-hidden">{t('account.sessions.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('account.sessions.device')}</th>
                <th scope="col">{t('account.sessions.address')}</th>
                <th scope="col">{t('account.sessions.started')}</th>
                <th scope="col">{t('account.sessions.lastSeen')}</th>
              </tr>
            </thead>
            <tbody>
              {overview.sessions.map((s) => (
                <tr>
                  <td>
                    {s.userAgent ?? t('account.sessions.unknownDevice')}
                    {s.current && <strong class="tag">{t('account.sessions.current')}</strong>}
                  </td>
                  <td>{s.ip ?? '—'}</td>
                  <td>{formatDateTime(page.lang, s.createdAt)}</td>
                  <td>{formatDateTime(page.lang, s.lastSeenAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <p>
          <ActionButton page={page} action="/account/sessions/sign-out-everywhere" label={t('account.sessions.signOutEverywhere')} variant="secondary" />
        </p>
      </section>

      <section aria-labelledby="tokens-title">
        <h2 id="tokens-title">{t('account.tokens.title')}</h2>
        <p>{t('account.tokens.lead')}</p>
        {overview.tokens.length === 0 ? (
          <p class="meta">{t('account.tokens.none')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table>
              <caption class="visually-hidden">{t('account.tokens.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('account.tokens.field.name')}</th>
                  <th scope="col">{t('account.tokens.field.scopes')}</th>
                  <th scope="col">{t('account.tokens.created')}</th>
                  <th scope="col">{t('account.tokens.field.expires')}</th>
                  <th scope="col">{t('account.tokens.lastUsed')}</th>
                  <th scope="col">
                    <span class="visually-hidden">{t('account.tokens.actions')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {overview.tokens.map((tok) => (
                  <tr>
                    <th scope="row" id={`token-${tok.id}`}>
                      {tok.name}
                      <br />
                      <code>icat_{tok.prefix}_…</code>
                      {tok.status !== 'active' && <span class="tag">{t(`account.tokens.status.${tok.status}`)}</span>}
                    </th>
                    <td>{tok.scopes.map((s) => t(`account.tokens.scope.${s}`)).join(', ')}</td>
                    <td>{formatDate(page.lang, tok.createdAt)}</td>
                    <td>{tok.expiresAt ? formatDate(page.lang, tok.expiresAt) : t('account.tokens.never')}</td>
                    <td>{tok.lastUsedAt ? formatDateTime(page.lang, tok.lastUsedAt) : t('account.tokens.neverUsed')}</td>
                    <td>
                      <ActionButton page={page} action={`/account/tokens/${tok.id}/revoke`} label={t('account.tokens.revoke')} variant="danger" describedBy={`token-${tok.id}`} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h3>{t('account.tokens.newTitle')}</h3>
        <TokenForm page={page} form={tokenForm} overview={overview} />
      </section>
    </>
  ));
}

async function postProfile(c: Context<AppEnv>) {
  const t = c.get('t');
  const ctx = c.get('ctx');
  const body = await c.req.parseBody();
  const values = { name: str(body, 'name'), preferredLanguage: str(body, 'preferredLanguage'), version: str(body, 'version') };
  const actor = ctx.actor;
  if (actor.kind !== 'user') return accountPage(c); // getAccountOverview refuses with the right error
  try {
    const user = await updateUser(ctx, actor.userId, {
      name: values.name,
      preferredLanguage: values.preferredLanguage as 'en',
      version: Number(values.version) || 0,
    });
    if (isLanguage(user.preferredLanguage)) {
      setCookie(c, LANGUAGE_COOKIE, user.preferredLanguage, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'Lax', secure: c.get('services').config.secureCookies });
    }
    return c.redirect('/account?notice=identity.profileSaved', 303);
  } catch (err) {
    const e = formError(err);
    if (e.code === 'VERSION_CONFLICT') {
      return accountPage(c, { status: 409, flash: { kind: 'error', text: t('account.profile.conflict') } });
    }
    return accountPage(c, { forms: { profile: { values, errors: formErrors(t, c.get('lang'), e) } }, status: 422 });
  }
}

async function postPassword(c: Context<AppEnv>) {
  const t = c.get('t');
  const body = await c.req.parseBody();
  const newPassword = str(body, 'newPassword');
  if (newPassword !== str(body, 'confirm')) {
    return accountPage(c, { forms: { password: { values: {}, errors: { confirm: t('auth.password.mismatch') } } }, status: 422 });
  }
  try {
    await changePassword(c.get('ctx'), { currentPassword: str(body, 'currentPassword'), newPassword });
  } catch (err) {
    const e = formError(err);
    const errors = formErrors(t, c.get('lang'), e);
    if (e.fields.some((f) => f.path === 'currentPassword')) errors.currentPassword = t('account.password.wrongCurrent');
    return accountPage(c, { forms: { password: { values: {}, errors } }, status: 422 });
  }
  return c.redirect('/account?notice=identity.passwordChanged', 303);
}

async function postSignOutEverywhere(c: Context<AppEnv>) {
  await signOutEverywhere(c.get('ctx'));
  clearSessionCookie(c);
  rotateCsrfToken(c);
  return c.redirect('/sign-in?notice=identity.signedOutEverywhere', 303);
}

async function postToken(c: Context<AppEnv>) {
  const t = c.get('t');
  const body = await c.req.parseBody({ all: true });
  const scopes = strs(body, 'scopes');
  const values = { name: str(body, 'name'), scopes: scopes.join(','), organizationId: str(body, 'organizationId'), expiresAt: str(body, 'expiresAt') };
  const expires = values.expiresAt.trim();
  try {
    const created = await createApiToken(c.get('ctx'), {
      name: values.name,
      scopes: scopes as ('read' | 'write' | 'admin')[],
      organizationId: values.organizationId || null,
      // A date means "until the end of that day" (UTC); anything else goes as typed so the domain names the field.
      expiresAt: expires ? (/^\d{4}-\d{2}-\d{2}$/.test(expires) ? `${expires}T23:59:59Z` : expires) : null,
    });
    return accountPage(c, { created: { name: created.token.name, secret: created.secret }, status: 201 });
  } catch (err) {
    const e = formError(err);
    const errors = formErrors(t, c.get('lang'), e, (p) => (p.startsWith('scopes') ? 'scopes' : p));
    if (e.fields.some((f) => f.code === 'scope_not_allowed')) errors.scopes = t('account.tokens.scopeNotAllowed');
    return accountPage(c, { forms: { token: { values, errors } }, status: 422 });
  }
}

async function postRevokeToken(c: Context<AppEnv>) {
  await revokeApiToken(c.get('ctx'), c.req.param('id') ?? '');
  return c.redirect('/account?notice=identity.tokenRevoked', 303);
}

/** The signed-in person's own account: profile, password, sessions and API tokens. */
export function accountRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/account', (c) => accountPage(c));
  r.post('/account/profile', postProfile);
  r.post('/account/password', postPassword);
  r.post('/account/sessions/sign-out-everywhere', postSignOutEverywhere);
  r.post('/account/tokens', postToken);
  r.post('/account/tokens/:id/revoke', postRevokeToken);
  return r;
}
