import { withTransaction } from '../../db/database.ts';
import {
  analyzeSearchDocuments,
  dropFrequentWords,
  fillFrequentWord,
  frequentLexemesInStatistics,
  storedFrequentWords,
  trimFrequentLists,
} from '../../db/queries/search-frequent.ts';
import type { DomainContext } from '../context.ts';
import { authorize } from '../policies.ts';
import { CANDIDATE_CAP } from './search.ts';

/**
 * The frequent words of the library (ADR 039). A word in a large share of a big library matches
 * too many documents to read them all for every search; for each such word the database keeps
 * the CANDIDATE_CAP documents (`listSize`) that score best for the word alone, and a search made only of
 * frequent words ranks those (search.ts). This upkeep decides which words are frequent, from
 * the column statistics of the search documents (refreshed here first), fills the lists of words
 * that became frequent, drops the words that are no longer (below half the threshold, so a word
 * near it does not come and go), and trims lists that documents written since have lengthened.
 * A document written between two runs joins the lists it belongs to at once (a trigger).
 */

export type UpkeepRun = { frequent: number; added: string[]; dropped: string[]; trimmed: number; ms: number };

export async function maintainFrequentWords(ctx: DomainContext, opts: { listSize?: number } = {}): Promise<UpkeepRun> {
  authorize(ctx.actor, 'search.maintain');
  const started = performance.now();
  const threshold = ctx.config.SEARCH_FREQUENT_WORD_DOCUMENTS;
  const size = opts.listSize ?? CANDIDATE_CAP;
  const db = ctx.db.kysely;
  await analyzeSearchDocuments(db);
  // Words at half the threshold are still counted, to keep the ones already frequent.
  const seen = await frequentLexemesInStatistics(db, Math.ceil(threshold / 2));
  const stored = new Map((await storedFrequentWords(db)).map((w) => [w.lexeme, w]));
  const seenLexemes = new Set(seen.map((w) => w.lexeme));
  const added = seen.filter((w) => w.documents >= threshold && !stored.has(w.lexeme));
  const dropped = [...stored.keys()].filter((l) => !seenLexemes.has(l));
  // One transaction per word: a long fill never holds the others back, and a stop midway keeps whole lists.
  for (const w of added) await withTransaction(ctx.db, (tx) => fillFrequentWord(tx, w, size));
  const kept = seen.filter((w) => stored.has(w.lexeme));
  const trimmed = await withTransaction(ctx.db, async (tx) => {
    await dropFrequentWords(tx, dropped);
    return trimFrequentLists(tx, kept, size);
  });
  return { frequent: kept.length + added.length, added: added.map((w) => w.lexeme), dropped, trimmed, ms: Math.round(performance.now() - started) };
}

/** The frequent words and the length of their lists, most frequent first. */
export async function listFrequentWords(ctx: DomainContext) {
  authorize(ctx.actor, 'search.maintain');
  return storedFrequentWords(ctx.db.kysely);
}
