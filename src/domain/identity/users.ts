import { withTransaction, type Db, type Executor } from '../../db/database.ts';
import { deleteUserSessions } from '../../db/queries/sessions.ts';
import {
  existingOrganizationIds,
  findUserById,
  insertUser,
  listMembershipRows,
  listUserRows,
  replaceMemberships,
  updateUserRow,
  type UserRow,
} from '../../db/queries/users.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { newId } from '../../lib/ids.ts';
import type { Membership, TokenScope, UserActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound, unauthenticated } from '../errors.ts';
import { authorize, can, globalAbilities } from '../policies.ts';
import {
  changePasswordSchema,
  membershipsSchema,
  userInputSchema,
  userListQuerySchema,
  userPatchSchema,
  type ChangePasswordInput,
  type MembershipInput,
  type User,
  type UserInput,
  type UserListQuery,
  type UserPatch,
} from './identity-schemas.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** The public shape of a user: never the password hash. */
export function toUser(row: UserRow, memberships: Membership[]): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    preferredLanguage: row.preferred_language,
    platformRole: row.platform_role,
    active: row.active,
    hasPassword: row.password_hash !== null,
    memberships,
    lastSignInAt: iso(row.last_sign_in_at),
    version: row.version,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

async function membershipsOf(db: Executor, userIds: string[]): Promise<Map<string, Membership[]>> {
  const out = new Map<string, Membership[]>();
  for (const r of await listMembershipRows(db, userIds)) {
    out.set(r.user_id, [...(out.get(r.user_id) ?? []), { organizationId: r.organization_id, role: r.role }]);
  }
  return out;
}

async function loadUser(db: Executor, id: string): Promise<User | undefined> {
  const row = await findUserById(db, id);
  if (!row) return undefined;
  return toUser(row, (await membershipsOf(db, [id])).get(id) ?? []);
}

/** Checks that memberships name distinct, existing organizations; errors name `memberships.N.organizationId`. */
async function checkMemberships(db: Executor, memberships: MembershipInput[], prefix = 'memberships'): Promise<void> {
  const seen = new Set<string>();
  const known = await existingOrganizationIds(
    db,
    memberships.map((m) => m.organizationId),
  );
  const fields = memberships.flatMap((m, i) => {
    if (seen.has(m.organizationId)) return [{ path: `${prefix}.${i}.organizationId`, message: 'This organization is listed twice.' }];
    seen.add(m.organizationId);
    return known.has(m.organizationId) ? [] : [{ path: `${prefix}.${i}.organizationId`, message: 'No such organization.' }];
  });
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', 'Some memberships are not valid.', { fields });
}

function duplicateEmail(err: unknown): AppError | undefined {
  if ((err as { code?: string }).code !== '23505') return undefined;
  return new AppError('CONFLICT', 'Another account already uses this e-mail address.', {
    fields: [{ path: 'email', message: 'Another account already uses this e-mail address.' }],
  });
}

/**
 * Creates an account (administrators; also the CLI and seeds with systemActor), with
 * optional password, platform role and memberships. Audited as `user.create`.
 */
export async function createUser(ctx: DomainContext, raw: UserInput): Promise<User> {
  authorize(ctx.actor, 'user.create');
  const input = userInputSchema.parse(raw);
  if (input.password !== undefined) checkPasswordPolicy(input.password, input.email);
  const passwordHash = input.password !== undefined ? await hashPassword(input.password) : null;
  const id = newId('usr');
  try {
    return await withTransaction(ctx.db, async (tx) => {
      await checkMemberships(tx, input.memberships ?? []);
      const row = await insertUser(tx, {
        id,
        email: input.email,
        name: input.name,
        preferred_language: input.preferredLanguage ?? 'en',
        password_hash: passwordHash,
        platform_role: input.platformRole ?? null,
      });
      await replaceMemberships(tx, id, input.memberships ?? []);
      const user = toUser(row, input.memberships ?? []);
      await recordAudit(tx, ctx, { action: 'user.create', recordType: 'user', recordId: id, after: user });
      return user;
    });
  } catch (err) {
    throw duplicateEmail(err) ?? err;
  }
}

/** Lists accounts by e-mail (coordinators and administrators; a member may list their own organization's people). */
export async function listUsers(ctx: DomainContext, raw: UserListQuery = {}): Promise<{ items: User[]; nextCursor: string | null }> {
  const query = userListQuerySchema.parse(raw);
  if (!(query.organizationId && can(ctx.actor, 'organization.members.read', { id: query.organizationId }))) {
    authorize(ctx.actor, 'user.list');
  }
  const after = query.cursor ? (decodeCursor(query.cursor, 2) as [string, string]) : undefined;
  const rows = await listUserRows(ctx.db.kysely, {
    text: query.q,
    organizationId: query.organizationId,
    includeInactive: query.includeInactive === true && can(ctx.actor, 'user.list'),
    after,
    limit: query.limit,
  });
  const page = rows.slice(0, query.limit);
  const ms = await membershipsOf(
    ctx.db.kysely,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) => toUser(r, ms.get(r.id) ?? [])),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.email.toLowerCase(), last.id]) : null,
  };
}

/** Reads one account: coordinators and administrators, or the person themself. */
export async function getUser(ctx: DomainContext, id: string): Promise<User> {
  authorize(ctx.actor, 'user.read', { id });
  const user = await loadUser(ctx.db.kysely, id);
  if (!user) throw notFound('The user');
  return user;
}

export type Me = {
  kind: 'user' | 'token';
  user: User;
  token: { id: string; scopes: TokenScope[]; organizationId: string | null } | null;
  abilities: Record<string, boolean>;
};

/** The signed-in person (or the token's owner) with their memberships and abilities. */
export async function getCurrentUser(ctx: DomainContext): Promise<Me> {
  const a = ctx.actor;
  if (a.kind === 'anonymous') throw unauthenticated();
  const user = await loadUser(ctx.db.kysely, a.userId);
  if (!user) throw unauthenticated();
  return {
    kind: a.kind,
    // A token acting for one organization sees only that membership.
    user: { ...user, memberships: a.memberships },
    token: a.kind === 'token' ? { id: a.tokenId, scopes: a.scopes, organizationId: a.organizationId ?? null } : null,
    abilities: globalAbilities(a),
  };
}

/**
 * Changes an account. A person changes their own name and language; administrators also
 * the platform role and the active flag. A stale `version` is refused with VERSION_CONFLICT.
 * Deactivating an account ends its sessions.
 */
export async function updateUser(ctx: DomainContext, id: string, raw: UserPatch): Promise<User> {
  const patch = userPatchSchema.parse(raw);
  authorize(ctx.actor, 'user.update', { id });
  const privileged = patch.platformRole !== undefined || patch.active !== undefined;
  if (privileged) authorize(ctx.actor, 'user.manage');
  if (ctx.actor.kind !== 'anonymous' && ctx.actor.userId === id && (patch.active === false || (patch.platformRole !== undefined && patch.platformRole !== ctx.actor.platformRole))) {
    throw new AppError('CONFLICT', 'You cannot change your own role or deactivate your own account; ask another administrator.');
  }
  return withTransaction(ctx.db, async (tx) => {
    const before = await loadUser(tx, id);
    if (!before) throw notFound('The user');
    const row = await updateUserRow(tx, id, patch.version, {
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.preferredLanguage !== undefined && { preferred_language: patch.preferredLanguage }),
      ...(patch.platformRole !== undefined && { platform_role: patch.platformRole }),
      ...(patch.active !== undefined && { active: patch.active }),
    });
    if (!row) {
      throw new AppError('VERSION_CONFLICT', 'Someone else changed this account since you opened it. Review the current version and apply your change again.', {
        current: before,
      });
    }
    if (patch.active === false) await deleteUserSessions(tx, id);
    const after = toUser(row, before.memberships);
    await recordAudit(tx, ctx, { action: 'user.update', recordType: 'user', recordId: id, before, after });
    return after;
  });
}

/** Replaces a person's organization memberships (administrators). Audited as `user.memberships`. */
export async function setMemberships(ctx: DomainContext, userId: string, raw: MembershipInput[]): Promise<User> {
  authorize(ctx.actor, 'user.manage');
  const memberships = membershipsSchema.parse(raw);
  return withTransaction(ctx.db, async (tx) => {
    const before = await loadUser(tx, userId);
    if (!before) throw notFound('The user');
    await checkMemberships(tx, memberships);
    await replaceMemberships(tx, userId, memberships);
    const row = await updateUserRow(tx, userId, undefined, {});
    const after = toUser(row!, (await membershipsOf(tx, [userId])).get(userId) ?? []);
    await recordAudit(tx, ctx, { action: 'user.memberships', recordType: 'user', recordId: userId, before, after });
    return after;
  });
}

/** Deactivates an account (administrators): it can no longer sign in, and its sessions end at once. */
export async function deactivateUser(ctx: DomainContext, userId: string): Promise<User> {
  authorize(ctx.actor, 'user.manage');
  if (ctx.actor.kind !== 'anonymous' && ctx.actor.userId === userId) {
    throw new AppError('CONFLICT', 'You cannot deactivate your own account; ask another administrator.');
  }
  return withTransaction(ctx.db, async (tx) => {
    const before = await loadUser(tx, userId);
    if (!before) throw notFound('The user');
    const row = await updateUserRow(tx, userId, undefined, { active: false });
    await deleteUserSessions(tx, userId);
    const after = toUser(row!, before.memberships);
    await recordAudit(tx, ctx, { action: 'user.deactivate', recordType: 'user', recordId: userId, before, after });
    return after;
  });
}

/**
 * Changes the signed-in person's password after checking the current one; every other
 * session of theirs ends. Audited as `user.password.change` (without either password).
 */
export async function changePassword(ctx: DomainContext, raw: ChangePasswordInput): Promise<void> {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor as UserActor;
  const input = changePasswordSchema.parse(raw);
  const row = await findUserById(ctx.db.kysely, actor.userId);
  if (!row) throw unauthenticated();
  if (!row.password_hash || !(await verifyPassword(row.password_hash, input.currentPassword))) {
    throw new AppError('VALIDATION_FAILED', 'The current password is not right.', {
      fields: [{ path: 'currentPassword', message: 'The current password is not right.', code: 'incorrect' }],
    });
  }
  checkPasswordPolicy(input.newPassword, row.email, 'newPassword');
  const hash = await hashPassword(input.newPassword);
  await withTransaction(ctx.db, async (tx) => {
    await updateUserRow(tx, actor.userId, undefined, { password_hash: hash });
    const ended = await deleteUserSessions(tx, actor.userId, actor.sessionId);
    await recordAudit(tx, ctx, { action: 'user.password.change', recordType: 'user', recordId: actor.userId, after: { otherSessionsEnded: ended } });
  });
}

/** Builds the actor for a signed-in person, with memberships; undefined for a missing or inactive account. */
export async function loadUserActor(db: Db | Executor, userId: string, sessionId?: string): Promise<UserActor | undefined> {
  const k = 'kysely' in db ? db.kysely : db;
  const row = await findUserById(k, userId);
  if (!row || !row.active) return undefined;
  return {
    kind: 'user',
    userId: row.id,
    name: row.name,
    email: row.email,
    language: row.preferred_language,
    platformRole: row.platform_role,
    memberships: (await membershipsOf(k, [row.id])).get(row.id) ?? [],
    ...(sessionId !== undefined && { sessionId }),
  };
}
