import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** SQL for users and memberships; the domain layer decides who may call what. */
export const userColumns = [
  'id',
  'email',
  'name',
  'preferred_language',
  'password_hash',
  'platform_role',
  'active',
  'last_sign_in_at',
  'version',
  'created_at',
  'updated_at',
] as const;

export async function findUserById(db: Executor, id: string) {
  return db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
}

export type UserRow = NonNullable<Awaited<ReturnType<typeof findUserById>>>;

export async function findUserByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .select(userColumns)
    .where(sql<string>`lower(email)`, '=', email.trim().toLowerCase())
    .executeTakeFirst();
}

export async function insertUser(
  db: Executor,
  values: { id: string; email: string; name: string; preferred_language: string; password_hash: string | null; platform_role: UserRow['platform_role'] },
) {
  return db
    .insertInto('users')
    .values({ ...values, last_sign_in_at: null })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
}

export async function updateUserRow(
  db: Executor,
  id: string,
  expectedVersion: number | undefined,
  set: Partial<{ name: string; preferred_language: string; platform_role: UserRow['platform_role']; active: boolean; password_hash: string | null }>,
) {
  let q = db
    .updateTable('users')
    .set({ ...set, version: sql`version + 1`, updated_at: new Date() })
    .where('id', '=', id);
  if (expectedVersion !== undefined) q = q.where('version', '=', expectedVersion);
  return q.returning(userColumns).executeTakeFirst();
}

export async function touchLastSignIn(db: Executor, id: string): Promise<void> {
  await db.updateTable('users').set({ last_sign_in_at: new Date() }).where('id', '=', id).execute();
}

export async function listMembershipRows(db: Executor, userIds: string[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('memberships')
    .select(['user_id', 'organization_id', 'role'])
    .where('user_id', 'in', userIds)
    .orderBy('user_id')
    .orderBy('organization_id')
    .execute();
}

export async function replaceMemberships(
  db: Executor,
  userId: string,
  memberships: { organizationId: string; role: 'staff' | 'focal_point' }[],
): Promise<void> {
  await db.deleteFrom('memberships').where('user_id', '=', userId).execute();
  if (memberships.length > 0) {
    await db
      .insertInto('memberships')
      .values(memberships.map((m) => ({ user_id: userId, organization_id: m.organizationId, role: m.role })))
      .execute();
  }
}

/** Ids among the given ones that name an existing, active organization. */
export async function existingOrganizationIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('organizations').select('id').where('id', 'in', ids).where('archived_at', 'is', null).execute();
  return new Set(rows.map((r) => r.id));
}

export async function listUserRows(
  db: Executor,
  q: { text?: string; organizationId?: string; includeInactive?: boolean; after?: [string, string]; limit: number },
) {
  let query = db.selectFrom('users').select(userColumns);
  if (!q.includeInactive) query = query.where('active', '=', true);
  if (q.organizationId) {
    const orgId = q.organizationId;
    query = query.where((eb) =>
      eb.exists(eb.selectFrom('memberships').select('user_id').whereRef('memberships.user_id', '=', 'users.id').where('organization_id', '=', orgId)),
    );
  }
  if (q.text) {
    const like = `%${q.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where((eb) => eb.or([eb('email', 'ilike', like), eb('name', 'ilike', like)]));
  }
  if (q.after) {
    const [email, id] = q.after;
    query = query.where(sql<boolean>`(lower(email), id) > (${email}, ${id})`);
  }
  return query.orderBy(sql`lower(email)`).orderBy('id').limit(q.limit + 1).execute();
}
