import { createRoute, z } from '@hono/zod-openapi';
import { AppError } from '../../domain/errors.ts';
import { LANGUAGES } from '../../domain/languages.ts';
import { citePublications, CITATION_FORMATS, type Citation } from '../../domain/publications/citations.ts';
import { getPublication, listPublicationVersions } from '../../domain/publications/get-publication.ts';
import { readPublicationFile, removePublicationFile, uploadPublicationFile } from '../../domain/publications/publication-files.ts';
import { publicationFileSchema, publicationInputSchema, publicationSchema } from '../../domain/publications/publication-schemas.ts';
import { createPublication, deletePublication, updatePublication } from '../../domain/publications/save-publication.ts';
import { search } from '../../domain/search/search.ts';
import { searchResultSchema } from '../../domain/search/search-schemas.ts';
import { apiRouter, conflictResponse, errorResponses, notFoundResponse } from './openapi-app.ts';
import { toWebStream } from '../../storage/document-store.ts';

const Publication = publicationSchema.meta({ id: 'Publication' });
const PublicationFile = publicationFileSchema.meta({ id: 'PublicationFile' });
const PublicationNew = publicationInputSchema
  .extend({ ownerOrganizationId: z.string().max(40).optional().describe('The publishing organization; by default the one where you are focal point.') })
  .meta({ id: 'PublicationInput' });
const PublicationReplace = publicationInputSchema
  .extend({
    ownerOrganizationId: z.string().max(40).optional().describe('The publishing organization; by default the current one.'),
    version: z.number().int().min(1).describe('The version you edited; a stale one gets 409 with the current record.'),
  })
  .meta({ id: 'PublicationReplacement' });
const PublicationVersion = z
  .object({ version: z.number().int(), action: z.string(), actorLabel: z.string(), at: z.string(), snapshot: Publication })
  .openapi('PublicationVersion');
const SearchResult = searchResultSchema.meta({ id: 'SearchResult' });

const idParam = z.object({ id: z.string().trim().min(1).max(40).openapi({ description: 'Publication id (`pub_…`)', example: 'pub_01j8z3k4m5n6p7q8r9s0t1v2w3' }) });
const fileParam = idParam.extend({ fileId: z.string().trim().min(1).max(40).openapi({ description: 'File id (`file_…`)' }) });
const list = z.union([z.string(), z.array(z.string())]).optional();
const searchQuery = z.object({
  q: z.string().max(100_000).optional().openapi({ description: 'Words (all must match), "phrases", -excluded words, OR. Any text is accepted: a query that cannot be read finds nothing rather than failing.' }),
  type: list.openapi({ description: 'publication and/or activity (repeat the parameter for several)' }),
  kind: list.openapi({ description: 'Publication kinds: issue_brief, submission, toolkit, call_to_action, annual_report, factsheet, paper, evaluation_report' }),
  year: list.openapi({ description: 'Years' }),
  theme: list.openapi({ description: 'Taxonomy terms as taxonomy:code, e.g. pillar:prevention' }),
  region: list.openapi({ description: 'UN M49 region codes' }),
  language: list.openapi({ description: 'Languages of the text (en, fr, es, ar, zh, ru); not the language of the labels, which is `ui`' }),
  lang: list.openapi({ description: 'Deprecated: the former name of `language`, read as it only when `language` is absent', deprecated: true }),
  org: list.openapi({ description: 'Organization ids' }),
  sort: z.string().optional().openapi({ description: 'relevance (default) or date' }),
  page: z.string().optional().openapi({ description: 'Page number, from 1' }),
  ui: z.enum(LANGUAGES).optional().openapi({ description: 'Language for labels and for choosing among language versions; by default the request’s' }),
});
const citationQuery = z.object({ format: z.enum(CITATION_FORMATS).default('ris').openapi({ description: 'ris, bibtex or csl-json' }), lang: z.enum(LANGUAGES).optional() });
const uploadBody = z.object({
  file: z.any().openapi({ type: 'string', format: 'binary', description: 'A PDF (checked by its content, not its name), at most MAX_UPLOAD_BYTES' }),
  lang: z.string().openapi({ description: 'The language of the file: en, fr, es, ar, zh or ru' }),
});
const citationResponse = () => ({
  200: {
    description: 'The citation file: RIS, BibTeX or CSL-JSON',
    content: {
      'application/x-research-info-systems': { schema: z.string() },
      'application/x-bibtex': { schema: z.string() },
      'application/vnd.citationstyles.csl+json': { schema: z.array(z.unknown()) },
    },
  },
});

/** Search, publications, their files and citations. */
export const publicationRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/search',
      tags: ['Search'],
      summary: 'Search publications and activities',
      description:
        'One search over the knowledge library and the activity registry, in six languages (stemmed per language, accents ignored, Chinese segmented), with facet counts and, ' +
        'on every result, an explanation: which fields matched, its score and the scores around it. A query that finds nothing exactly but is one or two words falls back to titles that resemble it (`mode: fuzzy`). ' +
        'At most 1,000 matches per kind of record are ranked (`capped` says when more exist). Only what the caller may see is searched.',
      request: { query: searchQuery },
      responses: { 200: { description: 'The results', content: { 'application/json': { schema: SearchResult } } }, ...errorResponses },
    }),
    async (c) => {
      const { ui, lang, ...params } = c.req.valid('query');
      // The old form (ADR 035): `lang` filtered the text when there was no `language`.
      return c.json(await search(c.get('ctx'), { ...params, language: params.language ?? lang }, { lang: ui ?? c.get('lang') }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/publications',
      tags: ['Publications'],
      summary: 'Create a publication',
      description: 'Focal points of the publishing organization, the coordinator or administrators. A draft is seen only by its organization and the coordinator until published.',
      request: { body: { required: true, content: { 'application/json': { schema: PublicationNew } } } },
      responses: { 201: { description: 'Created', content: { 'application/json': { schema: Publication } } }, ...errorResponses },
    }),
    async (c) => {
      const p = await createPublication(c.get('ctx'), c.req.valid('json'));
      return c.json(p, 201, { location: `/api/v1/publications/${p.id}`, etag: `"${p.version}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/publications/citations',
      tags: ['Publications'],
      summary: 'Cite a selection of publications',
      description: 'RIS, BibTeX or CSL-JSON for the publications named (up to 500). Those the caller may not see are left out; 404 when none is left.',
      request: { query: citationQuery.extend({ ids: z.string().max(25_000).openapi({ description: 'Publication ids, comma-separated' }) }) },
      responses: { ...citationResponse(), ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const ids = q.ids.split(',').map((s) => s.trim()).filter(Boolean);
      const cite = await citePublications(c.get('ctx'), ids, q.format, q.lang ?? c.get('lang'));
      return citationResponseOf(cite);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/publications/{id}',
      tags: ['Publications'],
      summary: 'Get one publication',
      description: 'Public published ones need no credentials; drafts, members-only and restricted ones only for those they are visible to (404 otherwise).',
      request: { params: idParam },
      responses: { 200: { description: 'The publication', content: { 'application/json': { schema: Publication } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const p = await getPublication(c.get('ctx'), c.req.valid('param').id);
      c.header('vary', 'cookie, authorization');
      return c.json(p, 200, { etag: `"${p.version}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/publications/{id}',
      tags: ['Publications'],
      summary: 'Replace a publication',
      description: 'The whole record with the `version` you edited; a stale version gets 409 with the current record. Files are kept. Focal points of its organization, the coordinator or administrators.',
      request: { params: idParam, body: { required: true, content: { 'application/json': { schema: PublicationReplace } } } },
      responses: { 200: { description: 'Replaced', content: { 'application/json': { schema: Publication } } }, ...errorResponses, ...notFoundResponse, ...conflictResponse },
    }),
    async (c) => {
      const p = await updatePublication(c.get('ctx'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(p, 200, { etag: `"${p.version}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/publications/{id}',
      tags: ['Publications'],
      summary: 'Delete a publication',
      description: 'It leaves the library, search, feeds and citations; its history stays.',
      request: { params: idParam },
      responses: { 200: { description: 'Deleted', content: { 'application/json': { schema: Publication } } }, ...errorResponses, ...notFoundResponse, ...conflictResponse },
    }),
    async (c) => c.json(await deletePublication(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/publications/{id}/versions',
      tags: ['Publications'],
      summary: 'Version history of a publication',
      description: 'Every saved state, newest first: its organization’s people, the coordinator and administrators.',
      request: { params: idParam },
      responses: { 200: { description: 'The versions', content: { 'application/json': { schema: z.object({ items: z.array(PublicationVersion) }) } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json({ items: await listPublicationVersions(c.get('ctx'), c.req.valid('param').id) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/publications/{id}/citation',
      tags: ['Publications'],
      summary: 'Cite one publication',
      description: 'RIS, BibTeX or CSL-JSON, in the requested language version where there is one.',
      request: { params: idParam, query: citationQuery },
      responses: { ...citationResponse(), ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cite = await citePublications(c.get('ctx'), [c.req.valid('param').id], q.format, q.lang ?? c.get('lang'));
      return citationResponseOf(cite);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/publications/{id}/files',
      tags: ['Publications'],
      summary: 'Add a PDF to a publication',
      description:
        'The file must be a PDF by its content (a renamed file gets 415) and at most MAX_UPLOAD_BYTES (413). Its text is read page by page and indexed; ' +
        'an encrypted or damaged PDF is kept without text, and `textStatus` and `textMessage` say why.',
      request: { params: idParam, body: { required: true, content: { 'multipart/form-data': { schema: uploadBody } } } },
      responses: {
        201: { description: 'Added', content: { 'application/json': { schema: PublicationFile } } },
        ...errorResponses,
        ...notFoundResponse,
        413: { description: 'The file is larger than MAX_UPLOAD_BYTES', content: { 'application/problem+json': { schema: z.unknown() } } },
        415: { description: 'The file is not a PDF', content: { 'application/problem+json': { schema: z.unknown() } } },
      },
    }),
    async (c) => {
      const body = await c.req.parseBody();
      const file = body['file'];
      if (!(file instanceof File)) throw new AppError('VALIDATION_FAILED', 'Send the PDF as the form field “file”.', { fields: [{ path: 'file', message: 'Attach a PDF as the field “file”.' }] });
      const lang = typeof body['lang'] === 'string' ? body['lang'] : '';
      const r = await uploadPublicationFile(c.get('ctx'), c.req.valid('param').id, { lang, fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
      return c.json(r.file, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/publications/{id}/files/{fileId}',
      tags: ['Publications'],
      summary: 'Download a file',
      request: { params: fileParam },
      responses: { 200: { description: 'The PDF', content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const { id, fileId } = c.req.valid('param');
      const d = await readPublicationFile(c.get('ctx'), fileId);
      if (d.publicationId !== id) throw new AppError('NOT_FOUND', 'The file was not found.');
      return c.body(toWebStream(d.body), 200, downloadHeaders(d.file));
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/publications/{id}/files/{fileId}',
      tags: ['Publications'],
      summary: 'Remove a file',
      request: { params: fileParam },
      responses: { 204: { description: 'Removed' }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const { id, fileId } = c.req.valid('param');
      await removePublicationFile(c.get('ctx'), id, fileId);
      return c.body(null, 204);
    },
  );

/** A citation file as a download. */
function citationResponseOf(cite: Citation): Response {
  return new Response(cite.body, { status: 200, headers: { 'content-type': cite.contentType, 'content-disposition': `attachment; filename="${cite.fileName}"`, 'x-content-type-options': 'nosniff' } });
}

/** Headers of a file download: its type, length, a safe file name (RFC 6266 with a UTF-8 form) and no sniffing. */
export function downloadHeaders(f: { fileName: string; contentType: string; size: number; sha256: string }): Record<string, string> {
  const ascii = f.fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return {
    'content-type': f.contentType,
    'content-length': String(f.size),
    'content-disposition': `inline; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(f.fileName)}`,
    'x-content-type-options': 'nosniff',
    etag: `"${f.sha256}"`,
    'cache-control': 'private, max-age=0, must-revalidate',
  };
}
