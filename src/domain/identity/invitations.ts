import { withTransaction } from '../../db/database.ts';
import { enqueueMail } from '../../db/queries/mail.ts';
import {
  findInvitationByHash,
  findInvitationById,
  insertInvitation,
  listInvitationRows,
  markInvitationAccepted,
  markInvitationRevoked,
  type InvitationRow,
} from '../../db/queries/invitations.ts';
import { findOrganization } from '../../db/queries/organizations.ts';
import { deleteSession } from '../../db/queries/sessions.ts';
import { findUserByEmail, insertUser, replaceMemberships } from '../../db/queries/users.ts';
import { newId, newSecret } from '../../lib/ids.ts';
import type { Membership, UserActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { pickText } from '../languages.ts';
import { authorize, can } from '../policies.ts';
import {
  acceptInvitationSchema,
  invitationInputSchema,
  invitationListQuerySchema,
  type AcceptInvitationInput,
  type Invitation,
  type InvitationInput,
  type InvitationListQuery,
  type User,
} from './identity-schemas.ts';
import { invitationMail } from './identity-mail.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { hashSessionSecret, startSession, type SessionMeta } from './sessions.ts';
import { toUser } from './users.ts';

export const INVITATION_DAYS = 7;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function statusOf(row: InvitationRow, now = Date.now()): Invitation['status'] {
  if (row.accepted_at) return 'accepted';
  if (row.revoked_at) return 'revoked';
  return new Date(row.expires_at).getTime() <= now ? 'expired' : 'pending';
}

function toInvitation(row: InvitationRow): Invitation {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    organizationId: row.organization_id,
    role: row.role,
    platformRole: row.platform_role,
    invitedBy: row.invited_by,
    status: statusOf(row),
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at)!,
    acceptedAt: iso(row.accepted_at),
    revokedAt: iso(row.revoked_at),
  };
}

const unusable = () => new AppError('NOT_FOUND', 'This invitation is not valid: it has expired, was withdrawn or was already accepted.');

/**
 * Invites a person by e-mail: administrators to any organization and role or to a platform
 * role; a focal point to their own organization as staff or focal point. The link is valid
 * seven days and goes out in the invitation's language. Audited as `invitation.create`.
 */
export async function createInvitation(ctx: DomainContext, raw: InvitationInput): Promise<Invitation> {
  const input = invitationInputSchema.parse(raw);
  const organizationId = input.organizationId ?? null;
  const platformRole = input.platformRole ?? null;
  authorize(ctx.actor, 'invitation.create', { organizationId, platformRole });
  const inviter = ctx.actor as UserActor;
  return withTransaction(ctx.db, async (tx) => {
    const org = organizationId ? await findOrganization(tx, organizationId) : undefined;
    if (organizationId && (!org || org.archived_at)) {
      throw new AppError('VALIDATION_FAILED', 'No such organization.', { fields: [{ path: 'organizationId', message: 'No such organization.' }] });
    }
    if (await findUserByEmail(tx, input.email)) {
      throw new AppError('CONFLICT', 'This person already has an account; change their memberships instead.', {
        fields: [{ path: 'email', message: 'This person already has an account.' }],
      });
    }
    const token = newSecret(32);
    const language = input.language ?? 'en';
    const row = await insertInvitation(tx, {
      id: newId('inv'),
      token_hash: hashSessionSecret(token),
      email: input.email,
      name: input.name ?? null,
      organization_id: org?.id ?? null,
      role: org ? (input.role ?? 'staff') : null,
      platform_role: platformRole,
      invited_by: inviter.userId === 'system' ? null : inviter.userId,
      expires_at: new Date(Date.now() + INVITATION_DAYS * 86_400_000),
    });
    await enqueueMail(
      tx,
      invitationMail(ctx.config, { email: input.email, name: input.name ?? null, language }, {
        token,
        inviter: inviter.name,
        organization: org ? `${pickText(org.name as Record<string, string>, language)} (${org.acronym})` : null,
        role: row.role,
        platformRole,
        days: INVITATION_DAYS,
      }),
    );
    const invitation = toInvitation(row);
    await recordAudit(tx, ctx, { action: 'invitation.create', recordType: 'invitation', recordId: row.id, organizationId: row.organization_id, after: invitation });
    return invitation;
  });
}

/** Lists invitations, newest first: administrators see all; a focal point those of their own organizations. */
export async function listInvitations(ctx: DomainContext, raw: InvitationListQuery = {}): Promise<Invitation[]> {
  authorize(ctx.actor, 'invitation.list');
  const query = invitationListQuerySchema.parse(raw);
  const a = ctx.actor;
  let organizationIds: string[] | undefined;
  if (!(a.kind !== 'anonymous' && a.platformRole === 'administrator')) {
    organizationIds = a.kind === 'anonymous' ? [] : a.memberships.filter((m) => m.role === 'focal_point').map((m) => m.organizationId);
  }
  if (query.organizationId) organizationIds = (organizationIds ?? [query.organizationId]).filter((id) => id === query.organizationId);
  const items = (await listInvitationRows(ctx.db.kysely, { organizationIds })).map(toInvitation);
  return query.status ? items.filter((i) => i.status === query.status) : items;
}

/** Withdraws a pending invitation (whoever could have sent it). Audited as `invitation.revoke`. */
export async function revokeInvitation(ctx: DomainContext, id: string): Promise<Invitation> {
  authorize(ctx.actor, 'invitation.list');
  return withTransaction(ctx.db, async (tx) => {
    const before = await findInvitationById(tx, id);
    // Another organization's invitation is "not found", so ids cannot be probed.
    if (!before || !can(ctx.actor, 'invitation.revoke', { organizationId: before.organization_id, platformRole: before.platform_role })) {
      throw notFound('The invitation');
    }
    if (before.accepted_at) throw new AppError('CONFLICT', 'This invitation was already accepted; deactivate the account instead.');
    if (before.revoked_at) return toInvitation(before);
    const row = await markInvitationRevoked(tx, id);
    if (!row) throw new AppError('CONFLICT', 'This invitation was accepted meanwhile.');
    const after = toInvitation(row);
    await recordAudit(tx, ctx, { action: 'invitation.revoke', recordType: 'invitation', recordId: id, organizationId: row.organization_id, before: toInvitation(before), after });
    return after;
  });
}

export type InvitationPreview = {
  email: string;
  name: string | null;
  organization: { id: string; acronym: string; name: Record<string, string> } | null;
  role: Invitation['role'];
  platformRole: Invitation['platformRole'];
  expiresAt: string;
};

/** What the invitation link offers, for the acceptance page; NOT_FOUND when it cannot be used. */
export async function previewInvitation(ctx: DomainContext, token: string): Promise<InvitationPreview> {
  if (!token || token.length > 200) throw unusable();
  const row = await findInvitationByHash(ctx.db.kysely, hashSessionSecret(token));
  if (!row || statusOf(row) !== 'pending') throw unusable();
  const org = row.organization_id ? await findOrganization(ctx.db.kysely, row.organization_id) : undefined;
  return {
    email: row.email,
    name: row.name,
    organization: org ? { id: org.id, acronym: org.acronym, name: org.name as Record<string, string> } : null,
    role: row.role,
    platformRole: row.platform_role,
    expiresAt: iso(row.expires_at)!,
  };
}

/**
 * Accepts an invitation: creates the account with the chosen name and password and the
 * invited membership or role, and signs the person in (a new session). Single use.
 */
export async function acceptInvitation(
  ctx: DomainContext,
  token: string,
  raw: AcceptInvitationInput,
  meta: SessionMeta & { language?: string; previousSessionSecret?: string } = {},
): Promise<{ user: User; session: { secret: string; expiresAt: Date } }> {
  const input = acceptInvitationSchema.parse(raw);
  if (!token || token.length > 200) throw unusable();
  const row = await findInvitationByHash(ctx.db.kysely, hashSessionSecret(token));
  if (!row || statusOf(row) !== 'pending') throw unusable();
  checkPasswordPolicy(input.password, row.email);
  const hash = await hashPassword(input.password);
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const accepted = await markInvitationAccepted(tx, row.id);
      if (!accepted) throw unusable();
      const userId = newId('usr');
      const userRow = await insertUser(tx, {
        id: userId,
        email: row.email,
        name: input.name,
        preferred_language: meta.language ?? 'en',
        password_hash: hash,
        platform_role: row.platform_role,
      });
      const memberships: Membership[] = row.organization_id && row.role ? [{ organizationId: row.organization_id, role: row.role }] : [];
      await replaceMemberships(tx, userId, memberships);
      const user = toUser(userRow, memberships);
      const actor: UserActor = {
        kind: 'user',
        userId,
        name: user.name,
        email: user.email,
        language: user.preferredLanguage,
        platformRole: user.platformRole,
        memberships,
      };
      const audit = { ...ctx, actor };
      await recordAudit(tx, audit, { action: 'invitation.accept', recordType: 'invitation', recordId: row.id, organizationId: row.organization_id, before: toInvitation(row), after: toInvitation(accepted) });
      await recordAudit(tx, audit, { action: 'user.create', recordType: 'user', recordId: userId, after: user });
      // The browser's previous session, if any, ends: the session id rotates at sign-in.
      if (meta.previousSessionSecret) await deleteSession(tx, hashSessionSecret(meta.previousSessionSecret));
      const session = await startSession(tx, ctx.config, userId, { userAgent: meta.userAgent, ip: ctx.ip });
      await recordAudit(tx, audit, { action: 'session.sign_in', recordType: 'user', recordId: userId });
      return { user, session: { secret: session.secret, expiresAt: session.expiresAt } };
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new AppError('CONFLICT', 'An account with this e-mail address already exists. Sign in or reset your password instead.');
    }
    throw err;
  }
}
