import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../../src/domain/actor.ts';
import { deletePublication } from '../../src/domain/publications/save-publication.ts';
import { listFrequentWords, maintainFrequentWords } from '../../src/domain/search/frequent-words.ts';
import { search } from '../../src/domain/search/search.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';
import { makePublication } from '../support/publications.ts';

// A word is frequent here from 20 publications on; "bridge" is in 40, "orchard" in 3.
let env: TestEnv;
let org: Organization;
let other: Organization;
let staff: TestUser;
const bridgeIds: string[] = [];
let draftId: string;
let restrictedId: string;
const LIST = 10;

const en = (title: string, body: string) => [{ lang: 'en' as const, title, summary: '', keyQuestions: [], body }];

beforeAll(async () => {
  env = await createTestEnv({ SEARCH_FREQUENT_WORD_DOCUMENTS: '20' });
  org = await makeOrg(env);
  other = await makeOrg(env);
  staff = await makeUser(env, { role: 'staff', org });
  // Scores fall with i: the word repeated fewer times in ever longer bodies.
  for (let i = 0; i < 40; i++) {
    const body = `${'bridge '.repeat(40 - i)}${'filler words about other matters '.repeat(i + 1)}${i < 3 ? ' orchard' : ''}`;
    bridgeIds.push((await makePublication(env, org.id, { languages: en(`Report number ${i}`, body) })).id);
  }
  draftId = (await makePublication(env, org.id, { status: 'draft', languages: en('Bridge bridge bridge', 'bridge '.repeat(60)) })).id;
  restrictedId = (await makePublication(env, org.id, { visibility: 'restricted', sharedWith: [org.id], languages: en('Bridge bridge bridge', 'bridge '.repeat(60)) })).id;
  // Unrelated publications, so the word is not in every document.
  for (let i = 0; i < 10; i++) await makePublication(env, other.id, { languages: en(`Other paper ${i}`, 'nothing in common here') });
});
afterAll(() => env?.close());

const ids = (r: Awaited<ReturnType<typeof search>>) => r.results.map((x) => x.id);
const listed = async (lexeme: string) =>
  (await sql<{ publication_id: string }>`select publication_id from search_word_top where lexeme = ${lexeme}`.execute(env.db.kysely)).rows.map((r) => r.publication_id);

describe('frequent words', () => {
  let exact: string[];

  it('reads every match until the upkeep has run', async () => {
    const r = await search(env.ctx(anonymous), { q: 'bridge' }, { lang: 'en', pageSize: 50 });
    expect(r.frequentWords).toBe(false);
    expect(r.total).toBe(40);
    exact = ids(r);
    const scores = r.results.map((x) => x.explanation.score);
    // The fixture gives distinct scores around the list's size, so "the best ten" is well defined.
    expect(scores[LIST - 1]).toBeGreaterThan(scores[LIST]!);
  });

  it('finds the frequent words from the statistics and fills their lists, drafts left out', async () => {
    const run = await maintainFrequentWords(env.ctx(), { listSize: LIST });
    expect(run.added).toContain('bridg');
    expect(run.added).not.toContain('orchard');
    const words = await listFrequentWords(env.ctx());
    const bridg = words.find((w) => w.lexeme === 'bridg')!;
    expect(bridg.listed).toBe(LIST);
    expect(bridg.documents).toBeGreaterThanOrEqual(20);
    const list = await listed('bridg');
    expect(list).not.toContain(draftId);
    expect(list).toContain(restrictedId);
  });

  it('ranks the best documents of each frequent word, as every match would have ranked them', async () => {
    const r = await search(env.ctx(anonymous), { q: 'bridge' }, { lang: 'en', pageSize: 50 });
    expect(r.frequentWords).toBe(true);
    expect(r.capped).toBe(true);
    // The restricted one is in the list but not for a visitor: the best nine others, in the same order.
    expect(ids(r)).toEqual(exact.slice(0, LIST - 1));
    const forStaff = await search(env.ctx(staff.actor), { q: 'bridge' }, { lang: 'en', pageSize: 50 });
    expect(ids(forStaff)[0]).toBe(restrictedId);
    expect(ids(forStaff)).not.toContain(draftId);
  });

  it('says so on the library page', async () => {
    const res = await env.app.request('/library?q=bridge');
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Every word of this search appears in a very large part of the library');
  });

  it('reads every match when a word is not frequent, or when a filter narrows the search', async () => {
    const mixed = await search(env.ctx(anonymous), { q: 'bridge orchard' }, { lang: 'en' });
    expect(mixed.frequentWords).toBe(false);
    expect(new Set(ids(mixed))).toEqual(new Set(bridgeIds.slice(0, 3)));
    const filtered = await search(env.ctx(anonymous), { q: 'bridge', org: [org.id] }, { lang: 'en', pageSize: 50 });
    expect(filtered.frequentWords).toBe(false);
    expect(filtered.total).toBe(40);
  });

  it('lists a new document that scores above the floor at once, and forgets a removed one', async () => {
    const best = (await makePublication(env, org.id, { languages: en('Bridge', 'bridge '.repeat(50)) })).id;
    const weak = (await makePublication(env, org.id, { languages: en('Long report', `bridge ${'filler words about other matters '.repeat(80)}`) })).id;
    expect(await listed('bridg')).toContain(best);
    expect(await listed('bridg')).not.toContain(weak);
    const r = await search(env.ctx(anonymous), { q: 'bridge' }, { lang: 'en' });
    expect(ids(r)[0]).toBe(best);
    await deletePublication(env.ctx(), best);
    expect(await listed('bridg')).not.toContain(best);
    expect(ids(await search(env.ctx(anonymous), { q: 'bridge' }, { lang: 'en' }))).not.toContain(best);
  });

  it('scores a document the trigger lists exactly as the upkeep does', async () => {
    const added = (await makePublication(env, org.id, { languages: en('Bridge of words', 'bridge '.repeat(45)) })).id;
    const score = async () =>
      Number((await sql<{ score: number }>`select score from search_word_top where lexeme = 'bridg' and publication_id = ${added}`.execute(env.db.kysely)).rows[0]!.score);
    const byTrigger = await score();
    await sql`delete from search_frequent_words where lexeme = 'bridg'`.execute(env.db.kysely);
    await maintainFrequentWords(env.ctx(), { listSize: LIST });
    expect(await score()).toBeCloseTo(byTrigger, 6);
  });

  it('trims lists that grew past their size', async () => {
    for (let i = 0; i < 3; i++) await makePublication(env, org.id, { languages: en(`Bridge ${i}`, 'bridge '.repeat(50 + i)) });
    expect((await listed('bridg')).length).toBeGreaterThan(LIST);
    const run = await maintainFrequentWords(env.ctx(), { listSize: LIST });
    expect(run.trimmed).toBeGreaterThan(0);
    expect((await listed('bridg')).length).toBe(LIST);
  });

  it('ranks every match of a form that is not frequent beside the lists (a Latin word in an Arabic text keeps its form)', async () => {
    const arabic = (
      await makePublication(env, org.id, { defaultLanguage: 'ar', languages: [{ lang: 'ar', title: 'جسر bridge', summary: '', keyQuestions: [], body: 'نص قصير' }] })
    ).id;
    expect(await listed('bridg')).not.toContain(arabic);
    const r = await search(env.ctx(anonymous), { q: 'bridge' }, { lang: 'en', pageSize: 50 });
    expect(r.frequentWords).toBe(true);
    expect(ids(r)).toContain(arabic);
  });

  it('drops words that are no longer frequent, with their lists', async () => {
    const ctx = env.ctx();
    const run = await maintainFrequentWords({ ...ctx, config: { ...ctx.config, SEARCH_FREQUENT_WORD_DOCUMENTS: 500 } }, { listSize: LIST });
    expect(run.dropped).toContain('bridg');
    expect(await listed('bridg')).toEqual([]);
    expect((await search(env.ctx(anonymous), { q: 'bridge' }, { lang: 'en' })).frequentWords).toBe(false);
  });

  it('is for administrators only', async () => {
    await expect(maintainFrequentWords(env.ctx(staff.actor))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(maintainFrequentWords(env.ctx(anonymous))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('makes a query of any lexeme, quotes and backslashes included', async () => {
    const r = await sql<{ ok: boolean }>`select array_to_tsvector(array[${"it's\\odd"}]) @@ lexeme_query(${"it's\\odd"}) as ok`.execute(env.db.kysely);
    expect(r.rows[0]!.ok).toBe(true);
  });
});
