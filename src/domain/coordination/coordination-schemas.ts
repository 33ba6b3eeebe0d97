import { z } from 'zod';
import { activityFiltersSchema } from '../activities/activity-filters.ts';

/**
 * The inputs of the coordination analytics. Every view takes the activity list's filters (the
 * same URL parameters), so a cell, a country on the map or a gap opens the list with the same
 * filters plus its own coordinates.
 */

/** What a matrix may cross: any two of these. `period` is the calendar year. */
export const DIMENSIONS = ['country', 'region', 'subregion', 'pillar', 'exploitationForm', 'targetGroup', 'context', 'organization', 'period'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** What a cell counts: activities (linked records of the same work once), organizations taking part, or budget in one currency. */
export const MEASURES = ['activities', 'organizations', 'budget'] as const;
export type Measure = (typeof MEASURES)[number];

/** Why an empty cell is empty. */
export const GAP_KINDS = ['none', 'coarser', 'unreported'] as const;
export type GapKind = (typeof GAP_KINDS)[number];

/** The first value of a parameter given once (a repeated one keeps its first); blank means absent. */
const single = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === 'string' && x.trim() === '' ? undefined : typeof x === 'string' ? x.trim() : x;
  }, schema.optional());

/** The list filters without paging and sort. */
export const analyticsFiltersSchema = activityFiltersSchema.omit({ cursor: true, limit: true, sort: true });
export type AnalyticsFilters = z.output<typeof analyticsFiltersSchema>;

const measureAndCurrency = {
  measure: single(z.enum(MEASURES)).describe('activities (default), organizations, or budget'),
  currency: single(z.string().toUpperCase().regex(/^[A-Z]{3}$/, 'An ISO 4217 currency code such as USD.')).describe('Currency of the budget measure (default USD); budgets in other currencies are not converted and not counted'),
};

export const matrixQuerySchema = analyticsFiltersSchema
  .extend({
    rows: single(z.enum(DIMENSIONS)).describe('Dimension of the rows (default country)'),
    cols: single(z.enum(DIMENSIONS)).describe('Dimension of the columns (default pillar)'),
    ...measureAndCurrency,
  })
  .superRefine((v, ctx) => {
    if ((v.rows ?? 'country') === (v.cols ?? 'pillar')) ctx.addIssue({ code: 'custom', path: ['cols'], message: 'Choose two different dimensions.' });
  });
export type MatrixQuery = z.output<typeof matrixQuerySchema>;

/** M49 regions a map may zoom to (the world when absent). */
export const mapQuerySchema = analyticsFiltersSchema.extend({
  ...measureAndCurrency,
  zoom: single(z.string().regex(/^[0-9]{3}$/, 'A UN M49 region code such as 002.')).describe('UN M49 region or sub-region to zoom to (default: the world)'),
});
export type MapQuery = z.output<typeof mapQuerySchema>;

export const presenceQuerySchema = analyticsFiltersSchema.extend({
  cursor: single(z.string().max(100).regex(/^[a-z]+_[0-9a-z]+$/, 'The nextCursor of the previous page.')).describe('The nextCursor of the previous page'),
  limit: single(z.coerce.number().int().min(1).max(500)).describe('Activities per page (default 100, at most 500); each gives one row per organization × country × pillar'),
});
export type PresenceQuery = z.output<typeof presenceQuerySchema>;

export const duplicateDecisionSchema = z.object({
  activityA: z.string().regex(/^act_[0-9a-z]+$/, 'An activity id such as act_01j….'),
  activityB: z.string().regex(/^act_[0-9a-z]+$/, 'An activity id such as act_01j….'),
  decision: z.enum(['duplicate', 'not_duplicate']),
  note: z.string().max(2000, 'At most 2,000 characters.').default(''),
});
export type DuplicateDecisionInput = z.input<typeof duplicateDecisionSchema>;
