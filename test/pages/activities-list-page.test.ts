import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn } from '../support/factories.ts';
import { makeActivity } from '../support/activities.ts';
import { inlineCode, untranslatedKeys } from '../support/html.ts';

let env: TestEnv;
let org: Organization;
const titles: string[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env);
  for (let i = 0; i < 30; i++) {
    const title = `Kenya listing ${String(i).padStart(2, '0')}`;
    titles.push(title);
    await makeActivity(env, org.id, { title: { en: title, fr: `Fiche kenyane ${i}` }, countries: [{ code: 'KE', percentage: 100 }] });
  }
  await makeActivity(env, org.id, { title: { en: 'Brazilian listing' }, countries: [{ code: 'BR', percentage: 100 }] });
  await makeActivity(env, org.id, { title: { en: 'Draft listing' }, visibility: 'draft' });
});
afterAll(() => env.close());

const get = (path: string, client?: TestClient) => (client ? client.request(path) : env.app.request(`http://localhost${path}`));

describe('the activity list page', () => {
  it('shows the filters, counts and results with everything in the address', async () => {
    const res = await get('/activities?country=KE&sort=title');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<form method="get" action="/activities"');
    expect(html).toMatch(/<input type="checkbox" id="facet-country-KE" name="country" value="KE" checked=""/);
    expect(html).toMatch(/Kenya <span class="count">\(30\)<\/span>/);
    expect(html).toMatch(/Brazil <span class="count">\(1\)<\/span>/);
    expect(html).toContain('30 activities');
    expect(html).toContain('Kenya listing 00');
    expect(html).not.toContain('Brazilian listing');
    expect(html).not.toContain('Draft listing');
    expect(untranslatedKeys(html)).toEqual([]);
    expect(inlineCode(html)).toEqual([]);
  });

  it('pages with links that keep every filter, and each page continues where the last ended', async () => {
    const first = await (await get('/activities?country=KE&sort=title')).text();
    const next = /<a href="([^"]+)" rel="next">/.exec(first)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toMatch(/country=KE/);
    expect(next).toMatch(/sort=title/);
    expect(next).toMatch(/cursor=/);
    const second = await (await get(next!)).text();
    expect(second).toContain('Kenya listing 25');
    expect(second).not.toContain('Kenya listing 24');
    expect(second).toContain('First page');
  });

  it('links to exports that carry the current filters', async () => {
    const html = await (await get('/activities?country=KE&pillar=prevention&q=kenya')).text();
    for (const format of ['csv', 'xlsx', 'json']) {
      const link = new RegExp(`href="/activities/export\\.${format}\\?([^"]+)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
      expect(link, format).toBeDefined();
      const q = new URLSearchParams(link);
      expect(q.get('country')).toBe('KE');
      expect(q.get('pillar')).toBe('prevention');
      expect(q.get('q')).toBe('kenya');
    }
  });

  it('names invalid filters instead of failing', async () => {
    const res = await get('/activities?country=Kenya&from=yesterday');
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('country: An ISO 3166-1 alpha-2 code such as KE.');
    expect(html).toContain('from: ');
  });

  it('speaks French with French labels', async () => {
    const client = new TestClient(env.app);
    await client.request('/language/fr');
    const html = await (await client.request('/activities?country=KE')).text();
    expect(html).toContain('Appliquer les filtres');
    expect(html).toContain('30 activités');
    expect(html).toContain('Fiche kenyane');
    expect(untranslatedKeys(html)).toEqual([]);
  });

  it('shows staff their own drafts and the import link', async () => {
    const staff = await makeUser(env, { role: 'staff', org });
    const client = new TestClient(env.app);
    await signIn(client, staff);
    const html = await (await client.request('/activities?limit=200')).text();
    expect(html).toContain('Draft listing');
    expect(html).toContain('href="/activities/import"');
  });
});

describe('exports from the list page', () => {
  it('downloads CSV with the header, the HXL row and one line per activity under the filters', async () => {
    const res = await get('/activities/export.csv?country=BR');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="activities-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^id,iati_identifier,title_en,/);
    expect(lines[1]).toMatch(/^#activity \+id,#activity \+code,#activity \+title \+i_en,/);
    expect(lines[2]).toContain('Brazilian listing');
  });

  it('downloads JSON as an array of activities in the API’s shape', async () => {
    const res = await get('/activities/export.json?country=KE');
    const body = (await res.json()) as { id: string; title: { en: string }; countries: { code: string }[] }[];
    expect(body).toHaveLength(30);
    expect(body.every((a) => a.countries[0]?.code === 'KE')).toBe(true);
  });

  it('answers 404 for an unknown format', async () => {
    expect((await get('/activities/export.pdf')).status).toBe(404);
  });
});
