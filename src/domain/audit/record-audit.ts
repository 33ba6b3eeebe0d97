import type { Executor } from '../../db/database.ts';
import { actorLabel } from '../actor.ts';
import type { DomainContext } from '../context.ts';

export type AuditEntry = {
  action: string;
  recordType: string;
  recordId: string;
  organizationId?: string | null;
  before?: unknown;
  after?: unknown;
};

const SECRET_KEYS = new Set(['password_hash', 'token_hash', 'id_hash', 'password']);

/** Drops secrets from a snapshot so the audit log never holds a hash or a password. */
function scrub(value: unknown): unknown {
  if (value === null || value === undefined || typeof value !== 'object') return value ?? null;
  if (Array.isArray(value)) return value.map(scrub);
  if (value instanceof Date) return value.toISOString();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!SECRET_KEYS.has(k)) out[k] = scrub(v);
  return out;
}

/** Writes one audit entry in the caller's transaction: who, when, what, before and after. */
export async function recordAudit(tx: Executor, ctx: Pick<DomainContext, 'actor' | 'requestId' | 'ip'>, entry: AuditEntry): Promise<void> {
  await recordAudits(tx, ctx, [entry]);
}

/** Writes several audit entries of one actor in one statement (an import's batch), in the caller's transaction. */
export async function recordAudits(tx: Executor, ctx: Pick<DomainContext, 'actor' | 'requestId' | 'ip'>, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const a = ctx.actor;
  const rows = entries.map((entry) => ({
    actor_user_id: a.kind === 'anonymous' || a.userId === 'system' ? null : a.userId,
    actor_token_id: a.kind === 'token' ? a.tokenId : null,
    actor_label: actorLabel(a),
    action: entry.action,
    record_type: entry.recordType,
    record_id: entry.recordId,
    organization_id: entry.organizationId ?? null,
    before: entry.before === undefined ? null : JSON.stringify(scrub(entry.before)),
    after: entry.after === undefined ? null : JSON.stringify(scrub(entry.after)),
    request_id: ctx.requestId ?? null,
    ip: ctx.ip ?? null,
  }));
  // 11 parameters a row: 500 rows a statement stays far below PostgreSQL's 65 535.
  for (let i = 0; i < rows.length; i += 500) await tx.insertInto('audit_log').values(rows.slice(i, i + 500)).execute();
}
