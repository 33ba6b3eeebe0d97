import { sql, type Insertable, type Selectable } from 'kysely';
import type { Executor } from '../database.ts';
import type {
  ActivitiesTable,
  ActivityBudgetsTable,
  ActivityCountriesTable,
  ActivityLocationsTable,
  ActivityParticipantsTable,
  ActivityRegionsTable,
  ActivityRelatedTable,
  ActivitySectorsTable,
} from '../schema-registry.ts';

/** SQL for activities and their child tables; the domain layer decides who may call what. */

export type ActivityRow = Omit<Selectable<ActivitiesTable>, 'search' | 'first_published_at'>;
export type ActivityChildRows = {
  participants: Selectable<ActivityParticipantsTable>[];
  countries: Selectable<ActivityCountriesTable>[];
  regions: Selectable<ActivityRegionsTable>[];
  locations: Selectable<ActivityLocationsTable>[];
  sectors: Selectable<ActivitySectorsTable>[];
  budgets: Selectable<ActivityBudgetsTable>[];
  related: Selectable<ActivityRelatedTable>[];
};
export type OwnerRow = { id: string; slug: string; acronym: string };
/** Everything stored about one activity, as rows. */
export type ActivityRows = { main: ActivityRow; owner: OwnerRow; children: ActivityChildRows };

const mainColumns = [
  'id',
  'iati_identifier',
  'owner_organization_id',
  'visibility',
  'shared_with',
  'default_language',
  'reporting_org',
  'title',
  'description',
  'objectives',
  'target_groups_text',
  'status',
  'planned_start',
  'planned_end',
  'actual_start',
  'actual_end',
  'default_currency',
  'activity_scope',
  'pillars',
  'exploitation_forms',
  'target_groups',
  'contexts',
  'sdg_targets',
  'instruments',
  'mechanisms',
  'suggestions',
  'transactions_summary',
  'results',
  'contacts',
  'provenance',
  'iati_last_updated',
  'version',
  'created_by',
  'updated_by',
  'created_at',
  'updated_at',
  'deleted_at',
] as const;

/** The main row of an activity found by its platform id or its IATI identifier (deleted ones included). */
export async function findActivityRow(db: Executor, idOrIdentifier: string): Promise<ActivityRow | undefined> {
  return db
    .selectFrom('activities')
    .select(mainColumns)
    .where((eb) => eb.or([eb('id', '=', idOrIdentifier), eb('iati_identifier', '=', idOrIdentifier)]))
    .orderBy(sql`id = ${idOrIdentifier}`, 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The main row of the activity holding an IATI identifier, if any. */
export async function findActivityRowByIdentifier(db: Executor, identifier: string): Promise<ActivityRow | undefined> {
  return db.selectFrom('activities').select(mainColumns).where('iati_identifier', '=', identifier).executeTakeFirst();
}

/** The main row by platform id only. */
export async function findActivityRowById(db: Executor, id: string): Promise<ActivityRow | undefined> {
  return db.selectFrom('activities').select(mainColumns).where('id', '=', id).executeTakeFirst();
}

/**
 * Every row of the given activities (main, owner, child tables) in eight queries, whatever the
 * number of activities; the map keeps the order of `ids`. Ids that do not exist are left out.
 */
export async function loadActivityRows(db: Executor, ids: readonly string[]): Promise<Map<string, ActivityRows>> {
  const out = new Map<string, ActivityRows>();
  if (ids.length === 0) return out;
  const unique = [...new Set(ids)];
  const mains = await db
    .selectFrom('activities')
    .innerJoin('organizations', 'organizations.id', 'activities.owner_organization_id')
    .select(mainColumns.map((c) => `activities.${c}` as const))
    .select(['organizations.slug as owner_slug', 'organizations.acronym as owner_acronym'])
    .where('activities.id', 'in', unique)
    .execute();
  const [participants, countries, regions, locations, sectors, budgets, related] = await Promise.all([
    db.selectFrom('activity_participants').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('position').execute(),
    db.selectFrom('activity_countries').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('country_code').execute(),
    db.selectFrom('activity_regions').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('vocabulary').orderBy('code').execute(),
    db.selectFrom('activity_locations').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('position').execute(),
    db.selectFrom('activity_sectors').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('vocabulary').orderBy('code').execute(),
    db.selectFrom('activity_budgets').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('position').execute(),
    db.selectFrom('activity_related').selectAll().where('activity_id', 'in', unique).orderBy('activity_id').orderBy('type').orderBy('ref').execute(),
  ]);
  const byId = new Map(mains.map((m) => [m.id, m]));
  const group = <T extends { activity_id: string }>(rows: T[]) => {
    const m = new Map<string, T[]>();
    for (const r of rows) m.set(r.activity_id, [...(m.get(r.activity_id) ?? []), r]);
    return m;
  };
  const g = {
    participants: group(participants),
    countries: group(countries),
    regions: group(regions),
    locations: group(locations),
    sectors: group(sectors),
    budgets: group(budgets),
    related: group(related),
  };
  for (const id of ids) {
    const m = byId.get(id);
    if (!m || out.has(id)) continue;
    const { owner_slug, owner_acronym, ...main } = m;
    out.set(id, {
      main,
      owner: { id: main.owner_organization_id, slug: owner_slug, acronym: owner_acronym },
      children: {
        participants: g.participants.get(id) ?? [],
        countries: g.countries.get(id) ?? [],
        regions: g.regions.get(id) ?? [],
        locations: g.locations.get(id) ?? [],
        sectors: g.sectors.get(id) ?? [],
        budgets: g.budgets.get(id) ?? [],
        related: g.related.get(id) ?? [],
      },
    });
  }
  return out;
}

export type ActivityMainValues = Omit<Insertable<ActivitiesTable>, 'id' | 'version' | 'search' | 'created_at' | 'created_by' | 'deleted_at'>;

export async function insertActivityRow(
  db: Executor,
  values: ActivityMainValues & { id: string; created_by: string | null; created_at: Date },
): Promise<void> {
  await db
    .insertInto('activities')
    .values({ ...values, version: 1 })
    .execute();
}

/**
 * Replaces the main row only if it still has `version` (optimistic concurrency). Under
 * concurrent edits the second UPDATE waits for the first to commit, re-reads the row and
 * matches nothing, so exactly one edit from a base version wins. Returns whether it matched.
 */
export async function updateActivityRowIfVersion(
  db: Executor,
  id: string,
  version: number,
  values: ActivityMainValues,
  /** The search document's texts, when the caller computes it in the same statement (batched imports). */
  search?: { a: string; b: string; c: string },
): Promise<boolean> {
  const row = await db
    .updateTable('activities')
    .set({ ...values, version: version + 1, ...(search && { search: searchVector(search) as never }) })
    .where('id', '=', id)
    .where('version', '=', version)
    .where('deleted_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Soft-deletes (or restores) an activity at `version`; false when the version moved on. */
export async function setActivityDeletedIfVersion(
  db: Executor,
  id: string,
  version: number,
  change: { deletedAt: Date | null; updatedBy: string | null; at: Date },
): Promise<boolean> {
  const row = await db
    .updateTable('activities')
    .set({ deleted_at: change.deletedAt, updated_by: change.updatedBy, updated_at: change.at, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export type ActivityChildValues = {
  participants: Omit<Insertable<ActivityParticipantsTable>, 'activity_id'>[];
  countries: Omit<Insertable<ActivityCountriesTable>, 'activity_id'>[];
  regions: Omit<Insertable<ActivityRegionsTable>, 'activity_id'>[];
  locations: Omit<Insertable<ActivityLocationsTable>, 'activity_id'>[];
  sectors: Omit<Insertable<ActivitySectorsTable>, 'activity_id'>[];
  budgets: Omit<Insertable<ActivityBudgetsTable>, 'activity_id'>[];
  related: Omit<Insertable<ActivityRelatedTable>, 'activity_id'>[];
};

/** Rows per INSERT statement, well under PostgreSQL's 65 535 bind parameters. */
const CHUNK = 500;

async function insertChunked<T extends object>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** Replaces every child row of an activity (delete then insert), in the caller's transaction. */
export async function replaceActivityChildren(db: Executor, id: string, v: ActivityChildValues): Promise<void> {
  await Promise.all([
    db.deleteFrom('activity_participants').where('activity_id', '=', id).execute(),
    db.deleteFrom('activity_countries').where('activity_id', '=', id).execute(),
    db.deleteFrom('activity_regions').where('activity_id', '=', id).execute(),
    db.deleteFrom('activity_locations').where('activity_id', '=', id).execute(),
    db.deleteFrom('activity_sectors').where('activity_id', '=', id).execute(),
    db.deleteFrom('activity_budgets').where('activity_id', '=', id).execute(),
    db.deleteFrom('activity_related').where('activity_id', '=', id).execute(),
  ]);
  const withId = <T extends object>(rows: T[]) => rows.map((r) => ({ ...r, activity_id: id }));
  await insertChunked(withId(v.participants), (c) => db.insertInto('activity_participants').values(c).execute());
  await insertChunked(withId(v.countries), (c) => db.insertInto('activity_countries').values(c).execute());
  await insertChunked(withId(v.regions), (c) => db.insertInto('activity_regions').values(c).execute());
  await insertChunked(withId(v.locations), (c) => db.insertInto('activity_locations').values(c).execute());
  await insertChunked(withId(v.sectors), (c) => db.insertInto('activity_sectors').values(c).execute());
  await insertChunked(withId(v.budgets), (c) => db.insertInto('activity_budgets').values(c).execute());
  await insertChunked(withId(v.related), (c) => db.insertInto('activity_related').values(c).execute());
}

/** The weighted full-text document of prepared texts: A for titles, B for descriptions, C for the rest. */
const searchVector = (text: { a: string; b: string; c: string }) =>
  sql<string>`setweight(to_tsvector('simple', ${text.a}), 'A') || setweight(to_tsvector('simple', ${text.b}), 'B') || setweight(to_tsvector('simple', ${text.c}), 'C')`;

/** One new activity of a batch: its main row, its search texts and its child rows. */
export type NewActivityRow = ActivityMainValues & { id: string; created_by: string | null; created_at: Date; search: { a: string; b: string; c: string } };

/**
 * Inserts many new activities (version 1) with their search documents in one statement per
 * 500 rows, in the caller's transaction. The list index's row trigger adds each list row
 * (unless `deferListRows` left them to `rebuildListRows`).
 */
export async function insertActivityRows(db: Executor, rows: NewActivityRow[]): Promise<void> {
  await insertChunked(
    rows.map(({ search, ...r }) => ({ ...r, version: 1, search: searchVector(search) as never })),
    (c) => db.insertInto('activities').values(c).execute(),
  );
}

/**
 * Writes of many activities in this transaction leave their list rows to `rebuildListRows`
 * (migration 0013): the list index's triggers skip them until then.
 */
export async function deferListRows(db: Executor): Promise<void> {
  await sql`select set_config('icat.list_rows', 'batch', true)`.execute(db);
}

/** The list rows of these activities written anew in one go; the triggers take them over again. */
export async function rebuildListRows(db: Executor, ids: readonly string[]): Promise<void> {
  await sql`select activity_list_rebuild(${[...ids]}::text[]), set_config('icat.list_rows', '', true)`.execute(db);
}

/**
 * Replaces the child rows of many activities: one DELETE per table for those that had some
 * (`replacing`), then one INSERT per table and 500 rows for all of them. The list index's
 * statement triggers then recompute the codes of the whole batch once per statement (unless
 * `deferListRows` left them to `rebuildListRows`).
 */
export async function replaceChildrenOfMany(db: Executor, replacing: readonly string[], all: { id: string; values: ActivityChildValues }[]): Promise<void> {
  const tables = ['activity_participants', 'activity_countries', 'activity_regions', 'activity_locations', 'activity_sectors', 'activity_budgets', 'activity_related'] as const;
  const keys = ['participants', 'countries', 'regions', 'locations', 'sectors', 'budgets', 'related'] as const;
  if (replacing.length > 0) for (const t of tables) await db.deleteFrom(t).where('activity_id', 'in', [...replacing]).execute();
  for (let k = 0; k < tables.length; k++) {
    const rows = all.flatMap((a) => (a.values[keys[k]!] as object[]).map((r) => ({ ...r, activity_id: a.id })));
    await insertChunked(rows, (c) => db.insertInto(tables[k]!).values(c as never).execute());
  }
}

/**
 * Sets the full-text document: weight A for titles, B for descriptions, C for other text.
 * The texts come prepared by the domain (accents folded, Chinese segmented into words), so the
 * 'simple' configuration works the same for all six languages and on both back ends.
 */
export async function setActivitySearch(db: Executor, id: string, text: { a: string; b: string; c: string }): Promise<void> {
  await sql`
    update activities
       set search = setweight(to_tsvector('simple', ${text.a}), 'A')
                 || setweight(to_tsvector('simple', ${text.b}), 'B')
                 || setweight(to_tsvector('simple', ${text.c}), 'C')
     where id = ${id}`.execute(db);
}

/** The weighted search document of one activity as text (`'word':1A …`), for tests and diagnostics. */
export async function readActivitySearch(db: Executor, id: string): Promise<string | null> {
  const r = await sql<{ search: string | null }>`select search::text as search from activities where id = ${id}`.execute(db);
  return r.rows[0]?.search ?? null;
}

/** Does the activity's search document match a 'simple' query made of already prepared words? */
export async function activityMatchesSearch(db: Executor, id: string, preparedQuery: string): Promise<boolean> {
  const r = await sql<{ hit: boolean }>`select search @@ plainto_tsquery('simple', ${preparedQuery}) as hit from activities where id = ${id}`.execute(db);
  return r.rows[0]?.hit === true;
}

export async function insertActivityVersion(
  db: Executor,
  v: { activityId: string; version: number; snapshot: unknown; action: string; actorLabel: string; actorUserId: string | null; at: Date },
): Promise<void> {
  await db
    .insertInto('activity_versions')
    .values({
      activity_id: v.activityId,
      version: v.version,
      snapshot: JSON.stringify(v.snapshot),
      action: v.action,
      actor_label: v.actorLabel,
      actor_user_id: v.actorUserId,
      at: v.at,
    })
    .execute();
}

/** Many version rows in one statement per 500. */
export async function insertActivityVersions(
  db: Executor,
  rows: { activityId: string; version: number; snapshot: unknown; action: string; actorLabel: string; actorUserId: string | null; at: Date }[],
): Promise<void> {
  await insertChunked(
    rows.map((v) => ({ activity_id: v.activityId, version: v.version, snapshot: JSON.stringify(v.snapshot), action: v.action, actor_label: v.actorLabel, actor_user_id: v.actorUserId, at: v.at })),
    (c) => db.insertInto('activity_versions').values(c).execute(),
  );
}

/** Every version of an activity, newest first, without the snapshots. */
export async function listActivityVersionRows(db: Executor, activityId: string) {
  return db
    .selectFrom('activity_versions')
    .select(['version', 'action', 'actor_label', 'actor_user_id', 'at'])
    .where('activity_id', '=', activityId)
    .orderBy('version', 'desc')
    .execute();
}

/** The snapshots of the given versions of an activity. */
export async function getActivityVersionSnapshots(db: Executor, activityId: string, versions: number[]) {
  if (versions.length === 0) return [];
  return db
    .selectFrom('activity_versions')
    .select(['version', 'action', 'actor_label', 'at', 'snapshot'])
    .where('activity_id', '=', activityId)
    .where('version', 'in', versions)
    .execute();
}

/** The newest `limit` versions of an activity with their snapshots, newest first. */
export async function listActivityVersionSnapshots(db: Executor, activityId: string, limit: number) {
  return db
    .selectFrom('activity_versions')
    .select(['version', 'action', 'actor_label', 'at', 'snapshot'])
    .where('activity_id', '=', activityId)
    .orderBy('version', 'desc')
    .limit(limit)
    .execute();
}

/** Which of the given organization ids exist (archived ones included). */
export async function existingOrganizationIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Set();
  const rows = await db.selectFrom('organizations').select('id').where('id', 'in', unique).execute();
  return new Set(rows.map((r) => r.id));
}

/** Short facts about organizations (for participant names and search text). */
export async function organizationSummaries(db: Executor, ids: readonly string[]) {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  return db.selectFrom('organizations').select(['id', 'slug', 'acronym', 'name', 'iati_ref', 'org_type']).where('id', 'in', unique).execute();
}

/** Every active organization, sorted by acronym, for owner and participant choices in forms. */
export async function organizationChoices(db: Executor) {
  return db
    .selectFrom('organizations')
    .select(['id', 'slug', 'acronym', 'name', 'iati_ref', 'org_type'])
    .where('archived_at', 'is', null)
    .orderBy(sql`lower(acronym)`)
    .execute();
}
