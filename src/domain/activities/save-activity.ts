import { z } from 'zod';
import { withTransaction, type Executor, type Tx } from '../../db/database.ts';
import {
  findActivityRowById,
  findActivityRowByIdentifier,
  insertActivityRow,
  insertActivityVersion,
  loadActivityRows,
  organizationSummaries,
  replaceActivityChildren,
  setActivitySearch,
  updateActivityRowIfVersion,
  type ActivityRow,
} from '../../db/queries/activities.ts';
import { newId } from '../../lib/ids.ts';
import { actorLabel, type Actor } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound, unauthenticated } from '../errors.ts';
import { authorize } from '../policies.ts';
import { canSeeActivity } from './activity-access.ts';
import { activityInputSchema, type Activity, type ActivityData, type ActivityInput, type provenanceSchema, type ValidationMessage } from './activity-schemas.ts';
import { activityDataOf, childValues, normalizeActivityData, mainValues, rowsToActivity, sameActivityData } from './activity-mapping.ts';
import { searchDocument } from './activity-search.ts';
import { activityGrader, isBlocking, refuse, storageProblems, type ValidationMode } from './activity-validation.ts';

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
