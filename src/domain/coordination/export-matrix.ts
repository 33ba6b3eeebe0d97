import { csvField, neutraliseFormula } from '../../lib/spreadsheet-cells.ts';
import { workbookBytes, XlsxWriter } from '../../lib/xlsx-writer.ts';
import type { DomainContext } from '../context.ts';
import { coverageMatrix, type CoverageMatrix } from './coverage-matrix.ts';

/**
 * The coverage matrix as a file: CSV (a long table, one line per cell, so it filters and pivots
 * well) or XLSX (the matrix as shown, then the same long table on a second sheet). A matrix is
 * at most a few thousand cells, so it is built in memory.
 */
export const MATRIX_EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type MatrixExportFormat = (typeof MATRIX_EXPORT_FORMATS)[number];

export type MatrixFile = { body: Uint8Array; contentType: string; fileName: string };

const LONG_HEADER = ['row_dimension', 'row_code', 'row_label', 'column_dimension', 'column_code', 'column_label', 'measure', 'value', 'activities', 'gap', 'activity_list_query'];

function longRows(m: CoverageMatrix): string[][] {
  return m.cells.flatMap((line, i) =>
    line.map((cell, j) => {
      const r = m.rows.values[i]!;
      const c = m.cols.values[j]!;
      return [m.rows.dimension, r.code, r.label, m.cols.dimension, c.code, c.label, m.measure === 'budget' ? `budget_${m.currency}` : m.measure, String(cell.value), String(cell.activities), cell.gap ?? '', cell.list];
    }),
  );
}

/** The matrix under the query, in the format asked for, with labels in `lang`. */
export async function exportCoverageMatrix(ctx: DomainContext, input: unknown, format: MatrixExportFormat, opts: { lang?: string } = {}): Promise<MatrixFile> {
  const m = await coverageMatrix(ctx, input, { lang: opts.lang });
  const name = `coverage-${m.rows.dimension}-by-${m.cols.dimension}-${m.measure}`;
  if (format === 'csv') {
    const lines = [LONG_HEADER, ...longRows(m)].map((row) => row.map((v) => csvField(neutraliseFormula(v))).join(','));
    return { body: new TextEncoder().encode(`${lines.join('\r\n')}\r\n`), contentType: 'text/csv; charset=utf-8', fileName: `${name}.csv` };
  }
  const matrix = [
    ['', ...m.cols.values.map((c) => neutraliseFormula(c.label || c.code))],
    ...m.cells.map((line, i) => [neutraliseFormula(m.rows.values[i]!.label || m.rows.values[i]!.code), ...line.map((cell) => (cell.gap ? `(${cell.gap})` : cell.value))]),
  ];
  const buf = await workbookBytes(async (out) => {
    const wb = new XlsxWriter(out);
    await wb.addRows('Matrix', matrix, { headerRows: 1, frozenRows: 1, boldFirstColumn: true, widths: { 0: 32 } });
    await wb.addRows('Cells', [LONG_HEADER, ...longRows(m).map((r) => r.map((v, k) => (k === 7 || k === 8 ? Number(v) : neutraliseFormula(v))))], { headerRows: 1, frozenRows: 1 });
    await wb.finish();
  });
  return { body: new Uint8Array(buf), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName: `${name}.xlsx` };
}
