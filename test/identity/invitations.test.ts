import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation, listInvitations, revokeInvitation } from '../../src/domain/identity/invitations.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { lastMailTo, makeOrg, makeUser } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const PASSWORD = 'correct horse battery staple';
let n = 0;
const newEmail = () => `invitee.${Date.now()}.${n++}@example.org`;

async function accept(token: string, name = 'New Person', password = PASSWORD) {
  const client = new TestClient(env.app);
  const res = await client.postForm(`/invitations/${token}`, { name, password, confirm: password });
  return { client, res };
}

describe('invitations', () => {
  it('lets an administrator invite to an organization; accepting creates the account with that membership and signs in', async () => {
    const org = await makeOrg(env);
    const admin = await makeUser(env, { role: 'administrator' });
    const email = newEmail();
    const invitation = await createInvitation(env.ctx(admin.actor), { email, organizationId: org.id, role: 'focal_point', language: 'fr' });
    expect(invitation.status).toBe('pending');
    const mail = (await lastMailTo(env, email))!;
    expect(mail.subject).toBe('Votre invitation à la Plateforme ICAT');
    expect(mail.text).toContain(org.acronym);
    expect(mail.link).toMatch(/^http:\/\/localhost\/invitations\//);

    const page = await new TestClient(env.app).request(`/invitations/${mail.token}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(email);

    const { client, res } = await accept(mail.token!, 'Nouvelle Personne');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?notice=identity.welcome');
    const me = (await (await client.request('/api/v1/me')).json()) as { user: { email: string; name: string; memberships: unknown[] } };
    expect(me.user).toMatchObject({ email, name: 'Nouvelle Personne', memberships: [{ organizationId: org.id, role: 'focal_point' }] });
    const [row] = await listInvitations(env.ctx(admin.actor), { organizationId: org.id });
    expect(row).toMatchObject({ id: invitation.id, status: 'accepted' });
  });

  it('works only once', async () => {
    const org = await makeOrg(env);
    const email = newEmail();
    await createInvitation(env.ctx(), { email, organizationId: org.id, role: 'staff' });
    const { token } = (await lastMailTo(env, email))!;
    expect((await accept(token!)).res.status).toBe(303);
    const second = await accept(token!, 'Somebody Else', 'another long passphrase');
    expect(second.res.status).toBe(404);
    expect(await second.res.text()).toContain('This invitation no longer works');
  });

  it('refuses an expired invitation', async () => {
    const org = await makeOrg(env);
    const email = newEmail();
    const inv = await createInvitation(env.ctx(), { email, organizationId: org.id, role: 'staff' });
    const { token } = (await lastMailTo(env, email))!;
    await env.db.kysely.updateTable('invitations').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', inv.id).execute();
    expect((await new TestClient(env.app).request(`/invitations/${token}`)).status).toBe(404);
    expect((await accept(token!)).res.status).toBe(404);
    expect(await env.db.kysely.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()).toBeUndefined();
  });

  it('refuses a revoked invitation', async () => {
    const org = await makeOrg(env);
    const focal = await makeUser(env, { role: 'focal_point', org });
    const email = newEmail();
    const inv = await createInvitation(env.ctx(focal.actor), { email, organizationId: org.id, role: 'staff' });
    const { token } = (await lastMailTo(env, email))!;
    const revoked = await revokeInvitation(env.ctx(focal.actor), inv.id);
    expect(revoked.status).toBe('revoked');
    expect((await accept(token!)).res.status).toBe(404);
  });

  it('lets a focal point invite to their own organization only, and never to a platform role', async () => {
    const org = await makeOrg(env);
    const other = await makeOrg(env);
    const focal = await makeUser(env, { role: 'focal_point', org });
    await expect(createInvitation(env.ctx(focal.actor), { email: newEmail(), organizationId: other.id, role: 'staff' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createInvitation(env.ctx(focal.actor), { email: newEmail(), platformRole: 'coordinator' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createInvitation(env.ctx(focal.actor), { email: newEmail(), organizationId: org.id, role: 'focal_point' })).resolves.toMatchObject({ status: 'pending' });
  });

  it('refuses staff who are not focal points', async () => {
    const staff = await makeUser(env, { role: 'staff' });
    await expect(createInvitation(env.ctx(staff.actor), { email: newEmail(), organizationId: staff.org!.id, role: 'staff' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('hides another organization’s invitations from a focal point', async () => {
    const mine = await makeUser(env, { role: 'focal_point' });
    const theirs = await makeUser(env, { role: 'focal_point' });
    const inv = await createInvitation(env.ctx(theirs.actor), { email: newEmail(), organizationId: theirs.org!.id, role: 'staff' });
    expect((await listInvitations(env.ctx(mine.actor))).map((i) => i.id)).not.toContain(inv.id);
    await expect(revokeInvitation(env.ctx(mine.actor), inv.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses to invite an address that already has an account', async () => {
    const existing = await makeUser(env);
    await expect(createInvitation(env.ctx(), { email: existing.email.toUpperCase(), organizationId: existing.org!.id, role: 'staff' })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: [{ path: 'email' }],
    });
  });

  it('invites to a platform role without an organization', async () => {
    const email = newEmail();
    await createInvitation(env.ctx(), { email, platformRole: 'coordinator' });
    const { token } = (await lastMailTo(env, email))!;
    const { client } = await accept(token!);
    const me = (await (await client.request('/api/v1/me')).json()) as { user: { platformRole: string }; abilities: Record<string, boolean> };
    expect(me.user.platformRole).toBe('coordinator');
    expect(me.abilities['audit.read']).toBe(true);
  });
});
