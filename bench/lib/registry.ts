import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { generateActivities, type ActivityDatasetStats } from './activity-dataset.ts';
import { prepareDataset, type Dataset } from './dataset.ts';
import type { SuiteContext } from './types.ts';

/**
 * The registry at scale, loaded once per back end and shared by every suite that reads
 * activities (lists and exports, coordination analytics, search): 200 organizations and
 * `sizes.activities` deterministic synthetic activities. Loading 100k activities is the
 * longest single step of a run, so no suite loads its own copy. Suites that read it must
 * leave it as they found it.
 */
export type Registry = { dataset: Dataset; organizationIds: string[]; load: ActivityDatasetStats };

export async function prepareRegistry(ctx: SuiteContext): Promise<Registry> {
  const dataset = await prepareDataset(ctx.backend, 200, ctx.log);
  try {
    const db = await dataset.open();
    try {
      await syncReferenceData({ db });
      const organizationIds = (await db.kysely.selectFrom('organizations').select('id').orderBy('id').execute()).map((o) => o.id);
      const load = await generateActivities(db, ctx.sizes.activities, organizationIds, ctx.log);
      ctx.log(`  registry: ${load.activities} activities and ${load.childRows} child rows in ${Math.round(load.ms / 1000)} s (${Math.round(load.activities / (load.ms / 1000))} activities/s)`);
      return { dataset, organizationIds, load };
    } finally {
      await db.close();
    }
  } catch (e) {
    await dataset.dispose();
    throw e;
  }
}
