import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { anonymous } from '../../src/domain/actor.ts';
import { listPublicationVersions, getPublication } from '../../src/domain/publications/get-publication.ts';
import { updatePublication } from '../../src/domain/publications/save-publication.ts';
import { search } from '../../src/domain/search/search.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { makePdf } from '../support/pdf.ts';
import { makePublication, publicationInput } from '../support/publications.ts';
import { parseBibtexStrict, parseRisStrict } from '../support/citation-parsers.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let focalA: TestUser;
let staffA: TestUser;
let focalB: TestUser;
let coordinator: TestUser;
const clients: Record<string, TestClient> = {};

beforeAll(async () => {
  env = await createTestEnv({ MAX_UPLOAD_BYTES: '200000' });
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  focalA = await makeUser(env, { role: 'focal_point', org: orgA });
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  focalB = await makeUser(env, { role: 'focal_point', org: orgB });
  coordinator = await makeUser(env, { role: 'coordinator' });
  for (const [name, user] of Object.entries({ focalA, staffA, focalB, coordinator })) {
    clients[name] = new TestClient(env.app);
    await signIn(clients[name]!, user);
  }
  clients.anonymous = new TestClient(env.app);
});
afterAll(() => env?.close());

async function api(client: TestClient, method: string, path: string, body?: unknown | FormData): Promise<Response> {
  const headers: Record<string, string> = { 'x-csrf-token': await client.csrf() };
  if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  return client.request(path, { method, headers, body: body instanceof FormData ? body : body === undefined ? undefined : JSON.stringify(body) });
}

function fileForm(bytes: Uint8Array<ArrayBuffer>, name = 'brief.pdf', lang = 'en'): FormData {
  const form = new FormData();
  form.set('file', new File([bytes], name, { type: 'application/pdf' }));
  form.set('lang', lang);
  return form;
}

describe('publications: who edits, versions, visibility', () => {
  it('lets the focal point create and edit their organization’s publication, keeps each version and refuses a stale one', async () => {
    const created = await api(clients.focalA!, 'POST', '/api/v1/publications', publicationInput(orgA.id, { number: '02', published: '2017-06' }));
    expect(created.status).toBe(201);
    const p = (await created.json()) as { id: string; version: number };
    const input = { ...publicationInput(orgA.id, { number: '02', published: '2017-06' }), languages: [{ lang: 'en', title: 'Renamed', summary: '', keyQuestions: [], body: '' }] };
    const updated = await api(clients.focalA!, 'PUT', `/api/v1/publications/${p.id}`, { ...input, version: p.version });
    expect(updated.status).toBe(200);
    const stale = await api(clients.coordinator!, 'PUT', `/api/v1/publications/${p.id}`, { ...input, version: p.version });
    expect(stale.status).toBe(409);
    const versions = await listPublicationVersions(env.ctx(focalA.actor), p.id);
    expect(versions.map((v) => [v.version, v.action])).toEqual([
      [2, 'update'],
      [1, 'create'],
    ]);
    expect(versions[1]!.snapshot.languages[0]!.title).toBe('A test publication');
  });
  it('refuses staff and other organizations’ focal points, and lets the coordinator edit any', async () => {
    const p = await makePublication(env, orgA.id);
    const body = { ...publicationInput(orgA.id), version: p.version };
    expect((await api(clients.staffA!, 'PUT', `/api/v1/publications/${p.id}`, body)).status).toBe(403);
    expect((await api(clients.focalB!, 'PUT', `/api/v1/publications/${p.id}`, body)).status).toBe(403);
    expect((await api(clients.coordinator!, 'PUT', `/api/v1/publications/${p.id}`, body)).status).toBe(200);
  });
  it('names each invalid field (unknown theme, country, duplicate language, default language missing)', async () => {
    const res = await api(
      clients.focalA!,
      'POST',
      '/api/v1/publications',
      publicationInput(orgA.id, {
        themes: ['pillar:nonsense'],
        countries: ['QQ'],
        defaultLanguage: 'fr',
        languages: [
          { lang: 'en', title: 'One', summary: '', keyQuestions: [], body: '' },
          { lang: 'en', title: 'Two', summary: '', keyQuestions: [], body: '' },
        ],
      }),
    );
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: { path: string }[] };
    expect(problem.errors.map((e) => e.path).sort()).toEqual(['countries.0', 'defaultLanguage', 'languages.1.lang', 'themes.0']);
  });
  it('hides drafts and restricted publications from those who may not see them', async () => {
    const draft = await makePublication(env, orgA.id, { status: 'draft' });
    const restricted = await makePublication(env, orgA.id, { visibility: 'restricted', sharedWith: [orgB.id] });
    expect((await clients.anonymous!.request(`/api/v1/publications/${draft.id}`)).status).toBe(404);
    expect((await clients.focalB!.request(`/api/v1/publications/${draft.id}`)).status).toBe(404);
    expect((await clients.staffA!.request(`/api/v1/publications/${draft.id}`)).status).toBe(200);
    expect((await clients.anonymous!.request(`/api/v1/publications/${restricted.id}`)).status).toBe(404);
    expect((await clients.focalB!.request(`/api/v1/publications/${restricted.id}`)).status).toBe(200);
  });
});

describe('files', () => {
  it('extracts the text of a multi-page PDF per page, indexes it and says on which page the query matched', async () => {
    const p = await makePublication(env, orgA.id, { languages: [{ lang: 'en', title: 'Report with an annex', summary: '', keyQuestions: [], body: '' }] });
    const pdf = makePdf(['Introduction to the report.', 'Chapter on recruitment fees.', 'Annex: the zanzibarite questionnaire.']);
    const res = await api(clients.focalA!, 'POST', `/api/v1/publications/${p.id}/files`, fileForm(pdf, 'report.pdf'));
    expect(res.status).toBe(201);
    const file = (await res.json()) as { id: string; pageCount: number; textStatus: string };
    expect(file).toMatchObject({ pageCount: 3, textStatus: 'extracted' });
    const r = await search(env.ctx(anonymous), { q: 'zanzibarite' });
    expect(r.results.map((x) => x.id)).toEqual([p.id]);
    const matched = r.results[0]!.explanation.matched;
    expect(matched).toEqual([{ field: 'file', weight: 0.1, pages: [{ fileId: file.id, page: 3 }] }]);
    // The download: the same bytes with the right headers.
    const dl = await clients.anonymous!.request(`/api/v1/publications/${p.id}/files/${file.id}`);
    expect(dl.status).toBe(200);
    expect(dl.headers.get('content-type')).toBe('application/pdf');
    expect(dl.headers.get('content-disposition')).toBe(`inline; filename="report.pdf"; filename*=UTF-8''report.pdf`);
    expect(dl.headers.get('x-content-type-options')).toBe('nosniff');
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(pdf);
    const page = await clients.anonymous!.request(`/library/files/${file.id}/report.pdf`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('application/pdf');
  });
  it('refuses a file that is not a PDF, whatever its name, and stores nothing', async () => {
    const p = await makePublication(env, orgA.id);
    const fake = new TextEncoder().encode('<html>not a pdf</html>') as Uint8Array<ArrayBuffer>;
    const res = await api(clients.focalA!, 'POST', `/api/v1/publications/${p.id}/files`, fileForm(fake, 'brief.pdf'));
    expect(res.status).toBe(415);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/not a PDF/);
    expect((await getPublication(env.ctx(), p.id)).files).toEqual([]);
  });
  it('keeps an encrypted or a damaged PDF without text, with a clear message', async () => {
    const p = await makePublication(env, orgA.id);
    const enc = await api(clients.focalA!, 'POST', `/api/v1/publications/${p.id}/files`, fileForm(makePdf(['secret words'], { encrypted: true }), 'locked.pdf'));
    expect(enc.status).toBe(201);
    expect(await enc.json()).toMatchObject({ textStatus: 'encrypted', pageCount: null, textMessage: expect.stringMatching(/protected by a password/) });
    const bad = await api(clients.focalA!, 'POST', `/api/v1/publications/${p.id}/files`, fileForm(makePdf(['x', 'y'], { corrupt: true }), 'broken.pdf'));
    expect(bad.status).toBe(201);
    expect(await bad.json()).toMatchObject({ textStatus: 'unreadable', textMessage: expect.stringMatching(/damaged/) });
    expect((await getPublication(env.ctx(), p.id)).files.map((f) => f.fileName)).toEqual(['locked.pdf', 'broken.pdf']);
  });
  it('refuses a file above MAX_UPLOAD_BYTES with 413', async () => {
    const p = await makePublication(env, orgA.id);
    const big = makePdf(['x'.repeat(80), ...Array.from({ length: 1500 }, (_, i) => `page ${i} ${'y'.repeat(60)}`)]);
    expect(big.byteLength).toBeGreaterThan(200_000);
    const res = await api(clients.focalA!, 'POST', `/api/v1/publications/${p.id}/files`, fileForm(big, 'big.pdf'));
    expect(res.status).toBe(413);
  });
});

describe('citations', () => {
  it('exports RIS, BibTeX and CSL-JSON that strict readers parse back, with nothing invented', async () => {
    const p = await makePublication(env, orgA.id, {
      number: '02',
      published: '2017-06',
      authors: ['ICAT'],
      languages: [{ lang: 'en', title: 'Issue brief: 50% {braces} & under_scores', summary: 'A summary\nover lines.', keyQuestions: [], body: '' }],
    });
    const undated = await makePublication(env, orgA.id, { kind: 'call_to_action', languages: [{ lang: 'en', title: 'Call to action', summary: '', keyQuestions: [], body: '' }] });
    const ris = await (await clients.anonymous!.request(`/api/v1/publications/citations?format=ris&ids=${p.id},${undated.id}`)).text();
    const records = parseRisStrict(ris);
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ TY: ['RPRT'], TI: ['Issue brief: 50% {braces} & under_scores'], AU: ['ICAT'], PY: ['2017'], DA: ['2017/06//'], IS: ['02'], AB: ['A summary over lines.'] });
    expect(records[1]!.PY).toBeUndefined();
    expect(records[1]!.IS).toBeUndefined();

    const bib = parseBibtexStrict(await (await clients.anonymous!.request(`/api/v1/publications/citations?format=bibtex&ids=${p.id},${undated.id}`)).text());
    expect(bib.map((e) => [e.type, e.key])).toEqual([
      ['techreport', p.id],
      ['misc', undated.id],
    ]);
    expect(bib[0]!.fields).toMatchObject({ title: 'Issue brief: 50\\% \\{braces\\} \\& under\\_scores', author: '{ICAT}', year: '2017', month: 'jun', number: '02' });
    expect(bib[1]!.fields.year).toBeUndefined();

    const csl = z
      .array(
        z.strictObject({
          id: z.string(),
          type: z.enum(['report', 'book', 'document', 'pamphlet']),
          title: z.string(),
          author: z.array(z.strictObject({ literal: z.string() })),
          publisher: z.string().optional(),
          issued: z.strictObject({ 'date-parts': z.array(z.array(z.number().int()).min(1).max(3)).length(1) }).optional(),
          number: z.string().optional(),
          genre: z.string(),
          abstract: z.string().optional(),
          language: z.string(),
          URL: z.url(),
        }),
      )
      .parse(JSON.parse(await (await clients.anonymous!.request(`/api/v1/publications/${p.id}/citation?format=csl-json`)).text()));
    expect(csl[0]).toMatchObject({ issued: { 'date-parts': [[2017, 6]] }, number: '02', URL: `http://localhost/library/${p.id}` });
  });
  it('leaves out of exports what the reader may not see', async () => {
    const open = await makePublication(env, orgA.id);
    const draft = await makePublication(env, orgA.id, { status: 'draft' });
    const ris = parseRisStrict(await (await clients.anonymous!.request(`/api/v1/publications/citations?format=ris&ids=${open.id},${draft.id}`)).text());
    expect(ris.map((r) => r.ID?.[0])).toEqual([open.id]);
    expect((await clients.anonymous!.request(`/api/v1/publications/${draft.id}/citation?format=ris`)).status).toBe(404);
  });
});

describe('update keeps files and search in step', () => {
  it('reindexes a publication when its status changes', async () => {
    const p = await makePublication(env, orgA.id, { status: 'draft', languages: [{ lang: 'en', title: 'Quixotic draft', summary: '', keyQuestions: [], body: '' }] });
    expect((await search(env.ctx(anonymous), { q: 'quixotic' })).results).toEqual([]);
    await updatePublication(env.ctx(focalA.actor), p.id, { ...publicationInput(orgA.id, { languages: [{ lang: 'en', title: 'Quixotic draft', summary: '', keyQuestions: [], body: '' }] }), version: p.version });
    expect((await search(env.ctx(anonymous), { q: 'quixotic' })).results.map((r) => r.id)).toEqual([p.id]);
  });
});
