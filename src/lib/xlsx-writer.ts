import { once } from 'node:events';
import { PassThrough, type Writable } from 'node:stream';
import zlib from 'node:zlib';
import { columnLetters } from './spreadsheet-cells.ts';

/**
 * A streaming XLSX (Office Open XML spreadsheet) writer: sheets are written one after another,
 * row by row, through a deflate stream straight into the output, so memory stays flat whatever
 * the number of rows, and a slow reader slows the writer down (real backpressure, end to end).
 *
 * The file is a zip of XML parts. Each part is written with a data descriptor after its bytes
 * (general purpose bit 3), because its size is not known before it is compressed; the central
 * directory at the end lists them. Strings are inline (no shared-strings table to hold in
 * memory); numbers are numbers; an empty cell is left out. One style beside the default: bold,
 * for header rows.
 *
 * Limits, each with a clear error or behaviour:
 * - A sheet holds at most 1,048,576 rows (the spreadsheet format's limit). A sheet that would
 *   hold more continues on a new sheet, "Name (2)", with its header rows repeated.
 * - Without ZIP64, a part or the whole file cannot pass 4 GiB: the writer stops with
 *   XlsxTooLargeError (CSV has no such limit).
 * - Characters XML cannot carry (control characters, unpaired surrogates) are dropped.
 */

export type XlsxCell = string | number | null | undefined;

export type SheetOptions = {
  /** Rows kept in view while scrolling (a frozen pane under them). */
  frozenRows?: number;
  /** The first rows are headers: bold, and repeated on a continuation sheet. */
  headerRows?: number;
  /** The first column in bold (row labels). */
  boldFirstColumn?: boolean;
  /** Column widths in characters, by 0-based column index. */
  widths?: Record<number, number>;
};

/** The workbook would pass a limit of the zip format; nothing more can be written. */
export class XlsxTooLargeError extends Error {
  constructor() {
    super('The workbook would be larger than 4 GB, more than an XLSX file written here can hold. Export CSV instead, or narrow the filters.');
    this.name = 'XlsxTooLargeError';
  }
}

/** Rows a worksheet can hold. */
export const MAX_SHEET_ROWS = 1_048_576;
/** Bytes of sheet XML gathered before they are handed to the compressor. */
const CHUNK = 64 * 1024;
const FOUR_GIB = 0xffff_ffff;
const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

// Characters XML 1.0 cannot carry, and unpaired surrogates.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ESCAPED = /[&<>"]/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

/** Text as XML character data (and attribute values): escaped, without characters XML cannot carry. */
export function xmlText(text: string): string {
  return text.replace(INVALID_XML, '').replace(ESCAPED, (c) => ENTITIES[c]!);
}

/** A sheet name the format accepts: no []:*?/\, at most 31 characters, not empty. */
export function sheetName(name: string): string {
  const clean = name.replace(/[[\]:*?/\\]/g, ' ').replace(INVALID_XML, '').trim().slice(0, 31);
  return clean || 'Sheet';
}

type Entry = { name: Buffer; offset: number; crc: number; compressed: number; size: number };

/** DOS date and time, as zip headers keep them. */
function dosDateTime(d: Date): { date: number; time: number } {
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2),
  };
}

/** Writes one row of cells as sheet XML. */
function rowXml(rowNumber: number, cells: readonly XlsxCell[], letters: string[], bold: boolean, boldFirst: boolean): string {
  let xml = `<row r="${rowNumber}">`;
  for (let i = 0; i < cells.length; i++) {
    const v = cells[i];
    if (v === null || v === undefined || v === '') continue;
    const ref = (letters[i] ??= columnLetters(i)) + rowNumber;
    const style = bold || (boldFirst && i === 0) ? ' s="1"' : '';
    if (typeof v === 'number') {
      if (Number.isFinite(v)) xml += `<c r="${ref}"${style}><v>${v}</v></c>`;
      continue;
    }
    const text = xmlText(v);
    const space = /^\s|\s$/.test(text) ? ' xml:space="preserve"' : '';
    xml += `<c r="${ref}"${style} t="inlineStr"><is><t${space}>${text}</t></is></c>`;
  }
  return `${xml}</row>`;
}

/** One worksheet being written; rows go in order. */
export class SheetWriter {
  private rows = 0;
  private buffer = '';
  private readonly headers: XlsxCell[][] = [];
  private readonly letters: string[] = [];
  private ended = false;

  /** @internal use XlsxWriter.addSheet */
  constructor(
    private readonly book: XlsxWriter,
    private part: EntryWriter,
    private readonly name: string,
    private readonly opts: SheetOptions,
    private continuation = 1,
  ) {}

  /** Adds a row. Awaiting it lets the compressor and the reader keep up (backpressure). */
  async addRow(cells: readonly XlsxCell[]): Promise<void> {
    if (this.ended) throw new Error(`The sheet "${this.name}" is already finished.`);
    if (this.rows === this.book.maxRows) await this.continueOnNewSheet();
    const header = this.rows < (this.opts.headerRows ?? 0);
    if (header && this.continuation === 1) this.headers.push([...cells]);
    this.rows++;
    this.buffer += rowXml(this.rows, cells, this.letters, header, this.opts.boldFirstColumn ?? false);
    if (this.buffer.length >= CHUNK) {
      const text = this.buffer;
      this.buffer = '';
      await this.part.write(text);
    }
  }

  /** Ends the sheet's part. */
  async end(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    await this.closePart();
    this.book.sheetEnded(this);
  }

  /** Writes the rows still gathered and the end of the worksheet, and closes its zip entry. */
  private async closePart(): Promise<void> {
    await this.part.write(`${this.buffer}</sheetData></worksheet>`);
    this.buffer = '';
    await this.part.end();
  }

  private async continueOnNewSheet(): Promise<void> {
    await this.closePart();
    this.continuation++;
    const name = `${this.name.slice(0, 31 - ` (${this.continuation})`.length)} (${this.continuation})`;
    this.part = await this.book.openSheetPart(name, this.opts);
    this.rows = 0;
    for (const h of this.headers) {
      this.rows++;
      this.buffer += rowXml(this.rows, h, this.letters, true, this.opts.boldFirstColumn ?? false);
    }
  }
}

/** One zip entry being written: its bytes deflated into the output, counted and checksummed. */
class EntryWriter {
  private crc = 0;
  private size = 0;
  private compressed = 0;
  private readonly deflate = zlib.createDeflateRaw({ level: 6 });
  private readonly done: Promise<void>;

  constructor(
    private readonly zip: ZipStream,
    private readonly entry: Entry,
  ) {
    this.deflate.on('data', (chunk: Buffer) => {
      this.compressed += chunk.length;
      let written: boolean;
      try {
        written = this.zip.push(chunk);
      } catch (err) {
        this.deflate.destroy(err as Error);
        return;
      }
      if (!written) {
        this.deflate.pause();
        this.zip.whenDrained().then(
          () => this.deflate.resume(),
          (err: unknown) => this.deflate.destroy(err as Error),
        );
      }
    });
    this.done = new Promise((resolve, reject) => {
      this.deflate.once('end', resolve);
      this.deflate.once('error', reject);
    });
    this.done.catch(() => undefined);
  }

  async write(text: string): Promise<void> {
    if (text === '') return;
    const bytes = Buffer.from(text, 'utf8');
    this.crc = zlib.crc32(bytes, this.crc);
    this.size += bytes.length;
    if (this.size > FOUR_GIB) throw new XlsxTooLargeError();
    if (!this.deflate.write(bytes)) await Promise.race([once(this.deflate, 'drain'), this.done]);
    this.zip.check();
  }

  async end(): Promise<void> {
    this.deflate.end();
    await this.done;
    Object.assign(this.entry, { crc: this.crc, size: this.size, compressed: this.compressed });
    await this.zip.finishEntry(this.entry);
  }
}

/** The zip container around the parts: local headers, data descriptors, the central directory. */
class ZipStream {
  private offset = 0;
  private failure: Error | undefined;
  readonly entries: Entry[] = [];
  private readonly stamp: { date: number; time: number };

  constructor(
    private readonly out: Writable,
    now: Date,
  ) {
    this.stamp = dosDateTime(now);
    const fail = (err: Error) => (this.failure ??= err);
    out.once('error', fail);
    out.once('close', () => {
      if (!out.writableFinished) fail(new Error('The download was interrupted.'));
    });
  }

  /** Throws if the output failed or was closed early. */
  check(): void {
    if (this.failure) throw this.failure;
  }

  /** Writes bytes to the output; false when the caller should wait for whenDrained(). */
  push(bytes: Buffer): boolean {
    this.check();
    this.offset += bytes.length;
    if (this.offset > FOUR_GIB) throw new XlsxTooLargeError();
    return this.out.write(bytes);
  }

  async whenDrained(): Promise<void> {
    this.check();
    if (!this.out.writableNeedDrain) return;
    // Whichever comes first; both listeners go again, so waits do not pile up on the output.
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
    this.check();
  }

  async openEntry(name: string): Promise<EntryWriter> {
    const entry: Entry = { name: Buffer.from(name, 'utf8'), offset: this.offset, crc: 0, compressed: 0, size: 0 };
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    h.writeUInt16LE(0x0808, 6); // bit 3: sizes in a data descriptor; bit 11: UTF-8 names
    h.writeUInt16LE(8, 8); // deflate
    h.writeUInt16LE(this.stamp.time, 10);
    h.writeUInt16LE(this.stamp.date, 12);
    // crc-32, sizes: 0 here, given in the data descriptor
    h.writeUInt16LE(entry.name.length, 26);
    if (!this.push(Buffer.concat([h, entry.name]))) await this.whenDrained();
    return new EntryWriter(this, entry);
  }

  async finishEntry(entry: Entry): Promise<void> {
    const d = Buffer.alloc(16);
    d.writeUInt32LE(0x08074b50, 0);
    d.writeUInt32LE(entry.crc >>> 0, 4);
    d.writeUInt32LE(entry.compressed, 8);
    d.writeUInt32LE(entry.size, 12);
    this.entries.push(entry);
    if (!this.push(d)) await this.whenDrained();
  }

  async writeEntry(name: string, text: string): Promise<void> {
    const e = await this.openEntry(name);
    await e.write(text);
    await e.end();
  }

  /** The central directory and its end record, then the end of the output. */
  async close(): Promise<void> {
    const start = this.offset;
    const parts: Buffer[] = [];
    for (const e of this.entries) {
      const c = Buffer.alloc(46);
      c.writeUInt32LE(0x02014b50, 0);
      c.writeUInt16LE(20, 4); // made by: 2.0
      c.writeUInt16LE(20, 6);
      c.writeUInt16LE(0x0808, 8);
      c.writeUInt16LE(8, 10);
      c.writeUInt16LE(this.stamp.time, 12);
      c.writeUInt16LE(this.stamp.date, 14);
      c.writeUInt32LE(e.crc >>> 0, 16);
      c.writeUInt32LE(e.compressed, 20);
      c.writeUInt32LE(e.size, 24);
      c.writeUInt16LE(e.name.length, 28);
      c.writeUInt32LE(e.offset, 42);
      parts.push(c, e.name);
    }
    const directory = Buffer.concat(parts);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    if (!this.push(Buffer.concat([directory, end]))) await this.whenDrained();
    this.out.end();
  }
}

/**
 * The workbook. Add sheets one at a time (`addSheet`, rows, `end`), then `finish()`; the
 * workbook's own parts (sheet list, styles, properties) are written last.
 */
export class XlsxWriter {
  private readonly zip: ZipStream;
  private readonly sheets: string[] = [];
  private open: SheetWriter | undefined;
  private readonly now: Date;
  /** @internal */
  readonly maxRows: number;

  constructor(
    out: Writable,
    private readonly opts: { creator?: string; now?: Date; /** Rows per sheet before it continues on another (tests lower it). */ maxRowsPerSheet?: number } = {},
  ) {
    this.now = opts.now ?? new Date();
    this.maxRows = opts.maxRowsPerSheet ?? MAX_SHEET_ROWS;
    this.zip = new ZipStream(out, this.now);
  }

  /** Starts a sheet; the previous one must have ended. */
  async addSheet(name: string, opts: SheetOptions = {}): Promise<SheetWriter> {
    if (this.open) throw new Error('End the current sheet before adding another.');
    const part = await this.openSheetPart(name, opts);
    this.open = new SheetWriter(this, part, name, opts);
    return this.open;
  }

  /** Adds a whole sheet from rows in memory. */
  async addRows(name: string, rows: Iterable<readonly XlsxCell[]>, opts: SheetOptions = {}): Promise<void> {
    const sheet = await this.addSheet(name, opts);
    for (const row of rows) await sheet.addRow(row);
    await sheet.end();
  }

  /** @internal */
  sheetEnded(sheet: SheetWriter): void {
    if (this.open === sheet) this.open = undefined;
  }

  /** @internal A new worksheet part, its opening XML written. */
  async openSheetPart(name: string, opts: SheetOptions): Promise<EntryWriter> {
    let unique = sheetName(name);
    for (let n = 2; this.sheets.some((s) => s.toLowerCase() === unique.toLowerCase()); n++) unique = `${sheetName(name).slice(0, 31 - ` (${n})`.length)} (${n})`;
    this.sheets.push(unique);
    const part = await this.zip.openEntry(`xl/worksheets/sheet${this.sheets.length}.xml`);
    const frozen = opts.frozenRows
      ? `<sheetViews><sheetView workbookViewId="0"${this.sheets.length === 1 ? ' tabSelected="1"' : ''}><pane ySplit="${opts.frozenRows}" topLeftCell="A${opts.frozenRows + 1}" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>`
      : `<sheetViews><sheetView workbookViewId="0"${this.sheets.length === 1 ? ' tabSelected="1"' : ''}/></sheetViews>`;
    const widths = Object.entries(opts.widths ?? {})
      .map(([i, w]) => `<col min="${Number(i) + 1}" max="${Number(i) + 1}" width="${w}" customWidth="1"/>`)
      .join('');
    await part.write(`${XML_DECL}<worksheet xmlns="${NS}" xmlns:r="${REL_NS}">${frozen}<sheetFormatPr defaultRowHeight="15"/>${widths ? `<cols>${widths}</cols>` : ''}<sheetData>`);
    return part;
  }

  /** Writes the workbook's parts and the zip's directory, and ends the output. */
  async finish(): Promise<void> {
    await this.open?.end();
    if (this.sheets.length === 0) throw new Error('A workbook needs at least one sheet.');
    const sheetParts = this.sheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('');
    await this.zip.writeEntry(
      '[Content_Types].xml',
      `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheetParts}<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`,
    );
    await this.zip.writeEntry(
      '_rels/.rels',
      `${XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId3" Type="${REL_NS}/extended-properties" Target="docProps/app.xml"/></Relationships>`,
    );
    const sheets = this.sheets.map((name, i) => `<sheet name="${xmlText(name)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('');
    await this.zip.writeEntry('xl/workbook.xml', `${XML_DECL}<workbook xmlns="${NS}" xmlns:r="${REL_NS}"><bookViews><workbookView/></bookViews><sheets>${sheets}</sheets></workbook>`);
    const rels = this.sheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('');
    await this.zip.writeEntry(
      'xl/_rels/workbook.xml.rels',
      `${XML_DECL}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${rels}<Relationship Id="rId${this.sheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/></Relationships>`,
    );
    await this.zip.writeEntry(
      'xl/styles.xml',
      `${XML_DECL}<styleSheet xmlns="${NS}"><fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font><font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`,
    );
    const created = this.now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    await this.zip.writeEntry(
      'docProps/core.xml',
      `${XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>${xmlText(this.opts.creator ?? 'ICAT Platform')}</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">${created}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${created}</dcterms:modified></cp:coreProperties>`,
    );
    await this.zip.writeEntry('docProps/app.xml', `${XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>ICAT Platform</Application></Properties>`);
    await this.zip.close();
  }
}

/** A workbook written into memory, for small files (a template, a matrix): `write` gets the output to write it to. */
export async function workbookBytes(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve, reject) => out.on('end', resolve).on('error', reject));
  await write(out);
  await ended;
  return Buffer.concat(chunks);
}
