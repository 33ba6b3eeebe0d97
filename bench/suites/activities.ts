import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config.ts';
import { activityIdPageQuery, facetCountsQuery, withAnalyticSettings } from '../../src/db/queries/activity-list.ts';
import { effectiveSort, parseActivityFilters } from '../../src/domain/activities/activity-filters.ts';
import { activityFacets, listActivities, readScopeOf, resolveFilters } from '../../src/domain/activities/list-activities.ts';
import { anonymous } from '../../src/domain/actor.ts';
import type { Registry } from '../lib/registry.ts';
import { round, timeIt } from '../lib/stats.ts';
import { runJsonChild } from '../lib/processes.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

/**
 * The activity registry at scale, on the shared registry dataset (bench/lib/registry.ts:
 * `sizes.activities` deterministic synthetic activities, 100k at the default scale, inserted in
 * bulk through the data layer — see bench/lib/activity-dataset.ts). Its load rate is reported
 * here. Then, as a visitor:
 *
 * - a filtered list page (domain listActivities) against the same id-page statement run as raw SQL;
 * - facet counts (domain activityFacets, its cache off) against the same statement as raw SQL,
 *   and the same counts again with the cache on;
 * - a CSV and an XLSX export of every activity in a child process (time and peak RSS) against a
 *   raw keyset scan of the same rows written as CSV in the same kind of child.
 */
const SCENARIOS: { name: string; query: string }[] = [
  { name: 'no filter', query: '' },
  { name: 'country KE + pillar prevention', query: 'country=KE&pillar=prevention' },
  { name: 'region 002 (Africa) + text "trafficking"', query: 'region=002&q=trafficking' },
];

const runChild = (mode: string, env: Record<string, string>) =>
  runJsonChild<{ ms: number; bytes: number; rows: number; peakRssMB: number; startRssMB: number }>('export-child.ts', [mode], env);

export async function activitiesSuite(ctx: SuiteContext, registry: Registry): Promise<Figure[]> {
  const figures: Figure[] = [];
  const backend = ctx.backend.name;
  const { dataset, load: gen } = registry;
  figures.push({
    suite: 'activities',
    backend,
    name: `bulk load of ${gen.activities} synthetic activities (data layer, multi-row INSERT, list triggers on)`,
    value: round(gen.activities / (gen.ms / 1000), 0),
    unit: 'activities/s',
    extra: { childRows: gen.childRows, seconds: round(gen.ms / 1000, 1) },
  });
  {
    const db = await dataset.open();
    try {
      const dctx = { db, config: loadConfig({ ...dataset.env, LOG_LEVEL: 'silent' }), actor: anonymous };
      const scope = readScopeOf(anonymous);
      const listN = Math.min(ctx.sizes.iterations, 100);
      const facetN = 8;
      for (const s of SCENARIOS) {
        const filters = { ...parseActivityFilters(new URLSearchParams(s.query)), limit: 25 };
        const resolved = resolveFilters(filters);
        const page = activityIdPageQuery(scope, resolved, { sort: effectiveSort(filters), lang: 'en', limit: 26 }).compile(db.kysely);
        const rawPage = () => withAnalyticSettings(db.kysely, (tx) => tx.executeQuery(page));
        // Up to listN samples, or 8 s of them once there are 30 (the text scenario takes ~250 ms a call on PGlite).
        const domainList = await timeIt(() => listActivities(dctx, filters, { lang: 'en' }), listN, 5, { budgetMs: 8_000 });
        const rawList = await timeIt(rawPage, listN, 5, { budgetMs: 8_000 });
        ctx.log(`  list, ${s.name}: p50 ${domainList.p50} ms, p95 ${domainList.p95} ms (raw SQL p50 ${rawList.p50} ms, p95 ${rawList.p95} ms)`);
        figures.push({
          suite: 'activities',
          backend,
          name: `list page of 25, ${s.name} (domain)`,
          value: domainList.p50,
          unit: 'ms p50',
          baseline: { name: 'raw SQL, the same id page', value: rawList.p50, unit: 'ms p50' },
          ratio: round(domainList.p50 / rawList.p50, 2),
          extra: { p95: domainList.p95, baselineP95: rawList.p95, iterations: domainList.n, baselineIterations: rawList.n, activities: ctx.sizes.activities },
        });

        const facetSql = facetCountsQuery(scope, resolved).compile(db.kysely);
        const rawFacets = () => withAnalyticSettings(db.kysely, (tx) => tx.executeQuery(facetSql));
        const cold = await timeIt(() => activityFacets(dctx, filters, { lang: 'en', cache: false }), facetN, 2);
        const raw = await timeIt(rawFacets, facetN, 2);
        const warm = await timeIt(() => activityFacets(dctx, filters, { lang: 'en' }), listN, 5);
        ctx.log(`  facets, ${s.name}: uncached p50 ${cold.p50} ms, p95 ${cold.p95} ms (raw SQL p50 ${raw.p50} ms); cached p50 ${warm.p50} ms`);
        figures.push({
          suite: 'activities',
          backend,
          name: `facet counts (9 facets), ${s.name}, cache off (domain)`,
          value: cold.p50,
          unit: 'ms p50',
          baseline: { name: 'raw SQL, the same statement', value: raw.p50, unit: 'ms p50' },
          ratio: round(cold.p50 / raw.p50, 2),
          extra: { p95: cold.p95, baselineP95: raw.p95, iterations: facetN, activities: ctx.sizes.activities },
        });
        figures.push({
          suite: 'activities',
          backend,
          name: `facet counts, ${s.name}, cached (unchanged data)`,
          value: warm.p50,
          unit: 'ms p50',
          baseline: { name: 'raw SQL, the same statement', value: raw.p50, unit: 'ms p50' },
          ratio: round(warm.p50 / raw.p50, 3),
          extra: { p95: warm.p95, iterations: listN },
        });
      }
      const count = Number((await sql<{ n: number }>`select count(*)::int as n from activities`.execute(db.kysely)).rows[0]!.n);
      ctx.log(`  ${count} activities in the database for the exports`);
    } finally {
      await db.close();
    }

    // Exports in child processes (the embedded database admits one process at a time).
    const raw = await runChild('raw', dataset.env);
    ctx.log(`  raw keyset scan to CSV: ${round(raw.ms / 1000, 1)} s, ${round(raw.bytes / 1048576, 1)} MB, peak RSS ${round(raw.peakRssMB, 0)} MB`);
    for (const format of ['csv', 'xlsx'] as const) {
      const r = await runChild(format, dataset.env);
      ctx.log(`  ${format.toUpperCase()} export of ${r.rows} activities: ${round(r.ms / 1000, 1)} s, ${round(r.bytes / 1048576, 1)} MB, peak RSS ${round(r.peakRssMB, 0)} MB (start ${round(r.startRssMB, 0)} MB)`);
      figures.push({
        suite: 'activities',
        backend,
        name: `${format.toUpperCase()} export of every activity (streamed)`,
        value: round(r.ms / 1000, 2),
        unit: 's',
        baseline: { name: 'raw keyset scan of the same rows to CSV', value: round(raw.ms / 1000, 2), unit: 's' },
        ratio: round(r.ms / raw.ms, 2),
        extra: { rows: r.rows, megabytes: round(r.bytes / 1048576, 1), peakRssMB: round(r.peakRssMB, 0), baselinePeakRssMB: round(raw.peakRssMB, 0), startRssMB: round(r.startRssMB, 0) },
      });
      figures.push({
        suite: 'activities',
        backend,
        name: `${format.toUpperCase()} export: peak resident memory of the exporting process`,
        value: round(r.peakRssMB, 0),
        unit: 'MB',
        baseline: { name: 'raw keyset scan process', value: round(raw.peakRssMB, 0), unit: 'MB' },
        ratio: round(r.peakRssMB / raw.peakRssMB, 2),
      });
    }
  }
  return figures;
}
