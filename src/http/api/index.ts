import { activityRoutes } from './activities.ts';
import { activityListRoutes } from './activity-list.ts';
import { apiRouter } from './openapi-app.ts';
import { organizationRoutes } from './organizations.ts';
import { publicationRoutes } from './publications.ts';
import { referenceRoutes } from './reference.ts';
import { auditRoutes } from './audit.ts';
import { coordinationRoutes } from './coordination.ts';
import { iatiImportRoutes } from './iati-imports.ts';
import { invitationRoutes } from './invitations.ts';
import { savedSearchRoutes } from './saved-searches.ts';
import { searchSubscriptionRoutes } from './search-subscriptions.ts';
import { tokenRoutes } from './tokens.ts';
import { userRoutes } from './users.ts';

export const OPENAPI_INFO: Omit<Parameters<ReturnType<typeof apiRouter>['getOpenAPI31Document']>[0], 'security'> = {
  openapi: '3.1.0',
  info: {
    title: 'ICAT Platform API',
    version: '1.0.0',
    description:
      'Open API of the ICAT Platform: organizations, activities, publications and aggregate data. ' +
      'Reading public data needs no credentials. Systems authenticate with an API token sent as `Authorization: Bearer <token>`; ' +
      'errors are RFC 9457 problem documents with a stable `code`.',
    license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
  },
  servers: [{ url: '/api/v1' }],
};

/** The REST API under /api/v1; every operation is described in the OpenAPI document. */
export function buildApi() {
  const api = apiRouter();
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerToken', { type: 'http', scheme: 'bearer', description: 'An API token created in Administration → API tokens.' });
  api.route('/', organizationRoutes);
  api.route('/', userRoutes);
  api.route('/', tokenRoutes);
  api.route('/', invitationRoutes);
  api.route('/', auditRoutes);
  api.route('/', referenceRoutes);
  // The list, exports and import before /activities/{id}, which would otherwise answer for their paths.
  api.route('/', activityListRoutes);
  api.route('/', activityRoutes);
  api.route('/', publicationRoutes);
  api.route('/', coordinationRoutes);
  api.route('/', iatiImportRoutes);
  api.route('/', savedSearchRoutes);
  api.route('/', searchSubscriptionRoutes);
  api.get('/openapi.json', (c) => c.json(openApiDocument(api)));
  return api;
}

export function openApiDocument(api: ReturnType<typeof apiRouter>) {
  return api.getOpenAPI31Document({ ...OPENAPI_INFO, security: [{}, { bearerToken: [] }] });
}
