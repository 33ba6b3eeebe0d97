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

/**
 * The tsquery of a websearch text in every configuration, OR'ed, each distinct form once: most
 * words stem alike in several languages, and ranking costs grow with the size of the query.
 */
export function tsqueryOf(websearch: string): RawBuilder<unknown> {
  const forms = QUERY_CONFIGS.map((c) => sql`(websearch_to_tsquery(${sql.lit(c)}::regconfig, ${websearch}))`);
  return sql`(select coalesce(string_agg(distinct '(' || f::text || ')', ' | ')::tsquery, websearch_to_tsquery('icat_simple', ${websearch}))
                from (values ${sql.join(forms, sql`, `)}) as v(f) where numnode(f) > 0)`;
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

const rankOf = (tsv: RawBuilder<unknown>) => sql`ts_rank(${sql.lit(`{${RANK_WEIGHTS.join(',')}}`)}::real[], ${tsv}, (select q from q), 1)`;

export type CandidateRequest = {
  scope: ReadScope;
  /** Prepared websearch text; null for browsing without a query. */
  websearch: string | null;
  filters: SearchFilters;
  sort: 'relevance' | 'date';
  /** Rows read per kind of record at most. */
  cap: number;
  /** Only records first published in (since, until], never drafts: what a saved search announces as new. */
  window?: PublishedWindow;
  /**
   * Set when every word of the query is a frequent word of the library (the domain's frequentForms):
   * publications are then read from the lists of best documents of the frequent forms, with
   * every match of the other forms (migration 0018).
   */
  frequent?: FrequentForms;
};
export type PublishedWindow = { since: Date; until: Date };

const Q = sql`(select q from q)`;

/** The select list every source gives: one row per matching language version of a record. */
function publicationSource(r: CandidateRequest, mode: 'fulltext' | 'fuzzy' | 'browse', fuzzyText: string): RawBuilder<unknown> {
  const where = [publicationVisible(r.scope), ...publicationFilters(r.filters)];
  if (r.window) {
    where.push(sql`s.visibility <> 'draft'`, sql`exists (select 1 from publications p where p.id = s.publication_id
      and p.first_published_at > ${r.window.since} and p.first_published_at <= ${r.window.until})`);
  }
  let rank = sql`0::real`;
  let order = sql`order by s.published desc nulls last, s.publication_id`;
  if (mode === 'fulltext') {
    where.push(sql`s.tsv @@ ${Q}`);
    rank = rankOf(sql`s.tsv`);
    order = r.sort === 'date' ? order : sql``;
  } else if (mode === 'fuzzy') {
    where.push(sql`${fuzzyText} <% lower(s.title)`);
    rank = sql`word_similarity(${fuzzyText}, lower(s.title))`;
    order = sql`order by 10 desc`;
  }
  const columns = sql`'publication'::text as type, s.publication_id as id, s.lang, s.kind, s.year, s.published as sort_date, s.themes, s.regions,
           s.organization_ids as organizations, ${rank} as rank`;
  if (mode !== 'fulltext' || !r.frequent) {
    return sql`
    select ${columns}
      from publication_search s
     where ${sql.join(where, sql` and `)}
     ${order}
     limit ${r.cap + 1}`;
  }
  // Only frequent words: the documents that score best for their frequent forms, with every
  // match of the forms that are not frequent (few, by definition), then the whole query. Each
  // candidate is read by its key (the fence keeps the planner from reading every match of the
  // query instead and joining).
  // The other forms' matches are as many again at most, all of them ranked beside the lists' best.
  const { lexemes, rareForms } = r.frequent;
  const rare = rareForms.length === 0 ? sql`` : sql`union (select x.publication_id, x.lang from publication_search x
               where x.tsv @@ (select string_agg(lexeme_query(l)::text, ' | ')::tsquery from unnest(${rareForms}::text[]) as l)
               limit ${FREQUENT_WORD_CANDIDATES})`;
  return sql`
    select ${columns}
      from ((select t.publication_id, t.lang from search_word_top t where t.lexeme = any(${lexemes}::text[])
              order by t.score desc limit ${FREQUENT_WORD_CANDIDATES}) ${rare}) c
      cross join lateral (select * from publication_search y where y.publication_id = c.publication_id and y.lang = c.lang offset 0) s
     where ${sql.join(where, sql` and `)}
     ${order}
     limit ${FREQUENT_WORD_CANDIDATES * (rareForms.length === 0 ? 1 : 2)}`;
}

/**
 * Candidates read from the frequent words' lists. Each is read by its key, one random read of
 * its text (about 25 µs here, against a few µs for the clustered reads of the index path), and
 * the lists are in order of relevance already: their best 500 are ranked.
 */
export const FREQUENT_WORD_CANDIDATES = 500;

export type FrequentForms = { lexemes: string[]; rareForms: string[] };

/** Each word's forms (its lexeme in every configuration) and whether each is a frequent word of the library. */
export async function wordForms(db: Executor, words: string[]): Promise<{ word: string; lexeme: string; frequent: boolean }[]> {
  if (words.length === 0) return [];
  const r = await sql<{ word: string; lexeme: string; frequent: boolean }>`
    select f.word, f.lexeme, exists (select 1 from search_frequent_words x where x.lexeme = f.lexeme) as frequent
      from (select distinct w.word, l.lexeme
              from unnest(${words}::text[]) as w(word)
              cross join unnest(${[...QUERY_CONFIGS]}::regconfig[]) as c(cfg)
              cross join lateral unnest(tsvector_to_array(to_tsvector(c.cfg, w.word))) as l(lexeme)) f`.execute(db);
  return r.rows;
}

function activitySource(r: CandidateRequest, mode: 'fulltext' | 'fuzzy' | 'browse', fuzzyText: string): RawBuilder<unknown> | null {
  const filters = activityFilters(r.filters);
  if (filters === null) return null;
  const where = [visibleClause(r.scope), ...filters];
  if (r.window) where.push(sql`a.visibility <> 'draft'`, sql`t.first_published_at > ${r.window.since}`, sql`t.first_published_at <= ${r.window.until}`);
  let rank = sql`0::real`;
  let order = sql`order by a.updated_at desc, a.id desc`;
  if (mode === 'fulltext') {
    where.push(sql`t.search @@ ${Q}`);
    rank = rankOf(sql`t.search`);
    order = r.sort === 'date' ? order : sql``;
  } else if (mode === 'fuzzy') {
    where.push(sql`${fuzzyText} <% lower(t.title::text)`);
    rank = sql`word_similarity(${fuzzyText}, lower(t.title::text))`;
    order = sql`order by 10 desc`;
  }
  return sql`
    select 'activity'::text as type, a.id, t.default_language as lang, null::text as kind, extract(year from ${ACTIVITY_DATE})::int as year,
           ${ACTIVITY_DATE}::text as sort_date, ${ACTIVITY_THEMES} as themes, a.region_codes as regions, a.organization_ids as organizations, ${rank} as rank
      from activity_list_rows a join activities t on t.id = a.id
     where ${sql.join(where, sql` and `)}
     ${order}
     limit ${r.cap + 1}`;
}

export type SearchFacetKey = 'type' | 'kind' | 'year' | 'theme' | 'region' | 'language' | 'org';
export type SearchPageRequest = CandidateRequest & {
  mode: 'fulltext' | 'fuzzy' | 'browse';
  /** For fuzzy mode: the words whose resemblance to titles is measured. */
  fuzzyText?: string;
  /** The facet values chosen: a record must have one of them in each facet. */
  selected: Record<SearchFacetKey, string[]>;
  /** The reader's language, preferred among equally ranked language versions. */
  uiLang: string;
  offset: number;
  limit: number;
};
export type SearchHitRow = {
  type: 'publication' | 'activity';
  id: string;
  lang: string;
  sort_date: string | null;
  rank: number;
  languages: string[];
  rank_above: number | null;
  rank_below: number | null;
};
export type SearchPageRows = {
  /** More matched in some kind of record than were read (cap). */
  capped: boolean;
  /** Publications were read from the lists of the best documents for the query's frequent words. */
  frequentWords: boolean;
  total: number;
  facets: { facet: SearchFacetKey; value: string; n: number }[];
  hits: SearchHitRow[];
};

const FACET_KEYS: SearchFacetKey[] = ['type', 'kind', 'year', 'theme', 'region', 'language', 'org'];
/** The values a flagged record (alias f) gives each facet. */
const FACET_VALUE: Record<SearchFacetKey, RawBuilder<unknown>> = {
  type: sql`f.type`,
  kind: sql`f.kind`,
  year: sql`f.year::text`,
  theme: sql`unnest(f.themes)`,
  region: sql`unnest(f.regions)`,
  language: sql`unnest(f.languages)`,
  org: sql`unnest(f.organizations)`,
};

/** Does a flagged record (alias f) have one of the chosen values of a facet? */
function facetFlag(facet: SearchFacetKey, values: string[]): RawBuilder<unknown> {
  const v = textArray(values);
  switch (facet) {
    case 'type':
      return sql`f.type = any(${v})`;
    case 'kind':
      return sql`f.kind = any(${v})`;
    case 'year':
      return sql`f.year::text = any(${v})`;
    case 'theme':
      return sql`f.themes && ${v}`;
    case 'region':
      return sql`f.regions && ${v}`;
    case 'language':
      return sql`f.languages && ${v}`;
    case 'org':
      return sql`f.organizations && ${v}`;
  }
}

/**
 * One page of search results in one statement: the candidates of every source (each capped),
 * one row per record (its best-ranked language version, the reader's on ties), the facet counts
 * (each facet under every chosen value but its own), the total and the page, with the scores of
 * each hit's neighbours for the explanation. Only the page and the counts leave the database.
 */
export async function selectSearchPage(db: Executor, r: SearchPageRequest): Promise<SearchPageRows> {
  const query = searchPageQuery(r);
  if (!query) return { capped: false, frequentWords: false, total: 0, facets: [], hits: [] };
  const rows = await withAnalyticSettings(db, async (tx) => {
    if (r.mode === 'fulltext') await preferTextIndexes(tx);
    return (await query.execute(tx)).rows;
  });
  // Read from the frequent words' lists: more match than were read, whatever the count.
  const frequentWords = r.mode === 'fulltext' && !!r.frequent && (!has(r.filters.types) || r.filters.types.includes('publication'));
  const out: SearchPageRows = { capped: false, frequentWords, total: 0, facets: [], hits: [] };
  for (const row of rows) {
    if (row.part === 'facet' && row.facet && row.value !== null) out.facets.push({ facet: row.facet, value: row.value, n: Number(row.n) });
    else if (row.part === 'total') out.total = Number(row.n ?? 0);
    else if (row.part === 'capped') out.capped = Number(row.n ?? 0) > r.cap;
    else if (row.part === 'hit' && row.type && row.id) {
      out.hits.push({
        type: row.type,
        id: row.id,
        lang: row.lang ?? '',
        sort_date: row.sort_date,
        rank: Number(row.rank),
        languages: [...new Set(row.languages ?? [])].sort(),
        rank_above: row.rank_above === null ? null : Number(row.rank_above),
        rank_below: row.rank_below === null ? null : Number(row.rank_below),
      });
    }
  }
  if (frequentWords) out.capped = true;
  return out;
}

type SearchPagePart = {
  part: string;
  facet: SearchFacetKey | null;
  value: string | null;
  n: number | null;
  type: 'publication' | 'activity' | null;
  id: string | null;
  lang: string | null;
  sort_date: string | null;
  rank: number | null;
  languages: string[] | null;
  rank_above: number | null;
  rank_below: number | null;
};

/** The statement of selectSearchPage, for benchmarks and EXPLAIN; null when no source applies. */
export function searchPageQuery(r: SearchPageRequest): RawBuilder<SearchPagePart> | null {
  const types = r.filters.types;
  const fuzzyText = (r.fuzzyText ?? '').toLowerCase();
  const sources: RawBuilder<unknown>[] = [];
  if (!has(types) || types.includes('publication')) sources.push(publicationSource(r, r.mode, fuzzyText));
  if (!has(types) || types.includes('activity')) {
    const a = activitySource(r, r.mode, fuzzyText);
    if (a) sources.push(a);
  }
  if (sources.length === 0) return null;
  const active = FACET_KEYS.filter((k) => r.selected[k].length > 0);
  const flagName = (k: SearchFacetKey) => sql.raw(`m_${k}`);
  const allBut = (k: SearchFacetKey | null) => {
    const parts = active.filter((x) => x !== k).map((x) => sql`f.${flagName(x)}`);
    return parts.length > 0 ? sql.join(parts, sql` and `) : sql`true`;
  };
  const flags = active.map((k) => sql`, ${facetFlag(k, r.selected[k])} as ${flagName(k)}`);
  const order =
    r.sort === 'date' || r.mode === 'browse' ? sql`f.sort_date desc nulls last, f.rank desc, f.id` : sql`f.rank desc, f.sort_date desc nulls last, f.id`;
  return sql<SearchPagePart>`
    with q as materialized (select ${r.mode === 'fulltext' && r.websearch !== null ? tsqueryOf(r.websearch) : sql`null::tsquery`} as q),
    cand as materialized (${sql.join(
      sources.map((s) => sql`(${s})`),
      sql` union all `,
    )}),
    best as materialized (
      select distinct on (c.type, c.id) c.type, c.id, c.lang, c.kind, c.year, c.sort_date, c.themes, c.regions, c.organizations, c.rank,
             array_agg(c.lang) over (partition by c.type, c.id) as languages
        from cand c
       order by c.type, c.id, c.rank desc, (c.lang = ${r.uiLang}) desc
    ),
    flagged as materialized (select f.* ${flags.length > 0 ? sql.join(flags, sql` `) : sql``} from best f),
    ranked as (
      select f.type, f.id, f.lang, f.sort_date, f.rank, f.languages,
             lag(f.rank) over (order by ${order}) as rank_above, lead(f.rank) over (order by ${order}) as rank_below,
             row_number() over (order by ${order}) as position
        from flagged f where ${allBut(null)}
    )
    select 'facet' as part, x.facet, x.value, count(*)::int as n, null::text as type, null::text as id, null::text as lang, null::text as sort_date,
           null::real as rank, null::text[] as languages, null::real as rank_above, null::real as rank_below
      from (${sql.join(
        FACET_KEYS.map((k) => sql`select ${k}::text as facet, ${FACET_VALUE[k]} as value from flagged f where ${allBut(k)}`),
        sql` union all `,
      )}) x
     where x.value is not null
     group by x.facet, x.value
    union all
    select 'total', null, null, (select count(*)::int from flagged f where ${allBut(null)}), null, null, null, null, null, null, null, null
    union all
    select 'capped', null, null, (select max(n)::int from (select count(*) as n from cand group by type) c), null, null, null, null, null, null, null, null
    union all
    select * from (
      select 'hit'::text, null::text, null::text, null::int, h.type, h.id, h.lang, h.sort_date, h.rank::real, h.languages, h.rank_above::real, h.rank_below::real
        from ranked h where h.position > ${r.offset} order by h.position limit ${r.limit}
    ) page`;
}

/**
 * Makes the planner read text matches through the GIN indexes. It prices a sequential scan by
 * pages, but each search document lives out of line (TOAST), so scanning 10k documents for a
 * rare word took 160 ms where the index takes under 1 ms; a common word read through the index
 * stops after the capped number of rows. Local to the caller's transaction.
 */
export async function preferTextIndexes(tx: Executor): Promise<void> {
  await sql`select set_config('enable_seqscan', 'off', true)`.execute(tx);
}

const HEADLINE = "StartSel=[[[, StopSel=]]], MaxWords=35, MinWords=15, ShortWord=2, MaxFragments=2, FragmentDelimiter=' … '";

export type HitInput = {
  type: 'publication' | 'activity';
  id: string;
  lang: string;
  /** Chinese versions only: the texts segmented like the index, so matches can be found and marked. */
  prepared?: { summary: string; keyQuestions: string; body: string; headline: string };
};
export type HitCard = {
  pos: number;
  type: 'publication' | 'activity';
  id: string;
  kind: string | null;
  number: string | null;
  published: string | null;
  default_language: string | null;
  title: string | null;
  summary_start: string | null;
  languages: string[] | null;
  updated_at: Date | null;
  activity_title: Record<string, string> | null;
  activity_description: Record<string, string> | null;
  m_title: boolean | null;
  m_b: boolean | null;
  m_c: boolean | null;
  m_d: boolean | null;
  m_summary: boolean | null;
  m_key_questions: boolean | null;
  m_body: boolean | null;
  snippet: string | null;
  pages: { file: string; page: number }[] | null;
};

/**
 * Everything the shown results need, in one statement: for publications the language version
 * that matched (title, the start of the summary, the other languages), which weight classes of
 * its search document matched (A title, B key questions and summary, C body, D files; ts_filter),
 * which fields and which file pages, and a snippet with the matches between [[[ and ]]]; for
 * activities their titles and descriptions and the same for their own search column.
 */
export async function selectHitCards(db: Executor, websearch: string | null, hits: HitInput[], uiLang: string): Promise<HitCard[]> {
  if (hits.length === 0) return [];
  const input = hits.map((h, pos) => ({
    pos,
    type: h.type,
    id: h.id,
    lang: h.lang,
    summary: h.prepared?.summary ?? null,
    kq: h.prepared?.keyQuestions ?? null,
    body: h.prepared?.body ?? null,
    headline: h.prepared?.headline ?? null,
  }));
  const kq = sql`(select string_agg(v, E'\n') from jsonb_array_elements_text(l.key_questions) v)`;
  const r = await sql<HitCard>`
    with q as materialized (select ${websearch === null ? sql`null::tsquery` : tsqueryOf(websearch)} as q),
    input as (select * from jsonb_to_recordset(${JSON.stringify(input)}::jsonb) as x(pos int, type text, id text, lang text, summary text, kq text, body text, headline text))
    select i.pos, i.type, i.id, p.kind, p.number, p.published, coalesce(p.default_language, t.default_language) as default_language,
           l.title, left(l.summary, 600) as summary_start,
           case when i.type = 'publication' then (select array_agg(x.lang order by x.lang) from publication_languages x where x.publication_id = i.id) end as languages,
           coalesce(p.updated_at, t.updated_at) as updated_at,
           t.title as activity_title, t.description as activity_description,
           coalesce(ts_filter(s.tsv, '{a}'), ts_filter(t.search, '{a}')) @@ q.q as m_title,
           coalesce(ts_filter(s.tsv, '{b}'), ts_filter(t.search, '{b}')) @@ q.q as m_b,
           coalesce(ts_filter(s.tsv, '{c}'), ts_filter(t.search, '{c}')) @@ q.q as m_c,
           ts_filter(s.tsv, '{d}') @@ q.q as m_d,
           case when ts_filter(s.tsv, '{b}') @@ q.q then to_tsvector(s.cfg, coalesce(i.summary, l.summary)) @@ q.q else false end as m_summary,
           case when ts_filter(s.tsv, '{b}') @@ q.q then to_tsvector(s.cfg, coalesce(i.kq, ${kq}, '')) @@ q.q else false end as m_key_questions,
           case when ts_filter(s.tsv, '{c}') @@ q.q then to_tsvector(s.cfg, coalesce(i.body, left(l.body, 50000))) @@ q.q else false end as m_body,
           case when i.type = 'publication' then ts_headline(s.cfg, coalesce(i.headline, left(coalesce(nullif(l.summary, ''), ${kq}, l.body), 3000)), q.q, ${HEADLINE})
                else ts_headline('icat_simple', left(coalesce(nullif(t.description->>${uiLang}, ''), nullif(t.description->>t.default_language, ''), t.description->>'en', ''), 3000), q.q, ${HEADLINE}) end as snippet,
           case when i.type = 'publication' and ts_filter(s.tsv, '{d}') @@ q.q then
             (select jsonb_agg(jsonb_build_object('file', f.id, 'page', fp.page) order by f.uploaded_at, fp.page)
                from publication_files f join publication_file_pages fp on fp.file_id = f.id
               where f.publication_id = i.id and f.lang = i.lang and to_tsvector(s.cfg, fp.text) @@ q.q) end as pages
      from input i cross join q
      left join publications p on i.type = 'publication' and p.id = i.id
      left join publication_search s on i.type = 'publication' and s.publication_id = i.id and s.lang = i.lang
      left join publication_languages l on i.type = 'publication' and l.publication_id = i.id and l.lang = i.lang
      left join activities t on i.type = 'activity' and t.id = i.id
     order by i.pos`.execute(db);
  return r.rows;
}
