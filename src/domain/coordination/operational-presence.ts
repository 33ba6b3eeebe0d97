import { selectPresencePage } from '../../db/queries/coordination.ts';
import type { ActivityFilters } from '../activities/activity-filters.ts';
import { IATI_ROLE_CODES } from '../activities/activity-filters.ts';
import { readScopeOf, resolveFilters } from '../activities/list-activities.ts';
import type { DomainContext } from '../context.ts';
import { pickText } from '../languages.ts';
import { authorize } from '../policies.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import { presenceQuerySchema } from './coordination-schemas.ts';

/**
 * The flat "operational presence" table, in the spirit of OCHA's HDX HAPI: who works where on
 * what, one row per activity × organization taking part × country × pillar, with the period and
 * a link to the source record. Paged by activity (keyset on its id).
 */
export type PresenceRow = {
  organization: { id: string | null; acronym: string | null; ref: string | null; name: string };
  role: string;
  country: { code: string; label: string } | null;
  pillar: { code: string; label: string } | null;
  startDate: string | null;
  endDate: string | null;
  activityId: string;
  iatiIdentifier: string | null;
  source: string;
};

const ROLE_NAMES: Record<string, string> = Object.fromEntries(Object.entries(IATI_ROLE_CODES).map(([name, code]) => [code, name]));

export async function operationalPresence(ctx: DomainContext, input: unknown, opts: { lang?: string } = {}): Promise<{ items: PresenceRow[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'coordination.read');
  const q = presenceQuerySchema.parse(input ?? {});
  const { cursor, limit, ...filters } = q;
  const ref = await getReferenceData(ctx);
  const lang = opts.lang ?? 'en';
  const page = await selectPresencePage(ctx.db.kysely, readScopeOf(ctx.actor), resolveFilters({ ...filters, cursor: undefined, limit: undefined, sort: undefined } as ActivityFilters), {
    after: cursor ?? null,
    limit: limit ?? 100,
  });
  const base = ctx.config.baseUrl.replace(/\/$/, '');
  return {
    items: page.rows.map((r) => ({
      organization: { id: r.organization_id, acronym: r.acronym, ref: r.organization_ref, name: r.acronym ?? (pickText(r.organization_name, lang) || r.organization_ref || '') },
      role: r.role === 'owner' ? 'owner' : (ROLE_NAMES[r.role] ?? r.role),
      country: r.country_code ? { code: r.country_code, label: ref.label('country', r.country_code, lang) } : null,
      pillar: r.pillar ? { code: r.pillar, label: ref.label('pillar', r.pillar, lang) } : null,
      startDate: r.start_date,
      endDate: r.end_date,
      activityId: r.activity_id,
      iatiIdentifier: r.iati_identifier,
      source: `${base}/activities/${r.activity_id}`,
    })),
    nextCursor: page.more ? page.lastId : null,
  };
}
