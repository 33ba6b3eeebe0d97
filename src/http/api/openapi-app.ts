import { OpenAPIHono, z } from '@hono/zod-openapi';
import { AppError } from '../../domain/errors.ts';
import { findNulCharacters } from '../../lib/text.ts';
import type { AppEnv } from '../env.ts';
import { fieldErrors, STATUS_BY_CODE } from '../problem.ts';

/** A router whose request validation failures become VALIDATION_FAILED problems naming each field. */
export function apiRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const target = (result as { target?: string }).target;
        const prefix = target === 'json' || target === 'form' ? '' : (target ?? '');
        throw new AppError('VALIDATION_FAILED', 'Some fields are not valid.', { fields: fieldErrors(result.error as never, prefix) });
      }
      const nul = findNulCharacters(result.data);
      if (nul.length > 0) throw new AppError('VALIDATION_FAILED', 'Some fields are not valid.', { fields: nul });
      return undefined;
    },
  });
}

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(STATUS_BY_CODE) as [string, ...string[]]),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z
      .array(
        z.object({
          path: z.string(),
          message: z.string(),
          code: z.string().optional(),
          severity: z.enum(['critical', 'error', 'warning']).optional().openapi({ description: 'Graded validation (activities): a draft saves with errors; publishing needs none.' }),
          hint: z.string().optional().openapi({ description: 'What to do about it' }),
        }),
      )
      .optional(),
    current: z.unknown().optional(),
  })
  .openapi('Problem');

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** The error responses every operation may give, described once. */
export const errorResponses = {
  400: problem('The request could not be read (malformed JSON, bad syntax).'),
  401: problem('No valid session or API token.'),
  403: problem('The policy does not allow this actor to do this.'),
  422: problem('One or more fields are invalid; `errors` names each.'),
  429: problem('Too many requests; see Retry-After.'),
} as const;

export const notFoundResponse = { 404: problem('No such record, or it is not visible to you.') } as const;
export const conflictResponse = { 409: problem('The record changed since your version (`current` holds it), or a duplicate.') } as const;

export const pageMeta = z.object({ nextCursor: z.string().nullable() }).openapi('PageMeta');
