import { createRoute, z } from '@hono/zod-openapi';
import {
  organizationInputSchema,
  organizationListQuerySchema,
  organizationPatchSchema,
  organizationSchema,
} from '../../domain/organizations/organization-schemas.ts';
import {
  createOrganization,
  getOrganization,
  listOrganizations,
  setOrganizationArchived,
  updateOrganization,
} from '../../domain/organizations/organizations.ts';
import { apiRouter, conflictResponse, errorResponses, notFoundResponse } from './openapi-app.ts';

const Organization = organizationSchema.meta({ id: 'Organization' });
const OrganizationList = z.object({ items: z.array(Organization), nextCursor: z.string().nullable() }).openapi('OrganizationList');
const idParam = z.object({ id: z.string().min(1).max(100).openapi({ description: 'Organization id or slug', example: 'unodc' }) });

export const organizationRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/organizations',
      tags: ['Organizations'],
      summary: 'List organizations',
      description: 'Members, observers and partners, sorted by acronym. Public.',
      request: { query: organizationListQuerySchema },
      responses: { 200: { description: 'A page of organizations', content: { 'application/json': { schema: OrganizationList } } }, ...errorResponses },
    }),
    async (c) => c.json(await listOrganizations(c.get('ctx'), c.req.valid('query')), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{id}',
      tags: ['Organizations'],
      summary: 'Get one organization',
      request: { params: idParam },
      responses: {
        200: { description: 'The organization', content: { 'application/json': { schema: Organization } } },
        ...errorResponses,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const org = await getOrganization(c.get('ctx'), c.req.valid('param').id);
      return c.json(org, 200, { etag: `"${org.version}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/organizations',
      tags: ['Organizations'],
      summary: 'Create an organization',
      description: 'Administrators only.',
      request: { body: { required: true, content: { 'application/json': { schema: organizationInputSchema.meta({ id: 'OrganizationInput' }) } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: Organization } } },
        ...errorResponses,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const org = await createOrganization(c.get('ctx'), c.req.valid('json'));
      return c.json(org, 201, { location: `/api/v1/organizations/${org.id}` });
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/organizations/{id}',
      tags: ['Organizations'],
      summary: 'Change an organization',
      description: 'Administrators, or a focal point of the organization (not its kind or slug). Send the `version` you edited.',
      request: {
        params: idParam,
        body: { required: true, content: { 'application/json': { schema: organizationPatchSchema.meta({ id: 'OrganizationPatch' }) } } },
      },
      responses: {
        200: { description: 'Changed', content: { 'application/json': { schema: Organization } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => c.json(await updateOrganization(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{id}/archive',
      tags: ['Organizations'],
      summary: 'Archive an organization',
      description: 'Administrators only. The organization leaves the directory; its records stay.',
      request: { params: idParam },
      responses: { 200: { description: 'Archived', content: { 'application/json': { schema: Organization } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await setOrganizationArchived(c.get('ctx'), c.req.valid('param').id, true), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{id}/restore',
      tags: ['Organizations'],
      summary: 'Restore an archived organization',
      description: 'Administrators only.',
      request: { params: idParam },
      responses: { 200: { description: 'Restored', content: { 'application/json': { schema: Organization } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await setOrganizationArchived(c.get('ctx'), c.req.valid('param').id, false), 200),
  );
