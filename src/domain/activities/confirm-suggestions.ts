import { z } from 'zod';
import type { DomainContext } from '../context.ts';
import { AppError, unauthenticated } from '../errors.ts';
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
  version: z.number().int().min(1).describe('The version you reviewed; a stale one gets 409 (CONFLICT)'),
  accept: z
    .union([
      z.literal('all'),
      z.partialRecord(z.enum(keys as [keyof Classification, ...(keyof Classification)[]]), z.array(z.string().max(60)).max(100)),
    ])
    .default({})
    .describe('The suggested terms to confirm, by taxonomy (the others are dismissed); "all" confirms every suggestion; {} dismisses them all'),
});

export async function confirmSuggestions(ctx: DomainContext, idOrIdentifier: string, raw: z.input<typeof confirmSuggestionsSchema>): Promise<SavedActivity> {
  const input = confirmSuggestionsSchema.parse(raw);
  const current = await getActivity(ctx, idOrIdentifier);
  const data = activityDataOf(current);
  const suggested = data.suggestions ?? {};
  const classification = { ...data.classification };
  const accept = input.accept === 'all' ? suggested : input.accept;
  for (const [key, codes] of Object.entries(accept) as [keyof Classification, string[]][]) {
    const unknown = codes.filter((c) => !(suggested[key] ?? []).includes(c));
    if (unknown.length > 0) {
      throw new AppError('VALIDATION_FAILED', 'Only suggested terms can be confirmed here.', { fields: [{ path: `accept.${key}`, message: `Not suggested: ${unknown.join(', ')}.` }] });
    }
    classification[key] = [...new Set([...classification[key], ...codes])];
  }
  return updateActivity(ctx, current.id, { ...data, classification, suggestions: {}, version: input.version });
}

export const MAX_REVIEWS = 200;
export const reviewSuggestionsSchema = z.strictObject({
  items: z
    .array(confirmSuggestionsSchema.extend({ id: z.string().trim().min(1).max(250).describe('Platform id or IATI identifier') }))
    .min(1)
    .max(MAX_REVIEWS),
});

export type SuggestionReview = { id: string; status: 'confirmed'; activityId: string; version: number } | { id: string; status: 'failed'; code: string; message: string };

/**
 * Many reviews at once (after an import, a focal point may have hundreds): each activity is
 * confirmed on its own, as confirmSuggestions does (its own transaction, rights and version
 * check), so one stale or forbidden record does not hold back the others. The answer says, for
 * each, the new version or why not.
 */
export async function reviewSuggestions(ctx: DomainContext, raw: z.input<typeof reviewSuggestionsSchema>): Promise<SuggestionReview[]> {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const { items } = reviewSuggestionsSchema.parse(raw);
  const out: SuggestionReview[] = [];
  for (const { id, ...review } of items) {
    try {
      const saved = await confirmSuggestions(ctx, id, review);
      out.push({ id, status: 'confirmed', activityId: saved.activity.id, version: saved.activity.version });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      out.push({ id, status: 'failed', code: err.code, message: err.message });
    }
  }
  return out;
}
