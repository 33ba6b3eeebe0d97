import { withTransaction } from '../../db/database.ts';
import { deleteUserSessions } from '../../db/queries/sessions.ts';
import { findUserById, updateUserRow } from '../../db/queries/users.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { authorize } from '../policies.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';

/**
 * Sets another person's password (administrators: the CLI's recovery path when no mail is
 * configured, and the demo seed when it is retried). Every session of theirs ends. Audited
 * as `user.password.set`, without the password.
 */
export async function setUserPassword(ctx: DomainContext, userId: string, input: { password: string }): Promise<void> {
  authorize(ctx.actor, 'user.manage');
  const row = await findUserById(ctx.db.kysely, userId);
  if (!row) throw notFound('The user');
  checkPasswordPolicy(input.password, row.email);
  const hash = await hashPassword(input.password);
  await withTransaction(ctx.db, async (tx) => {
    await updateUserRow(tx, userId, undefined, { password_hash: hash });
    const ended = await deleteUserSessions(tx, userId);
    await recordAudit(tx, ctx, { action: 'user.password.set', recordType: 'user', recordId: userId, after: { sessionsEnded: ended } });
  });
}
