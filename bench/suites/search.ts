import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config.ts';
import { withAnalyticSettings } from '../../src/db/queries/activity-list.ts';
import { preferTextIndexes, RANK_WEIGHTS } from '../../src/db/queries/search.ts';
import { anonymous, systemActor } from '../../src/domain/actor.ts';
import { createPublication } from '../../src/domain/publications/save-publication.ts';
import { maintainFrequentWords } from '../../src/domain/search/frequent-words.ts';
import { search } from '../../src/domain/search/search.ts';
import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { prepareDataset } from '../lib/dataset.ts';
import { generatePublications, MARKERS } from '../lib/publication-dataset.ts';
import { round, timeIt } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

/**
 * The search service at scale: synthetic mixed-language publications (bench/lib/publication-dataset.ts)
 * at each size of `sizes.searchDocuments` (10k and 100k at the default scale; `--search-docs`
 * adds 1M), each size extending the previous one in the same database. At each size, for a
 * rare, a mid and a very common term, as a visitor:
 *
 * - the domain search (candidates capped at 1,000 per kind of record, facets, explanations and
 *   snippets of the first page) against the naive raw SQL a search box would run: rank every
 *   match with the same weights and take the first 20;
 * - how many documents the term matches, and whether the service capped it.
 *
 * Indexing throughput: the bulk path (documents per second with their tsvectors computed by
 * the database) and the domain path (createPublication, one transaction per publication).
 */
export async function searchSuite(ctx: SuiteContext, opts: { sizes?: number[] } = {}): Promise<Figure[]> {
  const figures: Figure[] = [];
  const backend = ctx.backend.name;
  const sizes = (opts.sizes ?? ctx.sizes.searchDocuments).slice().sort((a, b) => a - b);
  const dataset = await prepareDataset(ctx.backend, 20, ctx.log);
  try {
    const db = await dataset.open();
    try {
      await syncReferenceData({ db });
      const config = loadConfig({ ...dataset.env, LOG_LEVEL: 'silent' });
      const orgIds = (await db.kysely.selectFrom('organizations').select('id').orderBy('id').execute()).map((o) => o.id);

      // Indexing through the domain: one publication, its language version and search document per transaction.
      const domainN = ctx.scale === 'small' ? 50 : 200;
      const t0 = performance.now();
      for (let i = 0; i < domainN; i++) {
        await createPublication(
          { db, config, actor: systemActor },
          {
            ownerOrganizationId: orgIds[i % orgIds.length]!,
            kind: 'paper',
            status: 'published',
            languages: [{ lang: 'en', title: `Domain-made paper ${i}`, summary: 'A short summary of the paper.', keyQuestions: ['What is measured?'], body: 'Body text of a few words. '.repeat(20) }],
          },
        );
      }
      const domainRate = domainN / ((performance.now() - t0) / 1000);

      let loaded = 0;
      for (const size of sizes) {
        const gen = await generatePublications(db, loaded, size - loaded, orgIds, ctx.log);
        const rate = gen.documents / (gen.ms / 1000);
        loaded = size;
        ctx.log(`  ${size} documents: ${gen.documents} added in ${round(gen.ms / 1000, 1)} s (${Math.round(rate)} documents/s)`);
        figures.push({
          suite: 'search',
          backend,
          name: `indexing throughput, bulk (documents ${size - gen.documents + 1}–${size}, tsvector per language)`,
          value: round(rate, 0),
          unit: 'documents/s',
          baseline: { name: 'domain createPublication, one per transaction', value: round(domainRate, 0), unit: 'documents/s' },
          ratio: round(domainRate / rate, 3),
          extra: { seconds: round(gen.ms / 1000, 1) },
        });

        // The server's hourly upkeep, run at once: which words are frequent, and their lists (ADR 039).
        const upkeep = await maintainFrequentWords({ db, config, actor: systemActor });
        ctx.log(`  ${size} documents: frequent-word upkeep in ${round(upkeep.ms / 1000, 1)} s (${upkeep.frequent} frequent words, ${upkeep.added.length} lists filled)`);
        figures.push({
          suite: 'search',
          backend,
          name: `frequent-word upkeep after loading ${size} documents (statistics, then the lists of new frequent words)`,
          value: round(upkeep.ms / 1000, 2),
          unit: 's',
          extra: { frequentWords: upkeep.frequent, listsFilled: upkeep.added.length, threshold: config.SEARCH_FREQUENT_WORD_DOCUMENTS },
        });

        const dctx = { db, config, actor: anonymous };
        const iterations = size >= 500_000 ? 15 : 30;
        for (const [cls, m] of Object.entries(MARKERS)) {
          const matches = Number(
            (await sql<{ n: number }>`select count(*)::int as n from publication_search where tsv @@ websearch_to_tsquery('icat_english', ${m.word})`.execute(db.kysely)).rows[0]!.n,
          );
          const naive = sql`
            select publication_id, ts_rank(${sql.lit(`{${RANK_WEIGHTS.join(',')}}`)}::real[], tsv, q, 1) as rank
              from publication_search, websearch_to_tsquery('icat_english', ${m.word}) q
             where tsv @@ q and visibility = 'public'
             order by rank desc limit 20`.compile(db.kysely);
          const raw = await timeIt(
            () =>
              withAnalyticSettings(db.kysely, async (tx) => {
                await preferTextIndexes(tx);
                return tx.executeQuery(naive);
              }),
            iterations,
            3,
          );
          let capped = false;
          let frequentWords = false;
          const dom = await timeIt(
            async () => {
              const r = await search(dctx, { q: m.word }, { lang: 'en' });
              capped = r.capped;
              frequentWords = r.frequentWords;
            },
            iterations,
            3,
          );
          ctx.log(`  ${size} docs, ${cls} term "${m.word}" (${matches} matches${frequentWords ? ', frequent word' : ''}): search p50 ${dom.p50} ms, p95 ${dom.p95} ms; naive raw SQL p50 ${raw.p50} ms, p95 ${raw.p95} ms`);
          figures.push({
            suite: 'search',
            backend,
            name: `search, ${size} documents, ${cls} term (${matches} matches)`,
            value: dom.p50,
            unit: 'ms p50',
            baseline: { name: 'raw SQL ranking every match, first 20', value: raw.p50, unit: 'ms p50' },
            ratio: round(dom.p50 / raw.p50, 2),
            extra: { p95: dom.p95, baselineP95: raw.p95, matches, capped, frequentWords, iterations, documents: size },
          });
        }
      }
    } finally {
      await db.close();
    }
  } finally {
    await dataset.dispose();
  }
  return figures;
}
