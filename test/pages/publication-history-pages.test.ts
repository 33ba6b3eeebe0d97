import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { listDiff, textDiff } from '../../src/domain/publications/publication-history.ts';
import { uploadPublicationFile, removePublicationFile } from '../../src/domain/publications/publication-files.ts';
import { updatePublication } from '../../src/domain/publications/save-publication.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, readableText, untranslatedKeys } from '../support/html.ts';
import { makePdf } from '../support/pdf.ts';
import { makePublication, publicationInput } from '../support/publications.ts';

let env: TestEnv;
let org: Organization;
let otherOrg: Organization;
let focal: TestUser;
let staff: TestUser;
let outsider: TestUser;
let coordinator: TestUser;
let pubId: string;
let draftId: string;
const clients: Record<string, TestClient> = {};

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env);
  otherOrg = await makeOrg(env);
  focal = await makeUser(env, { role: 'focal_point', org });
  staff = await makeUser(env, { role: 'staff', org });
  outsider = await makeUser(env, { role: 'focal_point', org: otherOrg });
  coordinator = await makeUser(env, { role: 'coordinator' });
  const languages = [{ lang: 'en' as const, title: 'Fees paid by migrant workers', summary: 'Recruitment fees push workers into debt.', keyQuestions: ['Who pays?'], body: '' }];
  const created = await makePublication(env, org.id, { languages, authors: ['ICAT'] }, focal.actor);
  pubId = created.id;
  // v2: the English summary and key questions edited, a French version and a theme added.
  const v2 = await updatePublication(env.ctx(focal.actor), pubId, {
    ...publicationInput(org.id, { authors: ['ICAT'], themes: ['pillar:prevention'] }),
    languages: [
      { lang: 'en', title: 'Fees paid by migrant workers', summary: 'Recruitment fees often push migrant workers into debt.', keyQuestions: ['Who pays?', 'Who profits?'], body: '' },
      { lang: 'fr', title: 'Frais payés par les travailleurs migrants', summary: '', keyQuestions: [], body: '' },
    ],
    version: created.version,
  });
  // v3: a file added; v4: removed.
  const up = await uploadPublicationFile(env.ctx(focal.actor), pubId, { lang: 'fr', fileName: 'frais.pdf', bytes: makePdf(['frais de recrutement']) });
  expect(up.publicationVersion).toBe(v2.version + 1);
  await removePublicationFile(env.ctx(focal.actor), pubId, up.file.id);
  draftId = (await makePublication(env, org.id, { status: 'draft' }, focal.actor)).id;
  for (const [name, user] of Object.entries({ focal, staff, outsider, coordinator })) {
    clients[name] = new TestClient(env.app);
    await signIn(clients[name]!, user);
  }
  clients.anonymous = new TestClient(env.app);
});
afterAll(() => env?.close());

describe('the version history page', () => {
  it('lists every version, newest first, with who, when and what changed, in English and French', async () => {
    const res = await clients.staff!.request(`/library/${pubId}/history`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(untranslatedKeys(html)).toEqual([]);
    expect(inlineCode(html)).toEqual([]);
    const text = readableText(html);
    expect(text.indexOf('Version 4')).toBeLessThan(text.indexOf('Version 1'));
    expect(text).toContain(`by ${focal.email}`);
    expect(text).toContain('Changed: Themes');
    expect(text).toContain('English version: Summary and Key questions');
    expect(text).toContain('Language version added: French');
    expect(text).toContain('File added: frais.pdf (French)');
    expect(text).toContain('File removed: frais.pdf (French)');
    expect(text).toContain('Set: Kind, Status, Who may read it, Authors and Main language');
    for (const v of [1, 2, 3, 4]) expect(html).toContain(`href="/library/${pubId}/history/${v}"`);

    const fr = readableText(await (await clients.staff!.request(`/library/${pubId}/history?lang=fr`)).text());
    expect(fr).toContain('Historique des versions');
    expect(fr).toContain('Version linguistique ajoutée : français');
    expect(fr).toContain('Fichier retiré : frais.pdf (français)');
  });

  it('is linked from the publication page for those who may see it, and only for them', async () => {
    for (const name of ['focal', 'staff', 'coordinator']) {
      expect(await (await clients[name]!.request(`/library/${pubId}`)).text()).toContain(`href="/library/${pubId}/history"`);
    }
    for (const name of ['outsider', 'anonymous']) {
      const page = await clients[name]!.request(`/library/${pubId}`);
      expect(page.status).toBe(200);
      expect(await page.text()).not.toContain(`/library/${pubId}/history`);
    }
    expect((await clients.outsider!.request(`/library/${pubId}/history`)).status).toBe(403);
    const anon = await clients.anonymous!.request(`/library/${pubId}/history/2`);
    expect(anon.status).toBe(303);
    expect(anon.headers.get('location')).toMatch(/^\/sign-in/);
    // A draft is not even there for another organization.
    expect((await clients.outsider!.request(`/library/${draftId}/history`)).status).toBe(404);
    expect((await clients.staff!.request(`/library/${draftId}/history`)).status).toBe(200);
  });

  it('compares a version with the one before, field by field, with ins and del announced in words', async () => {
    const res = await clients.focal!.request(`/library/${pubId}/history/2`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(untranslatedKeys(html)).toEqual([]);
    expect(html).toContain('Compared with version 1.');
    // Word by word: only "often" and "migrant" are new in the summary.
    const added = '<ins><span class="visually-hidden" lang="en">added: </span>';
    const summary = html.slice(html.indexOf('Summary (English)'), html.indexOf('Key questions (English)'));
    expect(summary).toContain(`Recruitment fees ${added}often </ins>push`);
    expect(summary).toMatch(/push ?<ins><span class="visually-hidden" lang="en">added: <\/span> ?migrant ?<\/ins> ?workers into debt\./);
    expect(summary).not.toContain('<del>');
    // A list: the new key question added, the kept one plain; the theme by its name.
    expect(html).toMatch(/<li class="diff-same">Who pays\?<\/li>/);
    expect(html).toMatch(/<li class="diff-ins"><span aria-hidden="true" class="diff-sign">\+ <\/span><ins><span class="visually-hidden" lang="en">added: <\/span>Who profits\?<\/ins><\/li>/);
    expect(readableText(html)).toMatch(/Themes\s*(\+\s*)?added:\s+Prevention/);
    expect(readableText(html)).toContain('Title (French)');
    expect(html).toContain('lang="fr"');
    expect(html).toContain(`href="/library/${pubId}/history/1"`);
    expect(html).toContain(`href="/library/${pubId}/history/3"`);

    const removalHtml = await (await clients.focal!.request(`/library/${pubId}/history/4?lang=fr`)).text();
    expect(untranslatedKeys(removalHtml)).toEqual([]);
    expect(readableText(removalHtml)).toContain('Fichier retiré : frais.pdf (français)');
    expect(removalHtml).not.toContain('<table');
    const first = readableText(await (await clients.focal!.request(`/library/${pubId}/history/1`)).text());
    expect(first).toContain('The first version: everything in it is new.');
    expect(first).toMatch(/Kind\s*(\+\s*)?added:\s+Issue Brief/);
  });

  it('says a version that does not exist is not found', async () => {
    for (const v of ['9', '0', 'abc', '-1']) expect((await clients.focal!.request(`/library/${pubId}/history/${v}`)).status).toBe(404);
  });
});

describe('the comparison', () => {
  it('marks only the words that changed', () => {
    expect(textDiff('a b c', 'a x c')).toEqual([
      { op: 'same', text: 'a ' },
      { op: 'del', text: 'b' },
      { op: 'ins', text: 'x' },
      { op: 'same', text: ' c' },
    ]);
    expect(textDiff('', 'new')).toEqual([{ op: 'ins', text: 'new' }]);
    expect(textDiff('same', 'same')).toEqual([{ op: 'same', text: 'same' }]);
  });
  it('shows a very long rewrite as replaced whole rather than comparing every word', () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`).join(' ');
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`).join(' ');
    const d = textDiff(a, b);
    expect(d.map((s) => s.op)).toEqual(['del', 'ins']);
    expect(d[0]!.text).toBe(a);
    expect(d[1]!.text).toBe(b);
  });
  it('keeps list items in order with removed ones where they were', () => {
    expect(listDiff(['x', 'y', 'z'], ['x', 'z', 'w'])).toEqual([
      { op: 'same', text: 'x' },
      { op: 'del', text: 'y' },
      { op: 'same', text: 'z' },
      { op: 'ins', text: 'w' },
    ]);
  });
});
