import { createHash } from 'node:crypto';
import type { Config } from '../../config/config.ts';
import { withTransaction, type Db, type Executor } from '../../db/database.ts';
import {
  clearThrottle,
  deleteExpiredSessions,
  deleteSession,
  deleteUserSessions,
  findSession,
  insertSession,
  listUserSessions,
  pruneThrottle,
  readThrottle,
  recordThrottleFailure,
  touchSession,
} from '../../db/queries/sessions.ts';
import { findUserByEmail, touchLastSignIn } from '../../db/queries/users.ts';
import { newSecret } from '../../lib/ids.ts';
import { anonymous, type UserActor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { authorize } from '../policies.ts';
import { signInSchema, type SessionInfo, type SignInInput } from './identity-schemas.ts';
import { dummyVerify, verifyPassword } from './passwords.ts';
import { loadUserActor } from './users.ts';

/** Failed sign-ins allowed per e-mail address, and per client address, within the window. */
export const SIGN_IN_LIMITS = { perEmail: 5, perIp: 50, windowMinutes: 15, lockMinutes: 15 } as const;

export type SessionMeta = { userAgent?: string | null; ip?: string | null };
export type StartedSession = { secret: string; expiresAt: Date; actor: UserActor };

/** Sessions are looked up by the sha256 of the cookie value, so a database leak yields no usable session. */
export function hashSessionSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

const emailKey = (email: string) => `email:${email.trim().toLowerCase()}`;
const ipKey = (ip: string) => `ip:${ip}`;

/** Creates a session row in the caller's transaction and returns the secret for the cookie. */
export async function startSession(tx: Executor, config: Config, userId: string, meta: SessionMeta): Promise<{ secret: string; idHash: string; expiresAt: Date }> {
  const secret = newSecret(32);
  const idHash = hashSessionSecret(secret);
  const expiresAt = new Date(Date.now() + config.SESSION_ABSOLUTE_HOURS * 3600_000);
  await insertSession(tx, {
    id_hash: idHash,
    user_id: userId,
    expires_at: expiresAt,
    user_agent: meta.userAgent?.slice(0, 500) ?? null,
    ip: meta.ip ?? null,
  });
  return { secret, idHash, expiresAt };
}

async function lockedFor(db: Executor, keys: string[]): Promise<number> {
  const now = Date.now();
  let seconds = 0;
  for (const row of await readThrottle(db, keys)) {
    if (row.locked_until && new Date(row.locked_until).getTime() > now) {
      seconds = Math.max(seconds, Math.ceil((new Date(row.locked_until).getTime() - now) / 1000));
    }
  }
  return seconds;
}

const rateLimited = (seconds: number) =>
  new AppError('RATE_LIMITED', `Too many failed sign-in attempts. Try again in ${Math.ceil(seconds / 60)} minute(s), or reset your password.`, {
    retryAfterSeconds: seconds,
  });

/**
 * Signs a person in with e-mail and password and starts a new session (the previous one,
 * if the browser had one, is destroyed: the session id rotates at sign-in). Five failures
 * for an e-mail address within 15 minutes, or fifty from one client address, lock further
 * attempts for 15 minutes (RATE_LIMITED); a success clears the e-mail's counter. Both
 * outcomes are audited, never with the password.
 */
export async function signIn(ctx: DomainContext, raw: SignInInput, opts: { previousSessionSecret?: string; userAgent?: string | null } = {}): Promise<StartedSession> {
  const input = signInSchema.parse(raw);
  const keys = [emailKey(input.email), ...(ctx.ip ? [ipKey(ctx.ip)] : [])];
  const locked = await lockedFor(ctx.db.kysely, keys);
  if (locked > 0) {
    await withTransaction(ctx.db, (tx) =>
      recordAudit(tx, { ...ctx, actor: anonymous }, { action: 'session.sign_in_refused', recordType: 'sign_in', recordId: input.email.slice(0, 254), after: { reason: 'locked' } }),
    );
    throw rateLimited(locked);
  }

  const user = await findUserByEmail(ctx.db.kysely, input.email);
  const ok = user?.password_hash ? await verifyPassword(user.password_hash, input.password) : await dummyVerify(input.password);
  const actor = ok && user?.active ? await loadUserActor(ctx.db, user.id) : undefined;

  if (!actor) {
    const lockSeconds = await withTransaction(ctx.db, async (tx) => {
      const byEmail = await recordThrottleFailure(tx, keys[0]!, SIGN_IN_LIMITS.perEmail, SIGN_IN_LIMITS.windowMinutes, SIGN_IN_LIMITS.lockMinutes);
      const byIp = ctx.ip ? await recordThrottleFailure(tx, ipKey(ctx.ip), SIGN_IN_LIMITS.perIp, SIGN_IN_LIMITS.windowMinutes, SIGN_IN_LIMITS.lockMinutes) : undefined;
      await recordAudit(tx, { ...ctx, actor: anonymous }, {
        action: 'session.sign_in_failed',
        recordType: user ? 'user' : 'sign_in',
        recordId: user ? user.id : input.email.slice(0, 254),
        after: { reason: !user ? 'unknown_email' : !user.active ? 'inactive' : user.password_hash ? 'wrong_password' : 'no_password', failures: byEmail?.failures ?? null },
      });
      return Math.max(
        ...[byEmail, byIp].map((r) => (r?.locked_until ? Math.ceil((new Date(r.locked_until).getTime() - Date.now()) / 1000) : 0)),
      );
    });
    if (lockSeconds > 0) throw rateLimited(lockSeconds);
    throw new AppError('UNAUTHENTICATED', 'The e-mail address or the password is not right.', {
      fields: [{ path: 'password', message: 'The e-mail address or the password is not right.', code: 'invalid_credentials' }],
    });
  }

  return withTransaction(ctx.db, async (tx) => {
    if (opts.previousSessionSecret) await deleteSession(tx, hashSessionSecret(opts.previousSessionSecret));
    await clearThrottle(tx, keys[0]!);
    // Housekeeping rides along with sign-ins: expired sessions and stale counters go.
    await deleteExpiredSessions(tx, ctx.config.SESSION_IDLE_MINUTES);
    await pruneThrottle(tx);
    const session = await startSession(tx, ctx.config, actor.userId, { userAgent: opts.userAgent, ip: ctx.ip });
    await touchLastSignIn(tx, actor.userId);
    const signedIn: UserActor = { ...actor, sessionId: session.idHash };
    await recordAudit(tx, { ...ctx, actor: signedIn }, { action: 'session.sign_in', recordType: 'user', recordId: actor.userId });
    return { secret: session.secret, expiresAt: session.expiresAt, actor: signedIn };
  });
}

/**
 * Resolves a session cookie to the signed-in person, or undefined when the session is
 * unknown, past its idle or absolute expiry, or the account is inactive (the row is then
 * removed). Slides the idle window, writing at most once a minute.
 */
export async function resolveSession(db: Db, config: Config, secret: string): Promise<UserActor | undefined> {
  if (!secret || secret.length > 200) return undefined;
  const idHash = hashSessionSecret(secret);
  const row = await findSession(db.kysely, idHash);
  if (!row) return undefined;
  const now = Date.now();
  const idleLimit = new Date(row.last_seen_at).getTime() + config.SESSION_IDLE_MINUTES * 60_000;
  if (new Date(row.expires_at).getTime() <= now || idleLimit <= now) {
    await deleteSession(db.kysely, idHash);
    return undefined;
  }
  const actor = await loadUserActor(db, row.user_id, idHash);
  if (!actor) {
    await deleteSession(db.kysely, idHash);
    return undefined;
  }
  await touchSession(db.kysely, idHash);
  return actor;
}

/** Ends the session whose cookie value is given (signing out). Audited when a session ended. */
export async function signOut(ctx: DomainContext, secret: string | undefined): Promise<void> {
  if (!secret) return;
  await withTransaction(ctx.db, async (tx) => {
    const ended = await deleteSession(tx, hashSessionSecret(secret));
    if (ended > 0 && ctx.actor.kind === 'user') {
      await recordAudit(tx, ctx, { action: 'session.sign_out', recordType: 'user', recordId: ctx.actor.userId });
    }
  });
}

/** Ends every session of the signed-in person, on every device, including this one. Returns how many ended. */
export async function signOutEverywhere(ctx: DomainContext): Promise<number> {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor as UserActor;
  return withTransaction(ctx.db, async (tx) => {
    const ended = await deleteUserSessions(tx, actor.userId);
    await recordAudit(tx, ctx, { action: 'session.sign_out_everywhere', recordType: 'user', recordId: actor.userId, after: { sessionsEnded: ended } });
    return ended;
  });
}

/** The signed-in person's open sessions, most recently used first, marking the current one. */
export async function listMySessions(ctx: DomainContext): Promise<SessionInfo[]> {
  authorize(ctx.actor, 'account.manage');
  const actor = ctx.actor as UserActor;
  const rows = await listUserSessions(ctx.db.kysely, actor.userId, ctx.config.SESSION_IDLE_MINUTES);
  return rows.map((r) => ({
    id: r.id_hash.slice(0, 12),
    createdAt: new Date(r.created_at).toISOString(),
    lastSeenAt: new Date(r.last_seen_at).toISOString(),
    expiresAt: new Date(r.expires_at).toISOString(),
    userAgent: r.user_agent,
    ip: r.ip,
    current: r.id_hash === actor.sessionId,
  }));
}
