import type { Logger } from 'pino';
import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import { systemActor } from '../domain/actor.ts';
import { createOrganization, organizationCounts } from '../domain/organizations/organizations.ts';
import { DEMO_ORGANIZATIONS } from './demo-organizations.ts';

/**
 * Creates the demo content through the domain functions when the database is empty.
 * Returns lines to print for the person who started the platform.
 */
export async function seedOnFirstStart(deps: { db: Db; config: Config; logger: Logger }): Promise<string[]> {
  const ctx = { db: deps.db, config: deps.config, actor: systemActor };
  const counts = await organizationCounts(ctx);
  if (Object.keys(counts).length > 0) return [];
  for (const org of DEMO_ORGANIZATIONS) await createOrganization(ctx, org);
  deps.logger.info({ organizations: DEMO_ORGANIZATIONS.length }, 'demo content created');
  return [`Demo content created: ${DEMO_ORGANIZATIONS.length} member organizations.`];
}
