import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../src/domain/actor.ts';
import { createApiToken } from '../../src/domain/identity/tokens.ts';
import { createUser } from '../../src/domain/identity/users.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';

// Thousands of requests per property: allow minutes on a busy 2-core machine.
const FUZZ_TIMEOUT = 300_000;

// Property-based tests of the API's JSON inputs: whatever arrives, the answer is a 2xx or a
// 4xx problem document — never a 5xx — and a refused request writes nothing.

let env: TestEnv;
let token = '';
let orgId = '';
beforeAll(async () => {
  env = await createTestEnv();
  const ctx = env.ctx(systemActor);
  const admin = await createUser(ctx, { email: 'fuzz-admin@example.org', name: 'Fuzz admin', platformRole: 'administrator' });
  token = (await createApiToken(ctx, { name: 'fuzz', scopes: ['read', 'write', 'admin'], userId: admin.id })).secret;
  orgId = (await createOrganization(ctx, { kind: 'member', acronym: 'FUZZ', orgType: 'other', name: { en: 'Fuzz target' } })).id;
});
afterAll(() => env.close());

async function counts() {
  const one = async (t: 'organizations' | 'audit_log' | 'organization_chairs') =>
    Number((await env.db.kysely.selectFrom(t).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { orgs: await one('organizations'), audit: await one('audit_log'), chairs: await one('organization_chairs') };
}

async function send(method: string, path: string, body: string) {
  const res = await env.app.request(path, {
    method,
    body,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type') ?? '', text };
}

function expectClean(r: { status: number; type: string; text: string }) {
  expect(r.status, r.text).toBeLessThan(500);
  if (r.status >= 400) {
    expect(r.type).toContain('application/problem+json');
    const problem = JSON.parse(r.text) as { code: string; detail: string };
    expect(problem.code).toMatch(/^[A-Z_]+$/);
    expect(problem.detail.length).toBeGreaterThan(0);
  }
}

/** Values shaped like an organization, with every field sometimes wrong. */
const orgLike = fc.record(
  {
    kind: fc.oneof(fc.constantFrom('member', 'observer', 'partner'), fc.string(), fc.integer()),
    acronym: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.constant(''), fc.integer()),
    slug: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,20}$/), fc.string()),
    orgType: fc.oneof(fc.constantFrom('un_entity', 'ngo', 'other'), fc.string()),
    name: fc.oneof(
      fc.record({ en: fc.string({ unit: 'grapheme', maxLength: 300 }), fr: fc.string({ unit: 'binary', maxLength: 50 }) }, { requiredKeys: [] }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.string()),
      fc.string(),
    ),
    website: fc.oneof(fc.webUrl(), fc.string(), fc.constant(null)),
    joinedYear: fc.oneof(fc.integer(), fc.double(), fc.constant(null)),
    chairYears: fc.oneof(fc.array(fc.integer({ min: 1990, max: 2040 }), { maxLength: 5 }), fc.anything()),
  },
  { requiredKeys: [] },
);

/** Valid organizations except for their text, which may hold any code point (NUL, lone surrogates, RTL marks). */
const validWithWildText = fc.record({
  kind: fc.constantFrom('member', 'observer', 'partner'),
  acronym: fc.string({ unit: 'binary', minLength: 1, maxLength: 32 }),
  orgType: fc.constant('other'),
  name: fc.record({ en: fc.string({ unit: 'binary', minLength: 1, maxLength: 200 }), ar: fc.string({ unit: 'grapheme', maxLength: 50 }) }),
});

describe('POST /api/v1/organizations under generated input', () => {
  it('answers arbitrary JSON with 201 or a 4xx problem, and writes nothing when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), orgLike, validWithWildText), async (value) => {
        const before = await counts();
        const r = await send('POST', '/api/v1/organizations', JSON.stringify(value));
        expectClean(r);
        const after = await counts();
        if (r.status === 201) expect(after.orgs).toBe(before.orgs + 1);
        else expect(after).toEqual(before);
      }),
      { numRuns: 1500 },
    );
  }, FUZZ_TIMEOUT);

  it('answers bodies that are not JSON at all with 400 MALFORMED_JSON', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 200 }), async (raw) => {
        let parses = true;
        try {
          JSON.parse(raw);
        } catch {
          parses = false;
        }
        const before = await counts();
        const r = await send('POST', '/api/v1/organizations', raw);
        expectClean(r);
        if (!parses) expect(JSON.parse(r.text)).toMatchObject({ code: 'MALFORMED_JSON' });
        expect(await counts()).toEqual(before);
      }),
      { numRuns: 1000 },
    );
  }, FUZZ_TIMEOUT);
});

describe('PATCH /api/v1/organizations/{id} under generated input', () => {
  it('never fails with 5xx and leaves the record untouched when it refuses', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), orgLike.map((o) => ({ ...o, version: 1 }))), async (value) => {
        const before = await env.db.kysely.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirstOrThrow();
        const r = await send('PATCH', `/api/v1/organizations/${orgId}`, JSON.stringify(value));
        expectClean(r);
        const after = await env.db.kysely.selectFrom('organizations').selectAll().where('id', '=', orgId).executeTakeFirstOrThrow();
        if (r.status !== 200) expect(after).toEqual(before);
      }),
      { numRuns: 1000 },
    );
  }, FUZZ_TIMEOUT);
});
