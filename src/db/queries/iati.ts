import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** Organizations that have an IATI organisation identifier, to own and name imported activities. */
export async function organizationsByIatiRef(db: Executor): Promise<{ id: string; iatiRef: string }[]> {
  const r = await sql<{ id: string; iati_ref: string }>`
    select id, iati_ref from organizations where iati_ref is not null and trim(iati_ref) <> '' and archived_at is null order by created_at, id`.execute(db);
  return r.rows.map((o) => ({ id: o.id, iatiRef: o.iati_ref.trim() }));
}

/** The organization named by id, slug, acronym or IATI identifier (case-insensitive), if exactly one. */
export async function findOrganizationByKey(db: Executor, key: string): Promise<{ id: string }[]> {
  const k = key.trim();
  const r = await sql<{ id: string }>`
    select id from organizations
     where id = ${k} or lower(slug) = lower(${k}) or lower(acronym) = lower(${k}) or lower(iati_ref) = lower(${k})
     order by id limit 2`.execute(db);
  return r.rows;
}

/** For each identifier already stored: its id and the IATI last-updated-datetime it was imported with. */
export async function storedIatiStates(db: Executor, identifiers: string[]): Promise<Map<string, { id: string; lastUpdated: Date | null; deleted: boolean }>> {
  if (identifiers.length === 0) return new Map();
  const r = await sql<{ id: string; iati_identifier: string; iati_last_updated: Date | string | null; deleted_at: Date | string | null }>`
    select id, iati_identifier, iati_last_updated, deleted_at from activities where iati_identifier = any(${identifiers}::text[])`.execute(db);
  return new Map(r.rows.map((row) => [row.iati_identifier, { id: row.id, lastUpdated: row.iati_last_updated === null ? null : new Date(row.iati_last_updated), deleted: row.deleted_at !== null }]));
}

export type IatiOrganizationRow = { id: string; acronym: string; name: Record<string, string>; iatiRef: string | null; orgType: string; kind: string };

/** What an IATI export needs of these organizations: identifier, names, type. */
export async function organizationsForIati(db: Executor, ids: string[]): Promise<IatiOrganizationRow[]> {
  if (ids.length === 0) return [];
  const r = await sql<{ id: string; acronym: string; name: Record<string, string>; iati_ref: string | null; org_type: string; kind: string }>`
    select id, acronym, name, iati_ref, org_type, kind from organizations where id = any(${ids}::text[])`.execute(db);
  return r.rows.map((o) => ({ id: o.id, acronym: o.acronym, name: o.name, iatiRef: o.iati_ref?.trim() || null, orgType: o.org_type, kind: o.kind }));
}
