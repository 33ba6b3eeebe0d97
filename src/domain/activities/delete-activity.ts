import { withTransaction } from '../../db/database.ts';
import { findActivityRowById, insertActivityVersion, loadActivityRows, setActivityDeletedIfVersion } from '../../db/queries/activities.ts';
import { actorLabel } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound, unauthenticated } from '../errors.ts';
import { authorize } from '../policies.ts';
import type { Activity } from './activity-schemas.ts';
import { rowsToActivity } from './activity-mapping.ts';
import { findVisibleActivityRow } from './get-activity.ts';

async function setDeleted(ctx: DomainContext, idOrIdentifier: string, deleted: boolean, opts: { version?: number }): Promise<Activity> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const found = await findVisibleActivityRow(ctx, idOrIdentifier);
  authorize(ctx.actor, 'activity.delete', { ownerOrganizationId: found.owner_organization_id });
  return withTransaction(ctx.db, async (tx) => {
    const load = async () => {
      const rows = (await loadActivityRows(tx, [found.id])).get(found.id);
      if (!rows) throw notFound('The activity');
      return rowsToActivity(rows);
    };
    const current = await findActivityRowById(tx, found.id);
    if (!current) throw notFound('The activity');
    if ((current.deleted_at !== null) === deleted) {
      throw new AppError('CONFLICT', deleted ? 'This activity is already deleted.' : 'This activity is not deleted.');
    }
    const conflict = async () =>
      new AppError('VERSION_CONFLICT', 'Someone else changed this activity since you opened it. Review the current version first.', { current: await load() });
    if (opts.version !== undefined && opts.version !== current.version) throw await conflict();
    const before = await load();
    const at = new Date();
    const userId = ctx.actor.kind === 'anonymous' || ctx.actor.userId === 'system' ? null : ctx.actor.userId;
    const ok = await setActivityDeletedIfVersion(tx, current.id, current.version, { deletedAt: deleted ? at : null, updatedBy: userId, at });
    if (!ok) throw await conflict();
    const after = await load();
    const action = deleted ? 'delete' : 'restore';
    await insertActivityVersion(tx, { activityId: current.id, version: after.version, snapshot: after, action, actorLabel: actorLabel(ctx.actor), actorUserId: userId, at });
    await recordAudit(tx, ctx, { action: `activity.${action}`, recordType: 'activity', recordId: current.id, organizationId: current.owner_organization_id, before, after });
    return after;
  });
}

/**
 * Deletes an activity softly: it leaves lists and public pages but stays restorable, with its
 * history. Staff of the owner organization or administrators. With `version`, a stale one is
 * refused with VERSION_CONFLICT.
 */
export function deleteActivity(ctx: DomainContext, idOrIdentifier: string, opts: { version?: number } = {}): Promise<Activity> {
  return setDeleted(ctx, idOrIdentifier, true, opts);
}

/** Restores a deleted activity, as it was when deleted. The same people as deleteActivity. */
export function restoreActivity(ctx: DomainContext, idOrIdentifier: string, opts: { version?: number } = {}): Promise<Activity> {
  return setDeleted(ctx, idOrIdentifier, false, opts);
}
