import type { Executor } from '../database.ts';

/** SQL for the installation's own state (platform_state); small JSON values by key. */
export async function readPlatformState<T>(db: Executor, key: string): Promise<T | undefined> {
  const row = await db.selectFrom('platform_state').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value as T | undefined;
}

/** Inserts the key only if it is absent; true when this call created it (a claim). */
export async function claimPlatformState(db: Executor, key: string, value: unknown): Promise<boolean> {
  const row = await db
    .insertInto('platform_state')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  return row !== undefined;
}

export async function writePlatformState(db: Executor, key: string, value: unknown): Promise<void> {
  await db
    .insertInto('platform_state')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify(value), updated_at: new Date() }))
    .execute();
}

/** Does any organization or account exist? (A database with content is never a first start.) */
export async function hasOrganizationsOrUsers(db: Executor): Promise<boolean> {
  const org = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  if (org) return true;
  const user = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  return user !== undefined;
}
