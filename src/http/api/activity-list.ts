import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { activityFiltersSchema } from '../../domain/activities/activity-filters.ts';
import { EXPORT_FORMATS, exportActivities, type ActivityExport } from '../../domain/activities/export-activities.ts';
import { activitySummarySchema, browseActivities, facetsSchema } from '../../domain/activities/list-activities.ts';
import { commitSpreadsheetImport, spreadsheetTemplate, uploadSpreadsheet } from '../../domain/activities/import-spreadsheet.ts';
import { AppError } from '../../domain/errors.ts';
import type { AppEnv } from '../env.ts';
import { apiRouter, errorResponses, notFoundResponse } from './openapi-app.ts';

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
  format: z.enum(EXPORT_FORMATS).default('csv').openapi({ description: 'csv (with an HXL hashtag row), xlsx, json (an array in the API’s shape), or xml (an IATI 2.03 activity file)' }),
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

const ImportMessage = z
  .object({
    row: z.number().int().nullable().openapi({ description: 'Spreadsheet row (1 is the header); null for the file as a whole' }),
    column: z.string().nullable().openapi({ description: 'Column name (or letter, for an unknown column)' }),
    severity: z.enum(['critical', 'error', 'warning']),
    message: z.string(),
    hint: z.string().optional(),
    rule: z.string().optional(),
  })
  .openapi('ImportMessage');
const ImportReport = z
  .object({
    fileName: z.string(),
    format: z.enum(['csv', 'xlsx']),
    rows: z.number().int(),
    counts: z.object({
      create: z.number().int(),
      update: z.number().int(),
      unchanged: z.number().int(),
      blocked: z.number().int(),
      warnings: z.number().int(),
      emptyRowsSkipped: z.number().int(),
    }),
    messages: z.array(ImportMessage),
    messageCount: z.number().int(),
    committable: z.boolean().openapi({ description: 'No row blocks: a commit saves every row' }),
  })
  .openapi('ImportReport');
const ImportUpload = z.object({ token: z.string(), expiresAt: z.string(), report: ImportReport }).openapi('ImportUpload');
const ImportResult = z
  .object({ rows: z.number().int(), created: z.number().int(), updated: z.number().int(), unchanged: z.number().int(), report: ImportReport })
  .openapi('ImportResult');
const uploadBody = z.object({ file: z.any().openapi({ type: 'string', format: 'binary', description: 'A CSV (UTF-8) or XLSX file with the columns of the template' }) });
const tokenParam = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{32}$/).openapi({ description: 'The token of the upload' }) });
const tooLarge = { 413: { description: 'The file is larger than MAX_UPLOAD_BYTES', content: { 'application/problem+json': { schema: z.unknown() } } } } as const;

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
        'XLSX with sheets for activities, locations, participating organizations, countries, sectors and budgets, a JSON array of activities as `GET /activities/{id}` returns them, ' +
        'or an IATI 2.03 activity file (activities lacking what the IATI schema requires are left out and listed in a closing comment). ' +
        'Cells that a spreadsheet would run as a formula are written with a leading apostrophe.',
      request: { query: exportQuery },
      responses: {
        200: {
          description: 'The file',
          content: {
            'text/csv': { schema: z.string() },
            'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) },
            'application/json': { schema: z.array(z.unknown()) },
            'application/xml': { schema: z.string() },
          },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { format, lang, ...filters } = c.req.valid('query');
      return sendExport(c, await exportActivities(c.get('ctx'), { ...filters, cursor: undefined, limit: undefined }, format, { lang: lang ?? c.get('lang') }));
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/activities/import/template',
      tags: ['Activities'],
      summary: 'Download the import template',
      description: 'The columns of the export, with the HXL row. The XLSX template adds an instructions sheet and the code lists (taxonomies, IATI codelists, countries, organizations).',
      request: { query: z.object({ format: z.enum(['csv', 'xlsx']).default('xlsx'), ...languageQuery.shape }) },
      responses: {
        200: {
          description: 'The template',
          content: { 'text/csv': { schema: z.string() }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { format, lang } = c.req.valid('query');
      const t = await spreadsheetTemplate(c.get('ctx'), format, { lang: lang ?? c.get('lang') });
      return c.body(new Uint8Array(t.body), 200, { 'content-type': t.contentType, 'content-disposition': `attachment; filename="${t.fileName}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities/import',
      tags: ['Activities'],
      summary: 'Upload a spreadsheet of activities (dry run)',
      description:
        'Stores the file for two hours and returns the dry run: every row parsed and graded by the activity validator, with messages by row and column. Nothing is saved. ' +
        'Commit it with `POST /activities/import/{token}/commit`. Staff of member organizations and administrators; each row’s owner is checked. Files above MAX_UPLOAD_BYTES get 413.',
      request: { body: { required: true, content: { 'multipart/form-data': { schema: uploadBody } } } },
      responses: { 200: { description: 'The dry run', content: { 'application/json': { schema: ImportUpload } } }, ...errorResponses, ...tooLarge },
    }),
    async (c) => {
      const file = (await c.req.parseBody())['file'];
      if (!(file instanceof File)) {
        throw new AppError('VALIDATION_FAILED', 'Send the spreadsheet as the form field “file”.', { fields: [{ path: 'file', message: 'Attach a CSV or XLSX file as the field “file”.' }] });
      }
      const upload = await uploadSpreadsheet(c.get('ctx'), { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
      return c.json(upload, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities/import/{token}/commit',
      tags: ['Activities'],
      summary: 'Import an uploaded spreadsheet',
      description:
        'Saves every row of the upload in one transaction: all rows or none. Re-importing updates activities by IATI identifier (or platform id), never duplicating them. ' +
        'A file with blocking problems is refused with 422 listing them, and nothing is saved. Only the person who uploaded the file may commit it.',
      request: { params: tokenParam },
      responses: { 200: { description: 'Imported', content: { 'application/json': { schema: ImportResult } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await commitSpreadsheetImport(c.get('ctx'), c.req.valid('param').token), 200),
  );
