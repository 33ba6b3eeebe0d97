import { createRoute, z } from '@hono/zod-openapi';
import { activityInputSchema, activitySchema, validationMessageSchema } from '../../domain/activities/activity-schemas.ts';
import { confirmSuggestions, confirmSuggestionsSchema, MAX_REVIEWS, reviewSuggestions, reviewSuggestionsSchema } from '../../domain/activities/confirm-suggestions.ts';
import { deleteActivity, restoreActivity } from '../../domain/activities/delete-activity.ts';
import { getActivity } from '../../domain/activities/get-activity.ts';
import { diffActivityVersions, listActivityVersions } from '../../domain/activities/activity-versions.ts';
import { createActivity, updateActivity, validateActivityInput } from '../../domain/activities/save-activity.ts';
import { AppError } from '../../domain/errors.ts';
import { apiRouter, conflictResponse, errorResponses, notFoundResponse } from './openapi-app.ts';

const Activity = activitySchema.meta({ id: 'Activity' });
const ValidationMessage = validationMessageSchema.meta({ id: 'ValidationMessage' });
const ActivityNew = activityInputSchema
  .extend({ ownerOrganizationId: z.string().max(40).optional().describe('The owner organization; by default your own (the first you belong to).') })
  .meta({ id: 'ActivityInput' });
const ActivityReplace = activityInputSchema
  .extend({
    ownerOrganizationId: z.string().max(40).optional().describe('The owner organization; by default the current owner. Changing it needs the right to edit for both.'),
    version: z.number().int().min(1).optional().describe('The version you edited; or send it as an If-Match header. A stale one gets 409 with the current record.'),
  })
  .meta({ id: 'ActivityReplacement' });
const ActivitySaved = z
  .object({
    activity: Activity,
    messages: z.array(ValidationMessage).openapi({ description: 'Graded validation messages. A draft may be saved with errors; other visibilities need none.' }),
  })
  .openapi('ActivitySaved');
const ActivityValidation = z
  .object({ messages: z.array(ValidationMessage), publishable: z.boolean().openapi({ description: 'True when no message is critical or an error.' }) })
  .openapi('ActivityValidation');
const SuggestionReviews = z
  .object({
    results: z.array(
      z.union([
        z.object({ id: z.string(), status: z.literal('confirmed'), activityId: z.string(), version: z.number().int() }),
        z.object({ id: z.string(), status: z.literal('failed'), code: z.string().openapi({ example: 'CONFLICT' }), message: z.string() }),
      ]),
    ),
  })
  .openapi('SuggestionReviews');
const ActivityVersion = z
  .object({ version: z.number().int(), action: z.string().openapi({ example: 'update' }), actorLabel: z.string(), at: z.string() })
  .openapi('ActivityVersion');
const ActivityHistory = z
  .object({
    activity: z.object({
      id: z.string(),
      iatiIdentifier: z.string().nullable(),
      title: z.record(z.string(), z.string()),
      ownerOrganizationId: z.string(),
      version: z.number().int(),
      deletedAt: z.string().nullable(),
    }),
    items: z.array(ActivityVersion),
  })
  .openapi('ActivityHistory');
const DiffItem = z.object({ key: z.string(), text: z.string(), code: z.string().optional(), percentage: z.number().nullable().optional() });
const ActivityChange = z
  .object({
    field: z.string().openapi({ example: 'countries' }),
    kind: z.enum(['value', 'list']),
    summary: z.string().openapi({ example: 'Countries: added KE 40%; removed UG' }),
    language: z.string().optional(),
    before: z.string().nullable().optional(),
    after: z.string().nullable().optional(),
    added: z.array(DiffItem).optional(),
    removed: z.array(DiffItem).optional(),
    changed: z.array(z.object({ key: z.string(), before: z.string(), after: z.string() })).optional(),
  })
  .openapi('ActivityChange');
const ActivityVersionDiff = z
  .object({ activityId: z.string(), from: ActivityVersion, to: ActivityVersion, changes: z.array(ActivityChange) })
  .openapi('ActivityVersionDiff');

const idParam = z.object({
  id: z.string().trim().min(1).max(250).openapi({ description: 'Platform id (`act_…`) or IATI identifier', example: 'act_01j8z3k4m5n6p7q8r9s0t1v2w3' }),
});
const versionPair = idParam.extend({
  a: z.coerce.number().int().min(1).openapi({ description: 'The earlier version', example: 1 }),
  b: z.coerce.number().int().min(1).openapi({ description: 'The later version', example: 2 }),
});
const ifMatch = z.object({ 'if-match': z.string().max(200).optional().openapi({ description: 'The ETag (version) you edited, e.g. `"3"`' }) });
const ifNoneMatch = z.object({ 'if-none-match': z.string().max(2000).optional().openapi({ description: 'A previously received ETag; 304 when unchanged' }) });

const etag = (version: number) => `"${version}"`;

/** The version an If-Match header names (`"3"`, `W/"3"`); undefined without one; VALIDATION_FAILED when it is not a version. */
function versionFromIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) {
    throw new AppError('VALIDATION_FAILED', 'The If-Match header must be an ETag this API returned, such as "3".', {
      fields: [{ path: 'if-match', message: 'Send the ETag of the version you edited, such as "3".' }],
    });
  }
  return Number(m[1]);
}

/** Does an If-None-Match header name this version (or `*`)? */
function matchesNoneMatch(header: string | undefined, version: number): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '');
    return t === '*' || t === etag(version);
  });
}

/** Activities: create, read, replace, delete and restore, versions and diffs, validation. The list and exports live in their own file. */
export const activityRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities/validate',
      tags: ['Activities'],
      summary: 'Validate an activity without saving it',
      description:
        'Returns the graded messages (critical, error, warning) the validator gives this record, each with the field path and what to do. Nothing is saved. ' +
        '`mode=import` grades withdrawn codes as warnings, as importers do.',
      request: {
        query: z.object({ mode: z.enum(['new', 'existing', 'import']).optional().openapi({ description: 'Grade as a new record (default), an existing one, or an import' }) }),
        body: { required: true, content: { 'application/json': { schema: ActivityNew } } },
      },
      responses: { 200: { description: 'The graded messages', content: { 'application/json': { schema: ActivityValidation } } }, ...errorResponses },
    }),
    async (c) => c.json(await validateActivityInput(c.get('ctx'), c.req.valid('json'), c.req.valid('query').mode ?? 'new'), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities',
      tags: ['Activities'],
      summary: 'Create an activity',
      description:
        'Staff of the owner organization, or administrators. A `draft` is saved even with errors and returns them; any other visibility needs no critical or error message ' +
        '(else 422 naming each field, with severity and hint). Returns the record with its ETag.',
      request: { body: { required: true, content: { 'application/json': { schema: ActivityNew } } } },
      responses: {
        201: { description: 'Created', content: { 'application/json': { schema: ActivitySaved } } },
        ...errorResponses,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const saved = await createActivity(c.get('ctx'), c.req.valid('json'));
      return c.json(saved, 201, { location: `/api/v1/activities/${saved.activity.id}`, etag: etag(saved.activity.version) });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/activities/{id}',
      tags: ['Activities'],
      summary: 'Get one activity',
      description:
        'By platform id or IATI identifier. Public records need no credentials; members-only, restricted and draft records only for those they are visible to (404 otherwise). ' +
        'The ETag is the version; send it back as If-None-Match to get 304 when nothing changed.',
      request: { params: idParam, headers: ifNoneMatch },
      responses: {
        200: { description: 'The activity', content: { 'application/json': { schema: Activity } } },
        304: { description: 'Not modified since the ETag you sent' },
        ...errorResponses,
        ...notFoundResponse,
      },
    }),
    async (c) => {
      const activity = await getActivity(c.get('ctx'), c.req.valid('param').id);
      c.header('vary', 'cookie, authorization');
      if (matchesNoneMatch(c.req.valid('header')['if-none-match'], activity.version)) return c.body(null, 304, { etag: etag(activity.version) });
      return c.json(activity, 200, { etag: etag(activity.version) });
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/activities/{id}',
      tags: ['Activities'],
      summary: 'Replace an activity',
      description:
        'Sends the whole record, with the `version` you edited in the body or as an If-Match header. A stale version gets 409 with the current record in `current`, and nothing is overwritten. ' +
        'Staff of the owner organization, or administrators.',
      request: { params: idParam, headers: ifMatch, body: { required: true, content: { 'application/json': { schema: ActivityReplace } } } },
      responses: {
        200: { description: 'Replaced', content: { 'application/json': { schema: ActivitySaved } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const version = body.version ?? versionFromIfMatch(c.req.valid('header')['if-match']);
      const saved = await updateActivity(c.get('ctx'), c.req.valid('param').id, { ...body, version: version as number });
      return c.json(saved, 200, { etag: etag(saved.activity.version) });
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/activities/{id}',
      tags: ['Activities'],
      summary: 'Delete an activity',
      description: 'A soft delete: the record leaves lists and public pages and can be restored. With If-Match, a stale version gets 409.',
      request: { params: idParam, headers: ifMatch },
      responses: {
        200: { description: 'Deleted (the record as it now is)', content: { 'application/json': { schema: Activity } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const activity = await deleteActivity(c.get('ctx'), c.req.valid('param').id, { version: versionFromIfMatch(c.req.valid('header')['if-match']) });
      return c.json(activity, 200, { etag: etag(activity.version) });
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities/{id}/restore',
      tags: ['Activities'],
      summary: 'Restore a deleted activity',
      description: 'Staff of the owner organization, or administrators.',
      request: { params: idParam, headers: ifMatch },
      responses: {
        200: { description: 'Restored', content: { 'application/json': { schema: Activity } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const activity = await restoreActivity(c.get('ctx'), c.req.valid('param').id, { version: versionFromIfMatch(c.req.valid('header')['if-match']) });
      return c.json(activity, 200, { etag: etag(activity.version) });
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities/{id}/suggestions',
      tags: ['Activities'],
      summary: 'Confirm or dismiss the classification an importer suggested',
      description:
        'Importers store the pillars and forms of exploitation they guess from the text as suggestions. The accepted terms join the classification, the others are dismissed; ' +
        'either way the suggestions are cleared, in one new version. Staff of the owner organization, or administrators.',
      request: { params: idParam, body: { required: true, content: { 'application/json': { schema: confirmSuggestionsSchema } } } },
      responses: {
        200: { description: 'The activity, its classification updated', content: { 'application/json': { schema: ActivitySaved } } },
        ...errorResponses,
        ...notFoundResponse,
        ...conflictResponse,
      },
    }),
    async (c) => {
      const saved = await confirmSuggestions(c.get('ctx'), c.req.valid('param').id, c.req.valid('json'));
      return c.json(saved as never, 200, { etag: etag(saved.activity.version) });
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/activities/suggestions',
      tags: ['Activities'],
      summary: 'Review the suggestions of many activities at once',
      description:
        `Up to ${MAX_REVIEWS} reviews, each as for one activity and saved on its own: one stale, hidden or forbidden record does not hold back the others. ` +
        'The answer gives, in order, the new version of each confirmed activity or the error code and message of each that failed. Signed-in staff.',
      request: { body: { required: true, content: { 'application/json': { schema: reviewSuggestionsSchema } } } },
      responses: {
        200: { description: 'One result per review, in order', content: { 'application/json': { schema: SuggestionReviews } } },
        ...errorResponses,
      },
    }),
    async (c) => c.json({ results: await reviewSuggestions(c.get('ctx'), c.req.valid('json')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/activities/{id}/versions',
      tags: ['Activities'],
      summary: 'List the versions of an activity',
      description: 'Every saved state, newest first. For staff of the owner organization, coordinators and administrators.',
      request: { params: idParam },
      responses: { 200: { description: 'The history', content: { 'application/json': { schema: ActivityHistory } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => c.json(await listActivityVersions(c.get('ctx'), c.req.valid('param').id), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/activities/{id}/versions/{a}/diff/{b}',
      tags: ['Activities'],
      summary: 'Compare two versions of an activity',
      description: 'A readable, field-level list of changes from version a to version b, e.g. "Countries: added KE 40%; removed UG".',
      request: { params: versionPair },
      responses: { 200: { description: 'The changes', content: { 'application/json': { schema: ActivityVersionDiff } } }, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const { id, a, b } = c.req.valid('param');
      return c.json(await diffActivityVersions(c.get('ctx'), id, a, b), 200);
    },
  );
