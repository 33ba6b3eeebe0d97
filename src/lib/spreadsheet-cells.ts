/**
 * Cell text rules shared by the CSV and XLSX writers and readers.
 *
 * Formula injection: a spreadsheet program runs a cell that begins with = + - @ (or a tab or
 * carriage return before one) as a formula. Such text is written with a leading apostrophe,
 * which spreadsheet programs show as text; the reader removes exactly one apostrophe again, so
 * the value comes back unchanged. Text that already begins with apostrophes before such a
 * character gains one more, so the round trip holds for it too. Plain numbers ("-12.5") are
 * not formulas and stay as they are.
 */
const DANGEROUS = /^'*[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

export function neutraliseFormula(text: string): string {
  if (PLAIN_NUMBER.test(text)) return text;
  return DANGEROUS.test(text) ? `'${text}` : text;
}

export function restoreNeutralised(text: string): string {
  return /^'+[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/** Does a cell read from a file look like a formula someone typed (and not neutralised text)? */
export function looksLikeFormula(text: string): boolean {
  return /^=/.test(text) && !PLAIN_NUMBER.test(text);
}

/**
 * Several values in one cell, joined with " | ". A "|" or "\" inside a value is escaped with a
 * backslash so that splitting gives the values back exactly.
 */
export const LIST_SEPARATOR = ' | ';

export function joinList(values: readonly (string | number | null | undefined)[]): string {
  if (values.every((v) => v === null || v === undefined || v === '')) return '';
  return values.map((v) => (v === null || v === undefined ? '' : String(v).replace(/\\/g, '\\\\').replace(/\|/g, '\\|'))).join(LIST_SEPARATOR);
}

/** Splits a list cell into its values (trimmed); an empty cell holds none. */
export function splitList(cell: string): string[] {
  if (cell.trim() === '') return [];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < cell.length; i++) {
    const ch = cell[i]!;
    if (ch === '\\' && i + 1 < cell.length && (cell[i + 1] === '|' || cell[i + 1] === '\\')) {
      cur += cell[i + 1];
      i++;
    } else if (ch === '|') {
      out.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** A CSV field: quoted when it holds a comma, quote, or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Column letters to a 0-based index (A → 0, AA → 26). */
export function columnIndex(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n - 1;
}
/** 0-based index to column letters. */
export function columnLetters(index: number): string {
  let s = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}
