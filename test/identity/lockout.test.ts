import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../../src/domain/actor.ts';
import { signIn as domainSignIn, SIGN_IN_LIMITS } from '../../src/domain/identity/sessions.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeUser } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const attempt = (email: string, password: string) => new TestClient(env.app).postForm('/sign-in', { email, password });
const throttle = (key: string) => env.db.kysely.selectFrom('sign_in_throttle').selectAll().where('key', '=', key).executeTakeFirst();

describe('sign-in lockout', () => {
  it('locks an e-mail address for 15 minutes after 5 failures, even for the right password', async () => {
    const u = await makeUser(env);
    for (let i = 1; i < SIGN_IN_LIMITS.perEmail; i++) expect((await attempt(u.email, `wrong password ${i}`)).status).toBe(401);
    const fifth = await attempt(u.email, 'wrong password 5');
    expect(fifth.status).toBe(429);
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    expect(await fifth.text()).toContain('Too many failed attempts');
    const right = await attempt(u.email, u.password);
    expect(right.status).toBe(429);
    expect(right.headers.getSetCookie().some((c) => c.startsWith('icat_session='))).toBe(false);
  });

  it('answers RATE_LIMITED with retryAfterSeconds from the domain function', async () => {
    const u = await makeUser(env);
    const ctx = { ...env.ctx(anonymous) };
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail - 1; i++) {
      await expect(domainSignIn(ctx, { email: u.email, password: 'nope nope nope' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    await expect(domainSignIn(ctx, { email: u.email, password: 'nope nope nope' })).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: expect.any(Number),
    });
  });

  it('lets the person in again once the lock has passed, and a success resets the counter', async () => {
    const u = await makeUser(env);
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail; i++) await attempt(u.email, 'wrong password again');
    const key = `email:${u.email}`;
    expect((await throttle(key))?.locked_until).not.toBeNull();
    const past = new Date(Date.now() - 16 * 60_000);
    await env.db.kysely.updateTable('sign_in_throttle').set({ locked_until: past, window_start: past }).where('key', '=', key).execute();
    const res = await attempt(u.email, u.password);
    expect(res.status).toBe(303);
    expect(await throttle(key)).toBeUndefined();
    // A fresh window: four more failures do not lock.
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail - 1; i++) expect((await attempt(u.email, 'wrong once more')).status).toBe(401);
  });

  it('counts unknown addresses too, so a lock reveals nothing about which accounts exist', async () => {
    const email = 'nobody.at.all@example.org';
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail - 1; i++) expect((await attempt(email, 'whatever password')).status).toBe(401);
    expect((await attempt(email, 'whatever password')).status).toBe(429);
  });

  it('locks a client address after 50 failures across any addresses', async () => {
    const u = await makeUser(env);
    const ctx = { ...env.ctx(anonymous), ip: '203.0.113.77' };
    await env.db.kysely
      .insertInto('sign_in_throttle')
      .values({ key: 'ip:203.0.113.77', failures: SIGN_IN_LIMITS.perIp - 1, window_start: new Date(), locked_until: null })
      .execute();
    await expect(domainSignIn(ctx, { email: 'another.person@example.org', password: 'guessing guessing' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(domainSignIn(ctx, { email: u.email, password: u.password })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    // The same person from another address is not affected.
    await expect(domainSignIn({ ...ctx, ip: '198.51.100.1' }, { email: u.email, password: u.password })).resolves.toMatchObject({ actor: { userId: u.id } });
  });

  it('records failures and successes in the audit log without the password', async () => {
    const u = await makeUser(env);
    await attempt(u.email, 'a wrong password here');
    await attempt(u.email, u.password);
    const rows = await env.db.kysely.selectFrom('audit_log').selectAll().where('record_id', '=', u.id).orderBy('id').execute();
    expect(rows.map((r) => r.action)).toEqual(['user.create', 'session.sign_in_failed', 'session.sign_in']);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('a wrong password here');
    expect(text).not.toContain(u.password);
  });
});
