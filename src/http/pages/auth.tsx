import { Hono, type Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { AppError } from '../../domain/errors.ts';
import { acceptInvitation, previewInvitation, type InvitationPreview } from '../../domain/identity/invitations.ts';
import { isPasswordResetUsable, requestPasswordReset, resetPassword } from '../../domain/identity/password-resets.ts';
import { PASSWORD_MIN_LENGTH } from '../../domain/identity/passwords.ts';
import { signIn, signOut } from '../../domain/identity/sessions.ts';
import { pickText } from '../../domain/languages.ts';
import type { AppEnv } from '../env.ts';
import { toAppError } from '../problem.ts';
import { clearSessionCookie, sessionCookie, setSessionCookie } from '../middleware/actor.ts';
import { rotateCsrfToken } from '../middleware/csrf.ts';
import { LANGUAGE_COOKIE } from '../middleware/language.ts';
import { Csrf, emptyForm, ErrorSummary, formErrors, TextField, type FormState } from './components/form.tsx';
import { formatDateTime } from './format.ts';
import { safeNext } from './index.tsx';
import { pageContext, type PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v : '';
};

/** An AppError the forms show next to their fields; anything else goes to the error page. */
function asFormError(err: unknown): AppError {
  const e = toAppError(err);
  if (['VALIDATION_FAILED', 'UNAUTHENTICATED', 'RATE_LIMITED', 'CONFLICT', 'NOT_FOUND'].includes(e.code)) return e;
  throw err;
}

/** After a password form fails, the passwords are never sent back into the page. */
const withoutSecrets = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).filter(([k]) => !/password|confirm/i.test(k)));

/** A second "repeat the password" field catches typing mistakes before the domain sees the password. */
function confirmMismatch(t: PageContext['t'], password: string, confirm: string): FormState['errors'] {
  return password !== confirm ? { confirm: t('auth.password.mismatch') } : {};
}

// ---------------------------------------------------------------- sign in

function signInPage(c: Context<AppEnv>, form: FormState, opts: { status?: number; flash?: PageContext['flash'] } = {}) {
  const t = c.get('t');
  const page = pageContext(c);
  if (opts.flash) page.flash = opts.flash;
  const labels = { email: t('auth.field.email'), password: t('auth.field.password') };
  return renderPage(c, { title: t('auth.signIn.title'), status: opts.status, page }, () => (
    <section class="auth-panel" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('auth.signIn.title')}</h1>
      <p class="lead">{t('auth.signIn.lead')}</p>
      <ErrorSummary t={t} form={form} labels={labels} />
      <form method="post" action="/sign-in" class="stack" novalidate>
        <Csrf page={page} />
        <input type="hidden" name="next" value={form.values.next ?? ''} />
        <TextField t={t} form={form} name="email" type="email" label={labels.email} autocomplete="username" required maxlength={254} />
        <TextField t={t} form={form} name="password" type="password" label={labels.password} autocomplete="current-password" required />
        <p>
          <button type="submit" class="button">
            {t('auth.signIn.submit')}
          </button>
        </p>
      </form>
      <p>
        <a href="/password/forgot">{t('auth.signIn.forgot')}</a>
      </p>
      <p class="meta">{t('auth.signIn.noAccount')}</p>
    </section>
  ));
}

async function postSignIn(c: Context<AppEnv>) {
  const t = c.get('t');
  const body = await c.req.parseBody();
  const values = { email: str(body, 'email'), next: safeNext(str(body, 'next'), '') };
  try {
    const session = await signIn(
      c.get('ctx'),
      { email: values.email, password: str(body, 'password') },
      { previousSessionSecret: sessionCookie(c), userAgent: c.req.header('user-agent') ?? null },
    );
    setSessionCookie(c, session.secret, session.expiresAt);
    rotateCsrfToken(c);
    // The person's own language, unless they chose one in this browser already.
    if (!getCookie(c, LANGUAGE_COOKIE)) {
      setCookie(c, LANGUAGE_COOKIE, session.actor.language, { path: '/', maxAge: 60 * 60 * 24 * 365, sameSite: 'Lax', secure: c.get('services').config.secureCookies });
    }
    return c.redirect(safeNext(values.next, '/'), 303);
  } catch (err) {
    const e = asFormError(err);
    const form: FormState = { values, errors: {} };
    if (e.code === 'RATE_LIMITED') {
      if (e.retryAfterSeconds) c.header('retry-after', String(e.retryAfterSeconds));
      const minutes = Math.max(1, Math.ceil((e.retryAfterSeconds ?? 900) / 60));
      return signInPage(c, form, { status: 429, flash: { kind: 'error', text: t('auth.signIn.locked', { minutes }) } });
    }
    if (e.code === 'UNAUTHENTICATED') {
      form.errors.password = t('auth.signIn.invalid');
      return signInPage(c, form, { status: 401 });
    }
    form.errors = formErrors(t, c.get('lang'), e);
    return signInPage(c, form, { status: 422 });
  }
}

async function postSignOut(c: Context<AppEnv>) {
  await signOut(c.get('ctx'), sessionCookie(c));
  clearSessionCookie(c);
  rotateCsrfToken(c);
  return c.redirect('/?notice=identity.signedOut', 303);
}

// ---------------------------------------------------------------- forgotten password

function forgotPage(c: Context<AppEnv>, form: FormState, status?: number) {
  const t = c.get('t');
  const page = pageContext(c);
  const labels = { email: t('auth.field.email') };
  return renderPage(c, { title: t('auth.forgot.title'), status, page }, () => (
    <section class="auth-panel" aria-labelledby="forgot-title">
      <h1 id="forgot-title">{t('auth.forgot.title')}</h1>
      <p class="lead">{t('auth.forgot.lead')}</p>
      <ErrorSummary t={t} form={form} labels={labels} />
      <form method="post" action="/password/forgot" class="stack" novalidate>
        <Csrf page={page} />
        <TextField t={t} form={form} name="email" type="email" label={labels.email} autocomplete="username" required maxlength={254} />
        <p>
          <button type="submit" class="button">
            {t('auth.forgot.submit')}
          </button>
        </p>
      </form>
      <p>
        <a href="/sign-in">{t('auth.backToSignIn')}</a>
      </p>
    </section>
  ));
}

async function postForgot(c: Context<AppEnv>) {
  const t = c.get('t');
  const body = await c.req.parseBody();
  const email = str(body, 'email');
  try {
    await requestPasswordReset(c.get('ctx'), { email });
  } catch (err) {
    const e = asFormError(err);
    return forgotPage(c, { values: { email }, errors: formErrors(t, c.get('lang'), e) }, 422);
  }
  // The same answer whether or not the address has an account.
  return renderPage(c, { title: t('auth.forgot.sentTitle') }, () => (
    <section class="auth-panel" aria-labelledby="sent-title">
      <h1 id="sent-title">{t('auth.forgot.sentTitle')}</h1>
      <p class="lead">{t('auth.forgot.sentBody', { email: email.trim() })}</p>
      <p>
        <a href="/sign-in">{t('auth.backToSignIn')}</a>
      </p>
    </section>
  ));
}

// ---------------------------------------------------------------- reset with a link

function invalidLinkPage(c: Context<AppEnv>, kind: 'reset' | 'invitation') {
  const t = c.get('t');
  return renderPage(c, { title: t(`auth.${kind}.invalidTitle`), status: 404 }, () => (
    <section class="auth-panel" aria-labelledby="invalid-title">
      <h1 id="invalid-title">{t(`auth.${kind}.invalidTitle`)}</h1>
      <p class="lead">{t(`auth.${kind}.invalidBody`)}</p>
      <p>
        {kind === 'reset' ? (
          <a class="button" href="/password/forgot">
            {t('auth.reset.askAgain')}
          </a>
        ) : (
          <a class="button" href="/sign-in">
            {t('auth.backToSignIn')}
          </a>
        )}
      </p>
    </section>
  ));
}

function resetPage(c: Context<AppEnv>, form: FormState, status?: number) {
  const t = c.get('t');
  const page = pageContext(c);
  const labels = { password: t('auth.field.newPassword'), confirm: t('auth.field.confirmPassword') };
  return renderPage(c, { title: t('auth.reset.title'), status, page }, () => (
    <section class="auth-panel" aria-labelledby="reset-title">
      <h1 id="reset-title">{t('auth.reset.title')}</h1>
      <p class="lead">{t('auth.reset.lead')}</p>
      <ErrorSummary t={t} form={form} labels={labels} />
      <form method="post" action={page.path} class="stack" novalidate>
        <Csrf page={page} />
        <TextField t={t} form={form} name="password" type="password" label={labels.password} hint={t('auth.password.hint', { min: PASSWORD_MIN_LENGTH })} autocomplete="new-password" required />
        <TextField t={t} form={form} name="confirm" type="password" label={labels.confirm} autocomplete="new-password" required />
        <p>
          <button type="submit" class="button">
            {t('auth.reset.submit')}
          </button>
        </p>
      </form>
    </section>
  ));
}

async function getReset(c: Context<AppEnv>) {
  c.header('referrer-policy', 'no-referrer');
  if (!(await isPasswordResetUsable(c.get('ctx'), c.req.param('token') ?? ''))) return invalidLinkPage(c, 'reset');
  return resetPage(c, emptyForm());
}

async function postReset(c: Context<AppEnv>) {
  const t = c.get('t');
  c.header('referrer-policy', 'no-referrer');
  const body = await c.req.parseBody();
  const password = str(body, 'password');
  const mismatch = confirmMismatch(t, password, str(body, 'confirm'));
  if (Object.keys(mismatch).length > 0) return resetPage(c, { values: {}, errors: mismatch }, 422);
  try {
    await resetPassword(c.get('ctx'), c.req.param('token') ?? '', { password });
  } catch (err) {
    const e = asFormError(err);
    if (e.code === 'NOT_FOUND') return invalidLinkPage(c, 'reset');
    return resetPage(c, { values: {}, errors: formErrors(t, c.get('lang'), e) }, 422);
  }
  return c.redirect('/sign-in?notice=identity.passwordReset', 303);
}

// ---------------------------------------------------------------- accept an invitation

function invitationPage(c: Context<AppEnv>, invitation: InvitationPreview, form: FormState, status?: number) {
  const t = c.get('t');
  const page = pageContext(c);
  const labels = { name: t('auth.field.name'), password: t('auth.field.newPassword'), confirm: t('auth.field.confirmPassword') };
  const as = invitation.organization
    ? t('auth.invitation.asMember', { organization: `${pickText(invitation.organization.name, page.lang)} (${invitation.organization.acronym})`, role: t(`role.${invitation.role ?? 'staff'}`) })
    : t('auth.invitation.asRole', { role: t(`role.${invitation.platformRole ?? 'coordinator'}`) });
  return renderPage(c, { title: t('auth.invitation.title'), status, page }, () => (
    <section class="auth-panel" aria-labelledby="invitation-title">
      <h1 id="invitation-title">{t('auth.invitation.title')}</h1>
      <p class="lead">{as}</p>
      <dl class="facts">
        <div>
          <dt>{t('auth.field.email')}</dt>
          <dd>{invitation.email}</dd>
        </div>
        <div>
          <dt>{t('auth.invitation.expires')}</dt>
          <dd>{formatDateTime(page.lang, invitation.expiresAt)}</dd>
        </div>
      </dl>
      <ErrorSummary t={t} form={form} labels={labels} />
      <form method="post" action={page.path} class="stack" novalidate>
        <Csrf page={page} />
        <TextField t={t} form={form} name="name" label={labels.name} autocomplete="name" required maxlength={200} />
        <TextField t={t} form={form} name="password" type="password" label={labels.password} hint={t('auth.password.hint', { min: PASSWORD_MIN_LENGTH })} autocomplete="new-password" required />
        <TextField t={t} form={form} name="confirm" type="password" label={labels.confirm} autocomplete="new-password" required />
        <p>
          <button type="submit" class="button">
            {t('auth.invitation.submit')}
          </button>
        </p>
      </form>
    </section>
  ));
}

async function getInvitation(c: Context<AppEnv>) {
  c.header('referrer-policy', 'no-referrer');
  try {
    const invitation = await previewInvitation(c.get('ctx'), c.req.param('token') ?? '');
    return invitationPage(c, invitation, emptyForm({ name: invitation.name ?? '' }));
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return invalidLinkPage(c, 'invitation');
    throw err;
  }
}

async function postInvitation(c: Context<AppEnv>) {
  const t = c.get('t');
  c.header('referrer-policy', 'no-referrer');
  const token = c.req.param('token') ?? '';
  const body = await c.req.parseBody();
  const values = { name: str(body, 'name') };
  const password = str(body, 'password');
  let invitation: InvitationPreview;
  try {
    invitation = await previewInvitation(c.get('ctx'), token);
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return invalidLinkPage(c, 'invitation');
    throw err;
  }
  const mismatch = confirmMismatch(t, password, str(body, 'confirm'));
  if (Object.keys(mismatch).length > 0) return invitationPage(c, invitation, { values, errors: mismatch }, 422);
  try {
    const { session } = await acceptInvitation(
      c.get('ctx'),
      token,
      { name: values.name, password },
      { userAgent: c.req.header('user-agent') ?? null, language: c.get('lang'), previousSessionSecret: sessionCookie(c) },
    );
    setSessionCookie(c, session.secret, session.expiresAt);
    rotateCsrfToken(c);
    return c.redirect('/account?notice=identity.welcome', 303);
  } catch (err) {
    const e = asFormError(err);
    if (e.code === 'NOT_FOUND') return invalidLinkPage(c, 'invitation');
    const errors = e.code === 'CONFLICT' ? { name: e.message } : formErrors(t, c.get('lang'), e);
    return invitationPage(c, invitation, { values: withoutSecrets(values), errors }, e.code === 'CONFLICT' ? 409 : 422);
  }
}

/** Sign in and out, forgotten passwords and invitations: the pages a person meets before having a session. */
export function authRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/sign-in', (c) => {
    const next = safeNext(c.req.query('next'), '');
    if (c.get('actor').kind === 'user') return c.redirect(safeNext(next, '/account'), 303);
    return signInPage(c, emptyForm({ next }));
  });
  r.post('/sign-in', postSignIn);
  r.post('/sign-out', postSignOut);
  r.get('/password/forgot', (c) => forgotPage(c, emptyForm()));
  r.post('/password/forgot', postForgot);
  r.get('/password/reset/:token', getReset);
  r.post('/password/reset/:token', postReset);
  r.get('/invitations/:token', getInvitation);
  r.post('/invitations/:token', postInvitation);
  return r;
}
