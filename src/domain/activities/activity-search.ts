import type { ActivityData, Narrative } from './activity-schemas.ts';

/**
 * Text prepared for PostgreSQL's 'simple' full-text configuration, the same way for the stored
 * document and for a query: accents and other combining marks folded (é → e, Arabic harakat
 * dropped), and runs of Chinese characters cut into words with Intl.Segmenter, since 'simple'
 * splits on spaces and Chinese has none. Both back ends then index all six languages alike.
 */
const HAN = /\p{Script=Han}/u;
let segmenter: Intl.Segmenter | undefined;

function segmentChinese(s: string): string {
  segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
  const words: string[] = [];
  for (const part of segmenter.segment(s)) if (part.isWordLike) words.push(part.segment);
  return words.join(' ');
}

/** Prepares text for indexing or querying (see above). */
export function prepareSearchText(s: string): string {
  const folded = s.normalize('NFKD').replace(/\p{M}+/gu, '').normalize('NFC');
  return HAN.test(folded) ? segmentChinese(folded) : folded;
}

const values = (n: Narrative | undefined | null): string[] => Object.values(n ?? {}).filter((v): v is string => typeof v === 'string' && v !== '');

/**
 * The weighted search document of an activity: titles (A), descriptions and objectives (B),
 * and other text (C): identifier, organizations, locations, results, indicators, target groups.
 * `orgNames` adds the acronyms and names of registered organizations named by id.
 */
export function searchDocument(d: ActivityData, orgNames: string[] = []): { a: string; b: string; c: string } {
  const a = values(d.title);
  const b = [...values(d.description), ...values(d.objectives)];
  const c = [
    d.iatiIdentifier ?? '',
    ...orgNames,
    ...values(d.reportingOrg?.name),
    d.reportingOrg?.ref ?? '',
    ...d.participants.flatMap((p) => [...values(p.name), p.ref ?? '']),
    ...values(d.targetGroupsText),
    ...d.locations.flatMap((l) => [...values(l.name), ...values(l.description)]),
    ...d.results.flatMap((r) => [...values(r.title), ...values(r.description), ...r.indicators.flatMap((i) => [...values(i.title), ...values(i.description)])]),
  ];
  const join = (parts: string[]) => prepareSearchText(parts.filter(Boolean).join('\n'));
  return { a: join(a), b: join(b), c: join(c) };
}
