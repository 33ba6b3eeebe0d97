import type { Context } from 'hono';
import { Hono } from 'hono';
import type { ZodError } from 'zod';
import { activityFiltersQuery, activityFiltersSchema, hasActiveFilters, ORGANIZATION_ROLES, queryRecord, type ActivityFilters, type Facet } from '../../domain/activities/activity-filters.ts';
import { EXPORT_FORMATS, exportActivities, type ExportFormat } from '../../domain/activities/export-activities.ts';
import { browseActivities, type ActivityBrowse, type ActivitySummary, type FacetValue } from '../../domain/activities/list-activities.ts';
import { countPendingSuggestionsFor, PENDING_BADGE_CAP } from '../../domain/activities/list-pending-suggestions.ts';
import { can } from '../../domain/policies.ts';
import { sendExport } from '../api/activity-list.ts';
import { activityImportRoutes } from './activities-import.tsx';
import { iatiImportPageRoutes } from './iati-import.tsx';
import type { AppEnv } from '../env.ts';
import { fieldErrors } from '../problem.ts';
import { formatDate, formatNumber, isoDate } from './format.ts';
import type { PageContext } from './page-context.ts';
import { renderPage } from './render.tsx';
import { CheckboxFacet } from './components/facet.tsx';

const PAGE_SIZE = 25;

const FACET_KEYS: Record<Facet, string> = {
  country: 'activityList.facet.country',
  region: 'activityList.facet.region',
  pillar: 'activityList.facet.pillar',
  exploitationForm: 'activityList.facet.exploitationForm',
  targetGroup: 'activityList.facet.targetGroup',
  context: 'activityList.facet.context',
  sdgTarget: 'activityList.facet.sdgTarget',
  organization: 'activityList.facet.organization',
  status: 'activityList.facet.status',
};
/** The order of the facet boxes on the page. */
const FACET_ORDER: Facet[] = ['pillar', 'region', 'country', 'exploitationForm', 'targetGroup', 'context', 'sdgTarget', 'status', 'organization'];

const href = (path: string, q: URLSearchParams) => {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

function FacetBox({ page, facet, values }: { page: PageContext; facet: Facet; values: FacetValue[] }) {
  const { t } = page;
  // Regions stay whole: folding would cut their hierarchy.
  return (
    <CheckboxFacet page={page} name={facet} legend={t(FACET_KEYS[facet])} values={values.map((v) => ({ ...v, value: v.code }))} keepAll={facet === 'region'}>
      {facet === 'organization' && (
        <div class="field">
          <label for="filter-role">{t('activityList.role.label')}</label>
          <select id="filter-role" name="organizationRole">
            <option value="">{t('activityList.role.any')}</option>
            {ORGANIZATION_ROLES.map((r) => (
              <option value={r} selected={page.url.includes(`organizationRole=${r}`)}>
                {t(`activityList.role.${r}`)}
              </option>
            ))}
          </select>
        </div>
      )}
    </CheckboxFacet>
  );
}

function dates(page: PageContext, a: ActivitySummary): string {
  const start = a.actualStart ?? a.plannedStart;
  const end = a.actualEnd ?? a.plannedEnd;
  if (!start && !end) return '';
  return page.t('activityList.dates', { start: start ? formatDate(page.lang, start) : '…', end: end ? formatDate(page.lang, end) : '…' });
}

function ActivityItem({ page, a }: { page: PageContext; a: ActivitySummary }) {
  const { t } = page;
  const others = a.participants.filter((p) => p.organizationId !== a.ownerOrganization.id && p.name);
  const orgNames = [...new Set(others.map((p) => p.name))];
  const when = dates(page, a);
  return (
    <li class="activity-item">
      <h3>
        <a href={`/activities/${a.id}`}>{a.displayTitle || a.iatiIdentifier || a.id}</a>
      </h3>
      <p class="meta">
        {a.ownerOrganization.acronym}
        {orgNames.length > 0 && ` · ${t('activityList.with', { names: orgNames.slice(0, 4).join(', ') })}${orgNames.length > 4 ? ' …' : ''}`}
        {a.status && <span class="badge badge-info">{a.status.label}</span>}
        {a.visibility !== 'public' && <span class="badge badge-muted">{t(`activityList.visibility.${a.visibility}`)}</span>}
      </p>
      <dl class="activity-facts">
        {a.countries.length > 0 && (
          <div>
            <dt>{t('activityList.facet.country')}</dt>
            <dd>{a.countries.map((c) => c.label).join(', ')}</dd>
          </div>
        )}
        {a.pillars.length > 0 && (
          <div>
            <dt>{t('activityList.facet.pillar')}</dt>
            <dd>{a.pillars.map((p) => p.label).join(', ')}</dd>
          </div>
        )}
        {when && (
          <div>
            <dt>{t('activityList.period')}</dt>
            <dd>
              <time datetime={isoDate(a.actualStart ?? a.plannedStart)}>{when}</time>
            </dd>
          </div>
        )}
      </dl>
    </li>
  );
}

function ListPage({ page, filters, result, error, pending }: { page: PageContext; filters: ActivityFilters; result: ActivityBrowse | null; error: string[]; pending: number }) {
  const { t } = page;
  const base = activityFiltersQuery(filters, ['cursor']);
  const exportQuery = activityFiltersQuery(filters, ['cursor', 'limit', 'sort']);
  const active = hasActiveFilters(filters);
  const sort = filters.sort ?? (filters.q ? 'relevance' : 'updated');
  const actor = page.actor;
  const mayImport = can(actor, 'activity.import');
  return (
    <>
      <div class="page-heading">
        <div>
          <h1>{t('activityList.title')}</h1>
          <p class="lead">{t('activityList.lead')}</p>
        </div>
        {(mayImport || pending > 0) && (
          <p class="page-actions">
            {pending > 0 && (
              <a class="button button-secondary" href="/activities/suggestions">
                {t('suggestionReview.listLink')}{' '}
                <span class="badge badge-info">{pending >= PENDING_BADGE_CAP ? `${formatNumber(page.lang, PENDING_BADGE_CAP)}+` : formatNumber(page.lang, pending)}</span>
              </a>
            )}
            {mayImport && (
              <>
                <a class="button button-secondary" href="/activities/new">
                  {t('activityList.new')}
                </a>
                <a class="button button-secondary" href="/activities/import">
                  {t('activityList.import')}
                </a>
                <a class="button button-secondary" href="/activities/import/iati">
                  {t('activityList.importIati')}
                </a>
              </>
            )}
          </p>
        )}
      </div>
      {error.length > 0 && (
        <div class="error-summary" role="alert">
          <h2>{t('activityList.badFilters')}</h2>
          <ul>
            {error.map((e) => (
              <li>{e}</li>
            ))}
          </ul>
        </div>
      )}
      <form method="get" action="/activities" class="activity-search" role="search" aria-label={t('activityList.searchLabel')}>
        <div class="filter-bar">
          <div class="field">
            <label for="activities-q">{t('activityList.q')}</label>
            <input type="search" id="activities-q" name="q" value={filters.q ?? ''} maxlength={200} />
          </div>
          <div class="field">
            <label for="activities-sort">{t('activityList.sort.label')}</label>
            <select id="activities-sort" name="sort">
              {(['updated', 'title', 'start', 'relevance'] as const).map((s) => (
                <option value={s} selected={s === sort}>
                  {t(`activityList.sort.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="filter-actions">
            <button type="submit" class="button">
              {t('activityList.apply')}
            </button>
            {active && (
              <a href="/activities" class="button button-secondary">
                {t('activityList.clear')}
              </a>
            )}
          </div>
        </div>
        <div class="with-sidebar activity-browse">
          <div class="facets">
            <h2 class="sidebar-title">{t('activityList.filters')}</h2>
            <fieldset class="facet">
              <legend>{t('activityList.period')}</legend>
              <div class="field">
                <label for="filter-from">{t('activityList.from')}</label>
                <input type="date" id="filter-from" name="from" value={filters.from ?? ''} />
              </div>
              <div class="field">
                <label for="filter-to">{t('activityList.to')}</label>
                <input type="date" id="filter-to" name="to" value={filters.to ?? ''} />
              </div>
            </fieldset>
            {result && FACET_ORDER.map((f) => <FacetBox page={page} facet={f} values={result.facets[f]} />)}
            <button type="submit" class="button">
              {t('activityList.apply')}
            </button>
          </div>
          <div class="sidebar-content">
            {result && (
              <>
                <p class="result-count" role="status">
                  {t('activityList.count', { count: result.total, formatted: formatNumber(page.lang, result.total) })}
                </p>
                <nav class="export-links" aria-label={t('activityList.export.label')}>
                  <span>{t('activityList.export.intro')}</span>
                  <ul class="chip-list">
                    {EXPORT_FORMATS.map((f) => (
                      <li>
                        <a class="chip" href={href(`/activities/export.${f}`, exportQuery)} download>
                          {t(`activityList.export.${f}`)}
                        </a>
                      </li>
                    ))}
                  </ul>
                </nav>
                {result.items.length === 0 ? (
                  <p class="empty">{t(active ? 'activityList.emptyFiltered' : 'activityList.empty')}</p>
                ) : (
                  <ol class="activity-list" aria-label={t('activityList.results')}>
                    {result.items.map((a) => (
                      <ActivityItem page={page} a={a} />
                    ))}
                  </ol>
                )}
                {(result.nextCursor || filters.cursor) && (
                  <nav class="pager" aria-label={t('pager.label')}>
                    <ul>
                      {filters.cursor && (
                        <li>
                          <a href={href('/activities', base)}>{t('pager.first')}</a>
                        </li>
                      )}
                      {result.nextCursor && (
                        <li>
                          <a href={href('/activities', new URLSearchParams([...base, ['cursor', result.nextCursor]]))} rel="next">
                            {t('pager.next')}
                          </a>
                        </li>
                      )}
                    </ul>
                  </nav>
                )}
              </>
            )}
          </div>
        </div>
      </form>
    </>
  );
}

/** Reads the filters of a request; invalid ones are named for the page instead of failing it. */
function readFilters(c: Context<AppEnv>): { filters: ActivityFilters; error: string[] } {
  const record = queryRecord(new URL(c.req.url).searchParams);
  const parsed = activityFiltersSchema.safeParse(record);
  if (parsed.success) return { filters: parsed.data, error: [] };
  const t = c.get('t');
  return {
    filters: activityFiltersSchema.parse({}),
    error: fieldErrors(parsed.error as ZodError).map((f) => t('activityList.badFilter', { name: f.path.split('.')[0], message: f.message })),
  };
}

/** The activity list: facets with counts, a text query and sort, all in the URL (a GET form), pages and exports. */
export async function activityListPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const { filters, error } = readFilters(c);
  const withPage = { ...filters, limit: filters.limit ?? PAGE_SIZE };
  const ctx = c.get('ctx');
  const [result, pending] = await Promise.all([error.length > 0 ? null : browseActivities(ctx, withPage, { lang: c.get('lang') }), countPendingSuggestionsFor(ctx)]);
  return renderPage(c, { title: t('activityList.title'), description: t('activityList.lead'), status: error.length > 0 ? 422 : 200 }, (page) => (
    <ListPage page={page} filters={filters} result={result} error={error} pending={pending} />
  ));
}

/** `/activities/export.csv|xlsx|json|xml?…`: the list's filters as a download. */
export async function activityExportDownload(c: Context<AppEnv>) {
  const format = (c.req.param('file') ?? '').replace(/^export\./, '') as ExportFormat;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) return c.notFound();
  const record = queryRecord(new URL(c.req.url).searchParams);
  const filters = activityFiltersSchema.parse(record);
  return sendExport(c, await exportActivities(c.get('ctx'), filters, format, { lang: c.get('lang') }));
}

/** The list page and its exports. */
export function activityListRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/activities', activityListPage);
  r.route('/', iatiImportPageRoutes());
  r.route('/', activityImportRoutes());
  r.get('/activities/:file{export\\.(?:csv|xlsx|json|xml)}', activityExportDownload);
  return r;
}

