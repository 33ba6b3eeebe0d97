import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, parse as parseCsv } from 'csv-parse';
import { SaxesParser, type SaxesTag } from 'saxes';
import yauzl from 'yauzl';
import { columnIndex } from './spreadsheet-cells.ts';

/**
 * Reads the rows of an uploaded spreadsheet (CSV or XLSX) as a stream, for the importer:
 * bounded memory whatever the file holds, and a clear error for a file that cannot be read.
 *
 * CSV: UTF-8 (a byte-order mark is allowed; broken UTF-8 is refused naming the byte offset and
 * line), comma- or semicolon-separated (guessed from the header line).
 *
 * XLSX: the zip is read with yauzl and the XML with saxes, both streaming. Entries are checked
 * before inflating (their number and declared sizes, against the limits below) and while
 * inflating (yauzl refuses an entry that inflates to more than it declared), so a zip bomb is
 * refused without being expanded. Formula cells and merged cells are reported, not evaluated.
 */

/** A file that cannot be read at all; the message says why and what to do. */
export class SpreadsheetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpreadsheetError';
  }
}

export type SheetRow = {
  /** The row number a spreadsheet program shows (1 = the first line). */
  row: number;
  cells: string[];
  /** Column indexes (0-based) of cells that hold a formula. */
  formulas: number[];
};
export type SheetEvent = { kind: 'row'; row: SheetRow } | { kind: 'merged'; ranges: string[] } | { kind: 'skipped'; emptyRows: number };

export type ReadLimits = {
  /** Largest total uncompressed size of the XLSX parts read. */
  maxUncompressedBytes: number;
  /** Most entries in a zip. */
  maxEntries: number;
};
export const DEFAULT_LIMITS: ReadLimits = { maxUncompressedBytes: 256 * 1024 * 1024, maxEntries: 10_000 };

const isEmpty = (cells: readonly string[]) => cells.every((c) => c.trim() === '');

// ---------------------------------------------------------------- CSV

/**
 * The offset of the first byte that is not valid UTF-8 in a chunk continuing `carry` (the
 * incomplete sequence the previous chunk ended with). Returns the invalid offset (relative to
 * the chunk, negative when inside the carry) or the bytes of an incomplete sequence at the end.
 */
function scanUtf8(bytes: Uint8Array): { invalidAt: number | null; tail: number } {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return { invalidAt: i, tail: 0 };
    if (i + need >= bytes.length) {
      // Not enough bytes left: check what there is, carry the rest to the next chunk.
      for (let k = 1; i + k < bytes.length; k++) if ((bytes[i + k]! & 0xc0) !== 0x80) return { invalidAt: i, tail: 0 };
      return { invalidAt: null, tail: bytes.length - i };
    }
    let cp = b & (need === 1 ? 0x1f : need === 2 ? 0x0f : 0x07);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]!;
      if ((c & 0xc0) !== 0x80) return { invalidAt: i, tail: 0 };
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return { invalidAt: i, tail: 0 };
    i += need + 1;
  }
  return { invalidAt: null, tail: 0 };
}

/** Checks that a file is UTF-8 throughout; refuses it naming the byte offset and line of the first bad byte. */
export async function assertUtf8File(file: string): Promise<void> {
  let offset = 0;
  let line = 1;
  let carry = Buffer.alloc(0);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 256 * 1024 })) {
    const bytes = carry.length > 0 ? Buffer.concat([carry, chunk as Buffer]) : (chunk as Buffer);
    const { invalidAt, tail } = scanUtf8(bytes);
    if (invalidAt !== null) {
      for (let k = 0; k < invalidAt; k++) if (bytes[k] === 0x0a) line++;
      const at = offset + invalidAt;
      const hex = bytes[invalidAt]!.toString(16).toUpperCase().padStart(2, '0');
      throw new SpreadsheetError(
        `The file is not valid UTF-8: byte ${at} (line ${line}) is 0x${hex}. Save it again as “CSV UTF-8”, or as an Excel workbook (.xlsx).`,
      );
    }
    const done = bytes.length - tail;
    for (let k = 0; k < done; k++) if (bytes[k] === 0x0a) line++;
    offset += done;
    carry = Buffer.from(bytes.subarray(done));
  }
  if (carry.length > 0) throw new SpreadsheetError(`The file is not valid UTF-8: it ends in the middle of a character at byte ${offset} (line ${line}). Save it again as “CSV UTF-8”.`);
}

async function firstLine(file: string): Promise<Buffer> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fd.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    const nl = head.indexOf(0x0a);
    return nl >= 0 ? head.subarray(0, nl) : head;
  } finally {
    await fd.close();
  }
}

/** Reads a CSV file's rows. Empty rows are counted, not returned. */
export async function* readCsvRows(file: string): AsyncGenerator<SheetEvent> {
  const head = await firstLine(file);
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    throw new SpreadsheetError('The file is saved as UTF-16. Save it again as “CSV UTF-8” (or as an Excel workbook).');
  }
  await assertUtf8File(file);
  const headerText = new StringDecoder('utf8').write(head);
  const delimiter = (headerText.match(/;/g)?.length ?? 0) > (headerText.match(/,/g)?.length ?? 0) ? ';' : ',';
  const parser = fs.createReadStream(file).pipe(parseCsv({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: false, info: true }));
  let row = 0;
  let empty = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      row++;
      const cells = rec.record;
      if (isEmpty(cells)) {
        empty++;
        continue;
      }
      yield { kind: 'row', row: { row, cells, formulas: [] } };
    }
  } catch (err) {
    // Every parse error of csv-parse is a CsvError (its codes are not all prefixed CSV_: INVALID_OPENING_QUOTE is not).
    if (err instanceof CsvError) {
      const e = err as CsvError & { lines?: number };
      throw new SpreadsheetError(`The CSV file cannot be read near line ${e.lines ?? row}: ${e.message.replace(/^Invalid Record Length: /, '')}. Check the quotes on that line.`);
    }
    throw err;
  }
  if (empty > 0) yield { kind: 'skipped', emptyRows: empty };
}

// ---------------------------------------------------------------- XLSX

type ZipEntries = { zip: yauzl.ZipFile; entries: Map<string, yauzl.Entry> };

function openZip(file: string, limits: ReadLimits): Promise<ZipEntries> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) {
        reject(new SpreadsheetError('The file is not an Excel workbook (.xlsx): it is not a zip archive. Save it as .xlsx or as CSV UTF-8.'));
        return;
      }
      const entries = new Map<string, yauzl.Entry>();
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName.replace(/^\//, ''), e);
        if (entries.size > limits.maxEntries) {
          zip.close();
          reject(new SpreadsheetError(`The workbook holds more than ${limits.maxEntries} parts. It is not a spreadsheet this platform can read.`));
          return;
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve({ zip, entries }));
      zip.on('error', () => reject(new SpreadsheetError('The workbook’s zip archive is damaged. Save it again and retry.')));
      zip.readEntry();
    });
  });
}

function entryStream(z: ZipEntries, name: string): Promise<NodeJS.ReadableStream> {
  const entry = z.entries.get(name);
  if (!entry) return Promise.reject(new SpreadsheetError(`The workbook lacks its part ${name}. Save it again as .xlsx.`));
  return new Promise((resolve, reject) => {
    z.zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(new SpreadsheetError(`The workbook part ${name} cannot be read: ${err?.message ?? 'unknown error'}.`));
      else resolve(stream);
    });
  });
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Runs a SAX parse over a zip entry, yielding what `onTag` queues, chunk by chunk. */
async function* parseEntry<T>(
  z: ZipEntries,
  name: string,
  handlers: (queue: T[]) => { open?: (tag: SaxesTag) => void; close?: (tag: SaxesTag) => void; text?: (t: string) => void },
): AsyncGenerator<T> {
  const parser = new SaxesParser();
  const queue: T[] = [];
  const h = handlers(queue);
  let failure: Error | undefined;
  if (h.open) parser.on('opentag', h.open);
  if (h.close) parser.on('closetag', h.close);
  if (h.text) {
    parser.on('text', h.text);
    parser.on('cdata', h.text);
  }
  parser.on('error', (e) => {
    failure ??= new SpreadsheetError(`The workbook part ${name} is not well-formed XML (${e.message.split('\n')[0]}).`);
  });
  parser.on('doctype', () => {
    failure ??= new SpreadsheetError(`The workbook part ${name} declares a DOCTYPE, which a spreadsheet never does; it is refused.`);
  });
  const decoder = new StringDecoder('utf8');
  const stream = await entryStream(z, name);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parser.write(decoder.write(chunk));
      if (failure) throw failure;
      while (queue.length > 0) yield queue.shift()!;
    }
  } catch (err) {
    if (err instanceof SpreadsheetError) throw err;
    throw new SpreadsheetError(`The workbook part ${name} cannot be read: ${(err as Error).message}. It may be damaged or a zip bomb.`);
  }
  parser.write(decoder.end());
  parser.close();
  if (failure) throw failure;
  while (queue.length > 0) yield queue.shift()!;
}

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

/** Which sheet file to read: the one named like `preferred` (case-insensitive), else the first. */
async function sheetPath(z: ZipEntries, preferred: string): Promise<{ path: string; name: string }> {
  const sheets = await collect(
    parseEntry<{ name: string; rid: string }>(z, 'xl/workbook.xml', (q) => ({
      open: (t) => {
        if (local(t.name) === 'sheet') q.push({ name: String(t.attributes.name ?? ''), rid: String(t.attributes['r:id'] ?? Object.entries(t.attributes).find(([k]) => k.endsWith(':id'))?.[1] ?? '') });
      },
    })),
  );
  if (sheets.length === 0) throw new SpreadsheetError('The workbook has no sheet.');
  const rels = new Map(
    (
      await collect(
        parseEntry<[string, string]>(z, 'xl/_rels/workbook.xml.rels', (q) => ({
          open: (t) => {
            if (local(t.name) === 'Relationship') q.push([String(t.attributes.Id ?? ''), String(t.attributes.Target ?? '')]);
          },
        })),
      )
    ).map(([id, target]) => [id, target]),
  );
  const chosen = sheets.find((s) => s.name.trim().toLowerCase() === preferred.toLowerCase()) ?? sheets[0]!;
  const target = rels.get(chosen.rid);
  if (!target) throw new SpreadsheetError(`The workbook does not say where its sheet “${chosen.name}” is. Save it again as .xlsx.`);
  const path = target.startsWith('/') ? target.slice(1) : `xl/${target.replace(/^\.\//, '')}`;
  return { path, name: chosen.name };
}

async function sharedStrings(z: ZipEntries): Promise<string[]> {
  if (!z.entries.has('xl/sharedStrings.xml')) return [];
  let inSi = false;
  let inT = false;
  let inPhonetic = false;
  let cur = '';
  return collect(
    parseEntry<string>(z, 'xl/sharedStrings.xml', (q) => ({
      open: (t) => {
        const n = local(t.name);
        if (n === 'si') [inSi, cur] = [true, ''];
        else if (n === 'rPh') inPhonetic = true;
        else if (n === 't' && inSi && !inPhonetic) inT = true;
      },
      close: (t) => {
        const n = local(t.name);
        if (n === 'si') {
          q.push(cur);
          inSi = false;
        } else if (n === 'rPh') inPhonetic = false;
        else if (n === 't') inT = false;
      },
      text: (s) => {
        if (inT) cur += s;
      },
    })),
  );
}

/**
 * Reads the rows of one sheet of an XLSX workbook (named `preferredSheet`, else the first).
 * Cell values come as text: shared and inline strings as they are, numbers as written in the
 * file, booleans as TRUE/FALSE. Empty rows are counted, not returned; a sheet of a million
 * styled but empty rows streams through in seconds without holding them.
 */
export async function* readXlsxRows(file: string, preferredSheet = 'Activities', limits: ReadLimits = DEFAULT_LIMITS): AsyncGenerator<SheetEvent> {
  const z = await openZip(file, limits);
  try {
    const wanted = ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml'];
    const sheet = await sheetPath(z, preferredSheet);
    wanted.push(sheet.path);
    let total = 0;
    for (const name of wanted) {
      const e = z.entries.get(name);
      if (!e) continue;
      total += e.uncompressedSize;
      if (e.uncompressedSize > limits.maxUncompressedBytes || total > limits.maxUncompressedBytes) {
        throw new SpreadsheetError(
          `The workbook would expand to more than ${Math.round(limits.maxUncompressedBytes / 1048576)} MB (${name} alone declares ${Math.round(e.uncompressedSize / 1048576)} MB). ` +
            'It looks like a zip bomb, or it is too large: split it into smaller files.',
        );
      }
    }
    const strings = await sharedStrings(z);

    let rowNumber = 0;
    let cells: string[] = [];
    let formulas: number[] = [];
    let col = -1;
    let type = '';
    let value = '';
    let inValue = false;
    let inInline = false;
    let hasFormula = false;
    let empty = 0;
    const merged: string[] = [];
    for await (const ev of parseEntry<SheetEvent>(z, sheet.path, (q) => ({
      open: (t) => {
        const n = local(t.name);
        if (n === 'row') {
          const r = Number(t.attributes.r);
          rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
          cells = [];
          formulas = [];
          col = -1;
        } else if (n === 'c') {
          const ref = String(t.attributes.r ?? '');
          const m = /^([A-Za-z]{1,3})\d*$/.exec(ref);
          col = m ? columnIndex(m[1]!) : col + 1;
          type = String(t.attributes.t ?? 'n');
          value = '';
          hasFormula = false;
        } else if (n === 'v') inValue = true;
        else if (n === 'is') inInline = true;
        else if (n === 'f') hasFormula = true;
        else if (n === 'mergeCell' && t.attributes.ref) merged.push(String(t.attributes.ref));
      },
      close: (t) => {
        const n = local(t.name);
        if (n === 'v') inValue = false;
        else if (n === 'is') inInline = false;
        else if (n === 'c') {
          let text = value;
          if (type === 's') text = strings[Number(value)] ?? '';
          else if (type === 'b') text = value === '1' ? 'TRUE' : 'FALSE';
          if (col >= 0 && col < 16_384) {
            if (text !== '') {
              while (cells.length < col) cells.push('');
              cells[col] = text;
            }
            if (hasFormula) formulas.push(col);
          }
        } else if (n === 'row') {
          if (isEmpty(cells) && formulas.length === 0) empty++;
          else q.push({ kind: 'row', row: { row: rowNumber, cells, formulas } });
        }
      },
      text: (s) => {
        if (inValue || inInline) value += s;
      },
    }))) {
      yield ev;
    }
    if (empty > 0) yield { kind: 'skipped', emptyRows: empty };
    if (merged.length > 0) yield { kind: 'merged', ranges: merged };
  } finally {
    z.zip.close();
  }
}

/** Is the file a zip archive (an XLSX), judging by its first bytes? */
export async function looksLikeZip(file: string): Promise<boolean> {
  const fd = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fd.read(buf, 0, 4, 0);
    return buf[0] === 0x50 && buf[1] === 0x4b;
  } finally {
    await fd.close();
  }
}
