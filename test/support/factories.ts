import { randomBytes } from 'node:crypto';
import type { TokenScope, UserActor } from '../../src/domain/actor.ts';
import type { ApiToken, User } from '../../src/domain/identity/identity-schemas.ts';
import { createApiToken } from '../../src/domain/identity/tokens.ts';
import { createUser, loadUserActor } from '../../src/domain/identity/users.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import type { TestClient, TestEnv } from './app.ts';

/**
 * Test data made through the domain functions, like the seeds. Every factory makes its own
 * organization unless given one, so test files never depend on each other's rows.
 */
const unique = () => randomBytes(4).toString('hex');

export async function makeOrg(env: TestEnv, overrides: Partial<Parameters<typeof createOrganization>[1]> = {}): Promise<Organization> {
  const tag = unique();
  return createOrganization(env.ctx(), {
    kind: 'member',
    acronym: `T${tag}`.toUpperCase(),
    orgType: 'un_entity',
    name: { en: `Test organization ${tag}` },
    ...overrides,
  });
}

export type Role = 'staff' | 'focal_point' | 'coordinator' | 'administrator' | 'none';

export type TestUser = User & { password: string; actor: UserActor; org: Organization | null };

/**
 * Makes an active account with a known password. Staff and focal points belong to `org`
 * (a new organization when none is given); coordinators and administrators to none.
 */
export async function makeUser(
  env: TestEnv,
  opts: { role?: Role; org?: Organization; email?: string; name?: string; preferredLanguage?: 'en' | 'fr'; password?: string } = {},
): Promise<TestUser> {
  const role = opts.role ?? 'staff';
  const member = role === 'staff' || role === 'focal_point';
  const org = member ? (opts.org ?? (await makeOrg(env))) : (opts.org ?? null);
  const password = opts.password ?? `pw-${unique()}-${unique()}`;
  const tag = unique();
  const user = await createUser(env.ctx(), {
    email: opts.email ?? `${role}.${tag}@example.org`,
    name: opts.name ?? `Test ${role} ${tag}`,
    preferredLanguage: opts.preferredLanguage,
    password,
    platformRole: role === 'coordinator' || role === 'administrator' ? role : null,
    memberships: member && org ? [{ organizationId: org.id, role }] : [],
  });
  const actor = (await loadUserActor(env.db, user.id))!;
  return { ...user, password, actor, org };
}

/** Signs a person in through the sign-in form, so the client then holds their session cookie. */
export async function signIn(client: TestClient, user: { email: string; password: string }): Promise<Response> {
  const res = await client.postForm('/sign-in', { email: user.email, password: user.password });
  if (res.status !== 303) throw new Error(`sign-in of ${user.email} failed with ${res.status}: ${await res.text()}`);
  return res;
}

/** Makes an API token owned by the user; returns the token and its secret. */
export async function makeToken(
  env: TestEnv,
  user: { id: string; actor: UserActor },
  opts: { scopes?: TokenScope[]; organizationId?: string | null; expiresAt?: string | null; name?: string } = {},
): Promise<{ token: ApiToken; secret: string }> {
  return createApiToken(env.ctx(user.actor), {
    name: opts.name ?? `token ${unique()}`,
    scopes: opts.scopes ?? ['read'],
    organizationId: opts.organizationId,
    expiresAt: opts.expiresAt,
  });
}

/** Authorization header for a token secret. */
export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

/** The newest queued e-mail to an address, and the token of the first platform link in it. */
export async function lastMailTo(env: TestEnv, address: string): Promise<{ subject: string; text: string; link: string | undefined; token: string | undefined } | undefined> {
  const row = await env.db.kysely
    .selectFrom('mail_outbox')
    .select(['subject', 'text_body'])
    .where('to_address', '=', address)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  const link = /https?:\/\/\S+\/(?:password\/reset|invitations)\/([A-Za-z0-9_-]+)/.exec(row.text_body);
  return { subject: row.subject, text: row.text_body, link: link?.[0], token: link?.[1] };
}
