import type { PublicationRow } from '../../db/queries/publications.ts';
import type { Actor } from '../actor.ts';
import { can, canReadRecord, type Visibility } from '../policies.ts';

type Stored = Pick<PublicationRow, 'owner_organization_id' | 'visibility' | 'shared_with' | 'status' | 'deleted_at'>;

/** How a publication reads to policies: a draft is seen like a draft record, whatever its visibility once published. */
export function effectiveVisibility(r: Pick<PublicationRow, 'visibility' | 'status'>): Visibility {
  return r.status === 'draft' ? 'draft' : r.visibility;
}

/**
 * May the actor see this publication? Published ones follow their visibility (public, members,
 * restricted to the organizations named); drafts are seen by the owner organization and the
 * coordinator; deleted ones only by those who may edit it.
 */
export function canSeePublication(actor: Actor, r: Stored): boolean {
  if (r.deleted_at) return can(actor, 'publication.delete', { ownerOrganizationId: r.owner_organization_id });
  return canReadRecord(actor, { ownerOrganizationId: r.owner_organization_id, visibility: effectiveVisibility(r), sharedWith: r.shared_with });
}

export type PublicationAbilities = { edit: boolean; delete: boolean; history: boolean };

export function publicationAbilities(actor: Actor, r: Stored): PublicationAbilities {
  const owner = { ownerOrganizationId: r.owner_organization_id };
  return {
    edit: can(actor, 'publication.update', owner) && !r.deleted_at,
    delete: can(actor, 'publication.delete', owner) && !r.deleted_at,
    history: can(actor, 'publication.history', owner),
  };
}
