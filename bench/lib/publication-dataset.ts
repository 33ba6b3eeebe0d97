import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { rng } from './stats.ts';

/**
 * Synthetic publications for the search benchmark: `count` documents in five languages
 * (40% English, 20% French, 20% Spanish, 10% Russian, 10% Arabic), each a title, a summary and a
 * body of about 120 words drawn with a Zipf law from a vocabulary of made-up words in the
 * language's script, so that word frequencies look like real text. Three marker words are
 * planted at known rates, so query classes are the same at every size:
 *
 *   rare   "zanzibarite"   in 0.05% of documents
 *   mid    "remittance"    in 1%
 *   common "trafficking"   in 30%
 *
 * Rows go in through multi-row INSERTs of publications, their language versions and their
 * search documents (tsvector computed by the database with the language's configuration, as
 * the domain's reindexing does); that path's rate is reported as indexing throughput.
 */
export const MARKERS = { rare: { word: 'zanzibarite', rate: 0.0005 }, mid: { word: 'remittance', rate: 0.01 }, common: { word: 'trafficking', rate: 0.3 } } as const;

const SCRIPTS: { lang: string; cfg: string; share: number; letters: string }[] = [
  { lang: 'en', cfg: 'icat_english', share: 0.4, letters: 'abcdefghijklmnoprstuvwy' },
  { lang: 'fr', cfg: 'icat_french', share: 0.2, letters: 'abcdeéèfghilmnoprstuvàç' },
  { lang: 'es', cfg: 'icat_spanish', share: 0.2, letters: 'abcdeéfghilmnñoprstuvá' },
  { lang: 'ru', cfg: 'icat_russian', share: 0.1, letters: 'абвгдежзиклмнопрстуфхцчшы' },
  { lang: 'ar', cfg: 'icat_arabic', share: 0.1, letters: 'ابتثجحخدذرزسشصضطظعغفقكلمنهوي' },
];

function vocabulary(r: () => number, letters: string, size: number): string[] {
  const out = new Set<string>();
  while (out.size < size) {
    const len = 3 + Math.floor(r() * 7);
    let w = '';
    for (let i = 0; i < len; i++) w += letters[Math.floor(r() * letters.length)];
    out.add(w);
  }
  return [...out];
}
const zipf = (r: () => number, n: number) => Math.min(n - 1, Math.floor(n * r() ** 3));
const KINDS = ['issue_brief', 'submission', 'toolkit', 'call_to_action', 'annual_report', 'factsheet', 'paper', 'evaluation_report'];
const THEMES = ['pillar:prevention', 'pillar:protection', 'pillar:prosecution', 'pillar:partnerships'];
const REGIONS = ['002', '019', '142', '150', '009'];

export type PublicationDatasetStats = { documents: number; ms: number };

/** Inserts publications `from`..`from + count - 1` (ids are deterministic, so a larger size extends a smaller one). */
export async function generatePublications(db: Db, from: number, count: number, ownerIds: string[], log: (s: string) => void): Promise<PublicationDatasetStats> {
  const started = performance.now();
  const vr = rng(11);
  const vocab = new Map(SCRIPTS.map((s) => [s.lang, vocabulary(vr, s.letters, 4000)]));
  const BATCH = 1000;
  for (let start = from; start < from + count; start += BATCH) {
    const n = Math.min(BATCH, from + count - start);
    const cols: Record<string, (string | number)[]> = { id: [], owner: [], kind: [], published: [], year: [], lang: [], cfg: [], title: [], summary: [], body: [], theme: [], region: [] };
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const r = rng(1000 + i);
      const pick = r();
      let acc = 0;
      const script = SCRIPTS.find((s) => (acc += s.share) >= pick) ?? SCRIPTS[0]!;
      const words = vocab.get(script.lang)!;
      const text = (len: number) => Array.from({ length: len }, () => words[zipf(r, words.length)]).join(' ');
      const body = text(120).split(' ');
      for (const m of Object.values(MARKERS)) if (r() < m.rate) body.splice(Math.floor(r() * body.length), 0, m.word);
      const year = 2005 + Math.floor(r() * 20);
      cols.id!.push(`pub_bench${String(i).padStart(9, '0')}`);
      cols.owner!.push(ownerIds[zipf(r, ownerIds.length)]!);
      cols.kind!.push(KINDS[Math.floor(r() * KINDS.length)]!);
      cols.published!.push(`${year}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}`);
      cols.year!.push(year);
      cols.lang!.push(script.lang);
      cols.cfg!.push(script.cfg);
      cols.title!.push(text(8));
      cols.summary!.push(text(30));
      cols.body!.push(body.join(' '));
      cols.theme!.push(THEMES[Math.floor(r() * THEMES.length)]!);
      cols.region!.push(REGIONS[Math.floor(r() * REGIONS.length)]!);
    }
    const a = (k: string) => sql`${cols[k]}::text[]`;
    await db.kysely.transaction().execute(async (tx) => {
      await sql`
        insert into publications (id, owner_organization_id, kind, published, status, visibility, default_language, themes, regions)
        select t.id, t.owner, t.kind, t.published, 'published', 'public', t.lang, array[t.theme], array[t.region]
          from unnest(${a('id')}, ${a('owner')}, ${a('kind')}, ${a('published')}, ${a('lang')}, ${a('theme')}, ${a('region')}) as t(id, owner, kind, published, lang, theme, region)`.execute(tx);
      await sql`
        insert into publication_languages (publication_id, lang, title, summary, body)
        select * from unnest(${a('id')}, ${a('lang')}, ${a('title')}, ${a('summary')}, ${a('body')})`.execute(tx);
      await sql`
        insert into publication_search (publication_id, lang, cfg, title, owner_organization_id, visibility, kind, published, year, themes, regions, organization_ids, tsv)
        select t.id, t.lang, t.cfg::regconfig, t.title, t.owner, 'public', t.kind, t.published, t.year::int, array[t.theme], array[t.region], array[t.owner],
               setweight(to_tsvector(t.cfg::regconfig, t.title), 'A') || setweight(to_tsvector(t.cfg::regconfig, t.summary), 'B') || setweight(to_tsvector(t.cfg::regconfig, t.body), 'C')
          from unnest(${a('id')}, ${a('lang')}, ${a('cfg')}, ${a('title')}, ${a('owner')}, ${a('kind')}, ${a('published')}, ${sql`${cols.year}::int[]`}, ${a('theme')}, ${a('region')}, ${a('summary')}, ${a('body')})
               as t(id, lang, cfg, title, owner, kind, published, year, theme, region, summary, body)`.execute(tx);
    });
    if ((start - from) % 20_000 === 0 && start > from) log(`    ${start - from} documents…`);
  }
  await sql`vacuum analyze publication_search`.execute(db.kysely); // the GIN pending list flushed, as autovacuum leaves it in steady state
  await sql`analyze publications`.execute(db.kysely);
  return { documents: count, ms: performance.now() - started };
}
