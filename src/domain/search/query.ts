import { prepareSearchText } from '../activities/activity-search.ts';

/**
 * A search query as people type it, read the way web search engines do: words (all must
 * match), "quoted phrases", -excluded words and OR. Whatever arrives (unbalanced quotes,
 * operators only, SQL metacharacters, kilobytes of text) becomes a safe query or none; it is
 * never an error. Words are prepared like the index: accents folded, Chinese cut into words.
 */
export type ParsedQuery = {
  /** The query in websearch syntax, prepared; empty when nothing is left to search for. */
  websearch: string;
  /** Words that must match (phrases' words included), for typo tolerance and the explanation. */
  words: string[];
  phrases: string[];
  excluded: string[];
  /** The query was cut to MAX_QUERY_CHARS or MAX_QUERY_TERMS. */
  shortened: boolean;
  /** One or two plain words: typo tolerance applies when they find nothing. */
  short: boolean;
};

export const MAX_QUERY_CHARS = 500;
export const MAX_QUERY_TERMS = 32;

const HAN = /\p{Script=Han}/u;
/** Letters, digits and marks make words; everything else separates them. */
const cleanWord = (w: string) =>
  prepareSearchText(w)
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => w.slice(0, 100));

export function parseQuery(raw: string): ParsedQuery {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  let text = raw.replace(/[\u0000-\u001f\u007f]+/g, ' ');
  let shortened = false;
  if (text.length > MAX_QUERY_CHARS) {
    text = text.slice(0, MAX_QUERY_CHARS);
    shortened = true;
  }
  const parts: string[] = [];
  const words: string[] = [];
  const phrases: string[] = [];
  const excluded: string[] = [];
  let plain = 0;
  let hasHan = false;
  const tokens = text.match(/-?"[^"]*"?|\S+/g) ?? [];
  for (const token of tokens) {
    if (parts.length >= MAX_QUERY_TERMS) {
      shortened = true;
      break;
    }
    const negative = token.startsWith('-');
    const body = negative ? token.slice(1) : token;
    if (!negative && /^or$/i.test(body)) {
      if (parts.length > 0 && parts.at(-1) !== 'or') parts.push('or');
      continue;
    }
    const quoted = body.startsWith('"');
    const ws = cleanWord(quoted ? body.replace(/"/g, ' ') : body);
    if (ws.length === 0) continue;
    if (ws.some((w) => HAN.test(w))) hasHan = true;
    if (negative) {
      // An excluded phrase or word: -"forced labour" or -labour.
      parts.push(ws.length > 1 ? `-"${ws.join(' ')}"` : `-${ws[0]}`);
      excluded.push(ws.join(' '));
    } else if (quoted || ws.length > 1) {
      // A phrase, or one written word that folding or Chinese segmentation cut into several.
      parts.push(`"${ws.join(' ')}"`);
      phrases.push(ws.join(' '));
      words.push(...ws);
    } else {
      parts.push(ws[0]!);
      words.push(ws[0]!);
      plain++;
    }
  }
  while (parts.at(-1) === 'or') parts.pop();
  if (words.length === 0) return { websearch: '', words: [], phrases: [], excluded: [], shortened, short: false };
  const short = plain >= 1 && plain <= 2 && phrases.length === 0 && excluded.length === 0 && !hasHan && words.every((w) => w.length >= 3);
  return { websearch: parts.join(' '), words, phrases, excluded, shortened, short };
}
