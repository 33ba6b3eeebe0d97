import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activity } from '../../src/domain/activities/activity-schemas.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { activityInput, makeActivity } from '../support/activities.ts';
import { bearer, makeOrg, makeToken, makeUser, signIn, type TestUser } from '../support/factories.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let staffA: TestUser;
let staffB: TestUser;
let writeA: string;
let writeB: string;

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  writeA = (await makeToken(env, staffA, { scopes: ['read', 'write'] })).secret;
  writeB = (await makeToken(env, staffB, { scopes: ['read', 'write'] })).secret;
});
afterAll(() => env.close());

const json = (secret: string, body: unknown, headers: Record<string, string> = {}) => ({
  headers: { ...bearer(secret), 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
const anon = () => new TestClient(env.app);

describe('POST /api/v1/activities', () => {
  it('creates with 201, a Location and an ETag, and returns the graded messages', async () => {
    const res = await anon().request('/api/v1/activities', { method: 'POST', ...json(writeA, activityInput(orgA.id, { sectors: [] })) });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { activity: Activity; messages: { rule: string; severity: string }[] };
    expect(res.headers.get('location')).toBe(`/api/v1/activities/${body.activity.id}`);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(body.messages).toContainEqual(expect.objectContaining({ rule: 'sectors.missing', severity: 'warning' }));
  });

  it('saves a draft with errors, and refuses to publish them with 422 naming each field', async () => {
    const bad = activityInput(orgA.id, { countries: [{ code: 'NA', percentage: 55 }] });
    const refused = await anon().request('/api/v1/activities', { method: 'POST', ...json(writeA, { ...bad, visibility: 'members' }) });
    expect(refused.status).toBe(422);
    const problem = (await refused.json()) as { code: string; errors: { path: string; severity: string; hint?: string }[] };
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(problem.errors).toContainEqual(expect.objectContaining({ path: 'countries.0.percentage', severity: 'error' }));
    const draft = await anon().request('/api/v1/activities', { method: 'POST', ...json(writeA, { ...bad, visibility: 'draft' }) });
    expect(draft.status).toBe(201);
    expect(((await draft.json()) as { messages: { path: string }[] }).messages.map((m) => m.path)).toContain('countries.0.percentage');
  });

  it('refuses a token of B creating an activity owned by A', async () => {
    const res = await anon().request('/api/v1/activities', { method: 'POST', ...json(writeB, activityInput(orgA.id)) });
    expect(res.status).toBe(403);
  });
});

describe('GET /api/v1/activities/{id}', () => {
  it('gives the version as ETag and answers 304 to a matching If-None-Match', async () => {
    const a = await makeActivity(env, orgA.id);
    const res = await anon().request(`/api/v1/activities/${a.id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(((await res.json()) as Activity).id).toBe(a.id);
    const again = await anon().request(`/api/v1/activities/${a.id}`, { headers: { 'if-none-match': '"1"' } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const stale = await anon().request(`/api/v1/activities/${a.id}`, { headers: { 'if-none-match': '"0"' } });
    expect(stale.status).toBe(200);
  });

  it('answers 404 for a draft to someone outside the owner organization', async () => {
    const a = await makeActivity(env, orgA.id, { visibility: 'draft' });
    expect((await anon().request(`/api/v1/activities/${a.id}`)).status).toBe(404);
    expect((await anon().request(`/api/v1/activities/${a.id}`, { headers: bearer(writeB) })).status).toBe(404);
    expect((await anon().request(`/api/v1/activities/${a.id}`, { headers: bearer(writeA) })).status).toBe(200);
  });
});

describe('PUT /api/v1/activities/{id}', () => {
  it('takes the version from the body or from If-Match, and answers a stale one with 409 and the current record', async () => {
    const a = await makeActivity(env, orgA.id);
    const first = await anon().request(`/api/v1/activities/${a.id}`, { method: 'PUT', ...json(writeA, { ...activityInput(orgA.id, { title: { en: 'One' } }), version: 1 }) });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');
    const second = await anon().request(`/api/v1/activities/${a.id}`, { method: 'PUT', ...json(writeA, activityInput(orgA.id, { title: { en: 'Two' } }), { 'if-match': '"2"' }) });
    expect(second.status).toBe(200);
    const stale = await anon().request(`/api/v1/activities/${a.id}`, { method: 'PUT', ...json(writeA, activityInput(orgA.id, { title: { en: 'Stale' } }), { 'if-match': '"2"' }) });
    expect(stale.status).toBe(409);
    const problem = (await stale.json()) as { code: string; current: Activity };
    expect(problem.code).toBe('VERSION_CONFLICT');
    expect(problem.current.title).toEqual({ en: 'Two' });
    expect(problem.current.version).toBe(3);
  });

  it('asks for the version when neither the body nor If-Match has one', async () => {
    const a = await makeActivity(env, orgA.id);
    const res = await anon().request(`/api/v1/activities/${a.id}`, { method: 'PUT', ...json(writeA, activityInput(orgA.id)) });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual(['version']);
  });

  it('refuses staff of B changing A’s activity', async () => {
    const a = await makeActivity(env, orgA.id);
    const res = await anon().request(`/api/v1/activities/${a.id}`, { method: 'PUT', ...json(writeB, { ...activityInput(orgB.id), version: 1 }) });
    expect(res.status).toBe(403);
    expect(((await (await anon().request(`/api/v1/activities/${a.id}`)).json()) as Activity).version).toBe(1);
  });

  it('lets exactly one of several parallel requests from the same base version win', async () => {
    const a = await makeActivity(env, orgA.id);
    const statuses = await Promise.all(
      ['A', 'B', 'C', 'D'].map((n) =>
        anon()
          .request(`/api/v1/activities/${a.id}`, { method: 'PUT', ...json(writeA, { ...activityInput(orgA.id, { title: { en: `Parallel ${n}` } }), version: 1 }) })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(3);
    const now = (await (await anon().request(`/api/v1/activities/${a.id}`)).json()) as Activity;
    expect(now.version).toBe(2);
    const history = (await (await anon().request(`/api/v1/activities/${a.id}/versions`, { headers: bearer(writeA) })).json()) as { items: unknown[] };
    expect(history.items).toHaveLength(2);
  });
});

describe('DELETE and restore', () => {
  it('deletes softly, hides the record from the public, and restores it', async () => {
    const a = await makeActivity(env, orgA.id);
    const stale = await anon().request(`/api/v1/activities/${a.id}`, { method: 'DELETE', headers: { ...bearer(writeA), 'if-match': '"9"' } });
    expect(stale.status).toBe(409);
    const del = await anon().request(`/api/v1/activities/${a.id}`, { method: 'DELETE', headers: { ...bearer(writeA), 'if-match': '"1"' } });
    expect(del.status).toBe(200);
    expect(((await del.json()) as Activity).deletedAt).not.toBeNull();
    expect((await anon().request(`/api/v1/activities/${a.id}`)).status).toBe(404);
    const restore = await anon().request(`/api/v1/activities/${a.id}/restore`, { method: 'POST', headers: bearer(writeA) });
    expect(restore.status).toBe(200);
    expect((await anon().request(`/api/v1/activities/${a.id}`)).status).toBe(200);
  });
});

describe('versions and diffs', () => {
  it('lists the versions and describes the changes between two of them', async () => {
    const a = await makeActivity(env, orgA.id, { countries: [{ code: 'UG', percentage: 100 }] });
    await anon().request(`/api/v1/activities/${a.id}`, {
      method: 'PUT',
      ...json(writeA, { ...activityInput(orgA.id, { title: a.title, countries: [{ code: 'KE', percentage: 40 }, { code: 'NA', percentage: 60 }] }), version: 1 }),
    });
    const list = (await (await anon().request(`/api/v1/activities/${a.id}/versions`, { headers: bearer(writeA) })).json()) as { items: { version: number; action: string }[] };
    expect(list.items.map((v) => [v.version, v.action])).toEqual([
      [2, 'update'],
      [1, 'create'],
    ]);
    const diff = (await (await anon().request(`/api/v1/activities/${a.id}/versions/1/diff/2`, { headers: bearer(writeA) })).json()) as { changes: { summary: string }[] };
    expect(diff.changes.map((c) => c.summary)).toContain('Countries: added KE 40%, NA 60%; removed UG 100%');
    expect((await anon().request(`/api/v1/activities/${a.id}/versions`, { headers: bearer(writeB) })).status).toBe(403);
  });
});

describe('POST /api/v1/activities/validate', () => {
  it('returns the graded messages and whether the record could be published, without saving', async () => {
    const res = await anon().request('/api/v1/activities/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': 'x', cookie: 'icat_csrf=x' },
      body: JSON.stringify(activityInput(orgA.id, { plannedStart: '2026-01-01', plannedEnd: '2025-01-01' })),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { publishable: boolean; messages: { path: string; severity: string }[] };
    expect(body.publishable).toBe(false);
    expect(body.messages).toContainEqual(expect.objectContaining({ path: 'plannedEnd', severity: 'error' }));
  });
});

describe('the pages and the API agree on organization scoping', () => {
  it('refuses staff of B signed in through pages too', async () => {
    const a = await makeActivity(env, orgA.id);
    const client = new TestClient(env.app);
    await signIn(client, staffB);
    const res = await client.request(`/api/v1/activities/${a.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-csrf-token': await client.csrf() },
      body: JSON.stringify({ ...activityInput(orgA.id), version: 1 }),
    });
    expect(res.status).toBe(403);
  });
});
