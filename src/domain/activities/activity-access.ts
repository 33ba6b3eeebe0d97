import type { ActivityRow } from '../../db/queries/activities.ts';
import type { Actor } from '../actor.ts';
import { can, canReadRecord } from '../policies.ts';

type Stored = Pick<ActivityRow, 'owner_organization_id' | 'visibility' | 'shared_with' | 'deleted_at'>;

const owned = (r: Stored) => ({ ownerOrganizationId: r.owner_organization_id, visibility: r.visibility, sharedWith: r.shared_with });

/**
 * May the actor see this stored activity? Live records follow their visibility (`canReadRecord`:
 * public to all, members-only to member people, restricted to the named organizations, drafts to
 * the owner); a deleted record only to those who may restore it and to coordinators.
 */
export function canSeeActivity(actor: Actor, r: Stored): boolean {
  if (r.deleted_at) return can(actor, 'activity.history', { ownerOrganizationId: r.owner_organization_id }) || can(actor, 'activity.delete', { ownerOrganizationId: r.owner_organization_id });
  return canReadRecord(actor, owned(r));
}

/** What the actor may do with one activity, for pages and clients to show or hide actions. */
export function activityAbilities(actor: Actor, r: Stored): { edit: boolean; delete: boolean; restore: boolean; history: boolean } {
  const owner = { ownerOrganizationId: r.owner_organization_id };
  const edit = can(actor, 'activity.update', owner);
  return {
    edit: edit && !r.deleted_at,
    delete: can(actor, 'activity.delete', owner) && !r.deleted_at,
    restore: can(actor, 'activity.delete', owner) && r.deleted_at !== null,
    history: can(actor, 'activity.history', owner),
  };
}
