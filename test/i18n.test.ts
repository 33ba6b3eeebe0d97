import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '../src/domain/languages.ts';
import { direction, flatCatalogue, translator } from '../src/i18n/i18n.ts';
import { createTestEnv, TestClient, type TestEnv } from './support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from './support/factories.ts';
import { inlineCode, untranslatedKeys } from './support/html.ts';
import { makePublication, publicationInput } from './support/publications.ts';
import { updatePublication } from '../src/domain/publications/save-publication.ts';
import { createSavedSearch } from '../src/domain/alerts/saved-searches.ts';
import { confirmSubscription, subscribeToSearch } from '../src/domain/alerts/subscriptions.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;
const PLURAL_ORDER = ['zero', 'one', 'two', 'few', 'many', 'other'];
const placeholders = (text: string) => new Set([...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1]!));

/**
 * The keys a language must have: every English key, and for each English plural the forms the
 * language has (i18next uses Intl.PluralRules: Arabic six, Russian four, French and Spanish
 * one/many/other, Chinese only other).
 */
function expectedKeys(lang: Language): string[] {
  const categories = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
  const keys: string[] = [];
  for (const key of Object.keys(flatCatalogue('en'))) {
    const base = key.replace(PLURAL, '');
    if (base === key) keys.push(key);
    else if (!keys.includes(`${base}_other`)) keys.push(...PLURAL_ORDER.filter((c) => categories.includes(c as Intl.LDMLPluralRule)).map((c) => `${base}_${c}`));
  }
  return keys;
}

describe('the message catalogues', () => {
  it.each(LANGUAGES.filter((l) => l !== 'en'))('give %s every English key, each plural in every form the language has, and nothing else', (lang) => {
    const catalogue = flatCatalogue(lang);
    const expected = expectedKeys(lang);
    expect(expected.filter((k) => !(k in catalogue)), `missing in ${lang}`).toEqual([]);
    expect(Object.keys(catalogue).filter((k) => !expected.includes(k)), `in ${lang} but not in English`).toEqual([]);
  });

  it.each(LANGUAGES.filter((l) => l !== 'en'))('keep the placeholders of English in %s', (lang) => {
    const en = flatCatalogue('en');
    const catalogue = flatCatalogue(lang);
    const wrong: string[] = [];
    for (const [key, text] of Object.entries(catalogue)) {
      const base = key.replace(PLURAL, '');
      // A plural form may leave out the number where the language names it in words ("one", "two").
      const english = base === key ? placeholders(en[key] ?? '') : new Set(Object.keys(en).filter((k) => k.replace(PLURAL, '') === base).flatMap((k) => [...placeholders(en[k]!)]));
      const optional = base !== key && /_(zero|one|two)$/.test(key) ? ['count', 'formatted'] : [];
      const own = placeholders(text);
      const lacking = [...english].filter((p) => !own.has(p) && !optional.includes(p));
      const unknown = [...own].filter((p) => !english.has(p));
      if (lacking.length || unknown.length) wrong.push(`${key}: lacks {${lacking.join(',')}} has unknown {${unknown.join(',')}}`);
    }
    expect(wrong).toEqual([]);
  });

  it('translate, not copy: the interface of the library alerts and the version history differs from English in every language', () => {
    for (const lang of LANGUAGES.filter((l) => l !== 'en')) {
      for (const key of ['alerts.subscribe.title', 'alerts.confirm.doneTitle', 'library.history.title', 'library.facet.language', 'mail.alertConfirm.subject']) {
        expect(translator(lang)(key), `${key} in ${lang}`).not.toBe(translator('en')(key));
      }
    }
  });
});

describe('untranslatedKeys', () => {
  it('finds a key shown instead of its text, and an unfilled placeholder', () => {
    expect(untranslatedKeys('<p>home.nothing.here</p><a aria-label="admin.missing">x</a><p>Hello {{name}}</p>')).toEqual([
      'home.nothing.here',
      'admin.missing',
      '{{name}}',
    ]);
  });

  it('inlineCode finds inline scripts, styles and handlers but not script files', () => {
    expect(inlineCode('<script type="module" src="/a.js"></script><p style="color:red" onclick="x()">a</p><script>1</script>')).toEqual([
      '<script>',
      ' style="color:red"',
      ' onclick="x()"',
    ]);
  });

  it('ignores code samples, addresses and ordinary sentences', () => {
    expect(untranslatedKeys('<code>nav.home</code><p>See www.iom.int or /members/unodc. Members, home.</p>')).toEqual([]);
  });
});

describe('every page', () => {
  let env: TestEnv;
  let admin: TestUser;
  let orgSlug: string;
  let userId: string;
  let pubId: string;
  let confirmToken: string;
  let unsubscribeToken: string;

  beforeAll(async () => {
    env = await createTestEnv();
    const org = await makeOrg(env, { description: { en: 'An organization for translation tests.' }, chairYears: [2021], website: 'https://example.org' });
    orgSlug = org.slug;
    admin = await makeUser(env, { role: 'administrator' });
    userId = (await makeUser(env, { role: 'focal_point', org })).id;
    const pub = await makePublication(env, org.id, { languages: [{ lang: 'en', title: 'Translation test brief', summary: 'A summary.', keyQuestions: ['Why?'], body: '' }] });
    await updatePublication(env.ctx(), pub.id, { ...publicationInput(org.id, { languages: [{ lang: 'en', title: 'Translation test brief, revised', summary: 'A summary.', keyQuestions: ['Why?'], body: '' }] }), version: pub.version });
    pubId = pub.id;
    await createSavedSearch(env.ctx(admin.actor), { name: 'Translation test search', query: 'q=translation', frequency: 'weekly' });
    // A reader's subscription, to open its confirmation and unsubscribe pages (opening them uses nothing).
    await subscribeToSearch(env.ctx(), { email: 'i18n.reader@example.org', query: 'q=translation', frequency: 'daily' });
    const mail = await env.db.kysely.selectFrom('mail_outbox').select('text_body').where('to_address', '=', 'i18n.reader@example.org').executeTakeFirstOrThrow();
    confirmToken = /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;
    await confirmSubscription(env.ctx(), confirmToken);
    unsubscribeToken = (await env.db.kysely.selectFrom('saved_searches').select('unsubscribe_token').where('email', '=', 'i18n.reader@example.org').executeTakeFirstOrThrow()).unsubscribe_token;
    // A second one left waiting for its confirmation.
    await subscribeToSearch(env.ctx(), { email: 'i18n.reader@example.org', query: 'q=pending', frequency: 'weekly' });
    const pending = await env.db.kysely.selectFrom('mail_outbox').select('text_body').where('to_address', '=', 'i18n.reader@example.org').orderBy('id', 'desc').executeTakeFirstOrThrow();
    confirmToken = /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec(pending.text_body)![1]!;
  });
  afterAll(() => env.close());

  const publicPages = () => [
    '/',
    '/members',
    '/members?kind=member&q=test',
    `/members/${orgSlug}`,
    '/api',
    '/sign-in',
    '/password/forgot',
    '/no-such-page',
    '/library',
    '/library?q=translation&language=en',
    `/library/${pubId}`,
    `/alerts/confirm/${confirmToken}`,
    `/alerts/unsubscribe/${unsubscribeToken}`,
  ];
  const adminPages = () => [
    '/admin',
    '/admin/organizations',
    '/admin/organizations/new',
    `/admin/organizations/${orgSlug}/edit`,
    '/admin/users',
    `/admin/users/${userId}`,
    '/admin/invitations',
    '/admin/tokens',
    '/admin/audit',
    '/account',
    '/account/searches',
    `/library/${pubId}/history`,
    `/library/${pubId}/history/2`,
  ];

  it.each(LANGUAGES)('shows no untranslated key to a visitor in %s', async (lang: Language) => {
    const client = new TestClient(env.app);
    client.cookies.set('icat_lang', lang);
    for (const path of publicPages()) {
      const res = await client.request(path);
      expect(res.status, path).toBe(path === '/no-such-page' ? 404 : 200);
      const html = await res.text();
      expect(html, path).toContain(`<html lang="${lang}" dir="${direction(lang)}">`);
      expect(untranslatedKeys(html), `${path} in ${lang}`).toEqual([]);
      expect(inlineCode(html), path).toEqual([]);
    }
  });

  it.each(LANGUAGES)('shows no untranslated key to an administrator in %s', async (lang: Language) => {
    const client = new TestClient(env.app);
    await signIn(client, admin);
    client.cookies.set('icat_lang', lang);
    for (const path of adminPages()) {
      const res = await client.request(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(html, path).toContain(`<html lang="${lang}" dir="${direction(lang)}">`);
      expect(untranslatedKeys(html), `${path} in ${lang}`).toEqual([]);
      expect(inlineCode(html), path).toEqual([]);
    }
  });
});
