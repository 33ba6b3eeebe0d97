import { sql, type Selectable } from 'kysely';
import type { Executor } from '../database.ts';
import type { SavedSearchesTable } from '../schema.ts';

/**
 * SQL of saved searches and e-mail subscriptions to searches (one table, saved_searches): a
 * person's rows have user_id, a reader's subscription has email. Confirmation tokens are
 * stored as their sha256 only.
 */
export type SavedSearchRow = Selectable<SavedSearchesTable>;

export async function insertSavedSearch(
  db: Executor,
  row: Pick<SavedSearchRow, 'id' | 'user_id' | 'email' | 'language' | 'name' | 'query' | 'frequency' | 'unsubscribe_token'> &
    Partial<Pick<SavedSearchRow, 'confirm_token_hash' | 'confirm_expires_at'>>,
): Promise<SavedSearchRow> {
  return db.insertInto('saved_searches').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listUserSavedSearches(db: Executor, userId: string): Promise<SavedSearchRow[]> {
  return db.selectFrom('saved_searches').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export async function findUserSavedSearch(db: Executor, userId: string, id: string): Promise<SavedSearchRow | undefined> {
  return db.selectFrom('saved_searches').selectAll().where('user_id', '=', userId).where('id', '=', id).executeTakeFirst();
}

export async function findUserSavedSearchByQuery(db: Executor, userId: string, query: string): Promise<SavedSearchRow | undefined> {
  return db.selectFrom('saved_searches').selectAll().where('user_id', '=', userId).where('query', '=', query).executeTakeFirst();
}

export async function updateSavedSearchRow(
  db: Executor,
  id: string,
  set: Partial<Pick<SavedSearchRow, 'name' | 'frequency' | 'last_visited_at' | 'alert_watermark'>>,
): Promise<SavedSearchRow> {
  return db
    .updateTable('saved_searches')
    .set({ ...set, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Marks a saved search visited now; returns the moment stored (the database's clock). */
export async function markSavedSearchVisited(db: Executor, id: string): Promise<void> {
  await db.updateTable('saved_searches').set({ last_visited_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

export async function deleteSavedSearchRow(db: Executor, id: string): Promise<boolean> {
  const r = await db.deleteFrom('saved_searches').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) === 1;
}

/** The database's clock, so that watermarks never depend on the application server's. */
export async function databaseNow(db: Executor): Promise<Date> {
  const r = await sql<{ now: Date }>`select now() as now`.execute(db);
  return new Date(r.rows[0]!.now);
}

// --- e-mail subscriptions -------------------------------------------------------------------

export async function findSubscription(db: Executor, email: string, query: string): Promise<SavedSearchRow | undefined> {
  return db
    .selectFrom('saved_searches')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .where('query', '=', query)
    .executeTakeFirst();
}

/** Gives an unconfirmed subscription a new confirmation token and expiry (a repeated request). */
export async function renewSubscriptionToken(
  db: Executor,
  id: string,
  set: { confirm_token_hash: string; confirm_expires_at: Date; frequency: 'daily' | 'weekly'; language: string; name: string },
): Promise<void> {
  await db
    .updateTable('saved_searches')
    .set({ ...set, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('confirmed_at', 'is', null)
    .execute();
}

/** The unconfirmed, unexpired subscription holding this (hashed) confirmation token. */
export async function findPendingConfirmation(db: Executor, tokenHash: string): Promise<SavedSearchRow | undefined> {
  return db
    .selectFrom('saved_searches')
    .selectAll()
    .where('confirm_token_hash', '=', tokenHash)
    .where('confirmed_at', 'is', null)
    .where('confirm_expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Confirms the subscription holding this (hashed) token if it has not expired: the token is used
 * up and the watermark starts now. Returns the subscription, or undefined when the token is
 * unknown, used or expired.
 */
export async function confirmSubscriptionRow(db: Executor, tokenHash: string): Promise<SavedSearchRow | undefined> {
  return db
    .updateTable('saved_searches')
    .set({
      confirmed_at: sql<Date>`now()`,
      confirm_token_hash: null,
      confirm_expires_at: null,
      alert_watermark: sql<Date>`now()`,
      alert_checked_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('confirm_token_hash', '=', tokenHash)
    .where('confirmed_at', 'is', null)
    .where('confirm_expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

export async function findByUnsubscribeToken(db: Executor, token: string): Promise<SavedSearchRow | undefined> {
  return db.selectFrom('saved_searches').selectAll().where('unsubscribe_token', '=', token).executeTakeFirst();
}

/** Unsubscribes: a reader's subscription is deleted (nothing of the address remains), a person's alert is switched off. */
export async function unsubscribeRow(db: Executor, token: string): Promise<SavedSearchRow | undefined> {
  const row = await db.deleteFrom('saved_searches').where('unsubscribe_token', '=', token).where('email', 'is not', null).returningAll().executeTakeFirst();
  if (row) return row;
  return db
    .updateTable('saved_searches')
    .set({ frequency: 'none', updated_at: sql<Date>`now()` })
    .where('unsubscribe_token', '=', token)
    .where('user_id', 'is not', null)
    .returningAll()
    .executeTakeFirst();
}

/** Forgets subscriptions whose confirmation expired unused; returns how many. */
export async function deleteExpiredSubscriptions(db: Executor): Promise<number> {
  const r = await db
    .deleteFrom('saved_searches')
    .where('confirmed_at', 'is', null)
    .where('email', 'is not', null)
    .where('confirm_expires_at', '<=', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

// --- digests --------------------------------------------------------------------------------

export type DueAlert = SavedSearchRow & { user_email: string | null; user_language: string | null; user_active: boolean | null };

/**
 * Claims one alert whose digest is due (daily or weekly since it was last checked; confirmed
 * subscriptions and active accounts only), locking its row for the caller's transaction and
 * skipping rows another sender holds, so two senders never process the same alert.
 */
export async function claimDueAlert(db: Executor, skip: string[]): Promise<DueAlert | undefined> {
  const r = await sql<DueAlert>`
    select s.*, u.email as user_email, u.preferred_language as user_language, u.active as user_active
      from saved_searches s left join users u on u.id = s.user_id
     where s.frequency <> 'none'
       and (s.user_id is not null or s.confirmed_at is not null)
       and coalesce(s.alert_checked_at, s.created_at) <= now() - case s.frequency when 'daily' then interval '1 day' else interval '7 days' end
       and not (s.id = any(${skip}::text[]))
     order by s.alert_checked_at nulls first, s.id
     limit 1
       for update of s skip locked`.execute(db);
  return r.rows[0];
}

/** Records a digest run: the watermark moves to the end of the window it covered. */
export async function advanceAlert(db: Executor, id: string, o: { watermark: Date; sent: boolean }): Promise<void> {
  await db
    .updateTable('saved_searches')
    .set({ alert_watermark: o.watermark, alert_checked_at: sql<Date>`now()`, ...(o.sent ? { alert_sent_at: sql<Date>`now()` } : {}) })
    .where('id', '=', id)
    .execute();
}
