import type { Executor } from '../database.ts';

/** SQL for invitations; only the sha256 of an invitation's token is stored. */
const invitationColumns = [
  'id',
  'email',
  'name',
  'organization_id',
  'role',
  'platform_role',
  'invited_by',
  'created_at',
  'expires_at',
  'accepted_at',
  'revoked_at',
] as const;

export type InvitationValues = {
  id: string;
  token_hash: string;
  email: string;
  name: string | null;
  organization_id: string | null;
  role: 'staff' | 'focal_point' | null;
  platform_role: 'coordinator' | 'administrator' | null;
  invited_by: string | null;
  expires_at: Date;
};

export async function insertInvitation(db: Executor, values: InvitationValues) {
  return db
    .insertInto('invitations')
    .values({ ...values, accepted_at: null, revoked_at: null })
    .returning(invitationColumns)
    .executeTakeFirstOrThrow();
}

export type InvitationRow = Awaited<ReturnType<typeof insertInvitation>>;

export async function findInvitationById(db: Executor, id: string) {
  return db.selectFrom('invitations').select(invitationColumns).where('id', '=', id).executeTakeFirst();
}

export async function findInvitationByHash(db: Executor, tokenHash: string) {
  return db.selectFrom('invitations').select(invitationColumns).where('token_hash', '=', tokenHash).executeTakeFirst();
}

export async function listInvitationRows(db: Executor, q: { organizationIds?: string[] }) {
  let query = db.selectFrom('invitations').select(invitationColumns);
  if (q.organizationIds) {
    if (q.organizationIds.length === 0) return [];
    query = query.where('organization_id', 'in', q.organizationIds);
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1000).execute();
}

export async function markInvitationRevoked(db: Executor, id: string) {
  return db
    .updateTable('invitations')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('accepted_at', 'is', null)
    .returning(invitationColumns)
    .executeTakeFirst();
}

/** Marks an invitation accepted; undefined when it was accepted or revoked meanwhile. */
export async function markInvitationAccepted(db: Executor, id: string) {
  return db
    .updateTable('invitations')
    .set({ accepted_at: new Date() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('accepted_at', 'is', null)
    .returning(invitationColumns)
    .executeTakeFirst();
}
