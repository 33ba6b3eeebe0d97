import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { claimPlatformState, readPlatformState, writePlatformState } from '../db/queries/platform-state.ts';
import { upsertActivityByIdentifier, type UpsertOutcome } from '../domain/activities/save-activity.ts';
import { systemActor } from '../domain/actor.ts';
import type { DomainContext } from '../domain/context.ts';
import { AppError } from '../domain/errors.ts';
import { getOrganization } from '../domain/organizations/organizations.ts';
import { DEMO_ACTIVITIES, demoActivityInput } from './demo-activities.ts';
import { DEMO_SEED_KEY } from './first-start.ts';

/** platform_state key: `{ status: 'started' | 'done', … }`. */
export const DEMO_ACTIVITIES_KEY = 'demo_activities';
type State = { status: 'started' | 'done'; startedAt?: string; completedAt?: string; counts?: Record<UpsertOutcome, number> };

/**
 * Adds the demo activities to a demo installation (one whose first start created the demo
 * organizations), once, through the domain functions. Safe to run on every start: it does
 * nothing once done, and an interrupted run is completed (activities are matched by their
 * DEMO- identifier, so none is created twice). Returns how many were created, updated or left.
 */
export async function seedDemoActivities(deps: { db: Db; config: Config; logger: Logger }): Promise<Record<UpsertOutcome, number> | null> {
  const ctx: DomainContext = { db: deps.db, config: deps.config, actor: systemActor };
  const demo = await readPlatformState<{ status?: string }>(deps.db.kysely, DEMO_SEED_KEY);
  if (demo?.status !== 'done') return null;
  const state = await readPlatformState<State>(deps.db.kysely, DEMO_ACTIVITIES_KEY);
  if (state?.status === 'done') return null;
  if (!state) {
    const claimed = await claimPlatformState(deps.db.kysely, DEMO_ACTIVITIES_KEY, { status: 'started', startedAt: new Date().toISOString() } satisfies State);
    if (!claimed) return null;
  }
  const orgIds = new Map<string, string>();
  for (const slug of new Set(DEMO_ACTIVITIES.flatMap((d) => [d.org, ...(d.partners ?? []).flatMap((p) => (p.slug ? [p.slug] : [])), ...(d.sharedWith ?? [])]))) {
    try {
      orgIds.set(slug, (await getOrganization(ctx, slug)).id);
    } catch (err) {
      if (!(err instanceof AppError && err.code === 'NOT_FOUND')) throw err;
    }
  }
  const counts: Record<UpsertOutcome, number> = { created: 0, updated: 0, unchanged: 0 };
  for (const d of DEMO_ACTIVITIES) {
    if (!orgIds.has(d.org)) continue;
    const { outcome } = await upsertActivityByIdentifier(ctx, demoActivityInput(d, orgIds));
    counts[outcome]++;
  }
  await writePlatformState(deps.db.kysely, DEMO_ACTIVITIES_KEY, { status: 'done', completedAt: new Date().toISOString(), counts } satisfies State);
  deps.logger.info(counts, 'demo activities created');
  return counts;
}
