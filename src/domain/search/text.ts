import { prepareSearchText } from '../activities/activity-search.ts';
import type { Language } from '../languages.ts';

/**
 * The text search configuration of each content language (migration 0006): the language's
 * stemmer behind `unaccent`, so accents never matter. Chinese has no stemmer: it is cut into
 * words by the application (Intl.Segmenter) and indexed word by word.
 */
export const SEARCH_CONFIGS: Record<Language, string> = {
  en: 'icat_english',
  fr: 'icat_french',
  es: 'icat_spanish',
  ru: 'icat_russian',
  ar: 'icat_arabic',
  zh: 'icat_simple',
};

/** Every configuration a query is stemmed with; the simple one also reaches activities' unstemmed words. */
export const QUERY_CONFIGS = ['icat_english', 'icat_french', 'icat_spanish', 'icat_russian', 'icat_arabic', 'icat_simple'] as const;

/** Largest text indexed per field: a tsvector holds at most 1 MB. */
export const MAX_INDEXED_CHARS = 300_000;

/** Text as it is indexed: accents folded and Chinese cut into words (the same as activities), cut to what a tsvector holds. */
export function indexText(parts: readonly string[]): string {
  const joined = parts.filter(Boolean).join('\n');
  return prepareSearchText(joined.length > MAX_INDEXED_CHARS ? joined.slice(0, MAX_INDEXED_CHARS) : joined);
}
