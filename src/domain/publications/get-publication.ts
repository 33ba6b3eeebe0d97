import { organizationSummaries } from '../../db/queries/activities.ts';
import { findPublicationRow, listPublicationVersionRows, loadPublicationRows, selectPublicationsRelatingTo } from '../../db/queries/publications.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { authorize } from '../policies.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { canSeePublication, publicationAbilities, type PublicationAbilities } from './publication-access.ts';
import { rowsToPublication } from './publication-mapping.ts';
import type { Publication } from './publication-schemas.ts';

/**
 * Reads one publication. Published public ones are readable by everyone; members-only ones by
 * member people, restricted ones by the organizations named, drafts by the owner organization and
 * the coordinator. Everyone else gets NOT_FOUND, which does not reveal that it exists.
 */
export async function getPublication(ctx: DomainContext, id: string): Promise<Publication> {
  const row = await findPublicationRow(ctx.db.kysely, id.trim());
  if (!row || !canSeePublication(ctx.actor, row)) throw notFound('The publication');
  const rows = (await loadPublicationRows(ctx.db.kysely, [row.id])).get(row.id);
  if (!rows) throw notFound('The publication');
  return rowsToPublication(rows);
}

/** The publications the actor may see among the given ids, in that order; the others are left out silently. */
export async function getVisiblePublications(ctx: DomainContext, ids: readonly string[]): Promise<Publication[]> {
  const rows = await loadPublicationRows(ctx.db.kysely, ids);
  return [...new Set(ids)].flatMap((id) => {
    const r = rows.get(id);
    return r && !r.main.deleted_at && canSeePublication(ctx.actor, r.main) ? [rowsToPublication(r)] : [];
  });
}

export type PublicationView = {
  publication: Publication;
  abilities: PublicationAbilities;
  /** Related publications the actor may see, both directions. */
  related: Publication[];
  organizations: Record<string, { id: string; slug: string; acronym: string; name: Record<string, string> }>;
  reference: ReferenceData;
};

/** A publication for its page: what the actor may do, related publications they may see, organizations named. */
export async function viewPublication(ctx: DomainContext, id: string): Promise<PublicationView> {
  const publication = await getPublication(ctx, id);
  const abilities = publicationAbilities(ctx.actor, {
    owner_organization_id: publication.ownerOrganizationId,
    visibility: publication.visibility,
    shared_with: publication.sharedWith,
    status: publication.status,
    deleted_at: publication.deletedAt ? new Date(publication.deletedAt) : null,
  });
  const relatedIds = [...publication.related, ...(await selectPublicationsRelatingTo(ctx.db.kysely, publication.id))];
  const related = await getVisiblePublications(ctx, relatedIds);
  const orgs = await organizationSummaries(ctx.db.kysely, [publication.ownerOrganizationId, ...publication.organizationIds]);
  return {
    publication,
    abilities,
    related,
    organizations: Object.fromEntries(orgs.map((o) => [o.id, { id: o.id, slug: o.slug, acronym: o.acronym, name: o.name as Record<string, string> }])),
    reference: await getReferenceData(ctx),
  };
}

export type PublicationVersion = { version: number; action: string; actorLabel: string; at: string; snapshot: Publication };

/** The version history of a publication, newest first: its editors and its owner organization's people. */
export async function listPublicationVersions(ctx: DomainContext, id: string): Promise<PublicationVersion[]> {
  const publication = await getPublication(ctx, id);
  authorize(ctx.actor, 'publication.history', { ownerOrganizationId: publication.ownerOrganizationId });
  const rows = await listPublicationVersionRows(ctx.db.kysely, publication.id);
  return rows.map((r) => ({ version: r.version, action: r.action, actorLabel: r.actor_label, at: new Date(r.at).toISOString(), snapshot: r.snapshot as Publication }));
}
