import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ZodError } from 'zod';
import { queryRecord } from '../../../domain/activities/activity-filters.ts';
import { DIMENSIONS, MEASURES, mapQuerySchema, matrixQuerySchema } from '../../../domain/coordination/coordination-schemas.ts';
import { coverageMatrix, type CoverageMatrix } from '../../../domain/coordination/coverage-matrix.ts';
import { coordinationDashboard, type CoordinationDashboard } from '../../../domain/coordination/dashboard.ts';
import { decideDuplicate, listActivityLinks, listDuplicateCandidates, scanDuplicates, type ActivityLink, type DuplicateCandidate } from '../../../domain/coordination/duplicates.ts';
import { exportCoverageMatrix, MATRIX_EXPORT_FORMATS, type MatrixExportFormat } from '../../../domain/coordination/export-matrix.ts';
import { worldMap, type WorldMap } from '../../../domain/coordination/world-map.ts';
import { can } from '../../../domain/policies.ts';
import type { AppEnv } from '../../env.ts';
import { fieldErrors } from '../../problem.ts';
import { formatDate, formatDateTime, formatNumber } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { formatMeasure, GapLegend, MatrixTable, WorldMapFigure } from './coordination-components.tsx';

const href = (path: string, q: URLSearchParams | string) => {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

/** Reads a query string with a schema; invalid parameters are named for the page instead of failing it. */
function readQuery<T>(c: Context<AppEnv>, schema: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: unknown } }): { value: T | null; errors: string[]; params: URLSearchParams } {
  const params = new URL(c.req.url).searchParams;
  const parsed = schema.safeParse(queryRecord(params));
  if (parsed.success) return { value: parsed.data, errors: [], params };
  const t = c.get('t');
  return { value: null, errors: fieldErrors(parsed.error as ZodError).map((f) => t('coordination.badParameter', { name: f.path.split('.')[0] || f.path, message: f.message })), params };
}

function Errors({ page, errors }: { page: PageContext; errors: string[] }) {
  if (errors.length === 0) return null;
  return (
    <div class="error-summary" role="alert">
      <h2>{page.t('coordination.badParameters')}</h2>
      <ul>
        {errors.map((e) => (
          <li>{e}</li>
        ))}
      </ul>
    </div>
  );
}

function SubNav({ page }: { page: PageContext }) {
  const { t } = page;
  const items: [string, string][] = [
    ['/coordination', t('coordination.nav.dashboard')],
    ['/coordination/matrix', t('coordination.nav.matrix')],
    ['/coordination/map', t('coordination.nav.map')],
  ];
  if (can(page.actor, 'coordination.duplicates.read')) items.push(['/coordination/duplicates', t('coordination.nav.duplicates')]);
  return (
    <nav class="sub-nav" aria-label={t('coordination.nav.label')}>
      <ul class="chip-list">
        {items.map(([path, label]) => (
          <li>
            <a class="chip" href={path} aria-current={page.path === path ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** The heading of every coordination page: title, lead, the section's navigation, then any errors in the query. */
function Heading({ page, title, lead, errors = [] }: { page: PageContext; title: string; lead: string; errors?: string[] }) {
  return (
    <>
      <div class="page-heading">
        <div>
          <h1>{title}</h1>
          <p class="lead">{lead}</p>
        </div>
      </div>
      <SubNav page={page} />
      <Errors page={page} errors={errors} />
    </>
  );
}

/** The period fields every analytics form carries; other list filters ride along as hidden fields. */
function FilterFields({ page, params, keep }: { page: PageContext; params: URLSearchParams; keep: string[] }) {
  const { t } = page;
  const hidden = [...params].filter(([k]) => keep.includes(k));
  return (
    <>
      <div class="field">
        <label for="coord-from">{t('activityList.from')}</label>
        <input type="date" id="coord-from" name="from" value={params.get('from') ?? ''} />
      </div>
      <div class="field">
        <label for="coord-to">{t('activityList.to')}</label>
        <input type="date" id="coord-to" name="to" value={params.get('to') ?? ''} />
      </div>
      {hidden.map(([k, v]) => (
        <input type="hidden" name={k} value={v} />
      ))}
    </>
  );
}

const CARRIED = ['country', 'region', 'pillar', 'exploitationForm', 'targetGroup', 'context', 'sdgTarget', 'organization', 'organizationRole', 'status', 'q'];

function MeasureSelect({ page, value }: { page: PageContext; value: string }) {
  return (
    <div class="field">
      <label for="coord-measure">{page.t('coordination.measure.label')}</label>
      <select id="coord-measure" name="measure">
        {MEASURES.map((m) => (
          <option value={m} selected={m === value}>
            {page.t(`coordination.measure.${m}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function FilterNote({ page, matrix }: { page: PageContext; matrix: CoverageMatrix }) {
  return (
    <p class="result-count" role="status">
      {page.t('coordination.totalLine', { count: matrix.total, formatted: formatNumber(page.lang, matrix.total) })}{' '}
      <a href={href('/activities', matrix.list)}>{page.t('coordination.openList')}</a>
      {matrix.linkedRecordsMerged > 0 && <> {page.t('coordination.merged', { count: matrix.linkedRecordsMerged })}</>}
    </p>
  );
}

// ——— Matrix ———

function MatrixPage({ page, params, matrix, errors }: { page: PageContext; params: URLSearchParams; matrix: CoverageMatrix | null; errors: string[] }) {
  const { t } = page;
  const rows = params.get('rows') ?? 'country';
  const cols = params.get('cols') ?? 'pillar';
  const exportQuery = new URLSearchParams([...params].filter(([k]) => k !== 'lang'));
  return (
    <>
      <Heading page={page} title={t('coordination.matrix.title')} lead={t('coordination.matrix.lead')} errors={errors} />
      <form method="get" action="/coordination/matrix" class="filter-bar coordination-form">
        {(['rows', 'cols'] as const).map((axis) => (
          <div class="field">
            <label for={`coord-${axis}`}>{t(`coordination.matrix.${axis}`)}</label>
            <select id={`coord-${axis}`} name={axis}>
              {DIMENSIONS.map((d) => (
                <option value={d} selected={d === (axis === 'rows' ? rows : cols)}>
                  {t(`coordination.dimension.${d}`)}
                </option>
              ))}
            </select>
          </div>
        ))}
        <MeasureSelect page={page} value={params.get('measure') ?? 'activities'} />
        <FilterFields page={page} params={params} keep={[...CARRIED, 'currency']} />
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('coordination.show')}
          </button>
        </div>
      </form>
      {matrix && (
        <>
          <FilterNote page={page} matrix={matrix} />
          <nav class="export-links" aria-label={t('coordination.export.label')}>
            <span>{t('coordination.export.intro')}</span>
            <ul class="chip-list">
              {MATRIX_EXPORT_FORMATS.map((f) => (
                <li>
                  <a class="chip" href={href(`/coordination/matrix.${f}`, exportQuery)} download>
                    {t(`coordination.export.${f}`)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          <MatrixTable
            page={page}
            matrix={matrix}
            caption={t('coordination.matrix.caption', { measure: t(`coordination.measure.${matrix.measure}`), rows: t(`coordination.dimension.${matrix.rows.dimension}`), cols: t(`coordination.dimension.${matrix.cols.dimension}`) })}
          />
          <p>{t('coordination.gapCounts', { none: matrix.gaps.none, coarser: matrix.gaps.coarser, unreported: matrix.gaps.unreported })}</p>
          <GapLegend page={page} />
        </>
      )}
    </>
  );
}

async function matrixPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const { value, errors, params } = readQuery(c, matrixQuerySchema);
  const matrix = value ? await coverageMatrix(c.get('ctx'), value, { lang: c.get('lang') }) : null;
  return renderPage(c, { title: t('coordination.matrix.title'), description: t('coordination.matrix.lead'), status: errors.length > 0 ? 422 : 200 }, (page) => (
    <MatrixPage page={page} params={params} matrix={matrix} errors={errors} />
  ));
}

async function matrixDownload(c: Context<AppEnv>) {
  const format = (c.req.param('file') ?? '').replace(/^matrix\./, '') as MatrixExportFormat;
  if (!(MATRIX_EXPORT_FORMATS as readonly string[]).includes(format)) return c.notFound();
  const file = await exportCoverageMatrix(c.get('ctx'), queryRecord(new URL(c.req.url).searchParams), format, { lang: c.get('lang') });
  return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.fileName}"` });
}

// ——— Map ———

function MapPage({ page, params, map, errors }: { page: PageContext; params: URLSearchParams; map: WorldMap | null; errors: string[] }) {
  const { t } = page;
  return (
    <>
      <Heading page={page} title={t('coordination.map.pageTitle')} lead={t('coordination.map.lead')} errors={errors} />
      <form method="get" action="/coordination/map" class="filter-bar coordination-form">
        <MeasureSelect page={page} value={params.get('measure') ?? 'activities'} />
        <FilterFields page={page} params={params} keep={[...CARRIED, 'currency', 'zoom']} />
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('coordination.show')}
          </button>
        </div>
      </form>
      {map && <WorldMapFigure page={page} map={map} query={params} basePath="/coordination/map" />}
    </>
  );
}

async function mapPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const { value, errors, params } = readQuery(c, mapQuerySchema);
  const map = value ? await worldMap(c.get('ctx'), value, { lang: c.get('lang') }) : null;
  return renderPage(c, { title: t('coordination.map.pageTitle'), description: t('coordination.map.lead'), status: errors.length > 0 ? 422 : 200 }, (page) => (
    <MapPage page={page} params={params} map={map} errors={errors} />
  ));
}

// ——— Dashboard ———

function Pair({ page, c }: { page: PageContext; c: { activityA: DuplicateCandidate['activityA']; activityB: DuplicateCandidate['activityB'] } }) {
  return (
    <>
      <a href={`/activities/${c.activityA.id}`}>{c.activityA.title || c.activityA.id}</a> ({c.activityA.owner}) {page.t('coordination.duplicates.and')}{' '}
      <a href={`/activities/${c.activityB.id}`}>{c.activityB.title || c.activityB.id}</a> ({c.activityB.owner})
    </>
  );
}

function DashboardPage({ page, params, d, errors }: { page: PageContext; params: URLSearchParams; d: CoordinationDashboard | null; errors: string[] }) {
  const { t } = page;
  return (
    <>
      <Heading page={page} title={t('coordination.dashboard.title')} lead={t('coordination.dashboard.lead')} errors={errors} />
      <form method="get" action="/coordination" class="filter-bar coordination-form">
        <FilterFields page={page} params={params} keep={CARRIED} />
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('coordination.show')}
          </button>
        </div>
      </form>
      {d && (
        <>
          <section aria-labelledby="dash-headline">
            <h2 id="dash-headline" class="visually-hidden">
              {t('coordination.dashboard.headline')}
            </h2>
            <dl class="figure-grid">
              <div>
                <dt>{t('coordination.dashboard.activities')}</dt>
                <dd>{formatNumber(page.lang, d.headline.activities)}</dd>
              </div>
              <div>
                <dt>{t('coordination.dashboard.organizations')}</dt>
                <dd>{formatNumber(page.lang, d.headline.organizations)}</dd>
              </div>
              <div>
                <dt>{t('coordination.dashboard.countries')}</dt>
                <dd>{formatNumber(page.lang, d.headline.countries)}</dd>
              </div>
              <div>
                <dt>{t('coordination.dashboard.budget', { currency: d.headline.currency })}</dt>
                <dd class="figure-text">{formatMeasure(page, 'budget', d.headline.budget, d.headline.currency)}</dd>
              </div>
            </dl>
            {d.headline.linkedRecordsMerged > 0 && <p class="hint">{t('coordination.merged', { count: d.headline.linkedRecordsMerged })}</p>}
          </section>
          <section aria-labelledby="dash-map">
            <h2 id="dash-map">{t('coordination.dashboard.map')}</h2>
            <WorldMapFigure page={page} map={d.map} query={params} basePath="/coordination" headingLevel={3} />
          </section>
          <section aria-labelledby="dash-matrix">
            <h2 id="dash-matrix">{t('coordination.dashboard.matrix')}</h2>
            <MatrixTable page={page} matrix={d.matrix} caption={t('coordination.dashboard.matrixCaption', { count: d.matrix.rows.values.length })} />
            <p>
              <a href={href('/coordination/matrix', new URLSearchParams([...params].filter(([k]) => k !== 'zoom' && k !== 'measure')))}>{t('coordination.dashboard.fullMatrix')}</a>
            </p>
          </section>
          <section aria-labelledby="dash-gaps">
            <h2 id="dash-gaps">{t('coordination.dashboard.gaps')}</h2>
            <p class="hint">{t('coordination.dashboard.gapsHint')}</p>
            {d.gaps.length === 0 ? (
              <p class="empty">{t('coordination.dashboard.noGaps')}</p>
            ) : (
              <ol class="gap-list">
                {d.gaps.map((g) => (
                  <li>
                    {t('coordination.dashboard.gapItem', { country: g.countryLabel, pillar: g.pillarLabel, count: g.countryActivities })}
                  </li>
                ))}
              </ol>
            )}
          </section>
          {d.candidates && (
            <section aria-labelledby="dash-duplicates">
              <h2 id="dash-duplicates">{t('coordination.dashboard.duplicates')}</h2>
              <p>
                {t('coordination.duplicates.open', { count: d.candidates.total })}{' '}
                {d.candidates.lastScan ? t('coordination.duplicates.lastScan', { when: formatDateTime(page.lang, d.candidates.lastScan) }) : t('coordination.duplicates.neverScanned')}{' '}
                <a href="/coordination/duplicates">{t('coordination.duplicates.review')}</a>
              </p>
              {d.candidates.items.length > 0 && (
                <ul>
                  {d.candidates.items.map((c) => (
                    <li>
                      <Pair page={page} c={c} /> — {t('coordination.duplicates.score', { score: Math.round(c.score * 100) })}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          )}
          <section aria-labelledby="dash-members">
            <h2 id="dash-members">{t('coordination.dashboard.members')}</h2>
            <div class="table-wrap" tabindex={0}>
              <table class="data-table">
                <caption class="visually-hidden">{t('coordination.dashboard.members')}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t('coordination.dimension.organization')}</th>
                    <th scope="col">{t('coordination.dashboard.lastUpdate')}</th>
                    <th scope="col">{t('coordination.dashboard.activities')}</th>
                    <th scope="col">{t('coordination.dashboard.completeness')}</th>
                    <th scope="col">{t('coordination.dashboard.withCountries')}</th>
                    <th scope="col">{t('coordination.dashboard.withPillars')}</th>
                    <th scope="col">{t('coordination.dashboard.withTargetGroups')}</th>
                  </tr>
                </thead>
                <tbody>
                  {d.members.map((m) => (
                    <tr>
                      <th scope="row">
                        <a href={`/members/${m.slug}`}>{m.acronym}</a>
                      </th>
                      <td>{m.lastUpdate ? formatDate(page.lang, m.lastUpdate) : t('coordination.dashboard.never')}</td>
                      <td>{formatNumber(page.lang, m.activities)}</td>
                      <td>{m.completeness === null ? '—' : `${Math.round(m.completeness * 100)} %`}</td>
                      <td>{m.activities ? `${Math.round((m.withCountries / m.activities) * 100)} %` : '—'}</td>
                      <td>{m.activities ? `${Math.round((m.withPillars / m.activities) * 100)} %` : '—'}</td>
                      <td>{m.activities ? `${Math.round((m.withTargetGroups / m.activities) * 100)} %` : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      )}
    </>
  );
}

async function dashboardPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const { value, errors, params } = readQuery(c, mapQuerySchema);
  const d = value ? await coordinationDashboard(c.get('ctx'), value, { lang: c.get('lang') }) : null;
  return renderPage(c, { title: t('coordination.dashboard.title'), description: t('coordination.dashboard.lead'), status: errors.length > 0 ? 422 : 200 }, (page) => (
    <DashboardPage page={page} params={params} d={d} errors={errors} />
  ));
}

// ——— Duplicates ———

type Explanation = {
  countries?: string[];
  pillars?: string[];
  targetGroups?: string[];
  period?: { from: string | null; to: string | null };
  sharedTerms?: { feature: string; a: string; b: string }[];
};

function Explain({ page, e }: { page: PageContext; e: Explanation }) {
  const { t } = page;
  const terms = (e.sharedTerms ?? []).map((s) => (s.a === s.b ? s.a : `${s.a} ↔ ${s.b}`));
  return (
    <ul class="explanation">
      {(e.countries ?? []).length > 0 && <li>{t('coordination.duplicates.sameCountries', { list: e.countries!.join(', ') })}</li>}
      {(e.pillars ?? []).length > 0 && <li>{t('coordination.duplicates.samePillars', { list: e.pillars!.join(', ') })}</li>}
      {(e.targetGroups ?? []).length > 0 && <li>{t('coordination.duplicates.sameGroups', { list: e.targetGroups!.join(', ') })}</li>}
      {e.period && <li>{t('coordination.duplicates.period', { from: e.period.from ?? '…', to: e.period.to ?? '…' })}</li>}
      {terms.length > 0 && <li>{t('coordination.duplicates.terms', { list: terms.join(', ') })}</li>}
    </ul>
  );
}

function DuplicatesPage({ page, items, total, lastScan, links, nextCursor }: { page: PageContext; items: DuplicateCandidate[]; total: number; lastScan: string | null; links: ActivityLink[]; nextCursor: string | null }) {
  const { t } = page;
  const mayDecide = can(page.actor, 'coordination.duplicates.decide');
  return (
    <>
      <Heading page={page} title={t('coordination.duplicates.title')} lead={t('coordination.duplicates.lead')} />
      <p>
        {t('coordination.duplicates.open', { count: total })} {lastScan ? t('coordination.duplicates.lastScan', { when: formatDateTime(page.lang, lastScan) }) : t('coordination.duplicates.neverScanned')}
      </p>
      {mayDecide && (
        <form method="post" action="/coordination/duplicates/scan" class="inline-form">
          <input type="hidden" name="_csrf" value={page.csrfToken} />
          <button type="submit" class="button">
            {t('coordination.duplicates.scan')}
          </button>
        </form>
      )}
      <h2>{t('coordination.duplicates.candidates')}</h2>
      {items.length === 0 ? (
        <p class="empty">{t('coordination.duplicates.none')}</p>
      ) : (
        <ol class="candidate-list">
          {items.map((c) => (
            <li class="card candidate">
              <h3>
                <Pair page={page} c={c} />
              </h3>
              <p>
                <span class="badge badge-info">{t('coordination.duplicates.score', { score: Math.round(c.score * 100) })}</span>
              </p>
              <Explain page={page} e={c.explanation as Explanation} />
              {mayDecide && (
                <form method="post" action="/coordination/duplicates/decide" class="decision-form">
                  <input type="hidden" name="_csrf" value={page.csrfToken} />
                  <input type="hidden" name="activityA" value={c.activityA.id} />
                  <input type="hidden" name="activityB" value={c.activityB.id} />
                  <div class="field">
                    <label for={`note-${c.activityA.id}-${c.activityB.id}`}>{t('coordination.duplicates.note')}</label>
                    <input type="text" id={`note-${c.activityA.id}-${c.activityB.id}`} name="note" maxlength={2000} />
                  </div>
                  <button type="submit" name="decision" value="duplicate" class="button">
                    {t('coordination.duplicates.confirm')}
                  </button>{' '}
                  <button type="submit" name="decision" value="not_duplicate" class="button button-secondary">
                    {t('coordination.duplicates.reject')}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ol>
      )}
      {nextCursor && (
        <nav class="pager" aria-label={t('pager.label')}>
          <ul>
            <li>
              <a href={`/coordination/duplicates?cursor=${encodeURIComponent(nextCursor)}`} rel="next">
                {t('pager.next')}
              </a>
            </li>
          </ul>
        </nav>
      )}
      <h2>{t('coordination.duplicates.links')}</h2>
      {links.length === 0 ? (
        <p class="empty">{t('coordination.duplicates.noLinks')}</p>
      ) : (
        <ul class="link-list">
          {links.map((l) => (
            <li>
              <span class="badge badge-muted">{t(`coordination.duplicates.kind.${l.kind}`)}</span> <Pair page={page} c={l} />
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

async function duplicatesPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const ctx = c.get('ctx');
  const cursor = c.req.query('cursor');
  const list = await listDuplicateCandidates(ctx, { limit: 25, cursor: cursor || undefined, lang: c.get('lang') });
  const links = await listActivityLinks(ctx, { lang: c.get('lang') });
  return renderPage(c, { title: t('coordination.duplicates.title'), description: t('coordination.duplicates.lead') }, (page) => (
    <DuplicatesPage page={page} items={list.items} total={list.total} lastScan={list.lastScan?.finishedAt ?? null} links={links} nextCursor={list.nextCursor} />
  ));
}

async function scanAction(c: Context<AppEnv>) {
  await scanDuplicates(c.get('ctx'));
  return c.redirect('/coordination/duplicates?notice=duplicatesScanned', 303);
}

async function decideAction(c: Context<AppEnv>) {
  const body = (await c.req.parseBody()) as Record<string, string>;
  const r = await decideDuplicate(c.get('ctx'), { activityA: body.activityA ?? '', activityB: body.activityB ?? '', decision: body.decision as 'duplicate', note: body.note ?? '' });
  return c.redirect(`/coordination/duplicates?notice=${r.decision === 'duplicate' ? 'duplicateConfirmed' : 'duplicateRejected'}`, 303);
}

/** The coordination pages: dashboard, matrix (and its exports), map, duplicates. */
export function coordinationRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/coordination', dashboardPage);
  r.get('/coordination/matrix', matrixPage);
  r.get('/coordination/:file{matrix\\.(?:csv|xlsx)}', matrixDownload);
  r.get('/coordination/map', mapPage);
  r.get('/coordination/duplicates', duplicatesPage);
  r.post('/coordination/duplicates/scan', scanAction);
  r.post('/coordination/duplicates/decide', decideAction);
  return r;
}
