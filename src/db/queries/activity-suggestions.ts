import { sql, type Expression, type SqlBool } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * Activities holding classification suggestions an importer left for review. Every query here
 * carries the predicate of the partial indexes of migration 0017 (live, suggestions <> '{}'), so
 * it reads only pending rows however large the registry.
 */

/** Whose activities: every owner (null) or these organizations (never an empty list: the caller decides). */
export type PendingScope = { owners: readonly string[] | null };

export type PendingSuggestionRow = {
  id: string;
  iati_identifier: string | null;
  owner_organization_id: string;
  owner_acronym: string;
  owner_slug: string;
  title: Record<string, string>;
  default_language: string;
  suggestions: Record<string, string[]>;
  version: number;
  updated_at: Date;
  /** updated_at to the microsecond, as text, for the next page's cursor. */
  k: string;
};

const pending = (): Expression<SqlBool> => sql<SqlBool>`a.deleted_at is null and a.suggestions <> '{}'::jsonb`;

function base(db: Executor, scope: PendingScope) {
  let q = db.selectFrom('activities as a').where(pending());
  if (scope.owners) q = q.where('a.owner_organization_id', 'in', scope.owners);
  return q;
}

/**
 * One page of pending activities, newest change first (an import's writes are its newest), after
 * the `after` key (keyset: a page never repeats a row when others are reviewed meanwhile).
 */
export async function pendingSuggestionRows(db: Executor, scope: PendingScope, page: { after?: { k: string; id: string }; limit: number }): Promise<PendingSuggestionRow[]> {
  let q = base(db, scope)
    .innerJoin('organizations as o', 'o.id', 'a.owner_organization_id')
    .select([
      'a.id',
      'a.iati_identifier',
      'a.owner_organization_id',
      'o.acronym as owner_acronym',
      'o.slug as owner_slug',
      'a.title',
      'a.default_language',
      'a.suggestions',
      'a.version',
      'a.updated_at',
      sql<string>`to_char(a.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`.as('k'),
    ]);
  if (page.after) q = q.where(sql<SqlBool>`(a.updated_at, a.id) < (${page.after.k}::timestamp at time zone 'UTC', ${page.after.id})`);
  const rows = await q.orderBy('a.updated_at', 'desc').orderBy('a.id', 'desc').limit(page.limit).execute();
  return rows as PendingSuggestionRow[];
}

/** How many activities await review in the scope, counting no further than `cap` (a badge needs no more). */
export async function countPendingSuggestions(db: Executor, scope: PendingScope, cap?: number): Promise<number> {
  const inner = base(db, scope).select(sql`1`.as('one'));
  const row = await db
    .selectFrom((cap ? inner.limit(cap) : inner).as('p'))
    .select((eb) => eb.fn.countAll<string | number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The owners with pending activities in the scope, with how many each, by acronym. */
export async function pendingSuggestionOwners(db: Executor, scope: PendingScope): Promise<{ id: string; acronym: string; name: Record<string, string>; pending: number }[]> {
  const rows = await base(db, scope)
    .innerJoin('organizations as o', 'o.id', 'a.owner_organization_id')
    .select(['o.id', 'o.acronym', 'o.name'])
    .select((eb) => eb.fn.countAll<string | number>().as('pending'))
    .groupBy(['o.id', 'o.acronym', 'o.name'])
    .orderBy(sql`lower(o.acronym)`)
    .execute();
  return rows.map((r) => ({ id: r.id, acronym: r.acronym, name: r.name as Record<string, string>, pending: Number(r.pending) }));
}

/** Titles of the named activities (live or not), for an outcome that names them. */
export async function activityTitleRows(db: Executor, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .selectFrom('activities')
    .select(['id', 'iati_identifier', 'title', 'default_language', 'owner_organization_id', 'visibility', 'shared_with', 'deleted_at'])
    .where('id', 'in', [...new Set(ids)])
    .execute();
}
