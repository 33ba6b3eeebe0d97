import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../database.ts';
import { visibleClause, withAnalyticSettings, type ReadScope } from './activity-list.ts';

/**
 * SQL of the one search service: the candidates that match a query in each kind of record
 * (publications through publication_search, activities through their own `search` column and
 * list row), each source capped so that no query ever ranks more than `cap` rows of it; the
 * per-result explanation (which fields matched, which file pages) and highlighted snippets.
 * The query arrives as websearch text already prepared by the domain (accents folded, Chinese
 * segmented); it is stemmed here with every language's configuration and the results OR'ed.
 */

export const QUERY_CONFIGS = ['icat_english', 'icat_french', 'icat_spanish', 'icat_russian', 'icat_arabic', 'icat_simple'] as const;
/** Weights of D, C, B, A: files 0.1, body 0.2, key questions and summary 0.4, title 1.0. */
export const RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0] as const;

/** The tsquery of a websearch text in every configuration, OR'ed. */
export function tsqueryOf(websearch: string): RawBuilder<unknown> {
  return sql`(${sql.join(
    QUERY_CONFIGS.map((c) => sql`websearch_to_tsquery(${sql.lit(c)}::regconfig, ${websearch})`),
    sql` || `,
  )})`;
}

export type SearchFilters = {
  types?: ('publication' | 'activity')[];
  kinds?: string[];
  years?: number[];
  themes?: string[];
  regions?: string[];
  langs?: string[];
  organizations?: string[];
};

export type CandidateRow = {
  type: 'publication' | 'activity';
  id: string;
  lang: string;
  kind: string | null;
  year: number | null;
  sort_date: string | null;
  themes: string[];
  regions: string[];
  organizations: string[];
  rank: number;
};

const textArray = (v: readonly string[]) => sql`${[...v]}::text[]`;
const has = <T>(v: readonly T[] | undefined): v is T[] => Array.isArray(v) && v.length > 0;

/** Who may see a publication search document (alias s): drafts read as visibility 'draft'. */
function publicationVisible(scope: ReadScope): RawBuilder<unknown> {
  if (scope.all) return sql`true`;
  const parts = [sql`s.visibility = 'public'`];
  if (scope.memberPerson) parts.push(sql`s.visibility = 'members'`);
  if (scope.organizationIds.length > 0) {
    const orgs = textArray(scope.organizationIds);
    parts.push(sql`s.owner_organization_id = any(${orgs})`, sql`(s.visibility = 'restricted' and s.shared_with && ${orgs})`);
  }
  return sql`(${sql.join(parts, sql` or `)})`;
}

function publicationFilters(f: SearchFilters): RawBuilder<unknown>[] {
  const out: RawBuilder<unknown>[] = [];
  if (has(f.kinds)) out.push(sql`s.kind = any(${textArray(f.kinds)})`);
  if (has(f.years)) out.push(sql`s.year = any(${f.years}::int[])`);
  if (has(f.themes)) out.push(sql`s.themes && ${textArray(f.themes)}`);
  if (has(f.regions)) out.push(sql`s.regions && ${textArray(f.regions)}`);
  if (has(f.langs)) out.push(sql`s.lang = any(${textArray(f.langs)})`);
  if (has(f.organizations)) out.push(sql`s.organization_ids && ${textArray(f.organizations)}`);
  return out;
}

const ACTIVITY_THEMES = sql`(array(select 'pillar:' || x from unnest(a.pillars) x) || array(select 'exploitation-form:' || x from unnest(a.exploitation_forms) x)
  || array(select 'target-group:' || x from unnest(a.target_groups) x) || array(select 'context:' || x from unnest(a.contexts) x)
  || array(select 'sdg-target:' || x from unnest(a.sdg_targets) x))`;
const ACTIVITY_DATE = sql`coalesce(a.actual_start, a.planned_start)`;

function activityFilters(f: SearchFilters): RawBuilder<unknown>[] | null {
  // Activities have no publication kind: a kind filter leaves them out.
  if (has(f.kinds)) return null;
  const out: RawBuilder<unknown>[] = [];
  if (has(f.years)) out.push(sql`extract(year from ${ACTIVITY_DATE})::int = any(${f.years}::int[])`);
  if (has(f.themes)) out.push(sql`${ACTIVITY_THEMES} && ${textArray(f.themes)}`);
  if (has(f.regions)) out.push(sql`a.region_codes && ${textArray(f.regions)}`);
  if (has(f.langs)) out.push(sql`t.default_language = any(${textArray(f.langs)})`);
  if (has(f.organizations)) out.push(sql`a.organization_ids && ${textArray(f.organizations)}`);
  return out;
}

const rankOf = (tsv: RawBuilder<unknown>) => sql`ts_rank(${sql.lit(`{${RANK_WEIGHTS.join(',')}}`)}::real[], ${tsv}, q.q, 1)`;

export type CandidateRequest = {
  scope: ReadScope;
  /** Prepared websearch text; null for browsing without a query. */
  websearch: string | null;
  filters: SearchFilters;
  sort: 'relevance' | 'date';
  /** Rows read per kind of record at most. */
  cap: number;
};

/** The statement reading candidate publications, for benchmarks and EXPLAIN. */
export function publicationCandidatesQuery(r: CandidateRequest): RawBuilder<CandidateRow> {
  const where = [publicationVisible(r.scope), ...publicationFilters(r.filters)];
  if (r.websearch !== null) where.push(sql`s.tsv @@ q.q`);
  const order = r.sort === 'date' || r.websearch === null ? sql`order by s.published desc nulls last, s.publication_id` : sql``;
  return sql<CandidateRow>`
    with q as materialized (select ${r.websearch === null ? sql`null::tsquery` : tsqueryOf(r.websearch)} as q)
    select 'publication' as type, s.publication_id as id, s.lang, s.kind, s.year, s.published as sort_date, s.themes, s.regions,
           s.organization_ids as organizations, ${r.websearch === null ? sql`0::real` : rankOf(sql`s.tsv`)} as rank
      from publication_search s, q
     where ${sql.join(where, sql` and `)}
     ${order}
     limit ${r.cap + 1}`;
}

/** The statement reading candidate activities, for benchmarks and EXPLAIN; null when the filters leave activities out. */
export function activityCandidatesQuery(r: CandidateRequest): RawBuilder<CandidateRow> | null {
  const filters = activityFilters(r.filters);
  if (filters === null) return null;
  const where = [visibleClause(r.scope), ...filters];
  if (r.websearch !== null) where.push(sql`t.search @@ q.q`);
  const order = r.sort === 'date' || r.websearch === null ? sql`order by a.updated_at desc, a.id desc` : sql``;
  return sql<CandidateRow>`
    with q as materialized (select ${r.websearch === null ? sql`null::tsquery` : tsqueryOf(r.websearch)} as q)
    select 'activity' as type, a.id, t.default_language as lang, null::text as kind, extract(year from ${ACTIVITY_DATE})::int as year,
           ${ACTIVITY_DATE}::text as sort_date, ${ACTIVITY_THEMES} as themes, a.region_codes as regions, a.organization_ids as organizations,
           ${r.websearch === null ? sql`0::real` : rankOf(sql`t.search`)} as rank
      from activity_list_rows a join activities t on t.id = a.id, q
     where ${sql.join(where, sql` and `)}
     ${order}
     limit ${r.cap + 1}`;
}

/** Candidates of every kind of record asked for, each source capped at cap + 1 rows (one more tells that it was capped). */
export async function selectSearchCandidates(db: Executor, r: CandidateRequest): Promise<{ publications: CandidateRow[]; activities: CandidateRow[] }> {
  const types = r.filters.types;
  const wantPublications = !has(types) || types.includes('publication');
  const wantActivities = !has(types) || types.includes('activity');
  return withAnalyticSettings(db, async (tx) => {
    const publications = wantPublications ? (await publicationCandidatesQuery(r).execute(tx)).rows : [];
    const aq = wantActivities ? activityCandidatesQuery(r) : null;
    const activities = aq ? (await aq.execute(tx)).rows : [];
    return { publications: publications.map(numeric), activities: activities.map(numeric) };
  });
}

const numeric = (row: CandidateRow): CandidateRow => ({ ...row, rank: Number(row.rank), year: row.year === null ? null : Number(row.year) });

/** Typo tolerance: records whose title holds a word like the query's (trigram word similarity), best first. */
export async function selectFuzzyCandidates(db: Executor, r: Omit<CandidateRequest, 'websearch' | 'sort'> & { text: string }): Promise<{ publications: CandidateRow[]; activities: CandidateRow[] }> {
  const types = r.filters.types;
  const text = r.text.toLowerCase();
  return withAnalyticSettings(db, async (tx) => {
    const publications =
      !has(types) || types.includes('publication')
        ? (
            await sql<CandidateRow>`
              select 'publication' as type, s.publication_id as id, s.lang, s.kind, s.year, s.published as sort_date, s.themes, s.regions,
                     s.organization_ids as organizations, word_similarity(${text}, lower(s.title)) as rank
                from publication_search s
               where ${text} <% lower(s.title) and ${sql.join([publicationVisible(r.scope), ...publicationFilters(r.filters)], sql` and `)}
               order by rank desc limit ${r.cap}`.execute(tx)
          ).rows
        : [];
    const af = activityFilters(r.filters);
    const activities =
      (!has(types) || types.includes('activity')) && af !== null
        ? (
            await sql<CandidateRow>`
              select 'activity' as type, a.id, t.default_language as lang, null::text as kind, extract(year from ${ACTIVITY_DATE})::int as year,
                     ${ACTIVITY_DATE}::text as sort_date, ${ACTIVITY_THEMES} as themes, a.region_codes as regions, a.organization_ids as organizations,
                     word_similarity(${text}, lower(t.title::text)) as rank
                from activity_list_rows a join activities t on t.id = a.id
               where ${text} <% lower(t.title::text) and ${sql.join([visibleClause(r.scope), ...af], sql` and `)}
               order by rank desc limit ${r.cap}`.execute(tx)
          ).rows
        : [];
    return { publications: publications.map(numeric), activities: activities.map(numeric) };
  });
}

export type PublicationHitDetail = {
  id: string;
  lang: string;
  cfg: string;
  title: string;
  m_title: boolean;
  m_b: boolean;
  m_c: boolean;
  m_d: boolean;
  m_summary: boolean;
  m_key_questions: boolean;
  m_body: boolean;
  snippet: string | null;
  pages: { file: string; page: number }[];
};

const HEADLINE = "StartSel=[[[, StopSel=]]], MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=' … '";

/**
 * What each shown publication matched: the weight classes of its search document (A title,
 * B key questions and summary, C body, D files), the fields themselves, the file pages, and a
 * snippet with the matches between [[[ and ]]]. `texts` are the fields prepared like the index.
 */
export async function selectPublicationHitDetails(
  db: Executor,
  websearch: string,
  rows: { id: string; lang: string; summary: string; keyQuestions: string; body: string; headline: string }[],
): Promise<PublicationHitDetail[]> {
  if (rows.length === 0) return [];
  const r = await sql<PublicationHitDetail>`
    with q as materialized (select ${tsqueryOf(websearch)} as q),
    input as (select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id text, lang text, summary text, "keyQuestions" text, body text, headline text))
    select s.publication_id as id, s.lang, s.cfg::text as cfg, s.title,
           ts_filter(s.tsv, '{a}') @@ q.q as m_title, ts_filter(s.tsv, '{b}') @@ q.q as m_b,
           ts_filter(s.tsv, '{c}') @@ q.q as m_c, ts_filter(s.tsv, '{d}') @@ q.q as m_d,
           to_tsvector(s.cfg, i.summary) @@ q.q as m_summary, to_tsvector(s.cfg, i."keyQuestions") @@ q.q as m_key_questions,
           to_tsvector(s.cfg, i.body) @@ q.q as m_body,
           case when i.headline <> '' then ts_headline(s.cfg, i.headline, q.q, ${HEADLINE}) end as snippet,
           coalesce((select jsonb_agg(jsonb_build_object('file', f.id, 'page', p.page) order by f.uploaded_at, p.page)
                       from publication_files f join publication_file_pages p on p.file_id = f.id
                      where f.publication_id = s.publication_id and f.lang = s.lang and to_tsvector(s.cfg, p.text) @@ q.q), '[]'::jsonb) as pages
      from input i join publication_search s on s.publication_id = i.id and s.lang = i.lang, q`.execute(db);
  return r.rows;
}

export type ActivityHitDetail = { id: string; m_title: boolean; m_b: boolean; m_c: boolean; snippet: string | null };

/** What each shown activity matched (A title, B description and objectives, C other text) and a snippet of its description. */
export async function selectActivityHitDetails(db: Executor, websearch: string, rows: { id: string; headline: string }[]): Promise<ActivityHitDetail[]> {
  if (rows.length === 0) return [];
  const r = await sql<ActivityHitDetail>`
    with q as materialized (select ${tsqueryOf(websearch)} as q),
    input as (select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(id text, headline text))
    select t.id, ts_filter(t.search, '{a}') @@ q.q as m_title, ts_filter(t.search, '{b}') @@ q.q as m_b, ts_filter(t.search, '{c}') @@ q.q as m_c,
           case when i.headline <> '' then ts_headline('icat_simple', i.headline, q.q, ${HEADLINE}) end as snippet
      from input i join activities t on t.id = i.id, q`.execute(db);
  return r.rows;
}

/** Titles and summaries of the shown publications in every language, for result cards. */
export async function selectPublicationCards(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string; kind: string; number: string | null; published: string | null; status: string; visibility: string; owner_organization_id: string; languages: { lang: string; title: string; summary: string }[] }>`
    select p.id, p.kind, p.number, p.published, p.status, p.visibility, p.owner_organization_id,
           coalesce((select jsonb_agg(jsonb_build_object('lang', l.lang, 'title', l.title, 'summary', l.summary) order by l.lang) from publication_languages l where l.publication_id = p.id), '[]'::jsonb) as languages
      from publications p where p.id = any(${textArray(ids)})`.execute(db);
  return r.rows;
}

/** Titles and texts of the shown activities, for result cards and snippets. */
export async function selectActivityCards(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string; title: Record<string, string>; description: Record<string, string>; default_language: string; owner_organization_id: string; visibility: string }>`
    select id, title, description, default_language, owner_organization_id, visibility from activities where id = any(${textArray(ids)})`.execute(db);
  return r.rows;
}
