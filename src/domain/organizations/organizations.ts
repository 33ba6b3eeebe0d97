import { withTransaction } from '../../db/database.ts';
import {
  countOrganizations,
  findOrganization,
  latestOrganizationRows,
  listChairYears,
  listOrganizationRows,
  replaceChairYears,
  type OrganizationRow,
} from '../../db/queries/organizations.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import { newId } from '../../lib/ids.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { authorize } from '../policies.ts';
import {
  organizationInputSchema,
  organizationPatchSchema,
  type Organization,
  type OrganizationInput,
  type OrganizationListQuery,
  type OrganizationPatch,
} from './organization-schemas.ts';

export function toOrganization(row: OrganizationRow, chairYears: number[] = []): Organization {
  return {
    id: row.id,
    slug: row.slug,
    kind: row.kind,
    acronym: row.acronym,
    name: row.name as Record<string, string>,
    description: row.description as Record<string, string>,
    orgType: row.org_type,
    website: row.website,
    iatiRef: row.iati_ref,
    logoUrl: row.logo_file ? `/files/logos/${row.logo_file}` : null,
    joinedYear: row.joined_year,
    chairYears,
    archived: row.archived_at !== null,
    version: row.version,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

function slugify(acronym: string): string {
  const s = acronym
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return s || 'org';
}

function duplicate(err: unknown): AppError | undefined {
  const e = err as { code?: string; constraint?: string };
  if (e.code !== '23505') return undefined;
  return new AppError('CONFLICT', 'Another organization already uses this short name (slug).', {
    fields: [{ path: 'slug', message: 'Choose a different slug or acronym.' }],
  });
}

/** Creates an organization (administrators only) and records it in the audit log. */
export async function createOrganization(ctx: DomainContext, raw: OrganizationInput): Promise<Organization> {
  authorize(ctx.actor, 'organization.create');
  const input = organizationInputSchema.parse(raw);
  const id = newId('org');
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const row = await tx
        .insertInto('organizations')
        .values({
          id,
          slug: input.slug ?? slugify(input.acronym),
          kind: input.kind,
          acronym: input.acronym,
          name: JSON.stringify(input.name),
          description: JSON.stringify(input.description ?? {}),
          org_type: input.orgType,
          website: input.website ?? null,
          iati_ref: input.iatiRef ?? null,
          joined_year: input.joinedYear ?? null,
          logo_file: null,
          archived_at: null,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      await replaceChairYears(tx, id, input.chairYears ?? []);
      const org = toOrganization(row, [...new Set(input.chairYears ?? [])].sort());
      await recordAudit(tx, ctx, { action: 'organization.create', recordType: 'organization', recordId: id, organizationId: id, after: org });
      return org;
    });
  } catch (err) {
    throw duplicate(err) ?? err;
  }
}

/** Reads one organization by id or slug; archived ones only for administrators. */
export async function getOrganization(ctx: DomainContext, idOrSlug: string): Promise<Organization> {
  const row = await findOrganization(ctx.db.kysely, idOrSlug);
  if (!row) throw notFound('The organization');
  if (row.archived_at && !(ctx.actor.kind !== 'anonymous' && ctx.actor.platformRole === 'administrator')) throw notFound('The organization');
  const years = await listChairYears(ctx.db.kysely, [row.id]);
  return toOrganization(row, years.get(row.id) ?? []);
}

/** Lists organizations, sorted by acronym, a page at a time. Public. */
export async function listOrganizations(
  ctx: DomainContext,
  query: OrganizationListQuery,
): Promise<{ items: Organization[]; nextCursor: string | null }> {
  const after = query.cursor ? (decodeCursor(query.cursor, 2) as [string, string]) : undefined;
  const includeArchived = query.includeArchived === true && ctx.actor.kind !== 'anonymous' && ctx.actor.platformRole === 'administrator';
  const rows = await listOrganizationRows(ctx.db.kysely, { kind: query.kind, text: query.q, includeArchived, after, limit: query.limit });
  const page = rows.slice(0, query.limit);
  const years = await listChairYears(
    ctx.db.kysely,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) => toOrganization(r, years.get(r.id) ?? [])),
    nextCursor: rows.length > query.limit && last ? encodeCursor([last.acronym.toLowerCase(), last.id]) : null,
  };
}

/**
 * Changes an organization. Administrators change anything; a focal point changes their own
 * organization's profile but not its kind. A stale `version` is refused with VERSION_CONFLICT.
 */
export async function updateOrganization(ctx: DomainContext, idOrSlug: string, raw: OrganizationPatch): Promise<Organization> {
  const patch = organizationPatchSchema.parse(raw);
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const before = await findOrganization(tx, idOrSlug);
      if (!before) throw notFound('The organization');
      authorize(ctx.actor, 'organization.update', { id: before.id });
      const isAdmin = ctx.actor.kind !== 'anonymous' && ctx.actor.platformRole === 'administrator';
      if (!isAdmin && (patch.kind !== undefined || patch.slug !== undefined)) {
        throw new AppError('FORBIDDEN', 'Only an administrator can change the kind or short name of an organization.');
      }
      const beforeYears = (await listChairYears(tx, [before.id])).get(before.id) ?? [];
      const updated = await tx
        .updateTable('organizations')
        .set({
          ...(patch.slug !== undefined && { slug: patch.slug }),
          ...(patch.kind !== undefined && { kind: patch.kind }),
          ...(patch.acronym !== undefined && { acronym: patch.acronym }),
          ...(patch.name !== undefined && { name: JSON.stringify(patch.name) }),
          ...(patch.description !== undefined && { description: JSON.stringify(patch.description) }),
          ...(patch.orgType !== undefined && { org_type: patch.orgType }),
          ...(patch.website !== undefined && { website: patch.website }),
          ...(patch.iatiRef !== undefined && { iati_ref: patch.iatiRef }),
          ...(patch.joinedYear !== undefined && { joined_year: patch.joinedYear }),
          version: before.version + 1,
          updated_at: new Date(),
        })
        .where('id', '=', before.id)
        .where('version', '=', patch.version)
        .returningAll()
        .executeTakeFirst();
      if (!updated) {
        throw new AppError('VERSION_CONFLICT', 'Someone else changed this organization since you opened it. Review the current version and apply your change again.', {
          current: toOrganization(before, beforeYears),
        });
      }
      if (patch.chairYears !== undefined) await replaceChairYears(tx, before.id, patch.chairYears);
      const years = (await listChairYears(tx, [before.id])).get(before.id) ?? [];
      const org = toOrganization(updated, years);
      await recordAudit(tx, ctx, {
        action: 'organization.update',
        recordType: 'organization',
        recordId: before.id,
        organizationId: before.id,
        before: toOrganization(before, beforeYears),
        after: org,
      });
      return org;
    });
  } catch (err) {
    throw duplicate(err) ?? err;
  }
}

/** Archives (or restores) an organization; archived ones leave the directory but keep their records. */
export async function setOrganizationArchived(ctx: DomainContext, idOrSlug: string, archived: boolean): Promise<Organization> {
  authorize(ctx.actor, 'organization.archive');
  return withTransaction(ctx.db, async (tx) => {
    const before = await findOrganization(tx, idOrSlug);
    if (!before) throw notFound('The organization');
    const row = await tx
      .updateTable('organizations')
      .set({ archived_at: archived ? new Date() : null, version: before.version + 1, updated_at: new Date() })
      .where('id', '=', before.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    const years = (await listChairYears(tx, [before.id])).get(before.id) ?? [];
    const org = toOrganization(row, years);
    await recordAudit(tx, ctx, {
      action: archived ? 'organization.archive' : 'organization.restore',
      recordType: 'organization',
      recordId: before.id,
      organizationId: before.id,
      before: toOrganization(before, years),
      after: org,
    });
    return org;
  });
}

/** Counts of active organizations by kind, for the home page. */
/** The `limit` organizations added or changed most recently, newest first (the home page's “latest”). */
export async function latestOrganizations(ctx: DomainContext, limit: number): Promise<Organization[]> {
  const rows = await latestOrganizationRows(ctx.db.kysely, limit);
  const years = await listChairYears(
    ctx.db.kysely,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toOrganization(r, years.get(r.id) ?? []));
}

export async function organizationCounts(ctx: DomainContext): Promise<Record<string, number>> {
  return countOrganizations(ctx.db.kysely);
}
