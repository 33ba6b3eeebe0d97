import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANGUAGES, type Language } from '../src/domain/languages.ts';
import { missingKeys, translator } from '../src/i18n/i18n.ts';
import { createTestEnv, TestClient, type TestEnv } from './support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from './support/factories.ts';
import { inlineCode, untranslatedKeys } from './support/html.ts';

const PLURAL = /_(zero|one|two|few|many|other)$/;
/** Keys without their plural suffix: languages have different plural forms (Chinese only "other"). */
const baseKeys = (keys: string[]) => [...new Set(keys.map((k) => k.replace(PLURAL, '')))];

describe('the message catalogues', () => {
  it('give French every English key', () => {
    expect(missingKeys('fr')).toEqual([]);
  });

  it.each(['ar', 'es', 'ru', 'zh'] as const)('translate the layout, navigation, home and members pages into %s', (lang) => {
    const covered = /^(site|nav|footer|home|members|org|orgKind|orgType|pager)\./;
    const missing = baseKeys(missingKeys(lang).filter((k) => covered.test(k)));
    // A plural key is missing only if the language has none of its forms.
    expect(missing.filter((k) => translator(lang)(k, { count: 2, formatted: '2' }) === k)).toEqual([]);
  });

  it('fall back to English, key by key, where a language is incomplete', () => {
    expect(translator('zh')('admin.org.create')).toBe(translator('en')('admin.org.create'));
    expect(translator('fr')('admin.org.create')).not.toBe(translator('en')('admin.org.create'));
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

  beforeAll(async () => {
    env = await createTestEnv();
    const org = await makeOrg(env, { description: { en: 'An organization for translation tests.' }, chairYears: [2021], website: 'https://example.org' });
    orgSlug = org.slug;
    admin = await makeUser(env, { role: 'administrator' });
    userId = (await makeUser(env, { role: 'focal_point', org })).id;
  });
  afterAll(() => env.close());

  const publicPages = () => ['/', '/members', '/members?kind=member&q=test', `/members/${orgSlug}`, '/api', '/sign-in', '/password/forgot', '/no-such-page'];
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
  ];

  it.each(LANGUAGES)('shows no untranslated key to a visitor in %s', async (lang: Language) => {
    const client = new TestClient(env.app);
    client.cookies.set('icat_lang', lang);
    for (const path of publicPages()) {
      const html = await (await client.request(path)).text();
      expect(html, path).toContain(`lang="${lang}"`);
      expect(untranslatedKeys(html), `${path} in ${lang}`).toEqual([]);
      expect(inlineCode(html), path).toEqual([]);
    }
  });

  it.each(['en', 'fr', 'ar'] as const)('shows no untranslated key to an administrator in %s', async (lang) => {
    const client = new TestClient(env.app);
    await signIn(client, admin);
    client.cookies.set('icat_lang', lang);
    for (const path of adminPages()) {
      const res = await client.request(path);
      expect(res.status, path).toBe(200);
      const html = await res.text();
      expect(untranslatedKeys(html), `${path} in ${lang}`).toEqual([]);
      expect(inlineCode(html), path).toEqual([]);
    }
  });
});
