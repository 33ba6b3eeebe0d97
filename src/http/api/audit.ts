import { createRoute, z } from '@hono/zod-openapi';
import { auditEntrySchema, auditQuerySchema, listAudit } from '../../domain/audit/list-audit.ts';
import { apiRouter, errorResponses } from './openapi-app.ts';

const AuditEntry = auditEntrySchema.meta({ id: 'AuditEntry' });

/** The audit log: /audit. */
export const auditRoutes = apiRouter().openapi(
  createRoute({
    method: 'get',
    path: '/audit',
    tags: ['Audit'],
    summary: 'Read the audit log',
    description: 'Every change with its actor, time, record and before/after, newest first. Coordinators and administrators.',
    request: { query: auditQuerySchema },
    responses: {
      200: {
        description: 'A page of entries',
        content: { 'application/json': { schema: z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() }).openapi('AuditPage') } },
      },
      ...errorResponses,
    },
  }),
  async (c) => c.json(await listAudit(c.get('ctx'), c.req.valid('query')), 200),
);
