import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
let slug: string;
let org: Organization;
beforeAll(async () => {
  env = await createTestEnv();
  org = await createOrganization(env.ctx(), {
    kind: 'member',
    acronym: 'PGT',
    slug: 'pgt',
    orgType: 'un_entity',
    name: { en: 'Page Test Organization', fr: 'Organisation de test des pages' },
    description: { en: 'Tests the public pages.', fr: 'Teste les pages publiques.' },
    website: 'https://pgt.example.org/',
    iatiRef: 'XM-TEST-1',
    chairYears: [2019, 2021],
  });
  slug = org.slug;
  await makeOrg(env, { kind: 'observer', acronym: 'OBSV', name: { en: 'Observing Body' } });
  await makeUser(env, { role: 'focal_point', org, name: 'Fiona Focal', email: 'fiona@pgt.example.org' });
  await makeUser(env, { role: 'staff', org, name: 'Sam Staff', email: 'sam@pgt.example.org' });
});
afterAll(() => env.close());

const visitor = (lang?: string) => {
  const c = new TestClient(env.app);
  if (lang) c.cookies.set('icat_lang', lang);
  return c;
};
const html = async (client: TestClient, path: string) => {
  const res = await client.request(path);
  return { status: res.status, body: await res.text(), res };
};

describe('the home page', () => {
  it('says what ICAT is, its four functions, headline figures and the latest updates', async () => {
    const { status, body } = await html(visitor(), '/');
    expect(status).toBe(200);
    expect(body).toContain('Four functions, one platform');
    for (const f of ['Exchange', 'Implement the instruments', 'A holistic approach', 'Use resources well']) expect(body).toContain(f);
    expect(body).toContain('Member organizations');
    expect(body).toContain('Latest updates');
    expect(body).toContain('Page Test Organization');
  });

  it('lists the latest updates across all organizations, not only the first ones by name', async () => {
    // More organizations than the home page lists, the newest one last by name (a database of its own).
    const many = await createTestEnv();
    try {
      await makeOrg(many, { kind: 'member', acronym: 'MEMB' });
      for (let i = 0; i < 205; i++) await makeOrg(many, { kind: 'partner', acronym: `AAA${String(i).padStart(3, '0')}` });
      await makeOrg(many, { kind: 'partner', acronym: 'ZZZNEWEST', name: { en: 'Newest Partner' } });
      const body = await (await new TestClient(many.app).request('/')).text();
      const latest = body.slice(body.indexOf('id="latest-title"'), body.indexOf('id="members-title"'));
      expect(latest).toContain('Newest Partner');
      // The members chips list members only.
      const chips = body.slice(body.indexOf('id="members-title"'));
      expect(chips).toContain('>MEMB<');
      expect(chips).not.toContain('AAA000');
    } finally {
      await many.close();
    }
  });

  it('renders in French with French text and lang="fr"', async () => {
    const { body } = await html(visitor('fr'), '/');
    expect(body).toContain('<html lang="fr" dir="ltr">');
    expect(body).toContain('Quatre fonctions, une plateforme');
    expect(body).toContain('Organisation de test des pages');
  });

  it('renders right to left in Arabic', async () => {
    const { body } = await html(visitor('ar'), '/');
    expect(body).toContain('<html lang="ar" dir="rtl">');
    expect(body).toContain('أربع وظائف، منصة واحدة');
  });

  it('carries no inline script or style, which the security policy forbids', async () => {
    const { body, res } = await html(visitor(), '/');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(body).not.toMatch(/\sstyle="/);
    expect(body).not.toMatch(/\son[a-z]+="/);
  });
});

describe('the members directory', () => {
  it('groups organizations by kind', async () => {
    const { body } = await html(visitor(), '/members');
    expect(body).toMatch(/<h2 id="kind-member">Members/);
    expect(body).toMatch(/<h2 id="kind-observer">Observers/);
    expect(body.indexOf('id="kind-member"')).toBeLessThan(body.indexOf('PGT'));
    expect(body.indexOf('PGT')).toBeLessThan(body.indexOf('id="kind-observer"'));
  });

  it('filters by kind and by text with a plain GET form', async () => {
    const form = (await html(visitor(), '/members')).body;
    expect(form).toMatch(/<form method="get" action="\/members"/);
    const observers = (await html(visitor(), '/members?kind=observer')).body;
    expect(observers).toContain('OBSV');
    expect(observers).not.toContain('>PGT<');
    const text = (await html(visitor(), '/members?q=page+test')).body;
    expect(text).toContain('PGT');
    expect(text).not.toContain('OBSV');
    expect(text).toContain('1 organization');
  });

  it('pages a large directory with a next link, keeping the filters', async () => {
    const many = await createTestEnv();
    try {
      for (let i = 0; i < 125; i++) await makeOrg(many, { kind: 'partner', acronym: `P${String(i).padStart(3, '0')}` });
      const client = new TestClient(many.app);
      const first = await (await client.request('/members?kind=partner')).text();
      expect(first).toContain('120 organizations on this page');
      expect(first).toContain('>P119<');
      expect(first).not.toContain('>P120<');
      const next = /<a href="([^"]+)" rel="next">/.exec(first)?.[1]?.replaceAll('&amp;', '&');
      expect(next).toMatch(/^\/members\?kind=partner&cursor=/);
      const second = await (await client.request(next!)).text();
      expect(second).toContain('5 organizations on this page');
      expect(second).toContain('>P124<');
      expect(second).not.toContain('>P119<');
      expect(second).not.toContain('rel="next"');
    } finally {
      await many.close();
    }
  });

  it('says so when nothing matches, and ignores an unknown kind', async () => {
    expect((await html(visitor(), '/members?q=zzzz-nothing')).body).toContain('No organization matches these filters.');
    const { status, body } = await html(visitor(), '/members?kind=bogus');
    expect(status).toBe(200);
    expect(body).toContain('OBSV');
  });
});

describe('an organization page', () => {
  it('shows the profile, chairing years, website and IATI identifier', async () => {
    const { status, body } = await html(visitor(), `/members/${slug}`);
    expect(status).toBe(200);
    expect(body).toContain('Page Test Organization');
    expect(body).toContain('Tests the public pages.');
    expect(body).toContain('2019 and 2021');
    expect(body).toContain('href="https://pgt.example.org/"');
    expect(body).toContain('XM-TEST-1');
  });

  it('hides the focal points from visitors and from staff of other organizations', async () => {
    expect((await html(visitor(), `/members/${slug}`)).body).not.toContain('Fiona Focal');
    const other = await makeUser(env, { role: 'staff' });
    const client = new TestClient(env.app);
    await signIn(client, other);
    expect((await html(client, `/members/${slug}`)).body).not.toContain('Fiona Focal');
  });

  it('shows the focal points to the organization’s own people and to coordinators', async () => {
    for (const person of [await makeUser(env, { role: 'staff', org }), await makeUser(env, { role: 'coordinator' })]) {
      const client = new TestClient(env.app);
      await signIn(client, person);
      const { body } = await html(client, `/members/${slug}`);
      expect(body).toContain('Fiona Focal');
      expect(body).toContain('fiona@pgt.example.org');
      expect(body).toContain('Sam Staff');
    }
  });

  it('answers an unknown organization with a not-found page', async () => {
    const { status, body } = await html(visitor(), '/members/no-such-org');
    expect(status).toBe(404);
    expect(body).toContain('Page not found');
  });
});

describe('the API reference', () => {
  it('lists every operation of the OpenAPI document, grouped by tag, with the problem format', async () => {
    const doc = (await (await visitor().request('/api/v1/openapi.json')).json()) as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const { status, body } = await html(visitor(), '/api');
    expect(status).toBe(200);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        expect(body, `${method} ${path}`).toContain(`<span class="method method-${method}">${method.toUpperCase()}</span> <code class="api-path">/api/v1${path}</code>`);
      }
    }
    expect(body).toContain('<h2 id="tag-Organizations-title">Organizations</h2>');
    expect(body).toContain('application/problem+json');
    expect(body).toContain('VERSION_CONFLICT');
    expect(body).toContain('Authorization: Bearer');
    expect(body).toContain('<code>name.en</code>');
  });

  it('uses no script and no other site', async () => {
    const { body } = await html(visitor(), '/api');
    expect(body.match(/<script[^>]*>/g)).toEqual([expect.stringMatching(/src="\/assets\/app\.[0-9a-f]{12}\.js"/)]);
    expect(body).not.toMatch(/(src|href)="https?:\/\/(?!127\.0\.0\.1|localhost)[^"]*\.(js|css)"/);
  });

  it('renders its headings in French', async () => {
    const { body } = await html(visitor('fr'), '/api');
    expect(body).toContain('Référence de l’API');
    expect(body).toContain('Authentification');
  });
});
