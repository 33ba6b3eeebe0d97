import { Hono, type Context } from 'hono';
import { ALERT_FREQUENCIES, type SavedSearch } from '../../domain/alerts/alert-schemas.ts';
import { createSavedSearch, deleteSavedSearch, listSavedSearches, openSavedSearch, updateSavedSearch } from '../../domain/alerts/saved-searches.ts';
import { confirmSubscription, describeConfirmation, describeUnsubscribe, subscribeToSearch, unsubscribe } from '../../domain/alerts/subscriptions.ts';
import type { AppEnv } from '../env.ts';
import { ActionButton, Csrf, expectedError, formErrors, type FormState } from './components/form.tsx';
import { formatDateTime, formatNumber } from './format.ts';
import { libraryPage } from './library/library-search.tsx';
import type { PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';

type Body = Record<string, string | File | (string | File)[]>;
const str = (body: Body, key: string): string => {
  const v = body[key];
  return typeof v === 'string' ? v : '';
};
const libraryHref = (query: string) => `/library${query ? `?${query}` : ''}`;

/** POST /library/saved — saves the search shown; errors come back beside the form on the library page. */
async function postSave(c: Context<AppEnv>) {
  const body = await c.req.parseBody();
  const values = { name: str(body, 'name'), frequency: str(body, 'frequency') || 'none', query: str(body, 'query') };
  try {
    await createSavedSearch(c.get('ctx'), { name: values.name, query: values.query, frequency: values.frequency as 'none' });
    return c.redirect('/account/searches?notice=alerts.saved', 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'CONFLICT']);
    if (!err) throw caught;
    const t = c.get('t');
    const form: FormState = { values, errors: formErrors(t, c.get('lang'), err, (p) => (p === 'query' ? 'name' : p)) };
    if (err.code === 'CONFLICT') form.errors.name = t('alerts.save.duplicate');
    if (Object.keys(form.errors).length === 0) form.errors.name = err.message;
    return libraryPage(c, { query: values.query, forms: { save: form }, status: err.code === 'CONFLICT' ? 409 : 422 });
  }
}

/** POST /library/subscribe — a reader asks for e-mail alerts; the same answer whatever the address. */
async function postSubscribe(c: Context<AppEnv>) {
  const body = await c.req.parseBody();
  const values = { email: str(body, 'email'), frequency: str(body, 'frequency') || 'weekly', query: str(body, 'query') };
  const t = c.get('t');
  try {
    await subscribeToSearch(c.get('ctx'), { email: values.email, query: values.query, frequency: values.frequency as 'weekly', language: c.get('lang') });
    const sep = values.query ? '&' : '?';
    return c.redirect(`${libraryHref(values.query)}${sep}notice=alerts.confirmSent`, 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'RATE_LIMITED']);
    if (!err) throw caught;
    if (err.code === 'RATE_LIMITED') {
      if (err.retryAfterSeconds) c.header('retry-after', String(err.retryAfterSeconds));
      return libraryPage(c, { query: values.query, forms: { subscribe: { values, errors: {} } }, status: 429, flash: { kind: 'error', text: t('alerts.subscribe.tooMany') } });
    }
    const form: FormState = { values, errors: formErrors(t, c.get('lang'), err) };
    if (Object.keys(form.errors).length === 0) form.errors.email = err.message;
    return libraryPage(c, { query: values.query, forms: { subscribe: form }, status: 422 });
  }
}

function SavedSearchItem({ page, s }: { page: PageContext; s: SavedSearch }) {
  const { t, lang } = page;
  const id = `s-${s.id}`;
  return (
    <li class="card saved-search" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>
        <a href={`/account/searches/${s.id}/open`}>{s.name}</a>
        {s.newMatches > 0 ? (
          <span class="badge badge-info">
            {t('alerts.list.new', { count: s.newMatches, formatted: `${formatNumber(lang, s.newMatches)}${s.newMatchesCapped ? '+' : ''}` })}
          </span>
        ) : (
          <span class="badge badge-muted">{t('alerts.list.noneNew')}</span>
        )}
      </h2>
      <p class="meta">
        {t('alerts.list.lastVisit', { when: formatDateTime(lang, s.lastVisitedAt) })}
        {' · '}
        {s.frequency === 'none' ? t('alerts.list.noAlert') : t('alerts.list.alert', { frequency: t(`alerts.frequency.${s.frequency}`) })}
        {s.alertSentAt && ` · ${t('alerts.list.lastSent', { when: formatDateTime(lang, s.alertSentAt) })}`}
      </p>
      <form method="post" action={`/account/searches/${s.id}`} class="inline-fields">
        <Csrf page={page} />
        <div class="field">
          <label for={`${id}-name`}>{t('alerts.field.name')}</label>
          <input type="text" id={`${id}-name`} name="name" value={s.name} required maxlength={200} />
        </div>
        <div class="field">
          <label for={`${id}-frequency`}>{t('alerts.field.frequency')}</label>
          <select id={`${id}-frequency`} name="frequency">
            {ALERT_FREQUENCIES.map((f) => (
              <option value={f} selected={f === s.frequency}>
                {t(`alerts.frequency.${f}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button-secondary button-small" aria-describedby={`${id}-title`}>
          {t('alerts.list.save')}
        </button>
      </form>
      <ActionButton page={page} action={`/account/searches/${s.id}/delete`} label={t('alerts.list.delete')} variant="danger" describedBy={`${id}-title`} />
    </li>
  );
}

/** GET /account/searches — the person's saved searches with their new matches. */
async function savedSearchesPage(c: Context<AppEnv>, o: { status?: number; flash?: PageContext['flash'] } = {}) {
  const t = c.get('t');
  const list = await listSavedSearches(c.get('ctx'));
  return renderPage(c, { title: t('alerts.list.title'), status: o.status }, (page) => {
    if (o.flash) page.flash = o.flash;
    return (
      <>
        <p class="meta">
          <a href="/account">{t('account.title')}</a>
        </p>
        <h1>{t('alerts.list.title')}</h1>
        <p class="lead">{t('alerts.list.lead')}</p>
        {list.length === 0 ? (
          <p class="empty">
            {t('alerts.list.empty')} <a href="/library">{t('library.title')}</a>
          </p>
        ) : (
          <ul class="saved-searches">
            {list.map((s) => (
              <SavedSearchItem page={page} s={s} />
            ))}
          </ul>
        )}
      </>
    );
  });
}

async function postUpdate(c: Context<AppEnv>) {
  const body = await c.req.parseBody();
  try {
    await updateSavedSearch(c.get('ctx'), c.req.param('id') ?? '', { name: str(body, 'name'), frequency: str(body, 'frequency') as 'none' });
    return c.redirect('/account/searches?notice=alerts.updated', 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED']);
    if (!err) throw caught;
    const t = c.get('t');
    const messages = Object.values(formErrors(t, c.get('lang'), err));
    return savedSearchesPage(c, { status: 422, flash: { kind: 'error', text: messages.join(' ') || err.message } });
  }
}

/** The confirmation and unsubscribe landing pages: what the link is about, and one button. */
function Landing({ page, title, lead, query, action, button }: { page: PageContext; title: string; lead: string; query: string; action?: string; button?: string }) {
  return (
    <>
      <h1>{title}</h1>
      <p class="lead">{lead}</p>
      <p>
        <a href={libraryHref(query)}>{page.t('alerts.landing.openSearch')}</a>
      </p>
      {action && button && (
        <form method="post" action={action}>
          <Csrf page={page} />
          <button type="submit" class="button">
            {button}
          </button>
        </form>
      )}
    </>
  );
}

async function confirmPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const token = c.req.param('token') ?? '';
  const s = await describeConfirmation(c.get('ctx'), token);
  return renderPage(c, { title: t('alerts.confirm.title') }, (page) => (
    <Landing
      page={page}
      title={t('alerts.confirm.title')}
      lead={t('alerts.confirm.lead', { name: s.name, frequency: t(`alerts.frequency.${s.frequency}`) })}
      query={s.query}
      action={`/alerts/confirm/${token}`}
      button={t('alerts.confirm.submit')}
    />
  ));
}

async function postConfirm(c: Context<AppEnv>) {
  const t = c.get('t');
  const s = await confirmSubscription(c.get('ctx'), c.req.param('token') ?? '');
  return renderPage(c, { title: t('alerts.confirm.doneTitle') }, (page) => (
    <Landing page={page} title={t('alerts.confirm.doneTitle')} lead={t('alerts.confirm.doneLead', { name: s.name })} query={s.query} />
  ));
}

async function unsubscribePage(c: Context<AppEnv>) {
  const t = c.get('t');
  const token = c.req.param('token') ?? '';
  const s = await describeUnsubscribe(c.get('ctx'), token);
  return renderPage(c, { title: t('alerts.unsubscribe.title') }, (page) =>
    s.active ? (
      <Landing page={page} title={t('alerts.unsubscribe.title')} lead={t('alerts.unsubscribe.lead', { name: s.name })} query={s.query} action={`/alerts/unsubscribe/${token}`} button={t('alerts.unsubscribe.submit')} />
    ) : (
      <Landing page={page} title={t('alerts.unsubscribe.doneTitle')} lead={t('alerts.unsubscribe.doneLead', { name: s.name })} query={s.query} />
    ),
  );
}

/** POST /alerts/unsubscribe/:token — the page's button, and RFC 8058 one-click posts of mail clients. */
async function postUnsubscribe(c: Context<AppEnv>) {
  const t = c.get('t');
  const s = await unsubscribe(c.get('ctx'), c.req.param('token') ?? '');
  return renderPage(c, { title: t('alerts.unsubscribe.doneTitle') }, (page) => (
    <Landing page={page} title={t('alerts.unsubscribe.doneTitle')} lead={t('alerts.unsubscribe.doneLead', { name: s.name })} query="" />
  ));
}

/** Saved searches, e-mail subscriptions and their landing pages. */
export function searchAlertRoutes() {
  const r = new Hono<AppEnv>();
  r.post('/library/saved', postSave);
  r.post('/library/subscribe', postSubscribe);
  r.get('/account/searches', (c) => savedSearchesPage(c));
  r.get('/account/searches/:id/open', async (c) => c.redirect((await openSavedSearch(c.get('ctx'), c.req.param('id'))).url, 303));
  r.post('/account/searches/:id', postUpdate);
  r.post('/account/searches/:id/delete', async (c) => {
    await deleteSavedSearch(c.get('ctx'), c.req.param('id'));
    return c.redirect('/account/searches?notice=alerts.deleted', 303);
  });
  r.get('/alerts/confirm/:token', confirmPage);
  r.post('/alerts/confirm/:token', postConfirm);
  r.get('/alerts/unsubscribe/:token', unsubscribePage);
  r.post('/alerts/unsubscribe/:token', postUnsubscribe);
  return r;
}
