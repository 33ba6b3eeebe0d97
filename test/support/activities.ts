import { createActivity, type NewActivityInput } from '../../src/domain/activities/save-activity.ts';
import type { Activity } from '../../src/domain/activities/activity-schemas.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { TestEnv } from './app.ts';

let n = 0;

/**
 * A complete, publishable activity input owned by `ownerOrganizationId`: titles in two
 * languages, dates in order, country and sector percentages adding up to 100, a budget, a
 * participant and a classification. Override any field.
 */
export function activityInput(ownerOrganizationId: string, overrides: Partial<NewActivityInput> = {}): NewActivityInput {
  n++;
  return {
    ownerOrganizationId,
    visibility: 'public',
    title: { en: `Test activity ${n}: safe migration information centres`, fr: `Activité de test ${n} : centres d’information sur la migration sûre` },
    description: { en: 'Information and referral for people on the move, with local partners.' },
    status: '2',
    plannedStart: '2024-01-01',
    plannedEnd: '2026-12-31',
    actualStart: '2024-02-01',
    defaultCurrency: 'USD',
    participants: [{ role: '4', organizationId: ownerOrganizationId, name: {} }],
    countries: [
      { code: 'NA', percentage: 60 },
      { code: 'KE', percentage: 40 },
    ],
    sectors: [{ vocabulary: '1', code: '15180', percentage: 100 }],
    budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 250000, currency: 'USD' }],
    classification: {
      pillars: ['prevention'],
      exploitationForms: ['forced-labour'],
      targetGroups: ['women'],
      contexts: ['migration-route'],
      sdgTargets: ['8.7'],
      instruments: [],
      mechanisms: [],
    },
    ...overrides,
  };
}

/** Creates an activity through the domain as `actor` (the system administrator by default). */
export async function makeActivity(env: TestEnv, ownerOrganizationId: string, overrides: Partial<NewActivityInput> = {}, actor?: Actor): Promise<Activity> {
  const { activity } = await createActivity(env.ctx(actor), activityInput(ownerOrganizationId, overrides));
  return activity;
}
