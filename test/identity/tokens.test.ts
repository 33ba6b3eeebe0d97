import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canEditRecord } from '../../src/domain/policies.ts';
import { authenticateApiToken, createApiToken, hashToken, listApiTokens, revokeApiToken } from '../../src/domain/identity/tokens.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { bearer, makeOrg, makeToken, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const api = (path: string, secret: string, init: RequestInit = {}) =>
  env.app.request(`/api/v1${path}`, { ...init, headers: { 'content-type': 'application/json', ...bearer(secret), ...(init.headers as Record<string, string>) } });

describe('API tokens', () => {
  it('have the form icat_<prefix>_<secret> and only their sha256 is stored', async () => {
    const u = await makeUser(env);
    const { token, secret } = await makeToken(env, u);
    expect(secret).toMatch(new RegExp(`^icat_${token.prefix}_[A-Za-z0-9_-]{43}$`));
    const row = await env.db.kysely.selectFrom('api_tokens').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(hashToken(secret));
    expect(JSON.stringify(row)).not.toContain(secret.slice(14));
  });

  it('let a read token read but not write', async () => {
    const focal = await makeUser(env, { role: 'focal_point' });
    const { secret: read } = await makeToken(env, focal, { scopes: ['read'] });
    const { secret: write } = await makeToken(env, focal, { scopes: ['read', 'write'] });
    const org = focal.org!;
    expect((await api(`/organizations/${org.id}`, read)).status).toBe(200);
    const patch = (secret: string, website: string) => api(`/organizations/${org.id}`, secret, { method: 'PATCH', body: JSON.stringify({ version: 1, website }) });
    const refused = await patch(read, 'https://read.example');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'FORBIDDEN', detail: expect.stringContaining('"write" scope') });
    expect((await patch(write, 'https://write.example')).status).toBe(200);
    const actor = await authenticateApiToken(env.db, read);
    expect(canEditRecord(actor, { ownerOrganizationId: org.id })).toBe(false);
  });

  it('refuse the admin scope for a creator who is not an administrator', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    await expect(makeToken(env, coordinator, { scopes: ['read', 'admin'] })).rejects.toMatchObject({ code: 'FORBIDDEN', fields: [{ path: 'scopes' }] });
    const admin = await makeUser(env, { role: 'administrator' });
    await expect(makeToken(env, admin, { scopes: ['admin'] })).resolves.toMatchObject({ token: { scopes: ['admin'] } });
  });

  it('refuse the write scope for a creator who can write nowhere', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    await expect(makeToken(env, coordinator, { scopes: ['write'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('act only for the organization they were limited to', async () => {
    const a = await makeOrg(env);
    const b = await makeOrg(env);
    const u = await makeUser(env, { role: 'staff', org: a });
    await env.db.kysely.insertInto('memberships').values({ user_id: u.id, organization_id: b.id, role: 'focal_point' }).execute();
    const { secret } = await makeToken(env, u, { scopes: ['read', 'write'], organizationId: a.id });
    const actor = await authenticateApiToken(env.db, secret);
    expect(actor.memberships).toEqual([{ organizationId: a.id, role: 'staff' }]);
    const other = await makeOrg(env);
    await expect(makeToken(env, u, { organizationId: other.id })).rejects.toMatchObject({ code: 'FORBIDDEN', fields: [{ path: 'organizationId' }] });
  });

  it('answer 401 once revoked, even on public routes', async () => {
    const u = await makeUser(env);
    const { token, secret } = await makeToken(env, u);
    expect((await api('/organizations', secret)).status).toBe(200);
    await revokeApiToken(env.ctx(u.actor), token.id);
    const res = await api('/organizations', secret);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'UNAUTHENTICATED', detail: expect.stringContaining('revoked') });
  });

  it('answer 401 once expired', async () => {
    const u = await makeUser(env);
    const { token, secret } = await makeToken(env, u, { expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    expect((await api('/me', secret)).status).toBe(200);
    await env.db.kysely.updateTable('api_tokens').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', token.id).execute();
    const res = await api('/organizations', secret);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: expect.stringContaining('expired') });
  });

  it('answer 401 for a made-up or malformed token', async () => {
    expect((await api('/organizations', 'icat_abcdefgh_' + 'x'.repeat(43))).status).toBe(401);
    expect((await api('/organizations', 'garbage')).status).toBe(401);
    const res = await env.app.request('/api/v1/organizations', { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(res.status).toBe(401);
  });

  it('stop working when the owner is deactivated', async () => {
    const u = await makeUser(env);
    const { secret } = await makeToken(env, u);
    await env.db.kysely.updateTable('users').set({ active: false }).where('id', '=', u.id).execute();
    expect((await api('/me', secret)).status).toBe(401);
  });

  it('record when they were last used, at most once a minute', async () => {
    const u = await makeUser(env);
    const { token, secret } = await makeToken(env, u);
    const lastUsed = async () => (await env.db.kysely.selectFrom('api_tokens').select('last_used_at').where('id', '=', token.id).executeTakeFirstOrThrow()).last_used_at;
    expect(await lastUsed()).toBeNull();
    await api('/me', secret);
    const first = await lastUsed();
    expect(first).not.toBeNull();
    await api('/me', secret);
    expect(new Date((await lastUsed())!).getTime()).toBe(new Date(first!).getTime());
    await env.db.kysely.updateTable('api_tokens').set({ last_used_at: new Date(Date.now() - 5 * 60_000) }).where('id', '=', token.id).execute();
    await api('/me', secret);
    expect(new Date((await lastUsed())!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('cannot create or list tokens themselves', async () => {
    const admin = await makeUser(env, { role: 'administrator' });
    const { secret } = await makeToken(env, admin, { scopes: ['read', 'write', 'admin'] });
    expect((await api('/tokens', secret)).status).toBe(403);
    expect((await api('/tokens', secret, { method: 'POST', body: JSON.stringify({ name: 'x', scopes: ['read'] }) })).status).toBe(403);
  });

  it('are listed to their owner only, and to administrators all', async () => {
    const a = await makeUser(env);
    const b = await makeUser(env);
    const admin = await makeUser(env, { role: 'administrator' });
    const ta = await makeToken(env, a);
    const tb = await makeToken(env, b);
    const mine = (await listApiTokens(env.ctx(a.actor))).map((t) => t.id);
    expect(mine).toEqual([ta.token.id]);
    const all = (await listApiTokens(env.ctx(admin.actor))).map((t) => t.id);
    expect(all).toEqual(expect.arrayContaining([ta.token.id, tb.token.id]));
    await expect(revokeApiToken(env.ctx(a.actor), tb.token.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(revokeApiToken(env.ctx(admin.actor), tb.token.id)).resolves.toMatchObject({ status: 'revoked' });
  });

  it('can be created by an administrator for another person (the CLI path), with that person’s rights', async () => {
    const staff = await makeUser(env);
    const admin = await makeUser(env, { role: 'administrator' });
    const created = await createApiToken(env.ctx(admin.actor), { name: 'sync', scopes: ['read'], userId: staff.id });
    expect(created.token.userId).toBe(staff.id);
    await expect(createApiToken(env.ctx(admin.actor), { name: 'sync', scopes: ['admin'], userId: staff.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(createApiToken(env.ctx(staff.actor), { name: 'x', scopes: ['read'], userId: admin.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('are created on the account page, showing the secret once', async () => {
    const u = await makeUser(env, { role: 'focal_point' });
    const client = new TestClient(env.app);
    await signIn(client, u);
    const res = await client.postForm('/account/tokens', { name: 'Dashboard', scopes: ['read', 'write'], organizationId: '', expiresAt: '' });
    expect(res.status).toBe(201);
    const html = await res.text();
    const secret = /value="(icat_[^"]+)"/.exec(html)?.[1];
    expect(secret).toBeDefined();
    expect((await api('/me', secret!)).status).toBe(200);
    const later = await (await client.request('/account')).text();
    expect(later).toContain('Dashboard');
    expect(later).not.toContain(secret!);
    const [tok] = await listApiTokens(env.ctx(u.actor));
    expect((await client.postForm(`/account/tokens/${tok!.id}/revoke`, {})).status).toBe(303);
    expect((await api('/me', secret!)).status).toBe(401);
  });

  it('show a refused scope next to the scopes field on the account page', async () => {
    const u = await makeUser(env, { role: 'staff' });
    const client = new TestClient(env.app);
    await signIn(client, u);
    const res = await client.postForm('/account/tokens', { name: 'Too much', scopes: ['admin'] });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('f-scopes-error');
    expect(html).toContain('You cannot give a token a right you do not have yourself.');
  });
});
