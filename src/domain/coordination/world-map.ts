import { createRequire } from 'node:module';
import { geoEqualEarth, geoPath } from 'd3-geo';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import type { DomainContext } from '../context.ts';
import { LANGUAGES, type Language } from '../languages.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { mapQuerySchema, type GapKind, type Measure } from './coordination-schemas.ts';
import { coverageMatrix } from './coverage-matrix.ts';
import { MAP_POINTS } from './map-points.ts';

/**
 * The world map: a choropleth of the coverage measure by country, projected on the server
 * (Equal Earth, d3-geo) from Natural Earth's 1:110m countries (the world-atlas package). The
 * page draws it as inline SVG, so it needs no JavaScript. Geometry is projected once per zoom
 * and kept for the life of the process; only classes and titles change with the data. A country
 * with figures that this scale has no shape of (Andorra, Singapore, Bahrain, small island states)
 * is drawn as a small circle at a point of its own (map-points.ts), in the same classes.
 */

export const MAP_WIDTH = 960;
export const MAP_HEIGHT = 500;
/** Colour classes of non-zero values (a sequential ColorBrewer scale, YlGnBu, readable with colour-blindness). */
export const MAP_CLASSES = 5;

export type MapCountry = {
  code: string | null;
  m49: string;
  name: string;
  path: string;
  value: number;
  activities: number;
  /** `map-c1` … `map-c5`, `map-gap-none`, `map-gap-coarser`, or `map-nodata` for shapes without an ISO code. */
  className: string;
  /** Drawn as a small circle (a country too small for the 1:110m geometry), not as its shape. */
  marker: boolean;
  gap: GapKind | null;
  list: string | null;
};
export type MapLegendItem = { className: string; from: number | null; to: number | null; kind: 'value' | 'none' | 'coarser' };
export type WorldMap = {
  width: number;
  height: number;
  zoom: string | null;
  measure: Measure;
  currency: string;
  countries: MapCountry[];
  /** Every country with activity or a gap, for the data table (including those too small to draw at this scale). */
  table: { code: string; name: string; value: number; activities: number; gap: GapKind | null; list: string; drawn: boolean }[];
  legend: MapLegendItem[];
  total: number;
};

type Shape = { m49: string; name: string; d: string };

const require = createRequire(import.meta.url);
let features: Feature<Geometry, { name: string }>[] | undefined;
const projected = new Map<string, { shapes: Shape[]; point: (lonLat: readonly [number, number]) => [number, number] | null }>();
/** The radius of a country drawn as a circle, in the map's units. */
const MARKER_RADIUS = 3.5;

function worldFeatures(): Feature<Geometry, { name: string }>[] {
  if (!features) {
    const topo = require('world-atlas/countries-110m.json') as Topology<{ countries: GeometryCollection<{ name: string }> }>;
    const fc = feature(topo, topo.objects.countries) as FeatureCollection<Geometry, { name: string }>;
    // Antarctica (010) holds no activity and would take a fifth of the height.
    features = fc.features.filter((f) => f.id !== '010');
  }
  return features;
}

/** The M49 codes of the countries in a region (or every country). */
function countriesIn(ref: ReferenceData, zoom: string | null): Set<string> {
  const out = new Set<string>();
  for (const c of ref.countries.values()) {
    if (!c.m49) continue;
    if (!zoom || c.regionM49 === zoom || c.subregionM49 === zoom || c.intermediateM49 === zoom) out.add(c.m49);
  }
  return out;
}

/** Each shape's SVG path, projected to fit the region (or the world), and the projection of a point; computed once per zoom. */
function projection(ref: ReferenceData, zoom: string | null): { shapes: Shape[]; point: (lonLat: readonly [number, number]) => [number, number] | null } {
  const key = zoom ?? 'world';
  const hit = projected.get(key);
  if (hit) return hit;
  const all = worldFeatures();
  const inside = countriesIn(ref, zoom);
  const focus = zoom ? all.filter((f) => inside.has(String(f.id))) : all;
  const projection = geoEqualEarth().fitExtent(
    [
      [6, 6],
      [MAP_WIDTH - 6, MAP_HEIGHT - 6],
    ],
    { type: 'FeatureCollection', features: focus.length > 0 ? focus : all },
  );
  const path = geoPath(projection).digits(1);
  const out = {
    shapes: all.map((f) => ({ m49: String(f.id ?? ''), name: f.properties.name, d: path(f) ?? '' })).filter((s) => s.d !== ''),
    point: (lonLat: readonly [number, number]) => {
      const p = projection([lonLat[0], lonLat[1]]);
      return p && p[0] >= 0 && p[0] <= MAP_WIDTH && p[1] >= 0 && p[1] <= MAP_HEIGHT ? p : null;
    },
  };
  projected.set(key, out);
  return out;
}

/** A circle as an SVG path (one element type for every country on the map). */
const circlePath = ([x, y]: [number, number], r: number): string => {
  const f = (v: number) => Math.round(v * 10) / 10;
  return `M${f(x - r)},${f(y)}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0Z`;
};

/** Class breaks: the upper bound of each class, from the quantiles of the non-zero values. */
export function classBreaks(values: number[]): number[] {
  const v = values.filter((x) => x > 0).sort((a, b) => a - b);
  if (v.length === 0) return [];
  const breaks: number[] = [];
  for (let k = 1; k <= MAP_CLASSES; k++) {
    const b = v[Math.min(v.length - 1, Math.ceil((k / MAP_CLASSES) * v.length) - 1)]!;
    if (breaks.length === 0 || b > breaks.at(-1)!) breaks.push(b);
  }
  return breaks;
}

/** The class of a value: `map-c1` for the first class of non-zero values, up to `map-c5`. */
export function valueClass(value: number, breaks: number[]): string {
  const i = breaks.findIndex((b) => value <= b);
  // With fewer distinct breaks than classes, spread them over the scale so the darkest means the most.
  const k = i < 0 ? breaks.length - 1 : i;
  const step = breaks.length <= 1 ? MAP_CLASSES : Math.round((k * (MAP_CLASSES - 1)) / (breaks.length - 1)) + 1;
  return `map-c${breaks.length <= 1 ? MAP_CLASSES : step}`;
}

const pickLang = (lang: string | undefined): Language => ((LANGUAGES as readonly string[]).includes(lang ?? '') ? (lang as Language) : 'en');

/** The map of the measure under the filters, as the actor may see it, zoomed to a region if asked. */
export async function worldMap(ctx: DomainContext, input: unknown, opts: { lang?: string } = {}): Promise<WorldMap> {
  const q = mapQuerySchema.parse(input ?? {});
  const lang = pickLang(opts.lang);
  const { zoom, ...rest } = q;
  const m = await coverageMatrix(ctx, rest, { lang, rows: 'country', cols: 'all', allCountries: true });
  const ref = await getReferenceData(ctx);
  const zoomCode = zoom && ref.regions.has(zoom) ? zoom : null;
  const inside = countriesIn(ref, zoomCode);
  const byM49 = new Map<string, string>();
  for (const c of ref.countries.values()) if (c.m49) byM49.set(c.m49, c.code);
  const byCode = new Map(m.rows.values.map((r, i) => [r.code, { r, cell: m.cells[i]![0]! }]));
  const breaks = classBreaks(m.cells.map((line) => line[0]!.value));
  const classOf = (value: number, gap: GapKind | null) => (value > 0 ? valueClass(value, breaks) : gap === 'coarser' ? 'map-gap-coarser' : 'map-gap-none');

  const drawn = new Set<string>();
  const projected = projection(ref, zoomCode);
  const countries: MapCountry[] = projected.shapes.map((s) => {
    const code = byM49.get(s.m49) ?? null;
    const hit = code ? byCode.get(code) : undefined;
    if (code) drawn.add(code);
    if (!hit || !code) return { code, m49: s.m49, name: s.name, path: s.d, value: 0, activities: 0, className: 'map-nodata', marker: false, gap: null, list: null };
    return {
      code,
      m49: s.m49,
      name: hit.r.label,
      path: s.d,
      value: hit.cell.value,
      activities: hit.cell.activities,
      className: classOf(hit.cell.value, hit.cell.gap),
      marker: false,
      gap: hit.cell.gap,
      list: hit.cell.list,
    };
  });
  const listed = m.rows.values
    .map((r, i) => ({ r, cell: m.cells[i]![0]! }))
    .filter(({ r, cell }) => (!zoomCode || inside.has(ref.country(r.code)?.m49 ?? '')) && (cell.value > 0 || cell.gap === 'coarser'));
  // Every country of the table is on the map: those without a shape at this scale as a circle, above the shapes.
  for (const { r, cell } of listed) {
    const lonLat = drawn.has(r.code) ? undefined : MAP_POINTS[r.code];
    const at = lonLat ? projected.point(lonLat) : null;
    if (!at) continue;
    drawn.add(r.code);
    const m49 = ref.country(r.code)?.m49 ?? '';
    countries.push({ code: r.code, m49, name: r.label, path: circlePath(at, MARKER_RADIUS), value: cell.value, activities: cell.activities, className: classOf(cell.value, cell.gap), marker: true, gap: cell.gap, list: cell.list });
  }
  const table = listed
    .map(({ r, cell }) => ({ code: r.code, name: r.label, value: cell.value, activities: cell.activities, gap: cell.gap, list: cell.list, drawn: drawn.has(r.code) }))
    .sort((a, b) => b.value - a.value || a.name.localeCompare(b.name, lang));
  const legend: MapLegendItem[] = breaks.map((to, i) => ({ className: valueClass(to, breaks), from: i === 0 ? (m.measure === 'budget' ? 0.01 : 1) : breaks[i - 1]! + (m.measure === 'budget' ? 0.01 : 1), to, kind: 'value' as const }));
  legend.push({ className: 'map-gap-coarser', from: null, to: null, kind: 'coarser' }, { className: 'map-gap-none', from: null, to: null, kind: 'none' });
  return { width: MAP_WIDTH, height: MAP_HEIGHT, zoom: zoomCode, measure: m.measure, currency: m.currency, countries, table, legend, total: m.total };
}
