import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../database.ts';

/**
 * SQL of the activity list: who may see which activity (visibility as a WHERE clause), the
 * filters, keyset pages in four orders, and facet counts in one statement. Filters and facets
 * read `activity_list_rows` (alias `a`), the narrow copy of each activity that migration 0005
 * keeps by triggers; the text and the title come from `activities` (alias `t`). The domain layer
 * resolves codes (an M49 region into its countries and sub-regions, the text query into
 * prepared words) and decides the actor's read scope; this module only writes SQL.
 */

/** What the actor may read: everything live, or public records plus what their organizations and membership open. */
export type ReadScope = { all: true } | { all: false; memberPerson: boolean; organizationIds: string[] };

export type ListFacet = 'country' | 'region' | 'pillar' | 'exploitationForm' | 'targetGroup' | 'context' | 'sdgTarget' | 'organization' | 'status';

/** Filters with codes already resolved by the domain. An absent or empty list does not filter. */
export type ResolvedFilters = {
  countries?: string[];
  /** UN M49 region codes: an activity lies in a region through its countries or its UN recipient regions. */
  regions?: string[];
  pillars?: string[];
  exploitationForms?: string[];
  targetGroups?: string[];
  contexts?: string[];
  sdgTargets?: string[];
  /** Organizations, as owner (`role: 'owner'`), as participant in an IATI role (`'1'`…`'4'`), or either (null). */
  organizations?: { ids: string[]; role: string | null };
  statuses?: string[];
  period?: { from: string | null; to: string | null };
  /** Words prepared for the 'simple' configuration, in websearch syntax. */
  text?: string;
};

export type ListSort = 'updated' | 'title' | 'start' | 'relevance';

const has = (v: readonly unknown[] | undefined): v is string[] => Array.isArray(v) && v.length > 0;
const textArray = (v: string[]) => sql`${v}::text[]`;

/** The visibility rule of `canReadRecord` as SQL over `a`. Deleted records never appear in lists. */
export function visibleClause(scope: ReadScope): RawBuilder<unknown> {
  if (scope.all) return sql`a.deleted_at is null`;
  const parts = [sql`a.visibility = 'public'`];
  if (scope.memberPerson) parts.push(sql`a.visibility = 'members'`);
  if (scope.organizationIds.length > 0) {
    const orgs = textArray(scope.organizationIds);
    parts.push(sql`a.owner_organization_id = any(${orgs})`, sql`(a.visibility = 'restricted' and a.shared_with && ${orgs})`);
  }
  return sql`a.deleted_at is null and (${sql.join(parts, sql` or `)})`;
}

/** The condition of one facet's filter over `a`, or undefined when that filter is not set. */
function facetCondition(f: ResolvedFilters, facet: ListFacet): RawBuilder<unknown> | undefined {
  switch (facet) {
    case 'country':
      return has(f.countries) ? sql`a.country_codes && ${textArray(f.countries)}` : undefined;
    case 'region':
      // region_codes holds every M49 region an activity lies in, sub-regions and the regions above them.
      return has(f.regions) ? sql`a.region_codes && ${textArray(f.regions)}` : undefined;
    case 'pillar':
      return has(f.pillars) ? sql`a.pillars && ${textArray(f.pillars)}` : undefined;
    case 'exploitationForm':
      return has(f.exploitationForms) ? sql`a.exploitation_forms && ${textArray(f.exploitationForms)}` : undefined;
    case 'targetGroup':
      return has(f.targetGroups) ? sql`a.target_groups && ${textArray(f.targetGroups)}` : undefined;
    case 'context':
      return has(f.contexts) ? sql`a.contexts && ${textArray(f.contexts)}` : undefined;
    case 'sdgTarget':
      return has(f.sdgTargets) ? sql`a.sdg_targets && ${textArray(f.sdgTargets)}` : undefined;
    case 'status':
      return has(f.statuses) ? sql`a.status = any(${textArray(f.statuses)})` : undefined;
    case 'organization': {
      if (!f.organizations || !has(f.organizations.ids)) return undefined;
      const ids = textArray(f.organizations.ids);
      const role = f.organizations.role;
      if (role === 'owner') return sql`a.owner_organization_id = any(${ids})`;
      if (role) return sql`exists (select 1 from activity_participants p where p.activity_id = a.id and p.organization_id = any(${ids}) and p.role = ${role})`;
      return sql`a.organization_ids && ${ids}`;
    }
  }
}

const FACET_KEYS: ListFacet[] = ['country', 'region', 'pillar', 'exploitationForm', 'targetGroup', 'context', 'sdgTarget', 'organization', 'status'];

/** Conditions that are not facets: the text query and the period. */
function otherConditions(f: ResolvedFilters): RawBuilder<unknown>[] {
  const out: RawBuilder<unknown>[] = [];
  if (f.text) out.push(sql`exists (select 1 from activities t where t.id = a.id and t.search @@ websearch_to_tsquery('simple', ${f.text}))`);
  if (f.period && (f.period.from || f.period.to)) {
    // An activity runs from its actual (else planned) start to its actual (else planned) end;
    // an open end runs on. It overlaps the period unless it ends before or starts after it.
    const start = sql`coalesce(a.actual_start, a.planned_start)`;
    const end = sql`coalesce(a.actual_end, a.planned_end)`;
    out.push(sql`coalesce(${start}, ${end}) is not null`);
    if (f.period.to) out.push(sql`(${start} is null or ${start} <= ${f.period.to}::date)`);
    if (f.period.from) out.push(sql`(${end} is null or ${end} >= ${f.period.from}::date)`);
  }
  return out;
}

/** Every condition of the filters over `a`: visibility, text, period and each facet set. */
export function allConditions(scope: ReadScope, f: ResolvedFilters): RawBuilder<unknown> {
  const parts = [visibleClause(scope), ...otherConditions(f)];
  for (const k of FACET_KEYS) {
    const c = facetCondition(f, k);
    if (c) parts.push(c);
  }
  return sql.join(parts, sql` and `);
}

/** The sort key of each order as SQL over `a`, and its direction. */
function sortKey(sort: ListSort, lang: string, text: string | undefined): { key: RawBuilder<unknown>; desc: boolean; cast: string } {
  switch (sort) {
    case 'title':
      return {
        key: sql`lower(coalesce(nullif(t.title->>${lang}, ''), nullif(t.title->>'en', ''), nullif(t.title->>'fr', ''), nullif(t.title->>'es', ''), nullif(t.title->>'ru', ''), nullif(t.title->>'ar', ''), nullif(t.title->>'zh', ''), ''))`,
        desc: false,
        cast: 'text',
      };
    case 'start':
      return { key: sql`coalesce(a.actual_start, a.planned_start, date '9999-12-31')`, desc: false, cast: 'date' };
    case 'relevance':
      return { key: sql`ts_rank(t.search, websearch_to_tsquery('simple', ${text ?? ''}))`, desc: true, cast: 'real' };
    default:
      return { key: sql`a.updated_at`, desc: true, cast: 'timestamptz' };
  }
}

/** The cursor value of a key as text that casts back exactly (timestamps in UTC with microseconds). */
function keyText(sort: ListSort, key: RawBuilder<unknown>): RawBuilder<unknown> {
  if (sort === 'updated') return sql`to_char(${key} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;
  return sql`(${key})::text`;
}

export type PageRequest = { sort: ListSort; lang: string; limit: number; after?: { key: string; id: string } };

/** The keyset condition "after this row" for an order. */
function afterClause(sort: ListSort, key: RawBuilder<unknown>, desc: boolean, cast: string, after: { key: string; id: string }): RawBuilder<unknown> {
  const k = sort === 'updated' ? sql`(${after.key}::timestamp at time zone 'UTC')` : sql`${after.key}::${sql.raw(cast)}`;
  // Ties on the key go by id ascending in the ascending orders and by id descending for "updated".
  if (sort === 'updated') return sql`(${key}, a.id) < (${k}, ${after.id})`;
  if (desc) return sql`(${key} < ${k} or (${key} = ${k} and a.id > ${after.id}))`;
  return sql`(${key}, a.id) > (${k}, ${after.id})`;
}

function orderBy(sort: ListSort, key: RawBuilder<unknown>, desc: boolean): RawBuilder<unknown> {
  if (sort === 'updated') return sql`${key} desc, a.id desc`;
  return desc ? sql`${key} desc, a.id asc` : sql`${key} asc, a.id asc`;
}

/** The ids of one page (limit rows) in the order asked for, with each row's cursor key. */
export async function selectActivityIdPage(db: Executor, scope: ReadScope, f: ResolvedFilters, page: PageRequest): Promise<{ id: string; k: string }[]> {
  // A ranked text query over many matches has a high estimated cost: keep JIT from compiling it.
  if (f.text || page.sort !== 'updated') return (await withAnalyticSettings(db, (tx) => activityIdPageQuery(scope, f, page).execute(tx))).rows;
  return (await activityIdPageQuery(scope, f, page).execute(db)).rows;
}

/** The statement of selectActivityIdPage, for benchmarks and EXPLAIN. */
export function activityIdPageQuery(scope: ReadScope, f: ResolvedFilters, page: PageRequest): RawBuilder<{ id: string; k: string }> {
  const { key, desc, cast } = sortKey(page.sort, page.lang, f.text);
  const where = [allConditions(scope, f)];
  if (page.after) where.push(afterClause(page.sort, key, desc, cast, page.after));
  return sql<{ id: string; k: string }>`
    select a.id, ${keyText(page.sort, key)} as k
      from activity_list_rows a ${page.sort === 'title' || page.sort === 'relevance' ? sql`join activities t on t.id = a.id` : sql``}
     where ${sql.join(where, sql` and `)}
     order by ${orderBy(page.sort, key, desc)}
     limit ${page.limit}`;
}

export type ActivitySummaryRow = {
  id: string;
  iati_identifier: string | null;
  title: Record<string, string>;
  visibility: 'public' | 'members' | 'restricted' | 'draft';
  status: string | null;
  planned_start: string | null;
  planned_end: string | null;
  actual_start: string | null;
  actual_end: string | null;
  updated_at: Date;
  pillars: string[];
  exploitation_forms: string[];
  target_groups: string[];
  contexts: string[];
  sdg_targets: string[];
  owner_id: string;
  owner_slug: string;
  owner_acronym: string;
  countries: string[];
  participants: { role: string; organizationId: string | null; acronym: string | null; slug: string | null; ref: string | null; name: Record<string, string> }[];
};

/** What a list shows of each activity, for the given ids, in their order. */
export async function selectActivitySummaries(db: Executor, ids: string[]): Promise<ActivitySummaryRow[]> {
  if (ids.length === 0) return [];
  const r = await sql<ActivitySummaryRow>`
    select a.id, a.iati_identifier, a.title, a.visibility, a.status, a.planned_start, a.planned_end, a.actual_start, a.actual_end, a.updated_at,
           a.pillars, a.exploitation_forms, a.target_groups, a.contexts, a.sdg_targets,
           o.id as owner_id, o.slug as owner_slug, o.acronym as owner_acronym,
           coalesce((select array_agg(c.country_code order by c.country_code) from activity_countries c where c.activity_id = a.id), '{}') as countries,
           coalesce((select jsonb_agg(jsonb_build_object('role', p.role, 'organizationId', p.organization_id, 'acronym', po.acronym, 'slug', po.slug, 'ref', p.ref, 'name', p.name) order by p.position)
                       from activity_participants p left join organizations po on po.id = p.organization_id
                      where p.activity_id = a.id), '[]'::jsonb) as participants
      from activities a
      join organizations o on o.id = a.owner_organization_id
     where a.id = any(${textArray(ids)})`.execute(db);
  const byId = new Map(r.rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
}

export type FacetCountRow = { facet: ListFacet | 'total'; code: string; n: number };

/**
 * Counts per value of every facet in one statement: each facet under every filter but its own
 * ("how many if I also picked this"), plus the total under all filters. The live activities the
 * actor may see, after the text query and period, are read once into a materialized CTE.
 */
export async function selectFacetCounts(db: Executor, scope: ReadScope, f: ResolvedFilters): Promise<FacetCountRow[]> {
  const r = await withAnalyticSettings(db, (tx) => facetCountsQuery(scope, f).execute(tx));
  return r.rows.map((row) => ({ ...row, n: Number(row.n) }));
}

/**
 * Runs one analytic statement with settings of its own: JIT off (PostgreSQL would spend seconds
 * compiling the facet statement, whose estimated cost is high, to save milliseconds) and more
 * work memory (the materialized base and its hash joins then stay in memory). Inside the
 * caller's transaction when there is one, else in a short one of its own.
 */
export async function withAnalyticSettings<T>(db: Executor, fn: (tx: Executor) => Promise<T>): Promise<T> {
  const run = async (tx: Executor) => {
    await sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('enable_memoize', 'off', true)`.execute(tx);
    return fn(tx);
  };
  return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/**
 * The statement of selectFacetCounts, for benchmarks and EXPLAIN: one pass over the activities
 * the actor may see (after the text query and period), each row giving its values of every facet
 * whose other filters it passes, grouped and counted once.
 */
export function facetCountsQuery(scope: ReadScope, f: ResolvedFilters): RawBuilder<FacetCountRow> {
  const active = FACET_KEYS.flatMap((k) => {
    const c = facetCondition(f, k);
    return c ? [{ facet: k, cond: c }] : [];
  });
  const flag = (k: ListFacet) => sql.raw(`m_${k.toLowerCase()}`);
  const except = (k: ListFacet | null) => {
    const parts = active.filter((x) => x.facet !== k).map((x) => sql`b.${flag(x.facet)}`);
    return parts.length > 0 ? sql.join(parts, sql` and `) : sql`true`;
  };
  const flags = active.map((x) => sql`, ${x.cond} as ${flag(x.facet)}`);
  const baseWhere = sql.join([visibleClause(scope), ...otherConditions(f)], sql` and `);
  const values = (facet: ListFacet, list: RawBuilder<unknown>) => sql`select ${facet}::text, unnest(${list}) where ${except(facet)}`;
  const role = f.organizations?.role ?? null;
  const organizations =
    role === null
      ? sql`b.organization_ids`
      : role === 'owner'
        ? sql`array[b.owner_organization_id]`
        : sql`array(select p.organization_id from activity_participants p where p.activity_id = b.id and p.role = ${role} and p.organization_id is not null)`;
  return sql<FacetCountRow>`
    select x.facet, x.code, count(*) as n
      from (
        select a.id, a.owner_organization_id, a.status, a.pillars, a.exploitation_forms, a.target_groups, a.contexts, a.sdg_targets,
               a.country_codes, a.region_codes, a.organization_ids ${flags.length > 0 ? sql.join(flags, sql` `) : sql``}
          from activity_list_rows a
         where ${baseWhere}
      ) b
      cross join lateral (
        select 'total'::text as facet, ''::text as code where ${except(null)}
        union all ${values('pillar', sql`b.pillars`)}
        union all ${values('exploitationForm', sql`b.exploitation_forms`)}
        union all ${values('targetGroup', sql`b.target_groups`)}
        union all ${values('context', sql`b.contexts`)}
        union all ${values('sdgTarget', sql`b.sdg_targets`)}
        union all ${values('country', sql`b.country_codes`)}
        union all ${values('region', sql`b.region_codes`)}
        union all ${values('organization', organizations)}
        union all select 'status', b.status where b.status is not null and ${except('status')}
      ) x
     group by x.facet, x.code`;
}

/** Short facts about organizations, for facet labels. */
export async function selectOrganizationLabels(db: Executor, ids: string[]): Promise<{ id: string; slug: string; acronym: string; name: Record<string, string> }[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string; slug: string; acronym: string; name: Record<string, string> }>`
    select id, slug, acronym, name from organizations where id = any(${textArray(ids)})`.execute(db);
  return r.rows;
}

export type ActivityKeyRow = {
  id: string;
  iati_identifier: string | null;
  owner_organization_id: string;
  visibility: 'public' | 'members' | 'restricted' | 'draft';
  shared_with: string[];
  deleted_at: Date | null;
};

/** The identity and access columns of the activities with these platform ids or IATI identifiers (deleted ones included), for importers. */
export async function selectActivityKeys(db: Executor, keys: { ids: string[]; identifiers: string[] }): Promise<ActivityKeyRow[]> {
  if (keys.ids.length === 0 && keys.identifiers.length === 0) return [];
  const r = await sql<ActivityKeyRow>`
    select id, iati_identifier, owner_organization_id, visibility, shared_with, deleted_at
      from activities
     where id = any(${textArray(keys.ids)}) or iati_identifier = any(${textArray(keys.identifiers)})`.execute(db);
  return r.rows;
}

/** The list's change number (migration 0005): it moves whenever an activity, as lists see it, changes. */
export async function selectActivityListVersion(db: Executor): Promise<string> {
  const r = await sql<{ v: string }>`select (last_value::text || ':' || is_called::text) as v from activity_list_version`.execute(db);
  return r.rows[0]?.v ?? '0';
}
