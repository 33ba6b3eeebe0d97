import { createRoute, z } from '@hono/zod-openapi';
import { invitationInputSchema, invitationListQuerySchema, invitationSchema } from '../../domain/identity/identity-schemas.ts';
import { createInvitation, listInvitations, revokeInvitation } from '../../domain/identity/invitations.ts';
import { apiRouter, conflictResponse, errorResponses, notFoundResponse } from './openapi-app.ts';

const Invitation = invitationSchema.meta({ id: 'Invitation' });
const idParam = z.object({ id: z.string().min(1).max(100).openapi({ description: 'Invitation id', example: 'inv_01j…' }) });

/** Invitations by e-mail: /invitations. */
export const invitationRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/invitations',
      tags: ['Accounts'],
      summary: 'List invitations',
      description: 'Administrators see all; a focal point sees those of their own organizations.',
      request: { query: invitationListQuerySchema },
      responses: { 200: { description: 'Invitations', content: { 'application/json': { schema: z.object({ items: z.array(Invitation) }).openapi('InvitationList') } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await listInvitations(c.get('ctx'), c.req.valid('query')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/invitations',
      tags: ['Accounts'],
      summary: 'Invite a person',
      description:
        'Administrators invite to any organization and role, or to a platform role; a focal point invites to their own organization as staff or focal point. The link is e-mailed and valid 7 days.',
      request: { body: { required: true, content: { 'application/json': { schema: invitationInputSchema.meta({ id: 'InvitationInput' }) } } } },
      responses: { 201: { description: 'Invited', content: { 'application/json': { schema: Invitation } } }, ...errorResponses, ...conflictResponse },
    }),
    async (c) => c.json(await createInvitation(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/invitations/{id}',
      tags: ['Accounts'],
      summary: 'Withdraw an invitation',
      request: { params: idParam },
      responses: {
        200: { description: 'Withdrawn', content: { 'application/json': { schema: Invitation } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => c.json(await revokeInvitation(c.get('ctx'), c.req.valid('param').id), 200),
  );
