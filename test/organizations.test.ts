import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../src/domain/actor.ts';
import { createOrganization, getOrganization, updateOrganization } from '../src/domain/organizations/organizations.ts';
import { createTestEnv, TestClient, type TestEnv } from './support/app.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const sample = { kind: 'member' as const, acronym: 'UNX', orgType: 'un_entity' as const, name: { en: 'United Nations Example', fr: 'Exemple des Nations Unies' } };

describe('createOrganization', () => {
  it('creates an organization with a slug from its acronym and records an audit entry', async () => {
    const org = await createOrganization(env.ctx(), { ...sample, acronym: 'UN Example' });
    expect(org.slug).toBe('un-example');
    expect(org.version).toBe(1);
    const audit = await env.db.kysely.selectFrom('audit_log').selectAll().where('record_id', '=', org.id).execute();
    expect(audit.map((a) => a.action)).toEqual(['organization.create']);
  });

  it('refuses a visitor', async () => {
    await expect(createOrganization(env.ctx(anonymous), { ...sample, acronym: 'NOPE' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a duplicate slug with CONFLICT naming the field', async () => {
    await createOrganization(env.ctx(), { ...sample, acronym: 'DUP' });
    await expect(createOrganization(env.ctx(), { ...sample, acronym: 'Dup' })).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: [{ path: 'slug' }],
    });
  });
});

describe('updateOrganization', () => {
  it('refuses a stale version and keeps the first change', async () => {
    const org = await createOrganization(env.ctx(), { ...sample, acronym: 'RACE' });
    await updateOrganization(env.ctx(), org.id, { version: 1, website: 'https://first.example' });
    await expect(updateOrganization(env.ctx(), org.id, { version: 1, website: 'https://second.example' })).rejects.toMatchObject({
      code: 'VERSION_CONFLICT',
      current: { website: 'https://first.example', version: 2 },
    });
    expect((await getOrganization(env.ctx(), org.id)).website).toBe('https://first.example');
  });
});

describe('GET /api/v1/organizations', () => {
  it('pages through organizations with a cursor', async () => {
    const client = new TestClient(env.app);
    const first = (await (await client.request('/api/v1/organizations?limit=2')).json()) as { items: { id: string }[]; nextCursor: string };
    expect(first.items).toHaveLength(2);
    const second = (await (await client.request(`/api/v1/organizations?limit=2&cursor=${first.nextCursor}`)).json()) as { items: { id: string }[] };
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    expect(second.items.map((i) => i.id)).not.toContain(first.items[1]?.id);
  });

  it('answers a bad cursor with a problem naming the field', async () => {
    const res = await new TestClient(env.app).request('/api/v1/organizations?cursor=garbage');
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'cursor' }] });
  });
});

describe('GET /healthz', () => {
  it('reports the database reachable at the expected migration level', async () => {
    const res = await env.app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok', database: { reachable: true } });
  });
});
