import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { bearer, makeOrg, makeToken, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, untranslatedKeys } from '../support/html.ts';

// A small upload limit, so that "above the limit" is cheap to send.
const LIMIT = 4096;
let env: TestEnv;
let org: Organization;
let staff: TestUser;
let client: TestClient;

beforeAll(async () => {
  env = await createTestEnv({ MAX_UPLOAD_BYTES: String(LIMIT) });
  org = await makeOrg(env);
  staff = await makeUser(env, { role: 'staff', org });
  client = new TestClient(env.app);
  await signIn(client, staff);
});
afterAll(() => env.close());

const csv = (rows: string[]) => `iati_identifier,title_en,owner_org_id,visibility,country_code,country_percentage\n${rows.join('\n')}\n`;

async function upload(c: TestClient, content: string, name = 'activities.csv'): Promise<Response> {
  const form = new FormData();
  form.set('_csrf', await c.csrf());
  form.set('file', new File([content], name));
  return c.request('/activities/import', { method: 'POST', body: form });
}

const countActivities = async () => Number((await env.db.kysely.selectFrom('activities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('the import pages', () => {
  it('shows the upload form with both templates and the limit', async () => {
    const res = await client.request('/activities/import');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('href="/activities/import/template.xlsx"');
    expect(html).toContain('href="/activities/import/template.csv"');
    expect(html).toContain('At most 0.0 MB');
    expect(untranslatedKeys(html)).toEqual([]);
    expect(inlineCode(html)).toEqual([]);
  });

  it('sends visitors to sign in first', async () => {
    const res = await env.app.request('http://localhost/activities/import');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Factivities%2Fimport');
  });

  it('checks a file, shows the counts and commits it with the token of the stored upload', async () => {
    const res = await upload(client, csv([`XM-PAGE-1,Page import one,${org.id},draft,KE,100`, `XM-PAGE-2,Page import two,${org.id},draft,UG,100`]));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('All 2 rows can be imported.');
    expect(await countActivities()).toBe(0);
    const token = /name="token" value="([^"]+)"/.exec(html)?.[1];
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const done = await client.postForm('/activities/import/commit', { token: token! });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Created 2, updated 0, unchanged 0.');
    expect(await countActivities()).toBe(2);
    // The upload is gone once committed.
    expect((await client.postForm('/activities/import/commit', { token: token! })).status).toBe(404);
  });

  it('lists problems by row and column and offers no commit when a row blocks', async () => {
    const res = await upload(client, csv([`XM-PAGE-3,Fine,${org.id},draft,KE,100`, `XM-PAGE-4,Bad percentage,${org.id},draft,KE,lots`]));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('This file cannot be imported yet');
    expect(html).toMatch(/<td class="nowrap">3<\/td><td><code>country_percentage<\/code><\/td>/);
    expect(html).toContain('“lots” is not a number.');
    expect(html).not.toContain('name="token"');
  });

  it('refuses a file above the upload limit with a clear 413 page, and nothing is stored', async () => {
    const big = csv([`XM-BIG-1,${'x'.repeat(LIMIT)},${org.id},draft,KE,100`]);
    const res = await upload(client, big);
    expect(res.status).toBe(413);
    expect(await res.text()).toContain(`upload limit of ${LIMIT} bytes`);
  });

  it('does not let another person commit someone else’s upload', async () => {
    const html = await (await upload(client, csv([`XM-PAGE-5,Mine,${org.id},draft,KE,100`]))).text();
    const token = /name="token" value="([^"]+)"/.exec(html)![1]!;
    const other = new TestClient(env.app);
    await signIn(other, await makeUser(env, { role: 'staff', org }));
    expect((await other.postForm('/activities/import/commit', { token })).status).toBe(404);
  });

  it('downloads the templates', async () => {
    const xlsx = await env.app.request('http://localhost/activities/import/template.xlsx');
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toContain('spreadsheetml');
    expect(new Uint8Array(await xlsx.arrayBuffer()).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]));
    const text = await (await env.app.request('http://localhost/activities/import/template.csv')).text();
    expect(text.replace(/^\uFEFF/, '').split('\r\n')[0]).toMatch(/^id,iati_identifier,title_en/);
  });
});

describe('the import API', () => {
  it('uploads with a token, then commits all rows in one go', async () => {
    const { secret } = await makeToken(env, staff, { scopes: ['read', 'write'] });
    const form = new FormData();
    form.set('file', new File([csv([`XM-API-1,API import,${org.id},draft,KE,100`])], 'api.csv'));
    const res = await env.app.request('http://localhost/api/v1/activities/import', { method: 'POST', body: form, headers: bearer(secret) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; report: { committable: boolean; counts: { create: number } } };
    expect(body.report).toMatchObject({ committable: true, counts: { create: 1 } });
    const commit = await env.app.request(`http://localhost/api/v1/activities/import/${body.token}/commit`, { method: 'POST', headers: bearer(secret) });
    expect(commit.status).toBe(200);
    expect(await commit.json()).toMatchObject({ rows: 1, created: 1 });
  });

  it('answers 413 as a problem above the upload limit', async () => {
    const { secret } = await makeToken(env, staff, { scopes: ['read', 'write'] });
    const form = new FormData();
    form.set('file', new File(['x'.repeat(LIMIT * 20)], 'huge.csv'));
    const res = await env.app.request('http://localhost/api/v1/activities/import', { method: 'POST', body: form, headers: bearer(secret) });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(((await res.json()) as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a commit with blocking problems with 422 listing them, saving nothing', async () => {
    const { secret } = await makeToken(env, staff, { scopes: ['read', 'write'] });
    const form = new FormData();
    form.set('file', new File([csv([`XM-API-2,Bad,${org.id},public,KE,50`])], 'bad.csv'));
    const up = (await (await env.app.request('http://localhost/api/v1/activities/import', { method: 'POST', body: form, headers: bearer(secret) })).json()) as { token: string };
    const before = await countActivities();
    const res = await env.app.request(`http://localhost/api/v1/activities/import/${up.token}/commit`, { method: 'POST', headers: bearer(secret) });
    expect(res.status).toBe(422);
    const problem = (await res.json()) as { errors: { path: string; message: string }[] };
    expect(problem.errors.some((e) => e.path === 'row 2, country_percentage')).toBe(true);
    expect(await countActivities()).toBe(before);
  });
});
