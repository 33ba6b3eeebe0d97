import { findUserByEmail } from '../../db/queries/users.ts';
import type { DomainContext } from '../context.ts';
import { authorize } from '../policies.ts';

/** The id of the account with exactly this e-mail address, active or not (coordinators and administrators). */
export async function findUserIdByEmail(ctx: DomainContext, email: string): Promise<string | undefined> {
  authorize(ctx.actor, 'user.list');
  return (await findUserByEmail(ctx.db.kysely, email))?.id;
}
