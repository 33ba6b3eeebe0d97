import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { bearer, makeToken, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const count = async (table: 'sessions' | 'users' | 'organizations' | 'audit_log' | 'api_tokens') =>
  Number((await env.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

function postRaw(client: TestClient, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return client.request(path, {
    method: 'POST',
    body: new URLSearchParams(fields),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });
}

describe('anti-forgery protection', () => {
  it('refuses a sign-in form without a token and starts no session', async () => {
    const u = await makeUser(env);
    const client = new TestClient(env.app);
    await client.csrf();
    const sessions = await count('sessions');
    const res = await postRaw(client, '/sign-in', { email: u.email, password: u.password });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('This form has expired');
    expect(client.cookies.has('icat_session')).toBe(false);
    expect(await count('sessions')).toBe(sessions);
  });

  it('refuses a form with a wrong token and changes nothing', async () => {
    const u = await makeUser(env);
    const client = new TestClient(env.app);
    await signIn(client, u);
    const before = await count('audit_log');
    const res = await postRaw(client, '/account/profile', { _csrf: 'x'.repeat(32), name: 'Forged Name', preferredLanguage: 'fr', version: String(u.version) });
    expect(res.status).toBe(403);
    const row = await env.db.kysely.selectFrom('users').select(['name', 'preferred_language']).where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: u.name, preferred_language: 'en' });
    expect(await count('audit_log')).toBe(before);
  });

  it('answers a cookie-authenticated API call without the X-CSRF-Token header with a CSRF_FAILED problem', async () => {
    const admin = await makeUser(env, { role: 'administrator' });
    const client = new TestClient(env.app);
    await signIn(client, admin);
    const orgs = await count('organizations');
    const body = JSON.stringify({ kind: 'member', acronym: 'FORGED', orgType: 'ngo', name: { en: 'Forged' } });
    const res = await client.request('/api/v1/organizations', { method: 'POST', body, headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 'CSRF_FAILED' });
    expect(await count('organizations')).toBe(orgs);
  });

  it('accepts the same cookie-authenticated API call with the header', async () => {
    const admin = await makeUser(env, { role: 'administrator' });
    const client = new TestClient(env.app);
    await signIn(client, admin);
    const body = JSON.stringify({ kind: 'member', acronym: 'WITHHDR', orgType: 'ngo', name: { en: 'With header' } });
    const res = await client.request('/api/v1/organizations', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-csrf-token': await client.csrf() },
    });
    expect(res.status).toBe(201);
  });

  it('exempts requests authenticated with a bearer token, which carry no cookies', async () => {
    const admin = await makeUser(env, { role: 'administrator' });
    const { secret } = await makeToken(env, admin, { scopes: ['read', 'write', 'admin'] });
    const body = JSON.stringify({ kind: 'member', acronym: 'BEARER', orgType: 'ngo', name: { en: 'By token' } });
    const res = await env.app.request('/api/v1/organizations', { method: 'POST', body, headers: { 'content-type': 'application/json', ...bearer(secret) } });
    expect(res.status).toBe(201);
  });

  it('does not let a made-up bearer header skip the check', async () => {
    const client = new TestClient(env.app);
    const users = await count('users');
    const res = await postRaw(client, '/password/forgot', { email: 'someone@example.org' }, { authorization: 'Bearer not-a-token' });
    expect(res.status).toBe(401);
    expect(await count('users')).toBe(users);
  });
});
