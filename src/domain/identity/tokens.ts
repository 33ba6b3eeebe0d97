import { createHash, randomBytes } from 'node:crypto';
import { withTransaction, type Db } from '../../db/database.ts';
import { findTokenByHash, findTokenById, insertToken, listTokenRows, revokeTokenRow, touchTokenUse, type ApiTokenRow } from '../../db/queries/tokens.ts';
import { newId } from '../../lib/ids.ts';
import { TOKEN_SCOPES, type TokenActor, type TokenScope, type UserActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, forbidden, notFound } from '../errors.ts';
import { authorize, can } from '../policies.ts';
import { apiTokenInputSchema, apiTokenListQuerySchema, type ApiToken, type ApiTokenInput, type ApiTokenListQuery } from './identity-schemas.ts';
import { loadUserActor } from './users.ts';

const PREFIX_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
/** `icat_` + 8-character public prefix + `_` + 43-character secret. */
const TOKEN_PATTERN = /^icat_([0-9a-z]{8})_([A-Za-z0-9_-]{43})$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newTokenSecret(): { token: string; prefix: string } {
  let prefix = '';
  for (const b of randomBytes(8)) prefix += PREFIX_ALPHABET[b % 32];
  return { token: `icat_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

function toApiToken(row: ApiTokenRow, now = new Date()): ApiToken {
  const expired = row.expires_at !== null && new Date(row.expires_at) <= now;
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    userId: row.user_id,
    userEmail: row.user_email,
    organizationId: row.organization_id,
    scopes: row.scopes.filter((s): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s)),
    createdAt: iso(row.created_at)!,
    expiresAt: iso(row.expires_at),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
    status: row.revoked_at ? 'revoked' : expired ? 'expired' : 'active',
  };
}

/** The scopes a person may hand to a token: never more than they can do themselves. */
export function grantableScopes(owner: UserActor): TokenScope[] {
  const scopes: TokenScope[] = ['read'];
  if (owner.platformRole === 'administrator' || owner.memberships.length > 0) scopes.push('write');
  if (owner.platformRole === 'administrator') scopes.push('admin');
  return scopes;
}

/**
 * Creates an API token for the signed-in person (or, for administrators and the CLI, for
 * `userId`). Scopes are limited to what the owner can do; the token may act for one of
 * their organizations and may expire. Returns the secret once: only its sha256 is kept.
 */
export async function createApiToken(ctx: DomainContext, raw: ApiTokenInput): Promise<{ token: ApiToken; secret: string }> {
  authorize(ctx.actor, 'token.manage');
  const input = apiTokenInputSchema.parse(raw);
  const actor = ctx.actor as UserActor;
  const ownerId = input.userId ?? actor.userId;
  if (ownerId !== actor.userId) authorize(actor, 'user.manage');
  if (ownerId === 'system') {
    throw new AppError('VALIDATION_FAILED', 'Say whose token this is.', { fields: [{ path: 'userId', message: 'Name the person the token belongs to.' }] });
  }
  const owner = await loadUserActor(ctx.db, ownerId);
  if (!owner) {
    throw new AppError('VALIDATION_FAILED', 'No active account has this id.', { fields: [{ path: 'userId', message: 'No active account has this id.' }] });
  }
  const allowed = grantableScopes(owner);
  const refused = input.scopes.filter((s) => !allowed.includes(s));
  if (refused.length > 0) {
    throw new AppError('FORBIDDEN', `A token cannot carry more rights than its owner: the "${refused.join('", "')}" scope is not available.`, {
      fields: [{ path: 'scopes', message: `Not available to this account: ${refused.join(', ')}.`, code: 'scope_not_allowed' }],
    });
  }
  const organizationId = input.organizationId ?? null;
  if (organizationId && owner.platformRole !== 'administrator' && !owner.memberships.some((m) => m.organizationId === organizationId)) {
    throw new AppError('FORBIDDEN', 'A token can act only for one of its owner’s organizations.', {
      fields: [{ path: 'organizationId', message: 'Choose one of the organizations the owner belongs to.' }],
    });
  }
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= new Date()) {
    throw new AppError('VALIDATION_FAILED', 'The expiry date is in the past.', { fields: [{ path: 'expiresAt', message: 'Choose a date in the future.' }] });
  }
  const { token: secret, prefix } = newTokenSecret();
  const id = newId('tok');
  try {
    return await withTransaction(ctx.db, async (tx) => {
      await insertToken(tx, {
        id,
        token_hash: hashToken(secret),
        prefix,
        name: input.name,
        user_id: owner.userId,
        organization_id: organizationId,
        scopes: input.scopes,
        expires_at: expiresAt,
      });
      const token = toApiToken((await findTokenById(tx, id))!);
      await recordAudit(tx, ctx, { action: 'token.create', recordType: 'api_token', recordId: id, organizationId, after: token });
      return { token, secret };
    });
  } catch (err) {
    if ((err as { code?: string }).code === '23503') {
      throw new AppError('VALIDATION_FAILED', 'No such organization.', { fields: [{ path: 'organizationId', message: 'No such organization.' }] });
    }
    throw err;
  }
}

/** Lists the signed-in person's tokens; administrators list everyone's (or one person's with `userId`). */
export async function listApiTokens(ctx: DomainContext, raw: ApiTokenListQuery = {}): Promise<ApiToken[]> {
  authorize(ctx.actor, 'token.manage');
  const query = apiTokenListQuerySchema.parse(raw);
  const actor = ctx.actor as UserActor;
  const admin = can(actor, 'user.manage');
  if (query.userId && query.userId !== actor.userId && !admin) throw forbidden('You can list only your own tokens.');
  const rows = await listTokenRows(ctx.db.kysely, {
    userId: admin ? query.userId : actor.userId,
    includeRevoked: query.includeRevoked === true,
  });
  const now = new Date();
  return rows.map((r) => toApiToken(r, now));
}

/** Revokes a token at once (its owner or an administrator). Revoking twice changes nothing. */
export async function revokeApiToken(ctx: DomainContext, id: string): Promise<ApiToken> {
  authorize(ctx.actor, 'token.manage');
  const actor = ctx.actor as UserActor;
  return withTransaction(ctx.db, async (tx) => {
    const before = await findTokenById(tx, id);
    // Someone else's token is "not found" to a non-administrator, so ids cannot be probed.
    if (!before || (before.user_id !== actor.userId && !can(actor, 'user.manage'))) throw notFound('The API token');
    if (before.revoked_at) return toApiToken(before);
    await revokeTokenRow(tx, id);
    const after = toApiToken((await findTokenById(tx, id))!);
    await recordAudit(tx, ctx, {
      action: 'token.revoke',
      recordType: 'api_token',
      recordId: id,
      organizationId: before.organization_id,
      before: toApiToken(before),
      after,
    });
    return after;
  });
}

/**
 * Resolves a bearer token to its actor: the owner's current rights, narrowed to the token's
 * organization (if any), with the token's scopes. A malformed, unknown, revoked or expired
 * token, or one whose owner is inactive, is refused with UNAUTHENTICATED.
 */
export async function authenticateApiToken(db: Db, presented: string): Promise<TokenActor> {
  const refuse = (why: string) => new AppError('UNAUTHENTICATED', `The API token ${why}.`);
  if (!TOKEN_PATTERN.test(presented)) throw refuse('is not in the expected form icat_<prefix>_<secret>');
  const row = await findTokenByHash(db.kysely, hashToken(presented));
  if (!row) throw refuse('is not valid');
  if (row.revoked_at) throw refuse('was revoked');
  if (row.expires_at && new Date(row.expires_at) <= new Date()) throw refuse('has expired');
  const owner = await loadUserActor(db, row.user_id);
  if (!owner) throw refuse('belongs to an account that is no longer active');
  await touchTokenUse(db.kysely, row.id);
  const token = toApiToken(row);
  return {
    kind: 'token',
    tokenId: row.id,
    userId: owner.userId,
    name: owner.name,
    email: owner.email,
    language: owner.language,
    platformRole: owner.platformRole,
    memberships: row.organization_id ? owner.memberships.filter((m) => m.organizationId === row.organization_id) : owner.memberships,
    scopes: token.scopes,
    organizationId: row.organization_id,
  };
}
