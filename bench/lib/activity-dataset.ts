import { sql } from 'kysely';
import type { Db } from '../../src/db/database.ts';
import { searchDocument } from '../../src/domain/activities/activity-search.ts';
import type { ActivityData } from '../../src/domain/activities/activity-schemas.ts';
import { loadReferenceData } from '../../src/domain/reference/reference-data.ts';
import { rng } from './stats.ts';

/**
 * Deterministic synthetic activities for the benchmarks, written in bulk through the data layer
 * (multi-row INSERTs of the activity and child tables, the search document computed as a save
 * computes it), NOT through createActivity row by row: the domain path (validation, versions,
 * audit) costs ~25 statements per activity, which would make 100k activities take most of an
 * hour on the embedded database. What the lists, facets and exports read is the same.
 */

const WORDS = [
  'trafficking', 'victims', 'migration', 'protection', 'labour', 'children', 'women', 'border', 'shelter', 'referral', 'training', 'prosecutors',
  'judges', 'police', 'recruitment', 'online', 'supply', 'chains', 'inspection', 'community', 'awareness', 'legal', 'aid', 'return', 'reintegration',
  'identification', 'data', 'national', 'regional', 'cooperation', 'hotline', 'outreach', 'camps', 'displacement', 'forced', 'marriage', 'begging',
  'exploitation', 'survivors', 'counselling', 'schools', 'youth', 'fishing', 'domestic', 'workers', 'corridor', 'coast', 'capital', 'rural', 'urban',
];
const FR = ['traite', 'victimes', 'migration', 'protection', 'travail', 'enfants', 'femmes', 'frontière', 'refuge', 'orientation', 'formation'];
const PILLARS = ['prevention', 'protection', 'prosecution', 'partnerships'];
const FORMS = ['sexual-exploitation', 'forced-labour', 'forced-criminal-activity', 'forced-begging', 'forced-marriage', 'organ-removal', 'child-soldiers', 'slavery', 'servitude'];
const GROUPS = ['women', 'men', 'girls', 'boys', 'gender-diverse', 'unspecified'];
const CONTEXTS = ['humanitarian-crisis', 'armed-conflict', 'displacement', 'migration-route', 'online-technology', 'supply-chains'];
const SDGS = ['5.2', '8.7', '10.7', '16.2'];
const STATUS = ['1', '2', '2', '2', '3', '4', '4', '5', '6'];
const SECTORS = ['15180', '15160', '15170', '16010', '16020', '15130'];

export type ActivityDatasetStats = { activities: number; childRows: number; ms: number };

/** A Zipf-like pick: early items far more often than late ones. */
const zipf = (r: () => number, n: number) => Math.min(n - 1, Math.floor(n * r() ** 2.2));
const pickSome = <T>(r: () => number, list: readonly T[], min: number, max: number): T[] => {
  const n = min + Math.floor(r() * (max - min + 1));
  const out = new Set<T>();
  while (out.size < Math.min(n, list.length)) out.add(list[zipf(r, list.length)]!);
  return [...out];
};
const day = (r: () => number, fromYear: number, years: number) => {
  const d = new Date(Date.UTC(fromYear, 0, 1) + Math.floor(r() * years * 365) * 86_400_000);
  return d.toISOString().slice(0, 10);
};
const words = (r: () => number, n: number, vocab = WORDS) => Array.from({ length: n }, () => vocab[zipf(r, vocab.length)]).join(' ');

/**
 * Inserts `count` activities owned by the given organizations, with countries (Zipf over the
 * reference countries), participants, sectors, budgets and some locations and regions.
 */
export async function generateActivities(db: Db, count: number, organizationIds: string[], log: (s: string) => void, seed = 7): Promise<ActivityDatasetStats> {
  const started = performance.now();
  const ref = await loadReferenceData(db);
  const countries = [...ref.countries.keys()].filter((c) => !ref.country(c)!.iatiOnly);
  // A few countries carry most of the work, as in real registries.
  for (const hot of ['KE', 'NG', 'TH', 'UA', 'MX', 'PH', 'NP', 'BD', 'GT', 'SN']) {
    countries.splice(countries.indexOf(hot), 1);
    countries.unshift(hot);
  }
  const subregions = [...ref.regions.values()].filter((r) => r.level === 'subregion').map((r) => r.m49);
  const r = rng(seed);
  const BATCH = 400;
  let childRows = 0;
  const base = Date.UTC(2026, 0, 1);
  for (let start = 0; start < count; start += BATCH) {
    const n = Math.min(BATCH, count - start);
    const mains: Record<string, unknown>[] = [];
    const participants: Record<string, unknown>[] = [];
    const acs: Record<string, unknown>[] = [];
    const regions: Record<string, unknown>[] = [];
    const sectors: Record<string, unknown>[] = [];
    const budgets: Record<string, unknown>[] = [];
    const locations: Record<string, unknown>[] = [];
    for (let k = 0; k < n; k++) {
      const i = start + k;
      const id = `act_bench${String(i).padStart(9, '0')}`;
      const owner = organizationIds[zipf(r, organizationIds.length)]!;
      const v = r();
      const visibility = v < 0.7 ? 'public' : v < 0.85 ? 'members' : v < 0.95 ? 'draft' : 'restricted';
      const plannedStart = day(r, 2010, 16);
      const plannedEnd = new Date(Date.parse(plannedStart) + (180 + Math.floor(r() * 1400)) * 86_400_000).toISOString().slice(0, 10);
      const title = { en: `${words(r, 5)} ${i}`, ...(r() < 0.3 ? { fr: `${words(r, 5, FR)} ${i}` } : {}) };
      const description = { en: words(r, 30) };
      const cls = {
        pillars: pickSome(r, PILLARS, 1, 2),
        exploitationForms: pickSome(r, FORMS, 0, 2),
        targetGroups: pickSome(r, GROUPS, 1, 3),
        contexts: pickSome(r, CONTEXTS, 0, 2),
        sdgTargets: pickSome(r, SDGS, 1, 2),
      };
      const partnerIds = pickSome(r, organizationIds, 0, 2).filter((o) => o !== owner);
      const cs = pickSome(r, countries, 1, 3);
      const doc = searchDocument({ title, description, objectives: {}, participants: [], locations: [], results: [], iatiIdentifier: `XM-BENCH-${i}` } as unknown as ActivityData, [owner]);
      const updated = new Date(base - Math.floor(r() * 5 * 365 * 86_400_000));
      mains.push({
        id,
        iati_identifier: `XM-BENCH-${i}`,
        owner_organization_id: owner,
        visibility,
        shared_with: visibility === 'restricted' ? partnerIds.slice(0, 1) : [],
        title: JSON.stringify(title),
        description: JSON.stringify(description),
        status: STATUS[Math.floor(r() * STATUS.length)]!,
        planned_start: plannedStart,
        planned_end: plannedEnd,
        actual_start: r() < 0.6 ? plannedStart : null,
        default_currency: 'USD',
        pillars: cls.pillars,
        exploitation_forms: cls.exploitationForms,
        target_groups: cls.targetGroups,
        contexts: cls.contexts,
        sdg_targets: cls.sdgTargets,
        provenance: JSON.stringify({ source: 'api' }),
        search: sql`setweight(to_tsvector('simple', ${doc.a}), 'A') || setweight(to_tsvector('simple', ${doc.b}), 'B') || setweight(to_tsvector('simple', ${doc.c}), 'C')`,
        created_at: updated,
        updated_at: updated,
      });
      participants.push({ activity_id: id, position: 0, role: '4', organization_id: owner, name: '{}' });
      partnerIds.forEach((o, p) => participants.push({ activity_id: id, position: p + 1, role: r() < 0.5 ? '1' : '3', organization_id: o, name: '{}' }));
      const share = Math.floor(100_000 / cs.length) / 1000;
      cs.forEach((c, p) => acs.push({ activity_id: id, country_code: c, percentage: p === cs.length - 1 ? 100 - share * (cs.length - 1) : share, narrative: '{}' }));
      if (r() < 0.05) regions.push({ activity_id: id, vocabulary: '2', code: subregions[Math.floor(r() * subregions.length)]!, percentage: null, narrative: '{}' });
      sectors.push({ activity_id: id, vocabulary: '1', code: SECTORS[zipf(r, SECTORS.length)]!, percentage: 100, narrative: '{}' });
      budgets.push({ activity_id: id, position: 0, type: '1', status: '2', period_start: plannedStart, period_end: new Date(Date.parse(plannedStart) + 364 * 86_400_000).toISOString().slice(0, 10), value: Math.round(r() * 2_000_000), currency: 'USD' });
      if (r() < 0.3) locations.push({ activity_id: id, position: 0, name: JSON.stringify({ en: `${words(r, 1)} district` }), description: '{}', country_code: cs[0], latitude: Math.round((r() * 120 - 60) * 1e5) / 1e5, longitude: Math.round((r() * 340 - 170) * 1e5) / 1e5 });
    }
    await db.kysely.transaction().execute(async (tx) => {
      await tx.insertInto('activities').values(mains as never).execute();
      for (const [table, rows] of [
        ['activity_participants', participants],
        ['activity_countries', acs],
        ['activity_regions', regions],
        ['activity_sectors', sectors],
        ['activity_budgets', budgets],
        ['activity_locations', locations],
      ] as const) {
        if (rows.length > 0) await tx.insertInto(table).values(rows as never).execute();
        childRows += rows.length;
      }
    });
    if ((start / BATCH) % 50 === 49) log(`    … ${start + n} activities`);
  }
  // The list rows were rewritten by the child tables' triggers: reclaim the dead versions as autovacuum would.
  await sql`vacuum analyze`.execute(db.kysely);
  return { activities: count, childRows, ms: performance.now() - started };
}
