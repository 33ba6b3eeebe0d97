import { z } from 'zod';

/**
 * The filters of the activity list, read from a URL query string. One schema serves the list
 * page, `GET /api/v1/activities` and the exports, so a shared link, an API call and a download
 * select the same activities. Repeatable parameters (`country=KE&country=NA`) may also be given
 * comma-separated (`country=KE,NA`).
 */

/** The facets of the list: each a filter whose values are counted under the other filters. */
export const FACETS = ['country', 'region', 'pillar', 'exploitationForm', 'targetGroup', 'context', 'sdgTarget', 'organization', 'status'] as const;
export type Facet = (typeof FACETS)[number];

/** The taxonomy behind each classification facet. */
export const FACET_TAXONOMIES = {
  pillar: 'pillar',
  exploitationForm: 'exploitation-form',
  targetGroup: 'target-group',
  context: 'context',
  sdgTarget: 'sdg-target',
} as const satisfies Partial<Record<Facet, string>>;

/** How an organization takes part: it owns the record, or participates in an IATI role. */
export const ORGANIZATION_ROLES = ['owner', 'funding', 'accountable', 'extending', 'implementing'] as const;
export type OrganizationRole = (typeof ORGANIZATION_ROLES)[number];
/** IATI OrganisationRole codes of the participating roles. */
export const IATI_ROLE_CODES: Record<Exclude<OrganizationRole, 'owner'>, string> = { funding: '1', accountable: '2', extending: '3', implementing: '4' };

export const SORTS = ['updated', 'title', 'start', 'relevance'] as const;
export type ActivitySort = (typeof SORTS)[number];

export const MAX_PAGE_SIZE = 200;
const MAX_VALUES = 100;

/** A repeatable parameter: one value, several, or comma-separated; blanks dropped, duplicates removed. */
const list = (item: z.ZodType<string>) =>
  z.preprocess((v) => {
    const raw = v === undefined || v === null ? [] : Array.isArray(v) ? v : [v];
    const parts = raw.flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])).map((x) => (typeof x === 'string' ? x.trim() : x));
    return [...new Set(parts.filter((x) => x !== ''))];
  }, z.array(item).max(MAX_VALUES, `At most ${MAX_VALUES} values.`));

/** The first value of a parameter given once (a repeated one keeps its first). */
const single = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => {
    const x = Array.isArray(v) ? v[0] : v;
    return typeof x === 'string' && x.trim() === '' ? undefined : typeof x === 'string' ? x.trim() : x;
  }, schema.optional());

const code = z.string().max(60).regex(/^[A-Za-z0-9._-]+$/, 'A code of letters, digits, dots, hyphens or underscores.');

export const activityFiltersSchema = z.object({
  country: list(z.string().toUpperCase().regex(/^[A-Z]{2}$/, 'An ISO 3166-1 alpha-2 code such as KE.')).describe('Recipient country (ISO 3166-1 alpha-2), repeatable'),
  region: list(z.string().regex(/^[0-9]{3}$/, 'A UN M49 region code such as 002 or 014.')).describe('UN M49 region or sub-region, repeatable; includes its sub-regions and countries'),
  pillar: list(code).describe('Global Plan of Action pillar (taxonomy "pillar"), repeatable'),
  exploitationForm: list(code).describe('Form of exploitation (taxonomy "exploitation-form"), repeatable'),
  targetGroup: list(code).describe('Target group (taxonomy "target-group"), repeatable'),
  context: list(code).describe('Context (taxonomy "context"), repeatable'),
  sdgTarget: list(code).describe('SDG target such as 8.7 (taxonomy "sdg-target"), repeatable'),
  organization: list(z.string().max(40).regex(/^[a-z]+_[0-9a-z]+$/, 'An organization id such as org_01j….')).describe('Organization id, repeatable: owner or participant'),
  organizationRole: single(z.enum(ORGANIZATION_ROLES)).describe('Only where the organization is the owner, or participates in this IATI role'),
  status: list(z.string().max(10).regex(/^[0-9]+$/, 'An IATI ActivityStatus code such as 2.')).describe('IATI ActivityStatus code, repeatable'),
  from: single(z.iso.date('A date such as 2024-01-31.')).describe('Activities running on or after this date (YYYY-MM-DD)'),
  to: single(z.iso.date('A date such as 2024-12-31.')).describe('Activities running on or before this date (YYYY-MM-DD)'),
  q: single(z.string().max(200, 'At most 200 characters.')).describe('Text query (words, "a phrase", -excluded, or)'),
  sort: single(z.enum(SORTS)).describe('updated (default), title, start, or relevance (default with a text query)'),
  cursor: single(z.string().max(500)).describe('The nextCursor of the previous page'),
  limit: single(z.coerce.number().int().min(1).max(MAX_PAGE_SIZE)).describe(`Page size, at most ${MAX_PAGE_SIZE}`),
});
export type ActivityFilters = z.output<typeof activityFiltersSchema>;
export type ActivityFiltersInput = z.input<typeof activityFiltersSchema>;

/** The parameters of a URL query string as the schema reads them (repeated keys become arrays). */
export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/** Reads filters from a query string; invalid values are refused with VALIDATION_FAILED naming the parameter. */
export function parseActivityFilters(input: URLSearchParams | Record<string, unknown>): ActivityFilters {
  return activityFiltersSchema.parse(input instanceof URLSearchParams ? queryRecord(input) : input);
}

/**
 * Writes filters back as a query string, in a fixed order, for links that keep the state
 * (pagination, exports, facet links). `omit` leaves parameters out (e.g. the cursor).
 */
export function activityFiltersQuery(f: Partial<ActivityFilters>, omit: readonly (keyof ActivityFilters)[] = []): URLSearchParams {
  const q = new URLSearchParams();
  for (const key of Object.keys(activityFiltersSchema.shape) as (keyof ActivityFilters)[]) {
    if (omit.includes(key)) continue;
    const v = f[key];
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const item of v) q.append(key, item);
    else q.set(key, String(v));
  }
  return q;
}

/** Are any filters set (other than sort, page size and cursor)? */
export function hasActiveFilters(f: ActivityFilters): boolean {
  return FACETS.some((k) => f[k].length > 0) || Boolean(f.q || f.from || f.to || f.organizationRole);
}

/** The sort used: the one asked for, else relevance with a text query, else recently updated. */
export function effectiveSort(f: Pick<ActivityFilters, 'sort' | 'q'>): ActivitySort {
  if (f.sort === 'relevance' && !f.q) return 'updated';
  return f.sort ?? (f.q ? 'relevance' : 'updated');
}
