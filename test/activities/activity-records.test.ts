import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/db/database.ts';
import { activityMatchesSearch, readActivitySearch } from '../../src/db/queries/activities.ts';
import { anonymous, type Actor } from '../../src/domain/actor.ts';
import { activityDataOf } from '../../src/domain/activities/activity-mapping.ts';
import type { Activity } from '../../src/domain/activities/activity-schemas.ts';
import { prepareSearchText } from '../../src/domain/activities/activity-search.ts';
import { activityHistoryWithChanges, diffActivityVersions, listActivityVersions } from '../../src/domain/activities/activity-versions.ts';
import { deleteActivity, restoreActivity } from '../../src/domain/activities/delete-activity.ts';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { createActivity, updateActivity, upsertActivityByIdentifier, validateActivityInput } from '../../src/domain/activities/save-activity.ts';
import { AppError } from '../../src/domain/errors.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { TEST_DATABASE_URL } from '../support/env.ts';
import { activityInput, makeActivity } from '../support/activities.ts';
import { makeOrg, makeToken, makeUser, type TestUser } from '../support/factories.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let orgC: Organization;
let staffA: TestUser;
let focalA: TestUser;
let staffB: TestUser;
let staffC: TestUser;
let coordinator: TestUser;
let admin: TestUser;
let loner: TestUser;

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  orgC = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  focalA = await makeUser(env, { role: 'focal_point', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  staffC = await makeUser(env, { role: 'staff', org: orgC });
  coordinator = await makeUser(env, { role: 'coordinator' });
  admin = await makeUser(env, { role: 'administrator' });
  loner = await makeUser(env, { role: 'none' });
});
afterAll(() => env.close());

const as = (actor: Actor) => env.ctx(actor);

/** The AppError a promise rejects with (fails the test if it resolves or throws something else). */
async function failure(p: Promise<unknown>): Promise<AppError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail').toBeInstanceOf(AppError);
  return err as AppError;
}

const count = async (table: 'activities' | 'activity_versions' | 'audit_log', where?: { column: string; value: string }) => {
  let q = env.db.kysely.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n'));
  if (where) q = q.where(where.column as never, '=', where.value as never);
  return Number((await q.executeTakeFirstOrThrow()).n);
};

describe('createActivity', () => {
  it('stores the record as sent, tidied, and reads it back the same way', async () => {
    const input = activityInput(orgA.id, {
      title: { en: '  Safe shelters  ', fr: 'Abris sûrs', es: '' },
      countries: [
        { code: 'NA', percentage: 33.3333 },
        { code: 'KE', percentage: 66.6667 },
      ],
    });
    const { activity, messages } = await createActivity(as(staffA.actor), input);
    expect(messages.filter((m) => m.severity !== 'warning')).toEqual([]);
    expect(activity.version).toBe(1);
    expect(activity.title).toEqual({ en: 'Safe shelters', fr: 'Abris sûrs' });
    expect(activity.countries).toEqual([
      { code: 'KE', percentage: 66.667, narrative: {} },
      { code: 'NA', percentage: 33.333, narrative: {} },
    ]);
    expect(activity.ownerOrganization).toEqual({ id: orgA.id, slug: orgA.slug, acronym: orgA.acronym });
    expect(await getActivity(as(anonymous), activity.id)).toEqual(activity);
  });

  it('makes the person’s own organization the owner when none is given', async () => {
    const { ownerOrganizationId: _omit, ...rest } = activityInput(orgB.id);
    const { activity } = await createActivity(as(staffB.actor), rest);
    expect(activity.ownerOrganizationId).toBe(orgB.id);
  });

  it('asks an administrator without an organization to choose the owner', async () => {
    const { ownerOrganizationId: _omit, ...rest } = activityInput(orgA.id);
    const err = await failure(createActivity(as(admin.actor), rest));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.fields.map((f) => f.path)).toEqual(['ownerOrganizationId']);
  });

  it('refuses an activity owned by another organization: staff of B cannot create one owned by A', async () => {
    const before = await count('activities');
    expect((await failure(createActivity(as(staffB.actor), activityInput(orgA.id)))).code).toBe('FORBIDDEN');
    expect((await failure(createActivity(as(coordinator.actor), activityInput(orgA.id)))).code).toBe('FORBIDDEN');
    expect((await failure(createActivity(as(anonymous), activityInput(orgA.id)))).code).toBe('UNAUTHENTICATED');
    expect(await count('activities')).toBe(before);
  });

  it('lets an administrator create for any organization, and refuses a read-only token', async () => {
    const { activity } = await createActivity(as(admin.actor), activityInput(orgC.id));
    expect(activity.ownerOrganizationId).toBe(orgC.id);
    const { token } = await makeToken(env, staffA, { scopes: ['read'] });
    const tokenActor: Actor = { ...staffA.actor, kind: 'token', tokenId: token.id, scopes: ['read'] } as Actor;
    expect((await failure(createActivity(as(tokenActor), activityInput(orgA.id)))).code).toBe('FORBIDDEN');
  });

  it('saves a draft with errors and returns them', async () => {
    const { activity, messages } = await createActivity(
      as(staffA.actor),
      activityInput(orgA.id, { visibility: 'draft', countries: [{ code: 'NA', percentage: 70 }], plannedStart: '2025-01-01', plannedEnd: '2024-01-01' }),
    );
    expect(activity.visibility).toBe('draft');
    const errors = messages.filter((m) => m.severity === 'error' || m.severity === 'critical');
    expect(errors.map((m) => m.path)).toEqual(expect.arrayContaining(['countries.0.percentage', 'plannedEnd']));
  });

  it('refuses to publish with errors, naming each field with its severity and hint, and writes nothing', async () => {
    const before = { activities: await count('activities'), versions: await count('activity_versions'), audit: await count('audit_log') };
    const err = await failure(
      createActivity(as(staffA.actor), activityInput(orgA.id, { visibility: 'public', countries: [{ code: 'NA', percentage: 60 }, { code: 'KE', percentage: 30 }] })),
    );
    expect(err.code).toBe('VALIDATION_FAILED');
    const field = err.fields.find((f) => f.path.startsWith('countries'));
    expect(field).toMatchObject({ severity: 'error', code: 'geography.percentage-sum' });
    expect(field?.hint).toBeTruthy();
    expect({ activities: await count('activities'), versions: await count('activity_versions'), audit: await count('audit_log') }).toEqual(before);
  });

  it('publishes a record whose messages are only warnings', async () => {
    const { activity, messages } = await createActivity(as(staffA.actor), activityInput(orgA.id, { visibility: 'public', sectors: [] }));
    expect(activity.visibility).toBe('public');
    expect(messages.map((m) => [m.severity, m.rule])).toContainEqual(['warning', 'sectors.missing']);
  });

  it('refuses what cannot be stored even as a draft: a country twice, an unknown organization', async () => {
    const twice = await failure(
      createActivity(as(staffA.actor), activityInput(orgA.id, { visibility: 'draft', countries: [{ code: 'NA', percentage: 50 }, { code: 'NA', percentage: 50 }] })),
    );
    expect(twice.fields.map((f) => [f.path, f.code])).toContainEqual(['countries.1.code', 'storage.duplicate']);
    const unknown = await failure(
      createActivity(as(staffA.actor), activityInput(orgA.id, { visibility: 'draft', participants: [{ role: '4', organizationId: 'org_nope', name: {} }] })),
    );
    expect(unknown.fields.map((f) => f.path)).toContain('participants.0.organizationId');
  });

  it('refuses a second activity with the same IATI identifier', async () => {
    await createActivity(as(staffA.actor), activityInput(orgA.id, { iatiIdentifier: 'XM-TEST-DUP-1' }));
    const err = await failure(createActivity(as(staffB.actor), activityInput(orgB.id, { iatiIdentifier: 'XM-TEST-DUP-1' })));
    expect(err.code).toBe('CONFLICT');
    expect(err.fields.map((f) => f.path)).toEqual(['iatiIdentifier']);
  });

  it('accepts participants that are registered and participants named only', async () => {
    const { activity } = await createActivity(
      as(staffA.actor),
      activityInput(orgA.id, {
        participants: [
          { role: '4', organizationId: orgA.id, name: {} },
          { role: '1', ref: 'XM-DAC-7', name: { en: 'A donor not on the platform' }, orgType: '10' },
        ],
      }),
    );
    expect(activity.participants).toEqual([
      { role: '4', organizationId: orgA.id, ref: null, name: {}, orgType: null, activityRef: null },
      { role: '1', organizationId: null, ref: 'XM-DAC-7', name: { en: 'A donor not on the platform' }, orgType: '10', activityRef: null },
    ]);
  });

  it('writes version 1 and an audit entry in the same transaction', async () => {
    const a = await makeActivity(env, orgA.id, {}, staffA.actor);
    const versions = await listActivityVersions(as(staffA.actor), a.id);
    expect(versions.items.map((v) => [v.version, v.action, v.actorLabel])).toEqual([[1, 'create', staffA.email]]);
    const audit = await env.db.kysely.selectFrom('audit_log').select(['action', 'organization_id']).where('record_id', '=', a.id).execute();
    expect(audit).toEqual([{ action: 'activity.create', organization_id: orgA.id }]);
  });
});

describe('updateActivity', () => {
  it('replaces the whole record and moves to the next version', async () => {
    const a = await makeActivity(env, orgA.id, { results: [{ type: '1', title: { en: 'Shelters open' }, indicators: [] }] });
    const { activity } = await updateActivity(as(focalA.actor), a.id, { ...activityInput(orgA.id, { title: { en: 'Renamed' } }), version: 1 });
    expect(activity.version).toBe(2);
    expect(activity.title).toEqual({ en: 'Renamed' });
    // Full replacement: what the new record does not hold is gone.
    expect(activity.results).toEqual([]);
    expect(activity.createdAt).toBe(a.createdAt);
  });

  it('keeps the fields a form does not show when asked to', async () => {
    const a = await makeActivity(env, orgA.id, { results: [{ type: '1', title: { en: 'Shelters open' }, indicators: [] }] });
    const { activity } = await updateActivity(as(staffA.actor), a.id, { ...activityInput(orgA.id, { title: { en: 'Renamed' } }), version: 1 }, { keep: ['results'] });
    expect(activity.results).toEqual(a.results);
  });

  it('refuses a stale version with the current record, and overwrites nothing', async () => {
    const a = await makeActivity(env, orgA.id);
    await updateActivity(as(staffA.actor), a.id, { ...activityDataOf(a), title: { en: 'First edit' }, version: 1 });
    const err = await failure(updateActivity(as(focalA.actor), a.id, { ...activityDataOf(a), title: { en: 'Second edit' }, version: 1 }));
    expect(err.code).toBe('VERSION_CONFLICT');
    expect((err.current as Activity).title).toEqual({ en: 'First edit' });
    expect((err.current as Activity).version).toBe(2);
    const now = await getActivity(as(staffA.actor), a.id);
    expect(now.title).toEqual({ en: 'First edit' });
    expect((await listActivityVersions(as(staffA.actor), a.id)).items).toHaveLength(2);
  });

  it('lets exactly one of two concurrent edits from the same base version win, with no lost update', async () => {
    for (let round = 0; round < 3; round++) {
      const a = await makeActivity(env, orgA.id);
      const results = await Promise.allSettled([
        updateActivity(as(staffA.actor), a.id, { ...activityDataOf(a), title: { en: 'Edit by A' }, version: 1 }),
        updateActivity(as(focalA.actor), a.id, { ...activityDataOf(a), title: { en: 'Edit by focal point' }, version: 1 }),
      ]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0]!.reason as AppError).code).toBe('VERSION_CONFLICT');
      const winner = (won[0] as PromiseFulfilledResult<{ activity: Activity }>).value.activity;
      const now = await getActivity(as(staffA.actor), a.id);
      expect(now.version).toBe(2);
      expect(now.title).toEqual(winner.title);
      expect((await listActivityVersions(as(staffA.actor), a.id)).items.map((v) => v.version)).toEqual([2, 1]);
    }
  });

  it('refuses the edit that waited for the row while another save of the same base version committed', async (t) => {
    if (!TEST_DATABASE_URL) {
      t.skip('set TEST_DATABASE_URL (scripts/with-postgres.sh): the embedded database has one connection, so two saves cannot interleave');
      return;
    }
    const a = await makeActivity(env, orgA.id);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const lockTaken = new Promise<void>((r) => (locked = r));
    // Another save of version 1, holding the row until released.
    const other = withTransaction(env.db, async (tx) => {
      await tx.updateTable('activities').set({ version: 2, title: JSON.stringify({ en: 'The other save' }) }).where('id', '=', a.id).execute();
      locked();
      await held;
    });
    await lockTaken;
    const mine = updateActivity(as(staffA.actor), a.id, { ...activityDataOf(a), title: { en: 'My save' }, version: 1 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    // Wait until this save has passed its version check and waits on the row lock.
    let sawWait = false;
    for (let i = 0; i < 200 && !sawWait; i++) {
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`.execute(env.db.kysely);
      sawWait = waiting.rows[0]!.n > 0;
      if (!sawWait) await new Promise((r) => setTimeout(r, 20));
    }
    release();
    expect(sawWait, 'the save waited for the row lock').toBe(true);
    await other;
    const err = (await mine) as AppError;
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('VERSION_CONFLICT');
    expect((err.current as Activity).title).toEqual({ en: 'The other save' });
    expect((await getActivity(as(staffA.actor), a.id)).title).toEqual({ en: 'The other save' });
  });

  it('refuses staff of another organization: 403 on a record they can read, 404 on one they cannot', async () => {
    const pub = await makeActivity(env, orgA.id);
    expect((await failure(updateActivity(as(staffB.actor), pub.id, { ...activityDataOf(pub), version: 1 }))).code).toBe('FORBIDDEN');
    const draft = await makeActivity(env, orgA.id, { visibility: 'draft' });
    expect((await failure(updateActivity(as(staffB.actor), draft.id, { ...activityDataOf(draft), version: 1 }))).code).toBe('NOT_FOUND');
    expect((await failure(updateActivity(as(coordinator.actor), pub.id, { ...activityDataOf(pub), version: 1 }))).code).toBe('FORBIDDEN');
    expect((await getActivity(as(staffA.actor), pub.id)).version).toBe(1);
  });

  it('refuses to hand a record to another organization unless the editor belongs to both', async () => {
    const a = await makeActivity(env, orgA.id);
    const err = await failure(updateActivity(as(staffA.actor), a.id, { ...activityDataOf(a), ownerOrganizationId: orgB.id, version: 1 }));
    expect(err.code).toBe('FORBIDDEN');
    const { activity } = await updateActivity(as(admin.actor), a.id, { ...activityDataOf(a), ownerOrganizationId: orgB.id, version: 1 });
    expect(activity.ownerOrganization.id).toBe(orgB.id);
  });

  it('asks for the version when none is sent', async () => {
    const a = await makeActivity(env, orgA.id);
    const err = await failure(updateActivity(as(staffA.actor), a.id, { ...activityDataOf(a), version: undefined as unknown as number }));
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.fields.map((f) => f.path)).toEqual(['version']);
  });
});

describe('getActivity', () => {
  const readers = () =>
    ({
      anonymous: anonymous,
      staffA: staffA.actor,
      staffB: staffB.actor,
      staffC: staffC.actor,
      coordinator: coordinator.actor,
      admin: admin.actor,
      loner: loner.actor,
    }) as Record<string, Actor>;
  const expected: Record<string, string[]> = {
    public: ['anonymous', 'staffA', 'staffB', 'staffC', 'coordinator', 'admin', 'loner'],
    members: ['staffA', 'staffB', 'staffC', 'coordinator', 'admin'],
    restricted: ['staffA', 'staffC', 'coordinator', 'admin'],
    draft: ['staffA', 'coordinator', 'admin'],
  };

  for (const visibility of ['public', 'members', 'restricted', 'draft'] as const) {
    it(`shows a ${visibility} record only to ${expected[visibility]!.join(', ')}`, async () => {
      const a = await makeActivity(env, orgA.id, { visibility, sharedWith: visibility === 'restricted' ? [orgC.id] : [] });
      const seen: string[] = [];
      for (const [name, actor] of Object.entries(readers())) {
        try {
          await getActivity(as(actor), a.id);
          seen.push(name);
        } catch (err) {
          expect((err as AppError).code, name).toBe('NOT_FOUND');
        }
      }
      expect(seen).toEqual(expected[visibility]);
    });
  }

  it('finds a record by its IATI identifier too', async () => {
    const a = await makeActivity(env, orgA.id, { iatiIdentifier: 'XM-TEST-FIND-9' });
    expect((await getActivity(as(anonymous), 'XM-TEST-FIND-9')).id).toBe(a.id);
  });
});

describe('deleteActivity and restoreActivity', () => {
  it('hides a deleted record from readers, keeps it for its organization and coordinators, and restores it as it was', async () => {
    const a = await makeActivity(env, orgA.id);
    const deleted = await deleteActivity(as(staffA.actor), a.id);
    expect(deleted.deletedAt).not.toBeNull();
    expect(deleted.version).toBe(2);
    expect((await failure(getActivity(as(anonymous), a.id))).code).toBe('NOT_FOUND');
    expect((await failure(getActivity(as(staffB.actor), a.id))).code).toBe('NOT_FOUND');
    expect((await getActivity(as(coordinator.actor), a.id)).deletedAt).not.toBeNull();
    expect((await failure(updateActivity(as(staffA.actor), a.id, { ...activityDataOf(a), version: 2 }))).code).toBe('CONFLICT');
    expect((await failure(deleteActivity(as(staffA.actor), a.id))).code).toBe('CONFLICT');
    expect((await failure(restoreActivity(as(staffB.actor), a.id))).code).toBe('NOT_FOUND');
    const restored = await restoreActivity(as(focalA.actor), a.id);
    expect(restored.deletedAt).toBeNull();
    expect(activityDataOf(restored)).toEqual(activityDataOf(a));
    expect((await getActivity(as(anonymous), a.id)).version).toBe(3);
    const actions = await env.db.kysely.selectFrom('audit_log').select('action').where('record_id', '=', a.id).orderBy('id').execute();
    expect(actions.map((r) => r.action)).toEqual(['activity.create', 'activity.delete', 'activity.restore']);
    expect((await listActivityVersions(as(staffA.actor), a.id)).items.map((v) => v.action)).toEqual(['restore', 'delete', 'create']);
  });

  it('refuses staff of another organization and a stale version', async () => {
    const a = await makeActivity(env, orgA.id);
    expect((await failure(deleteActivity(as(staffB.actor), a.id))).code).toBe('FORBIDDEN');
    expect((await failure(deleteActivity(as(anonymous), a.id))).code).toBe('UNAUTHENTICATED');
    const err = await failure(deleteActivity(as(staffA.actor), a.id, { version: 7 }));
    expect(err.code).toBe('VERSION_CONFLICT');
    expect((await getActivity(as(anonymous), a.id)).deletedAt).toBeNull();
  });
});

describe('versions and diffs', () => {
  it('describes a change field by field in readable words', async () => {
    const a = await makeActivity(env, orgA.id, {
      title: { en: 'Shelters', fr: 'Abris' },
      countries: [
        { code: 'UG', percentage: 40 },
        { code: 'NA', percentage: 60 },
      ],
    });
    await updateActivity(as(staffA.actor), a.id, {
      ...activityDataOf(a),
      title: { en: 'Shelters', fr: 'Abris pour survivantes' },
      countries: [
        { code: 'KE', percentage: 40 },
        { code: 'NA', percentage: 60 },
      ],
      classification: { ...a.classification, pillars: ['prevention', 'protection'] },
      version: 1,
    });
    const diff = await diffActivityVersions(as(staffA.actor), a.id, 1, 2);
    expect(diff.changes.map((c) => c.summary)).toEqual([
      'Title (fr): “Abris” → “Abris pour survivantes”',
      'Countries: added KE 40%; removed UG 40%',
      'Pillars: added protection',
    ]);
    expect(diff.from.version).toBe(1);
    expect(diff.to.version).toBe(2);
    const history = await activityHistoryWithChanges(as(coordinator.actor), a.id);
    expect(history.items.map((v) => [v.version, v.changes.length])).toEqual([
      [2, 3],
      [1, 0],
    ]);
  });

  it('shows the history to the owner organization and coordinators only', async () => {
    const a = await makeActivity(env, orgA.id);
    expect((await failure(listActivityVersions(as(staffB.actor), a.id))).code).toBe('FORBIDDEN');
    expect((await failure(listActivityVersions(as(anonymous), a.id))).code).toBe('UNAUTHENTICATED');
    expect((await failure(diffActivityVersions(as(staffA.actor), a.id, 1, 5))).code).toBe('NOT_FOUND');
    expect((await listActivityVersions(as(coordinator.actor), a.id)).items).toHaveLength(1);
  });
});

describe('upsertActivityByIdentifier', () => {
  it('creates, then does nothing for identical data (no new version), then updates — never duplicates', async () => {
    const input = activityInput(orgA.id, { iatiIdentifier: 'XM-TEST-UPSERT-1', provenance: { source: 'spreadsheet', fileName: 'one.xlsx' } });
    const first = await upsertActivityByIdentifier(as(staffA.actor), input);
    expect(first.outcome).toBe('created');
    const again = await upsertActivityByIdentifier(as(staffA.actor), input, { provenance: { source: 'spreadsheet', fileName: 'two.xlsx', importedAt: new Date().toISOString() } });
    expect(again.outcome).toBe('unchanged');
    expect(again.activity.version).toBe(1);
    const changed = await upsertActivityByIdentifier(as(staffA.actor), { ...input, title: { en: 'A new title' } });
    expect(changed.outcome).toBe('updated');
    expect(changed.activity.version).toBe(2);
    expect(await count('activities', { column: 'iati_identifier', value: 'XM-TEST-UPSERT-1' })).toBe(1);
    expect(await count('activity_versions', { column: 'activity_id', value: first.activity.id })).toBe(2);
  });

  it('treats reordered countries and sectors as the same data', async () => {
    const input = activityInput(orgA.id, { iatiIdentifier: 'XM-TEST-UPSERT-2' });
    await upsertActivityByIdentifier(as(staffA.actor), input);
    const reordered = { ...input, countries: [...(input.countries ?? [])].reverse() };
    expect((await upsertActivityByIdentifier(as(staffA.actor), reordered)).outcome).toBe('unchanged');
  });

  it('runs inside the caller’s transaction, so a failed file leaves nothing behind', async () => {
    const before = await count('activities');
    await expect(
      withTransaction(env.db, async (tx) => {
        await upsertActivityByIdentifier(as(staffA.actor), activityInput(orgA.id, { iatiIdentifier: 'XM-TEST-TX-1' }), { tx });
        await upsertActivityByIdentifier(as(staffA.actor), activityInput(orgA.id, { iatiIdentifier: 'XM-TEST-TX-2' }), { tx });
        throw new Error('the third row was bad');
      }),
    ).rejects.toThrow('the third row was bad');
    expect(await count('activities')).toBe(before);
  });

  it('refuses staff of B updating A’s activity through an import, and an input without identifier', async () => {
    const a = await makeActivity(env, orgA.id, { iatiIdentifier: 'XM-TEST-UPSERT-3' });
    const err = await failure(upsertActivityByIdentifier(as(staffB.actor), { ...activityInput(orgB.id), iatiIdentifier: 'XM-TEST-UPSERT-3', title: { en: 'Taken over' } }));
    expect(err.code).toBe('FORBIDDEN');
    expect((await getActivity(as(anonymous), a.id)).title).toEqual(a.title);
    expect((await failure(upsertActivityByIdentifier(as(staffA.actor), activityInput(orgA.id)))).code).toBe('VALIDATION_FAILED');
  });
});

describe('validateActivityInput', () => {
  it('grades without saving', async () => {
    const before = await count('activities');
    const result = await validateActivityInput(as(anonymous), activityInput(orgA.id, { countries: [{ code: 'NA', percentage: 80 }] }));
    expect(result.publishable).toBe(false);
    expect(result.messages.map((m) => m.path)).toContain('countries.0.percentage');
    expect((await validateActivityInput(as(anonymous), activityInput(orgA.id))).publishable).toBe(true);
    expect(await count('activities')).toBe(before);
  });
});

describe('the search document', () => {
  it('weights titles A, descriptions B and other text C', async () => {
    const a = await makeActivity(env, orgA.id, {
      title: { en: 'Lighthouse shelters' },
      description: { en: 'Caseworkers in harbours' },
      participants: [{ role: '1', name: { en: 'Zebrafund' }, ref: 'XM-ZF' }],
    });
    const doc = (await readActivitySearch(env.db.kysely, a.id)) ?? '';
    expect(doc).toMatch(/'lighthouse':\d+A/);
    expect(doc).toMatch(/'caseworkers':\d+B/);
    expect(doc).toMatch(/'zebrafund':\d+(?:C|\b)/);
  });

  it('finds words in all six languages, Chinese segmented and accents folded', async () => {
    const a = await makeActivity(env, orgA.id, {
      title: {
        en: 'Referral for survivors',
        fr: 'Orientation des victimes de la traite',
        es: 'Migración segura y protección',
        ar: 'حماية ضحايا الاتجار بالبشر',
        zh: '打击人口贩运的国家转介机制',
        ru: 'Защита жертв торговли людьми',
      },
    });
    for (const query of ['survivors', 'migracion', 'protección', 'الاتجار', '贩运', '人口', 'торговли', 'traite']) {
      expect(await activityMatchesSearch(env.db.kysely, a.id, prepareSearchText(query)), query).toBe(true);
    }
    expect(await activityMatchesSearch(env.db.kysely, a.id, prepareSearchText('elephant'))).toBe(false);
  });
});
