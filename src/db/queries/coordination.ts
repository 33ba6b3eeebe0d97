import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database } from '../schema.ts';
import type { ActivityListRowsTable } from '../schema-registry.ts';
import type { Executor, Tx } from '../database.ts';
import { allConditions, withAnalyticSettings, type ReadScope, type ResolvedFilters } from './activity-list.ts';

/**
 * SQL of the coordination analytics: the coverage matrix and what its gaps need to be told
 * apart, reporting completeness, the operational presence table, and the duplicate scan's
 * reads and writes. Reads go over `activity_list_rows` (alias `a`) under the activity list's
 * filters and read scope, so a matrix cell and the list it drills down to select the same
 * records. Records linked as the same work (activity_groups, migration 0007) are counted once
 * through a correction computed over the few grouped rows.
 */

const textArray = (v: readonly string[]) => sql`${v}::text[]`;

/** A dimension as SQL: the array of its values for each activity row `a`. */
export type DimensionSql =
  | { kind: 'array'; column: 'country_codes' | 'pillars' | 'exploitation_forms' | 'target_groups' | 'contexts' | 'organization_ids' }
  | { kind: 'regions'; codes: string[] }
  | { kind: 'years'; from: number; to: number }
  | { kind: 'all' };

function dimensionArray(d: DimensionSql): RawBuilder<unknown> {
  switch (d.kind) {
    case 'array':
      return sql`a.${sql.ref(d.column)}`;
    case 'regions':
      return sql`array(select x from unnest(a.region_codes) x where x = any(${textArray(d.codes)}))`;
    case 'all':
      return sql`array['all']::text[]`;
    case 'years': {
      // An activity runs from its actual (else planned) start to its actual (else planned) end; an open end runs on.
      const start = sql`coalesce(a.actual_start, a.planned_start, a.actual_end, a.planned_end)`;
      const end = sql`coalesce(a.actual_end, a.planned_end)`;
      return sql`array(select y::text from generate_series(greatest(extract(year from ${start})::int, ${d.from}::int), least(coalesce(extract(year from ${end})::int, ${d.to}::int), ${d.to}::int)) y)`;
    }
  }
}

export type MatrixRequest = {
  rows: DimensionSql;
  cols: DimensionSql;
  measure: 'activities' | 'organizations' | 'budget';
  currency: string;
  /** Which side is geographic (country or M49 sub-region), for the "covered at a coarser level" signal. */
  geoSide: 'rows' | 'cols' | null;
};

/**
 * One row of the matrix statement. `part` says what it is:
 * cell (r, c): n activity rows, v budget; org (r, c): n distinct organizations;
 * grp (r, c): n records beyond the first of each linked group, v their budget beyond the group's largest;
 * row r / col c: n activities with that value, w those that leave the other dimension blank;
 * total: n activities under the filters, v their budget; gtotal: n records beyond the first of each linked group among them, v their budget beyond the group's largest; coarse (r = stated M49 region or 'global', c = value of the non-geographic side): n.
 */
export type MatrixPartRow = { part: 'cell' | 'org' | 'grp' | 'row' | 'col' | 'total' | 'gtotal' | 'coarse'; r: string | null; c: string | null; n: number; v: number | null; w: number | null };

/** The budget of each activity in one currency: its revised budgets where it has any, else its original ones. */
const budgetJoin = (currency: string) => sql`
  left join (
    select b.activity_id, sum(b.value)::float8 as v
      from activity_budgets b
     where b.currency = ${currency}
       and (b.type = '2' or not exists (select 1 from activity_budgets b2 where b2.activity_id = b.activity_id and b2.type = '2' and b2.currency = ${currency}))
     group by b.activity_id
  ) bud on bud.activity_id = a.id`;

/**
 * The whole matrix in one statement: cells, margins and total in one pass over the rows the
 * reader may see, then the linked-group correction (only when some records are grouped) and the
 * coarser coverage (only when one side is geographic), each over the few rows concerned.
 */
export function matrixQuery(scope: ReadScope, f: ResolvedFilters, m: MatrixRequest & { withGroups: boolean }): RawBuilder<MatrixPartRow> {
  const withBudget = m.measure === 'budget';
  const other = m.geoSide === 'rows' ? sql`b.d2` : sql`b.d1`;
  const budget = withBudget ? sql`b.budget` : sql`null::float8`;
  const parts: RawBuilder<unknown>[] = [
    // One pass: each row gives its cells, its row and column values (with whether it leaves the other side blank) and itself for the total.
    sql`select x.part, x.r, x.c, count(*)::int as n, ${withBudget ? sql`coalesce(sum(x.v), 0)::float8` : sql`null::float8`} as v, (count(*) filter (where x.blank))::float8 as w
          from base b cross join lateral (
            select 'cell'::text as part, r, c, ${budget} as v, false as blank from unnest(b.d1) r cross join unnest(b.d2) c
            union all select 'row', r, null, null, cardinality(b.d2) = 0 from unnest(b.d1) r
            union all select 'col', null, c, null, cardinality(b.d1) = 0 from unnest(b.d2) c
            union all select 'total', null, null, ${budget}, false
          ) x
         group by x.part, x.r, x.c`,
  ];
  if (m.withGroups) {
    parts.push(
      sql`select 'grp', r, c, sum(m - 1)::int, sum(s - mx)::float8, null
            from (select r, c, g.group_id, count(*) as m, coalesce(sum(b.budget), 0) as s, coalesce(max(b.budget), 0) as mx
                    from base b join activity_groups g on g.activity_id = b.id cross join unnest(b.d1) r cross join unnest(b.d2) c
                   group by r, c, g.group_id having count(*) > 1) x
           group by r, c`,
      sql`select 'gtotal', null, null, coalesce(sum(m - 1), 0)::int, coalesce(sum(s - mx), 0)::float8, null
            from (select count(*) as m, coalesce(sum(b.budget), 0) as s, coalesce(max(b.budget), 0) as mx
                    from base b join activity_groups g on g.activity_id = b.id group by g.group_id having count(*) > 1) x`,
    );
  }
  if (m.measure === 'organizations') {
    parts.push(sql`select 'org', r, c, count(distinct o)::int, null, null from base b cross join unnest(b.d1) r cross join unnest(b.d2) c cross join unnest(b.orgs) o group by r, c`);
  }
  if (m.geoSide) {
    // Work stated for a whole M49 region (activity_regions, vocabulary 2), or for no place at all
    // (global), covers the countries in it at a coarser level.
    parts.push(
      sql`select 'coarse', rg.code, v, count(*)::int, null, null
            from base b join activity_regions rg on rg.activity_id = b.id and rg.vocabulary = '2' cross join unnest(${other}) v
           group by rg.code, v`,
      sql`select 'coarse', 'global', v, count(*)::int, null, null
            from base b cross join unnest(${other}) v
           where cardinality(b.countries) = 0 and cardinality(b.regions) = 0
           group by v`,
    );
  }
  return sql<MatrixPartRow>`
    with base as materialized (
      select a.id, ${dimensionArray(m.rows)} as d1, ${dimensionArray(m.cols)} as d2, ${m.measure === 'organizations' ? sql`a.organization_ids` : sql`null::text[]`} as orgs,
             a.country_codes as countries, a.region_codes as regions, ${withBudget ? sql`bud.v` : sql`null::float8`} as budget
        from activity_list_rows a ${withBudget ? budgetJoin(m.currency) : sql``}
       where ${allConditions(scope, f)}
    )
    ${sql.join(parts, sql` union all `)}`;
}

/** Are any records grouped as the same work? (Without groups the matrix needs no correction.) */
export async function hasActivityGroups(db: Executor): Promise<boolean> {
  const r = await sql<{ x: boolean }>`select exists (select 1 from activity_groups) as x`.execute(db);
  return Boolean(r.rows[0]?.x);
}

/** Runs the matrix statement (JIT off, more work memory, as the facet counts). */
export async function selectMatrixParts(db: Executor, scope: ReadScope, f: ResolvedFilters, m: MatrixRequest & { withGroups: boolean }): Promise<MatrixPartRow[]> {
  const r = await withAnalyticSettings(db, (tx) => matrixQuery(scope, f, m).execute(tx));
  return r.rows.map((x) => ({ ...x, n: Number(x.n), v: x.v === null ? null : Number(x.v), w: x.w === null ? null : Number(x.w) }));
}

export type CompletenessRow = {
  organization_id: string;
  slug: string;
  acronym: string;
  activities: number;
  with_countries: number;
  with_pillars: number;
  with_target_groups: number;
  complete: number;
  last_update: Date | null;
};

/**
 * Per member organization: its activities the actor may see, how many state countries (or
 * regions), pillars and target groups, and when it last changed one. Members without activities are listed too.
 */
export async function selectReportingCompleteness(db: Executor, scope: ReadScope): Promise<CompletenessRow[]> {
  const r = await sql<CompletenessRow>`
    select o.id as organization_id, o.slug, o.acronym,
           count(a.id)::int as activities,
           (count(a.id) filter (where cardinality(a.country_codes) > 0 or cardinality(a.region_codes) > 0))::int as with_countries,
           (count(a.id) filter (where cardinality(a.pillars) > 0))::int as with_pillars,
           (count(a.id) filter (where cardinality(a.target_groups) > 0))::int as with_target_groups,
           (count(a.id) filter (where (cardinality(a.country_codes) > 0 or cardinality(a.region_codes) > 0) and cardinality(a.pillars) > 0 and cardinality(a.target_groups) > 0))::int as complete,
           max(a.updated_at) as last_update
      from organizations o
      left join activity_list_rows a on a.owner_organization_id = o.id and ${allConditions(scope, {})}
     where o.archived_at is null and o.kind = 'member'
     group by o.id, o.slug, o.acronym
     order by o.acronym`.execute(db);
  return r.rows.map((x) => ({ ...x, activities: Number(x.activities), with_countries: Number(x.with_countries), with_pillars: Number(x.with_pillars), with_target_groups: Number(x.with_target_groups), complete: Number(x.complete) }));
}

export type PresenceRow = {
  activity_id: string;
  iati_identifier: string | null;
  organization_id: string | null;
  organization_ref: string | null;
  organization_name: Record<string, string>;
  acronym: string | null;
  role: string;
  country_code: string | null;
  pillar: string | null;
  start_date: string | null;
  end_date: string | null;
};

/**
 * The flat operational presence table: one row per activity × organization taking part (the
 * owner as 'owner', participants in their IATI role) × country × pillar, for a keyset page of
 * activities (ordered by id) under the filters.
 */
export async function selectPresencePage(db: Executor, scope: ReadScope, f: ResolvedFilters, page: { after: string | null; limit: number }): Promise<{ rows: PresenceRow[]; lastId: string | null; more: boolean }> {
  const ids = await sql<{ id: string }>`
    select a.id from activity_list_rows a
     where ${allConditions(scope, f)} ${page.after ? sql`and a.id > ${page.after}` : sql``}
     order by a.id limit ${page.limit + 1}`.execute(db);
  const more = ids.rows.length > page.limit;
  const pageIds = ids.rows.slice(0, page.limit).map((x) => x.id);
  if (pageIds.length === 0) return { rows: [], lastId: null, more: false };
  const r = await sql<PresenceRow>`
    with acts as (select t.* from activities t where t.id = any(${textArray(pageIds)})),
    who as (
      select t.id as activity_id, t.owner_organization_id as organization_id, null::text as organization_ref, '{}'::jsonb as organization_name, 'owner'::text as role, -1 as position from acts t
      union all
      select p.activity_id, p.organization_id, p.ref, p.name, p.role, p.position from activity_participants p where p.activity_id = any(${textArray(pageIds)})
    )
    select t.id as activity_id, t.iati_identifier, w.organization_id, w.organization_ref, w.organization_name, o.acronym, w.role,
           c.country_code, pl.pillar,
           coalesce(t.actual_start, t.planned_start)::text as start_date, coalesce(t.actual_end, t.planned_end)::text as end_date
      from acts t
      join who w on w.activity_id = t.id
      left join organizations o on o.id = w.organization_id
      left join lateral (select ac.country_code from activity_countries ac where ac.activity_id = t.id union all select null where not exists (select 1 from activity_countries ac2 where ac2.activity_id = t.id)) c on true
      left join lateral (select x as pillar from unnest(t.pillars) x union all select null where cardinality(t.pillars) = 0) pl on true
     order by t.id, w.position, c.country_code nulls last, pl.pillar nulls last`.execute(db);
  return { rows: r.rows, lastId: pageIds.at(-1) ?? null, more };
}

export type ScanActivityRow = {
  id: string;
  key: string;
  owner: string;
  countries: string[];
  pillars: string[];
  target_groups: string[];
  start: string | null;
  end: string | null;
  title: Record<string, string>;
  description: Record<string, string>;
};

/** A keyset batch of the live activities for the duplicate scan, descriptions cut to their first 600 characters per language. */
export async function selectScanBatch(db: Executor, after: string | null, limit: number): Promise<ScanActivityRow[]> {
  const r = await sql<ScanActivityRow>`
    select a.id, coalesce(a.iati_identifier, a.id) as key, a.owner_organization_id as owner, l.country_codes as countries, a.pillars, a.target_groups,
           coalesce(a.actual_start, a.planned_start)::text as start, coalesce(a.actual_end, a.planned_end)::text as "end", a.title,
           coalesce((select jsonb_object_agg(k, left(v, 600)) from jsonb_each_text(a.description) e(k, v)), '{}'::jsonb) as description
      from activities a join activity_list_rows l on l.id = a.id
     where a.deleted_at is null ${after ? sql`and a.id > ${after}` : sql``}
     order by a.id
     limit ${limit}`.execute(db);
  return r.rows;
}

/** Titles and descriptions (cut as for the scan) of some activities, for explanations. */
export async function selectScanTexts(db: Executor, ids: string[]): Promise<{ id: string; title: Record<string, string>; description: Record<string, string> }[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string; title: Record<string, string>; description: Record<string, string> }>`
    select a.id, a.title, coalesce((select jsonb_object_agg(k, left(v, 600)) from jsonb_each_text(a.description) e(k, v)), '{}'::jsonb) as description
      from activities a where a.id = any(${textArray(ids)})`.execute(db);
  return r.rows;
}

export type ReferenceLinkRow = { from_id: string; to_id: string; via: string; ref: string };

/**
 * Pairs of live activities of different owners where one names the other's IATI identifier:
 * as a participating organization's activity-id, as a related activity, or as the provider or
 * receiver activity of its transactions.
 */
export async function selectReferenceLinks(db: Executor): Promise<ReferenceLinkRow[]> {
  const r = await sql<ReferenceLinkRow>`
    select x.activity_id as from_id, t.id as to_id, x.via, x.ref
      from (
        select p.activity_id, 'participating-org'::text as via, p.activity_ref as ref from activity_participants p where p.activity_ref is not null
        union all
        select r.activity_id, 'related-activity:' || r.type, r.ref from activity_related r
        union all
        select a.id, 'transaction', ref.value
          from activities a cross join jsonb_array_elements(a.transactions_summary) t cross join jsonb_array_elements_text(coalesce(t.value -> 'activityRefs', '[]'::jsonb)) ref
         where a.deleted_at is null and jsonb_array_length(a.transactions_summary) > 0
      ) x
      join activities t on t.iati_identifier = x.ref and t.deleted_at is null and t.id <> x.activity_id
      join activities s on s.id = x.activity_id and s.deleted_at is null and s.owner_organization_id <> t.owner_organization_id
     order by 1, 2, 3`.execute(db);
  return r.rows;
}

/** Pairs the coordinator confirmed as duplicates, as the live activities their keys name now. */
export async function selectConfirmedPairs(db: Executor): Promise<{ a: string; b: string; note: string }[]> {
  const r = await sql<{ a: string; b: string; note: string }>`
    select x.id as a, y.id as b, d.note
      from duplicate_decisions d
      join activities x on coalesce(x.iati_identifier, x.id) = d.key_a and x.deleted_at is null
      join activities y on coalesce(y.iati_identifier, y.id) = d.key_b and y.deleted_at is null
     where d.decision = 'duplicate'`.execute(db);
  return r.rows;
}

/** Every decided pair of keys (both decisions), for the scan to leave out. */
export async function selectDecidedKeys(db: Executor): Promise<{ key_a: string; key_b: string; decision: string }[]> {
  return db.selectFrom('duplicate_decisions').select(['key_a', 'key_b', 'decision']).execute();
}

export type LinkInput = { a: string; b: string; kind: 'funder_implementer' | 'duplicate'; evidence: unknown };

/** Replaces every link and group (in the caller's transaction), moving the list's change number. */
export async function replaceLinksAndGroups(tx: Tx, links: LinkInput[], groups: { activityId: string; groupId: string }[]): Promise<void> {
  // Counts cached under the list's change number (migration 0005) change with the groups too.
  await sql`select nextval('activity_list_version')`.execute(tx);
  await sql`delete from activity_links`.execute(tx);
  await sql`delete from activity_groups`.execute(tx);
  for (let i = 0; i < links.length; i += 1000) {
    const chunk = links.slice(i, i + 1000);
    await tx
      .insertInto('activity_links')
      .values(chunk.map((l) => ({ activity_a: l.a, activity_b: l.b, kind: l.kind, evidence: JSON.stringify(l.evidence) })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  for (let i = 0; i < groups.length; i += 2000) {
    await tx
      .insertInto('activity_groups')
      .values(groups.slice(i, i + 2000).map((g) => ({ activity_id: g.activityId, group_id: g.groupId })))
      .execute();
  }
}

export type CandidateInput = { a: string; b: string; score: number; explanation: unknown };

/** Replaces the open candidates with those of a new scan (in the caller's transaction). */
export async function replaceCandidates(tx: Tx, candidates: CandidateInput[]): Promise<void> {
  await sql`delete from duplicate_candidates`.execute(tx);
  for (let i = 0; i < candidates.length; i += 500) {
    await tx
      .insertInto('duplicate_candidates')
      .values(candidates.slice(i, i + 500).map((c) => ({ activity_a: c.a, activity_b: c.b, score: c.score, explanation: JSON.stringify(c.explanation) })))
      .execute();
  }
}

export type CandidateRow = {
  activity_a: string;
  activity_b: string;
  score: number;
  explanation: unknown;
  found_at: Date;
  title_a: Record<string, string>;
  title_b: Record<string, string>;
  owner_a: string;
  owner_b: string;
};

/** Open candidates, best first, a page at a time (keyset on score and ids). */
export async function selectCandidates(db: Executor, page: { limit: number; after?: { score: number; a: string; b: string } }): Promise<CandidateRow[]> {
  const r = await sql<CandidateRow>`
    select d.activity_a, d.activity_b, d.score, d.explanation, d.found_at, x.title as title_a, y.title as title_b, ox.acronym as owner_a, oy.acronym as owner_b
      from duplicate_candidates d
      join activities x on x.id = d.activity_a join organizations ox on ox.id = x.owner_organization_id
      join activities y on y.id = d.activity_b join organizations oy on oy.id = y.owner_organization_id
     ${page.after ? sql`where (d.score < ${page.after.score}::real or (d.score = ${page.after.score}::real and (d.activity_a, d.activity_b) > (${page.after.a}, ${page.after.b})))` : sql``}
     order by d.score desc, d.activity_a, d.activity_b
     limit ${page.limit}`.execute(db);
  return r.rows.map((x) => ({ ...x, score: Number(x.score) }));
}

export type LinkRow = { activity_a: string; activity_b: string; kind: 'funder_implementer' | 'duplicate'; evidence: unknown; title_a: Record<string, string>; title_b: Record<string, string>; owner_a: string; owner_b: string };

/** Every link, with titles and owners. */
export async function selectLinks(db: Executor): Promise<LinkRow[]> {
  const r = await sql<LinkRow>`
    select l.activity_a, l.activity_b, l.kind, l.evidence, x.title as title_a, y.title as title_b, ox.acronym as owner_a, oy.acronym as owner_b
      from activity_links l
      join activities x on x.id = l.activity_a join organizations ox on ox.id = x.owner_organization_id
      join activities y on y.id = l.activity_b join organizations oy on oy.id = y.owner_organization_id
     order by l.kind, l.activity_a, l.activity_b`.execute(db);
  return r.rows;
}

/** The stable keys (IATI identifier, else id) of live activities. */
export async function selectActivityKeysById(db: Executor, ids: string[]): Promise<{ id: string; key: string }[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string; key: string }>`select id, coalesce(iati_identifier, id) as key from activities where id = any(${textArray(ids)}) and deleted_at is null`.execute(db);
  return r.rows;
}

/** Records a decision (replacing an earlier one on the same pair) and drops the pair from the open candidates. */
export async function upsertDecision(tx: Tx, d: { keyA: string; keyB: string; decision: 'duplicate' | 'not_duplicate'; note: string; decidedBy: string | null }, pair: { a: string; b: string }): Promise<void> {
  await tx
    .insertInto('duplicate_decisions')
    .values({ key_a: d.keyA, key_b: d.keyB, decision: d.decision, note: d.note, decided_by: d.decidedBy, decided_at: new Date() })
    .onConflict((oc) => oc.columns(['key_a', 'key_b']).doUpdateSet({ decision: d.decision, note: d.note, decided_by: d.decidedBy, decided_at: new Date() }))
    .execute();
  await tx.deleteFrom('duplicate_candidates').where('activity_a', '=', pair.a).where('activity_b', '=', pair.b).execute();
}

export async function insertScan(tx: Tx, s: { id: string; startedAt: Date; finishedAt: Date; activities: number; blocks: number; compared: number; candidates: number; links: number; actorLabel: string }): Promise<void> {
  await tx
    .insertInto('duplicate_scans')
    .values({ id: s.id, started_at: s.startedAt, finished_at: s.finishedAt, activities: s.activities, blocks: s.blocks, compared: s.compared, candidates: s.candidates, links: s.links, actor_label: s.actorLabel })
    .execute();
}

export async function selectLastScan(db: Executor): Promise<{ id: string; finished_at: Date; activities: number; compared: string; candidates: number; links: number } | undefined> {
  return db.selectFrom('duplicate_scans').select(['id', 'finished_at', 'activities', 'compared', 'candidates', 'links']).orderBy('finished_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export async function countCandidates(db: Executor): Promise<number> {
  const r = await sql<{ n: number }>`select count(*)::int as n from duplicate_candidates`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** One activity list row as the in-process matrix snapshot keeps it (ADR 028). */
export type SnapshotRow = Omit<ActivityListRowsTable, 'deleted_at' | 'updated_at' | 'stamp'> & { deleted: boolean };

export type MatrixChanges = {
  /** The oldest transaction still running when the changes were read (xid8 as text): the mark of the next read. */
  mark: string;
  /** Every list row written at or above the previous mark (all rows when there was none). */
  rows: SnapshotRow[];
  /** Budgets of those rows per currency: revised budgets where the activity has any in that currency, else the original ones. */
  budgets: { id: string; currency: string; v: number }[];
  /** M49 regions those rows state directly (activity_regions, vocabulary 2). */
  stated: { id: string; code: string }[];
  /** How many list rows there are (rows removed since the last read show as a smaller count). */
  count: number;
  /** Every linked group, when they changed since the mark or their count is not `knownGroups`; else null. */
  groups: { activity_id: string; group_id: string }[] | null;
  /** The ids under `select`'s scope and filters, read in the same snapshot (filters the snapshot cannot evaluate itself). */
  ids: string[] | null;
};

/**
 * The copy is read as text, not JSON: one string per statement part, records separated by
 * ASCII group separators (0x1D), fields by record separators (0x1E), the codes of an array by
 * unit separators (0x1F). Control characters never occur in codes, ids or dates. Building this
 * text is a fraction of the work of `json_agg` over the row type on the server, and splitting it is
 * cheaper than parsing JSON twice its size (ADR 033).
 */
const GS = '\u001d';
const RS = '\u001e';
const US = '\u001f';
const ROW_FIELDS = 18;

const codesOf = (s: string): string[] => (s === '' ? [] : s.split(US));
const textOrNull = (s: string): string | null => (s === '' ? null : s);

function records(text: string | null, fields: number): string[][] {
  if (!text) return [];
  return text.split(GS).map((line) => {
    const f = line.split(RS);
    if (f.length !== fields) throw new Error(`A matrix copy record has ${f.length} fields, not ${fields}.`);
    return f;
  });
}

function snapshotRows(text: string | null): SnapshotRow[] {
  return records(text, ROW_FIELDS).map((f) => ({
    id: f[0]!,
    owner_organization_id: f[1]!,
    visibility: f[2]!,
    shared_with: codesOf(f[3]!),
    deleted: f[4] === '1',
    status: textOrNull(f[5]!),
    planned_start: textOrNull(f[6]!),
    planned_end: textOrNull(f[7]!),
    actual_start: textOrNull(f[8]!),
    actual_end: textOrNull(f[9]!),
    pillars: codesOf(f[10]!),
    exploitation_forms: codesOf(f[11]!),
    target_groups: codesOf(f[12]!),
    contexts: codesOf(f[13]!),
    sdg_targets: codesOf(f[14]!),
    country_codes: codesOf(f[15]!),
    region_codes: codesOf(f[16]!),
    organization_ids: codesOf(f[17]!),
  }));
}

/**
 * What changed in the activity list rows since `since` (null: everything), in ONE statement (so
 * one snapshot and one round trip): the mark, the rows stamped at or above the previous mark
 * (migration 0011) with their budgets and stated regions, the row count, the linked groups if
 * they changed, and optionally the ids selected by some filters, all as of that one snapshot.
 */
export async function selectMatrixChanges(db: Kysely<Database>, since: string | null, knownGroups: number, select: { scope: ReadScope; f: ResolvedFilters } | null): Promise<MatrixChanges> {
  const changed = since === null ? sql`true` : sql`l.stamp >= ${since}::xid8`;
  const groupsChanged = since === null ? sql`true` : sql`g.stamp >= ${since}::xid8`;
  const codes = (column: string) => sql`array_to_string(l.${sql.ref(column)}, chr(31))`;
  const orEmpty = (column: string) => sql`coalesce(l.${sql.ref(column)}::text, '')`;
  const r = await sql<{ mark: string; count: number; rows: string | null; budgets: string | null; stated: string | null; groups: { activity_id: string; group_id: string }[] | null; ids: string[] | null }>`
    with l as materialized (
      select l.id, concat_ws(chr(30), l.id, l.owner_organization_id, l.visibility, ${codes('shared_with')}, case when l.deleted_at is null then '0' else '1' end,
               ${orEmpty('status')}, ${orEmpty('planned_start')}, ${orEmpty('planned_end')}, ${orEmpty('actual_start')}, ${orEmpty('actual_end')},
               ${codes('pillars')}, ${codes('exploitation_forms')}, ${codes('target_groups')}, ${codes('contexts')}, ${codes('sdg_targets')},
               ${codes('country_codes')}, ${codes('region_codes')}, ${codes('organization_ids')}) as line
        from activity_list_rows l where ${changed}
    ),
    g as (select count(*)::int as n, coalesce(bool_or(${groupsChanged}), false) as changed from activity_groups g)
    select pg_snapshot_xmin(pg_current_snapshot())::text as mark,
           (select count(*)::int from activity_list_rows) as count,
           (select string_agg(l.line, chr(29)) from l) as rows,
           (select string_agg(concat_ws(chr(30), b.id, b.currency, b.v::text), chr(29)) from (
              select x.activity_id as id, x.currency,
                     (case when bool_or(x.type = '2') then sum(x.value) filter (where x.type = '2') else sum(x.value) end)::float8 as v
                from activity_budgets x where x.currency is not null and ${since === null ? sql`true` : sql`x.activity_id in (select id from l)`}
               group by x.activity_id, x.currency) b) as budgets,
           (select string_agg(concat_ws(chr(30), x.activity_id, x.code), chr(29))
              from activity_regions x where x.vocabulary = '2' and ${since === null ? sql`true` : sql`x.activity_id in (select id from l)`}) as stated,
           (select case when g.changed or g.n <> ${knownGroups}::int then (select coalesce(json_agg(json_build_object('activity_id', activity_id, 'group_id', group_id)), '[]'::json) from activity_groups) end from g) as groups,
           ${select ? sql`(select coalesce(json_agg(a.id), '[]'::json) from activity_list_rows a where ${allConditions(select.scope, select.f)})` : sql`null::json`} as ids`.execute(db);
  const row = r.rows[0]!;
  return {
    mark: row.mark,
    rows: snapshotRows(row.rows),
    budgets: records(row.budgets, 3).map((f) => ({ id: f[0]!, currency: f[1]!, v: Number(f[2]) })),
    stated: records(row.stated, 2).map((f) => ({ id: f[0]!, code: f[1]! })),
    count: Number(row.count),
    groups: row.groups,
    ids: row.ids,
  };
}

const SCAN_LEASE = 'duplicate_scan.lease';

/**
 * Takes the lease of the duplicate scan for `holder` (one scan at a time across processes), when
 * nobody holds it or its holder has not renewed it for `staleMinutes` (a process that died).
 */
export async function takeScanLease(db: Executor, holder: string, staleMinutes: number): Promise<boolean> {
  const r = await sql<{ key: string }>`
    insert into platform_state (key, value, updated_at) values (${SCAN_LEASE}, jsonb_build_object('holder', ${holder}::text), now())
    on conflict (key) do update set value = excluded.value, updated_at = now()
     where platform_state.value ->> 'holder' is null or platform_state.updated_at < now() - make_interval(mins => ${staleMinutes}::int)
    returning key`.execute(db);
  return r.rows.length > 0;
}

/** Renews the lease (its holder is still at work). */
export async function renewScanLease(db: Executor, holder: string): Promise<void> {
  await sql`update platform_state set updated_at = now() where key = ${SCAN_LEASE} and value ->> 'holder' = ${holder}`.execute(db);
}

export async function releaseScanLease(db: Executor, holder: string): Promise<void> {
  await sql`update platform_state set value = '{}'::jsonb, updated_at = now() where key = ${SCAN_LEASE} and value ->> 'holder' = ${holder}`.execute(db);
}
