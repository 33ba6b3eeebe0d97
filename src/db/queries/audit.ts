import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** SQL for reading the audit log (writing is in src/domain/audit/record-audit.ts, in the caller's transaction). */
export async function listAuditRows(
  db: Executor,
  q: {
    recordType?: string;
    recordId?: string;
    organizationId?: string;
    actor?: string;
    action?: string;
    from?: Date;
    to?: Date;
    /** Keyset: entries strictly older than this id (ids grow with time). */
    beforeId?: number;
    limit: number;
  },
) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_user_id', 'actor_token_id', 'actor_label', 'action', 'record_type', 'record_id', 'organization_id', 'before', 'after', 'request_id', 'ip']);
  if (q.recordType) query = query.where('record_type', '=', q.recordType);
  if (q.recordId) query = query.where('record_id', '=', q.recordId);
  if (q.organizationId) query = query.where('organization_id', '=', q.organizationId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.actor) {
    const who = q.actor;
    query = query.where((eb) =>
      eb.or([eb('actor_user_id', '=', who), eb('actor_token_id', '=', who), eb(sql<string>`lower(actor_label)`, '=', who.toLowerCase())]),
    );
  }
  if (q.from) query = query.where('at', '>=', q.from);
  if (q.to) query = query.where('at', '<', q.to);
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  return query.orderBy('id', 'desc').limit(q.limit + 1).execute();
}

export type AuditRow = Awaited<ReturnType<typeof listAuditRows>>[number];
