import { createRoute, z } from '@hono/zod-openapi';
import { savedSearchCreateSchema, savedSearchSchema, savedSearchUpdateSchema } from '../../domain/alerts/alert-schemas.ts';
import { createSavedSearch, deleteSavedSearch, getSavedSearch, listSavedSearches, updateSavedSearch } from '../../domain/alerts/saved-searches.ts';
import { apiRouter, errorResponses, notFoundResponse } from './openapi-app.ts';

const SavedSearch = savedSearchSchema.meta({ id: 'SavedSearch' });
const idParam = z.object({ id: z.string().min(1).max(100).openapi({ description: 'Saved search id', example: 'srch_01j…' }) });
const noStore = { 'cache-control': 'private, no-store' };

/** The caller's saved searches: /saved-searches. Each carries its number of new matches since the last visit. */
export const savedSearchRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/saved-searches',
      tags: ['Saved searches'],
      summary: 'List your saved searches',
      description:
        'Your saved searches, newest first. `newMatches` counts the records first published since your last visit that match the search and that you may see (drafts never count).',
      responses: {
        200: { description: 'Saved searches', content: { 'application/json': { schema: z.object({ items: z.array(SavedSearch) }).openapi('SavedSearchList') } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json({ items: await listSavedSearches(c.get('ctx')) }, 200, noStore),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/saved-searches',
      tags: ['Saved searches'],
      summary: 'Save a search',
      description:
        'Saves a library search (its URL query, normalized: lists sorted, page left out) under a name, with e-mail alerts of new matches none, daily or weekly. The same search saved twice is a `CONFLICT`.',
      request: { body: { required: true, content: { 'application/json': { schema: savedSearchCreateSchema.meta({ id: 'SavedSearchInput' }) } } } },
      responses: { 201: { description: 'Saved', content: { 'application/json': { schema: SavedSearch } } }, ...errorResponses },
    }),
    async (c) => c.json(await createSavedSearch(c.get('ctx'), c.req.valid('json')), 201),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/saved-searches/{id}',
      tags: ['Saved searches'],
      summary: 'One of your saved searches',
      description: 'With its number of new matches. Reading it here does not count as a visit.',
      request: { params: idParam },
      responses: { 200: { description: 'Saved search', content: { 'application/json': { schema: SavedSearch } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await getSavedSearch(c.get('ctx'), c.req.valid('param').id), 200, noStore),
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/saved-searches/{id}',
      tags: ['Saved searches'],
      summary: 'Rename a saved search or change its alert',
      description: 'Switching an alert on starts it now: the first e-mail tells of records first published from then on.',
      request: { params: idParam, body: { required: true, content: { 'application/json': { schema: savedSearchUpdateSchema.meta({ id: 'SavedSearchUpdate' }) } } } },
      responses: { 200: { description: 'Updated', content: { 'application/json': { schema: SavedSearch } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await updateSavedSearch(c.get('ctx'), c.req.valid('param').id, c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/saved-searches/{id}',
      tags: ['Saved searches'],
      summary: 'Delete a saved search',
      request: { params: idParam },
      responses: { 204: { description: 'Deleted' }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      await deleteSavedSearch(c.get('ctx'), c.req.valid('param').id);
      return c.body(null, 204);
    },
  );
