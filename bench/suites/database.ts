import { sql } from 'kysely';
import { systemActor } from '../../src/domain/actor.ts';
import { getOrganization, listOrganizations } from '../../src/domain/organizations/organizations.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { Dataset } from '../lib/dataset.ts';
import { round, timeIt } from '../lib/stats.ts';
import type { Figure, SuiteContext } from '../lib/types.ts';

/** Domain reads against the same query written as raw SQL: the cost of the layers above SQL. */
export async function databaseSuite(ctx: SuiteContext, dataset: Dataset): Promise<Figure[]> {
  const db = await dataset.open();
  const figures: Figure[] = [];
  try {
    const dctx = { db, config: loadConfig({ ...dataset.env, LOG_LEVEL: 'silent' }), actor: systemActor };
    const n = ctx.sizes.iterations;
    const pairs: [string, () => Promise<unknown>, string, () => Promise<unknown>][] = [
      [
        'organizations: first page of 50 (domain)',
        () => listOrganizations(dctx, { limit: 50 }),
        'raw SQL, same page',
        () => sql`select * from organizations where archived_at is null order by lower(acronym), id limit 51`.execute(db.kysely),
      ],
      [
        'organization by slug (domain)',
        () => getOrganization(dctx, 'syn-7'),
        'raw SQL by slug',
        () => sql`select * from organizations where slug = ${'syn-7'}`.execute(db.kysely),
      ],
    ];
    for (const [name, fn, baseName, baseFn] of pairs) {
      const base = await timeIt(baseFn, n);
      const m = await timeIt(fn, n);
      ctx.log(`  ${name}: p50 ${m.p50} ms, p95 ${m.p95} ms (raw SQL p50 ${base.p50} ms)`);
      figures.push({
        suite: 'database',
        backend: ctx.backend.name,
        name,
        value: m.p50,
        unit: 'ms p50',
        baseline: { name: baseName, value: base.p50, unit: 'ms p50' },
        ratio: round(m.p50 / base.p50, 2),
        extra: { p95: m.p95, baselineP95: base.p95, iterations: n },
      });
    }
  } finally {
    await db.close();
  }
  return figures;
}
