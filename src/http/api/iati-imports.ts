import { Readable } from 'node:stream';
import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../domain/errors.ts';
import {
  getIatiImport,
  getIatiImportReport,
  iatiImportJobSchema,
  listIatiImports,
  retryIatiImport,
  startIatiImport,
  startReceivedIatiImport,
} from '../../domain/iati/import-jobs.ts';
import { readIatiUploadForm } from '../iati-upload-form.ts';
import { apiRouter, conflictResponse, errorResponses, notFoundResponse } from './openapi-app.ts';

const Job = z.object(iatiImportJobSchema.shape).openapi('IatiImportJob');
const Message = z
  .object({
    activity: z.number().int().nullable().openapi({ description: 'Position of the activity in the file (0 is the first); null for the file as a whole' }),
    identifier: z.string().nullable(),
    line: z.number().int().nullable(),
    severity: z.enum(['critical', 'error', 'warning']),
    message: z.string(),
    rule: z.string().optional(),
  })
  .openapi('IatiImportMessage');
const Report = z
  .object({
    fileName: z.string(),
    sha256: z.string(),
    version: z.string().nullable(),
    refused: z.object({ kind: z.string(), message: z.string(), line: z.number().int().nullable(), column: z.number().int().nullable() }).nullable().openapi({ description: 'Set when the file was refused as a whole' }),
    activities: z.number().int(),
    counts: z.record(z.string(), z.number().int()),
    perActivity: z.array(
      z.object({
        index: z.number().int(),
        identifier: z.string().nullable(),
        line: z.number().int(),
        outcome: z.enum(['created', 'updated', 'unchanged', 'skipped', 'failed']),
        reasons: z.array(z.string()).openapi({ description: 'Why it was kept (relevance) or skipped' }),
      }),
    ),
    messages: z.array(Message),
    messageCount: z.number().int(),
    suggested: z.number().int().optional().openapi({ description: 'New activities saved with a suggested classification awaiting review (GET /activities/suggestions in the browser)' }),
  })
  .openapi('IatiImportReport');
const JobWithReport = z.object({ job: Job, report: Report.nullable().openapi({ description: 'Null while the import runs, or when it was interrupted' }) }).openapi('IatiImportJobReport');

const idParam = z.object({ id: z.string().regex(/^imp_[0-9a-z]{26}$/).openapi({ description: 'The import job' }) });
const startQuery = z.object({
  fileName: z.string().max(500).optional().openapi({ description: 'The file name to record (raw XML uploads)' }),
  relevance: z.enum(['all', 'relevant-only']).optional().openapi({ description: 'all (default), or only activities relevant to trafficking' }),
  owner: z.string().max(100).optional().openapi({ description: 'Organization (id, slug, acronym or IATI identifier) owning activities whose reporting organization is not registered' }),
});
/**
 * The multipart form, described for the OpenAPI document as a plain schema (not zod): a zod
 * schema would make the route validator parse, and so hold, the whole body; the handler reads it
 * as a stream instead (readMultipartUpload) and checks the fields itself.
 */
const uploadForm = {
  type: 'object' as const,
  required: ['file'],
  properties: {
    file: { type: 'string' as const, format: 'binary', description: 'An IATI 2.01–2.03 activity file' },
    relevance: { type: 'string' as const, enum: ['all', 'relevant-only'] },
    owner: { type: 'string' as const, maxLength: 100 },
  },
};
const tooLarge = { 413: { description: 'The file is larger than MAX_IATI_UPLOAD_BYTES', content: { 'application/problem+json': { schema: z.unknown() } } } } as const;

/** IATI activity files imported in the background: start, follow, read the report, run again. */
export const iatiImportRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/iati/imports',
      tags: ['IATI'],
      summary: 'Start an IATI import',
      description:
        'Uploads an IATI 2.01–2.03 activity file and imports it in the background; answers 202 with the job at once. Send the file as the raw body (`Content-Type: application/xml`, ' +
        'streamed to disk: any size up to MAX_IATI_UPLOAD_BYTES) or as the multipart field `file` (streamed to disk too). Options come as query parameters (raw body) or form fields, before or after the file. ' +
        'Staff of member organizations and administrators; each activity is saved only if its owner is one the caller may edit. Files above MAX_IATI_UPLOAD_BYTES get 413.',
      request: {
        query: startQuery,
        body: { required: true, content: { 'application/xml': { schema: z.string().openapi({ format: 'binary' }) }, 'multipart/form-data': { schema: uploadForm } } },
      },
      responses: { 202: { description: 'The job, queued or running', content: { 'application/json': { schema: Job } } }, ...errorResponses, ...tooLarge },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const type = c.req.header('content-type') ?? '';
      if (type.startsWith('multipart/form-data')) {
        // Streamed to disk as it arrives; the options may come before or after the file.
        const { fields, file } = await readIatiUploadForm(c);
        if (!file) throw new AppError('VALIDATION_FAILED', 'Send the IATI file as the form field “file”.', { fields: [{ path: 'file', message: 'Attach an IATI activity file (XML) as the field “file”.' }] });
        const relevance = (fields['relevance'] as 'all' | 'relevant-only' | undefined) ?? query.relevance;
        const job = await startReceivedIatiImport(c.get('ctx'), file, { relevance, owner: fields['owner'] || query.owner });
        return c.json(job, 202);
      }
      if (!/^(application|text)\/([a-z.+-]*\+)?xml\b/.test(type)) {
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the IATI file as application/xml, or as the multipart field “file”.');
      }
      const raw = c.req.raw.body;
      if (!raw) throw new AppError('VALIDATION_FAILED', 'The file is empty.', { fields: [{ path: 'file', message: 'Send an IATI activity file (XML).' }] });
      const job = await startIatiImport(c.get('ctx'), { fileName: query.fileName ?? 'upload.xml', stream: Readable.fromWeb(raw as never) }, { relevance: query.relevance, owner: query.owner });
      return c.json(job, 202);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/iati/imports',
      tags: ['IATI'],
      summary: 'List your recent IATI imports',
      description: 'Your 20 most recent imports, newest first (a coordinator’s: everyone’s).',
      responses: { 200: { description: 'The imports', content: { 'application/json': { schema: z.object({ items: z.array(Job) }) } } }, ...errorResponses },
    }),
    async (c) => c.json({ items: await listIatiImports(c.get('ctx')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/iati/imports/{id}/report',
      tags: ['IATI'],
      summary: 'An IATI import’s report',
      description: 'The job and, once it has finished, its report: the outcome of each activity (created, updated, unchanged, skipped, failed) and the graded messages with their lines.',
      request: { params: idParam },
      responses: { 200: { description: 'The job and its report', content: { 'application/json': { schema: JobWithReport } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json((await getIatiImportReport(c.get('ctx'), c.req.valid('param').id)) as never, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/iati/imports/{id}/retry',
      tags: ['IATI'],
      summary: 'Run an interrupted or failed IATI import again',
      description: 'Imports the stored file again from the start. Activities already saved stay as they are (the import is idempotent), so the result is that of an uninterrupted run.',
      request: { params: idParam },
      responses: { 202: { description: 'The job, running again', content: { 'application/json': { schema: Job } } }, ...errorResponses, ...notFoundResponse, ...conflictResponse },
    }),
    async (c) => c.json(await retryIatiImport(c.get('ctx'), c.req.valid('param').id), 202),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/iati/imports/{id}',
      tags: ['IATI'],
      summary: 'Follow an IATI import',
      description: 'The job’s status (queued, running, done, failed, interrupted) and progress: bytes read, activities read, and the count of each outcome so far.',
      request: { params: idParam },
      responses: { 200: { description: 'The job', content: { 'application/json': { schema: Job } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await getIatiImport(c.get('ctx'), c.req.valid('param').id), 200),
  );
