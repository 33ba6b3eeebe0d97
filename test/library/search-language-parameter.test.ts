import fs from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSavedSearch, listSavedSearches } from '../../src/domain/alerts/saved-searches.ts';
import { canonicalSearchQuery } from '../../src/domain/alerts/alert-schemas.ts';
import { upgradeOldSearchQuery } from '../../src/domain/search/search-schemas.ts';
import { newId, newSecret } from '../../src/lib/ids.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';
import { makePublication } from '../support/publications.ts';

let env: TestEnv;
let person: TestUser;
let spanish: string;
let french: string;
const word = `lp${Date.now().toString(36)}`;

beforeAll(async () => {
  env = await createTestEnv();
  const org = await makeOrg(env);
  person = await makeUser(env, { org });
  spanish = (await makePublication(env, org.id, { defaultLanguage: 'es', languages: [{ lang: 'es', title: `Orientación ${word}`, summary: '', keyQuestions: [], body: '' }] })).id;
  french = (await makePublication(env, org.id, { defaultLanguage: 'fr', languages: [{ lang: 'fr', title: `Orientation ${word}`, summary: '', keyQuestions: [], body: '' }] })).id;
});
afterAll(() => env.close());

const upgraded = (q: string) => upgradeOldSearchQuery(new URLSearchParams(q))?.toString() ?? null;

describe('the language of the text and the language of the interface', () => {
  it('are two parameters on the library page: language filters, the interface follows lang, the cookie or the browser', async () => {
    const client = new TestClient(env.app);
    client.cookies.set('icat_lang', 'ar');
    const res = await client.request(`/library?q=${word}&language=es`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain(`href="/library/${spanish}`);
    expect(html).not.toContain(`href="/library/${french}`);
    expect(html).toMatch(/name="language" value="es" checked/);
    // The language switcher keeps the filter and changes only the interface.
    expect(html).toContain(`href="/language/fr?next=${encodeURIComponent(`/library?q=${word}&language=es`)}"`);

    const both = await (await client.request(`/library?q=${word}&language=fr&lang=en`)).text();
    expect(both).toContain('<html lang="en" dir="ltr">');
    expect(both).toContain(`href="/library/${french}`);
    expect(both).not.toContain(`href="/library/${spanish}`);
  });

  it('read an address in the old form by moving it for good: lang becomes language and stays the interface language', async () => {
    const res = await env.app.request(`http://localhost/library?q=${word}&lang=fr&lang=es&kind=paper`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`/library?q=${word}&kind=paper&language=fr&language=es&lang=fr`);
    const feed = await env.app.request('http://localhost/library/feed.atom?kind=issue_brief&lang=ru');
    expect(feed.status).toBe(301);
    expect(feed.headers.get('location')).toBe('/library/feed.atom?kind=issue_brief&language=ru&lang=ru');
    // An empty language parameter is the current form: every language, the interface from lang.
    const current = await env.app.request(`http://localhost/library?q=${word}&language=&lang=fr`);
    expect(current.status).toBe(200);
    const html = await current.text();
    expect(html).toContain('<html lang="fr" dir="ltr">');
    expect(html).toContain(`href="/library/${spanish}`);
    expect(html).toContain(`href="/library/${french}`);

    expect(upgraded('q=a&lang=zz')).toBe('q=a&language=zz');
    expect(upgraded('q=a&language=fr&lang=en')).toBeNull();
    expect(upgraded('q=a')).toBeNull();
  });

  it('is language in the search API, where the old lang is still read as the filter when language is absent', async () => {
    const ids = async (query: string) => {
      const body = (await (await env.app.request(`http://localhost/api/v1/search?q=${word}&${query}`)).json()) as { results: { id: string }[] };
      return body.results.map((r) => r.id);
    };
    expect(await ids('language=es')).toEqual([spanish]);
    expect(await ids('lang=es')).toEqual([spanish]);
    expect(await ids('language=fr&lang=es')).toEqual([french]);
    expect((await ids('ui=ar')).sort()).toEqual([spanish, french].sort());
  });

  it('is stored as language in saved searches, whichever form they were given in, and old stored searches are migrated', async () => {
    expect(canonicalSearchQuery(`/library?lang=fr&q=${word}&lang=es`)).toBe(`q=${word}&language=es&language=fr`);
    expect(canonicalSearchQuery(`?q=${word}&language=fr&lang=ar`)).toBe(`q=${word}&language=fr`);
    const saved = await createSavedSearch(env.ctx(person.actor), { name: 'Old form', query: `q=${word}&lang=es` });
    expect(saved).toMatchObject({ query: `q=${word}&language=es`, url: `/library?q=${word}&language=es` });

    // A search stored before migration 0016, in the old form.
    const id = newId('srch');
    await env.db.kysely
      .insertInto('saved_searches')
      .values({ id, user_id: person.id, email: null, language: null, name: 'Stored before', query: `kind=paper&lang=fr&lang=ru&org=o1`, frequency: 'none', unsubscribe_token: newSecret(32) })
      .execute();
    const migration = fs.readFileSync(new URL('../../src/db/migrations/0016_search_language_parameter.sql', import.meta.url), 'utf8');
    await sql.raw(migration).execute(env.db.kysely);
    const row = await env.db.kysely.selectFrom('saved_searches').select('query').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.query).toBe('kind=paper&language=fr&language=ru&org=o1');
    expect(canonicalSearchQuery(row.query)).toBe(row.query);
    expect((await listSavedSearches(env.ctx(person.actor))).find((s) => s.id === id)?.url).toBe('/library?kind=paper&language=fr&language=ru&org=o1');
  });
});
