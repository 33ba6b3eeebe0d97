import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** SQL for organizations; the domain layer decides who may call what. */
export const organizationColumns = [
  'id',
  'slug',
  'kind',
  'acronym',
  'name',
  'description',
  'org_type',
  'website',
  'iati_ref',
  'logo_file',
  'joined_year',
  'archived_at',
  'version',
  'created_at',
  'updated_at',
] as const;

export async function findOrganization(db: Executor, idOrSlug: string) {
  return db
    .selectFrom('organizations')
    .select(organizationColumns)
    .where((eb) => eb.or([eb('id', '=', idOrSlug), eb('slug', '=', idOrSlug.toLowerCase())]))
    .executeTakeFirst();
}

export type OrganizationRow = NonNullable<Awaited<ReturnType<typeof findOrganization>>>;

export async function listChairYears(db: Executor, orgIds: string[]): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  if (orgIds.length === 0) return out;
  const rows = await db
    .selectFrom('organization_chairs')
    .select(['organization_id', 'year'])
    .where('organization_id', 'in', orgIds)
    .orderBy('year')
    .execute();
  for (const r of rows) out.set(r.organization_id, [...(out.get(r.organization_id) ?? []), r.year]);
  return out;
}

export async function replaceChairYears(db: Executor, orgId: string, years: number[]): Promise<void> {
  await db.deleteFrom('organization_chairs').where('organization_id', '=', orgId).execute();
  const unique = [...new Set(years)];
  if (unique.length > 0) {
    await db
      .insertInto('organization_chairs')
      .values(unique.map((year) => ({ organization_id: orgId, year })))
      .execute();
  }
}

export async function listOrganizationRows(
  db: Executor,
  q: { kind?: string; text?: string; includeArchived?: boolean; after?: [string, string]; limit: number },
) {
  let query = db.selectFrom('organizations').select(organizationColumns);
  if (!q.includeArchived) query = query.where('archived_at', 'is', null);
  if (q.kind) query = query.where('kind', '=', q.kind as 'member');
  if (q.text) {
    const like = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) =>
      eb.or([eb('acronym', 'ilike', like), eb(sql<string>`name::text`, 'ilike', like)]),
    );
  }
  if (q.after) {
    const [acr, id] = q.after;
    query = query.where(sql<boolean>`(lower(acronym), id) > (${acr}, ${id})`);
  }
  return query.orderBy(sql`lower(acronym)`).orderBy('id').limit(q.limit + 1).execute();
}

/** The most recently added or changed organizations (not archived), newest first. */
export async function latestOrganizationRows(db: Executor, limit: number) {
  return db.selectFrom('organizations').select(organizationColumns).where('archived_at', 'is', null).orderBy('updated_at', 'desc').orderBy('id').limit(limit).execute();
}

export async function countOrganizations(db: Executor) {
  const rows = await db
    .selectFrom('organizations')
    .select(['kind', sql<number>`count(*)`.as('n')])
    .where('archived_at', 'is', null)
    .groupBy('kind')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.kind, r.n])) as Record<string, number>;
}
