import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * SQL for reference data: countries, M49 regions, taxonomy terms and IATI codelists. These
 * tables are filled by the platform (start-up sync, `icat reference load-iati`); the domain
 * layer decides who may change what.
 */

/** Tables the platform fills by itself at start; they alone do not make a database "hold data". */
export const REFERENCE_TABLES = ['reference_regions', 'reference_countries', 'taxonomy_terms', 'codelists', 'codelist_items'] as const;

type Names = Record<string, string>;

export type RegionRowInput = { m49: string; level: 'world' | 'region' | 'subregion' | 'intermediate'; parent_m49: string | null; names: Names; sort: number };
export type CountryRowInput = {
  code: string;
  alpha3: string | null;
  m49: string | null;
  region_m49: string | null;
  subregion_m49: string | null;
  intermediate_m49: string | null;
  names: Names;
  iati_only: boolean;
};
export type TermRowInput = { taxonomy: string; code: string; labels: Names; descriptions: Names; parent_code: string | null; sort: number };
export type CodelistItemInput = { code: string; names: Names; descriptions: Names; category: string | null; withdrawn: boolean };
export type CodelistMetaInput = { name: string; version: string | null; origin: 'builtin' | 'official'; complete: boolean; source: string | null };

export async function selectRegions(db: Executor) {
  return db.selectFrom('reference_regions').selectAll().orderBy('sort').orderBy('m49').execute();
}
export async function selectCountries(db: Executor) {
  return db.selectFrom('reference_countries').selectAll().orderBy('code').execute();
}
export async function selectTaxonomyTerms(db: Executor) {
  return db.selectFrom('taxonomy_terms').selectAll().orderBy('taxonomy').orderBy('sort').orderBy('code').execute();
}
export async function selectCodelists(db: Executor) {
  return db.selectFrom('codelists').selectAll().orderBy('name').execute();
}
export async function selectCodelistItems(db: Executor) {
  return db.selectFrom('codelist_items').selectAll().orderBy('codelist').orderBy('code').execute();
}
export async function countCodelistItems(db: Executor) {
  return db
    .selectFrom('codelist_items')
    .select(['codelist', sql<number>`count(*)::int`.as('items'), sql<number>`count(*) filter (where withdrawn)::int`.as('withdrawn')])
    .groupBy('codelist')
    .execute();
}

/** Serializes concurrent writers of reference data (two servers starting at once). */
export async function lockReferenceData(tx: Executor): Promise<void> {
  await sql`select pg_advisory_xact_lock(7231003)`.execute(tx);
}

export async function upsertRegions(tx: Executor, rows: RegionRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('reference_regions')
    .values(rows.map((r) => ({ ...r, names: JSON.stringify(r.names) })))
    .onConflict((oc) =>
      oc.column('m49').doUpdateSet((eb) => ({
        level: eb.ref('excluded.level'),
        parent_m49: eb.ref('excluded.parent_m49'),
        names: eb.ref('excluded.names'),
        sort: eb.ref('excluded.sort'),
      })),
    )
    .execute();
}

export async function upsertCountries(tx: Executor, rows: CountryRowInput[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto('reference_countries')
    .values(rows.map((r) => ({ ...r, names: JSON.stringify(r.names) })))
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        alpha3: eb.ref('excluded.alpha3'),
        m49: eb.ref('excluded.m49'),
        region_m49: eb.ref('excluded.region_m49'),
        subregion_m49: eb.ref('excluded.subregion_m49'),
        intermediate_m49: eb.ref('excluded.intermediate_m49'),
        names: eb.ref('excluded.names'),
        iati_only: eb.ref('excluded.iati_only'),
      })),
    )
    .execute();
}

/**
 * Inserts the seed's terms; terms still as seeded (source 'platform') take the seed's labels,
 * while terms an administrator edited keep theirs. Returns how many were new.
 */
export async function upsertSeedTerms(tx: Executor, rows: TermRowInput[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await tx
    .insertInto('taxonomy_terms')
    .values(rows.map((r) => ({ ...r, labels: JSON.stringify(r.labels), descriptions: JSON.stringify(r.descriptions), source: 'platform', withdrawn_at: null })))
    .onConflict((oc) =>
      oc
        .columns(['taxonomy', 'code'])
        .doUpdateSet((eb) => ({
          labels: eb.ref('excluded.labels'),
          descriptions: eb.ref('excluded.descriptions'),
          parent_code: eb.ref('excluded.parent_code'),
          sort: eb.ref('excluded.sort'),
        }))
        .where('taxonomy_terms.source', '=', 'platform'),
    )
    .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
    .execute();
  return result.filter((r) => r.inserted).length;
}

/** Marks seeded terms that are no longer in the seed as withdrawn (never deletes them). */
export async function withdrawTermsMissingFromSeed(tx: Executor, keep: { taxonomy: string; code: string }[]): Promise<number> {
  const keys = keep.map((k) => `${k.taxonomy}:${k.code}`);
  const result = await tx
    .updateTable('taxonomy_terms')
    .set({ withdrawn_at: new Date() })
    .where('source', 'in', ['platform', 'edited'])
    .where('withdrawn_at', 'is', null)
    .where(sql<string>`taxonomy || ':' || code`, 'not in', keys.length > 0 ? keys : [''])
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findTaxonomyTerm(db: Executor, taxonomy: string, code: string) {
  return db.selectFrom('taxonomy_terms').selectAll().where('taxonomy', '=', taxonomy).where('code', '=', code).executeTakeFirst();
}

export async function saveTaxonomyTerm(
  tx: Executor,
  row: TermRowInput & { source: string; withdrawn: boolean },
): Promise<void> {
  await tx
    .insertInto('taxonomy_terms')
    .values({
      taxonomy: row.taxonomy,
      code: row.code,
      labels: JSON.stringify(row.labels),
      descriptions: JSON.stringify(row.descriptions),
      parent_code: row.parent_code,
      sort: row.sort,
      source: row.source,
      withdrawn_at: row.withdrawn ? new Date() : null,
    })
    .onConflict((oc) =>
      oc.columns(['taxonomy', 'code']).doUpdateSet((eb) => ({
        labels: eb.ref('excluded.labels'),
        descriptions: eb.ref('excluded.descriptions'),
        parent_code: eb.ref('excluded.parent_code'),
        sort: eb.ref('excluded.sort'),
        source: eb.ref('excluded.source'),
        // Keep the date a term was first withdrawn.
        withdrawn_at: row.withdrawn ? sql<Date>`coalesce(taxonomy_terms.withdrawn_at, now())` : null,
      })),
    )
    .execute();
}

export async function findCodelist(db: Executor, name: string) {
  return db.selectFrom('codelists').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Creates or replaces a codelist's header row. */
export async function upsertCodelist(tx: Executor, meta: CodelistMetaInput): Promise<void> {
  await tx
    .insertInto('codelists')
    .values({ ...meta, loaded_at: new Date() })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet((eb) => ({
        version: eb.ref('excluded.version'),
        origin: eb.ref('excluded.origin'),
        complete: eb.ref('excluded.complete'),
        source: eb.ref('excluded.source'),
        loaded_at: eb.ref('excluded.loaded_at'),
      })),
    )
    .execute();
}

export async function deleteCodelistItems(tx: Executor, codelist: string): Promise<void> {
  await tx.deleteFrom('codelist_items').where('codelist', '=', codelist).execute();
}

export async function insertCodelistItems(tx: Executor, codelist: string, items: CodelistItemInput[]): Promise<void> {
  // One statement may not touch a row twice: a batch that repeats a code keeps its last occurrence.
  const unique = [...new Map(items.map((it) => [it.code, it])).values()];
  if (unique.length === 0) return;
  await tx
    .insertInto('codelist_items')
    .values(
      unique.map((it) => ({
        codelist,
        code: it.code,
        names: JSON.stringify(it.names),
        descriptions: JSON.stringify(it.descriptions),
        category: it.category,
        withdrawn: it.withdrawn,
      })),
    )
    // …and so does a file that repeats it across batches.
    .onConflict((oc) =>
      oc.columns(['codelist', 'code']).doUpdateSet((eb) => ({
        names: eb.ref('excluded.names'),
        descriptions: eb.ref('excluded.descriptions'),
        category: eb.ref('excluded.category'),
        withdrawn: eb.ref('excluded.withdrawn'),
      })),
    )
    .execute();
}
