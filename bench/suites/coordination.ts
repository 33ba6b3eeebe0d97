import v8 from 'node:v8';
import vm from 'node:vm';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config.ts';
import { withAnalyticSettings } from '../../src/db/queries/activity-list.ts';
import { anonymous } from '../../src/domain/actor.ts';
import { coverageMatrix, planMatrix } from '../../src/domain/coordination/coverage-matrix.ts';
import { hasActivityGroups, selectMatrixParts } from '../../src/db/queries/coordination.ts';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import type { Registry } from '../lib/registry.ts';
import { round, timeIt } from '../lib/stats.ts';
import { runJsonChild } from '../lib/processes.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

/**
 * Coordination analytics at scale, on the shared registry dataset (bench/lib/registry.ts:
 * `sizes.activities` synthetic activities, 100k at the default scale):
 *
 * - coverage matrices (domain coverageMatrix as a visitor: cells, linked-group correction,
 *   margins and coarser coverage for the gaps, labels) against the bare cross-tabulation in raw
 *   SQL — the same rows grouped by the two dimensions, nothing else;
 * - a full duplicate scan in a child process (time and peak resident memory) against a child
 *   that only reads the same rows in the same batches.
 */
const MATRICES: { name: string; query: Record<string, string>; raw: (scope: string) => ReturnType<typeof sql> }[] = [
  {
    name: 'country × pillar, activities',
    query: { rows: 'country', cols: 'pillar' },
    raw: (scope) => sql`select r, c, count(*) from activity_list_rows a cross join unnest(a.country_codes) r cross join unnest(a.pillars) c where ${sql.raw(scope)} group by r, c`,
  },
  {
    name: 'organization × year 2017–2026, activities',
    query: { rows: 'organization', cols: 'period', from: '2017-01-01', to: '2026-12-31' },
    raw: (scope) =>
      sql`select r, y, count(*) from activity_list_rows a cross join unnest(a.organization_ids) r
            cross join generate_series(greatest(extract(year from coalesce(a.actual_start, a.planned_start))::int, 2017), least(extract(year from coalesce(a.actual_end, a.planned_end))::int, 2026)) y
           where ${sql.raw(scope)} group by r, y`,
  },
  {
    name: 'country × target group, budget (USD)',
    query: { rows: 'country', cols: 'targetGroup', measure: 'budget' },
    raw: (scope) =>
      sql`select r, c, sum(b.v) from activity_list_rows a join (select activity_id, sum(value) v from activity_budgets where currency = 'USD' group by activity_id) b on b.activity_id = a.id
            cross join unnest(a.country_codes) r cross join unnest(a.target_groups) c where ${sql.raw(scope)} group by r, c`,
  },
];

const runChild = (mode: 'scan' | 'raw', env: Record<string, string>) =>
  runJsonChild<{ ms: number; peakRssMB: number; startRssMB: number; activities: number; compared?: number; candidates?: number; blocks?: number; links?: number }>('scan-child.ts', [mode], env);

export async function coordinationSuite(ctx: SuiteContext, registry: Registry): Promise<Figure[]> {
  const figures: Figure[] = [];
  const backend = ctx.backend.name;
  const { dataset } = registry;
  try {
    const db = await dataset.open();
    try {
      const dctx = { db, config: loadConfig({ ...dataset.env, LOG_LEVEL: 'silent' }), actor: anonymous };
      // The visitor's scope, as the domain writes it for the list (migration 0005's narrow table).
      const scope = `a.deleted_at is null and a.visibility = 'public'`;
      const n = Math.min(ctx.sizes.iterations, 40);
      // The process's copy of the list rows (ADR 028): read in full by the first matrix of a process.
      // A collection before each reading of the heap, so that it counts what the copy keeps, not what reading it left behind.
      v8.setFlagsFromString('--expose-gc');
      const gc = vm.runInNewContext('gc') as () => void;
      gc();
      const heap0 = process.memoryUsage().heapUsed;
      const t0 = performance.now();
      await coverageMatrix(dctx, MATRICES[0]!.query, { lang: 'en', cache: false });
      const firstMs = performance.now() - t0;
      gc();
      const heapMB = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
      ctx.log(`  first matrix of the process (reads the copy of ${ctx.sizes.activities} list rows): ${round(firstMs, 0)} ms, heap +${round(heapMB, 0)} MB`);
      figures.push({ suite: 'coordination', backend, name: 'first matrix of a process (reads the copy of the list rows in full)', value: round(firstMs, 0), unit: 'ms', extra: { heapGrowthMB: round(heapMB, 0), activities: ctx.sizes.activities } });
      // A write between two matrices: one list row stamped (its budget rewritten unchanged), as any save does.
      const someIds = (await sql<{ id: string }>`select id from activity_list_rows where deleted_at is null order by id limit 200`.execute(db.kysely)).rows.map((r) => r.id);
      let w = 0;
      const touch = () => sql`update activity_budgets set value = value where activity_id = ${someIds[w++ % someIds.length]!}`.execute(db.kysely);
      for (const m of MATRICES) {
        const domain = await timeIt(() => coverageMatrix(dctx, m.query, { lang: 'en', cache: false }), n, 3);
        const afterWrite = await timeIt(async () => {
          await touch();
          const t = performance.now();
          await coverageMatrix(dctx, m.query, { lang: 'en', cache: false });
          return performance.now() - t;
        }, n, 3);
        const compiled = m.raw(scope).compile(db.kysely);
        // The baseline takes seconds a run on the embedded database: 20 runs give its p95 (the second slowest).
        const rawN = Math.min(n, 20);
        const raw = await timeIt(() => withAnalyticSettings(db.kysely, (tx) => tx.executeQuery(compiled)), rawN, 2);
        // The exact SQL statement the copy replaced (still the reference of the tests), a few times only: it takes seconds.
        const plan = await planMatrix(dctx, m.query, { lang: 'en' });
        const exact = await timeIt(async () => selectMatrixParts(db.kysely, plan.scope, plan.resolved, { ...plan.request, withGroups: await hasActivityGroups(db.kysely) }), 3, 1);
        const cached = await timeIt(() => coverageMatrix(dctx, m.query, { lang: 'en' }), n * 5, 3);
        ctx.log(
          `  matrix ${m.name}: uncached p50 ${domain.p50} ms, p95 ${domain.p95} ms; right after a write p95 ${afterWrite.p95} ms; ` +
            `raw SQL cross-tab p50 ${raw.p50} ms, p95 ${raw.p95} ms; the whole matrix in SQL p95 ${exact.p95} ms; cached p95 ${cached.p95} ms`,
        );
        const base = { name: 'raw SQL cross-tabulation of the same rows', value: raw.p95, unit: 'ms p95' };
        figures.push({
          suite: 'coordination',
          backend,
          name: `coverage matrix ${m.name}, cache off (domain, with gaps)`,
          value: domain.p95,
          unit: 'ms p95',
          baseline: base,
          ratio: round(domain.p95 / raw.p95, 3),
          extra: { p50: domain.p50, baselineP50: raw.p50, iterations: n, baselineIterations: rawN, activities: ctx.sizes.activities },
        });
        figures.push({
          suite: 'coordination',
          backend,
          name: `coverage matrix ${m.name}, cache off, one record changed before each (write included)`,
          value: afterWrite.p95,
          unit: 'ms p95',
          baseline: base,
          ratio: round(afterWrite.p95 / raw.p95, 3),
          extra: { p50: afterWrite.p50, iterations: n },
        });
        figures.push({
          suite: 'coordination',
          backend,
          name: `coverage matrix ${m.name}, the whole matrix as one SQL statement (the tests' reference)`,
          value: exact.p95,
          unit: 'ms p95',
          baseline: base,
          ratio: round(exact.p95 / raw.p95, 2),
          extra: { p50: exact.p50, iterations: 3 },
        });
        figures.push({
          suite: 'coordination',
          backend,
          name: `coverage matrix ${m.name}, cached (unchanged data)`,
          value: cached.p95,
          unit: 'ms p95',
          baseline: base,
          ratio: round(cached.p95 / raw.p95, 3),
          extra: { p50: cached.p50, iterations: n * 5 },
        });
      }
      figures.push(...(await writeCost(db.kysely, backend, someIds.length > 0 ? Math.min(10_000, ctx.sizes.activities) : 0, ctx.log)));
      const count = Number((await sql<{ n: number }>`select count(*)::int as n from activities`.execute(db.kysely)).rows[0]!.n);
      ctx.log(`  ${count} activities for the duplicate scan`);
    } finally {
      await db.close();
    }
    // The scan in child processes (the embedded database admits one process at a time).
    const raw = await runChild('raw', dataset.env);
    const scan = await runChild('scan', dataset.env);
    ctx.log(
      `  full duplicate scan of ${scan.activities} activities: ${round(scan.ms / 1000, 1)} s, peak RSS ${round(scan.peakRssMB, 0)} MB (start ${round(scan.startRssMB, 0)} MB); ` +
        `${scan.blocks} blocks, ${scan.compared} pairs compared, ${scan.candidates} candidates, ${scan.links} links; reading the rows alone ${round(raw.ms / 1000, 1)} s, peak ${round(raw.peakRssMB, 0)} MB`,
    );
    const allPairs = (scan.activities * (scan.activities - 1)) / 2;
    figures.push({
      suite: 'coordination',
      backend,
      name: 'full duplicate scan (blocked by country × pillar, informative shared terms)',
      value: round(scan.ms / 1000, 2),
      unit: 's',
      baseline: { name: 'reading the same rows in the same batches', value: round(raw.ms / 1000, 2), unit: 's' },
      ratio: round(scan.ms / raw.ms, 2),
      extra: {
        activities: scan.activities,
        blocks: scan.blocks ?? 0,
        compared: scan.compared ?? 0,
        shareOfAllPairs: Number(((scan.compared ?? 0) / allPairs).toExponential(2)),
        candidates: scan.candidates ?? 0,
        links: scan.links ?? 0,
      },
    });
    figures.push({
      suite: 'coordination',
      backend,
      name: 'full duplicate scan: peak resident memory of the scanning process',
      value: round(scan.peakRssMB, 0),
      unit: 'MB',
      baseline: { name: 'process reading the same rows', value: round(raw.peakRssMB, 0), unit: 'MB' },
      ratio: round(scan.peakRssMB / raw.peakRssMB, 2),
      extra: { startRssMB: round(scan.startRssMB, 0) },
    });
  } finally {
    // Leave the shared registry as it was: the scan wrote candidates, links, groups, its record and an audit entry.
    const db = await dataset.open();
    try {
      for (const table of ['duplicate_candidates', 'activity_links', 'activity_groups', 'duplicate_scans'] as const) await db.kysely.deleteFrom(table).execute();
      await db.kysely.deleteFrom('audit_log').where('action', '=', 'duplicates.scan').execute();
    } finally {
      await db.close();
    }
  }
  return figures;
}

/**
 * What migration 0011 adds to writes, in set-based statements over `size` activities, each in a
 * transaction rolled back, with its triggers on and then off: the refresh of the list rows' codes
 * (which every save and every child-row statement of an import runs; the row trigger stamps each
 * row) and one multi-row insert of budgets (the statement trigger stamps their activities' rows).
 */
async function writeCost(db: Kysely<Database>, backend: string, size: number, log: (s: string) => void): Promise<Figure[]> {
  if (size === 0) return [];
  const ids = (await sql<{ id: string }>`select id from activity_list_rows order by id limit ${size}`.execute(db)).rows.map((r) => r.id);
  const rolledBack = async (fn: (tx: Kysely<Database>) => Promise<unknown>, triggers: boolean): Promise<number> => {
    let ms = 0;
    await db
      .transaction()
      .execute(async (tx) => {
        if (!triggers) {
          await sql`alter table activity_list_rows disable trigger activity_list_rows_stamp`.execute(tx);
          await sql`alter table activity_budgets disable trigger activity_budgets_inserted`.execute(tx);
        }
        const t = performance.now();
        await fn(tx);
        ms = performance.now() - t;
        throw new RolledBack();
      })
      .catch((e: unknown) => {
        if (!(e instanceof RolledBack)) throw e;
      });
    return ms;
  };
  const refresh = (tx: Kysely<Database>) => sql`select activity_list_refresh(${ids}::text[])`.execute(tx);
  const budgets = (tx: Kysely<Database>) =>
    sql`insert into activity_budgets (activity_id, position, type, status, period_start, period_end, value, currency)
        select id, 9999, '1', '1', date '2025-01-01', date '2025-12-31', 1000, 'USD' from unnest(${ids}::text[]) id`.execute(tx);
  const figures: Figure[] = [];
  for (const [name, fn] of [
    [`refresh of ${size} list rows (activity_list_refresh), stamped by the row trigger`, refresh],
    [`one insert of ${size} budgets, their activities' rows stamped by the statement trigger`, budgets],
  ] as const) {
    const on: number[] = [];
    const off: number[] = [];
    for (let i = 0; i < 3; i++) {
      off.push(await rolledBack(fn, false));
      on.push(await rolledBack(fn, true));
    }
    const best = (v: number[]) => round(Math.min(...v), 0);
    log(`  write cost: ${name}: ${best(on)} ms (without the triggers of migration 0011: ${best(off)} ms)`);
    figures.push({ suite: 'coordination', backend, name: `write: ${name}`, value: best(on), unit: 'ms (best of 3)', baseline: { name: 'the same without the triggers of migration 0011', value: best(off), unit: 'ms' }, ratio: round(best(on) / best(off), 2) });
  }
  return figures;
}

class RolledBack extends Error {}
