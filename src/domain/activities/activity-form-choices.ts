import { organizationChoices } from '../../db/queries/activities.ts';
import type { DomainContext } from '../context.ts';
import { forbidden, unauthenticated } from '../errors.ts';
import { can } from '../policies.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { viewActivity, type ActivityView } from './get-activity.ts';

export type OrganizationChoice = { id: string; slug: string; acronym: string; name: Record<string, string>; iatiRef: string | null; orgType: string };

/** What the activity form offers: reference data for its lists, every organization, and those the actor may own records for. */
export type ActivityFormChoices = {
  reference: ReferenceData;
  organizations: OrganizationChoice[];
  /** Ids of the organizations the actor may create or move activities to, in the order of `organizations`. */
  ownerIds: string[];
  /** The owner a new activity gets by default: the actor's own organization. */
  defaultOwnerId: string | null;
};

/** The choices of the activity form, for someone who may create activities for at least one organization. */
export async function activityFormChoices(ctx: DomainContext): Promise<ActivityFormChoices> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const reference = await getReferenceData(ctx);
  const rows = await organizationChoices(ctx.db.kysely);
  const organizations = rows.map((o) => ({ id: o.id, slug: o.slug, acronym: o.acronym, name: o.name as Record<string, string>, iatiRef: o.iati_ref, orgType: o.org_type }));
  const ownerIds = organizations.filter((o) => can(ctx.actor, 'activity.create', { ownerOrganizationId: o.id })).map((o) => o.id);
  if (ownerIds.length === 0) throw forbidden('Only staff of a member organization, or an administrator, can register activities.');
  const mine = ctx.actor.memberships.map((m) => m.organizationId).find((id) => ownerIds.includes(id));
  return { reference, organizations, ownerIds, defaultOwnerId: mine ?? null };
}

/** The edit form of an activity: the record with its messages, and the form's choices. FORBIDDEN for those who may not edit it. */
export async function activityEditForm(ctx: DomainContext, idOrIdentifier: string): Promise<{ view: ActivityView; choices: ActivityFormChoices }> {
  const view = await viewActivity(ctx, idOrIdentifier);
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  if (!view.abilities.edit) throw forbidden(view.activity.deletedAt ? 'This activity is deleted; restore it before editing.' : 'Only staff of the owner organization, or an administrator, can edit this activity.');
  return { view, choices: await activityFormChoices(ctx) };
}
