import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** SQL for sessions and the sign-in throttle. Session ids are stored only as their sha256. */

export async function insertSession(
  db: Executor,
  values: { id_hash: string; user_id: string; expires_at: Date; user_agent: string | null; ip: string | null },
): Promise<void> {
  await db.insertInto('sessions').values(values).execute();
}

export async function findSession(db: Executor, idHash: string) {
  return db
    .selectFrom('sessions')
    .select(['id_hash', 'user_id', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'ip'])
    .where('id_hash', '=', idHash)
    .executeTakeFirst();
}

/** Slides the idle window, at most once a minute per session. */
export async function touchSession(db: Executor, idHash: string): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: sql`now()` })
    .where('id_hash', '=', idHash)
    .where('last_seen_at', '<', sql<Date>`now() - interval '1 minute'`)
    .execute();
}

export async function deleteSession(db: Executor, idHash: string): Promise<number> {
  const r = await db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Deletes a person's sessions, optionally keeping one (the one in use). */
export async function deleteUserSessions(db: Executor, userId: string, keepIdHash?: string): Promise<number> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash) q = q.where('id_hash', '<>', keepIdHash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function listUserSessions(db: Executor, userId: string, idleMinutes: number) {
  return db
    .selectFrom('sessions')
    .select(['id_hash', 'created_at', 'last_seen_at', 'expires_at', 'user_agent', 'ip'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', sql<Date>`now()`)
    .where('last_seen_at', '>', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Removes sessions past their absolute or idle expiry (housekeeping; lookups check expiry anyway). */
export async function deleteExpiredSessions(db: Executor, idleMinutes: number): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where((eb) =>
      eb.or([eb('expires_at', '<=', sql<Date>`now()`), eb('last_seen_at', '<=', sql<Date>`now() - make_interval(mins => ${idleMinutes})`)]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export type ThrottleState = { failures: number; windowStart: Date; lockedUntil: Date | null };

export async function readThrottle(db: Executor, keys: string[]) {
  if (keys.length === 0) return [];
  return db.selectFrom('sign_in_throttle').select(['key', 'failures', 'window_start', 'locked_until']).where('key', 'in', keys).execute();
}

/**
 * Counts one failed attempt for a key: a new window starts when the old one is older than
 * `windowMinutes`; reaching `limit` failures locks the key for `lockMinutes`.
 */
export async function recordThrottleFailure(db: Executor, key: string, limit: number, windowMinutes: number, lockMinutes: number) {
  const result = await sql<{ failures: number; locked_until: Date | null }>`
    insert into sign_in_throttle as t (key, failures, window_start, locked_until)
    values (${key}, 1, now(), case when 1 >= ${limit} then now() + make_interval(mins => ${lockMinutes}) end)
    on conflict (key) do update set
      failures = case when t.window_start < now() - make_interval(mins => ${windowMinutes}) then 1 else t.failures + 1 end,
      window_start = case when t.window_start < now() - make_interval(mins => ${windowMinutes}) then now() else t.window_start end,
      locked_until = case
        when (case when t.window_start < now() - make_interval(mins => ${windowMinutes}) then 1 else t.failures + 1 end) >= ${limit}
          then now() + make_interval(mins => ${lockMinutes})
        else t.locked_until end
    returning failures, locked_until`.execute(db);
  return result.rows[0];
}

export async function clearThrottle(db: Executor, key: string): Promise<void> {
  await db.deleteFrom('sign_in_throttle').where('key', '=', key).execute();
}

/** Forgets counters whose window and lock are long over (housekeeping at sign-in). */
export async function pruneThrottle(db: Executor): Promise<void> {
  await db
    .deleteFrom('sign_in_throttle')
    .where('window_start', '<', sql<Date>`now() - interval '1 day'`)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', sql<Date>`now()`)]))
    .execute();
}
