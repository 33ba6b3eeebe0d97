import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** SQL for password-reset links; only the sha256 of a link's token is stored. */
export async function insertPasswordReset(db: Executor, values: { token_hash: string; user_id: string; expires_at: Date }): Promise<void> {
  await db.insertInto('password_resets').values({ ...values, used_at: null }).execute();
}

/** How many reset links were issued for a person since the given moment (to stop mail floods). */
export async function countRecentResets(db: Executor, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('password_resets')
    .select(sql<number>`count(*)`.as('n'))
    .where('user_id', '=', userId)
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** A reset link that is neither used nor expired. */
export async function findUsableReset(db: Executor, tokenHash: string) {
  return db
    .selectFrom('password_resets')
    .select(['token_hash', 'user_id', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Marks a link used; returns false when another request used it first. */
export async function markResetUsed(db: Executor, tokenHash: string): Promise<boolean> {
  const r = await db
    .updateTable('password_resets')
    .set({ used_at: new Date() })
    .where('token_hash', '=', tokenHash)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Retires every other outstanding link of a person once one was used. */
export async function retireUserResets(db: Executor, userId: string): Promise<void> {
  await db.updateTable('password_resets').set({ used_at: new Date() }).where('user_id', '=', userId).where('used_at', 'is', null).execute();
}
