import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../database.ts';
import type { PublicationFilesTable, PublicationLanguagesTable, PublicationsTable } from '../schema-library.ts';

/** SQL for publications, their language versions, files, relations, versions and search documents; the domain decides who may call what. */

export type PublicationRow = Selectable<PublicationsTable>;
export type PublicationLanguageRow = Selectable<PublicationLanguagesTable>;
export type PublicationFileRow = Selectable<PublicationFilesTable>;
export type PublicationRows = { main: PublicationRow; languages: PublicationLanguageRow[]; related: string[]; files: PublicationFileRow[] };

const textArray = (v: readonly string[]) => sql`${[...v]}::text[]`;

export async function findPublicationRow(db: Executor, id: string): Promise<PublicationRow | undefined> {
  return db.selectFrom('publications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Everything stored about the given publications (deleted ones included), keyed by id. */
export async function loadPublicationRows(db: Executor, ids: readonly string[]): Promise<Map<string, PublicationRows>> {
  const out = new Map<string, PublicationRows>();
  if (ids.length === 0) return out;
  const list = [...new Set(ids)];
  const [mains, languages, related, files] = await Promise.all([
    db.selectFrom('publications').selectAll().where('id', 'in', list).execute(),
    db.selectFrom('publication_languages').selectAll().where('publication_id', 'in', list).orderBy('publication_id').orderBy('lang').execute(),
    db.selectFrom('publication_related').selectAll().where('publication_id', 'in', list).orderBy('related_id').execute(),
    db.selectFrom('publication_files').selectAll().where('publication_id', 'in', list).orderBy('uploaded_at').orderBy('id').execute(),
  ]);
  for (const m of mains) out.set(m.id, { main: m, languages: [], related: [], files: [] });
  for (const l of languages) out.get(l.publication_id)?.languages.push(l);
  for (const r of related) out.get(r.publication_id)?.related.push(r.related_id);
  for (const f of files) out.get(f.publication_id)?.files.push(f);
  return out;
}

export type PublicationMainValues = Omit<Insertable<PublicationsTable>, 'version' | 'created_at' | 'deleted_at'>;

export async function insertPublication(db: Executor, v: PublicationMainValues & { created_at: Date }): Promise<void> {
  await db.insertInto('publications').values(v).execute();
}

/** Updates the main row if it is still at `version`; false when someone else changed it first. */
export async function updatePublicationIfVersion(db: Executor, id: string, version: number, v: Updateable<PublicationsTable>): Promise<boolean> {
  const row = await db
    .updateTable('publications')
    .set({ ...v, version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function replacePublicationLanguages(db: Executor, id: string, rows: Omit<Insertable<PublicationLanguagesTable>, 'publication_id'>[]): Promise<void> {
  await db.deleteFrom('publication_languages').where('publication_id', '=', id).execute();
  if (rows.length > 0) await db.insertInto('publication_languages').values(rows.map((r) => ({ ...r, publication_id: id }))).execute();
}

export async function replacePublicationRelated(db: Executor, id: string, related: readonly string[]): Promise<void> {
  await db.deleteFrom('publication_related').where('publication_id', '=', id).execute();
  if (related.length > 0) await db.insertInto('publication_related').values(related.map((r) => ({ publication_id: id, related_id: r }))).execute();
}

/** Which of the given ids are live publications. */
export async function existingPublicationIds(db: Executor, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('publications').select('id').where('id', 'in', [...new Set(ids)]).where('deleted_at', 'is', null).execute();
  return new Set(rows.map((r) => r.id));
}

/** Live publications that name this one as related (the other direction of the relation). */
export async function selectPublicationsRelatingTo(db: Executor, id: string): Promise<string[]> {
  const rows = await db
    .selectFrom('publication_related as r')
    .innerJoin('publications as p', 'p.id', 'r.publication_id')
    .select('r.publication_id')
    .where('r.related_id', '=', id)
    .where('p.deleted_at', 'is', null)
    .execute();
  return rows.map((r) => r.publication_id);
}

export async function insertPublicationVersion(
  db: Executor,
  v: { publicationId: string; version: number; snapshot: unknown; action: string; actorLabel: string; actorUserId: string | null; at: Date },
): Promise<void> {
  await db
    .insertInto('publication_versions')
    .values({
      publication_id: v.publicationId,
      version: v.version,
      snapshot: JSON.stringify(v.snapshot),
      action: v.action,
      actor_label: v.actorLabel,
      actor_user_id: v.actorUserId,
      at: v.at,
    })
    .execute();
}

/** Every version of a publication, newest first, with its snapshot. */
export async function listPublicationVersionRows(db: Executor, id: string) {
  return db.selectFrom('publication_versions').select(['version', 'action', 'actor_label', 'at', 'snapshot']).where('publication_id', '=', id).orderBy('version', 'desc').execute();
}

export async function insertPublicationFile(db: Executor, row: Insertable<PublicationFilesTable>, pages: string[]): Promise<void> {
  await db.insertInto('publication_files').values(row).execute();
  for (let i = 0; i < pages.length; i += 200) {
    const chunk = pages.slice(i, i + 200).map((text, j) => ({ file_id: row.id, page: i + j + 1, text }));
    await db.insertInto('publication_file_pages').values(chunk).execute();
  }
}

export async function deletePublicationFile(db: Executor, publicationId: string, fileId: string): Promise<PublicationFileRow | undefined> {
  return db.deleteFrom('publication_files').where('id', '=', fileId).where('publication_id', '=', publicationId).returningAll().executeTakeFirst();
}

export async function findPublicationFile(db: Executor, fileId: string): Promise<PublicationFileRow | undefined> {
  return db.selectFrom('publication_files').selectAll().where('id', '=', fileId).executeTakeFirst();
}

/** The extracted text of every page of the given files, in page order. */
export async function selectFilePages(db: Executor, fileIds: readonly string[]): Promise<{ file_id: string; page: number; text: string }[]> {
  if (fileIds.length === 0) return [];
  return db.selectFrom('publication_file_pages').selectAll().where('file_id', 'in', [...fileIds]).orderBy('file_id').orderBy('page').execute();
}

/** One search document: who may see it, its facets and its four weighted texts (prepared by the domain). */
export type PublicationSearchDoc = {
  lang: string;
  cfg: string;
  title: string;
  ownerOrganizationId: string;
  visibility: string;
  sharedWith: string[];
  kind: string;
  published: string | null;
  year: number | null;
  themes: string[];
  countries: string[];
  regions: string[];
  organizationIds: string[];
  text: { a: string; b: string; c: string; d: string };
};

/** Replaces the search documents of a publication (none for a deleted one), in the caller's transaction. */
export async function replacePublicationSearch(db: Executor, id: string, docs: PublicationSearchDoc[]): Promise<void> {
  await db.deleteFrom('publication_search').where('publication_id', '=', id).execute();
  for (const d of docs) {
    await sql`
      insert into publication_search (publication_id, lang, cfg, title, owner_organization_id, visibility, shared_with, kind, published, year, themes, countries, regions, organization_ids, tsv)
      values (${id}, ${d.lang}, ${d.cfg}::regconfig, ${d.title}, ${d.ownerOrganizationId}, ${d.visibility}, ${textArray(d.sharedWith)}, ${d.kind}, ${d.published}, ${d.year},
              ${textArray(d.themes)}, ${textArray(d.countries)}, ${textArray(d.regions)}, ${textArray(d.organizationIds)},
              setweight(to_tsvector(${d.cfg}::regconfig, ${d.text.a}), 'A') || setweight(to_tsvector(${d.cfg}::regconfig, ${d.text.b}), 'B')
              || setweight(to_tsvector(${d.cfg}::regconfig, ${d.text.c}), 'C') || setweight(to_tsvector(${d.cfg}::regconfig, ${d.text.d}), 'D'))`.execute(db);
  }
}

/** The search documents of one publication as text, for tests and diagnostics. */
export async function readPublicationSearch(db: Executor, id: string): Promise<{ lang: string; cfg: string; tsv: string }[]> {
  const r = await sql<{ lang: string; cfg: string; tsv: string }>`select lang, cfg::text as cfg, tsv::text as tsv from publication_search where publication_id = ${id} order by lang`.execute(db);
  return r.rows;
}

/** Live publications by their English title, for seeds that must not create one twice. */
export async function selectPublicationIdsByEnglishTitle(db: Executor, titles: readonly string[]): Promise<Map<string, string>> {
  if (titles.length === 0) return new Map();
  const rows = await db
    .selectFrom('publication_languages as l')
    .innerJoin('publications as p', 'p.id', 'l.publication_id')
    .select(['l.title', 'p.id'])
    .where('l.lang', '=', 'en')
    .where('l.title', 'in', [...titles])
    .where('p.deleted_at', 'is', null)
    .execute();
  return new Map(rows.map((r) => [r.title, r.id]));
}
