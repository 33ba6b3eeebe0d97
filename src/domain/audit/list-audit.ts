import { z } from 'zod';
import { listAuditRows, type AuditRow } from '../../db/queries/audit.ts';
import { decodeCursor, encodeCursor } from '../../lib/cursor.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { authorize } from '../policies.ts';

const moment = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).describe('An ISO 8601 date or date-time');

export const auditQuerySchema = z.strictObject({
  recordType: z.string().trim().min(1).max(100).optional(),
  recordId: z.string().trim().min(1).max(200).optional(),
  organizationId: z.string().trim().min(1).max(100).optional(),
  actor: z.string().trim().min(1).max(254).optional().describe('A user id, a token id, or the e-mail address shown as the actor'),
  action: z.string().trim().min(1).max(100).optional(),
  from: moment.optional().describe('Entries at or after this moment'),
  to: moment.optional().describe('Entries before this moment (a date means the start of that day)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;

export const auditEntrySchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ userId: z.string().nullable(), tokenId: z.string().nullable(), label: z.string() }),
  action: z.string(),
  recordType: z.string(),
  recordId: z.string(),
  organizationId: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  ip: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof auditEntrySchema>;

function toEntry(r: AuditRow): AuditEntryView {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: { userId: r.actor_user_id, tokenId: r.actor_token_id, label: r.actor_label },
    action: r.action,
    recordType: r.record_type,
    recordId: r.record_id,
    organizationId: r.organization_id,
    before: r.before ?? null,
    after: r.after ?? null,
    requestId: r.request_id,
    ip: r.ip,
  };
}

/** Reads the audit log, newest first, a page at a time (coordinators and administrators). */
export async function listAudit(ctx: DomainContext, raw: AuditQuery = {}): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  authorize(ctx.actor, 'audit.read');
  const q = auditQuerySchema.parse(raw);
  const from = q.from ? new Date(q.from) : undefined;
  const to = q.to ? new Date(q.to) : undefined;
  if (from && to && from > to) {
    throw new AppError('VALIDATION_FAILED', 'The period ends before it starts.', { fields: [{ path: 'to', message: 'Choose a moment after "from".' }] });
  }
  const beforeId = q.cursor ? Number(decodeCursor(q.cursor, 1)[0]) : undefined;
  const rows = await listAuditRows(ctx.db.kysely, {
    recordType: q.recordType,
    recordId: q.recordId,
    organizationId: q.organizationId,
    actor: q.actor,
    action: q.action,
    from,
    to,
    beforeId: Number.isFinite(beforeId) ? beforeId : undefined,
    limit: q.limit,
  });
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return { items: page.map(toEntry), nextCursor: rows.length > q.limit && last ? encodeCursor([last.id]) : null };
}
