import type { Context } from 'hono';
import type { ZodError } from 'zod';
import { can } from '../../../domain/policies.ts';
import { search, CANDIDATE_CAP, FREQUENT_WORD_CANDIDATES } from '../../../domain/search/search.ts';
import { searchParamsFromUrl, searchParamsSchema, searchQueryString, SEARCH_FACETS, type SearchFacet, type SearchHit, type SearchParams, type SearchResult } from '../../../domain/search/search-schemas.ts';
import type { AppEnv } from '../../env.ts';
import { fieldErrors } from '../../problem.ts';
import { formatNumber } from '../format.ts';
import type { PageContext } from '../page-context.ts';
import { renderPage } from '../render.tsx';
import { CheckboxFacet } from '../components/facet.tsx';
import { Csrf, emptyForm, SelectField, TextField, type FormState } from '../components/form.tsx';
import { canonicalSearchQuery } from '../../../domain/alerts/alert-schemas.ts';
import { searchName } from '../../../domain/alerts/subscriptions.ts';

/** The save and subscribe forms of the page, with what was entered and its errors. */
export type FollowForms = { save?: FormState; subscribe?: FormState };

/**
 * "Save this search" (signed in: a name and an e-mail alert frequency) or "E-mail me new results"
 * (visitors: an address, confirmed by e-mail). Forms of their own, outside the GET search form.
 */
function FollowSearch({ page, params, forms }: { page: PageContext; params: SearchParams; forms: FollowForms }) {
  const { t } = page;
  const query = canonicalSearchQuery(searchQueryString({ ...params, page: 1 }));
  if (page.actor.kind !== 'anonymous') {
    const form = forms.save ?? emptyForm({ name: searchName(query), frequency: 'none' });
    return (
      <section class="search-follow" aria-labelledby="follow-title">
        <h2 id="follow-title">{t('alerts.save.title')}</h2>
        <p class="hint">{t('alerts.save.lead')}</p>
        <form method="post" action="/library/saved" class="stack" novalidate>
          <Csrf page={page} />
          <input type="hidden" name="query" value={query} />
          <TextField t={t} form={form} name="name" label={t('alerts.field.name')} required maxlength={200} />
          <SelectField
            t={t}
            form={form}
            name="frequency"
            label={t('alerts.field.frequency')}
            options={(['none', 'daily', 'weekly'] as const).map((f) => ({ value: f, label: t(`alerts.frequency.${f}`) }))}
          />
          <p>
            <button type="submit" class="button">
              {t('alerts.save.submit')}
            </button>{' '}
            <a href="/account/searches">{t('alerts.save.yours')}</a>
          </p>
        </form>
      </section>
    );
  }
  const form = forms.subscribe ?? emptyForm({ frequency: 'weekly' });
  return (
    <section class="search-follow" aria-labelledby="follow-title">
      <h2 id="follow-title">{t('alerts.subscribe.title')}</h2>
      <p class="hint">{t('alerts.subscribe.lead')}</p>
      <form method="post" action="/library/subscribe" class="stack" novalidate>
        <Csrf page={page} />
        <input type="hidden" name="query" value={query} />
        <TextField t={t} form={form} name="email" type="email" autocomplete="email" label={t('alerts.field.email')} hint={t('alerts.subscribe.privacy')} required maxlength={254} />
        <SelectField
          t={t}
          form={form}
          name="frequency"
          label={t('alerts.field.frequency')}
          options={(['daily', 'weekly'] as const).map((f) => ({ value: f, label: t(`alerts.frequency.${f}`) }))}
        />
        <p>
          <button type="submit" class="button">
            {t('alerts.subscribe.submit')}
          </button>
        </p>
      </form>
    </section>
  );
}

const FACET_ORDER: SearchFacet[] = ['type', 'kind', 'year', 'theme', 'region', 'language', 'org'];

/** The label of a facet value: translated for fixed lists, from the service otherwise. */
function valueLabel(page: PageContext, facet: SearchFacet, v: { value: string; label: string }): string {
  if (facet === 'type') return page.t(`library.type.${v.value}`);
  if (facet === 'kind') return page.t(`library.kind.${v.value}`);
  if (facet === 'language') return page.t(`language.${v.value}`);
  return v.label;
}

function FacetBox({ page, facet, values }: { page: PageContext; facet: SearchFacet; values: SearchResult['facets'][SearchFacet] }) {
  return <CheckboxFacet page={page} name={facet} legend={page.t(`library.facet.${facet}`)} values={values.map((v) => ({ ...v, label: valueLabel(page, facet, v) }))} />;
}

function Snippet({ parts }: { parts: SearchHit['snippet'] }) {
  if (parts.length === 0 || parts.every((p) => p.text.trim() === '')) return null;
  return <p class="snippet">{parts.map((p) => (p.hit ? <mark>{p.text}</mark> : p.text))}</p>;
}

/**
 * "Why this result": the fields that matched, the score and the scores around it. A list without
 * a query has nothing to explain on each result; the line above the results gives its order.
 */
function Explanation({ page, hit }: { page: PageContext; hit: SearchHit }) {
  const { t } = page;
  const e = hit.explanation;
  if (e.matched.length === 0 && e.similarity === null) return null;
  return (
    <details class="explanation">
      <summary>{t('library.why.summary')}</summary>
      <ul>
        {e.matched.map((m) => (
          <li>
            {t(`library.why.field.${m.field}`, { weight: formatNumber(page.lang, m.weight) })}
            {m.pages && m.pages.length > 0 && ` ${t('library.why.pages', { pages: m.pages.map((p) => p.page).join(', ') })}`}
          </li>
        ))}
        {e.similarity !== null && <li>{t('library.why.similarity', { similarity: formatNumber(page.lang, e.similarity) })}</li>}
        {e.matched.length > 0 && e.similarity === null && (
          <li>
            {t(e.sortedBy === 'date' ? 'library.why.positionDate' : 'library.why.position', { position: e.position, score: formatNumber(page.lang, e.score) })}
            {e.scoreAbove !== null && ` ${t('library.why.above', { score: formatNumber(page.lang, e.scoreAbove) })}`}
            {e.scoreBelow !== null && ` ${t('library.why.below', { score: formatNumber(page.lang, e.scoreBelow) })}`}
          </li>
        )}
        {hit.lang !== page.lang && <li>{t('library.why.language', { language: t(`language.${hit.lang}`) })}</li>}
      </ul>
    </details>
  );
}

function Hit({ page, hit }: { page: PageContext; hit: SearchHit }) {
  const { t } = page;
  return (
    <li class="search-hit">
      <p class="eyebrow meta">
        {hit.type === 'publication' ? t(`library.kind.${hit.kind ?? 'paper'}`) : t('library.type.activity')}
        {hit.number && ` ${hit.number}`}
        {hit.date && ` · ${hit.date}`}
      </p>
      <h3>
        <a href={hit.url} lang={hit.lang !== page.lang ? hit.lang : undefined}>
          {hit.title}
        </a>
      </h3>
      <Snippet parts={hit.snippet} />
      {hit.languages.length > 1 && (
        <p class="meta">
          {t('library.languages')}: {hit.languages.map((l) => t(`language.${l}`)).join(', ')}
        </p>
      )}
      <Explanation page={page} hit={hit} />
    </li>
  );
}

function Notes({ page, r }: { page: PageContext; r: SearchResult }) {
  const { t } = page;
  const notes: string[] = [];
  if (r.query.shortened) notes.push(t('library.note.shortened'));
  if (r.mode === 'fuzzy') notes.push(t('library.note.fuzzy', { q: r.query.words.join(' ') }));
  if (r.mode === 'browse' && r.query.q.trim() !== '') notes.push(t('library.note.noWords'));
  if (r.frequentWords) notes.push(t('library.note.frequentWords', { cap: formatNumber(page.lang, FREQUENT_WORD_CANDIDATES) }));
  else if (r.capped) notes.push(t('library.note.capped', { cap: formatNumber(page.lang, CANDIDATE_CAP) }));
  if (notes.length === 0) return null;
  return (
    <div class="notice-panel" role="note">
      {notes.map((n) => (
        <p>{n}</p>
      ))}
    </div>
  );
}

function LibraryPage({ page, params, result, error, forms }: { page: PageContext; params: SearchParams; result: SearchResult | null; error: string[]; forms: FollowForms }) {
  const { t } = page;
  const active = params.q !== '' || SEARCH_FACETS.some((f) => params[f].length > 0);
  const pages = result ? Math.ceil(result.total / result.pageSize) : 0;
  const mayAdd = page.actor.kind !== 'anonymous' && (page.actor.platformRole !== null || page.actor.memberships.some((m) => m.role === 'focal_point' && can(page.actor, 'publication.create', { ownerOrganizationId: m.organizationId })));
  return (
    <>
      <div class="page-heading">
        <div>
          <h1>{t('library.title')}</h1>
          <p class="lead">{t('library.lead')}</p>
        </div>
        {mayAdd && (
          <p class="page-actions">
            <a class="button button-secondary" href="/library/new">
              {t('library.new')}
            </a>
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
      <form method="get" action="/library" class="activity-search" role="search" aria-label={t('library.searchLabel')}>
        <div class="filter-bar">
          <div class="field">
            <label for="library-q">{t('library.q')}</label>
            <input type="search" id="library-q" name="q" value={params.q} maxlength={500} aria-describedby="library-q-hint" />
            <p class="hint" id="library-q-hint">
              {t('library.qHint')}
            </p>
          </div>
          <div class="field">
            <label for="library-sort">{t('activityList.sort.label')}</label>
            <select id="library-sort" name="sort">
              {(['relevance', 'date'] as const).map((s) => (
                <option value={s} selected={s === params.sort}>
                  {t(`library.sort.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div class="filter-actions">
            <button type="submit" class="button">
              {t('library.search')}
            </button>
            {active && (
              <a href="/library" class="button button-secondary">
                {t('activityList.clear')}
              </a>
            )}
          </div>
        </div>
        <div class="with-sidebar activity-browse">
          <div class="facets">
            <h2 class="sidebar-title">{t('activityList.filters')}</h2>
            {result && FACET_ORDER.map((f) => <FacetBox page={page} facet={f} values={result.facets[f]} />)}
            <button type="submit" class="button">
              {t('activityList.apply')}
            </button>
          </div>
          <div class="sidebar-content">
            {result && (
              <>
                <p class="result-count" role="status">
                  {t('library.count', { count: result.total, formatted: formatNumber(page.lang, result.total) })}
                  {result.mode === 'browse' && result.total > 0 && ` · ${t('library.browseOrder')}`}
                </p>
                {params.q !== '' && <p class="print-only">{t('library.printedSearch', { q: params.q })}</p>}
                <p class="meta search-feed">
                  <a href={`/library/feed.atom${searchQueryString({ ...params, page: 1 })}`} type="application/atom+xml">
                    {t('library.feed')}
                  </a>
                </p>
                <Notes page={page} r={result} />
                {result.results.length === 0 ? (
                  <p class="empty">{t(active ? 'library.emptyFiltered' : 'library.empty')}</p>
                ) : (
                  <ol class="search-results" aria-label={t('library.results')} start={(result.page - 1) * result.pageSize + 1}>
                    {result.results.map((h) => (
                      <Hit page={page} hit={h} />
                    ))}
                  </ol>
                )}
                {pages > 1 && (
                  <nav class="pager" aria-label={t('pager.label')}>
                    <ul>
                      {result.page > 1 && (
                        <li>
                          <a href={`/library${searchQueryString({ ...params, page: result.page - 1 })}`} rel="prev">
                            {t('library.previous')}
                          </a>
                        </li>
                      )}
                      <li>{t('library.pageOf', { page: result.page, pages })}</li>
                      {result.page < pages && (
                        <li>
                          <a href={`/library${searchQueryString({ ...params, page: result.page + 1 })}`} rel="next">
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
      {result && <FollowSearch page={page} params={params} forms={forms} />}
    </>
  );
}

/** GET /library: one search over publications and activities, all its state in the URL (a GET form). */
export async function libraryPage(c: Context<AppEnv>, o: { query?: string; forms?: FollowForms; status?: number; flash?: PageContext['flash'] } = {}) {
  const t = c.get('t');
  const parsed = searchParamsSchema.safeParse(searchParamsFromUrl(o.query !== undefined ? new URLSearchParams(o.query) : new URL(c.req.url).searchParams));
  if (!parsed.success) {
    const error = fieldErrors(parsed.error as ZodError).map((f) => t('activityList.badFilter', { name: f.path.split('.')[0], message: f.message }));
    return renderPage(c, { title: t('library.title'), status: 422 }, (page) => <LibraryPage page={page} params={searchParamsSchema.parse({})} result={null} error={error} forms={{}} />);
  }
  const result = await search(c.get('ctx'), parsed.data, { lang: c.get('lang') });
  return renderPage(c, { title: t('library.title'), description: t('library.lead'), status: o.status }, (page) => {
    if (o.flash) page.flash = o.flash;
    return <LibraryPage page={page} params={parsed.data} result={result} error={[]} forms={o.forms ?? {}} />;
  });
}
