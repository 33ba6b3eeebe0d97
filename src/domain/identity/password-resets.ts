import { withTransaction } from '../../db/database.ts';
import { enqueueMail } from '../../db/queries/mail.ts';
import {
  countRecentResets,
  findUsableReset,
  insertPasswordReset,
  markResetUsed,
  retireUserResets,
} from '../../db/queries/password-resets.ts';
import { clearThrottle, deleteUserSessions } from '../../db/queries/sessions.ts';
import { findUserByEmail, findUserById, updateUserRow } from '../../db/queries/users.ts';
import { newSecret } from '../../lib/ids.ts';
import { anonymous } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { passwordResetRequestSchema, passwordResetSchema } from './identity-schemas.ts';
import { passwordResetMail } from './identity-mail.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { hashSessionSecret } from './sessions.ts';

export const RESET_LINK_MINUTES = 60;
/** At most this many links per account per hour, so the form cannot be used to flood a mailbox. */
const MAX_LINKS_PER_HOUR = 3;

const invalidLink = () =>
  new AppError('NOT_FOUND', 'This password-reset link is not valid: it has expired or was already used. Ask for a new one.');

/**
 * Sends a password-reset link (valid one hour, single use) to an active account with this
 * e-mail address. Answers the same way whether or not the address has an account.
 */
export async function requestPasswordReset(ctx: DomainContext, raw: { email: string }): Promise<void> {
  const { email } = passwordResetRequestSchema.parse(raw);
  const user = await findUserByEmail(ctx.db.kysely, email);
  if (!user || !user.active) return;
  await withTransaction(ctx.db, async (tx) => {
    if ((await countRecentResets(tx, user.id, new Date(Date.now() - 3600_000))) >= MAX_LINKS_PER_HOUR) return;
    const token = newSecret(32);
    await insertPasswordReset(tx, { token_hash: hashSessionSecret(token), user_id: user.id, expires_at: new Date(Date.now() + RESET_LINK_MINUTES * 60_000) });
    await enqueueMail(tx, passwordResetMail(ctx.config, { email: user.email, name: user.name, language: user.preferred_language }, token));
    await recordAudit(tx, { ...ctx, actor: anonymous }, { action: 'user.password.reset_requested', recordType: 'user', recordId: user.id });
  });
}

/** Whether a reset link can still be used (for showing the form or an "expired" message). */
export async function isPasswordResetUsable(ctx: DomainContext, token: string): Promise<boolean> {
  if (!token || token.length > 200) return false;
  return (await findUsableReset(ctx.db.kysely, hashSessionSecret(token))) !== undefined;
}

/**
 * Sets a new password with a reset link: the link is used up (with any other outstanding
 * link), every session of the account ends, and its sign-in lockout is lifted.
 */
export async function resetPassword(ctx: DomainContext, token: string, raw: { password: string }): Promise<void> {
  const { password } = passwordResetSchema.parse(raw);
  if (!token || token.length > 200) throw invalidLink();
  const tokenHash = hashSessionSecret(token);
  const reset = await findUsableReset(ctx.db.kysely, tokenHash);
  if (!reset) throw invalidLink();
  const user = await findUserById(ctx.db.kysely, reset.user_id);
  if (!user || !user.active) throw invalidLink();
  checkPasswordPolicy(password, user.email);
  const hash = await hashPassword(password);
  await withTransaction(ctx.db, async (tx) => {
    if (!(await markResetUsed(tx, tokenHash))) throw invalidLink();
    await retireUserResets(tx, user.id);
    await updateUserRow(tx, user.id, undefined, { password_hash: hash });
    const ended = await deleteUserSessions(tx, user.id);
    await clearThrottle(tx, `email:${user.email.toLowerCase()}`);
    await recordAudit(tx, { ...ctx, actor: anonymous }, { action: 'user.password.reset', recordType: 'user', recordId: user.id, after: { sessionsEnded: ended } });
  });
}
