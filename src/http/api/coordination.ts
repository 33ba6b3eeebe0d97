import { createRoute, z } from '@hono/zod-openapi';
import { analyticsFiltersSchema, duplicateDecisionSchema, GAP_KINDS, mapQuerySchema, matrixQuerySchema, MEASURES, presenceQuerySchema } from '../../domain/coordination/coordination-schemas.ts';
import { coverageMatrix } from '../../domain/coordination/coverage-matrix.ts';
import { coordinationDashboard, reportingCompleteness } from '../../domain/coordination/dashboard.ts';
import { decideDuplicate, listActivityLinks, listDuplicateCandidates, scanDuplicates } from '../../domain/coordination/duplicates.ts';
import { exportCoverageMatrix, MATRIX_EXPORT_FORMATS } from '../../domain/coordination/export-matrix.ts';
import { operationalPresence } from '../../domain/coordination/operational-presence.ts';
import { worldMap } from '../../domain/coordination/world-map.ts';
import { translator } from '../../i18n/i18n.ts';
import { MapSvg } from '../pages/coordination/coordination-components.tsx';
import { apiRouter, errorResponses, notFoundResponse } from './openapi-app.ts';

const lang = z.enum(['en', 'fr', 'es', 'ar', 'zh', 'ru']).optional().openapi({ description: 'Language of labels (default: the request language)' });
const gap = z.enum(GAP_KINDS).nullable().openapi({ description: 'Why an empty cell is empty: none (nobody reports activity), coarser (covered only by regional or global work), unreported (the dimension is not reported there); null when not empty' });
const listQuery = z.string().openapi({ description: 'Query string of GET /activities (and the list page) that selects the same activities' });

const AxisValue = z.object({ code: z.string(), label: z.string(), activities: z.number().int() }).openapi('MatrixAxisValue');
const MatrixCell = z
  .object({ row: z.string(), col: z.string(), value: z.number(), activities: z.number().int(), gap, blankOnRow: z.number().int(), list: listQuery })
  .openapi('MatrixCell');
const CoverageMatrix = z
  .object({
    rows: z.object({ dimension: z.string(), values: z.array(AxisValue) }),
    cols: z.object({ dimension: z.string(), values: z.array(AxisValue) }),
    measure: z.enum(MEASURES),
    currency: z.string(),
    total: z.number().int().openapi({ description: 'Activities under the filters, each group of linked records (confirmed duplicates, funder and implementer) once' }),
    totalBudget: z.number(),
    list: listQuery,
    cells: z.array(z.array(MatrixCell)).openapi({ description: 'Row-major: cells[i][j] crosses rows.values[i] with cols.values[j]' }),
    gaps: z.object({ none: z.number().int(), coarser: z.number().int(), unreported: z.number().int() }),
    linkedRecordsMerged: z.number().int(),
  })
  .openapi('CoverageMatrix');

const MapCountry = z
  .object({ code: z.string().nullable(), m49: z.string(), name: z.string(), value: z.number(), activities: z.number().int(), className: z.string(), marker: z.boolean().openapi({ description: 'Drawn as a small circle at a point of the country: it has no shape in the 1:110m geometry (small states, islands)' }), gap, list: listQuery.nullable() })
  .openapi('MapCountry');
const WorldMapJson = z
  .object({
    zoom: z.string().nullable(),
    measure: z.enum(MEASURES),
    currency: z.string(),
    total: z.number().int(),
    countries: z.array(MapCountry).openapi({ description: 'Every shape drawn, with its class (map-c1 … map-c5, map-gap-none, map-gap-coarser, map-nodata), then the countries of the table too small to have a shape, as circles' }),
    table: z.array(z.object({ code: z.string(), name: z.string(), value: z.number(), activities: z.number().int(), gap, list: listQuery, drawn: z.boolean() })),
    legend: z.array(z.object({ className: z.string(), from: z.number().nullable(), to: z.number().nullable(), kind: z.enum(['value', 'none', 'coarser']) })),
  })
  .openapi('WorldMap');

const GapItem = z.object({ row: z.string(), rowLabel: z.string(), col: z.string(), colLabel: z.string(), gap: z.enum(GAP_KINDS), blankOnRow: z.number().int(), list: listQuery }).openapi('CoverageGap');
const Completeness = z
  .object({
    organizationId: z.string(),
    slug: z.string(),
    acronym: z.string(),
    activities: z.number().int(),
    withCountries: z.number().int(),
    withPillars: z.number().int(),
    withTargetGroups: z.number().int(),
    completeness: z.number().nullable().openapi({ description: 'Share (0–1) of its activities with countries or regions, pillars and target groups all filled' }),
    lastUpdate: z.string().nullable(),
  })
  .openapi('ReportingCompleteness');
const coded = z.object({ code: z.string(), label: z.string() });
const PresenceRow = z
  .object({
    organization: z.object({ id: z.string().nullable(), acronym: z.string().nullable(), ref: z.string().nullable(), name: z.string() }),
    role: z.string().openapi({ description: 'owner, funding, accountable, extending or implementing' }),
    country: coded.nullable(),
    pillar: coded.nullable(),
    startDate: z.string().nullable(),
    endDate: z.string().nullable(),
    activityId: z.string(),
    iatiIdentifier: z.string().nullable(),
    source: z.string().openapi({ description: 'The activity record on this platform' }),
  })
  .openapi('OperationalPresence');
const ActivityRef = z.object({ id: z.string(), title: z.string(), owner: z.string() });
const Candidate = z
  .object({ activityA: ActivityRef, activityB: ActivityRef, score: z.number(), explanation: z.unknown().openapi({ description: 'What matched: countries, pillars, target groups, the common period, languages and shared terms (with the word on each side)' }), foundAt: z.string() })
  .openapi('DuplicateCandidate');
const LastScan = z.object({ id: z.string(), finishedAt: z.string(), activities: z.number().int(), compared: z.number().int(), candidates: z.number().int(), links: z.number().int() }).nullable();
const Link = z.object({ kind: z.enum(['funder_implementer', 'duplicate']), activityA: ActivityRef, activityB: ActivityRef, evidence: z.unknown() }).openapi('ActivityLink');

const ok = <T extends z.ZodType>(description: string, schema: T) => ({ 200: { description, content: { 'application/json': { schema } } }, ...errorResponses });

/** Coordination analytics: /coordination/… */
export const coordinationRoutes = apiRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/matrix',
      tags: ['Coordination'],
      summary: 'Coverage matrix',
      description:
        'Two dimensions crossed (country, region, subregion, pillar, exploitationForm, targetGroup, context, organization, period) under the activity list filters, each cell counting activities ' +
        '(linked records of the same work once), organizations or budget. Each cell carries the list query that drills down to its activities, and empty cells say which kind of gap they are.',
      request: { query: matrixQuerySchema.extend({ lang }) },
      responses: ok('The matrix', CoverageMatrix),
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      return c.json(await coverageMatrix(c.get('ctx'), q, { lang: l ?? c.get('lang') }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/matrix/export',
      tags: ['Coordination'],
      summary: 'Download the coverage matrix',
      description: 'The matrix as CSV (one line per cell, with its gap kind and list query) or XLSX (the matrix, then the same lines).',
      request: { query: matrixQuerySchema.extend({ format: z.enum(MATRIX_EXPORT_FORMATS).default('csv'), lang }) },
      responses: {
        200: {
          description: 'The file',
          content: { 'text/csv': { schema: z.string() }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: z.string().openapi({ format: 'binary' }) } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { format, lang: l, ...q } = c.req.valid('query');
      const file = await exportCoverageMatrix(c.get('ctx'), q, format, { lang: l ?? c.get('lang') });
      return c.body(file.body as Uint8Array<ArrayBuffer>, 200, { 'content-type': file.contentType, 'content-disposition': `attachment; filename="${file.fileName}"` });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/gaps',
      tags: ['Coordination'],
      summary: 'Gaps of a coverage matrix',
      description: 'The empty cells of the matrix under the same parameters, each with its kind: none, coarser (regional or global work only) or unreported (the dimension is not reported there).',
      request: { query: matrixQuerySchema.extend({ lang }) },
      responses: ok('The gaps', z.object({ items: z.array(GapItem), counts: z.object({ none: z.number().int(), coarser: z.number().int(), unreported: z.number().int() }) }).openapi('CoverageGaps')),
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      const m = await coverageMatrix(c.get('ctx'), q, { lang: l ?? c.get('lang') });
      const items = m.cells.flatMap((line, i) =>
        line.flatMap((cell, j) =>
          cell.gap ? [{ row: cell.row, rowLabel: m.rows.values[i]!.label, col: cell.col, colLabel: m.cols.values[j]!.label, gap: cell.gap, blankOnRow: cell.blankOnRow, list: cell.list }] : [],
        ),
      );
      return c.json({ items, counts: m.gaps }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/map',
      tags: ['Coordination'],
      summary: 'World map data',
      description: 'The choropleth of the measure by country under the filters: each shape with its class, the legend, and every country with activity or regional coverage as a table.',
      request: { query: mapQuerySchema.extend({ lang }) },
      responses: ok('The map', WorldMapJson),
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      const m = await worldMap(c.get('ctx'), q, { lang: l ?? c.get('lang') });
      return c.json({ ...m, countries: m.countries.map(({ path: _path, ...rest }) => rest) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/map.svg',
      tags: ['Coordination'],
      summary: 'World map as SVG',
      description: 'The same map as a standalone SVG image (Equal Earth projection, Natural Earth 1:110m countries), with a title per country.',
      request: { query: mapQuerySchema.extend({ lang }) },
      responses: { 200: { description: 'The image', content: { 'image/svg+xml': { schema: z.string() } } }, ...errorResponses },
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      const language = l ?? c.get('lang');
      const m = await worldMap(c.get('ctx'), q, { lang: language });
      const t = language === c.get('lang') ? c.get('t') : translator(language);
      return c.body(`<?xml version="1.0" encoding="UTF-8"?>\n${String(MapSvg({ t, lang: language, map: m, standalone: true }))}`, 200, { 'content-type': 'image/svg+xml; charset=utf-8' });
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/completeness',
      tags: ['Coordination'],
      summary: 'Reporting completeness per member',
      description: 'For each member organization: its activities you may read, how many state countries (or regions), pillars and target groups, and when it last changed one.',
      responses: ok('One row per member', z.object({ items: z.array(Completeness) }).openapi('ReportingCompletenessList')),
    }),
    async (c) => c.json({ items: await reportingCompleteness(c.get('ctx')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/presence',
      tags: ['Coordination'],
      summary: 'Operational presence (flat table)',
      description:
        'Who works where on what, in the spirit of OCHA’s HDX HAPI: one row per activity × organization taking part (owner or IATI role) × country × pillar, with the period and the source record. ' +
        'Under the activity list filters; paged by activity (pass `nextCursor` as `cursor`).',
      request: { query: presenceQuerySchema.extend({ lang }) },
      responses: ok('A page of rows', z.object({ items: z.array(PresenceRow), nextCursor: z.string().nullable() }).openapi('OperationalPresencePage')),
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      return c.json(await operationalPresence(c.get('ctx'), q, { lang: l ?? c.get('lang') }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/dashboard',
      tags: ['Coordination'],
      summary: 'Coordinator dashboard figures',
      description: 'Headline figures (each linked group once), the largest gaps, new duplicate candidates (coordinators) and each member’s last update and completeness.',
      request: { query: analyticsFiltersSchema.extend({ lang }) },
      responses: ok(
        'The dashboard',
        z
          .object({
            headline: z.object({ activities: z.number().int(), organizations: z.number().int(), countries: z.number().int(), budget: z.number(), currency: z.string(), linkedRecordsMerged: z.number().int() }),
            gaps: z.array(z.object({ country: z.string(), countryLabel: z.string(), pillar: z.string(), pillarLabel: z.string(), countryActivities: z.number().int(), list: listQuery })),
            candidates: z.object({ items: z.array(Candidate), total: z.number().int(), lastScan: z.string().nullable() }).nullable(),
            members: z.array(Completeness),
          })
          .openapi('CoordinationDashboard'),
      ),
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      const d = await coordinationDashboard(c.get('ctx'), q, { lang: l ?? c.get('lang') });
      return c.json({ headline: d.headline, gaps: d.gaps, candidates: d.candidates, members: d.members }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/duplicates',
      tags: ['Coordination'],
      summary: 'Duplicate candidates',
      description: 'Pairs of the last scan awaiting a decision, best first, each with a score and what matched. Coordinators.',
      request: { query: z.object({ cursor: z.string().max(500).optional(), limit: z.coerce.number().int().min(1).max(200).optional(), lang }) },
      responses: ok('A page of candidates', z.object({ items: z.array(Candidate), nextCursor: z.string().nullable(), total: z.number().int(), lastScan: LastScan }).openapi('DuplicateCandidatePage')),
    }),
    async (c) => {
      const { lang: l, ...q } = c.req.valid('query');
      return c.json(await listDuplicateCandidates(c.get('ctx'), { ...q, lang: l ?? c.get('lang') }), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/coordination/duplicates/scan',
      tags: ['Coordination'],
      summary: 'Run a full duplicate scan',
      description: 'Finds funder/implementer links and near-duplicate pairs across members (blocked by country and pillar), replacing the open candidates; decided pairs stay decided. Coordinators.',
      responses: ok(
        'The scan',
        z.object({ scanId: z.string(), activities: z.number().int(), blocks: z.number().int(), compared: z.number().int(), candidates: z.number().int(), links: z.number().int(), ms: z.number().int() }).openapi('DuplicateScan'),
      ),
    }),
    async (c) => c.json(await scanDuplicates(c.get('ctx')), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/coordination/duplicates/decisions',
      tags: ['Coordination'],
      summary: 'Decide on a pair',
      description:
        '`duplicate` links the two records: every count and budget then counts them once. `not_duplicate` keeps them apart; the pair is never proposed again, across scans and re-imports. ' +
        'A later decision on the same pair replaces the earlier one. Coordinators.',
      request: { body: { required: true, content: { 'application/json': { schema: duplicateDecisionSchema } } } },
      responses: {
        ...ok('Decided', z.object({ decision: z.enum(['duplicate', 'not_duplicate']), activityA: z.string(), activityB: z.string(), links: z.number().int() }).openapi('DuplicateDecision')),
        ...notFoundResponse,
      },
    }),
    async (c) => c.json(await decideDuplicate(c.get('ctx'), c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/coordination/links',
      tags: ['Coordination'],
      summary: 'Linked records',
      description: 'Records counted once because they report the same work: funder and implementer (through IATI activity references) and confirmed duplicates. Coordinators.',
      request: { query: z.object({ lang }) },
      responses: ok('The links', z.object({ items: z.array(Link) }).openapi('ActivityLinks')),
    }),
    async (c) => c.json({ items: await listActivityLinks(c.get('ctx'), { lang: c.req.valid('query').lang ?? c.get('lang') }) }, 200),
  );
