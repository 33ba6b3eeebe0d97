import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasActivityGroups, selectMatrixParts, type MatrixPartRow } from '../../src/db/queries/coordination.ts';
import { anonymous, type Actor } from '../../src/domain/actor.ts';
import { createActivity, updateActivity, type NewActivityInput } from '../../src/domain/activities/save-activity.ts';
import { deleteActivity, restoreActivity } from '../../src/domain/activities/delete-activity.ts';
import { DIMENSIONS } from '../../src/domain/coordination/coordination-schemas.ts';
import { planMatrix } from '../../src/domain/coordination/coverage-matrix.ts';
import { decideDuplicate } from '../../src/domain/coordination/duplicates.ts';
import { snapshotMatrixParts } from '../../src/domain/coordination/matrix-snapshot.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { activityInput } from '../support/activities.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';

/**
 * The matrix computed on the process's copy of the list rows (ADR 028) against the SQL statement
 * it replaces, part by part, over random registries built by random sequences of creations,
 * edits, soft and hard deletions, restorations, budget changes behind the domain's back and
 * duplicate decisions, for random matrices (any two dimensions, every measure, random filters
 * including the text query and organization roles) and three readers. The copy is kept between
 * runs, so it is brought up to date from the changes, never read afresh.
 */
let env: TestEnv;
let orgs: Organization[];
let staff: TestUser;
let coordinator: TestUser;
const live: string[] = [];

const COUNTRIES = ['KE', 'UG', 'NG', 'SG', 'FR', 'BH'];
const REGIONS = ['014', '002', '150', '145'];
const PILLARS = ['prevention', 'protection', 'prosecution', 'partnerships'];
const FORMS = ['forced-labour', 'sexual-exploitation', 'forced-marriage'];
const GROUPS = ['women', 'men', 'girls', 'boys'];
const CONTEXTS = ['migration-route', 'armed-conflict'];
const WORDS = ['border', 'training', 'shelter', 'hotline'];

const subset = <T,>(v: readonly T[]) => fc.subarray([...v]);
const year = fc.option(fc.integer({ min: 2014, max: 2028 }), { nil: null });
const spec = fc.record({
  owner: fc.nat(2),
  visibility: fc.constantFrom('public', 'members', 'restricted', 'draft'),
  shareWith: fc.nat(2),
  countries: subset(COUNTRIES),
  regions: subset(REGIONS),
  pillars: subset(PILLARS),
  forms: subset(FORMS),
  groups: subset(GROUPS),
  contexts: subset(CONTEXTS),
  start: year,
  length: fc.option(fc.integer({ min: 0, max: 4 }), { nil: null }),
  actual: fc.boolean(),
  status: fc.constantFrom('1', '2', '3'),
  funder: fc.option(fc.nat(2), { nil: null }),
  budgets: fc.array(fc.record({ value: fc.integer({ min: 0, max: 500_000 }), currency: fc.constantFrom('USD', 'EUR'), type: fc.constantFrom('1', '2') }), { maxLength: 3 }),
  word: fc.constantFrom(...WORDS),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

const command = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('create' as const), spec }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('update' as const), i: fc.nat(), spec }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('restore' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('hardDelete' as const), i: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('budgetOnly' as const), i: fc.nat(), value: fc.integer({ min: 0, max: 900_000 }) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('decide' as const), i: fc.nat(), j: fc.nat(), decision: fc.constantFrom('duplicate' as const, 'not_duplicate' as const) }) },
);

const query = fc
  .record({
    dims: fc.uniqueArray(fc.constantFrom(...DIMENSIONS), { minLength: 2, maxLength: 2 }),
    measure: fc.constantFrom('activities', 'organizations', 'budget'),
    currency: fc.constantFrom('USD', 'EUR'),
    country: fc.option(subset(COUNTRIES.slice(0, 3)), { nil: undefined }),
    region: fc.option(fc.constantFrom(['014'], ['002', '150']), { nil: undefined }),
    pillar: fc.option(subset(PILLARS.slice(0, 2)), { nil: undefined }),
    targetGroup: fc.option(subset(GROUPS.slice(0, 2)), { nil: undefined }),
    status: fc.option(fc.constantFrom(['2'], ['1', '3']), { nil: undefined }),
    organization: fc.option(fc.nat(2), { nil: undefined }),
    organizationRole: fc.option(fc.constantFrom('owner', 'funding', 'implementing'), { nil: undefined }),
    from: fc.option(fc.constantFrom('2018-06-30', '2022-01-01'), { nil: undefined }),
    to: fc.option(fc.constantFrom('2023-12-31', '2026-02-01'), { nil: undefined }),
    q: fc.option(fc.constantFrom(...WORDS), { nil: undefined }),
    reader: fc.constantFrom('anonymous', 'staff', 'coordinator'),
  })
  .map((x) => x);

type Query = typeof query extends fc.Arbitrary<infer T> ? T : never;
const unfiltered = { country: undefined, region: undefined, pillar: undefined, targetGroup: undefined, status: undefined, organization: undefined, organizationRole: undefined, from: undefined, to: undefined, q: undefined, reader: 'coordinator' as const };
const FIXED: Query[] = [
  { ...unfiltered, dims: ['organization', 'pillar'], measure: 'budget', currency: 'USD' },
  { ...unfiltered, dims: ['subregion', 'period'], measure: 'budget', currency: 'EUR' },
  { ...unfiltered, dims: ['country', 'targetGroup'], measure: 'organizations', currency: 'USD' },
];

function input(s: Spec): NewActivityInput {
  const end = s.start !== null && s.length !== null ? s.start + s.length : null;
  const owner = orgs[s.owner]!.id;
  // Shares adding up to exactly 100 over countries and M49 regions together.
  const places = s.countries.length + s.regions.length;
  const pct = (k: number) => (k === places - 1 ? 100 - Math.floor(100 / places) * (places - 1) : Math.floor(100 / places));
  return activityInput(owner, {
    visibility: s.visibility as NewActivityInput['visibility'],
    sharedWith: s.visibility === 'restricted' ? [orgs[s.shareWith]!.id] : [],
    title: { en: `Activity on ${s.word} work` },
    description: { en: `Support for ${s.word} services.` },
    status: s.status,
    // An actual start is one that has passed.
    plannedStart: s.start !== null && !(s.actual && s.start <= 2025) ? `${s.start}-03-01` : null,
    actualStart: s.start !== null && s.actual && s.start <= 2025 ? `${s.start}-03-01` : null,
    plannedEnd: end !== null ? `${end}-11-30` : null,
    countries: s.countries.map((code, k) => ({ code, percentage: pct(k) })),
    regions: s.regions.map((code, k) => ({ vocabulary: '2', code, percentage: pct(s.countries.length + k) })),
    participants: s.funder !== null ? [{ role: '1', organizationId: orgs[s.funder]!.id, name: {} }, { role: '4', organizationId: owner, name: {} }] : [{ role: '4', organizationId: owner, name: {} }],
    budgets: s.budgets.map((b, k) => ({ type: b.type, status: '1', periodStart: `${2020 + k}-01-01`, periodEnd: `${2020 + k}-12-31`, value: b.value, currency: b.currency })),
    classification: { pillars: s.pillars, exploitationForms: s.forms, targetGroups: s.groups, contexts: s.contexts, sdgTargets: [], instruments: [], mechanisms: [] },
  });
}

type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

async function run(c: Command): Promise<void> {
  const admin = env.ctx();
  const pick = (i: number) => live[i % live.length]!;
  switch (c.t) {
    case 'create':
      live.push((await createActivity(admin, input(c.spec))).activity.id);
      return;
    case 'update': {
      if (live.length === 0) return;
      const id = pick(c.i);
      const v = await env.db.kysely.selectFrom('activities').select(['version', 'deleted_at']).where('id', '=', id).executeTakeFirstOrThrow();
      if (v.deleted_at !== null) return; // a deleted record is restored before it is changed
      await updateActivity(admin, id, { ...input(c.spec), version: v.version });
      return;
    }
    case 'delete':
    case 'restore': {
      if (live.length === 0) return;
      const id = pick(c.i);
      const row = await env.db.kysely.selectFrom('activities').select('deleted_at').where('id', '=', id).executeTakeFirstOrThrow();
      if (c.t === 'delete' && row.deleted_at === null) await deleteActivity(admin, id);
      if (c.t === 'restore' && row.deleted_at !== null) await restoreActivity(admin, id);
      return;
    }
    case 'hardDelete': {
      if (live.length === 0) return;
      const id = pick(c.i);
      await env.db.kysely.deleteFrom('activities').where('id', '=', id).execute();
      live.splice(live.indexOf(id), 1);
      return;
    }
    case 'budgetOnly': {
      if (live.length === 0) return;
      await sql`update activity_budgets set value = ${c.value} where activity_id = ${pick(c.i)}`.execute(env.db.kysely);
      return;
    }
    case 'decide': {
      // Decisions are taken on records that are not deleted.
      const open = (await env.db.kysely.selectFrom('activities').select('id').where('deleted_at', 'is', null).orderBy('id').execute()).map((r) => r.id);
      if (open.length < 2) return;
      const a = open[c.i % open.length]!;
      const b = open[(c.i + 1 + (c.j % (open.length - 1))) % open.length]!;
      await decideDuplicate(env.ctx(coordinator.actor), { activityA: a, activityB: b, decision: c.decision });
      return;
    }
  }
}

const normal = (parts: MatrixPartRow[]) =>
  parts
    .map((p) => ({ ...p, v: p.v === null ? null : Math.round(p.v * 1000) / 1000, w: p.w === null ? null : Number(p.w) }))
    .sort((x, y) => `${x.part}|${x.r}|${x.c}`.localeCompare(`${y.part}|${y.r}|${y.c}`));

async function compare(q: Query): Promise<void> {
  const actor: Actor = q.reader === 'anonymous' ? anonymous : q.reader === 'staff' ? staff.actor : coordinator.actor;
  const ctx = env.ctx(actor);
  const plan = await planMatrix(ctx, {
    rows: q.dims[0],
    cols: q.dims[1],
    measure: q.measure,
    currency: q.currency,
    country: q.country,
    region: q.region,
    pillar: q.pillar,
    targetGroup: q.targetGroup,
    status: q.status,
    organization: q.organization === undefined ? undefined : [orgs[q.organization]!.id],
    organizationRole: q.organization === undefined ? undefined : q.organizationRole,
    from: q.from,
    to: q.to,
    q: q.q,
  });
  const fast = await snapshotMatrixParts(env.db, plan.scope, plan.resolved, plan.request);
  const reference = await selectMatrixParts(env.db.kysely, plan.scope, plan.resolved, { ...plan.request, withGroups: await hasActivityGroups(env.db.kysely) });
  expect(normal(fast)).toEqual(normal(reference));
}

beforeAll(async () => {
  env = await createTestEnv();
  orgs = [await makeOrg(env), await makeOrg(env), await makeOrg(env)];
  staff = await makeUser(env, { role: 'staff', org: orgs[0]! });
  coordinator = await makeUser(env, { role: 'coordinator' });
});

afterAll(async () => {
  await env?.close();
});

describe('the coverage matrix on the process copy', () => {
  it('gives the parts of the SQL statement after any sequence of changes, for any matrix, filters and reader', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 6 }), fc.array(query, { minLength: 3, maxLength: 3 }), async (cmds, queries) => {
        for (const [k, c] of cmds.entries()) {
          await run(c);
          await compare(queries[k % queries.length]!);
        }
        for (const q of queries) await compare(q);
        // Unfiltered budgets and organizations as the coordinator, where linked groups weigh most.
        for (const fixed of FIXED) await compare(fixed);
      }),
      { numRuns: 25 },
    );
    // The runs built a registry worth the name: live and deleted records, groups of the same work.
    expect(live.length).toBeGreaterThan(10);
  }, 300_000);
});
