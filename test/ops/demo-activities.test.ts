import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPlatformState, writePlatformState } from '../../src/db/queries/platform-state.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { activityDataOf, loadActivities } from '../../src/domain/activities/activity-mapping.ts';
import { validateActivityInput } from '../../src/domain/activities/save-activity.ts';
import { DEMO_ACTIVITIES, DEMO_NOTE } from '../../src/seed/demo-activities.ts';
import { seedOnFirstStart } from '../../src/seed/first-start.ts';
import { DEMO_ACTIVITIES_KEY, seedDemoActivities } from '../../src/seed/seed-demo-activities.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';

const logger = pino({ level: 'silent' });
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  await seedOnFirstStart({ db: env.db, config: env.config, logger });
});
afterAll(() => env.close());

const demoRows = () => env.db.kysely.selectFrom('activities').select('id').where('iati_identifier', 'like', 'DEMO-%').execute();

describe('seedDemoActivities', () => {
  it('does nothing on an installation that is not a demo one', async () => {
    const other = await createTestEnv();
    try {
      expect(await seedDemoActivities({ db: other.db, config: other.config, logger })).toBeNull();
      expect(await other.db.kysely.selectFrom('activities').select('id').execute()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('creates a few dozen fictional activities across the members, countries and pillars', async () => {
    const counts = await seedDemoActivities({ db: env.db, config: env.config, logger });
    expect(counts).toEqual({ created: DEMO_ACTIVITIES.length, updated: 0, unchanged: 0 });
    expect(DEMO_ACTIVITIES.length).toBeGreaterThanOrEqual(30);
    const all = await loadActivities(env.db.kysely, (await demoRows()).map((r) => r.id));
    expect(all).toHaveLength(DEMO_ACTIVITIES.length);
    expect(new Set(all.map((a) => a.ownerOrganization.slug)).size).toBeGreaterThanOrEqual(10);
    expect(new Set(all.flatMap((a) => a.classification.pillars))).toEqual(new Set(['prevention', 'protection', 'prosecution', 'partnerships']));
    expect(all.filter((a) => a.countries.some((c) => c.code === 'NA')).length).toBeGreaterThanOrEqual(3);
    expect(new Set(all.flatMap((a) => a.countries.map((c) => c.code))).size).toBeGreaterThanOrEqual(40);
    expect(new Set(all.flatMap((a) => a.classification.exploitationForms)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(all.flatMap((a) => a.budgets.map((b) => b.currency)))).toEqual(new Set(['USD', 'EUR', 'NAD']));
    expect(all.filter((a) => a.results.length > 0).length).toBeGreaterThanOrEqual(5);
    for (const lang of ['fr', 'es', 'ar', 'ru', 'zh'] as const) expect(all.some((a) => a.title[lang]), lang).toBe(true);
    expect(new Set(all.map((a) => a.visibility))).toEqual(new Set(['public', 'members', 'restricted', 'draft']));
    for (const a of all) {
      expect(a.iatiIdentifier).toMatch(/^DEMO-/);
      expect(a.provenance?.note).toBe(DEMO_NOTE);
    }
  });

  it('gives every record other than a draft no error, so that it could be published', async () => {
    const all = await loadActivities(env.db.kysely, (await demoRows()).map((r) => r.id));
    for (const a of all.filter((x) => x.visibility !== 'draft')) {
      const { messages } = await validateActivityInput(env.ctx(systemActor), activityDataOf(a), 'existing');
      expect(messages.filter((m) => m.severity !== 'warning'), a.iatiIdentifier ?? a.id).toEqual([]);
    }
  });

  it('runs once, and completes an interrupted run without duplicating anything', async () => {
    expect(await seedDemoActivities({ db: env.db, config: env.config, logger })).toBeNull();
    await writePlatformState(env.db.kysely, DEMO_ACTIVITIES_KEY, { status: 'started' });
    const versionsBefore = await env.db.kysely.selectFrom('activity_versions').select('activity_id').execute();
    expect(await seedDemoActivities({ db: env.db, config: env.config, logger })).toEqual({ created: 0, updated: 0, unchanged: DEMO_ACTIVITIES.length });
    expect(await demoRows()).toHaveLength(DEMO_ACTIVITIES.length);
    expect(await env.db.kysely.selectFrom('activity_versions').select('activity_id').execute()).toHaveLength(versionsBefore.length);
    expect((await readPlatformState<{ status: string }>(env.db.kysely, DEMO_ACTIVITIES_KEY))?.status).toBe('done');
  });
});
