import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** SQL for API tokens; only the sha256 of a token is ever stored. */
const tokenColumns = [
  'api_tokens.id',
  'api_tokens.token_hash',
  'api_tokens.prefix',
  'api_tokens.name',
  'api_tokens.user_id',
  'api_tokens.organization_id',
  'api_tokens.scopes',
  'api_tokens.created_at',
  'api_tokens.expires_at',
  'api_tokens.last_used_at',
  'api_tokens.revoked_at',
  'users.email as user_email',
] as const;

function base(db: Executor) {
  return db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').select(tokenColumns);
}

export async function findTokenById(db: Executor, id: string) {
  return base(db).where('api_tokens.id', '=', id).executeTakeFirst();
}

export type ApiTokenRow = NonNullable<Awaited<ReturnType<typeof findTokenById>>>;

export async function findTokenByHash(db: Executor, hash: string) {
  return base(db).where('api_tokens.token_hash', '=', hash).executeTakeFirst();
}

export async function insertToken(
  db: Executor,
  values: { id: string; token_hash: string; prefix: string; name: string; user_id: string; organization_id: string | null; scopes: string[]; expires_at: Date | null },
): Promise<void> {
  await db
    .insertInto('api_tokens')
    .values({ ...values, last_used_at: null, revoked_at: null })
    .execute();
}

export async function listTokenRows(db: Executor, q: { userId?: string; includeRevoked?: boolean }) {
  let query = base(db);
  if (q.userId) query = query.where('api_tokens.user_id', '=', q.userId);
  if (!q.includeRevoked) query = query.where('api_tokens.revoked_at', 'is', null);
  return query.orderBy('api_tokens.created_at', 'desc').orderBy('api_tokens.id', 'desc').limit(1000).execute();
}

export async function revokeTokenRow(db: Executor, id: string): Promise<void> {
  await db.updateTable('api_tokens').set({ revoked_at: new Date() }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Records use, at most once a minute per token so a busy integration does not write on every call. */
export async function touchTokenUse(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]))
    .execute();
}
