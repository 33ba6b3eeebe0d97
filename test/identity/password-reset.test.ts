import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { lastMailTo, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const NEW_PASSWORD = 'a brand new passphrase';

async function requestLink(email: string) {
  const res = await new TestClient(env.app).postForm('/password/forgot', { email });
  expect(res.status).toBe(200);
  return res.text();
}

describe('password reset', () => {
  it('mails a one-hour link built from BASE_URL, in the person’s language', async () => {
    const u = await makeUser(env, { preferredLanguage: 'fr' });
    await requestLink(u.email);
    const mail = await lastMailTo(env, u.email);
    expect(mail?.link).toMatch(/^http:\/\/localhost\/password\/reset\//);
    expect(mail?.subject).toContain('Réinitialisez');
    const row = await env.db.kysely.selectFrom('password_resets').selectAll().where('user_id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.token_hash).not.toBe(mail?.token);
    const minutes = (new Date(row.expires_at).getTime() - new Date(row.created_at).getTime()) / 60_000;
    expect(minutes).toBeCloseTo(60, 0);
  });

  it('answers the same whether or not the address has an account, and mails nobody for an unknown one', async () => {
    const u = await makeUser(env);
    const known = await requestLink(u.email);
    const unknownAddress = 'no.such.person@example.org';
    const unknown = await requestLink(unknownAddress);
    const strip = (html: string, email: string) => html.replace(email, 'EMAIL').replace(/name="_csrf" value="[^"]*"/g, '');
    expect(strip(unknown, unknownAddress)).toBe(strip(known, u.email));
    expect(await lastMailTo(env, unknownAddress)).toBeUndefined();
  });

  it('sets a new password, ends every session, and works only once', async () => {
    const u = await makeUser(env);
    const browser = new TestClient(env.app);
    await signIn(browser, u);
    await requestLink(u.email);
    const { token } = (await lastMailTo(env, u.email))!;
    const client = new TestClient(env.app);
    expect((await client.request(`/password/reset/${token}`)).status).toBe(200);
    const res = await client.postForm(`/password/reset/${token}`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?notice=identity.passwordReset');
    expect((await browser.request('/api/v1/me')).status).toBe(401);
    await signIn(new TestClient(env.app), { email: u.email, password: NEW_PASSWORD });
    expect((await new TestClient(env.app).postForm('/sign-in', { email: u.email, password: u.password })).status).toBe(401);

    const again = await client.postForm(`/password/reset/${token}`, { password: 'yet another passphrase', confirm: 'yet another passphrase' });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('This link no longer works');
    expect((await client.request(`/password/reset/${token}`)).status).toBe(404);
  });

  it('refuses an expired link', async () => {
    const u = await makeUser(env);
    await requestLink(u.email);
    const { token } = (await lastMailTo(env, u.email))!;
    await env.db.kysely.updateTable('password_resets').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', u.id).execute();
    const hashBefore = (await env.db.kysely.selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow()).password_hash;
    const res = await new TestClient(env.app).postForm(`/password/reset/${token}`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD });
    expect(res.status).toBe(404);
    const row = await env.db.kysely.selectFrom('users').select('password_hash').where('id', '=', u.id).executeTakeFirstOrThrow();
    expect(row.password_hash).toBe(hashBefore);
    await signIn(new TestClient(env.app), u);
  });

  it('shows the password policy next to the field and keeps the link usable', async () => {
    const u = await makeUser(env);
    await requestLink(u.email);
    const { token } = (await lastMailTo(env, u.email))!;
    const client = new TestClient(env.app);
    const short = await client.postForm(`/password/reset/${token}`, { password: 'short', confirm: 'short' });
    expect(short.status).toBe(422);
    const html = await short.text();
    expect(html).toMatch(/id="f-password"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-password"/);
    expect(html).toContain('f-password-error');
    const same = await client.postForm(`/password/reset/${token}`, { password: u.email, confirm: u.email });
    expect(same.status).toBe(422);
    const mismatch = await client.postForm(`/password/reset/${token}`, { password: NEW_PASSWORD, confirm: 'something else entirely' });
    expect(mismatch.status).toBe(422);
    expect((await client.postForm(`/password/reset/${token}`, { password: NEW_PASSWORD, confirm: NEW_PASSWORD })).status).toBe(303);
  });

  it('never writes the link’s token to the request log', async () => {
    const { redactPath } = await import('../../src/http/middleware/request-log.ts');
    expect(redactPath('/password/reset/abcDEF123')).toBe('/password/reset/[redacted]');
    expect(redactPath('/invitations/abcDEF123')).toBe('/invitations/[redacted]');
    expect(redactPath('/members/unodc')).toBe('/members/unodc');
  });
});
