import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/identity/tokens.ts';
import { createUser } from '../../src/domain/identity/users.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';

let env: TestEnv;
let token = '';
beforeAll(async () => {
  env = await createTestEnv();
  const admin = await createUser(env.ctx(systemActor), { email: 'nul-admin@example.org', name: 'NUL admin', platformRole: 'administrator' });
  token = (await createApiToken(env.ctx(systemActor), { name: 'nul', scopes: ['read', 'write', 'admin'], userId: admin.id })).secret;
});
afterAll(() => env.close());

describe('text that PostgreSQL cannot store', () => {
  it('refuses a NUL character with 422 naming the field, and writes nothing', async () => {
    const res = await env.app.request('/api/v1/organizations', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'member', acronym: 'NUL', orgType: 'other', name: { en: 'Before\u0000after' } }),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'name.en' }] });
    const n = await env.db.kysely.selectFrom('organizations').select((eb) => eb.fn.countAll().as('n')).where('acronym', '=', 'NUL').executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(0);
  });
});
