import { z } from 'zod';
import { LANGUAGES } from '../languages.ts';
import { PUBLICATION_KINDS } from '../publications/publication-schemas.ts';

/** A query parameter that may repeat (?theme=a&theme=b) or come once. */
const many = <T extends z.ZodType>(item: T) => z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v.filter((x) => x !== '') : [v]), z.array(item).max(50));

export const SEARCH_TYPES = ['publication', 'activity'] as const;
export const SEARCH_FACETS = ['type', 'kind', 'year', 'theme', 'region', 'language', 'org'] as const;
export type SearchFacet = (typeof SEARCH_FACETS)[number];

/** The whole state of a search, as it stands in the URL. */
export const searchParamsSchema = z.object({
  q: z.string().max(100_000).default('').describe('The query: words (all must match), "phrases", -excluded words, OR. Any text is accepted.'),
  type: many(z.enum(SEARCH_TYPES)).describe('Kinds of record: publication, activity'),
  kind: many(z.enum(PUBLICATION_KINDS)).describe('Publication kinds'),
  year: many(z.coerce.number().int().min(1000).max(9999)).describe('Years of publication (activities: of their start)'),
  theme: many(z.string().trim().regex(/^[a-z0-9-]+:[A-Za-z0-9._-]+$/, 'A theme is taxonomy:code.')).describe('Taxonomy terms as taxonomy:code'),
  region: many(z.string().trim().regex(/^\d{3}$/, 'A UN M49 region code.')).describe('UN M49 regions'),
  language: many(z.enum(LANGUAGES)).describe('Languages of the text (not of the interface, which is ?lang= everywhere)'),
  org: many(z.string().trim().min(1).max(40)).describe('Organization ids'),
  sort: z.enum(['relevance', 'date']).default('relevance'),
  page: z.coerce.number().int().min(1).max(500).default(1),
});
export type SearchParams = z.output<typeof searchParamsSchema>;
/** What callers may pass: any subset of the state; lists may be single values. */
export type SearchParamsInput = {
  q?: string;
  type?: string | string[];
  kind?: string | string[];
  year?: string | number | (string | number)[];
  theme?: string | string[];
  region?: string | string[];
  language?: string | string[];
  org?: string | string[];
  sort?: string;
  page?: string | number;
};

/** Parses URL search parameters (repeated keys as lists). */
export function searchParamsFromUrl(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = key === 'q' || key === 'sort' || key === 'page' ? (all[0] ?? '') : all;
  }
  return out;
}

/**
 * The old form of a search address (before ADR 035), where `lang` both filtered by the language of
 * the text and chose the interface language. An address with `lang` and no `language` parameter is
 * in the old form: its `lang` values become `language`, and its first `lang` naming one of the six
 * languages stays, as the interface language it also chose. Returns null for a current address.
 */
export function upgradeOldSearchQuery(params: URLSearchParams): URLSearchParams | null {
  if (!params.has('lang') || params.has('language')) return null;
  const langs = params.getAll('lang');
  const out = new URLSearchParams();
  for (const [k, v] of params) if (k !== 'lang') out.append(k, v);
  for (const l of langs) out.append('language', l);
  const ui = langs.find((l) => (LANGUAGES as readonly string[]).includes(l));
  if (ui) out.set('lang', ui);
  return out;
}

/** The URL query string of a search state (defaults left out), so every state has one address. */
export function searchQueryString(p: Partial<SearchParams>): string {
  const u = new URLSearchParams();
  if (p.q) u.set('q', p.q);
  for (const f of SEARCH_FACETS) for (const v of p[f] ?? []) u.append(f, String(v));
  if (p.sort && p.sort !== 'relevance') u.set('sort', p.sort);
  if (p.page && p.page > 1) u.set('page', String(p.page));
  const s = u.toString();
  return s ? `?${s}` : '';
}

const matchedField = z.object({
  field: z.enum(['title', 'keyQuestions', 'summary', 'body', 'authorsOrOrganizations', 'file', 'description', 'otherText', 'titleApproximately']),
  weight: z.number().describe('The weight of this field in the score'),
  pages: z.array(z.object({ fileId: z.string(), page: z.number().int() })).optional().describe('For files: the pages that matched'),
});

export const searchHitSchema = z.object({
  type: z.enum(SEARCH_TYPES),
  id: z.string(),
  url: z.string(),
  title: z.string(),
  lang: z.string().describe('The language version that matched best'),
  languages: z.array(z.string()).describe('Language versions of the record'),
  kind: z.string().nullable(),
  number: z.string().nullable(),
  date: z.string().nullable(),
  updatedAt: z.string().nullable().describe('When the record last changed'),
  snippet: z
    .array(z.object({ text: z.string(), hit: z.boolean() }))
    .describe('A passage around the matches; parts with hit=true are the matched words'),
  explanation: z.object({
    position: z.number().int().describe('1-based rank in the results'),
    score: z.number(),
    matched: z.array(matchedField),
    scoreAbove: z.number().nullable().describe('The score of the result just above, if any'),
    scoreBelow: z.number().nullable().describe('The score of the result just below, if any'),
    sortedBy: z.enum(['relevance', 'date']),
    similarity: z.number().nullable().describe('Typo tolerance: how much the title resembles the query (0–1)'),
  }),
});
export type SearchHit = z.infer<typeof searchHitSchema>;

const facetValue = z.object({ value: z.string(), label: z.string(), count: z.number().int(), selected: z.boolean() });
export const searchResultSchema = z.object({
  query: z.object({
    q: z.string(),
    understood: z.string().describe('The query as searched (after cleaning)'),
    words: z.array(z.string()),
    phrases: z.array(z.string()),
    excluded: z.array(z.string()),
    shortened: z.boolean().describe('The query was too long and was cut'),
  }),
  mode: z.enum(['fulltext', 'fuzzy', 'browse']).describe('fuzzy: nothing matched exactly, so titles resembling a short query are shown'),
  total: z.number().int(),
  capped: z.boolean().describe('More records match than are ranked: the first ones found are ranked (or, with frequentWords, the best for each word); add words to narrow'),
  frequentWords: z
    .boolean()
    .describe('Every word of the query is frequent in the library: the publications ranked are the 500 that score best for its words, read from lists kept per word, not every match'),
  page: z.number().int(),
  pageSize: z.number().int(),
  results: z.array(searchHitSchema),
  facets: z.record(z.enum(SEARCH_FACETS), z.array(facetValue)),
});
export type SearchResult = z.infer<typeof searchResultSchema>;
