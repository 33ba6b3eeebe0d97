import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { activityFiltersSchema } from '../../domain/activities/activity-filters.ts';
import { EXPORT_FORMATS, exportActivities, type ActivityExport } from '../../domain/activities/export-activities.ts';
import { activitySummarySchema, browseActivities, facetsSchema } from '../../domain/activities/list-activities.ts';
import type { AppEnv } from '../env.ts';
import { apiRouter, errorResponses } from './openapi-app.ts';

const ActivityList = z
  .object({
    items: z.array(activitySummarySchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page; null on the last page' }),
    sort: z.enum(['updated', 'title', 'start', 'relevance']),
    total: z.number().int().openapi({ description: 'Activities matching all filters' }),
    facets: facetsSchema,
  })
  .openapi('ActivityList');

const languageQuery = z.object({ lang: z.enum(['en', 'fr', 'es', 'ar', 'zh', 'ru']).optional().openapi({ description: 'Language of labels and of the title sort (default: the request language)' }) });
const listQuery = activityFiltersSchema.extend(languageQuery.shape);
const exportQuery = activityFiltersSchema.omit({ cursor: true, limit: true }).extend({
  format: z.enum(EXPORT_FORMATS).default('csv').openapi({ description: 'csv (with an HXL hashtag row), xlsx, or json (an array in the API’s shape)' }),
  ...languageQuery.shape,
});

/** Sends an export as a streamed download. */
export function sendExport(c: Context<AppEnv>, file: ActivityExport): Response {
  return new Response(Readable.toWeb(file.stream) as ReadableStream, {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.fileName}"`,
      'cache-control': c.get('actor').kind === 'anonymous' ? 'no-cache' : 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
  });
}

/** The activity list with facet counts, and exports under the same filters. */
export const activityListRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/activities',
      tags: ['Activities'],
      summary: 'List and filter activities',
      description:
        'The activities you may read (public ones without credentials), filtered by country, M49 region (with its sub-regions), pillar, form of exploitation, target group, context, ' +
        'SDG target, organization (and its role), status, period and a text query. Repeat a parameter (or separate values with commas) to accept any of several values. ' +
        'Returns one page of items (keyset pagination: pass `nextCursor` as `cursor`), the total, and for each facet the count per value under all other filters.',
      request: { query: listQuery },
      responses: { 200: { description: 'A page of activities with facet counts', content: { 'application/json': { schema: ActivityList } } }, ...errorResponses },
    }),
    async (c) => {
      const { lang, ...filters } = c.req.valid('query');
      c.header('vary', 'cookie, authorization');
      return c.json(await browseActivities(c.get('ctx'), filters, { lang: lang ?? c.get('lang') }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/activities/export',
      tags: ['Activities'],
      summary: 'Export activities under the list filters',
      description:
        'Every activity the list would show under the same filters, streamed: CSV with codes and labels and an HXL hashtag row under the header (lists joined with " | "), ' +
        'XLSX with sheets for activities, locations, participating organizations, countries, sectors and budgets, or a JSON array of activities as `GET /activities/{id}` returns them. ' +
        'Cells that a spreadsheet would run as a formula are written with a leading apostrophe.',
      request: { query: exportQuery },
      responses: {
        200: {
          description: 'The file',
          content: {
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
            'application/json': { schema: z.array(z.unknown()) },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { format, lang, ...filters } = c.req.valid('query');
      return sendExport(c, await exportActivities(c.get('ctx'), { ...filters, cursor: undefined, limit: undefined }, format, { lang: lang ?? c.get('lang') }));
    },
  );
