import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import {
  getCodelist,
  getTaxonomy,
  listCodelists,
  listCountries,
  listRegions,
  listTaxonomies,
  referenceVersion,
} from '../../domain/reference/read-reference.ts';
import {
  codelistSchema,
  codelistSummarySchema,
  countryQuerySchema,
  countrySchema,
  referenceQuerySchema,
  regionQuerySchema,
  regionSchema,
  taxonomySchema,
  taxonomySummarySchema,
  withdrawnQuerySchema,
} from '../../domain/reference/reference-schemas.ts';
import type { AppEnv } from '../env.ts';
import { apiRouter, errorResponses, notFoundResponse } from './openapi-app.ts';

const Country = countrySchema.meta({ id: 'Country' });
const Region = regionSchema.meta({ id: 'Region' });
const TaxonomySummary = taxonomySummarySchema.meta({ id: 'TaxonomySummary' });
const Taxonomy = taxonomySchema.meta({ id: 'Taxonomy' });
const CodelistSummary = codelistSummarySchema.meta({ id: 'CodelistSummary' });
const Codelist = codelistSchema.meta({ id: 'Codelist' });

const list = <T extends z.ZodType>(item: T, id: string) => z.object({ items: z.array(item) }).meta({ id });
const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });
const notModified = { 304: { description: 'Not modified: the reference data has not changed since the ETag you sent.' } } as const;

/** Reference data changes rarely: clients and caches may keep it for an hour and revalidate with the ETag. */
const CACHE_CONTROL = 'public, max-age=3600, stale-while-revalidate=86400';

/**
 * The ETag of a reference read: the reference version, the language and the query. The answer
 * is the same for the same tag, so a client that holds it gets a 304 without a body.
 */
async function etagOf(c: Context<AppEnv>): Promise<string> {
  const version = await referenceVersion(c.get('ctx'));
  const url = new URL(c.req.url);
  const digest = createHash('sha256').update(`${version}|${c.get('lang')}|${url.pathname}|${url.searchParams.toString()}`).digest('base64url');
  return `W/"${digest.slice(0, 27)}"`;
}

const matches = (c: Context<AppEnv>, tag: string) =>
  (c.req.header('if-none-match') ?? '')
    .split(',')
    .map((t) => t.trim())
    .some((t) => t === tag || t === '*');

const cacheHeaders = (etag: string) => ({ etag, 'cache-control': CACHE_CONTROL });

const tags = ['Reference data'];

export const referenceRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/reference/countries',
      tags,
      summary: 'List countries and areas',
      description:
        'ISO 3166-1 codes (the IATI Country codes) with M49 code, region, sub-region and intermediate region, and names in the six UN languages. ' +
        'Includes Kosovo (XK), valid in IATI but not in ISO 3166-1 or M49. Public; cacheable.',
      request: { query: countryQuerySchema },
      responses: { 200: json(list(Country, 'CountryList'), 'Countries sorted by name in the requested language'), ...notModified, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const etag = await etagOf(c);
      if (matches(c, etag)) return c.body(null, 304, cacheHeaders(etag));
      return c.json({ items: await listCountries(c.get('ctx'), { lang: c.get('lang'), region: c.req.valid('query').region }) }, 200, cacheHeaders(etag));
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/reference/regions',
      tags,
      summary: 'List regions of a region vocabulary',
      description:
        'UN M49 regions (IATI RegionVocabulary 2: world, regions, sub-regions, intermediate regions), or with vocabulary=1 the OECD DAC regions. ' +
        'A region code means nothing without its vocabulary. Public; cacheable.',
      request: { query: regionQuerySchema },
      responses: { 200: json(list(Region, 'RegionList'), 'Regions'), ...notModified, ...errorResponses },
    }),
    async (c) => {
      const etag = await etagOf(c);
      if (matches(c, etag)) return c.body(null, 304, cacheHeaders(etag));
      return c.json({ items: await listRegions(c.get('ctx'), { lang: c.get('lang'), vocabulary: c.req.valid('query').vocabulary }) }, 200, cacheHeaders(etag));
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/reference/taxonomies',
      tags,
      summary: 'List the platform’s taxonomies',
      description: 'Pillars, forms of exploitation, target groups, contexts, SDG targets, instruments and national mechanisms. Public; cacheable.',
      request: { query: referenceQuerySchema },
      responses: { 200: json(list(TaxonomySummary, 'TaxonomyList'), 'Taxonomies'), ...notModified, ...errorResponses },
    }),
    async (c) => {
      const etag = await etagOf(c);
      if (matches(c, etag)) return c.body(null, 304, cacheHeaders(etag));
      return c.json({ items: await listTaxonomies(c.get('ctx'), { lang: c.get('lang') }) }, 200, cacheHeaders(etag));
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/reference/taxonomies/{taxonomy}',
      tags,
      summary: 'Get one taxonomy and its terms',
      description: 'Terms in display order with labels in the requested language. Withdrawn terms (kept so old records keep their meaning) only with includeWithdrawn. Public; cacheable.',
      request: { params: z.object({ taxonomy: z.string().max(60).openapi({ example: 'pillar' }) }), query: withdrawnQuerySchema },
      responses: { 200: json(Taxonomy, 'The taxonomy'), ...notModified, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const etag = await etagOf(c);
      if (matches(c, etag)) return c.body(null, 304, cacheHeaders(etag));
      const q = c.req.valid('query');
      return c.json(await getTaxonomy(c.get('ctx'), c.req.valid('param').taxonomy, { lang: c.get('lang'), includeWithdrawn: q.includeWithdrawn }), 200, cacheHeaders(etag));
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/reference/codelists',
      tags,
      summary: 'List the IATI codelists',
      description: 'Each codelist the platform holds: built-in (a minimal table) or official (loaded from the IATI codelist files), with counts. Public; cacheable.',
      request: { query: referenceQuerySchema },
      responses: { 200: json(list(CodelistSummary, 'CodelistList'), 'Codelists'), ...notModified, ...errorResponses },
    }),
    async (c) => {
      const etag = await etagOf(c);
      if (matches(c, etag)) return c.body(null, 304, cacheHeaders(etag));
      return c.json({ items: await listCodelists(c.get('ctx')) }, 200, cacheHeaders(etag));
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/reference/codelists/{name}',
      tags,
      summary: 'Get one IATI codelist',
      description: 'The codes with names in the requested language (IATI gives English and often French), category and withdrawn flag. Public; cacheable.',
      request: { params: z.object({ name: z.string().max(80).openapi({ example: 'Sector' }) }), query: withdrawnQuerySchema },
      responses: { 200: json(Codelist, 'The codelist'), ...notModified, ...errorResponses, ...notFoundResponse },
    }),
    async (c) => {
      const etag = await etagOf(c);
      if (matches(c, etag)) return c.body(null, 304, cacheHeaders(etag));
      const q = c.req.valid('query');
      return c.json(await getCodelist(c.get('ctx'), c.req.valid('param').name, { lang: c.get('lang'), includeWithdrawn: q.includeWithdrawn }), 200, cacheHeaders(etag));
    },
  );
