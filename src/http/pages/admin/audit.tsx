import type { Context } from 'hono';
import { listAudit, type AuditEntryView } from '../../../domain/audit/list-audit.ts';
import { forbidden } from '../../../domain/errors.ts';
import { can } from '../../../domain/policies.ts';
import type { AppEnv } from '../../env.ts';
import { Diff } from '../components/diff.tsx';
import { emptyForm, ErrorSummary, expectedError, formErrors, SelectField, TextField, type FormState } from '../components/form.tsx';
import { Pager } from '../components/pager.tsx';
import { formatDateTime, isoDate } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { AdminShell, requireAdministration } from './admin-shell.tsx';

const RECORD_TYPES = ['organization', 'user', 'invitation', 'api_token', 'sign_in', 'database'] as const;
const FILTERS = ['recordType', 'action', 'actor', 'from', 'to'] as const;

function recordLink(e: AuditEntryView): string | undefined {
  if (e.recordType === 'organization') return `/members/${e.recordId}`;
  if (e.recordType === 'user') return `/admin/users/${e.recordId}`;
  return undefined;
}

function Entry({ page, e }: { page: PageContext; e: AuditEntryView }) {
  const { t } = page;
  const link = recordLink(e);
  return (
    <li class="audit-entry">
      <div class="audit-head">
        <time datetime={isoDate(e.at)} class="audit-time">
          {formatDateTime(page.lang, e.at)}
        </time>
        <span class="audit-action">{t(`audit.action.${e.action}`, { defaultValue: e.action })}</span>
        <code class="meta">{e.action}</code>
      </div>
      <p class="audit-meta">
        {t('audit.by', { actor: e.actor.label })}
        {e.actor.tokenId && <span class="badge badge-info">{t('audit.viaToken')}</span>} · {t(`audit.recordType.${e.recordType}`, { defaultValue: e.recordType })}{' '}
        {link ? (
          <a href={link}>
            <code>{e.recordId}</code>
          </a>
        ) : (
          <code>{e.recordId}</code>
        )}
        {e.ip && <span class="meta"> · {e.ip}</span>}
      </p>
      {(e.before !== null || e.after !== null) && <Diff t={t} before={e.before} after={e.after} caption={t('audit.changesOf', { action: e.action, id: e.recordId })} />}
    </li>
  );
}

/** GET /admin/audit: the audit log, newest first, filtered by record, action, actor and period. */
export async function auditPage(c: Context<AppEnv>) {
  requireAdministration(c);
  const ctx = c.get('ctx');
  if (!can(ctx.actor, 'audit.read')) throw forbidden();
  const t = c.get('t');
  const values = Object.fromEntries(FILTERS.map((k) => [k, (c.req.query(k) ?? '').trim().slice(0, 254)])) as Record<(typeof FILTERS)[number], string>;
  const cursor = c.req.query('cursor')?.slice(0, 500) || undefined;
  let form: FormState = emptyForm(values);
  let result: Awaited<ReturnType<typeof listAudit>> = { items: [], nextCursor: null };
  let status = 200;
  try {
    result = await listAudit(ctx, {
      recordType: values.recordType || undefined,
      action: values.action || undefined,
      actor: values.actor || undefined,
      from: values.from || undefined,
      to: values.to || undefined,
      cursor,
      limit: 50,
    });
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED']);
    if (!err) throw caught;
    form = { values, errors: formErrors(t, c.get('lang'), err) };
    status = 422;
  }
  const labels = {
    recordType: t('audit.filter.recordType'),
    action: t('audit.filter.action'),
    actor: t('audit.filter.actor'),
    from: t('audit.filter.from'),
    to: t('audit.filter.to'),
  };
  return renderPage(c, { title: t('audit.title'), status }, (page) => (
    <AdminShell page={page} heading={t('audit.title')} intro={t('audit.intro')}>
      <ErrorSummary t={t} form={form} labels={labels} />
      <form method="get" action="/admin/audit" class="filter-bar" role="search" aria-label={t('admin.filter')} novalidate>
        <SelectField
          t={t}
          form={form}
          name="recordType"
          label={labels.recordType}
          options={[{ value: '', label: t('audit.filter.anyRecord') }, ...RECORD_TYPES.map((r) => ({ value: r, label: t(`audit.recordType.${r}`) }))]}
        />
        <TextField t={t} form={form} name="action" label={labels.action} hint={t('audit.filter.actionHint')} />
        <TextField t={t} form={form} name="actor" label={labels.actor} hint={t('audit.filter.actorHint')} />
        <TextField t={t} form={form} name="from" type="date" label={labels.from} />
        <TextField t={t} form={form} name="to" type="date" label={labels.to} />
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('members.filter.submit')}
          </button>
          {Object.values(values).some(Boolean) && (
            <a class="button button-secondary" href="/admin/audit">
              {t('members.filter.clear')}
            </a>
          )}
        </div>
      </form>
      {result.items.length === 0 ? (
        <p class="empty">{t('audit.none')}</p>
      ) : (
        <ol class="audit-list">
          {result.items.map((e) => (
            <Entry page={page} e={e} />
          ))}
        </ol>
      )}
      <Pager page={page} nextCursor={result.nextCursor} params={values} />
    </AdminShell>
  ));
}
