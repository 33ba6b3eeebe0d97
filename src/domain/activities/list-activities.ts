import { z } from 'zod';
import type { Db, Executor } from '../../db/database.ts';
import {
  selectActivityIdPage,
  selectActivityListVersion,
  selectActivitySummaries,
  selectFacetCounts,
  selectOrganizationLabels,
  type ActivitySummaryRow,
  type ReadScope,
  type ResolvedFilters,
} from '../../db/queries/activity-list.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import type { Actor } from '../actor.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { LANGUAGES, pickText, type Language } from '../languages.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { prepareSearchText } from './activity-search.ts';
import { effectiveSort, FACET_TAXONOMIES, FACETS, IATI_ROLE_CODES, type ActivityFilters, type ActivitySort, type Facet } from './activity-filters.ts';

export { activityFiltersSchema, parseActivityFilters, type ActivityFilters } from './activity-filters.ts';

/** What the actor may read in lists: `canReadRecord` as a scope the SQL applies to every row. */
export function readScopeOf(actor: Actor): ReadScope {
  if (actor.kind === 'anonymous') return { all: false, memberPerson: false, organizationIds: [] };
  if (actor.platformRole === 'coordinator' || actor.platformRole === 'administrator') return { all: true };
  return {
    all: false,
    memberPerson: actor.memberships.length > 0 || actor.platformRole !== null,
    organizationIds: [...new Set(actor.memberships.map((m) => m.organizationId))],
  };
}

/** Turns the URL filters into SQL filters (roles as IATI codes, the text prepared like the index). */
export function resolveFilters(f: ActivityFilters): ResolvedFilters {
  const role = f.organizationRole ? (f.organizationRole === 'owner' ? 'owner' : IATI_ROLE_CODES[f.organizationRole]) : null;
  const text = f.q ? prepareSearchText(f.q).trim() : '';
  return {
    countries: f.country,
    regions: f.region,
    pillars: f.pillar,
    exploitationForms: f.exploitationForm,
    targetGroups: f.targetGroup,
    contexts: f.context,
    sdgTargets: f.sdgTarget,
    organizations: f.organization.length > 0 ? { ids: f.organization, role } : undefined,
    statuses: f.status,
    period: f.from || f.to ? { from: f.from ?? null, to: f.to ?? null } : undefined,
    text: text || undefined,
  };
}

const coded = z.object({ code: z.string(), label: z.string() });

/** One activity as a list shows it: codes with labels in the page language. */
export const activitySummarySchema = z
  .object({
    id: z.string(),
    iatiIdentifier: z.string().nullable(),
    title: z.record(z.string(), z.string()),
    displayTitle: z.string().describe('The title in the requested language, else another one'),
    visibility: z.enum(['public', 'members', 'restricted', 'draft']),
    status: coded.nullable(),
    plannedStart: z.string().nullable(),
    plannedEnd: z.string().nullable(),
    actualStart: z.string().nullable(),
    actualEnd: z.string().nullable(),
    updatedAt: z.string(),
    ownerOrganization: z.object({ id: z.string(), slug: z.string(), acronym: z.string() }),
    participants: z.array(
      z.object({
        role: coded,
        organizationId: z.string().nullable(),
        slug: z.string().nullable(),
        acronym: z.string().nullable(),
        ref: z.string().nullable(),
        name: z.string().describe('Acronym of a registered organization, else its name in the requested language'),
      }),
    ),
    countries: z.array(coded),
    pillars: z.array(coded),
    exploitationForms: z.array(coded),
    targetGroups: z.array(coded),
    contexts: z.array(coded),
    sdgTargets: z.array(coded),
  })
  .meta({ id: 'ActivitySummary' });
export type ActivitySummary = z.infer<typeof activitySummarySchema>;

export const facetValueSchema = z
  .object({
    code: z.string(),
    label: z.string(),
    count: z.number().int().describe('Activities matching every other filter and this value'),
    selected: z.boolean(),
    level: z.number().int().optional().describe('Regions: 0 for a region, 1 for a sub-region, 2 below'),
  })
  .meta({ id: 'FacetValue' });
export type FacetValue = z.infer<typeof facetValueSchema>;
export const facetsSchema = z.object(Object.fromEntries(FACETS.map((k) => [k, z.array(facetValueSchema)])) as Record<Facet, z.ZodArray<typeof facetValueSchema>>).meta({ id: 'ActivityFacets' });
export type Facets = Record<Facet, FacetValue[]>;

export type ActivityPage = { items: ActivitySummary[]; nextCursor: string | null; sort: ActivitySort };

const DEFAULT_LIMIT = 50;

function decodeListCursor(cursor: string, sort: ActivitySort): { key: string; id: string } {
  const [s, key, id] = decodeCursor(cursor, 3);
  if (s !== sort || typeof key !== 'string' || typeof id !== 'string') {
    throw new AppError('VALIDATION_FAILED', 'This cursor belongs to another sort order.', {
      fields: [{ path: 'cursor', message: 'Start again from the first page after changing the sort order.' }],
    });
  }
  return { key, id };
}

const pickLang = (lang: string | undefined): Language => (LANGUAGES as readonly string[]).includes(lang ?? '') ? (lang as Language) : 'en';

/**
 * One page of the ids the actor may see under the filters, in the requested order (keyset:
 * a page never repeats or skips a row when others are added meanwhile), and the cursor of the
 * next page. For lists and for exports that walk all pages.
 */
export async function listActivityIds(
  ctx: DomainContext,
  filters: ActivityFilters,
  opts: { lang?: string; executor?: Executor } = {},
): Promise<{ ids: string[]; nextCursor: string | null; sort: ActivitySort }> {
  const sort = effectiveSort(filters);
  const limit = filters.limit ?? DEFAULT_LIMIT;
  const after = filters.cursor ? decodeListCursor(filters.cursor, sort) : undefined;
  const rows = await selectActivityIdPage(opts.executor ?? ctx.db.kysely, readScopeOf(ctx.actor), resolveFilters(filters), {
    sort,
    lang: pickLang(opts.lang),
    limit: limit + 1,
    after,
  });
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { ids: page.map((r) => r.id), nextCursor: more && last ? encodeCursor([sort, last.k, last.id]) : null, sort };
}

function summarize(row: ActivitySummaryRow, ref: ReferenceData, lang: Language): ActivitySummary {
  const labelled = (kind: string, codes: string[]) => codes.map((code) => ({ code, label: ref.label(kind, code, lang) }));
  const byTermOrder = (taxonomy: string, codes: string[]) => {
    const order = [...(ref.taxonomies.get(taxonomy)?.keys() ?? [])];
    return [...codes].sort((a, b) => (order.indexOf(a) + 1 || 1e6) - (order.indexOf(b) + 1 || 1e6));
  };
  return {
    id: row.id,
    iatiIdentifier: row.iati_identifier,
    title: row.title,
    displayTitle: pickText(row.title, lang),
    visibility: row.visibility,
    status: row.status ? { code: row.status, label: ref.label('ActivityStatus', row.status, lang) } : null,
    plannedStart: row.planned_start,
    plannedEnd: row.planned_end,
    actualStart: row.actual_start,
    actualEnd: row.actual_end,
    updatedAt: new Date(row.updated_at).toISOString(),
    ownerOrganization: { id: row.owner_id, slug: row.owner_slug, acronym: row.owner_acronym },
    participants: row.participants.map((p) => ({
      role: { code: p.role, label: ref.label('OrganisationRole', p.role, lang) },
      organizationId: p.organizationId,
      slug: p.slug,
      acronym: p.acronym,
      ref: p.ref,
      name: p.acronym ?? (pickText(p.name, lang) || p.ref || ''),
    })),
    countries: labelled('country', row.countries),
    pillars: labelled(FACET_TAXONOMIES.pillar, byTermOrder(FACET_TAXONOMIES.pillar, row.pillars)),
    exploitationForms: labelled(FACET_TAXONOMIES.exploitationForm, byTermOrder(FACET_TAXONOMIES.exploitationForm, row.exploitation_forms)),
    targetGroups: labelled(FACET_TAXONOMIES.targetGroup, byTermOrder(FACET_TAXONOMIES.targetGroup, row.target_groups)),
    contexts: labelled(FACET_TAXONOMIES.context, byTermOrder(FACET_TAXONOMIES.context, row.contexts)),
    sdgTargets: labelled(FACET_TAXONOMIES.sdgTarget, byTermOrder(FACET_TAXONOMIES.sdgTarget, row.sdg_targets)),
  };
}

/**
 * A page of the activities the actor may read under the filters: public records for everyone,
 * members-only ones for member people, restricted ones for the organizations named, drafts for
 * their owners, coordinators and administrators; deleted records never. Sorted by recent update
 * (default), title (in `lang`), start date, or relevance to the text query.
 */
export async function listActivities(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string } = {}): Promise<ActivityPage> {
  const ref = await getReferenceData(ctx);
  const lang = pickLang(opts.lang);
  const { ids, nextCursor, sort } = await listActivityIds(ctx, filters, { lang });
  const rows = await selectActivitySummaries(ctx.db.kysely, ids);
  return { items: rows.map((r) => summarize(r, ref, lang)), nextCursor, sort };
}

/**
 * Facet counts computed earlier, per database: by read scope and filters, valid while the list's
 * change number (moved by any change to any activity, in any process) stays the same, and for at
 * most FACET_CACHE_MS. Counting every facet over 100k activities reads them all; the same counts
 * are asked for again and again (the list page without filters above all).
 */
const FACET_CACHE_MS = 60_000;
const FACET_CACHE_SIZE = 500;
type CachedCounts = { version: string; at: number; rows: Awaited<ReturnType<typeof selectFacetCounts>> };
const facetCache = new WeakMap<Db, Map<string, CachedCounts>>();

async function cachedFacetCounts(db: Db, scope: ReadScope, f: ResolvedFilters, useCache: boolean) {
  if (!useCache) return selectFacetCounts(db.kysely, scope, f);
  let cache = facetCache.get(db);
  if (!cache) facetCache.set(db, (cache = new Map()));
  const key = JSON.stringify([scope, f]);
  const version = await selectActivityListVersion(db.kysely);
  const hit = cache.get(key);
  if (hit && hit.version === version && Date.now() - hit.at < FACET_CACHE_MS) {
    // Most recently used last, so the oldest entry is the first to go.
    cache.delete(key);
    cache.set(key, hit);
    return hit.rows;
  }
  const rows = await selectFacetCounts(db.kysely, scope, f);
  cache.set(key, { version, at: Date.now(), rows });
  if (cache.size > FACET_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return rows;
}

/**
 * Counts per value of every facet under the other filters ("how many if I also picked this"),
 * with labels in `lang`, and the number of activities matching all filters. Small taxonomies
 * list every term (zero counts included); countries, regions and organizations list those with
 * activities and the selected ones.
 */
export async function activityFacets(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string; cache?: boolean } = {}): Promise<{ total: number; facets: Facets }> {
  const ref = await getReferenceData(ctx);
  const lang = pickLang(opts.lang);
  const rows = await cachedFacetCounts(ctx.db, readScopeOf(ctx.actor), resolveFilters(filters), opts.cache !== false);
  const counts = new Map<string, Map<string, number>>();
  let total = 0;
  for (const r of rows) {
    if (r.facet === 'total') total = r.n;
    else {
      let m = counts.get(r.facet);
      if (!m) counts.set(r.facet, (m = new Map()));
      m.set(r.code, r.n);
    }
  }
  const countOf = (facet: Facet, code: string) => counts.get(facet)?.get(code) ?? 0;
  const selected = (facet: Facet) => new Set<string>(filters[facet]);
  const present = (facet: Facet) => [...new Set([...(counts.get(facet)?.keys() ?? []), ...selected(facet)])];
  const byCount = (a: FacetValue, b: FacetValue) => b.count - a.count || a.label.localeCompare(b.label, lang);

  const taxonomyFacet = (facet: keyof typeof FACET_TAXONOMIES): FacetValue[] => {
    const taxonomy = FACET_TAXONOMIES[facet];
    const sel = selected(facet);
    const terms = ref.terms(taxonomy, { includeWithdrawn: true }).filter((t) => !t.withdrawn || countOf(facet, t.code) > 0 || sel.has(t.code));
    const known = new Set(terms.map((t) => t.code));
    const extra = present(facet).filter((c) => !known.has(c));
    return [...terms.map((t) => t.code), ...extra].map((code) => ({ code, label: ref.label(taxonomy, code, lang), count: countOf(facet, code), selected: sel.has(code) }));
  };

  const statusSel = selected('status');
  const statusCodes = [...new Set([...(ref.codelists.get('ActivityStatus')?.items.keys() ?? []), ...present('status')])].sort((a, b) => Number(a) - Number(b));
  const status = statusCodes
    .filter((code) => countOf('status', code) > 0 || statusSel.has(code) || ref.codelistItem('ActivityStatus', code)?.withdrawn === false)
    .map((code) => ({ code, label: ref.label('ActivityStatus', code, lang), count: countOf('status', code), selected: statusSel.has(code) }));

  const countrySel = selected('country');
  const country = present('country')
    .map((code) => ({ code, label: ref.label('country', code, lang), count: countOf('country', code), selected: countrySel.has(code) }))
    .sort(byCount);

  const regionSel = selected('region');
  const levelOf = (m49: string) => ({ region: 0, subregion: 1, intermediate: 2, world: 0 })[ref.regions.get(m49)?.level ?? 'region'];
  const region = [...ref.regions.values()]
    .filter((r) => r.level !== 'world' && (countOf('region', r.m49) > 0 || regionSel.has(r.m49)))
    .sort((a, b) => a.sort - b.sort || a.m49.localeCompare(b.m49))
    .map((r) => ({ code: r.m49, label: ref.label('m49', r.m49, lang), count: countOf('region', r.m49), selected: regionSel.has(r.m49), level: levelOf(r.m49) }));

  const orgSel = selected('organization');
  const orgIds = present('organization');
  const orgs = new Map((await selectOrganizationLabels(ctx.db.kysely, orgIds)).map((o) => [o.id, o]));
  const organization = orgIds
    .map((id) => ({ code: id, label: orgs.get(id)?.acronym ?? id, count: countOf('organization', id), selected: orgSel.has(id) }))
    .sort(byCount);

  return {
    total,
    facets: {
      country,
      region,
      pillar: taxonomyFacet('pillar'),
      exploitationForm: taxonomyFacet('exploitationForm'),
      targetGroup: taxonomyFacet('targetGroup'),
      context: taxonomyFacet('context'),
      sdgTarget: taxonomyFacet('sdgTarget'),
      organization,
      status,
    },
  };
}

/** What the list page and `GET /api/v1/activities` show: a page of items, the facets and the total. */
export type ActivityBrowse = ActivityPage & { total: number; facets: Facets };

/** A page of activities with the facet counts and total under the same filters (see listActivities and activityFacets). */
export async function browseActivities(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string } = {}): Promise<ActivityBrowse> {
  // On the embedded database both run on the one connection anyway; on a server they overlap.
  const [page, facets] = await Promise.all([listActivities(ctx, filters, opts), activityFacets(ctx, filters, opts)]);
  return { ...page, ...facets };
}
