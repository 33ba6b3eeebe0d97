import {
  RANK_WEIGHTS,
  selectActivityCards,
  selectActivityHitDetails,
  selectFuzzyCandidates,
  selectPublicationHitDetails,
  selectSearchCandidates,
  type CandidateRow,
  type SearchFilters,
} from '../../db/queries/search.ts';
import { selectOrganizationLabels } from '../../db/queries/activity-list.ts';
import { loadPublicationRows } from '../../db/queries/publications.ts';
import { prepareSearchText } from '../activities/activity-search.ts';
import { readScopeOf } from '../activities/list-activities.ts';
import type { DomainContext } from '../context.ts';
import { pickText, type Language } from '../languages.ts';
import { pickLanguage } from '../publications/publication-mapping.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import { parseQuery } from './query.ts';
import { searchParamsSchema, SEARCH_FACETS, type SearchFacet, type SearchHit, type SearchParamsInput, type SearchResult } from './search-schemas.ts';

/**
 * The one search service, over publications and activities (more kinds of record join by
 * adding a candidate source in src/db/queries/search.ts).
 *
 * Strategy: each source returns at most CANDIDATE_CAP matching records the actor may see,
 * ranked in SQL (ts_rank with field weights, normalised by length) as they are read, so a
 * common word never makes the database rank hundreds of thousands of rows. When a source
 * holds more, the result says `capped` and the first ones found are ranked. Facets are counted
 * here over the candidates, each under every filter but its own; the page's results then get
 * their explanation (fields that matched, file pages) and a highlighted snippet.
 */
export const CANDIDATE_CAP = 2000;
export const PAGE_SIZE = 20;

type Candidate = CandidateRow & { languages: string[] };

const FIELD_WEIGHT = { a: RANK_WEIGHTS[3], b: RANK_WEIGHTS[2], c: RANK_WEIGHTS[1], d: RANK_WEIGHTS[0] };

/** The facet values of a candidate. */
function valuesOf(c: Candidate, facet: SearchFacet): string[] {
  switch (facet) {
    case 'type':
      return [c.type];
    case 'kind':
      return c.kind ? [c.kind] : [];
    case 'year':
      return c.year === null ? [] : [String(c.year)];
    case 'theme':
      return c.themes;
    case 'region':
      return c.regions;
    case 'lang':
      return c.languages;
    case 'org':
      return c.organizations;
  }
}

/** Keeps one candidate per record: the best-ranked language version, the reader's language on ties. */
function collapse(rows: CandidateRow[], uiLang: string): Candidate[] {
  const byKey = new Map<string, Candidate>();
  for (const r of rows) {
    const key = `${r.type}:${r.id}`;
    const seen = byKey.get(key);
    if (!seen) {
      byKey.set(key, { ...r, languages: [r.lang] });
      continue;
    }
    const languages = [...new Set([...seen.languages, r.lang])].sort();
    const better = r.rank > seen.rank || (r.rank === seen.rank && r.lang === uiLang);
    byKey.set(key, better ? { ...r, languages } : { ...seen, languages });
  }
  return [...byKey.values()];
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
    lang: p.lang,
    org: p.org,
  };
  const pushed: SearchFilters = { types: p.type, kinds: p.kind, years: p.year, themes: p.theme, regions: p.region, langs: p.lang, organizations: p.org };
  const anyFilter = SEARCH_FACETS.some((f) => selected[f].length > 0);
  const websearch = parsed.websearch === '' ? null : parsed.websearch;
  let mode: SearchResult['mode'] = websearch === null ? 'browse' : 'fulltext';

  // The base: matches without the facet filters, so each facet can be counted under the others.
  const base = { scope, websearch, sort: p.sort, cap: CANDIDATE_CAP, filters: {} as SearchFilters };
  let found = await selectSearchCandidates(ctx.db.kysely, base);
  let capped = found.publications.length > CANDIDATE_CAP || found.activities.length > CANDIDATE_CAP;
  if (mode === 'fulltext' && found.publications.length + found.activities.length === 0 && parsed.short) {
    found = await selectFuzzyCandidates(ctx.db.kysely, { scope, filters: {}, cap: CANDIDATE_CAP, text: parsed.words.join(' ') });
    mode = 'fuzzy';
    capped = false;
  }
  const candidates = collapse([...found.publications.slice(0, CANDIDATE_CAP), ...found.activities.slice(0, CANDIDATE_CAP)], opts.lang);
  const passes = (c: Candidate, except: SearchFacet | null) =>
    SEARCH_FACETS.every((f) => f === except || selected[f].length === 0 || valuesOf(c, f).some((v) => selected[f].includes(v)));

  // Facet counts over the candidates, each facet under every filter but its own.
  const counts = Object.fromEntries(SEARCH_FACETS.map((f) => [f, new Map<string, number>()])) as Record<SearchFacet, Map<string, number>>;
  for (const c of candidates) {
    for (const f of SEARCH_FACETS) {
      if (!passes(c, f)) continue;
      for (const v of new Set(valuesOf(c, f))) counts[f].set(v, (counts[f].get(v) ?? 0) + 1);
    }
  }

  // The results: when the base was capped and filters are set, ask again with the filters in SQL,
  // so a filter finds its matches beyond the first ones the base read.
  let matches = candidates.filter((c) => passes(c, null));
  if (capped && anyFilter && mode === 'fulltext') {
    const filtered = await selectSearchCandidates(ctx.db.kysely, { ...base, filters: pushed });
    capped = filtered.publications.length > CANDIDATE_CAP || filtered.activities.length > CANDIDATE_CAP;
    matches = collapse([...filtered.publications.slice(0, CANDIDATE_CAP), ...filtered.activities.slice(0, CANDIDATE_CAP)], opts.lang).filter((c) => passes(c, null));
  }
  const byDate = (a: Candidate, b: Candidate) => (b.sort_date ?? '').localeCompare(a.sort_date ?? '');
  matches.sort((a, b) =>
    p.sort === 'date' || mode === 'browse' ? byDate(a, b) || b.rank - a.rank || a.id.localeCompare(b.id) : b.rank - a.rank || byDate(a, b) || a.id.localeCompare(b.id),
  );
  const start = (p.page - 1) * pageSize;
  const pageRows = matches.slice(start, start + pageSize);
  const results = await describeHits(ctx, pageRows, { websearch, mode, sort: p.sort, start, matches, lang: opts.lang });

  const facets = await facetLists(ctx, counts, selected, opts.lang);
  return {
    query: { q: p.q, understood: parsed.websearch, words: parsed.words, phrases: parsed.phrases, excluded: parsed.excluded, shortened: parsed.shortened },
    mode,
    total: matches.length,
    capped,
    page: p.page,
    pageSize,
    results,
    facets,
  };
}

/** Facet values with counts and labels, biggest first (years newest first); selected values always listed. */
async function facetLists(ctx: DomainContext, counts: Record<SearchFacet, Map<string, number>>, selected: Record<SearchFacet, string[]>, lang: Language) {
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
/** Headline source for Chinese is segmented like the index, so matches can be marked. */
const headlineText = (lang: string, s: string) => (lang === 'zh' ? prepareSearchText(s) : s);

async function describeHits(
  ctx: DomainContext,
  rows: Candidate[],
  o: { websearch: string | null; mode: SearchResult['mode']; sort: 'relevance' | 'date'; start: number; matches: Candidate[]; lang: Language },
): Promise<SearchHit[]> {
  const pubIds = rows.filter((r) => r.type === 'publication').map((r) => r.id);
  const actIds = rows.filter((r) => r.type === 'activity').map((r) => r.id);
  const pubs = await loadPublicationRows(ctx.db.kysely, pubIds);
  const acts = new Map((await selectActivityCards(ctx.db.kysely, actIds)).map((a) => [a.id, a]));
  const fulltext = o.mode === 'fulltext' && o.websearch !== null;

  const pubInput = rows.flatMap((r) => {
    const p = pubs.get(r.id);
    const l = p ? (p.languages.find((x) => x.lang === r.lang) ?? p.languages[0]) : undefined;
    if (!p || !l) return [];
    const head = l.summary || l.key_questions.join(' ') || l.body.slice(0, 5000);
    return [{ id: r.id, lang: l.lang, summary: headlineText(l.lang, l.summary), keyQuestions: headlineText(l.lang, l.key_questions.join('\n')), body: headlineText(l.lang, l.body), headline: headlineText(l.lang, head) }];
  });
  const pubDetails = fulltext ? new Map((await selectPublicationHitDetails(ctx.db.kysely, o.websearch!, pubInput)).map((d) => [d.id, d])) : new Map();
  const actDetails = fulltext
    ? new Map(
        (
          await selectActivityHitDetails(
            ctx.db.kysely,
            o.websearch!,
            actIds.map((id) => ({ id, headline: pickText(acts.get(id)?.description, o.lang).slice(0, 5000) })),
          )
        ).map((d) => [d.id, d]),
      )
    : new Map();

  return rows.flatMap((r, i): SearchHit[] => {
    const position = o.start + i + 1;
    const above = o.matches[o.start + i - 1];
    const below = o.matches[o.start + i + 1];
    const base = {
      position,
      score: Math.round(r.rank * 10000) / 10000,
      scoreAbove: above ? Math.round(above.rank * 10000) / 10000 : null,
      scoreBelow: below ? Math.round(below.rank * 10000) / 10000 : null,
      sortedBy: o.sort,
      similarity: o.mode === 'fuzzy' ? Math.round(r.rank * 100) / 100 : null,
    };
    if (r.type === 'publication') {
      const p = pubs.get(r.id);
      if (!p) return [];
      const l = pickLanguage(p.languages, r.lang, p.main.default_language);
      const d = pubDetails.get(r.id);
      const matched: SearchHit['explanation']['matched'] = [];
      if (o.mode === 'fuzzy') matched.push({ field: 'titleApproximately', weight: FIELD_WEIGHT.a });
      if (d?.m_title) matched.push({ field: 'title', weight: FIELD_WEIGHT.a });
      if (d?.m_key_questions) matched.push({ field: 'keyQuestions', weight: FIELD_WEIGHT.b });
      if (d?.m_summary) matched.push({ field: 'summary', weight: FIELD_WEIGHT.b });
      if (d?.m_body) matched.push({ field: 'body', weight: FIELD_WEIGHT.c });
      else if (d?.m_c) matched.push({ field: 'authorsOrOrganizations', weight: FIELD_WEIGHT.c });
      if (d?.m_d) matched.push({ field: 'file', weight: FIELD_WEIGHT.d, pages: d.pages.slice(0, 20).map((x: { file: string; page: number }) => ({ fileId: x.file, page: x.page })) });
      return [
        {
          type: 'publication',
          id: r.id,
          url: `/library/${r.id}${l && l.lang !== o.lang ? `?language=${l.lang}` : ''}`,
          title: l?.title ?? r.id,
          lang: l?.lang ?? r.lang,
          languages: p.languages.map((x) => x.lang),
          kind: p.main.kind,
          number: p.main.number,
          date: p.main.published,
          snippet: d?.snippet ? snippetParts(d.snippet) : [{ text: firstSentences(l?.summary || l?.body || ''), hit: false }],
          explanation: { ...base, matched },
        },
      ];
    }
    const a = acts.get(r.id);
    if (!a) return [];
    const d = actDetails.get(r.id);
    const matched: SearchHit['explanation']['matched'] = [];
    if (o.mode === 'fuzzy') matched.push({ field: 'titleApproximately', weight: FIELD_WEIGHT.a });
    if (d?.m_title) matched.push({ field: 'title', weight: FIELD_WEIGHT.a });
    if (d?.m_b) matched.push({ field: 'description', weight: FIELD_WEIGHT.b });
    if (d?.m_c) matched.push({ field: 'otherText', weight: FIELD_WEIGHT.c });
    return [
      {
        type: 'activity',
        id: r.id,
        url: `/activities/${r.id}`,
        title: pickText(a.title, o.lang) || r.id,
        lang: a.title[o.lang] ? o.lang : a.default_language,
        languages: Object.keys(a.title).filter((k) => a.title[k]),
        kind: null,
        number: null,
        date: r.sort_date,
        snippet: d?.snippet ? snippetParts(d.snippet) : [{ text: firstSentences(pickText(a.description, o.lang)), hit: false }],
        explanation: { ...base, matched },
      },
    ];
  });
}
