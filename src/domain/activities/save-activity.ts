import { z } from 'zod';
import { withTransaction, type Executor, type Tx } from '../../db/database.ts';
import {
  findActivityRowById,
  findActivityRowByIdentifier,
  insertActivityRow,
  insertActivityRows,
  insertActivityVersion,
  insertActivityVersions,
  deferListRows,
  loadActivityRows,
  rebuildListRows,
  organizationSummaries,
  replaceActivityChildren,
  replaceChildrenOfMany,
  setActivitySearch,
  updateActivityRowIfVersion,
  type ActivityRow,
  type ActivityRows,
  type NewActivityRow,
} from '../../db/queries/activities.ts';
import { storedIatiStates } from '../../db/queries/iati.ts';
import { newId } from '../../lib/ids.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { recordAudit, recordAudits, type AuditEntry } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound, unauthenticated } from '../errors.ts';
import { authorize, can } from '../policies.ts';
import { canSeeActivity } from './activity-access.ts';
import { activityInputSchema, type Activity, type ActivityData, type ActivityInput, type provenanceSchema, type ValidationMessage } from './activity-schemas.ts';
import { activityDataOf, childValues, normalizeActivityData, mainValues, rowsToActivity, sameActivityData } from './activity-mapping.ts';
import { searchDocument } from './activity-search.ts';
import { activityGrader, isBlocking, refuse, storageProblems, type Grader, type ValidationMode } from './activity-validation.ts';

/** What a save returns: the stored activity and the graded messages about it (a draft may carry errors). */
export type SavedActivity = { activity: Activity; messages: ValidationMessage[] };

/** Input for a new activity; the owner defaults to the organization of the person saving it. */
export type NewActivityInput = Omit<ActivityInput, 'ownerOrganizationId'> & { ownerOrganizationId?: string | null };
/** A full replacement: the whole record plus the version it was based on. The owner defaults to the current one. */
export type ActivityReplacement = NewActivityInput & { version: number };

const userIdOf = (a: Actor) => (a.kind === 'anonymous' || a.userId === 'system' ? null : a.userId);

/** The activity as stored, read inside the transaction. */
async function loadOne(tx: Executor, id: string): Promise<Activity> {
  const rows = (await loadActivityRows(tx, [id])).get(id);
  if (!rows) throw notFound('The activity');
  return rowsToActivity(rows);
}

function defaultOwner(ctx: DomainContext, raw: { ownerOrganizationId?: string | null }): string | undefined {
  if (raw.ownerOrganizationId) return raw.ownerOrganizationId;
  if (ctx.actor.kind === 'anonymous') return undefined;
  return ctx.actor.memberships[0]?.organizationId;
}

/** Parses the input with the shape schema; a missing owner is named as a field. */
function parseInput(raw: NewActivityInput, owner: string | undefined): ActivityData {
  // The version travels beside the record (ActivityReplacement); the schema is strict.
  const { ownerOrganizationId: _owner, version: _version, ...rest } = raw as NewActivityInput & { version?: unknown };
  if (!owner) {
    throw new AppError('VALIDATION_FAILED', 'Choose the organization that owns this activity.', {
      fields: [{ path: 'ownerOrganizationId', message: 'Choose the organization that owns this activity.', code: 'required' }],
    });
  }
  return normalizeActivityData(activityInputSchema.parse({ ...rest, ownerOrganizationId: owner }));
}

/**
 * Grades the data and refuses what cannot be stored (always) or published with errors (any
 * visibility other than draft). Returns every message of a save that goes ahead.
 */
async function gradeForSave(tx: Executor, data: ActivityData, messages: ValidationMessage[]): Promise<ValidationMessage[]> {
  const storage = await storageProblems(tx, data);
  const all = [...storage, ...messages];
  if (storage.length > 0) throw refuse(all, 'This activity cannot be saved: some fields are not valid.');
  if (data.visibility !== 'draft' && all.some(isBlocking)) {
    throw refuse(all, 'This activity cannot be published with errors. Correct them, or save it as a draft.');
  }
  return all;
}

/** Writes the children, the search document, the version snapshot and the audit entry of a save. */
async function writeRest(
  ctx: DomainContext,
  tx: Tx | Executor,
  id: string,
  data: ActivityData,
  audit: { action: 'create' | 'update'; before?: Activity },
): Promise<Activity> {
  await replaceActivityChildren(tx, id, childValues(data));
  const orgIds = [data.ownerOrganizationId, ...data.participants.map((p) => p.organizationId ?? '').filter(Boolean)];
  const orgs = await organizationSummaries(tx, orgIds);
  await setActivitySearch(tx, id, searchDocument(data, orgs.flatMap((o) => [o.acronym, ...Object.values(o.name as Record<string, string>)])));
  const activity = await loadOne(tx, id);
  await insertActivityVersion(tx, {
    activityId: id,
    version: activity.version,
    snapshot: activity,
    action: audit.action,
    actorLabel: actorLabel(ctx.actor),
    actorUserId: userIdOf(ctx.actor),
    at: new Date(activity.updatedAt),
  });
  await recordAudit(tx, ctx, {
    action: `activity.${audit.action}`,
    recordType: 'activity',
    recordId: id,
    organizationId: data.ownerOrganizationId,
    before: audit.before ?? null,
    after: activity,
  });
  return activity;
}

function duplicateIdentifier(err: unknown): AppError | undefined {
  const e = err as { code?: string; constraint?: string; detail?: string };
  if (e.code !== '23505' || !/iati_identifier/.test(`${e.constraint ?? ''} ${e.detail ?? ''}`)) return undefined;
  return new AppError('CONFLICT', 'Another activity already has this IATI identifier.', {
    fields: [{ path: 'iatiIdentifier', message: 'Another activity already has this IATI identifier. Edit that one, or correct the identifier.', code: 'duplicate' }],
  });
}

async function insertNew(ctx: DomainContext, tx: Executor, data: ActivityData, messages: ValidationMessage[]): Promise<SavedActivity> {
  const all = await gradeForSave(tx, data, messages);
  const id = newId('act');
  const at = new Date();
  await insertActivityRow(tx, { id, ...mainValues(data, { updatedBy: userIdOf(ctx.actor), at }), created_by: userIdOf(ctx.actor), created_at: at });
  const activity = await writeRest(ctx, tx, id, data, { action: 'create' });
  return { activity, messages: all };
}

function requireSignedIn(ctx: DomainContext): void {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
}

/**
 * Creates an activity owned by `ownerOrganizationId` (by default the organization of the person
 * saving it): staff of that organization or administrators. A draft saves with errors and
 * returns them; any other visibility needs no critical or error message.
 */
export async function createActivity(ctx: DomainContext, raw: NewActivityInput): Promise<SavedActivity> {
  requireSignedIn(ctx);
  const owner = defaultOwner(ctx, raw);
  if (owner) authorize(ctx.actor, 'activity.create', { ownerOrganizationId: owner });
  const data = parseInput(raw, owner);
  const messages = (await activityGrader(ctx))(data, 'new');
  try {
    return await withTransaction(ctx.db, (tx) => insertNew(ctx, tx, data, messages));
  } catch (err) {
    throw duplicateIdentifier(err) ?? err;
  }
}

function versionConflict(current: Activity): AppError {
  return new AppError('VERSION_CONFLICT', 'Someone else changed this activity since you opened it. Review the current version and apply your change again.', {
    current,
  });
}

/** Checks that the actor may change `current` and, when the owner changes, give it to the new owner. */
function authorizeReplace(ctx: DomainContext, current: ActivityRow, newOwner: string): void {
  if (!canSeeActivity(ctx.actor, current)) throw notFound('The activity');
  authorize(ctx.actor, 'activity.update', { ownerOrganizationId: current.owner_organization_id });
  if (newOwner !== current.owner_organization_id) authorize(ctx.actor, 'activity.update', { ownerOrganizationId: newOwner });
}

/** The replace step shared by updateActivity and the importers, inside the caller's transaction. */
async function replaceExisting(
  ctx: DomainContext,
  tx: Executor,
  current: ActivityRow,
  data: ActivityData,
  baseVersion: number,
  messages: ValidationMessage[],
  stored?: Activity,
): Promise<SavedActivity> {
  if (current.deleted_at) {
    throw new AppError('CONFLICT', 'This activity has been deleted. Restore it before changing it.');
  }
  if (current.version !== baseVersion) throw versionConflict(await loadOne(tx, current.id));
  const all = await gradeForSave(tx, data, messages);
  const before = stored ?? (await loadOne(tx, current.id));
  const ok = await updateActivityRowIfVersion(tx, current.id, baseVersion, mainValues(data, { updatedBy: userIdOf(ctx.actor), at: new Date() }));
  // Another transaction saved first (it committed while this one waited for the row).
  if (!ok) throw versionConflict(await loadOne(tx, current.id));
  const activity = await writeRest(ctx, tx, current.id, data, { action: 'update', before });
  return { activity, messages: all };
}

/**
 * Replaces an activity with a new full record, based on `version`. A stale version is refused
 * with VERSION_CONFLICT carrying the current record, and nothing is overwritten; of two edits
 * from the same base version exactly one wins. `keep` names fields taken from the stored record
 * instead of the input (a form that does not show them).
 */
export async function updateActivity(
  ctx: DomainContext,
  idOrIdentifier: string,
  raw: ActivityReplacement,
  opts: { keep?: readonly (keyof ActivityData)[] } = {},
): Promise<SavedActivity> {
  requireSignedIn(ctx);
  const version = z.number().int().min(1).safeParse(raw.version);
  if (!version.success) {
    throw new AppError('VALIDATION_FAILED', 'Send the version you edited.', {
      fields: [{ path: 'version', message: 'Send the version you edited (the body’s version or an If-Match header).', code: 'required' }],
    });
  }
  const found = await findActivityRowFor(ctx, idOrIdentifier);
  const owner = raw.ownerOrganizationId || found.owner_organization_id;
  authorizeReplace(ctx, found, owner);
  let data = parseInput(raw, owner);
  const grade = await activityGrader(ctx);
  try {
    return await withTransaction(ctx.db, async (tx) => {
      const current = await findActivityRowById(tx, found.id);
      if (!current) throw notFound('The activity');
      let stored: Activity | undefined;
      if (opts.keep && opts.keep.length > 0) {
        stored = await loadOne(tx, current.id);
        const kept = activityDataOf(stored);
        data = normalizeActivityData({ ...data, ...Object.fromEntries(opts.keep.map((k) => [k, kept[k]])) });
      }
      return replaceExisting(ctx, tx, current, data, version.data, grade(data, 'existing'), stored);
    });
  } catch (err) {
    throw duplicateIdentifier(err) ?? err;
  }
}

async function findActivityRowFor(ctx: DomainContext, idOrIdentifier: string): Promise<ActivityRow> {
  const row = idOrIdentifier.startsWith('act_') ? await findActivityRowById(ctx.db.kysely, idOrIdentifier) : await findActivityRowByIdentifier(ctx.db.kysely, idOrIdentifier);
  if (!row) throw notFound('The activity');
  return row;
}

export type UpsertOutcome = 'created' | 'updated' | 'unchanged';
export type UpsertResult = SavedActivity & { outcome: UpsertOutcome };

/**
 * For importers: creates the activity with this IATI identifier (or platform `id`), or replaces
 * it when it exists, or does nothing when the data is identical (no new version). Runs inside
 * `opts.tx` when given (so a whole file commits or fails together), else in its own transaction.
 * `opts.provenance` replaces the input's provenance. Permission and publish rules are those of
 * createActivity and updateActivity; withdrawn codes are graded as on import (warnings).
 *
 * With `opts.tx` on the embedded database, load the reference data first (any
 * `getReferenceData` call before opening the transaction), since the transaction holds the
 * only connection.
 */
export async function upsertActivityByIdentifier(
  ctx: DomainContext,
  raw: NewActivityInput,
  opts: { tx?: Tx; provenance?: z.input<typeof provenanceSchema>; id?: string } = {},
): Promise<UpsertResult> {
  requireSignedIn(ctx);
  const identifier = typeof raw.iatiIdentifier === 'string' ? raw.iatiIdentifier.trim() : '';
  if (!identifier && !opts.id) {
    throw new AppError('VALIDATION_FAILED', 'An identifier is needed to import an activity.', {
      fields: [{ path: 'iatiIdentifier', message: 'Give the IATI identifier (or the platform id) so that a re-import updates the activity instead of duplicating it.', code: 'required' }],
    });
  }
  const input = opts.provenance ? { ...raw, provenance: opts.provenance } : raw;
  const grade = await activityGrader(ctx, opts.tx);
  const run = async (tx: Executor): Promise<UpsertResult> => {
    const current = opts.id ? await findActivityRowById(tx, opts.id) : await findActivityRowByIdentifier(tx, identifier);
    if (!current) {
      if (opts.id && !identifier) throw notFound('The activity');
      const owner = defaultOwner(ctx, input);
      if (owner) authorize(ctx.actor, 'activity.create', { ownerOrganizationId: owner });
      const data = parseInput(input, owner);
      return { ...(await insertNew(ctx, tx, data, grade(data, 'import'))), outcome: 'created' };
    }
    const owner = input.ownerOrganizationId || current.owner_organization_id;
    authorizeReplace(ctx, current, owner);
    const data = parseInput(input, owner);
    const stored = await loadOne(tx, current.id);
    const messages = grade(data, 'import');
    if (sameActivityData(activityDataOf(stored), data) && !stored.deletedAt) return { activity: stored, messages, outcome: 'unchanged' };
    return { ...(await replaceExisting(ctx, tx, current, data, current.version, messages, stored)), outcome: 'updated' };
  };
  try {
    return opts.tx ? await run(opts.tx) : await withTransaction(ctx.db, run);
  } catch (err) {
    throw duplicateIdentifier(err) ?? err;
  }
}

/** One activity of a batch; `publishIfValid`: a new activity is public when graded without errors, else a draft. */
export type BatchItem = { raw: NewActivityInput; provenance: z.input<typeof provenanceSchema>; publishIfValid?: boolean };

/**
 * For importers: upsertActivityByIdentifier for many activities inside the caller's
 * transaction, with the same outcomes, messages, versions and audit entries, written with a
 * few multi-row statements per batch instead of some twenty-five statements per activity.
 * Activities that the batch cannot take as they are (refused, forbidden, deleted, without an
 * identifier, with storage problems) go through upsertActivityByIdentifier one by one, which
 * refuses them before writing anything. Errors from the database propagate: the caller rolls
 * the transaction back (and may retry one activity per transaction).
 *
 * On the embedded database, load the reference data first (see upsertActivityByIdentifier).
 */
export async function upsertActivitiesByIdentifier(ctx: DomainContext, tx: Tx, items: BatchItem[], grade: Grader): Promise<(UpsertResult | { error: unknown })[]> {
  requireSignedIn(ctx);
  const out: (UpsertResult | { error: unknown } | undefined)[] = new Array(items.length);
  const inputs = items.map((it) => ({ ...it.raw, provenance: it.provenance }));
  const identifiers = inputs.map((i) => (typeof i.iatiIdentifier === 'string' ? i.iatiIdentifier.trim() : ''));
  const byIdentifier = new Map<string, ActivityRows>();
  const states = await storedIatiStates(tx, identifiers.filter(Boolean));
  for (const r of (await loadActivityRows(tx, [...states.values()].map((s) => s.id))).values()) if (r.main.iati_identifier) byIdentifier.set(r.main.iati_identifier, r);
  // Organizations named anywhere in the batch: whether they exist, and their names for the search documents.
  const parsed: (ActivityData | undefined)[] = inputs.map((input, k) => {
    const owner = identifiers[k] && byIdentifier.get(identifiers[k]!) ? input.ownerOrganizationId || byIdentifier.get(identifiers[k]!)!.main.owner_organization_id : defaultOwner(ctx, input);
    if (!owner) return undefined;
    const { ownerOrganizationId: _o, version: _v, ...rest } = input as NewActivityInput & { version?: unknown };
    const r = activityInputSchema.safeParse({ ...rest, ownerOrganizationId: owner });
    return r.success ? normalizeActivityData(r.data) : undefined;
  });
  const orgIds = parsed.flatMap((d) => (d ? [d.ownerOrganizationId, ...d.participants.map((p) => p.organizationId ?? '').filter(Boolean), ...d.sharedWith] : []));
  const orgs = new Map((await organizationSummaries(tx, orgIds)).map((o) => [o.id, o]));
  const one: number[] = [];
  const creates: { k: number; row: NewActivityRow; data: ActivityData; messages: ValidationMessage[] }[] = [];
  const updates: { k: number; current: ActivityRow; before: Activity; data: ActivityData; messages: ValidationMessage[] }[] = [];
  const searchOf = (d: ActivityData) => {
    const ids = [d.ownerOrganizationId, ...d.participants.map((p) => p.organizationId ?? '').filter(Boolean)];
    return searchDocument(d, [...new Set(ids)].flatMap((id) => { const o = orgs.get(id); return o ? [o.acronym, ...Object.values(o.name as Record<string, string>)] : []; }));
  };
  for (let k = 0; k < items.length; k++) {
    const data = parsed[k];
    const identifier = identifiers[k]!;
    const stored = identifier ? byIdentifier.get(identifier) : undefined;
    if (!data || !identifier) { one.push(k); continue; }
    const messages = grade(data, 'import');
    if (!stored && items[k]!.publishIfValid) {
      // The grade does not depend on the visibility: one parse and one grade decide it.
      data.visibility = messages.some(isBlocking) ? 'draft' : 'public';
      inputs[k]!.visibility = data.visibility;
    }
    // What the one-by-one path would refuse, it refuses with its own messages.
    const blocked = hasStorageProblems(data, orgs) || (data.visibility !== 'draft' && messages.some(isBlocking));
    if (!stored) {
      if (blocked || !can(ctx.actor, 'activity.create', { ownerOrganizationId: data.ownerOrganizationId })) { one.push(k); continue; }
      const at = new Date();
      creates.push({ k, data, messages, row: { id: newId('act'), ...mainValues(data, { updatedBy: userIdOf(ctx.actor), at }), created_by: userIdOf(ctx.actor), created_at: at, search: searchOf(data) } });
      continue;
    }
    const current = stored.main;
    if (!canSeeActivity(ctx.actor, current) || !can(ctx.actor, 'activity.update', { ownerOrganizationId: current.owner_organization_id }) || (data.ownerOrganizationId !== current.owner_organization_id && !can(ctx.actor, 'activity.update', { ownerOrganizationId: data.ownerOrganizationId }))) {
      one.push(k);
      continue;
    }
    const before = rowsToActivity(stored);
    if (sameActivityData(activityDataOf(before), data) && !before.deletedAt) { out[k] = { activity: before, messages, outcome: 'unchanged' }; continue; }
    if (current.deleted_at || blocked) { one.push(k); continue; }
    updates.push({ k, current, before, data, messages });
  }
  // Refusals first: they write nothing, so the transaction stays usable for the batch.
  for (const k of one) {
    try {
      out[k] = await upsertActivityByIdentifier(ctx, inputs[k]!, { tx });
    } catch (err) {
      out[k] = { error: duplicateIdentifier(err) ?? err };
    }
  }
  const written = [...creates.map((c) => ({ id: c.row.id, data: c.data })), ...updates.map((u) => ({ id: u.current.id, data: u.data }))];
  if (written.length === 0) return out as (UpsertResult | { error: unknown })[];
  // The list rows of the batch are written once, after its activities and child rows (migration 0013).
  await deferListRows(tx);
  if (creates.length > 0) await insertActivityRows(tx, creates.map((c) => c.row));
  for (const u of updates) {
    const ok = await updateActivityRowIfVersion(tx, u.current.id, u.current.version, mainValues(u.data, { updatedBy: userIdOf(ctx.actor), at: new Date() }), searchOf(u.data));
    // Another transaction changed it since it was read: the caller's retry, one by one, reports the conflict.
    if (!ok) throw versionConflict(u.before);
  }
  await replaceChildrenOfMany(tx, updates.map((u) => u.current.id), written.map((w) => ({ id: w.id, values: childValues(w.data) })));
  await rebuildListRows(tx, written.map((w) => w.id));
  const saved = await loadActivityRows(tx, written.map((w) => w.id));
  const versions: Parameters<typeof insertActivityVersions>[1] = [];
  const audits: AuditEntry[] = [];
  const record = (k: number, id: string, data: ActivityData, messages: ValidationMessage[], action: 'create' | 'update', before?: Activity) => {
    const activity = rowsToActivity(saved.get(id)!);
    versions.push({ activityId: id, version: activity.version, snapshot: activity, action, actorLabel: actorLabel(ctx.actor), actorUserId: userIdOf(ctx.actor), at: new Date(activity.updatedAt) });
    audits.push({ action: `activity.${action}`, recordType: 'activity', recordId: id, organizationId: data.ownerOrganizationId, before: before ?? null, after: activity });
    out[k] = { activity, messages, outcome: action === 'create' ? 'created' : 'updated' };
  };
  for (const c of creates) record(c.k, c.row.id, c.data, c.messages, 'create');
  for (const u of updates) record(u.k, u.current.id, u.data, u.messages, 'update', u.before);
  await insertActivityVersions(tx, versions);
  await recordAudits(tx, ctx, audits);
  return out as (UpsertResult | { error: unknown })[];
}

/** Would storageProblems find any? Without a query: the organizations named in the batch were read beforehand. */
function hasStorageProblems(d: ActivityData, orgs: Map<string, unknown>): boolean {
  const twice = (list: string[]) => new Set(list).size !== list.length;
  return (
    twice(d.countries.map((c) => c.code)) ||
    twice(d.regions.map((r) => `${r.vocabulary} ${r.code}`)) ||
    twice(d.sectors.map((s) => `${s.vocabulary} ${s.code}`)) ||
    twice(d.relatedActivities.map((r) => `${r.type} ${r.ref}`)) ||
    !orgs.has(d.ownerOrganizationId) ||
    d.participants.some((p) => p.organizationId && !orgs.has(p.organizationId)) ||
    d.sharedWith.some((o) => !orgs.has(o))
  );
}

/**
 * Grades an activity without saving it: the messages a save would return (or refuse with),
 * including those about storage (an unknown organization, a country listed twice). Anyone may
 * ask; nothing is written.
 */
export async function validateActivityInput(ctx: DomainContext, raw: NewActivityInput, mode: ValidationMode = 'new'): Promise<{ messages: ValidationMessage[]; publishable: boolean }> {
  const data = parseInput(raw, defaultOwner(ctx, raw) ?? '-');
  const messages = [...(await storageProblems(ctx.db.kysely, data)), ...(await activityGrader(ctx))(data, mode)];
  return { messages, publishable: !messages.some(isBlocking) };
}
