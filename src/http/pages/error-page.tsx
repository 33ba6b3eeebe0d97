import type { Context } from 'hono';
import type { AppError } from '../../domain/errors.ts';
import type { AppEnv } from '../env.ts';
import { STATUS_BY_CODE } from '../problem.ts';
import { renderPage } from './render.tsx';

/** A friendly page for an error met while browsing; the details go to the log, not the page. */
export function errorPage(c: Context<AppEnv>, err: AppError) {
  const t = c.get('t');
  const status = STATUS_BY_CODE[err.code];
  if (err.code === 'UNAUTHENTICATED' && c.req.method === 'GET') {
    return c.redirect(`/sign-in?next=${encodeURIComponent(new URL(c.req.url).pathname + new URL(c.req.url).search)}`, 303);
  }
  const key = err.code.toLowerCase();
  return renderPage(c, { title: t(`errors.${key}.title`), status }, () => (
    <section class="error-page" aria-labelledby="error-title">
      <p class="eyebrow">{t('errors.status', { status })}</p>
      <h1 id="error-title">{t(`errors.${key}.title`)}</h1>
      <p class="lead">{t(`errors.${key}.body`)}</p>
      {err.fields.length > 0 && (
        <ul class="field-errors">
          {err.fields.map((f) => (
            <li>
              <code>{f.path}</code>: {f.message}
            </li>
          ))}
        </ul>
      )}
      <p class="request-id">{t('errors.requestId', { id: c.get('requestId') })}</p>
      <p>
        <a class="button" href="/">
          {t('errors.home')}
        </a>
      </p>
    </section>
  ));
}
