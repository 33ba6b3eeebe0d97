import { sql } from 'kysely';
import type { Executor } from '../database.ts';
import { preferTextIndexes, RANK_WEIGHTS } from './search.ts';

/**
 * The frequent words of the library and their lists of best documents (migration 0018): what
 * the statistics of publication_search.tsv say is frequent, and the upkeep of the lists.
 */

export type FrequentWord = { lexeme: string; documents: number };

/** Refreshes the column statistics of the search documents (the embedded database has no autovacuum to do it). */
export async function analyzeSearchDocuments(db: Executor): Promise<void> {
  await sql`analyze publication_search`.execute(db);
}

/**
 * The lexemes the statistics of publication_search.tsv estimate in at least `minDocuments`
 * documents (PostgreSQL keeps the most common elements of a tsvector column with their share
 * of rows), with that estimate; most frequent first.
 */
export async function frequentLexemesInStatistics(db: Executor, minDocuments: number): Promise<FrequentWord[]> {
  const r = await sql<FrequentWord>`
    with s as (
      select most_common_elems::text::text[] as elems, most_common_elem_freqs as freqs
        from pg_stats where schemaname = current_schema() and tablename = 'publication_search' and attname = 'tsv'
    ), n as (select greatest(reltuples, 0) as rows from pg_class where oid = 'publication_search'::regclass)
    select e.lexeme, round(e.freq * n.rows)::int as documents
      from s cross join n cross join lateral unnest(s.elems, s.freqs[1:cardinality(s.elems)]) as e(lexeme, freq)
     where e.freq * n.rows >= ${minDocuments}
     order by e.freq desc, e.lexeme`.execute(db);
  return r.rows.map((w) => ({ lexeme: w.lexeme, documents: Number(w.documents) }));
}

export async function storedFrequentWords(db: Executor): Promise<(FrequentWord & { listed: number; floorScore: number })[]> {
  const r = await sql<{ lexeme: string; documents: number; listed: number; floor_score: number }>`
    select w.lexeme, w.documents, (select count(*)::int from search_word_top t where t.lexeme = w.lexeme) as listed, w.floor_score
      from search_frequent_words w order by w.documents desc, w.lexeme`.execute(db);
  return r.rows.map((w) => ({ lexeme: w.lexeme, documents: Number(w.documents), listed: Number(w.listed), floorScore: Number(w.floor_score) }));
}

const WEIGHTS = sql.lit(`{${RANK_WEIGHTS.join(',')}}`);

/**
 * Makes a word frequent and fills its list: the `size` published documents that score best for
 * the word alone (ranked as the search ranks, drafts left out), and the floor above which a
 * document written later joins. Replaces a list the word had. Runs in the caller's transaction,
 * whose planner it leaves preferring the text index.
 */
export async function fillFrequentWord(db: Executor, word: FrequentWord, size: number): Promise<number> {
  await sql`insert into search_frequent_words (lexeme, documents, floor_score, filled_at) values (${word.lexeme}, ${word.documents}, 0, now())
            on conflict (lexeme) do update set documents = excluded.documents, floor_score = 0, filled_at = now()`.execute(db);
  await sql`delete from search_word_top where lexeme = ${word.lexeme}`.execute(db);
  // Through the text index: a sequential scan would read every document out of line.
  await preferTextIndexes(db);
  const r = await sql`
    insert into search_word_top (lexeme, publication_id, lang, score)
    select ${word.lexeme}, s.publication_id, s.lang, ts_rank(${WEIGHTS}::real[], s.tsv, q.q, 1) as score
      from publication_search s, (select lexeme_query(${word.lexeme}) as q) q
     where s.tsv @@ q.q and s.visibility <> 'draft'
     order by score desc
     limit ${size}`.execute(db);
  await setFloor(db, [word.lexeme], size);
  return Number(r.numAffectedRows ?? 0);
}

/** The floor of each word: its list's lowest score when the list is full, else 0 (every document with the word joins). */
async function setFloor(db: Executor, lexemes: string[], size: number): Promise<void> {
  await sql`
    update search_frequent_words w
       set floor_score = coalesce((select min(t.score) from search_word_top t where t.lexeme = w.lexeme having count(*) >= ${size}), 0)
     where w.lexeme = any(${lexemes}::text[])`.execute(db);
}

/** Words no longer frequent leave, with their lists. */
export async function dropFrequentWords(db: Executor, lexemes: string[]): Promise<void> {
  if (lexemes.length === 0) return;
  await sql`delete from search_frequent_words where lexeme = any(${lexemes}::text[])`.execute(db);
}

/**
 * Cuts lists that grew past `size` (documents written since they were filled) back to their
 * best `size`, and raises their floors; updates the documents estimate of words still frequent.
 * Returns the entries removed.
 */
export async function trimFrequentLists(db: Executor, words: FrequentWord[], size: number): Promise<number> {
  if (words.length > 0) {
    await sql`update search_frequent_words w set documents = x.documents
                from unnest(${words.map((w) => w.lexeme)}::text[], ${words.map((w) => w.documents)}::int[]) as x(lexeme, documents)
               where w.lexeme = x.lexeme`.execute(db);
  }
  const r = await sql`
    delete from search_word_top t using (
      select lexeme, publication_id, lang, row_number() over (partition by lexeme order by score desc, publication_id, lang) as n
        from search_word_top where lexeme in (select lexeme from search_word_top group by lexeme having count(*) > ${size})
    ) x
     where x.n > ${size} and t.lexeme = x.lexeme and t.publication_id = x.publication_id and t.lang = x.lang`.execute(db);
  const all = (await sql<{ lexeme: string }>`select lexeme from search_frequent_words`.execute(db)).rows.map((w) => w.lexeme);
  await setFloor(db, all, size);
  return Number(r.numAffectedRows ?? 0);
}
