import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { getPublication } from '../../src/domain/publications/get-publication.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, untranslatedKeys } from '../support/html.ts';
import { makePdf } from '../support/pdf.ts';
import { makePublication } from '../support/publications.ts';

let env: TestEnv;
let org: Organization;
let focal: TestUser;
let brief: string;

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env);
  focal = await makeUser(env, { role: 'focal_point', org });
  brief = (
    await makePublication(env, org.id, {
      number: '02',
      published: '2017-06',
      themes: ['pillar:prevention'],
      languages: [
        { lang: 'en', title: 'Pre-departure orientation for migrant workers', summary: 'Orientation reduces the risk of exploitation.', keyQuestions: ['What works?', 'Who delivers it?'], body: '' },
        { lang: 'fr', title: 'Orientation avant le départ des travailleurs migrants', summary: 'L’orientation réduit le risque d’exploitation.', keyQuestions: [], body: '' },
      ],
    })
  ).id;
  await makePublication(env, org.id, { status: 'draft', languages: [{ lang: 'en', title: 'Hidden orientation draft', summary: '', keyQuestions: [], body: '' }] });
});
afterAll(() => env.close());

describe('the library pages', () => {
  it('searches with facets, all in the address, and explains each result', async () => {
    for (const lang of ['en', 'fr']) {
      const res = await env.app.request(`http://localhost/library?q=orientation&kind=issue_brief&language=${lang}&lang=${lang}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(untranslatedKeys(html)).toEqual([]);
      expect(inlineCode(html)).toEqual([]);
      expect(html).toContain(`href="/library/${brief}`);
      expect(html).not.toContain('Hidden orientation draft');
      expect(html).toMatch(/<mark>[Oo]rientation<\/mark>/);
      expect(html).toMatch(/name="kind" value="issue_brief" checked/);
      expect(html).toContain(`lang="${lang}" dir="ltr"`);
      expect(html).toMatch(new RegExp(`name="language" value="${lang}" checked`));
    }
    // On paper the form is hidden, so a line (shown only in print) says what was searched, escaped.
    const printed = await (await env.app.request(`http://localhost/library?q=${encodeURIComponent('orientation <b>&')}&language=&lang=fr`)).text();
    expect(printed).toContain('<p class="print-only">Recherche : « orientation &lt;b&gt;&amp; »</p>');
    // Without a query there is nothing to explain on each result: one line gives the order instead.
    const browse = await (await env.app.request('http://localhost/library?kind=issue_brief')).text();
    expect(browse).not.toContain('class="print-only"');
    expect(browse).toContain(`href="/library/${brief}`);
    expect(browse).not.toContain('class="explanation"');
    expect(browse).toMatch(/<p class="result-count" role="status">1 result · Newest first; search to rank by relevance\.<\/p>/);
    const searched = await (await env.app.request('http://localhost/library?q=orientation')).text();
    expect(searched).toContain('class="explanation"');
    expect(searched).not.toContain('Newest first; search to rank');
  });
  it('shows a publication in the language asked for, with its key questions and the cite box', async () => {
    const html = await (await env.app.request(`http://localhost/library/${brief}?language=fr`)).text();
    expect(html).toContain('Orientation avant le départ des travailleurs migrants');
    expect(html).toContain(`/api/v1/publications/${brief}/citation?format=bibtex&amp;lang=fr`);
    const en = await (await env.app.request(`http://localhost/library/${brief}`)).text();
    expect(en).toContain('<li>What works?</li>');
    expect(untranslatedKeys(en)).toEqual([]);
    // The trail leads back to the library; the French title shown on an English page says its language.
    expect(html).toMatch(/<nav aria-label="Breadcrumb" class="breadcrumb"><ol><li><a href="\/library">[^<]+<\/a><\/li><li aria-current="page" lang="fr" dir="ltr">Orientation avant le départ/);
    expect(en).toMatch(/<li aria-current="page">Pre-departure orientation for migrant workers<\/li>/);
  });
  it('lets a focal point add, edit and attach a PDF through the forms, and names a missing title', async () => {
    const client = new TestClient(env.app);
    await signIn(client, focal);
    const form = await client.request('/library/new');
    expect(form.status).toBe(200);
    expect(untranslatedKeys(await form.text())).toEqual([]);
    const bad = await client.postForm('/library/new', { ownerOrganizationId: org.id, kind: 'paper', status: 'published', visibility: 'public', defaultLanguage: 'en', 'summary.en': 'No title' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('href="#f-title-en"');
    const created = await client.postForm('/library/new', {
      ownerOrganizationId: org.id,
      kind: 'paper',
      status: 'published',
      visibility: 'public',
      defaultLanguage: 'en',
      'title.en': 'Form-made paper',
      'keyQuestions.en': 'First question?\nSecond question?',
      themes: ['pillar:prevention', 'pillar:protection'],
    });
    expect(created.status).toBe(303);
    const id = /\/library\/(pub_[a-z0-9]+)/.exec(created.headers.get('location') ?? '')![1]!;
    const p = await getPublication(env.ctx(), id);
    expect(p.languages[0]!.keyQuestions).toEqual(['First question?', 'Second question?']);
    expect(p.themes).toEqual(['pillar:prevention', 'pillar:protection']);
    const upload = new FormData();
    upload.set('_csrf', await client.csrf());
    upload.set('lang', 'en');
    upload.set('file', new File([makePdf(['One', 'Two'])], 'paper.pdf', { type: 'application/pdf' }));
    const up = await client.request(`/library/${id}/files`, { method: 'POST', body: upload });
    expect(up.status).toBe(303);
    expect((await getPublication(env.ctx(), id)).files[0]).toMatchObject({ fileName: 'paper.pdf', pageCount: 2 });
    const page = await (await client.request(`/library/${id}`)).text();
    expect(page).toContain('paper.pdf');
    expect(page).toContain(`href="/library/${id}/edit"`);
  });
  it('refuses the editing forms to visitors and staff', async () => {
    const visitor = await env.app.request('http://localhost/library/new');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toMatch(/^\/sign-in/);
    const staff = await makeUser(env, { role: 'staff', org });
    const client = new TestClient(env.app);
    await signIn(client, staff);
    expect((await client.request('/library/new')).status).toBe(403);
    expect((await client.request(`/library/${brief}/edit`)).status).toBe(403);
  });
});

describe('Atom feeds', () => {
  it('gives a well-formed feed per search and per kind, newest first, without drafts', async () => {
    const { SaxesParser } = await import('saxes');
    const parse = (xml: string) => {
      const parser = new SaxesParser({ xmlns: true });
      const titles: string[] = [];
      let inTitle = false;
      let depth = 0;
      parser.on('opentag', (tag) => {
        depth++;
        inTitle = tag.local === 'title' && depth === 3;
      });
      parser.on('text', (text) => {
        if (inTitle) titles.push(text);
      });
      parser.on('closetag', () => {
        depth--;
        inTitle = false;
      });
      parser.write(xml).close();
      return titles;
    };
    const res = await env.app.request('http://localhost/library/feed.atom?kind=issue_brief');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const titles = parse(await res.text());
    expect(titles).toContain('Pre-departure orientation for migrant workers');
    const all = parse(await (await env.app.request('http://localhost/library/feed.atom?q=orientation')).text());
    expect(all).not.toContain('Hidden orientation draft');
    expect((await env.app.request('http://localhost/library?q=orientation')).status).toBe(200);
  });
});
