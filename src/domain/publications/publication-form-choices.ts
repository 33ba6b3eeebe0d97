import { organizationChoices } from '../../db/queries/activities.ts';
import type { DomainContext } from '../context.ts';
import { forbidden, unauthenticated } from '../errors.ts';
import { can } from '../policies.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { search } from '../search/search.ts';
import { viewPublication, type PublicationView } from './get-publication.ts';

/** The taxonomies a publication's themes come from: the same as activities'. */
export const THEME_TAXONOMIES = ['pillar', 'exploitation-form', 'target-group', 'context', 'sdg-target', 'instrument'] as const;

export type PublicationFormChoices = {
  reference: ReferenceData;
  organizations: { id: string; acronym: string; name: Record<string, string> }[];
  /** Organizations the actor may publish for. */
  ownerIds: string[];
  defaultOwnerId: string | null;
  /** Publications the actor may see, to relate to (newest first). */
  publications: { id: string; title: string }[];
};

/** The choices of the publication form, for focal points, the coordinator and administrators. */
export async function publicationFormChoices(ctx: DomainContext, lang: 'en' | 'fr' | 'es' | 'ar' | 'zh' | 'ru' = 'en'): Promise<PublicationFormChoices> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const reference = await getReferenceData(ctx);
  const rows = await organizationChoices(ctx.db.kysely);
  const organizations = rows.map((o) => ({ id: o.id, acronym: o.acronym, name: o.name as Record<string, string> }));
  const ownerIds = organizations.filter((o) => can(ctx.actor, 'publication.create', { ownerOrganizationId: o.id })).map((o) => o.id);
  if (ownerIds.length === 0) throw forbidden('Only focal points of a member organization, the coordinator or an administrator can add publications.');
  const mine = ctx.actor.memberships.find((m) => m.role === 'focal_point' && ownerIds.includes(m.organizationId))?.organizationId;
  const listed = await search(ctx, { type: 'publication', sort: 'date' }, { lang, pageSize: 500 });
  return { reference, organizations, ownerIds, defaultOwnerId: mine ?? ownerIds[0] ?? null, publications: listed.results.map((r) => ({ id: r.id, title: r.title })) };
}

/** The edit form of a publication: the record and the form's choices. FORBIDDEN for those who may not edit it. */
export async function publicationEditForm(ctx: DomainContext, id: string, lang: 'en' | 'fr' | 'es' | 'ar' | 'zh' | 'ru' = 'en'): Promise<{ view: PublicationView; choices: PublicationFormChoices }> {
  const view = await viewPublication(ctx, id);
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  if (!view.abilities.edit) throw forbidden('Only focal points of the publishing organization, the coordinator or an administrator can edit this publication.');
  return { view, choices: await publicationFormChoices(ctx, lang) };
}
