import {
  wordForms,
  RANK_WEIGHTS,
  selectHitCards,
  selectSearchPage,
  type FrequentForms,
  type HitInput,
  type PublishedWindow,
  type SearchFilters,
  type SearchHitRow,
  type SearchPageRequest,
} from '../../db/queries/search.ts';
import { selectOrganizationLabels } from '../../db/queries/activity-list.ts';
import { loadPublicationRows } from '../../db/queries/publications.ts';
import { prepareSearchText } from '../activities/activity-search.ts';
import { readScopeOf } from '../activities/list-activities.ts';
import type { DomainContext } from '../context.ts';
import { pickText, type Language } from '../languages.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import { parseQuery } from './query.ts';
import { searchParamsSchema, SEARCH_FACETS, type SearchFacet, type SearchHit, type SearchParamsInput, type SearchResult } from './search-schemas.ts';

/**
 * The one search service, over publications and activities (more kinds of record join by
 * adding a candidate source in src/db/queries/search.ts).
 *
 * Strategy: each source reads at most CANDIDATE_CAP matching records the actor may see,
 * ranked in SQL (ts_rank with field weights, normalised by length) as they are read, so a
 * common word never makes the database rank hundreds of thousands of rows. When a source
 * holds more, the result says `capped` and the first ones found are ranked. Facet counts (each
 * facet under every filter but its own), the total and the page come from the same statement;
 * the page's results then get their explanation (fields that matched, file pages) and a
 * highlighted snippet. One or two words that match nothing fall back to titles that resemble
 * them (pg_trgm word similarity).
 */
export const CANDIDATE_CAP = 1000;
/** A search made only of frequent words ranks this many of the best documents of its words (ADR 039). */
export { FREQUENT_WORD_CANDIDATES } from '../../db/queries/search.ts';
export const PAGE_SIZE = 20;

const FIELD_WEIGHT = { a: RANK_WEIGHTS[3], b: RANK_WEIGHTS[2], c: RANK_WEIGHTS[1], d: RANK_WEIGHTS[0] };

/**
 * When every word has a frequent form in some configuration (ADR 039): the frequent forms, whose
 * lists are read, and the other forms, whose every match is; else undefined (every match is read).
 */
async function frequentForms(ctx: DomainContext, words: string[]): Promise<FrequentForms | undefined> {
  const forms = await wordForms(ctx.db.kysely, words);
  const wordFrequent = new Map<string, boolean>();
  for (const f of forms) wordFrequent.set(f.word, (wordFrequent.get(f.word) ?? false) || f.frequent);
  if (wordFrequent.size === 0 || [...wordFrequent.values()].includes(false)) return undefined;
  return {
    lexemes: [...new Set(forms.filter((f) => f.frequent).map((f) => f.lexeme))],
    rareForms: [...new Set(forms.filter((f) => !f.frequent).map((f) => f.lexeme))],
  };
}

/** Search across the library and the activity registry, as the actor may see them. */
export async function search(ctx: DomainContext, raw: SearchParamsInput, opts: { lang: Language; pageSize?: number } = { lang: 'en' }): Promise<SearchResult> {
  const p = searchParamsSchema.parse(raw);
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const parsed = parseQuery(p.q);
  const scope = readScopeOf(ctx.actor);
  const selected: Record<SearchFacet, string[]> = {
    type: p.type,
    kind: p.kind,
    year: p.year.map(String),
    theme: p.theme,
    region: p.region,
    language: p.language,
    org: p.org,
  };
  const pushed: SearchFilters = { types: p.type, kinds: p.kind, years: p.year, themes: p.theme, regions: p.region, langs: p.language, organizations: p.org };
  const anyFilter = SEARCH_FACETS.some((f) => selected[f].length > 0);
  const websearch = parsed.websearch === '' ? null : parsed.websearch;
  const offset = (p.page - 1) * pageSize;
  // The base reads matches without the facet filters, so each facet can be counted under the others.
  const request: SearchPageRequest = {
    scope,
    websearch,
    sort: p.sort,
    cap: CANDIDATE_CAP,
    filters: {},
    mode: websearch === null ? 'browse' : 'fulltext',
    // Only frequent words: their lists of best documents, not every match (ADR 039).
    frequent: websearch === null ? undefined : await frequentForms(ctx, parsed.words),
    selected,
    uiLang: opts.lang,
    offset,
    limit: pageSize,
  };
  let page = await selectSearchPage(ctx.db.kysely, request);
  if (request.mode === 'fulltext' && page.total === 0 && !anyFilter && parsed.short) {
    request.mode = 'fuzzy';
    request.fuzzyText = parsed.words.join(' ');
    page = await selectSearchPage(ctx.db.kysely, request);
  }
  const facetRows = page.facets;
  // A capped base with filters: ask again with the filters in SQL, so that a filter finds its
  // matches beyond the first ones the base read (facet counts stay those of the base).
  if (page.capped && anyFilter && request.mode === 'fulltext') {
    // Every match, not the frequent words' lists: the filter is what narrows the search.
    page = await selectSearchPage(ctx.db.kysely, { ...request, filters: pushed, frequent: undefined });
  }
  const results = await describeHits(ctx, page.hits, { websearch, mode: request.mode, sort: p.sort, offset, lang: opts.lang });
  const facets = await facetLists(ctx, facetRows, selected, opts.lang);
  return {
    query: { q: p.q, understood: parsed.websearch, words: parsed.words, phrases: parsed.phrases, excluded: parsed.excluded, shortened: parsed.shortened },
    mode: request.mode,
    total: page.total,
    capped: page.capped,
    frequentWords: page.frequentWords,
    page: p.page,
    pageSize,
    results,
    facets,
  };
}

/**
 * What a saved search announces as new: the records matching it that were first published in
 * the window (never drafts), as the actor may see them, newest first. No typo-tolerant fallback:
 * an alert names only exact matches. `limit: 0` counts without describing any result.
 */
export async function searchPublishedIn(
  ctx: DomainContext,
  raw: SearchParamsInput,
  opts: { window: PublishedWindow; lang: Language; limit: number },
): Promise<{ total: number; capped: boolean; results: SearchHit[] }> {
  const p = searchParamsSchema.parse(raw);
  const parsed = parseQuery(p.q);
  const websearch = parsed.websearch === '' ? null : parsed.websearch;
  const selected: Record<SearchFacet, string[]> = { type: p.type, kind: p.kind, year: p.year.map(String), theme: p.theme, region: p.region, language: p.language, org: p.org };
  const mode = websearch === null ? 'browse' : 'fulltext';
  const page = await selectSearchPage(ctx.db.kysely, {
    scope: readScopeOf(ctx.actor),
    websearch,
    sort: 'date',
    cap: CANDIDATE_CAP,
    filters: { types: p.type, kinds: p.kind, years: p.year, themes: p.theme, regions: p.region, langs: p.language, organizations: p.org },
    window: opts.window,
    mode,
    selected,
    uiLang: opts.lang,
    offset: 0,
    limit: opts.limit,
  });
  const results = opts.limit > 0 ? await describeHits(ctx, page.hits, { websearch, mode, sort: 'date', offset: 0, lang: opts.lang }) : [];
  return { total: page.total, capped: page.capped, results };
}

/** Facet values with counts and labels, biggest first (years newest first); selected values always listed. */
async function facetLists(ctx: DomainContext, rows: { facet: SearchFacet; value: string; n: number }[], selected: Record<SearchFacet, string[]>, lang: Language) {
  const counts = Object.fromEntries(SEARCH_FACETS.map((f) => [f, new Map<string, number>()])) as Record<SearchFacet, Map<string, number>>;
  for (const r of rows) counts[r.facet].set(r.value, r.n);
  const ref = await getReferenceData(ctx);
  const orgIds = [...new Set([...counts.org.keys(), ...selected.org])];
  const orgs = new Map((await selectOrganizationLabels(ctx.db.kysely, orgIds)).map((o) => [o.id, o.acronym]));
  const label = (f: SearchFacet, v: string) => {
    if (f === 'theme') {
      const [taxonomy = '', code = ''] = v.split(':');
      return ref.label(taxonomy, code, lang);
    }
    if (f === 'region') return ref.label('m49', v, lang);
    if (f === 'org') return orgs.get(v) ?? v;
    return v;
  };
  const out = {} as SearchResult['facets'];
  for (const f of SEARCH_FACETS) {
    const values = new Set([...counts[f].keys(), ...selected[f]]);
    const list = [...values].map((v) => ({ value: v, label: label(f, v), count: counts[f].get(v) ?? 0, selected: selected[f].includes(v) }));
    list.sort((a, b) => (f === 'year' ? b.value.localeCompare(a.value) : b.count - a.count || a.label.localeCompare(b.label)));
    out[f] = f === 'theme' || f === 'org' || f === 'region' ? list.slice(0, 40) : list;
  }
  return out;
}

/** Splits a ts_headline with [[[ ]]] markers into parts. */
export function snippetParts(headline: string | null | undefined): { text: string; hit: boolean }[] {
  if (!headline) return [];
  const parts: { text: string; hit: boolean }[] = [];
  const re = /\[\[\[([\s\S]*?)\]\]\]/g;
  let last = 0;
  for (const m of headline.matchAll(re)) {
    if (m.index > last) parts.push({ text: headline.slice(last, m.index), hit: false });
    parts.push({ text: m[1] ?? '', hit: true });
    last = m.index + m[0].length;
  }
  if (last < headline.length) parts.push({ text: headline.slice(last), hit: false });
  return parts;
}

const firstSentences = (s: string, n = 260) => (s.length > n ? `${s.slice(0, n).replace(/\s+\S*$/, '')} …` : s);
const round4 = (n: number | null) => (n === null ? null : Math.round(n * 10000) / 10000);

async function describeHits(
  ctx: DomainContext,
  rows: SearchHitRow[],
  o: { websearch: string | null; mode: SearchResult['mode']; sort: 'relevance' | 'date'; offset: number; lang: Language },
): Promise<SearchHit[]> {
  const websearch = o.mode === 'fulltext' ? o.websearch : null;
  // Chinese versions are matched and marked on text segmented like the index.
  const zh = rows.filter((r) => r.type === 'publication' && r.lang === 'zh').map((r) => r.id);
  const zhRows = zh.length > 0 ? await loadPublicationRows(ctx.db.kysely, zh) : new Map();
  const input: HitInput[] = rows.map((r) => {
    const l = zhRows.get(r.id)?.languages.find((x: { lang: string }) => x.lang === 'zh');
    if (!l || websearch === null) return { type: r.type, id: r.id, lang: r.lang };
    const kq = (l.key_questions as string[]).join('\n');
    return {
      type: r.type,
      id: r.id,
      lang: r.lang,
      prepared: {
        summary: prepareSearchText(l.summary),
        keyQuestions: prepareSearchText(kq),
        body: prepareSearchText(l.body.slice(0, 50_000)),
        headline: prepareSearchText((l.summary || kq || l.body).slice(0, 3000)),
      },
    };
  });
  const cards = await selectHitCards(ctx.db.kysely, websearch, input, o.lang);
  return cards.flatMap((d, i): SearchHit[] => {
    const r = rows[i]!;
    const base = {
      position: o.offset + i + 1,
      score: round4(r.rank)!,
      scoreAbove: round4(r.rank_above),
      scoreBelow: round4(r.rank_below),
      sortedBy: o.sort,
      similarity: o.mode === 'fuzzy' ? Math.round(r.rank * 100) / 100 : null,
    };
    const matched: SearchHit['explanation']['matched'] = [];
    if (o.mode === 'fuzzy') matched.push({ field: 'titleApproximately', weight: FIELD_WEIGHT.a });
    if (d.m_title) matched.push({ field: 'title', weight: FIELD_WEIGHT.a });
    const updatedAt = d.updated_at ? new Date(d.updated_at).toISOString() : null;
    if (r.type === 'publication') {
      if (!d.kind) return [];
      if (d.m_key_questions) matched.push({ field: 'keyQuestions', weight: FIELD_WEIGHT.b });
      if (d.m_summary) matched.push({ field: 'summary', weight: FIELD_WEIGHT.b });
      if (d.m_body) matched.push({ field: 'body', weight: FIELD_WEIGHT.c });
      else if (d.m_c) matched.push({ field: 'authorsOrOrganizations', weight: FIELD_WEIGHT.c });
      if (d.m_d) matched.push({ field: 'file', weight: FIELD_WEIGHT.d, pages: (d.pages ?? []).slice(0, 20).map((x) => ({ fileId: x.file, page: x.page })) });
      return [
        {
          type: 'publication',
          id: r.id,
          url: `/library/${r.id}${r.lang !== o.lang ? `?language=${r.lang}` : ''}`,
          title: d.title ?? r.id,
          lang: r.lang,
          languages: d.languages ?? [r.lang],
          kind: d.kind,
          number: d.number,
          date: d.published,
          updatedAt,
          snippet: d.snippet && websearch !== null ? snippetParts(d.snippet) : [{ text: firstSentences(d.summary_start ?? ''), hit: false }],
          explanation: { ...base, matched },
        },
      ];
    }
    if (!d.activity_title) return [];
    if (d.m_b) matched.push({ field: 'description', weight: FIELD_WEIGHT.b });
    if (d.m_c) matched.push({ field: 'otherText', weight: FIELD_WEIGHT.c });
    const title = d.activity_title;
    return [
      {
        type: 'activity',
        id: r.id,
        url: `/activities/${r.id}`,
        title: pickText(title, o.lang) || r.id,
        lang: title[o.lang] ? o.lang : (d.default_language ?? 'en'),
        languages: Object.keys(title).filter((k) => title[k]),
        kind: null,
        number: null,
        date: r.sort_date,
        updatedAt,
        snippet: d.snippet && websearch !== null ? snippetParts(d.snippet) : [{ text: firstSentences(pickText(d.activity_description ?? {}, o.lang)), hit: false }],
        explanation: { ...base, matched },
      },
    ];
  });
}
