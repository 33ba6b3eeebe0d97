import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { claimPlatformState, hasOrganizationsOrUsers, readPlatformState, writePlatformState } from '../db/queries/platform-state.ts';
import { systemActor, type MembershipRole, type PlatformRole } from '../domain/actor.ts';
import type { DomainContext } from '../domain/context.ts';
import { AppError } from '../domain/errors.ts';
import { generatePassword } from '../domain/identity/passwords.ts';
import { setUserPassword } from '../domain/identity/set-user-password.ts';
import { findUserIdByEmail } from '../domain/identity/find-user.ts';
import { createUser } from '../domain/identity/users.ts';
import { createOrganization, getOrganization } from '../domain/organizations/organizations.ts';
import { DEMO_ORGANIZATIONS } from './demo-organizations.ts';

/** Demo accounts, one per role, so a newcomer can try each. E-mail addresses are on example.org. */
export const DEMO_ACCOUNTS: {
  email: string;
  name: string;
  label: string;
  platformRole: PlatformRole | null;
  membership?: { slug: string; role: MembershipRole };
}[] = [
  { email: 'admin@example.org', name: 'Demo Administrator', label: 'administrator', platformRole: 'administrator' },
  {
    email: 'coordinator@example.org',
    name: 'Demo Coordinator',
    label: 'coordinator (UNODC)',
    platformRole: 'coordinator',
    membership: { slug: 'unodc', role: 'staff' },
  },
  { email: 'focal.point.iom@example.org', name: 'Demo Focal Point IOM', label: 'focal point, IOM', platformRole: null, membership: { slug: 'iom', role: 'focal_point' } },
  { email: 'staff.iom@example.org', name: 'Demo Staff IOM', label: 'staff, IOM', platformRole: null, membership: { slug: 'iom', role: 'staff' } },
  { email: 'focal.point.ilo@example.org', name: 'Demo Focal Point ILO', label: 'focal point, ILO', platformRole: null, membership: { slug: 'ilo', role: 'focal_point' } },
  { email: 'staff.ilo@example.org', name: 'Demo Staff ILO', label: 'staff, ILO', platformRole: null, membership: { slug: 'ilo', role: 'staff' } },
];

/** platform_state key: `{ status: 'started' | 'done', … }`. */
export const DEMO_SEED_KEY = 'demo_seed';
type SeedState = { status: 'started' | 'done'; startedAt?: string; completedAt?: string };

async function organizationIdBySlug(ctx: DomainContext, slug: string): Promise<string | undefined> {
  try {
    return (await getOrganization(ctx, slug)).id;
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_FOUND') return undefined;
    throw err;
  }
}

/**
 * Creates the demo content through the domain functions on the first start of an empty
 * database: the member organizations and one account per role, each with a random password.
 * Returns the lines to print (URL, e-mail addresses, passwords), which are shown only then.
 *
 * A start interrupted half-way is retried on the next start: what exists is kept, what is
 * missing is created, and accounts made by the interrupted run get new passwords (the old
 * ones were never shown). A database with content of its own is never seeded.
 */
export async function seedOnFirstStart(deps: { db: Db; config: Config; logger: Logger }): Promise<string[]> {
  const ctx: DomainContext = { db: deps.db, config: deps.config, actor: systemActor };
  const state = await readPlatformState<SeedState>(deps.db.kysely, DEMO_SEED_KEY);
  if (state?.status === 'done') return [];
  if (!state) {
    if (await hasOrganizationsOrUsers(deps.db.kysely)) return [];
    // Of two processes starting on one empty server database, only the one that claims seeds.
    const claimed = await claimPlatformState(deps.db.kysely, DEMO_SEED_KEY, { status: 'started', startedAt: new Date().toISOString() } satisfies SeedState);
    if (!claimed) return [];
  } else {
    deps.logger.warn('the demo content of an interrupted first start is being completed');
  }

  let organizations = 0;
  for (const org of DEMO_ORGANIZATIONS) {
    if (await organizationIdBySlug(ctx, org.slug!)) continue;
    await createOrganization(ctx, org);
    organizations++;
  }

  const credentials: { label: string; email: string; password: string }[] = [];
  for (const account of DEMO_ACCOUNTS) {
    const password = generatePassword();
    const existing = await findUserIdByEmail(ctx, account.email);
    if (existing) {
      await setUserPassword(ctx, existing, { password });
    } else {
      const orgId = account.membership ? await organizationIdBySlug(ctx, account.membership.slug) : undefined;
      await createUser(ctx, {
        email: account.email,
        name: account.name,
        password,
        platformRole: account.platformRole,
        memberships: orgId && account.membership ? [{ organizationId: orgId, role: account.membership.role }] : [],
      });
    }
    credentials.push({ label: account.label, email: account.email, password });
  }

  await writePlatformState(deps.db.kysely, DEMO_SEED_KEY, { status: 'done', completedAt: new Date().toISOString() } satisfies SeedState);
  deps.logger.info({ organizations, accounts: credentials.length }, 'demo content created');

  const width = Math.max(...credentials.map((c) => c.label.length));
  const emailWidth = Math.max(...credentials.map((c) => c.email.length));
  return [
    `Demo content created: ${DEMO_ORGANIZATIONS.length} member organizations and ${credentials.length} accounts.`,
    `Sign in at ${deps.config.baseUrl}/sign-in with one of these (the passwords are shown only now):`,
    '',
    ...credentials.map((c) => `  ${c.label.padEnd(width)}  ${c.email.padEnd(emailWidth)}  ${c.password}`),
    '',
    'Change these passwords under Account, or start a production installation with DEMO_CONTENT=false.',
  ];
}
