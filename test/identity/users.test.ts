import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../../src/domain/actor.ts';
import { checkPasswordPolicy } from '../../src/domain/identity/passwords.ts';
import { createUser, getUser, listUsers, setMemberships, updateUser } from '../../src/domain/identity/users.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

describe('createUser', () => {
  it('stores an argon2id hash, never the password, and refuses a duplicate address in any case', async () => {
    const u = await createUser(env.ctx(), { email: 'Mixed.Case@Example.org', name: 'Mixed Case', password: 'a long enough passphrase' });
    expect(u.email).toBe('mixed.case@example.org');
    const row = await env.db.kysely.selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    await expect(createUser(env.ctx(), { email: 'MIXED.case@example.org', name: 'Again' })).rejects.toMatchObject({ code: 'CONFLICT', fields: [{ path: 'email' }] });
  });

  it('refuses memberships in unknown organizations, naming the entry', async () => {
    await expect(
      createUser(env.ctx(), { email: 'ghost.member@example.org', name: 'Ghost', memberships: [{ organizationId: 'org_nope', role: 'staff' }] }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'memberships.0.organizationId' }] });
  });

  it('is for administrators only', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    await expect(createUser(env.ctx(coordinator.actor), { email: 'x1@example.org', name: 'X' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createUser(env.ctx(anonymous), { email: 'x2@example.org', name: 'X' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('the password policy', () => {
  it('wants 12 to 200 characters and not the e-mail address', () => {
    expect(() => checkPasswordPolicy('short', 'a@example.org')).toThrow(/at least 12/);
    expect(() => checkPasswordPolicy('x'.repeat(201), 'a@example.org')).toThrow(/at most 200/);
    expect(() => checkPasswordPolicy('Someone@Example.org', 'someone@example.org')).toThrow(/e-mail/);
    expect(() => checkPasswordPolicy('twelve chars', 'a@example.org')).not.toThrow();
  });
});

describe('updateUser', () => {
  it('lets a person change their own name and language but not their role', async () => {
    const u = await makeUser(env);
    const changed = await updateUser(env.ctx(u.actor), u.id, { version: u.version, name: 'New Name', preferredLanguage: 'fr' });
    expect(changed).toMatchObject({ name: 'New Name', preferredLanguage: 'fr', version: u.version + 1 });
    await expect(updateUser(env.ctx(u.actor), u.id, { version: changed.version, platformRole: 'administrator' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const other = await makeUser(env);
    await expect(updateUser(env.ctx(u.actor), other.id, { version: other.version, name: 'Hijack' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses a stale version and returns the current account', async () => {
    const u = await makeUser(env);
    await updateUser(env.ctx(), u.id, { version: u.version, name: 'First' });
    await expect(updateUser(env.ctx(), u.id, { version: u.version, name: 'Second' })).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
      current: { name: 'First' },
    });
  });

  it('does not let an administrator demote or deactivate themselves', async () => {
    const admin = await makeUser(env, { role: 'administrator' });
    await expect(updateUser(env.ctx(admin.actor), admin.id, { version: admin.version, platformRole: null })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(updateUser(env.ctx(admin.actor), admin.id, { version: admin.version, active: false })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('changes the profile from the account page and switches the interface language', async () => {
    const u = await makeUser(env);
    const client = new TestClient(env.app);
    await signIn(client, u);
    const res = await client.postForm('/account/profile', { name: 'Page Name', preferredLanguage: 'fr', version: String(u.version) });
    expect(res.status).toBe(303);
    expect(client.cookies.get('icat_lang')).toBe('fr');
    const html = await (await client.request('/account')).text();
    expect(html).toContain('Votre compte');
    expect(html).toContain('value="Page Name"');
  });

  it('shows a field error beside the name on the account page', async () => {
    const u = await makeUser(env);
    const client = new TestClient(env.app);
    await signIn(client, u);
    const res = await client.postForm('/account/profile', { name: '', preferredLanguage: 'en', version: String(u.version) });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('id="f-name-error"');
    expect(html).toMatch(/aria-describedby="f-name-error"/);
  });
});

describe('setMemberships and listing', () => {
  it('replaces memberships and lets a member list their own organization’s people', async () => {
    const org = await makeOrg(env);
    const staff = await makeUser(env, { org });
    const newcomer = await makeUser(env, { role: 'none' });
    const updated = await setMemberships(env.ctx(), newcomer.id, [{ organizationId: org.id, role: 'staff' }]);
    expect(updated.memberships).toEqual([{ organizationId: org.id, role: 'staff' }]);
    const { items } = await listUsers(env.ctx(staff.actor), { organizationId: org.id });
    expect(items.map((i) => i.id).sort()).toEqual([staff.id, newcomer.id].sort());
    await expect(listUsers(env.ctx(staff.actor))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const outsider = await makeUser(env);
    await expect(listUsers(env.ctx(outsider.actor), { organizationId: org.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('never returns a password hash', async () => {
    const u = await makeUser(env);
    const text = JSON.stringify(await getUser(env.ctx(), u.id));
    expect(text).not.toContain('argon2');
    expect(text).toContain('"hasPassword":true');
  });

  it('changes the password from the account page, keeping this session and ending the others', async () => {
    const u = await makeUser(env);
    const here = new TestClient(env.app);
    const elsewhere = new TestClient(env.app);
    await signIn(here, u);
    await signIn(elsewhere, u);
    const wrong = await here.postForm('/account/password', { currentPassword: 'not my password', newPassword: 'a fresh passphrase', confirm: 'a fresh passphrase' });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain('id="f-currentPassword-error"');
    const ok = await here.postForm('/account/password', { currentPassword: u.password, newPassword: 'a fresh passphrase', confirm: 'a fresh passphrase' });
    expect(ok.status).toBe(303);
    expect((await here.request('/api/v1/me')).status).toBe(200);
    expect((await elsewhere.request('/api/v1/me')).status).toBe(401);
  });
});
