import type { Context } from 'hono';
import { Hono } from 'hono';
import { commitSpreadsheetImport, describeUpload, dryRunSpreadsheetImport, spreadsheetTemplate, uploadSpreadsheet, type ImportReport, type ImportResult } from '../../domain/activities/import-spreadsheet.ts';
import { authorize } from '../../domain/policies.ts';
import type { AppEnv } from '../env.ts';
import { Csrf, expectedError, FileField } from './components/form.tsx';
import { formatDateTime, formatNumber } from './format.ts';
import type { PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';
import { Breadcrumb } from './components/breadcrumb.tsx';

const megabytes = (bytes: number) => (bytes / 1048576).toFixed(1);

function UploadForm({ page, limit, error }: { page: PageContext; limit: number; error?: string }) {
  const { t } = page;
  return (
    <form method="post" action="/activities/import" enctype="multipart/form-data" class="stack-fields upload-form">
      <Csrf page={page} />
      <FileField
        t={t}
        id="import-file"
        label={t('activityImport.file')}
        hint={t('activityImport.fileHint', { size: megabytes(limit) })}
        accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        error={error}
      />
      <div class="form-actions">
        <button type="submit" class="button">
          {t('activityImport.check')}
        </button>
      </div>
    </form>
  );
}

function Crumbs({ page, here }: { page: PageContext; here: string }) {
  return <Breadcrumb t={page.t} trail={[{ href: '/activities', label: page.t('activityList.title') }]} here={here} />;
}

/** The upload page: what the file must hold, the templates, and the upload form. */
export async function importPage(c: Context<AppEnv>, opts: { error?: string; status?: number } = {}) {
  const t = c.get('t');
  authorize(c.get('actor'), 'activity.import');
  const limit = c.get('services').config.MAX_UPLOAD_BYTES;
  return renderPage(c, { title: t('activityImport.title'), status: opts.status }, (page) => (
    <>
      <Crumbs page={page} here={t('activityImport.title')} />
      <h1>{t('activityImport.title')}</h1>
      <p class="lead">{t('activityImport.lead')}</p>
      <ol class="steps">
        <li>
          {t('activityImport.step1')}{' '}
          <a href="/activities/import/template.xlsx" download>
            {t('activityImport.templateXlsx')}
          </a>{' '}
          ·{' '}
          <a href="/activities/import/template.csv" download>
            {t('activityImport.templateCsv')}
          </a>
        </li>
        <li>{t('activityImport.step2')}</li>
        <li>{t('activityImport.step3')}</li>
      </ol>
      <UploadForm page={page} limit={limit} error={opts.error} />
    </>
  ));
}

function Counts({ page, report }: { page: PageContext; report: ImportReport }) {
  const { t, lang } = page;
  const items: [string, number][] = [
    ['rows', report.rows],
    ['create', report.counts.create],
    ['update', report.counts.update],
    ['unchanged', report.counts.unchanged],
    ['blocked', report.counts.blocked],
    ['warnings', report.counts.warnings],
  ];
  return (
    <dl class="facts facts-compact import-counts">
      {items.map(([k, n]) => (
        <div>
          <dt>{t(`activityImport.count.${k}`)}</dt>
          <dd>{formatNumber(lang, n)}</dd>
        </div>
      ))}
    </dl>
  );
}

function Messages({ page, report }: { page: PageContext; report: ImportReport }) {
  const { t, lang } = page;
  if (report.messages.length === 0) return <p>{t('activityImport.noMessages')}</p>;
  return (
    <>
      <h2 id="messages-title">{t('activityImport.messages', { count: report.messageCount, formatted: formatNumber(lang, report.messageCount) })}</h2>
      {report.messageCount > report.messages.length && <p class="meta">{t('activityImport.messagesCut', { shown: formatNumber(lang, report.messages.length) })}</p>}
      <div class="table-wrap" tabindex={0}>
        <table class="import-messages" aria-labelledby="messages-title">
          <thead>
            <tr>
              <th scope="col">{t('activityImport.col.row')}</th>
              <th scope="col">{t('activityImport.col.column')}</th>
              <th scope="col">{t('activityImport.col.severity')}</th>
              <th scope="col">{t('activityImport.col.message')}</th>
            </tr>
          </thead>
          <tbody>
            {report.messages.map((m) => (
              <tr class={`severity-${m.severity}`}>
                <td class="nowrap">{m.row === null ? '—' : formatNumber(lang, m.row)}</td>
                <td>{m.column ? <code>{m.column}</code> : '—'}</td>
                <td>
                  <span class={`badge ${m.severity === 'warning' ? 'badge-muted' : 'badge-danger'}`}>{t(`activityImport.severity.${m.severity}`)}</span>
                </td>
                <td>
                  {m.message}
                  {m.hint && <span class="hint-inline"> {m.hint}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

/** The dry-run report: counts, messages by row and column, and the commit button when nothing blocks. */
function reportPage(c: Context<AppEnv>, token: string, report: ImportReport, opts: { expiresAt?: string; status?: number } = {}) {
  const t = c.get('t');
  return renderPage(c, { title: t('activityImport.reportTitle'), status: opts.status }, (page) => (
    <>
      <Crumbs page={page} here={t('activityImport.reportTitle')} />
      <h1>{t('activityImport.reportTitle')}</h1>
      <p class="lead">{t('activityImport.reportLead', { file: report.fileName })}</p>
      <Counts page={page} report={report} />
      {report.committable ? (
        <div class="notice-panel">
          <p>{t('activityImport.ready', { count: report.rows })}</p>
          <form method="post" action="/activities/import/commit" class="form-actions">
            <Csrf page={page} />
            <input type="hidden" name="token" value={token} />
            <button type="submit" class="button">
              {t('activityImport.commit', { count: report.rows, formatted: formatNumber(page.lang, report.rows) })}
            </button>
            <a class="button button-secondary" href="/activities/import">
              {t('activityImport.another')}
            </a>
          </form>
          {opts.expiresAt && <p class="meta">{t('activityImport.expires', { at: formatDateTime(page.lang, opts.expiresAt) })}</p>}
        </div>
      ) : (
        <div class="error-summary" role="alert">
          <h2>{t('activityImport.blocked')}</h2>
          <p>{t('activityImport.blockedHelp')}</p>
          <p>
            <a href="/activities/import">{t('activityImport.again')}</a>
          </p>
        </div>
      )}
      <Messages page={page} report={report} />
    </>
  ));
}

function resultPage(c: Context<AppEnv>, result: ImportResult) {
  const t = c.get('t');
  return renderPage(c, { title: t('activityImport.doneTitle') }, (page) => (
    <>
      <Crumbs page={page} here={t('activityImport.doneTitle')} />
      <h1>{t('activityImport.doneTitle')}</h1>
      <p class="flash flash-success" role="status">
        {t('activityImport.done', {
          created: formatNumber(page.lang, result.created),
          updated: formatNumber(page.lang, result.updated),
          unchanged: formatNumber(page.lang, result.unchanged),
        })}
      </p>
      <Counts page={page} report={result.report} />
      <p class="form-actions">
        <a class="button" href="/activities?sort=updated">
          {t('activityImport.toList')}
        </a>
        <a class="button button-secondary" href="/activities/import">
          {t('activityImport.another')}
        </a>
      </p>
      {result.report.messages.length > 0 && <Messages page={page} report={result.report} />}
    </>
  ));
}

/** Receives the upload, stores it and shows its dry run. */
async function uploadAction(c: Context<AppEnv>) {
  const t = c.get('t');
  const file = (await c.req.parseBody())['file'];
  if (!(file instanceof File) || file.size === 0) return importPage(c, { error: t('activityImport.noFile'), status: 422 });
  const upload = await uploadSpreadsheet(c.get('ctx'), { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  return reportPage(c, upload.token, upload.report, { expiresAt: upload.expiresAt, status: upload.report.committable ? 200 : 422 });
}

/** Saves the upload's rows (all or none) and shows the counts; a refused commit shows the report again. */
async function commitAction(c: Context<AppEnv>) {
  const token = String((await c.req.parseBody())['token'] ?? '');
  const ctx = c.get('ctx');
  try {
    return resultPage(c, await commitSpreadsheetImport(ctx, token));
  } catch (err) {
    const e = expectedError(err, ['VALIDATION_FAILED', 'CONFLICT']);
    if (!e) throw err;
    const report = await dryRunSpreadsheetImport(ctx, token);
    const { expiresAt } = await describeUpload(ctx, token);
    return reportPage(c, token, report, { expiresAt, status: e.code === 'CONFLICT' ? 409 : 422 });
  }
}

async function templateDownload(c: Context<AppEnv>) {
  const format = (c.req.param('file') ?? '').endsWith('.csv') ? 'csv' : 'xlsx';
  const tpl = await spreadsheetTemplate(c.get('ctx'), format, { lang: c.get('lang') });
  return c.body(new Uint8Array(tpl.body), 200, { 'content-type': tpl.contentType, 'content-disposition': `attachment; filename="${tpl.fileName}"` });
}

/** The spreadsheet import pages: upload, dry-run report, commit, templates. */
export function activityImportRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/activities/import', (c) => importPage(c));
  r.post('/activities/import', uploadAction);
  r.post('/activities/import/commit', commitAction);
  r.get('/activities/import/:file{template\\.(?:csv|xlsx)}', templateDownload);
  return r;
}

