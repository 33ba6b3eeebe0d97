import { z } from 'zod';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { activityDataOf } from './activity-mapping.ts';
import { CLASSIFICATION_TAXONOMIES, type Classification } from './activity-schemas.ts';
import { getActivity } from './get-activity.ts';
import { updateActivity, type SavedActivity } from './save-activity.ts';

/**
 * A focal point's decision on the classification an importer suggested: the accepted terms join
 * the activity's classification, the others are dismissed; either way the suggestions are
 * cleared. One new version, through the ordinary update (its authorization, validation, audit and
 * version check).
 */

const keys = Object.keys(CLASSIFICATION_TAXONOMIES) as (keyof Classification)[];
export const confirmSuggestionsSchema = z.strictObject({
  version: z.number().int().min(1),
  accept: z.partialRecord(z.enum(keys as [keyof Classification, ...(keyof Classification)[]]), z.array(z.string().max(60)).max(100)).default({}),
});

export async function confirmSuggestions(ctx: DomainContext, idOrIdentifier: string, raw: z.input<typeof confirmSuggestionsSchema>): Promise<SavedActivity> {
  const input = confirmSuggestionsSchema.parse(raw);
  const current = await getActivity(ctx, idOrIdentifier);
  const data = activityDataOf(current);
  const suggested = data.suggestions ?? {};
  const classification = { ...data.classification };
  for (const [key, codes] of Object.entries(input.accept) as [keyof Classification, string[]][]) {
    const unknown = codes.filter((c) => !(suggested[key] ?? []).includes(c));
    if (unknown.length > 0) {
      throw new AppError('VALIDATION_FAILED', 'Only suggested terms can be confirmed here.', { fields: [{ path: `accept.${key}`, message: `Not suggested: ${unknown.join(', ')}.` }] });
    }
    classification[key] = [...new Set([...classification[key], ...codes])];
  }
  return updateActivity(ctx, current.id, { ...data, classification, suggestions: {}, version: input.version });
}
