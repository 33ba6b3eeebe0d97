import { findOrganization } from '../../db/queries/organizations.ts';
import type { TokenScope, UserActor } from '../actor.ts';
import type { DomainContext } from '../context.ts';
import { authorize } from '../policies.ts';
import type { ApiToken, SessionInfo } from './identity-schemas.ts';
import { listMySessions } from './sessions.ts';
import { grantableScopes, listApiTokens } from './tokens.ts';
import { getCurrentUser, type Me } from './users.ts';

export type AccountOverview = {
  me: Me;
  organizations: { id: string; acronym: string; name: Record<string, string>; role: string }[];
  sessions: SessionInfo[];
  tokens: ApiToken[];
  /** The scopes this person may give a new token. */
  grantableScopes: TokenScope[];
};

/** Everything the account page shows: profile, memberships, open sessions and own API tokens. */
export async function getAccountOverview(ctx: DomainContext): Promise<AccountOverview> {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor as UserActor;
  const me = await getCurrentUser(ctx);
  const organizations = [];
  for (const m of me.user.memberships) {
    const org = await findOrganization(ctx.db.kysely, m.organizationId);
    if (org) organizations.push({ id: org.id, acronym: org.acronym, name: org.name as Record<string, string>, role: m.role });
  }
  return {
    me,
    organizations,
    sessions: await listMySessions(ctx),
    tokens: await listApiTokens(ctx, { userId: actor.userId }),
    grantableScopes: grantableScopes(actor),
  };
}
