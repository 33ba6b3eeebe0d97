import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../../src/domain/actor.ts';
import { search } from '../../src/domain/search/search.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';
import { makeActivity } from '../support/activities.ts';
import { makePublication } from '../support/publications.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let staffA: TestUser;
let staffB: TestUser;
const ids: Record<string, string> = {};

const lang = (l: 'en' | 'fr' | 'es' | 'ru' | 'ar' | 'zh', title: string, more: { summary?: string; body?: string; keyQuestions?: string[] } = {}) => ({
  lang: l,
  title,
  summary: more.summary ?? '',
  keyQuestions: more.keyQuestions ?? [],
  body: more.body ?? '',
});

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  ids.english = (
    await makePublication(env, orgA.id, {
      published: '2017-05',
      themes: ['pillar:prevention'],
      countries: ['KE'],
      languages: [lang('en', 'Preventing trafficking in supply chains', { summary: 'How procurement rules reduce forced labour.' })],
    })
  ).id;
  ids.french = (
    await makePublication(env, orgA.id, {
      kind: 'toolkit',
      published: '2016',
      languages: [lang('fr', 'Guide pour les écoles', { summary: 'La protection des élèves à l’école et la prévention.' })],
      defaultLanguage: 'fr',
    })
  ).id;
  ids.russian = (
    await makePublication(env, orgB.id, { kind: 'paper', languages: [lang('ru', 'Торговля людьми и принудительный труд', { summary: 'Обзор мер.' })], defaultLanguage: 'ru' })
  ).id;
  ids.arabic = (
    await makePublication(env, orgB.id, { kind: 'paper', languages: [lang('ar', 'مكافحة الاتجار بالأشخاص', { summary: 'ملخص قصير' })], defaultLanguage: 'ar' })
  ).id;
  ids.chinese = (
    await makePublication(env, orgB.id, { kind: 'factsheet', languages: [lang('zh', '各国政府打击人口贩运的行动', { summary: '简要说明' })], defaultLanguage: 'zh' })
  ).id;
  // Ranking fixtures: the same rare word in a title, in key questions and in a body.
  ids.inBody = (await makePublication(env, orgA.id, { languages: [lang('en', 'Annual overview', { body: 'A long body that mentions remittances once among other matters.' })] })).id;
  ids.inTitle = (await makePublication(env, orgA.id, { languages: [lang('en', 'Remittances and exploitation', { body: 'Other words entirely.' })] })).id;
  ids.inQuestions = (await makePublication(env, orgA.id, { languages: [lang('en', 'Questions for States', { keyQuestions: ['How do remittances move?'] })] })).id;
  ids.draft = (await makePublication(env, orgA.id, { status: 'draft', languages: [lang('en', 'Confidential draft on remittances')] })).id;
  ids.restricted = (await makePublication(env, orgA.id, { visibility: 'restricted', sharedWith: [orgA.id], languages: [lang('en', 'Restricted note on remittances')] })).id;
  ids.activity = (await makeActivity(env, orgA.id, { title: { en: 'Remittances training for labour inspectors' }, visibility: 'public' })).id;
});
afterAll(() => env?.close());

const idsOf = (r: Awaited<ReturnType<typeof search>>) => r.results.map((x) => x.id);

describe('language behaviour', () => {
  it('finds "trafficking" for "trafficked" (English stemming)', async () => {
    const r = await search(env.ctx(anonymous), { q: 'trafficked' });
    expect(idsOf(r)).toContain(ids.english);
  });
  it('finds "école" for "ecole" and "écoles" for "ecole" (accents do not matter)', async () => {
    const r = await search(env.ctx(anonymous), { q: 'ecole' });
    expect(idsOf(r)).toContain(ids.french);
    const hit = r.results.find((x) => x.id === ids.french)!;
    expect(hit.snippet.some((s) => s.hit && /école/.test(s.text))).toBe(true);
  });
  it('stems Russian: "торговли" finds "Торговля"', async () => {
    expect(idsOf(await search(env.ctx(anonymous), { q: 'торговли' }))).toContain(ids.russian);
  });
  it('stems Arabic: "اتجار" finds "الاتجار"', async () => {
    expect(idsOf(await search(env.ctx(anonymous), { q: 'اتجار' }))).toContain(ids.arabic);
  });
  it('finds a Chinese word inside a sentence', async () => {
    const r = await search(env.ctx(anonymous), { q: '贩运' });
    expect(idsOf(r)).toEqual([ids.chinese]);
  });
});

describe('ranking and explanation', () => {
  it('ranks a title match above key questions above a body match, and says which fields matched', async () => {
    const r = await search(env.ctx(anonymous), { q: 'remittances', type: ['publication'] });
    expect(idsOf(r)).toEqual([ids.inTitle, ids.inQuestions, ids.inBody]);
    const [title, questions, body] = r.results;
    expect(title!.explanation.matched.map((m) => m.field)).toEqual(['title']);
    expect(questions!.explanation.matched.map((m) => m.field)).toEqual(['keyQuestions']);
    expect(body!.explanation.matched.map((m) => m.field)).toEqual(['body']);
    expect(title!.explanation.position).toBe(1);
    expect(title!.explanation.score).toBeGreaterThan(questions!.explanation.score);
    expect(questions!.explanation.scoreAbove).toBe(title!.explanation.score);
  });
  it('serves activities from the same service, with their own fields', async () => {
    const r = await search(env.ctx(anonymous), { q: 'remittances' });
    const act = r.results.find((x) => x.id === ids.activity)!;
    expect(act.type).toBe('activity');
    expect(act.explanation.matched.map((m) => m.field)).toContain('title');
    expect(r.facets.type.map((f) => [f.value, f.count]).sort()).toEqual([
      ['activity', 1],
      ['publication', 3],
    ]);
  });
  it('handles phrases and exclusions', async () => {
    expect(idsOf(await search(env.ctx(anonymous), { q: '"supply chains"' }))).toEqual([ids.english]);
    expect(idsOf(await search(env.ctx(anonymous), { q: '"chains supply"' }))).toEqual([]);
    const r = await search(env.ctx(anonymous), { q: 'remittances -exploitation', type: ['publication'] });
    expect(idsOf(r)).not.toContain(ids.inTitle);
    expect(idsOf(r)).toContain(ids.inBody);
  });
  it('tolerates a typo in a short query, and says so', async () => {
    const r = await search(env.ctx(anonymous), { q: 'remitances' });
    expect(r.mode).toBe('fuzzy');
    expect(idsOf(r)).toContain(ids.inTitle);
    expect(r.results[0]!.explanation.matched[0]!.field).toBe('titleApproximately');
  });
  it('sorts by date when asked', async () => {
    const r = await search(env.ctx(anonymous), { q: '', sort: 'date', type: ['publication'] });
    const dated = r.results.filter((x) => x.date).map((x) => x.date);
    expect(dated.slice(0, 2)).toEqual(['2017-05', '2016']);
  });
});

describe('facets', () => {
  it('counts each facet under the other filters and filters by it', async () => {
    const all = await search(env.ctx(anonymous), { q: '', type: ['publication'] });
    const kinds = Object.fromEntries(all.facets.kind.map((f) => [f.value, f.count]));
    expect(kinds).toMatchObject({ issue_brief: 4, toolkit: 1, paper: 2, factsheet: 1 });
    const papers = await search(env.ctx(anonymous), { q: '', kind: ['paper'] });
    expect(idsOf(papers).sort()).toEqual([ids.russian, ids.arabic].sort());
    // The kind facet still counts the other kinds under the other filters.
    expect(papers.facets.kind.find((f) => f.value === 'toolkit')?.count).toBe(1);
    expect(papers.facets.kind.find((f) => f.value === 'paper')?.selected).toBe(true);
    const langs = Object.fromEntries(papers.facets.language.map((f) => [f.value, f.count]));
    expect(langs).toEqual({ ru: 1, ar: 1 });
  });
  it('filters by region through the countries (Kenya lies in Eastern Africa and Africa)', async () => {
    const r = await search(env.ctx(anonymous), { q: '', region: ['002'], type: ['publication'] });
    expect(idsOf(r)).toEqual([ids.english]);
    expect(r.facets.region.find((f) => f.value === '014')?.label).toMatch(/Eastern Africa/);
  });
});

describe('who sees what', () => {
  it('never shows drafts or restricted publications to those who may not see them', async () => {
    for (const actor of [anonymous, staffB.actor]) {
      const r = await search(env.ctx(actor), { q: 'remittances' });
      expect(idsOf(r)).not.toContain(ids.draft);
      expect(idsOf(r)).not.toContain(ids.restricted);
      expect(r.facets.type.find((f) => f.value === 'publication')?.count).toBe(3);
    }
    const own = await search(env.ctx(staffA.actor), { q: 'remittances' });
    expect(idsOf(own)).toEqual(expect.arrayContaining([ids.draft, ids.restricted]));
  });
});

describe('hostile queries', () => {
  const hostile = ['"unbalanced quote', '- - OR " "" ! & | <->', 'x'.repeat(10 * 1024), "'; drop table publications; --", '\\ % _ $1 :* ()', 'a'.repeat(3000) + ' trafficking', '\u0000\u0001 nul'];
  for (const q of hostile) {
    it(`answers ${JSON.stringify(q.slice(0, 30))} with results or nothing, never an error`, async () => {
      const r = await search(env.ctx(anonymous), { q });
      expect(Array.isArray(r.results)).toBe(true);
    });
  }
  it('cuts a 10 KB query and says so', async () => {
    const r = await search(env.ctx(anonymous), { q: 'trafficking '.repeat(1000) });
    expect(r.query.shortened).toBe(true);
  });
});
