import type { CoverageMatrix, MatrixCell } from '../../../domain/coordination/coverage-matrix.ts';
import type { Measure } from '../../../domain/coordination/coordination-schemas.ts';
import type { WorldMap } from '../../../domain/coordination/world-map.ts';
import type { Language } from '../../../domain/languages.ts';
import type { Translate } from '../../../i18n/i18n.ts';
import { formatNumber } from '../format.ts';
import type { PageContext } from '../page-context.ts';

/** The M49 regions a map may zoom to. */
export const ZOOM_REGIONS = ['002', '019', '142', '150', '009'] as const;

const href = (path: string, q: URLSearchParams | string) => {
  const s = q.toString();
  return s ? `${path}?${s}` : path;
};

/** A figure of a measure: a count, or an amount with its currency. */
export function formatMeasure(page: PageContext, measure: Measure, value: number, currency: string): string {
  return measure === 'budget' ? `${formatNumber(page.lang, Math.round(value))} ${currency}` : formatNumber(page.lang, value);
}

function GapMark({ page, cell }: { page: PageContext; cell: MatrixCell }) {
  if (!cell.gap) return null;
  return (
    <span class={`gap gap-${cell.gap}`} title={page.t(`coordination.gap.${cell.gap}.description`)}>
      {page.t(`coordination.gap.${cell.gap}.short`)}
    </span>
  );
}

/** The matrix as a table: every cell a link to the activity list with the same filters; empty cells say which kind of gap they are. */
export function MatrixTable({ page, matrix, caption }: { page: PageContext; matrix: CoverageMatrix; caption: string }) {
  const { t } = page;
  return (
    <div class="table-wrap matrix-wrap">
      <table class="matrix">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">
              {t(`coordination.dimension.${matrix.rows.dimension}`)} / {t(`coordination.dimension.${matrix.cols.dimension}`)}
            </th>
            {matrix.cols.values.map((c) => (
              <th scope="col">{c.label}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.values.map((r, i) => (
            <tr>
              <th scope="row">{r.label}</th>
              {matrix.cells[i]!.map((cell) => (
                <td class={cell.gap ? `matrix-gap matrix-gap-${cell.gap}` : 'matrix-value'}>
                  {cell.gap ? (
                    <GapMark page={page} cell={cell} />
                  ) : (
                    <a href={href('/activities', cell.list)} aria-label={t('coordination.matrix.cellLabel', { row: r.label, col: matrix.cols.values.find((c) => c.code === cell.col)?.label ?? cell.col, value: formatMeasure(page, matrix.measure, cell.value, matrix.currency) })}>
                      {formatMeasure(page, matrix.measure, cell.value, matrix.currency)}
                    </a>
                  )}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the three gap marks mean. */
export function GapLegend({ page }: { page: PageContext }) {
  return (
    <dl class="gap-legend">
      {(['none', 'coarser', 'unreported'] as const).map((k) => (
        <div>
          <dt>
            <span class={`gap gap-${k}`}>{page.t(`coordination.gap.${k}.short`)}</span>
          </dt>
          <dd>{page.t(`coordination.gap.${k}.description`)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The choropleth as inline SVG: each country a path with its class and a title; a legend; zoom
 * links; and the same figures as a table for screen readers and print.
 */
export function WorldMapFigure({ page, map, query, basePath, headingLevel = 2 }: { page: PageContext; map: WorldMap; query: URLSearchParams; basePath: string; headingLevel?: 2 | 3 }) {
  const { t } = page;
  const measureLabel = t(`coordination.measure.${map.measure}`);
  const zoomQuery = (code: string | null) => {
    const q = new URLSearchParams(query);
    q.delete('zoom');
    if (code) q.set('zoom', code);
    return q;
  };
  const where = map.zoom ? page.t('coordination.map.in', { region: regionName(page, map) }) : t('coordination.map.world');
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <div class="world-map">
      <nav class="map-zoom" aria-label={t('coordination.map.zoomLabel')}>
        <ul class="chip-list">
          <li>
            <a class="chip" href={href(basePath, zoomQuery(null))} aria-current={map.zoom === null ? 'true' : undefined}>
              {t('coordination.map.world')}
            </a>
          </li>
          {ZOOM_REGIONS.map((code) => (
            <li>
              <a class="chip" href={href(basePath, zoomQuery(code))} aria-current={map.zoom === code ? 'true' : undefined}>
                {t(`coordination.region.${code}`)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <figure class="map-figure">
      <MapSvg t={t} lang={page.lang} map={map} />
      <figcaption>
        <ul class="map-legend" aria-label={t('coordination.map.legend')}>
          {map.legend.map((l) => (
            <li>
              <svg class="swatch" width="18" height="14" aria-hidden="true" focusable="false">
                <rect width="18" height="14" class={`map-country ${l.className}`} />
              </svg>
              {l.kind === 'value'
                ? l.from === l.to
                  ? formatMeasure(page, map.measure, l.to!, map.currency)
                  : t('coordination.map.range', { from: formatMeasure(page, map.measure, l.from!, map.currency), to: formatMeasure(page, map.measure, l.to!, map.currency) })
                : t(`coordination.gap.${l.kind}.short`)}
            </li>
          ))}
        </ul>
      </figcaption>
      </figure>
      <div class="map-table">
        <Heading class="map-table-heading">{t('coordination.map.tableTitle', { where })}</Heading>
        {map.table.length === 0 ? (
          <p class="empty">{t('coordination.map.empty')}</p>
        ) : (
          <div class="table-wrap" tabindex={0}>
            <table class="data-table map-data">
              <caption class="visually-hidden">{t('coordination.map.tableCaption', { measure: measureLabel, where })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('coordination.dimension.country')}</th>
                  <th scope="col">{measureLabel}</th>
                  <th scope="col">{t('coordination.map.coverage')}</th>
                </tr>
              </thead>
              <tbody>
                {map.table.map((r) => (
                  <tr data-country={r.code}>
                    <th scope="row">
                      <a href={href('/activities', r.list)}>{r.name}</a>
                    </th>
                    <td>{formatMeasure(page, map.measure, r.value, map.currency)}</td>
                    <td>{r.gap ? t(`coordination.gap.${r.gap}.short`) : t('coordination.map.covered')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </div>
  );
}

function regionName(page: PageContext, map: WorldMap): string {
  return map.zoom && (ZOOM_REGIONS as readonly string[]).includes(map.zoom) ? page.t(`coordination.region.${map.zoom}`) : (map.zoom ?? '');
}

/** The map itself, as SVG: also served alone by the API (`/coordination/map.svg`). */
export function MapSvg({ t, lang, map, standalone = false }: { t: Translate; lang: Language; map: WorldMap; standalone?: boolean }) {
  const measureLabel = t(`coordination.measure.${map.measure}`);
  const titleId = `map-title-${map.zoom ?? 'world'}`;
  const descId = `map-desc-${map.zoom ?? 'world'}`;
  const where = map.zoom && (ZOOM_REGIONS as readonly string[]).includes(map.zoom) ? t(`coordination.region.${map.zoom}`) : t('coordination.map.world');
  const fmt = (v: number) => (map.measure === 'budget' ? `${formatNumber(lang, Math.round(v))} ${map.currency}` : formatNumber(lang, v));
  return (
    <svg
      class="map-svg"
      xmlns={standalone ? 'http://www.w3.org/2000/svg' : undefined}
      width={standalone ? map.width : undefined}
      height={standalone ? map.height : undefined}
      viewBox={`0 0 ${map.width} ${map.height}`}
      role="img"
      aria-labelledby={`${titleId} ${descId}`}
      preserveAspectRatio="xMidYMid meet"
    >
      <title id={titleId}>{t('coordination.map.title', { measure: measureLabel, where })}</title>
      <desc id={descId}>{t('coordination.map.desc')}</desc>
      <defs>
        <pattern id="map-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
          <rect width="6" height="6" fill="#f2f2f2" />
          <line x1="0" y1="0" x2="0" y2="6" stroke="#7a7a7a" stroke-width="2" />
        </pattern>
        {standalone && <style>{STANDALONE_STYLE}</style>}
      </defs>
      {map.countries.map((c) => {
        const figure = c.code ? `${c.name}: ${c.value > 0 ? fmt(c.value) : t(`coordination.gap.${c.gap ?? 'none'}.short`)}` : c.name;
        // No links inside the image (an image holds no controls): the table below links each country to its activities.
        return (
          <path d={c.path} class={`map-country ${c.marker ? 'map-marker ' : ''}${c.className}`} data-country={c.code ?? undefined}>
            <title>{figure}</title>
          </path>
        );
      })}
    </svg>
  );
}

/** The map's colours inside a standalone SVG file (the page takes them from app.css). */
const STANDALONE_STYLE =
  '.map-country{stroke:#fff;stroke-width:.5}.map-marker{stroke:#3d3d3d;stroke-width:.75}.map-c1{fill:#ffffcc}.map-c2{fill:#a1dab4}.map-c3{fill:#41b6c4}.map-c4{fill:#2c7fb8}.map-c5{fill:#253494}' +
  '.map-gap-none{fill:#d9d9d9}.map-gap-coarser{fill:url(#map-hatch)}.map-nodata{fill:#efefef}';
