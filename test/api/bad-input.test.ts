import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { bearer, makeToken, makeUser, type TestUser } from '../support/factories.ts';

/** Bad requests are answered with a 4xx problem document naming the field at fault, and change nothing. */
let env: TestEnv;
let admin: TestUser;
let secret: string;
beforeAll(async () => {
  env = await createTestEnv({ MAX_BODY_BYTES: '4096' });
  admin = await makeUser(env, { role: 'administrator' });
  secret = (await makeToken(env, admin, { scopes: ['read', 'write', 'admin'] })).secret;
});
afterAll(() => env.close());

const TABLES = ['users', 'memberships', 'organizations', 'api_tokens', 'invitations', 'audit_log', 'mail_outbox'] as const;
async function counts() {
  const out: Record<string, number> = {};
  for (const t of TABLES) out[t] = Number((await env.db.kysely.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return out;
}

async function send(method: string, path: string, body: string | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const before = await counts();
  const res = await env.app.request(`/api/v1${path}`, { method, body, headers: { ...bearer(secret), ...headers } });
  const problem = (await res.json()) as { code: string; status: number; errors?: { path: string; message: string }[] };
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(problem.status).toBe(res.status);
  expect(await counts(), 'nothing is written').toEqual(before);
  return { status: res.status, problem, paths: (problem.errors ?? []).map((e) => e.path) };
}

const validUser = { email: 'bad.input@example.org', name: 'Bad Input' };

describe('bad input to the API', () => {
  it('answers malformed JSON with 400 MALFORMED_JSON', async () => {
    const r = await send('POST', '/users', '{"email": "x@example.org", "name": ');
    expect(r.status).toBe(400);
    expect(r.problem.code).toBe('MALFORMED_JSON');
  });

  it('names each field of the wrong type', async () => {
    const r = await send('POST', '/users', JSON.stringify({ email: 42, name: ['not', 'a', 'string'], platformRole: 'emperor' }));
    expect(r.status).toBe(422);
    expect(r.problem.code).toBe('VALIDATION_FAILED');
    expect(r.paths).toEqual(expect.arrayContaining(['email', 'name', 'platformRole']));
  });

  it('names unknown fields instead of ignoring them', async () => {
    const r = await send('POST', '/users', JSON.stringify({ ...validUser, isAdmin: true }));
    expect(r.status).toBe(422);
    expect(r.paths).toContain('isAdmin');
    expect(r.problem.errors?.find((e) => e.path === 'isAdmin')?.message).toContain('Unknown field');
  });

  it('names unknown fields nested in a list', async () => {
    const r = await send('PUT', `/users/${admin.id}/memberships`, JSON.stringify({ memberships: [{ organizationId: 'org_x', role: 'staff', since: 2020 }] }));
    expect(r.status).toBe(422);
    expect(r.paths).toContain('memberships.0.since');
  });

  it('names a bad entry in a list of scopes', async () => {
    const r = await send('POST', '/tokens', JSON.stringify({ name: 'x', scopes: ['read', 'superuser'] }));
    expect(r.status).toBe(422);
    expect(r.paths).toEqual(['scopes.1']);
  });

  it('names a malformed e-mail address and a missing choice', async () => {
    const r = await send('POST', '/invitations', JSON.stringify({ email: 'not-an-address', organizationId: null, role: null }));
    expect(r.status).toBe(422);
    expect(r.paths).toEqual(expect.arrayContaining(['email', 'organizationId']));
  });

  it('names a version sent as a string', async () => {
    const r = await send('PATCH', `/users/${admin.id}`, JSON.stringify({ version: '1', name: 'x' }));
    expect(r.status).toBe(422);
    expect(r.paths).toEqual(['version']);
  });

  it('names a bad query parameter', async () => {
    const r = await send('GET', '/audit?limit=lots', undefined, {});
    expect(r.status).toBe(422);
    expect(r.paths).toEqual(['query.limit']);
  });

  it('refuses a body over MAX_BODY_BYTES with 413 PAYLOAD_TOO_LARGE', async () => {
    const r = await send('POST', '/users', JSON.stringify({ ...validUser, name: 'x'.repeat(8000) }));
    expect(r.status).toBe(413);
    expect(r.problem.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a body that is not JSON', async () => {
    const r = await send('POST', '/tokens', 'name=x&scopes=read', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(415);
    expect(r.problem.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a valid request after all of this', async () => {
    const res = await env.app.request('/api/v1/users', { method: 'POST', body: JSON.stringify(validUser), headers: { 'content-type': 'application/json', ...bearer(secret) } });
    expect(res.status).toBe(201);
  });
});
