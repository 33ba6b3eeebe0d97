import ExcelJS from 'exceljs';
import { csvField, neutraliseFormula } from '../../lib/spreadsheet-cells.ts';
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
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('Matrix');
  sheet.addRow(['', ...m.cols.values.map((c) => neutraliseFormula(c.label || c.code))]).font = { bold: true };
  m.cells.forEach((line, i) => {
    const row = sheet.addRow([neutraliseFormula(m.rows.values[i]!.label || m.rows.values[i]!.code), ...line.map((cell) => (cell.gap ? `(${cell.gap})` : cell.value))]);
    row.getCell(1).font = { bold: true };
  });
  sheet.getColumn(1).width = 32;
  const long = wb.addWorksheet('Cells');
  long.addRow(LONG_HEADER).font = { bold: true };
  for (const r of longRows(m)) long.addRow(r.map((v, k) => (k === 7 || k === 8 ? Number(v) : neutraliseFormula(v))));
  const buf = await wb.xlsx.writeBuffer();
  return { body: new Uint8Array(buf as ArrayBuffer), contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', fileName: `${name}.xlsx` };
}
