import { getActivityVersionSnapshots, listActivityVersionRows, listActivityVersionSnapshots, organizationSummaries } from '../../db/queries/activities.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { authorize } from '../policies.ts';
import type { Activity } from './activity-schemas.ts';
import { diffActivities, type ActivityChange } from './activity-diff.ts';
import { findVisibleActivityRow } from './get-activity.ts';

export type ActivityVersion = { version: number; action: string; actorLabel: string; at: string };
export type ActivityHistory = {
  activity: { id: string; iatiIdentifier: string | null; title: Record<string, string>; ownerOrganizationId: string; version: number; deletedAt: string | null };
  items: ActivityVersion[];
};
export type ActivityVersionDiff = { activityId: string; from: ActivityVersion; to: ActivityVersion; changes: ActivityChange[] };

const toVersion = (r: { version: number; action: string; actor_label: string; at: Date | string }): ActivityVersion => ({
  version: r.version,
  action: r.action,
  actorLabel: r.actor_label,
  at: new Date(r.at).toISOString(),
});

async function historyRow(ctx: DomainContext, idOrIdentifier: string) {
  const row = await findVisibleActivityRow(ctx, idOrIdentifier);
  authorize(ctx.actor, 'activity.history', { ownerOrganizationId: row.owner_organization_id });
  return row;
}

/** Every saved version of an activity, newest first: for those who may edit it, and coordinators. */
export async function listActivityVersions(ctx: DomainContext, idOrIdentifier: string): Promise<ActivityHistory> {
  const row = await historyRow(ctx, idOrIdentifier);
  const rows = await listActivityVersionRows(ctx.db.kysely, row.id);
  return {
    activity: {
      id: row.id,
      iatiIdentifier: row.iati_identifier,
      title: row.title,
      ownerOrganizationId: row.owner_organization_id,
      version: row.version,
      deletedAt: row.deleted_at ? new Date(row.deleted_at).toISOString() : null,
    },
    items: rows.map(toVersion),
  };
}

/** The readable field-level changes from version `from` to version `to` of an activity (either order). */
export async function diffActivityVersions(ctx: DomainContext, idOrIdentifier: string, from: number, to: number): Promise<ActivityVersionDiff> {
  for (const [name, v] of [['from', from], ['to', to]] as const) {
    if (!Number.isInteger(v) || v < 1) {
      throw new AppError('VALIDATION_FAILED', 'Versions are whole numbers from 1.', { fields: [{ path: name, message: 'Give a version number from the history.' }] });
    }
  }
  const row = await historyRow(ctx, idOrIdentifier);
  const snaps = await getActivityVersionSnapshots(ctx.db.kysely, row.id, [from, to]);
  const a = snaps.find((s) => s.version === from);
  const b = snaps.find((s) => s.version === to);
  if (!a || !b) throw notFound(`Version ${!a ? from : to} of the activity`);
  return {
    activityId: row.id,
    from: toVersion(a),
    to: toVersion(b),
    changes: diffActivities(a.snapshot as Activity, b.snapshot as Activity),
  };
}

export type ActivityHistoryWithChanges = Omit<ActivityHistory, 'items'> & {
  items: (ActivityVersion & { changes: ActivityChange[] })[];
  /** Versions older than those listed, not shown. */
  more: boolean;
  /** Acronyms of the organizations the changes name by id (sharing). */
  organizations: Record<string, string>;
  /** To label codes (countries, terms, codelists). */
  reference: ReferenceData;
};

/**
 * The newest versions of an activity, each with its changes from the version before (the first
 * version lists its values as added), for the history page. Same readers as listActivityVersions.
 */
export async function activityHistoryWithChanges(ctx: DomainContext, idOrIdentifier: string, opts: { limit?: number } = {}): Promise<ActivityHistoryWithChanges> {
  const limit = Math.min(Math.max(opts.limit ?? 50, 1), 200);
  const history = await listActivityVersions(ctx, idOrIdentifier);
  const snaps = await listActivityVersionSnapshots(ctx.db.kysely, history.activity.id, limit + 1);
  const items = snaps.slice(0, limit).map((s, i) => {
    const previous = snaps[i + 1];
    const before = previous ? (previous.snapshot as Activity) : null;
    return { ...toVersion(s), changes: before ? diffActivities(before, s.snapshot as Activity) : [] };
  });
  const ids = items.flatMap((i) => i.changes.filter((c) => c.field === 'sharedWith' && c.kind === 'list').flatMap((c) => (c.kind === 'list' ? [...c.added, ...c.removed].map((x) => x.key) : [])));
  const orgs = await organizationSummaries(ctx.db.kysely, ids);
  return {
    ...history,
    items,
    more: history.items.length > limit,
    organizations: Object.fromEntries(orgs.map((o) => [o.id, o.acronym])),
    reference: await getReferenceData(ctx),
  };
}
