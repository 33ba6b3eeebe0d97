import { findActivityRowById, findActivityRowByIdentifier, loadActivityRows, organizationSummaries, type ActivityRow } from '../../db/queries/activities.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import type { Activity, ValidationMessage } from './activity-schemas.ts';
import { activityAbilities, canSeeActivity } from './activity-access.ts';
import { activityDataOf, rowsToActivity } from './activity-mapping.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { activityGrader } from './activity-validation.ts';

/** The stored main row of an activity the actor may see, by platform id or IATI identifier; NOT_FOUND otherwise. */
export async function findVisibleActivityRow(ctx: DomainContext, idOrIdentifier: string): Promise<ActivityRow> {
  const id = idOrIdentifier.trim();
  const row = id.startsWith('act_') ? await findActivityRowById(ctx.db.kysely, id) : await findActivityRowByIdentifier(ctx.db.kysely, id);
  if (!row || !canSeeActivity(ctx.actor, row)) throw notFound('The activity');
  return row;
}

/**
 * Reads one activity by platform id (`act_…`) or IATI identifier. Public records are readable
 * by everyone, members-only ones by member people, restricted ones by the organizations they
 * are shared with, drafts by the owner organization, coordinators and administrators; others
 * get NOT_FOUND, which does not reveal that the record exists. Deleted records are seen only
 * by those who may restore them and by coordinators.
 */
export async function getActivity(ctx: DomainContext, idOrIdentifier: string): Promise<Activity> {
  const row = await findVisibleActivityRow(ctx, idOrIdentifier);
  const rows = (await loadActivityRows(ctx.db.kysely, [row.id])).get(row.id);
  if (!rows) throw notFound('The activity');
  return rowsToActivity(rows);
}

export type OrganizationSummary = { id: string; slug: string; acronym: string; name: Record<string, string> };

/** What the record page shows: the activity, what the actor may do, the graded messages for editors, and the registered organizations named. */
export type ActivityView = {
  activity: Activity;
  abilities: { edit: boolean; delete: boolean; restore: boolean; history: boolean };
  /** Graded validation messages, for those who may edit the record (empty for others). */
  messages: ValidationMessage[];
  organizations: Record<string, OrganizationSummary>;
  /** Countries, regions, taxonomies and codelists, to label the codes. */
  reference: ReferenceData;
};

/** Reads an activity for its record page or edit form (see getActivity for who may read). */
export async function viewActivity(ctx: DomainContext, idOrIdentifier: string): Promise<ActivityView> {
  const activity = await getActivity(ctx, idOrIdentifier);
  const row = { owner_organization_id: activity.ownerOrganizationId, visibility: activity.visibility, shared_with: activity.sharedWith, deleted_at: activity.deletedAt ? new Date(activity.deletedAt) : null };
  const abilities = activityAbilities(ctx.actor, row);
  const messages = abilities.edit || abilities.restore ? (await activityGrader(ctx))(activityDataOf(activity), 'existing') : [];
  const ids = [activity.ownerOrganizationId, ...activity.sharedWith, ...activity.participants.map((p) => p.organizationId ?? '').filter(Boolean)];
  const orgs = await organizationSummaries(ctx.db.kysely, ids);
  return {
    activity,
    abilities,
    messages,
    organizations: Object.fromEntries(orgs.map((o) => [o.id, { id: o.id, slug: o.slug, acronym: o.acronym, name: o.name as Record<string, string> }])),
    reference: await getReferenceData(ctx),
  };
}
