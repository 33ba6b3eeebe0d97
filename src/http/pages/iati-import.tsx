import type { Context } from 'hono';
import { Hono } from 'hono';
import { AppError } from '../../domain/errors.ts';
import type { IatiImportReport } from '../../domain/iati/import-iati.ts';
import { getIatiImportReport, listIatiImports, retryIatiImport, startReceivedIatiImport, type IatiImportJob } from '../../domain/iati/import-jobs.ts';
import { authorize } from '../../domain/policies.ts';
import type { AppEnv } from '../env.ts';
import { readIatiUploadForm } from '../iati-upload-form.ts';
import { Csrf, FileField } from './components/form.tsx';
import { formatDateTime, formatNumber } from './format.ts';
import type { PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';
import { Breadcrumb } from './components/breadcrumb.tsx';

/**
 * IATI imports in the browser: an upload form, then the job's page. While the job runs, the page
 * reloads itself every few seconds without JavaScript (a refresh inside <noscript>); with it,
 * iati-import.js follows the job through the API and updates the bar and the counts in place.
 * Once finished, the page shows the report.
 */

const OUTCOMES = ['created', 'updated', 'unchanged', 'skipped', 'failed'] as const;
const REFRESH_SECONDS = 3;
const megabytes = (bytes: number) => (bytes / 1048576).toFixed(0);
const running = (job: IatiImportJob) => job.status === 'queued' || job.status === 'running';

function Crumbs({ page, here }: { page: PageContext; here?: string }) {
  const { t } = page;
  const activities = { href: '/activities', label: t('activityList.title') };
  return here ? (
    <Breadcrumb t={t} trail={[activities, { href: '/activities/import/iati', label: t('iatiImport.title') }]} here={here} />
  ) : (
    <Breadcrumb t={t} trail={[activities]} here={t('iatiImport.title')} />
  );
}

function StatusBadge({ page, job }: { page: PageContext; job: IatiImportJob }) {
  const kind = job.status === 'done' ? 'badge-success' : job.status === 'failed' || job.status === 'interrupted' ? 'badge-danger' : 'badge-info';
  return (
    <span class={`badge ${kind}`} data-job-status>
      {page.t(`iatiImport.status.${job.status}`)}
    </span>
  );
}

/** The upload page: the form and the person's recent imports. */
async function uploadPage(c: Context<AppEnv>, opts: { error?: string; status?: number } = {}) {
  const t = c.get('t');
  authorize(c.get('actor'), 'activity.import');
  const limit = c.get('services').config.MAX_IATI_UPLOAD_BYTES;
  const jobs = await listIatiImports(c.get('ctx'), { limit: 10 });
  const error = opts.error;
  return renderPage(c, { title: t('iatiImport.title'), status: opts.status }, (page) => (
    <>
      <Crumbs page={page} />
      <h1>{t('iatiImport.title')}</h1>
      <p class="lead">{t('iatiImport.lead')}</p>
      <form method="post" action="/activities/import/iati" enctype="multipart/form-data" class="stack-fields upload-form">
        <Csrf page={page} />
        <FileField t={t} id="iati-file" label={t('iatiImport.file')} hint={t('iatiImport.fileHint', { size: megabytes(limit) })} accept=".xml,application/xml,text/xml" error={error} />
        <fieldset class="checkbox-group">
          <legend>{t('iatiImport.relevance')}</legend>
          <div class="checkbox-list">
            <div class="checkbox">
              <input type="radio" id="iati-relevance-all" name="relevance" value="all" checked />
              <label for="iati-relevance-all">{t('iatiImport.relevanceAll')}</label>
            </div>
            <div class="checkbox">
              <input type="radio" id="iati-relevance-only" name="relevance" value="relevant-only" />
              <label for="iati-relevance-only">{t('iatiImport.relevanceOnly')}</label>
            </div>
          </div>
        </fieldset>
        <div class="field">
          <label for="iati-owner">{t('iatiImport.owner')}</label>
          <p class="hint" id="iati-owner-hint">
            {t('iatiImport.ownerHint')}
          </p>
          <input type="text" id="iati-owner" name="owner" maxlength={100} aria-describedby="iati-owner-hint" />
        </div>
        <div class="form-actions">
          <button type="submit" class="button">
            {t('iatiImport.start')}
          </button>
        </div>
      </form>
      {jobs.length > 0 && (
        <>
          <h2 id="recent-title">{t('iatiImport.recent')}</h2>
          <div class="table-wrap" tabindex={0}>
            <table aria-labelledby="recent-title">
              <thead>
                <tr>
                  <th scope="col">{t('iatiImport.col.file')}</th>
                  <th scope="col">{t('iatiImport.col.started')}</th>
                  <th scope="col">{t('iatiImport.col.status')}</th>
                </tr>
              </thead>
              <tbody>
                {jobs.map((j) => (
                  <tr>
                    <td>
                      <a href={`/activities/import/iati/${j.id}`}>{j.fileName}</a>
                    </td>
                    <td class="nowrap">{formatDateTime(page.lang, j.createdAt)}</td>
                    <td>
                      <StatusBadge page={page} job={j} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  ));
}

function Progress({ page, job }: { page: PageContext; job: IatiImportJob }) {
  const { t, lang } = page;
  const p = job.progress;
  return (
    <div class="import-progress" data-job={job.id} data-running={running(job) ? '1' : undefined}>
      <p>
        <StatusBadge page={page} job={job} />
      </p>
      <label for="job-progress">{t('iatiImport.progress', { percent: p.percent })}</label>
      <progress id="job-progress" max={100} value={p.percent} data-job-percent>
        {`${p.percent}%`}
      </progress>
      <p class="meta" data-job-bytes>
        {t('iatiImport.bytes', { read: megabytes(p.bytesRead), total: megabytes(p.totalBytes) })}
      </p>
      <dl class="facts facts-compact import-counts">
        <div>
          <dt>{t('iatiImport.count.activities')}</dt>
          <dd data-job-count="activities">{formatNumber(lang, p.activities)}</dd>
        </div>
        {OUTCOMES.map((o) => (
          <div>
            <dt>{t(`iatiImport.count.${o}`)}</dt>
            <dd data-job-count={o}>{formatNumber(lang, p.counts[o] ?? 0)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

function Report({ page, report }: { page: PageContext; report: IatiImportReport }) {
  const { t, lang } = page;
  const notSaved = report.perActivity.filter((a) => a.outcome === 'failed' || a.outcome === 'skipped');
  return (
    <>
      {report.refused && (
        <div class="error-summary" role="alert">
          <h2>{t('iatiImport.refused')}</h2>
          <p>{report.refused.message}</p>
        </div>
      )}
      {(report.suggested ?? 0) > 0 && (
        <section class="notice-panel" aria-labelledby="suggested-title">
          <h2 id="suggested-title">{t('iatiImport.suggested', { count: report.suggested ?? 0, formatted: formatNumber(lang, report.suggested ?? 0) })}</h2>
          <p>{t('iatiImport.suggestedLead')}</p>
          <p>
            <a href="/activities/suggestions">{t('iatiImport.suggestedLink')}</a>
          </p>
        </section>
      )}
      {notSaved.length > 0 && (
        <>
          <h2 id="not-saved-title">{t('iatiImport.notSaved', { count: notSaved.length, formatted: formatNumber(lang, notSaved.length) })}</h2>
          <div class="table-wrap" tabindex={0}>
            <table aria-labelledby="not-saved-title">
              <thead>
                <tr>
                  <th scope="col">{t('iatiImport.col.activity')}</th>
                  <th scope="col">{t('iatiImport.col.line')}</th>
                  <th scope="col">{t('iatiImport.col.outcome')}</th>
                </tr>
              </thead>
              <tbody>
                {notSaved.slice(0, 500).map((a) => (
                  <tr>
                    <td>{a.identifier ? <code>{a.identifier}</code> : `#${formatNumber(lang, a.index + 1)}`}</td>
                    <td class="nowrap">{formatNumber(lang, a.line)}</td>
                    <td>{t(`iatiImport.count.${a.outcome}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {report.messages.length === 0 ? (
        <p>{t('iatiImport.noMessages')}</p>
      ) : (
        <>
          <h2 id="messages-title">{t('iatiImport.messages', { count: report.messageCount, formatted: formatNumber(lang, report.messageCount) })}</h2>
          {report.messageCount > report.messages.length && <p class="meta">{t('iatiImport.messagesCut', { shown: formatNumber(lang, report.messages.length) })}</p>}
          <div class="table-wrap" tabindex={0}>
            <table class="import-messages" aria-labelledby="messages-title">
              <thead>
                <tr>
                  <th scope="col">{t('iatiImport.col.activity')}</th>
                  <th scope="col">{t('iatiImport.col.line')}</th>
                  <th scope="col">{t('iatiImport.col.severity')}</th>
                  <th scope="col">{t('iatiImport.col.message')}</th>
                </tr>
              </thead>
              <tbody>
                {report.messages.slice(0, 1000).map((m) => (
                  <tr class={`severity-${m.severity}`}>
                    <td>{m.identifier ? <code>{m.identifier}</code> : m.activity === null ? t('iatiImport.wholeFile') : `#${formatNumber(lang, m.activity + 1)}`}</td>
                    <td class="nowrap">{m.line === null ? '—' : formatNumber(lang, m.line)}</td>
                    <td>
                      <span class={`badge ${m.severity === 'warning' ? 'badge-muted' : 'badge-danger'}`}>{t(`activityImport.severity.${m.severity}`)}</span>
                    </td>
                    <td>{m.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

/** One import: its progress while it runs, its report once finished. */
async function jobPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const { job, report } = await getIatiImportReport(c.get('ctx'), c.req.param('id') ?? '');
  const live = running(job);
  const head = live ? (
    <>
      <noscript>
        <meta http-equiv="refresh" content={String(REFRESH_SECONDS)} />
      </noscript>
      <script type="module" src={c.get('services').assets.get('iati-import.js')?.url ?? '/assets/iati-import.js'} />
    </>
  ) : undefined;
  return renderPage(c, { title: t('iatiImport.jobTitle', { file: job.fileName }), head }, (page) => (
    <>
      <Crumbs page={page} here={job.fileName} />
      <h1>{t('iatiImport.jobTitle', { file: job.fileName })}</h1>
      <p class="meta">{t('iatiImport.startedAt', { at: formatDateTime(page.lang, job.createdAt), attempts: job.attempts })}</p>
      <div role="status" aria-live="polite">
        <Progress page={page} job={job} />
      </div>
      {live && (
        <p class="meta">
          {t('iatiImport.refreshing', { seconds: REFRESH_SECONDS })} <a href={`/activities/import/iati/${job.id}`}>{t('iatiImport.refresh')}</a>
        </p>
      )}
      {job.error && job.status !== 'done' && (
        <div class="error-summary">
          <p>{job.error}</p>
        </div>
      )}
      {job.canRetry && (
        <form method="post" action={`/activities/import/iati/${job.id}/retry`} class="form-actions">
          <Csrf page={page} />
          <button type="submit" class="button">
            {t('iatiImport.retry')}
          </button>
        </form>
      )}
      {report && <Report page={page} report={report} />}
      {!live && (
        <p class="form-actions">
          <a class="button" href="/activities?sort=updated">
            {t('activityImport.toList')}
          </a>
          <a class="button button-secondary" href="/activities/import/iati">
            {t('iatiImport.another')}
          </a>
        </p>
      )}
    </>
  ));
}

/**
 * Receives the form, starts the job and sends the browser to its page. The file streams to disk
 * as it arrives (readMultipartUpload): a 500 MB upload does not need 500 MB of memory.
 */
async function uploadAction(c: Context<AppEnv>) {
  const t = c.get('t');
  const ctx = c.get('ctx');
  try {
    const { fields, file } = await readIatiUploadForm(c);
    if (!file) return await uploadPage(c, { error: t('iatiImport.noFile'), status: 422 });
    const relevance = fields['relevance'] === 'relevant-only' ? 'relevant-only' : 'all';
    const owner = fields['owner']?.trim() || undefined;
    const job = await startReceivedIatiImport(ctx, file, { relevance, owner });
    return c.redirect(`/activities/import/iati/${job.id}`, 303);
  } catch (err) {
    // An empty file part is what a browser sends when no file was chosen.
    if (err instanceof AppError && err.code === 'VALIDATION_FAILED' && err.fields[0]?.path === 'file') return uploadPage(c, { error: t('iatiImport.noFile'), status: 422 });
    if (err instanceof AppError && (err.code === 'VALIDATION_FAILED' || err.code === 'PAYLOAD_TOO_LARGE')) return uploadPage(c, { error: err.message, status: err.code === 'PAYLOAD_TOO_LARGE' ? 413 : 422 });
    throw err;
  }
}

async function retryAction(c: Context<AppEnv>) {
  const job = await retryIatiImport(c.get('ctx'), c.req.param('id') ?? '');
  return c.redirect(`/activities/import/iati/${job.id}`, 303);
}

/** The IATI import pages: upload, follow a job, run it again. */
export function iatiImportPageRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/activities/import/iati', (c) => uploadPage(c));
  r.post('/activities/import/iati', uploadAction);
  r.get('/activities/import/iati/:id{imp_[0-9a-z]{26}}', jobPage);
  r.post('/activities/import/iati/:id{imp_[0-9a-z]{26}}/retry', retryAction);
  return r;
}
