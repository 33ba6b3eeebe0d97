import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { bearer, makeOrg, makeToken, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, untranslatedKeys } from '../support/html.ts';
import { makePublication } from '../support/publications.ts';

let env: TestEnv;
let org: Organization;
let staff: TestUser;
let n = 0;
const word = () => `zh${Date.now().toString(36)}y${++n}`;

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env);
  staff = await makeUser(env, { org });
});
afterAll(() => env.close());

const publish = (title: string) => makePublication(env, org.id, { languages: [{ lang: 'en', title, summary: '', keyQuestions: [], body: '' }] });
const lastMail = async (to: string) =>
  env.db.kysely.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).orderBy('id', 'desc').executeTakeFirst();

function checkPage(html: string) {
  expect(untranslatedKeys(html)).toEqual([]);
  expect(inlineCode(html)).toEqual([]);
}

describe('saving a search from the library', () => {
  it('offers the form to people, lists the search in the account with its new matches, and opens it', async () => {
    const q = word();
    const browser = new TestClient(env.app);
    await signIn(browser, staff);
    for (const lang of ['en', 'fr']) {
      browser.cookies.set('icat_lang', lang);
      const html = await (await browser.request(`/library?q=${q}&kind=issue_brief`)).text();
      checkPage(html);
      expect(html).toContain('action="/library/saved"');
      expect(html).toContain(`name="query" value="q=${q}&amp;kind=issue_brief"`);
    }
    const saved = await browser.postForm('/library/saved', { name: 'Briefs', query: `q=${q}&kind=issue_brief`, frequency: 'weekly' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/account/searches?notice=alerts.saved');

    await publish(`${q} new brief`);
    browser.cookies.set('icat_lang', 'en');
    const list = await (await browser.request('/account/searches')).text();
    checkPage(list);
    expect(list).toContain('Briefs');
    expect(list).toContain('1 new');
    const id = /\/account\/searches\/(srch_[a-z0-9]+)\/open/.exec(list)![1]!;

    const open = await browser.request(`/account/searches/${id}/open`);
    expect(open.status).toBe(303);
    expect(open.headers.get('location')).toBe(`/library?q=${q}&kind=issue_brief`);
    expect(await (await browser.request('/account/searches')).text()).toContain('Nothing new');

    const again = await browser.postForm('/library/saved', { name: 'Again', query: `kind=issue_brief&q=${q}`, frequency: 'none' });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain('You have already saved this search.');

    expect((await browser.postForm(`/account/searches/${id}`, { name: 'Renamed briefs', frequency: 'daily' })).status).toBe(303);
    browser.cookies.set('icat_lang', 'fr');
    const renamed = await (await browser.request('/account/searches')).text();
    browser.cookies.set('icat_lang', 'en');
    checkPage(renamed);
    expect(renamed).toContain('Renamed briefs');
    expect(renamed).toMatch(/<option value="daily" selected/);
    expect((await browser.postForm(`/account/searches/${id}/delete`, {})).status).toBe(303);
    expect(await (await browser.request('/account/searches')).text()).not.toContain('Renamed briefs');
  });

  it('refuses a form without the anti-forgery token, and sends visitors to sign in', async () => {
    const browser = new TestClient(env.app);
    await signIn(browser, staff);
    const forged = await browser.request('/library/saved', { method: 'POST', body: new URLSearchParams({ name: 'x', query: 'q=x' }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(forged.status).toBe(403);
    const visitor = await new TestClient(env.app).request('/account/searches');
    expect([302, 303, 401]).toContain(visitor.status);
  });
});

describe('e-mail alerts for visitors', () => {
  it('confirm with a button on the landing page, once, and unsubscribe with one click', async () => {
    const q = word();
    const visitor = new TestClient(env.app);
    visitor.cookies.set('icat_lang', 'fr');
    const page = await (await visitor.request(`/library?q=${q}`)).text();
    checkPage(page);
    expect(page).toContain('action="/library/subscribe"');
    expect(page).not.toContain('action="/library/saved"');

    const email = `reader.${q}@example.org`;
    const asked = await visitor.postForm('/library/subscribe', { email, query: `q=${q}`, frequency: 'daily' });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe(`/library?q=${q}&notice=alerts.confirmSent`);
    const confirmMail = (await lastMail(email))!;
    expect(confirmMail.subject).toContain('Confirmez');
    const confirmPath = /\/alerts\/confirm\/[A-Za-z0-9_-]+/.exec(confirmMail.text_body)![0];

    const landing = await visitor.request(confirmPath);
    expect(landing.status).toBe(200);
    checkPage(await landing.text());
    const confirmed = await visitor.postForm(confirmPath, {});
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain('Votre alerte par courriel est activée');
    expect((await visitor.postForm(confirmPath, {})).status).toBe(404);
    expect((await visitor.request(confirmPath)).status).toBe(404);

    const row = await env.db.kysely.selectFrom('saved_searches').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    const unsubscribePath = `/alerts/unsubscribe/${row.unsubscribe_token}`;
    const unsubscribeLanding = await new TestClient(env.app).request(unsubscribePath);
    expect(unsubscribeLanding.status).toBe(200);
    checkPage(await unsubscribeLanding.text());
    // RFC 8058: the mail client posts without cookies or a form token.
    const oneClick = await env.app.request(`http://localhost${unsubscribePath}`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(oneClick.status).toBe(200);
    expect(await env.db.kysely.selectFrom('saved_searches').select('id').where('email', '=', email).execute()).toEqual([]);
    expect((await visitor.request(unsubscribePath)).status).toBe(404);
  });

  it('show the address error beside the field, and refuse a flood with 429', async () => {
    const visitor = new TestClient(env.app);
    const bad = await visitor.postForm('/library/subscribe', { email: 'not an address', query: 'q=x', frequency: 'weekly' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('aria-invalid="true"');
    const email = `flood.${word()}@example.org`;
    let last: Response | undefined;
    for (let i = 0; i < 4; i++) last = await visitor.postForm('/library/subscribe', { email, query: `q=${word()}`, frequency: 'weekly' });
    expect(last?.status).toBe(429);
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('the saved-search API', () => {
  it('creates, lists with new-match counts, updates and deletes; a read token reads but does not write', async () => {
    const q = word();
    const { secret: write } = await makeToken(env, staff, { scopes: ['read', 'write'] });
    const json = { ...bearer(write), 'content-type': 'application/json' };
    const created = await env.app.request('http://localhost/api/v1/saved-searches', { method: 'POST', headers: json, body: JSON.stringify({ name: 'API', query: `?q=${q}&page=4` }) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; query: string; url: string; frequency: string };
    expect(body).toMatchObject({ query: `q=${q}`, url: `/library?q=${q}`, frequency: 'none' });

    await publish(`${q} via api`);
    const list = (await (await env.app.request('http://localhost/api/v1/saved-searches', { headers: bearer(write) })).json()) as { items: { id: string; newMatches: number }[] };
    expect(list.items.find((s) => s.id === body.id)?.newMatches).toBe(1);

    const dup = await env.app.request('http://localhost/api/v1/saved-searches', { method: 'POST', headers: json, body: JSON.stringify({ name: 'Dup', query: `q=${q}` }) });
    expect(dup.status).toBe(409);
    const bad = await env.app.request(`http://localhost/api/v1/saved-searches/${body.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ frequency: 'hourly' }) });
    expect(bad.status).toBe(422);
    const patched = await env.app.request(`http://localhost/api/v1/saved-searches/${body.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ frequency: 'weekly' }) });
    expect(((await patched.json()) as { frequency: string }).frequency).toBe('weekly');

    const { secret: read } = await makeToken(env, staff, { scopes: ['read'] });
    expect((await env.app.request('http://localhost/api/v1/saved-searches', { headers: bearer(read) })).status).toBe(200);
    const refused = await env.app.request(`http://localhost/api/v1/saved-searches/${body.id}`, { method: 'DELETE', headers: bearer(read) });
    expect(refused.status).toBe(403);
    expect((await env.app.request(`http://localhost/api/v1/saved-searches/${body.id}`, { method: 'DELETE', headers: bearer(write) })).status).toBe(204);
  });
});
