import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/domain/audit/list-audit.ts';
import { createInvitation, revokeInvitation } from '../../src/domain/identity/invitations.ts';
import { requestPasswordReset, resetPassword } from '../../src/domain/identity/password-resets.ts';
import { revokeApiToken } from '../../src/domain/identity/tokens.ts';
import { changePassword, deactivateUser, setMemberships, updateUser } from '../../src/domain/identity/users.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { bearer, lastMailTo, makeOrg, makeToken, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

describe('the audit log', () => {
  it('records every kind of identity change, with before and after but never a secret', async () => {
    const secrets: string[] = [];
    const admin = await makeUser(env, { role: 'administrator' });
    const org = await makeOrg(env);
    const u = await makeUser(env, { org, role: 'staff' });
    secrets.push(admin.password, u.password);

    const browser = new TestClient(env.app);
    await new TestClient(env.app).postForm('/sign-in', { email: u.email, password: 'wrong password, audited' });
    secrets.push('wrong password, audited');
    await signIn(browser, u);
    secrets.push(browser.cookies.get('icat_session')!);
    await browser.postForm('/sign-out', {});

    await updateUser(env.ctx(admin.actor), u.id, { version: u.version, name: 'Renamed Person' });
    await setMemberships(env.ctx(admin.actor), u.id, [{ organizationId: org.id, role: 'focal_point' }]);
    const changed = 'a changed passphrase';
    await changePassword(env.ctx(u.actor), { currentPassword: u.password, newPassword: changed });
    secrets.push(changed);

    await requestPasswordReset(env.ctx(), { email: u.email });
    const { token: resetToken } = (await lastMailTo(env, u.email))!;
    secrets.push(resetToken!);
    await resetPassword(env.ctx(), resetToken!, { password: 'the reset passphrase' });
    secrets.push('the reset passphrase');

    const { token, secret } = await makeToken(env, u, { scopes: ['read'] });
    secrets.push(secret);
    expect((await env.app.request('/api/v1/me', { headers: bearer(secret) })).status).toBe(200);
    await revokeApiToken(env.ctx(u.actor), token.id);

    const inviteEmail = `audited.${Date.now()}@example.org`;
    const inv = await createInvitation(env.ctx(admin.actor), { email: inviteEmail, organizationId: org.id, role: 'staff' });
    secrets.push((await lastMailTo(env, inviteEmail))!.token!);
    await revokeInvitation(env.ctx(admin.actor), inv.id);
    const inviteEmail2 = `audited2.${Date.now()}@example.org`;
    await createInvitation(env.ctx(admin.actor), { email: inviteEmail2, organizationId: org.id, role: 'staff' });
    const invToken = (await lastMailTo(env, inviteEmail2))!.token!;
    secrets.push(invToken);
    await new TestClient(env.app).postForm(`/invitations/${invToken}`, { name: 'Invited', password: 'invited passphrase', confirm: 'invited passphrase' });
    secrets.push('invited passphrase');

    const other = await makeUser(env);
    const otherBrowser = new TestClient(env.app);
    await signIn(otherBrowser, other);
    await otherBrowser.postForm('/account/sessions/sign-out-everywhere', {});
    await deactivateUser(env.ctx(admin.actor), other.id);

    const rows = await env.db.kysely.selectFrom('audit_log').selectAll().execute();
    const actions = new Set(rows.map((r) => r.action));
    for (const action of [
      'user.create',
      'user.update',
      'user.memberships',
      'user.deactivate',
      'user.password.change',
      'user.password.reset_requested',
      'user.password.reset',
      'session.sign_in',
      'session.sign_in_failed',
      'session.sign_out',
      'session.sign_out_everywhere',
      'token.create',
      'token.revoke',
      'invitation.create',
      'invitation.revoke',
      'invitation.accept',
      'organization.create',
    ]) {
      expect(actions, action).toContain(action);
    }

    const update = rows.find((r) => r.action === 'user.update' && r.record_id === u.id)!;
    expect(update).toMatchObject({ actor_user_id: admin.id, actor_label: admin.email, before: { name: u.name }, after: { name: 'Renamed Person' } });

    const hashes = [
      ...(await env.db.kysely.selectFrom('users').select('password_hash').execute()).map((r) => r.password_hash),
      ...(await env.db.kysely.selectFrom('api_tokens').select('token_hash').execute()).map((r) => r.token_hash),
      ...(await env.db.kysely.selectFrom('invitations').select('token_hash').execute()).map((r) => r.token_hash),
      ...(await env.db.kysely.selectFrom('password_resets').select('token_hash').execute()).map((r) => r.token_hash),
    ].filter((h): h is string => h !== null);
    const text = JSON.stringify(rows);
    for (const s of [...secrets, ...hashes]) expect(text, 'the audit log holds a secret').not.toContain(s);
    expect(text).not.toMatch(/password_hash|token_hash|\$argon2/);
  });

  it('names the token that acted', async () => {
    const focal = await makeUser(env, { role: 'focal_point' });
    const { token, secret } = await makeToken(env, focal, { scopes: ['read', 'write'] });
    const res = await env.app.request(`/api/v1/organizations/${focal.org!.id}`, {
      method: 'PATCH',
      body: JSON.stringify({ version: 1, website: 'https://by-token.example' }),
      headers: { 'content-type': 'application/json', ...bearer(secret) },
    });
    expect(res.status).toBe(200);
    const { items } = await listAudit(env.ctx(), { recordId: focal.org!.id, action: 'organization.update' });
    expect(items[0]?.actor).toMatchObject({ userId: focal.id, tokenId: token.id });
  });
});

describe('GET /api/v1/audit', () => {
  it('is readable by coordinators, newest first, with filters and a cursor', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    const org = await makeOrg(env);
    const u = await makeUser(env, { org });
    for (const name of ['One', 'Two', 'Three']) {
      const current = await env.db.kysely.selectFrom('users').select('version').where('id', '=', u.id).executeTakeFirstOrThrow();
      await updateUser(env.ctx(), u.id, { version: current.version, name });
    }
    const client = new TestClient(env.app);
    await signIn(client, coordinator);
    const first = (await (await client.request(`/api/v1/audit?recordType=user&recordId=${u.id}&limit=2`)).json()) as {
      items: { id: number; action: string; after: { name: string } | null }[];
      nextCursor: string;
    };
    expect(first.items.map((i) => i.after?.name)).toEqual(['Three', 'Two']);
    const second = (await (await client.request(`/api/v1/audit?recordType=user&recordId=${u.id}&limit=2&cursor=${first.nextCursor}`)).json()) as typeof first;
    expect(second.items.map((i) => i.action)).toEqual(['user.update', 'user.create']);
    expect(second.nextCursor).toBeNull();

    const byOrg = (await (await client.request(`/api/v1/audit?organizationId=${org.id}`)).json()) as typeof first;
    expect(byOrg.items.map((i) => i.action)).toEqual(['organization.create']);
    const future = (await (await client.request(`/api/v1/audit?recordId=${u.id}&from=2999-01-01`)).json()) as typeof first;
    expect(future.items).toEqual([]);
    const bySystem = (await (await client.request(`/api/v1/audit?recordId=${u.id}&actor=system@localhost`)).json()) as typeof first;
    expect(bySystem.items).toHaveLength(4);
  });

  it('is refused to staff and focal points', async () => {
    const focal = await makeUser(env, { role: 'focal_point' });
    const client = new TestClient(env.app);
    await signIn(client, focal);
    const res = await client.request('/api/v1/audit');
    expect(res.status).toBe(403);
    expect((await new TestClient(env.app).request('/api/v1/audit')).status).toBe(401);
  });
});
