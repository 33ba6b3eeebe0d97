import { z } from 'zod';
import { AppError } from '../errors.ts';
import { emailSchema } from '../identity/identity-schemas.ts';
import { languageSchema } from '../languages.ts';
import { searchParamsFromUrl, searchParamsSchema, searchQueryString, SEARCH_FACETS, upgradeOldSearchQuery } from '../search/search-schemas.ts';

export const ALERT_FREQUENCIES = ['none', 'daily', 'weekly'] as const;
export type AlertFrequency = (typeof ALERT_FREQUENCIES)[number];

const name = z.string().trim().min(1, 'Give the search a name.').max(200, 'A name has at most 200 characters.');
const query = z.string().max(4000, 'The search is too long to save.').describe('The search as a URL query, e.g. q=forced+labour&kind=issue_brief (a leading ? is allowed)');

export const savedSearchCreateSchema = z.strictObject({
  name,
  query,
  frequency: z.enum(ALERT_FREQUENCIES).default('none').describe('E-mail alerts of new matches: none, daily or weekly'),
});
export type SavedSearchCreateInput = z.input<typeof savedSearchCreateSchema>;

export const savedSearchUpdateSchema = z
  .strictObject({ name: name.optional(), frequency: z.enum(ALERT_FREQUENCIES).optional() })
  .refine((v) => v.name !== undefined || v.frequency !== undefined, 'Give a new name or a new frequency.');
export type SavedSearchUpdateInput = z.input<typeof savedSearchUpdateSchema>;

export const savedSearchSchema = z.object({
  id: z.string(),
  name: z.string(),
  query: z.string().describe('The canonical URL query of the search'),
  url: z.string().describe('The library address of the search'),
  frequency: z.enum(ALERT_FREQUENCIES),
  newMatches: z.number().int().describe('Records first published since the last visit that match and that you may see'),
  newMatchesCapped: z.boolean().describe('More new records match than were counted'),
  lastVisitedAt: z.string(),
  alertSentAt: z.string().nullable().describe('When the last e-mail alert was sent'),
  createdAt: z.string(),
});
export type SavedSearch = z.infer<typeof savedSearchSchema>;

export const subscribeSchema = z.strictObject({
  email: emailSchema,
  query,
  frequency: z.enum(['daily', 'weekly']).default('weekly'),
  language: languageSchema.default('en'),
});
export type SubscribeInput = z.input<typeof subscribeSchema>;

/**
 * The one stored form of a search: the URL query with every list sorted and each value once,
 * defaults, the page and the interface language left out. The same search saved twice is then the
 * same text. An address in the old form (`lang` for the language of the text) is read as such.
 */
export function canonicalSearchQuery(raw: string): string {
  const given = new URLSearchParams(raw.trim().replace(/^(https?:\/\/[^?#]*|\/[^?#]*)?\?/, ''));
  const parsed = searchParamsSchema.safeParse(searchParamsFromUrl(upgradeOldSearchQuery(given) ?? given));
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'This search has filters that are not valid.', {
      fields: [{ path: 'query', message: 'This search has filters that are not valid.' }],
    });
  }
  const p = parsed.data;
  const lists = Object.fromEntries(SEARCH_FACETS.map((f) => [f, [...new Set(p[f].map(String))].sort()]));
  return searchQueryString({ ...lists, q: p.q.trim(), sort: p.sort, page: 1 } as Parameters<typeof searchQueryString>[0]).replace(/^\?/, '');
}
