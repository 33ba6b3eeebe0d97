import { withTransaction, type Executor } from '../../db/database.ts';
import { existingOrganizationIds, organizationSummaries } from '../../db/queries/activities.ts';
import {
  existingPublicationIds,
  findPublicationRow,
  insertPublication,
  insertPublicationVersion,
  loadPublicationRows,
  replacePublicationLanguages,
  replacePublicationRelated,
  replacePublicationSearch,
  selectFilePages,
  updatePublicationIfVersion,
  type PublicationSearchDoc,
} from '../../db/queries/publications.ts';
import { newId } from '../../lib/ids.ts';
import { findNulCharacters } from '../../lib/text.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound, unauthenticated, type FieldError } from '../errors.ts';
import type { Language } from '../languages.ts';
import { authorize } from '../policies.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { indexText, SEARCH_CONFIGS } from '../search/text.ts';
import { canSeePublication, effectiveVisibility } from './publication-access.ts';
import { rowsToPublication } from './publication-mapping.ts';
import { publicationInputSchema, type Publication, type PublicationData, type PublicationInput } from './publication-schemas.ts';

export type NewPublicationInput = PublicationInput & { ownerOrganizationId?: string | null };
export type PublicationReplacement = NewPublicationInput & { version: number };

const userIdOf = (a: Actor) => (a.kind === 'anonymous' || a.userId === 'system' ? null : a.userId);
const uniq = <T>(v: readonly T[]) => [...new Set(v)];

export async function loadPublication(db: Executor, id: string): Promise<Publication> {
  const rows = (await loadPublicationRows(db, [id])).get(id);
  if (!rows) throw notFound('The publication');
  return rowsToPublication(rows);
}

/** The owner: as given, else the first organization where the person is focal point, else their first. */
function defaultOwner(ctx: DomainContext, raw: { ownerOrganizationId?: string | null }): string | undefined {
  if (raw.ownerOrganizationId) return raw.ownerOrganizationId;
  if (ctx.actor.kind === 'anonymous') return undefined;
  return (ctx.actor.memberships.find((m) => m.role === 'focal_point') ?? ctx.actor.memberships[0])?.organizationId;
}

function parseInput(raw: NewPublicationInput): PublicationData {
  const { ownerOrganizationId: _o, version: _v, ...rest } = raw as NewPublicationInput & { version?: unknown };
  const nul = findNulCharacters(rest);
  if (nul.length > 0) throw new AppError('VALIDATION_FAILED', 'Some fields contain a NUL character.', { fields: nul });
  const data = publicationInputSchema.parse(rest);
  return {
    ...data,
    organizationIds: uniq(data.organizationIds),
    authors: uniq(data.authors),
    themes: uniq(data.themes),
    countries: uniq(data.countries.map((c) => c.toUpperCase())),
    regions: uniq(data.regions),
    sharedWith: data.visibility === 'restricted' ? uniq(data.sharedWith) : [],
    related: uniq(data.related),
  };
}

/** Checks the codes and references the shape cannot: taxonomies, countries, regions, organizations, related publications. */
async function checkReferences(tx: Executor, ref: ReferenceData, data: PublicationData, owner: string, selfId: string | null): Promise<void> {
  const fields: FieldError[] = [];
  const langs = data.languages.map((l) => l.lang);
  langs.forEach((l, i) => {
    if (langs.indexOf(l) !== i) fields.push({ path: `languages.${i}.lang`, message: `There is already a ${l} version.`, code: 'duplicate' });
  });
  if (!langs.includes(data.defaultLanguage)) fields.push({ path: 'defaultLanguage', message: 'The default language must be one of the language versions.', code: 'invalid' });
  data.themes.forEach((t, i) => {
    const [taxonomy = '', code = ''] = t.split(':');
    if (!ref.term(taxonomy, code)) fields.push({ path: `themes.${i}`, message: `Unknown theme ${t}: use a term of the platform taxonomies.`, code: 'unknown' });
  });
  data.countries.forEach((c, i) => {
    if (!ref.country(c)) fields.push({ path: `countries.${i}`, message: `Unknown country code ${c}.`, code: 'unknown' });
  });
  data.regions.forEach((r, i) => {
    if (!ref.regions.has(r)) fields.push({ path: `regions.${i}`, message: `Unknown UN M49 region ${r}.`, code: 'unknown' });
  });
  const orgs = await existingOrganizationIds(tx, [owner, ...data.organizationIds, ...data.sharedWith]);
  if (!orgs.has(owner)) fields.push({ path: 'ownerOrganizationId', message: 'Unknown organization.', code: 'unknown' });
  data.organizationIds.forEach((o, i) => {
    if (!orgs.has(o)) fields.push({ path: `organizationIds.${i}`, message: `Unknown organization ${o}.`, code: 'unknown' });
  });
  data.sharedWith.forEach((o, i) => {
    if (!orgs.has(o)) fields.push({ path: `sharedWith.${i}`, message: `Unknown organization ${o}.`, code: 'unknown' });
  });
  if (data.visibility === 'restricted' && data.sharedWith.length === 0) {
    fields.push({ path: 'sharedWith', message: 'A restricted publication names at least one organization that may read it.', code: 'required' });
  }
  const related = await existingPublicationIds(tx, data.related);
  data.related.forEach((r, i) => {
    if (r === selfId) fields.push({ path: `related.${i}`, message: 'A publication cannot be related to itself.', code: 'invalid' });
    else if (!related.has(r)) fields.push({ path: `related.${i}`, message: `No publication ${r}.`, code: 'unknown' });
  });
  if (fields.length > 0) throw new AppError('VALIDATION_FAILED', 'Some fields of this publication are not valid.', { fields });
}

/** Every M49 region a publication lies in: those named, those of its countries, and every region above them. */
function regionClosure(ref: ReferenceData, regions: readonly string[], countries: readonly string[]): string[] {
  const out = new Set<string>();
  const up = (code: string | null | undefined) => {
    let c = code;
    while (c && !out.has(c) && c !== '001') {
      out.add(c);
      c = ref.regions.get(c)?.parentM49 ?? null;
    }
  };
  regions.forEach(up);
  for (const code of countries) {
    const country = ref.country(code);
    [country?.intermediateM49, country?.subregionM49, country?.regionM49].forEach(up);
  }
  return [...out].sort();
}

/**
 * Rewrites the search documents of a publication: one per language version, stemmed in that
 * language, with the text of that language's files. Deleted publications have none.
 */
export async function reindexPublication(tx: Executor, ref: ReferenceData, id: string): Promise<void> {
  const rows = (await loadPublicationRows(tx, [id])).get(id);
  if (!rows || rows.main.deleted_at) {
    await replacePublicationSearch(tx, id, []);
    return;
  }
  const m = rows.main;
  const pages = await selectFilePages(
    tx,
    rows.files.filter((f) => f.text_status === 'extracted').map((f) => f.id),
  );
  const fileLang = new Map(rows.files.map((f) => [f.id, f.lang]));
  const orgs = await organizationSummaries(tx, [m.owner_organization_id, ...m.organization_ids]);
  const orgText = orgs.flatMap((o) => [o.acronym, ...Object.values(o.name as Record<string, string>)]);
  const year = m.published ? Number(m.published.slice(0, 4)) : null;
  const docs: PublicationSearchDoc[] = rows.languages.map((l) => ({
    lang: l.lang,
    cfg: SEARCH_CONFIGS[l.lang as Language] ?? 'icat_simple',
    title: l.title,
    ownerOrganizationId: m.owner_organization_id,
    visibility: effectiveVisibility(m),
    sharedWith: m.shared_with,
    kind: m.kind,
    published: m.published,
    year,
    themes: m.themes,
    countries: m.countries,
    regions: regionClosure(ref, m.regions, m.countries),
    organizationIds: uniq([m.owner_organization_id, ...m.organization_ids]),
    text: {
      a: indexText([l.title, m.number ?? '']),
      b: indexText([...l.key_questions, l.summary]),
      c: indexText([l.body, ...m.authors, ...orgText]),
      d: indexText(pages.filter((p) => fileLang.get(p.file_id) === l.lang).map((p) => p.text)),
    },
  }));
  await replacePublicationSearch(tx, id, docs);
}

async function writeRest(ctx: DomainContext, tx: Executor, ref: ReferenceData, id: string, data: PublicationData, audit: { action: string; before?: Publication }) {
  await replacePublicationLanguages(
    tx,
    id,
    data.languages.map((l) => ({ lang: l.lang, title: l.title, summary: l.summary, key_questions: JSON.stringify(l.keyQuestions), body: l.body })),
  );
  await replacePublicationRelated(tx, id, data.related);
  await reindexPublication(tx, ref, id);
  const publication = await loadPublication(tx, id);
  await insertPublicationVersion(tx, {
    publicationId: id,
    version: publication.version,
    snapshot: publication,
    action: audit.action,
    actorLabel: actorLabel(ctx.actor),
    actorUserId: userIdOf(ctx.actor),
    at: new Date(publication.updatedAt),
  });
  await recordAudit(tx, ctx, {
    action: `publication.${audit.action}`,
    recordType: 'publication',
    recordId: id,
    organizationId: publication.ownerOrganizationId,
    before: audit.before ?? null,
    after: publication,
  });
  return publication;
}

const mainValues = (data: PublicationData, owner: string) => ({
  owner_organization_id: owner,
  kind: data.kind,
  number: data.number,
  published: data.published,
  organization_ids: data.organizationIds,
  authors: data.authors,
  themes: data.themes,
  countries: data.countries,
  regions: data.regions,
  visibility: data.visibility,
  shared_with: data.sharedWith,
  status: data.status,
  default_language: data.defaultLanguage,
});

function requireOwner(owner: string | undefined): string {
  if (!owner) {
    throw new AppError('VALIDATION_FAILED', 'Choose the organization that publishes this.', {
      fields: [{ path: 'ownerOrganizationId', message: 'Choose the organization that publishes this.', code: 'required' }],
    });
  }
  return owner;
}

/**
 * Creates a publication owned by `ownerOrganizationId` (by default the organization where the
 * person is focal point): focal points of that organization, the coordinator or administrators.
 */
export async function createPublication(ctx: DomainContext, raw: NewPublicationInput): Promise<Publication> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const owner = requireOwner(defaultOwner(ctx, raw));
  authorize(ctx.actor, 'publication.create', { ownerOrganizationId: owner });
  const data = parseInput(raw);
  const ref = await getReferenceData(ctx);
  return withTransaction(ctx.db, async (tx) => {
    await checkReferences(tx, ref, data, owner, null);
    const id = newId('pub');
    const at = new Date();
    await insertPublication(tx, { id, ...mainValues(data, owner), created_by: userIdOf(ctx.actor), updated_by: userIdOf(ctx.actor), created_at: at, updated_at: at });
    return writeRest(ctx, tx, ref, id, data, { action: 'create' });
  });
}

/**
 * Replaces a publication with a full new record based on `version`: a stale version is refused
 * with VERSION_CONFLICT carrying the current record. Files are kept (they are added and removed
 * on their own).
 */
export async function updatePublication(ctx: DomainContext, id: string, raw: PublicationReplacement): Promise<Publication> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  if (!Number.isInteger(raw.version) || raw.version < 1) {
    throw new AppError('VALIDATION_FAILED', 'Send the version you edited.', { fields: [{ path: 'version', message: 'Send the version you edited.', code: 'required' }] });
  }
  const current = await findPublicationRow(ctx.db.kysely, id);
  if (!current || !canSeePublication(ctx.actor, current)) throw notFound('The publication');
  authorize(ctx.actor, 'publication.update', { ownerOrganizationId: current.owner_organization_id });
  const owner = raw.ownerOrganizationId || current.owner_organization_id;
  if (owner !== current.owner_organization_id) authorize(ctx.actor, 'publication.update', { ownerOrganizationId: owner });
  const data = parseInput(raw);
  const ref = await getReferenceData(ctx);
  return withTransaction(ctx.db, async (tx) => {
    if (current.deleted_at) throw new AppError('CONFLICT', 'This publication has been deleted.');
    const conflict = async () =>
      new AppError('VERSION_CONFLICT', 'Someone else changed this publication since you opened it. Review the current version and apply your change again.', {
        current: await loadPublication(tx, id),
      });
    if (raw.version !== current.version) throw await conflict();
    await checkReferences(tx, ref, data, owner, id);
    const before = await loadPublication(tx, id);
    const ok = await updatePublicationIfVersion(tx, id, raw.version, { ...mainValues(data, owner), updated_by: userIdOf(ctx.actor), updated_at: new Date() });
    if (!ok) throw await conflict();
    return writeRest(ctx, tx, ref, id, data, { action: 'update', before });
  });
}

/** Deletes a publication softly: it leaves the library, search and feeds; its history stays. */
export async function deletePublication(ctx: DomainContext, id: string): Promise<Publication> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const current = await findPublicationRow(ctx.db.kysely, id);
  if (!current || current.deleted_at || !canSeePublication(ctx.actor, current)) throw notFound('The publication');
  authorize(ctx.actor, 'publication.delete', { ownerOrganizationId: current.owner_organization_id });
  const ref = await getReferenceData(ctx);
  return withTransaction(ctx.db, async (tx) => {
    const before = await loadPublication(tx, id);
    const at = new Date();
    const ok = await updatePublicationIfVersion(tx, id, current.version, { deleted_at: at, updated_at: at, updated_by: userIdOf(ctx.actor) });
    if (!ok) throw new AppError('VERSION_CONFLICT', 'Someone else changed this publication meanwhile; try again.', { current: before });
    await reindexPublication(tx, ref, id);
    const after = await loadPublication(tx, id);
    await insertPublicationVersion(tx, { publicationId: id, version: after.version, snapshot: after, action: 'delete', actorLabel: actorLabel(ctx.actor), actorUserId: userIdOf(ctx.actor), at });
    await recordAudit(tx, ctx, { action: 'publication.delete', recordType: 'publication', recordId: id, organizationId: after.ownerOrganizationId, before, after });
    return after;
  });
}
