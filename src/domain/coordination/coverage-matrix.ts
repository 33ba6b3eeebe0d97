import type { Db } from '../../db/database.ts';
import type { DimensionSql, MatrixPartRow, MatrixRequest } from '../../db/queries/coordination.ts';
import { selectActivityListVersion, selectOrganizationLabels, type ReadScope, type ResolvedFilters } from '../../db/queries/activity-list.ts';
import { activityFiltersQuery, FACET_TAXONOMIES, type ActivityFilters } from '../activities/activity-filters.ts';
import { readScopeOf, resolveFilters } from '../activities/list-activities.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { LANGUAGES, type Language } from '../languages.ts';
import { authorize } from '../policies.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { snapshotMatrixParts } from './matrix-snapshot.ts';
import { matrixQuerySchema, type AnalyticsFilters, type Dimension, type GapKind, type Measure } from './coordination-schemas.ts';

/**
 * The coverage matrix: any two dimensions crossed, each cell counting activities (records
 * linked as the same work once), organizations or budget under the activity list's filters,
 * and each empty cell saying why it is empty:
 *
 * - `coarser`: no activity names the place, but work stated for a region containing it (or
 *   for no place at all: global) covers the other coordinate — members report at a coarser level;
 * - `unreported`: activities exist on the row (or column), but none of them fills the other
 *   dimension, so the data cannot tell;
 * - `none`: nobody reports activity there.
 */

export type AxisValue = { code: string; label: string; activities: number };
export type MatrixCell = {
  row: string;
  col: string;
  value: number;
  activities: number;
  gap: GapKind | null;
  /** Activities on the row that leave the column's dimension blank (a hint for `none` gaps too). */
  blankOnRow: number;
  /** The activity list's query string for this cell: the matrix filters plus both coordinates. */
  list: string;
};
export type CoverageMatrix = {
  rows: { dimension: Dimension; values: AxisValue[] };
  cols: { dimension: Dimension; values: AxisValue[] };
  measure: Measure;
  currency: string;
  /** Activities under the filters (each linked group once), and the filters as a list query string. */
  total: number;
  /** The budget of those activities in `currency` (each linked group's largest once); 0 unless the measure is budget. */
  totalBudget: number;
  list: string;
  cells: MatrixCell[][];
  gaps: Record<GapKind, number>;
  /** Records counted once because they are linked as the same work (confirmed duplicates, funder/implementer). */
  linkedRecordsMerged: number;
};

/**
 * The figures of a matrix, cached in the process per database, read scope and query while the
 * activity list's change number (migration 0005, moved by every change of a list row and every
 * rebuild of the linked groups) stays the same, for at most MATRIX_CACHE_MS: the dashboard asks
 * the same matrices again and again.
 */
const MATRIX_CACHE_MS = 60_000;
const MATRIX_CACHE_SIZE = 200;
const matrixCache = new WeakMap<Db, Map<string, { version: string; at: number; parts: MatrixPartRow[] }>>();

async function cachedMatrixParts(db: Db, scope: ReadScope, f: ResolvedFilters, m: MatrixRequest, useCache: boolean): Promise<MatrixPartRow[]> {
  const run = () => snapshotMatrixParts(db, scope, f, m);
  if (!useCache) return run();
  let cache = matrixCache.get(db);
  if (!cache) matrixCache.set(db, (cache = new Map()));
  const key = JSON.stringify([scope, f, m]);
  const version = await selectActivityListVersion(db.kysely);
  const hit = cache.get(key);
  if (hit && hit.version === version && Date.now() - hit.at < MATRIX_CACHE_MS) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.parts;
  }
  const parts = await run();
  cache.set(key, { version, at: Date.now(), parts });
  if (cache.size > MATRIX_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return parts;
}

const GEO: ReadonlySet<Dimension> = new Set(['country', 'subregion']);
const MAX_YEARS = 40;

const pickLang = (lang: string | undefined): Language => ((LANGUAGES as readonly string[]).includes(lang ?? '') ? (lang as Language) : 'en');

/** The calendar years a period axis shows: those of the filters, else the last ten and the next. */
export function periodYears(f: Pick<ActivityFilters, 'from' | 'to'>, now = new Date()): { from: number; to: number } {
  const y = now.getUTCFullYear();
  const from = f.from ? Number(f.from.slice(0, 4)) : f.to ? Number(f.to.slice(0, 4)) - 9 : y - 9;
  const to = f.to ? Number(f.to.slice(0, 4)) : Math.max(from, y + 1);
  if (to - from + 1 > MAX_YEARS) {
    throw new AppError('VALIDATION_FAILED', `A period axis shows at most ${MAX_YEARS} years.`, { fields: [{ path: 'from', message: `Choose a period of at most ${MAX_YEARS} years.` }] });
  }
  return { from, to };
}

function dimensionSql(d: Dimension | 'all', ref: ReferenceData, f: ActivityFilters): DimensionSql {
  switch (d) {
    case 'country':
      return { kind: 'array', column: 'country_codes' };
    case 'region':
    case 'subregion':
      return { kind: 'regions', codes: [...ref.regions.values()].filter((r) => r.level === d).map((r) => r.m49) };
    case 'pillar':
      return { kind: 'array', column: 'pillars' };
    case 'exploitationForm':
      return { kind: 'array', column: 'exploitation_forms' };
    case 'targetGroup':
      return { kind: 'array', column: 'target_groups' };
    case 'context':
      return { kind: 'array', column: 'contexts' };
    case 'organization':
      return { kind: 'array', column: 'organization_ids' };
    case 'period':
      return { kind: 'years', ...periodYears(f) };
    case 'all':
      return { kind: 'all' };
  }
}

/** The list filters that select one coordinate of a dimension, on top of the matrix filters. */
export function drillFilters(f: AnalyticsFilters, d: Dimension | 'all', code: string): AnalyticsFilters {
  switch (d) {
    case 'all':
      return f;
    case 'country':
      return { ...f, country: [code] };
    case 'region':
    case 'subregion':
      return { ...f, region: [code] };
    case 'pillar':
      return { ...f, pillar: [code] };
    case 'exploitationForm':
      return { ...f, exploitationForm: [code] };
    case 'targetGroup':
      return { ...f, targetGroup: [code] };
    case 'context':
      return { ...f, context: [code] };
    case 'organization':
      return { ...f, organization: [code] };
    case 'period': {
      const from = `${code}-01-01`;
      const to = `${code}-12-31`;
      return { ...f, from: f.from && f.from > from ? f.from : from, to: f.to && f.to < to ? f.to : to };
    }
  }
}

/** The query string of the activity list for these filters. */
export const listQueryString = (f: AnalyticsFilters): string => activityFiltersQuery(f as ActivityFilters).toString();

const TAXONOMY_OF: Partial<Record<Dimension, string>> = {
  pillar: FACET_TAXONOMIES.pillar,
  exploitationForm: FACET_TAXONOMIES.exploitationForm,
  targetGroup: FACET_TAXONOMIES.targetGroup,
  context: FACET_TAXONOMIES.context,
};

/** The values an axis lists, in display order: every term of a taxonomy, every region of its level, every year; countries and organizations with activity or selected. */
async function axisValues(
  ctx: DomainContext,
  d: Dimension | 'all',
  ref: ReferenceData,
  f: AnalyticsFilters,
  seen: Map<string, number>,
  lang: Language,
): Promise<AxisValue[]> {
  const n = (code: string) => seen.get(code) ?? 0;
  const taxonomy = TAXONOMY_OF[d as Dimension];
  if (taxonomy) {
    const terms = ref.terms(taxonomy, { includeWithdrawn: true }).filter((t) => !t.withdrawn || n(t.code) > 0);
    const known = new Set(terms.map((t) => t.code));
    const extra = [...seen.keys()].filter((c) => !known.has(c));
    return [...terms.map((t) => t.code), ...extra].map((code) => ({ code, label: ref.label(taxonomy, code, lang), activities: n(code) }));
  }
  switch (d) {
    case 'all':
      return [{ code: 'all', label: '', activities: n('all') }];
    case 'region':
    case 'subregion':
      return [...ref.regions.values()]
        .filter((r) => r.level === d)
        .sort((a, b) => a.sort - b.sort || a.m49.localeCompare(b.m49))
        .map((r) => ({ code: r.m49, label: ref.label('m49', r.m49, lang), activities: n(r.m49) }));
    case 'period': {
      const { from, to } = periodYears(f);
      return Array.from({ length: to - from + 1 }, (_, i) => String(from + i)).map((y) => ({ code: y, label: y, activities: n(y) }));
    }
    case 'country': {
      const codes = [...new Set([...seen.keys(), ...f.country])];
      return codes.map((code) => ({ code, label: ref.label('country', code, lang), activities: n(code) })).sort((a, b) => b.activities - a.activities || a.label.localeCompare(b.label, lang));
    }
    case 'organization': {
      const ids = [...new Set([...seen.keys(), ...f.organization])];
      const labels = new Map((await selectOrganizationLabels(ctx.db.kysely, ids)).map((o) => [o.id, o.acronym]));
      return ids.map((id) => ({ code: id, label: labels.get(id) ?? id, activities: n(id) })).sort((a, b) => a.label.localeCompare(b.label, lang));
    }
    default:
      return [];
  }
}

/** M49 regions a country lies in (region, sub-region, intermediate region). */
function ancestorsOf(ref: ReferenceData, d: Dimension | 'all', code: string): string[] {
  if (d === 'country') {
    const c = ref.country(code);
    return c ? [c.regionM49, c.subregionM49, c.intermediateM49].filter((x): x is string => Boolean(x)) : [];
  }
  if (d === 'subregion') {
    const out: string[] = [code];
    let p = ref.regions.get(code)?.parentM49 ?? null;
    while (p && p !== '001') {
      out.push(p);
      p = ref.regions.get(p)?.parentM49 ?? null;
    }
    return out;
  }
  return [];
}

export type MatrixOptions = { lang?: string; /** false: always ask the database (benchmarks). */ cache?: boolean; rows?: Dimension | 'all'; cols?: Dimension | 'all'; /** List every country of the reference data on a country axis, not only those with activity (the map). */ allCountries?: boolean };

/**
 * The coverage matrix under the query's filters, as the actor may see it (each figure counts
 * only the activities they may read). `opts.rows`/`opts.cols` override the axes (the map uses
 * countries × 'all').
 */
export async function coverageMatrix(ctx: DomainContext, input: unknown, opts: MatrixOptions = {}): Promise<CoverageMatrix> {
  const plan = await planMatrix(ctx, input, opts);
  const parts = await cachedMatrixParts(ctx.db, plan.scope, plan.resolved, plan.request, opts.cache !== false);
  return assembleMatrix(ctx, parts, plan);
}

/** What a matrix query asks of the data: the reader's scope, the resolved filters and the two dimensions as SQL (exported for the tests and benchmarks that compare the two ways of computing it). */
export async function planMatrix(ctx: DomainContext, input: unknown, opts: MatrixOptions = {}) {
  authorize(ctx.actor, 'coordination.read');
  const q = matrixQuerySchema.parse(input ?? {});
  const lang = pickLang(opts.lang);
  const rowsDim = opts.rows ?? q.rows ?? 'country';
  const colsDim = opts.cols ?? q.cols ?? 'pillar';
  const measure = q.measure ?? 'activities';
  const currency = q.currency ?? 'USD';
  const { rows: _r, cols: _c, measure: _m, currency: _cur, ...filters } = q;
  const listFilters = { ...filters, cursor: undefined, limit: undefined, sort: undefined } as ActivityFilters;
  const ref = await getReferenceData(ctx);
  const geoSide: 'rows' | 'cols' | null = GEO.has(rowsDim as Dimension) ? 'rows' : GEO.has(colsDim as Dimension) ? 'cols' : null;
  const request: MatrixRequest = { rows: dimensionSql(rowsDim, ref, listFilters), cols: dimensionSql(colsDim, ref, listFilters), measure, currency, geoSide };
  return {
    scope: readScopeOf(ctx.actor),
    resolved: resolveFilters(listFilters),
    request,
    rowsDim,
    colsDim,
    measure,
    currency,
    filters: filters as AnalyticsFilters,
    ref,
    lang,
    geoSide,
    allCountries: opts.allCountries ?? false,
  };
}

async function assembleMatrix(
  ctx: DomainContext,
  parts: MatrixPartRow[],
  o: {
    rowsDim: Dimension | 'all';
    colsDim: Dimension | 'all';
    measure: Measure;
    currency: string;
    filters: AnalyticsFilters;
    ref: ReferenceData;
    lang: Language;
    geoSide: 'rows' | 'cols' | null;
    allCountries: boolean;
  },
): Promise<CoverageMatrix> {
  const key = (r: string | null, c: string | null) => `${r}\u0000${c}`;
  const cells = new Map<string, { n: number; v: number }>();
  const orgs = new Map<string, number>();
  const grp = new Map<string, { n: number; v: number }>();
  const rowStats = new Map<string, { n: number; blank: number }>();
  const colStats = new Map<string, { n: number; blank: number }>();
  const coarse = new Map<string, Set<string>>(); // value of the other side → regions (or 'global') with work stated there
  let total = 0;
  let totalBudget = 0;
  for (const p of parts) {
    if (p.part === 'cell') cells.set(key(p.r, p.c), { n: p.n, v: p.v ?? 0 });
    else if (p.part === 'org') orgs.set(key(p.r, p.c), p.n);
    else if (p.part === 'grp') grp.set(key(p.r, p.c), { n: p.n, v: p.v ?? 0 });
    else if (p.part === 'row') rowStats.set(p.r!, { n: p.n, blank: p.w ?? 0 });
    else if (p.part === 'col') colStats.set(p.c!, { n: p.n, blank: p.w ?? 0 });
    else if (p.part === 'total') {
      total = p.n;
      totalBudget = p.v ?? 0;
    }
    else if (p.part === 'coarse' && p.n > 0) {
      let s = coarse.get(p.c!);
      if (!s) coarse.set(p.c!, (s = new Set()));
      s.add(p.r!);
    }
  }
  const rowSeen = new Map([...rowStats].map(([k, v]) => [k, v.n]));
  const colSeen = new Map([...colStats].map(([k, v]) => [k, v.n]));
  const everyCountry = (dim: Dimension | 'all', seen: Map<string, number>) => {
    if (!o.allCountries || dim !== 'country') return seen;
    const all = new Map(seen);
    for (const c of o.ref.countries.values()) if (!c.iatiOnly && !all.has(c.code)) all.set(c.code, 0);
    return all;
  };
  const rowValues = await axisValues(ctx, o.rowsDim, o.ref, o.filters, everyCountry(o.rowsDim, rowSeen), o.lang);
  const colValues = await axisValues(ctx, o.colsDim, o.ref, o.filters, everyCountry(o.colsDim, colSeen), o.lang);
  const gaps: Record<GapKind, number> = { none: 0, coarser: 0, unreported: 0 };

  const classify = (r: string, c: string): GapKind => {
    if (o.geoSide) {
      const [place, other, dim] = o.geoSide === 'rows' ? [r, c, o.rowsDim] : [c, r, o.colsDim];
      const stated = coarse.get(other);
      if (stated && (stated.has('global') || ancestorsOf(o.ref, dim, place).some((m) => stated.has(m)))) return 'coarser';
    }
    const row = rowStats.get(r);
    if (row && row.n > 0 && row.blank === row.n) return 'unreported';
    const col = colStats.get(c);
    if (col && col.n > 0 && col.blank === col.n && !(o.geoSide === 'rows')) return 'unreported';
    return 'none';
  };

  const matrix: MatrixCell[][] = rowValues.map((rv) =>
    colValues.map((cv) => {
      const k = key(rv.code, cv.code);
      const raw = cells.get(k) ?? { n: 0, v: 0 };
      const g = grp.get(k) ?? { n: 0, v: 0 };
      const activities = raw.n - g.n;
      const value = o.measure === 'activities' ? activities : o.measure === 'organizations' ? (orgs.get(k) ?? 0) : Math.round((raw.v - g.v) * 100) / 100;
      const gap = activities === 0 ? classify(rv.code, cv.code) : null;
      if (gap) gaps[gap]++;
      return {
        row: rv.code,
        col: cv.code,
        value,
        activities,
        gap,
        blankOnRow: rowStats.get(rv.code)?.blank ?? 0,
        list: listQueryString(drillFilters(drillFilters(o.filters, o.rowsDim, rv.code), o.colsDim, cv.code)),
      };
    }),
  );
  // The total counts each linked group once: the records beyond the first of each group are left out.
  const gtotal = parts.find((p) => p.part === 'gtotal');
  const totalMerged = gtotal?.n ?? 0;
  return {
    rows: { dimension: o.rowsDim as Dimension, values: rowValues },
    cols: { dimension: o.colsDim as Dimension, values: colValues },
    measure: o.measure,
    currency: o.currency,
    total: total - totalMerged,
    totalBudget: Math.round((totalBudget - (gtotal?.v ?? 0)) * 100) / 100,
    list: listQueryString(o.filters),
    cells: matrix,
    gaps,
    linkedRecordsMerged: totalMerged,
  };
}
