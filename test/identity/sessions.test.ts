import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSessionSecret } from '../../src/domain/identity/sessions.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeUser, signIn, type TestUser } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const sessionRow = (secret: string) => env.db.kysely.selectFrom('sessions').selectAll().where('id_hash', '=', hashSessionSecret(secret)).executeTakeFirst();

async function signedIn(user?: TestUser) {
  const u = user ?? (await makeUser(env));
  const client = new TestClient(env.app);
  const res = await signIn(client, u);
  return { user: u, client, res, secret: client.cookies.get('icat_session')! };
}

async function whoAmI(client: TestClient) {
  const res = await client.request('/api/v1/me');
  return res.status === 200 ? ((await res.json()) as { user: { id: string } }).user.id : res.status;
}

describe('signing in', () => {
  it('sets an http-only, SameSite=Lax session cookie and stores only its hash', async () => {
    const { res, secret, user, client } = await signedIn();
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('icat_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    expect(await sessionRow(secret)).toMatchObject({ user_id: user.id });
    const stored = await env.db.kysely.selectFrom('sessions').select('id_hash').where('user_id', '=', user.id).execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(secret);
    expect(await whoAmI(client)).toBe(user.id);
  });

  it('marks the cookie Secure when the platform is served over https', async () => {
    const secure = await createTestEnv({ BASE_URL: 'https://icat.example.org' });
    try {
      const u = await makeUser(secure);
      const client = new TestClient(secure.app);
      const res = await signIn(client, u);
      expect(res.headers.getSetCookie().find((c) => c.startsWith('icat_session='))).toMatch(/;\s*Secure/i);
    } finally {
      await secure.close();
    }
  });

  it('rotates the session at sign-in: the previous session of the browser is destroyed', async () => {
    const { client, secret: first, user } = await signedIn();
    await signIn(client, user);
    const second = client.cookies.get('icat_session')!;
    expect(second).not.toBe(first);
    expect(await sessionRow(first)).toBeUndefined();
    expect(await sessionRow(second)).toBeDefined();
  });

  it('rotates the anti-forgery token at sign-in', async () => {
    const u = await makeUser(env);
    const client = new TestClient(env.app);
    const before = await client.csrf();
    await signIn(client, u);
    expect(client.cookies.get('icat_csrf')).toBeDefined();
    expect(client.cookies.get('icat_csrf')).not.toBe(before);
  });

  it('refuses a wrong password with the same answer as an unknown address', async () => {
    const u = await makeUser(env);
    const client = new TestClient(env.app);
    const wrong = await client.postForm('/sign-in', { email: u.email, password: 'not the password at all' });
    const unknown = await client.postForm('/sign-in', { email: 'nobody.here@example.org', password: 'not the password at all' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(client.cookies.has('icat_session')).toBe(false);
  });

  it('refuses a deactivated account even with the right password', async () => {
    const u = await makeUser(env);
    await env.db.kysely.updateTable('users').set({ active: false }).where('id', '=', u.id).execute();
    const res = await new TestClient(env.app).postForm('/sign-in', { email: u.email, password: u.password });
    expect(res.status).toBe(401);
  });

  it('returns to a local "next" address but never to another site', async () => {
    const u = await makeUser(env);
    const a = await new TestClient(env.app).postForm('/sign-in', { email: u.email, password: u.password, next: '/members' });
    expect(a.headers.get('location')).toBe('/members');
    const b = await new TestClient(env.app).postForm('/sign-in', { email: u.email, password: u.password, next: '//evil.example' });
    expect(b.headers.get('location')).toBe('/');
  });
});

describe('session expiry', () => {
  it('ends a session idle for longer than SESSION_IDLE_MINUTES and clears the cookie', async () => {
    const { client, secret } = await signedIn();
    const idle = env.config.SESSION_IDLE_MINUTES + 1;
    await env.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - idle * 60_000) })
      .where('id_hash', '=', hashSessionSecret(secret))
      .execute();
    expect(await whoAmI(client)).toBe(401);
    expect(client.cookies.has('icat_session')).toBe(false);
    expect(await sessionRow(secret)).toBeUndefined();
  });

  it('keeps an active session alive by sliding last_seen_at, at most once a minute', async () => {
    const { client, secret, user } = await signedIn();
    const earlier = new Date(Date.now() - 10 * 60_000);
    await env.db.kysely.updateTable('sessions').set({ last_seen_at: earlier }).where('id_hash', '=', hashSessionSecret(secret)).execute();
    expect(await whoAmI(client)).toBe(user.id);
    const slid = (await sessionRow(secret))!.last_seen_at;
    expect(new Date(slid).getTime()).toBeGreaterThan(earlier.getTime() + 9 * 60_000);
    expect(await whoAmI(client)).toBe(user.id);
    expect(new Date((await sessionRow(secret))!.last_seen_at).getTime()).toBe(new Date(slid).getTime());
  });

  it('ends a session past its absolute expiry even when in use', async () => {
    const { client, secret } = await signedIn();
    await env.db.kysely
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000), last_seen_at: new Date() })
      .where('id_hash', '=', hashSessionSecret(secret))
      .execute();
    expect(await whoAmI(client)).toBe(401);
  });

  it('sets the absolute expiry SESSION_ABSOLUTE_HOURS after sign-in', async () => {
    const { secret } = await signedIn();
    const row = (await sessionRow(secret))!;
    const hours = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / 3600_000;
    expect(hours).toBeCloseTo(env.config.SESSION_ABSOLUTE_HOURS, 1);
  });

  it('ends the sessions of an account when it is deactivated', async () => {
    const { client, user } = await signedIn();
    await env.db.kysely.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    expect(await whoAmI(client)).toBe(401);
  });

  it('treats an unknown session cookie as a visitor and clears it', async () => {
    const client = new TestClient(env.app);
    client.cookies.set('icat_session', 'made-up-session-value');
    const res = await client.request('/members');
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().some((c) => c.startsWith('icat_session=;') || /icat_session=.*Max-Age=0/i.test(c))).toBe(true);
  });
});

describe('signing out', () => {
  it('signs out of this browser only', async () => {
    const u = await makeUser(env);
    const one = await signedIn(u);
    const two = await signedIn(u);
    const res = await one.client.postForm('/sign-out', {});
    expect(res.status).toBe(303);
    expect(await sessionRow(one.secret)).toBeUndefined();
    expect(await whoAmI(one.client)).toBe(401);
    expect(await whoAmI(two.client)).toBe(u.id);
  });

  it('signs out everywhere, ending every session of the person', async () => {
    const u = await makeUser(env);
    const one = await signedIn(u);
    const two = await signedIn(u);
    const other = await signedIn();
    const res = await one.client.postForm('/account/sessions/sign-out-everywhere', {});
    expect(res.status).toBe(303);
    expect(await whoAmI(one.client)).toBe(401);
    expect(await whoAmI(two.client)).toBe(401);
    expect(await whoAmI(other.client)).toBe(other.user.id);
    const audit = await env.db.kysely.selectFrom('audit_log').select('action').where('record_id', '=', u.id).execute();
    expect(audit.map((a) => a.action)).toContain('session.sign_out_everywhere');
  });

  it('lists my sessions on the account page, marking this browser', async () => {
    const u = await makeUser(env);
    await signedIn(u);
    const mine = await signedIn(u);
    const html = await (await mine.client.request('/account')).text();
    expect(html.match(/this browser/g)).toHaveLength(1);
    expect(html).toContain('Sign out everywhere');
  });
});
