import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { claimPlatformState } from '../../src/db/queries/platform-state.ts';
import { signIn } from '../../src/domain/identity/sessions.ts';
import { createUser } from '../../src/domain/identity/users.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { DEMO_ORGANIZATIONS } from '../../src/seed/demo-organizations.ts';
import { DEMO_ACCOUNTS, DEMO_SEED_KEY, seedOnFirstStart } from '../../src/seed/first-start.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';

const logger = pino({ level: 'silent' });
let env: TestEnv | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

/** The e-mail → password pairs printed at first start. */
function printedCredentials(lines: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const line of lines) {
    const m = /\s(\S+@example\.org)\s+(\S+)$/.exec(line);
    if (m) found.set(m[1]!, m[2]!);
  }
  return found;
}

async function counts(e: TestEnv) {
  const orgs = await e.db.kysely.selectFrom('organizations').select('slug').execute();
  const users = await e.db.kysely.selectFrom('users').select('email').execute();
  return { orgs: orgs.length, users: users.length };
}

describe('seedOnFirstStart', () => {
  it('creates the member organizations and one account per role, and prints the URL, e-mails and working passwords', async () => {
    env = await createTestEnv();
    const lines = await seedOnFirstStart({ db: env.db, config: env.config, logger });
    expect(lines.join('\n')).toContain(`${env.config.baseUrl}/sign-in`);
    const credentials = printedCredentials(lines);
    expect([...credentials.keys()].sort()).toEqual(DEMO_ACCOUNTS.map((a) => a.email).sort());
    for (const [email, password] of credentials) {
      const session = await signIn(env.ctx(), { email, password });
      expect(session.actor.email).toBe(email);
    }
    const admin = await signIn(env.ctx(), { email: 'admin@example.org', password: credentials.get('admin@example.org')! });
    expect(admin.actor.platformRole).toBe('administrator');
    const coordinator = await signIn(env.ctx(), { email: 'coordinator@example.org', password: credentials.get('coordinator@example.org')! });
    expect(coordinator.actor.platformRole).toBe('coordinator');
    const unodc = await env.db.kysely.selectFrom('organizations').select('id').where('slug', '=', 'unodc').executeTakeFirstOrThrow();
    expect(coordinator.actor.memberships).toEqual([{ organizationId: unodc.id, role: 'staff' }]);
    const focal = await signIn(env.ctx(), { email: 'focal.point.iom@example.org', password: credentials.get('focal.point.iom@example.org')! });
    expect(focal.actor.memberships.map((m) => m.role)).toEqual(['focal_point']);
    expect(await counts(env)).toEqual({ orgs: DEMO_ORGANIZATIONS.length, users: DEMO_ACCOUNTS.length });
  });

  it('generates different passwords on every installation', async () => {
    env = await createTestEnv();
    const first = printedCredentials(await seedOnFirstStart({ db: env.db, config: env.config, logger }));
    const other = await createTestEnv();
    try {
      const second = printedCredentials(await seedOnFirstStart({ db: other.db, config: other.config, logger }));
      expect(second.get('admin@example.org')).not.toBe(first.get('admin@example.org'));
      expect(new Set(first.values()).size).toBe(DEMO_ACCOUNTS.length);
    } finally {
      await other.close();
    }
  });

  it('does nothing on the next start', async () => {
    env = await createTestEnv();
    await seedOnFirstStart({ db: env.db, config: env.config, logger });
    const before = await counts(env);
    expect(await seedOnFirstStart({ db: env.db, config: env.config, logger })).toEqual([]);
    expect(await counts(env)).toEqual(before);
  });

  it('never seeds a database that already has content of its own', async () => {
    env = await createTestEnv();
    await createOrganization(env.ctx(), { kind: 'member', acronym: 'OWN', orgType: 'un_entity', name: { en: 'Our own' } });
    expect(await seedOnFirstStart({ db: env.db, config: env.config, logger })).toEqual([]);
    expect(await counts(env)).toEqual({ orgs: 1, users: 0 });
  });

  it('completes a first start that was interrupted half-way, without duplicates, with new passwords for the accounts it had made', async () => {
    env = await createTestEnv();
    // What a start that crashed after the first organizations and the administrator leaves behind.
    await claimPlatformState(env.db.kysely, DEMO_SEED_KEY, { status: 'started' });
    for (const org of DEMO_ORGANIZATIONS.slice(0, 3)) await createOrganization(env.ctx(), org);
    await createUser(env.ctx(), { email: 'admin@example.org', name: 'Demo Administrator', password: 'never-printed-password', platformRole: 'administrator' });

    const credentials = printedCredentials(await seedOnFirstStart({ db: env.db, config: env.config, logger }));
    expect(await counts(env)).toEqual({ orgs: DEMO_ORGANIZATIONS.length, users: DEMO_ACCOUNTS.length });
    expect(credentials.size).toBe(DEMO_ACCOUNTS.length);
    await expect(signIn(env.ctx(), { email: 'admin@example.org', password: 'never-printed-password' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await signIn(env.ctx(), { email: 'admin@example.org', password: credentials.get('admin@example.org')! })).actor.platformRole).toBe('administrator');
    expect(await seedOnFirstStart({ db: env.db, config: env.config, logger })).toEqual([]);
  });
});
