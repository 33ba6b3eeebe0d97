import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { afterAll, describe, expect, it } from 'vitest';
import { readXlsxRows, type SheetEvent } from '../../src/lib/spreadsheet-reader.ts';
import { sheetName, xmlText, XlsxWriter } from '../../src/lib/xlsx-writer.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-xlsx-writer-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes a workbook with `body` into a file and returns its path. */
async function workbook(name: string, body: (wb: XlsxWriter) => Promise<void>, opts: ConstructorParameters<typeof XlsxWriter>[1] = {}): Promise<string> {
  const file = path.join(dir, name);
  const out = fs.createWriteStream(file);
  const closed = new Promise<void>((resolve, reject) => out.on('close', () => resolve()).on('error', reject));
  const wb = new XlsxWriter(out, opts);
  await body(wb);
  await wb.finish();
  await closed;
  return file;
}

/** Every entry of a zip with its bytes, and whether its CRC-32 and sizes match the directory. */
function zipEntries(file: string): Promise<{ name: string; bytes: Buffer; crcOk: boolean }[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, validateEntrySizes: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out: { name: string; bytes: Buffer; crcOk: boolean }[] = [];
      zip.on('entry', (e: yauzl.Entry) => {
        zip.openReadStream(e, (err2, stream) => {
          if (err2 || !stream) return reject(err2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const bytes = Buffer.concat(chunks);
            out.push({ name: e.fileName, bytes, crcOk: zlib.crc32(bytes) === e.crc32 && bytes.length === e.uncompressedSize });
            zip.readEntry();
          });
          stream.on('error', reject);
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

async function rowsOf(file: string, sheet: string): Promise<string[][]> {
  const rows: string[][] = [];
  for await (const ev of readXlsxRows(file, sheet) as AsyncGenerator<SheetEvent>) if (ev.kind === 'row') rows.push(ev.row.cells);
  return rows;
}

describe('XLSX writer', () => {
  const tricky = ['a & b < c > d "e" \'f\'', '  leading and trailing  ', 'line one\nline two', 'الاتجار بالأشخاص', 'emoji 🧭 kept', 'bell\u0007 dropped', 'lone \uD800 surrogate dropped'];

  it('writes text, numbers and empty cells that another reader and the importer read back exactly', async () => {
    const file = await workbook('values.xlsx', async (wb) => {
      const s = await wb.addSheet('Values', { headerRows: 1, frozenRows: 1 });
      await s.addRow(['text', 'number', 'empty', 'after']);
      for (const [i, t] of tricky.entries()) await s.addRow([t, i * -1.5, null, 'x']);
      await s.end();
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const ws = wb.getWorksheet('Values')!;
    expect(ws.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(ws.getRow(2).getCell(1).font?.bold).toBeFalsy();
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const expected = ['a & b < c > d "e" \'f\'', '  leading and trailing  ', 'line one\nline two', 'الاتجار بالأشخاص', 'emoji 🧭 kept', 'bell dropped', 'lone  surrogate dropped'];
    expected.forEach((t, i) => {
      const row = ws.getRow(i + 2);
      expect(row.getCell(1).value).toBe(t);
      expect(row.getCell(2).value).toBe(i * -1.5 === 0 ? 0 : i * -1.5);
      expect(row.getCell(3).value).toBeNull();
      expect(row.getCell(4).value).toBe('x');
    });
    const read = await rowsOf(file, 'Values');
    expect(read.slice(1).map((r) => r[0])).toEqual(expected);
    expect(read[2]).toEqual(['  leading and trailing  ', '-1.5', '', 'x']);
  });

  it('writes a zip whose every part matches its checksum and sizes, with the parts a spreadsheet program needs', async () => {
    const file = await workbook('parts.xlsx', async (wb) => {
      await wb.addRows('One', [['a']]);
      await wb.addRows('Two', [[1]]);
    });
    const entries = await zipEntries(file);
    expect(entries.every((e) => e.crcOk)).toBe(true);
    expect(entries.map((e) => e.name).sort()).toEqual(
      ['[Content_Types].xml', '_rels/.rels', 'docProps/app.xml', 'docProps/core.xml', 'xl/_rels/workbook.xml.rels', 'xl/styles.xml', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml'].sort(),
    );
    const types = entries.find((e) => e.name === '[Content_Types].xml')!.bytes.toString();
    expect(types).toContain('/xl/worksheets/sheet2.xml');
  });

  it('makes sheet names valid and unique', async () => {
    expect(sheetName('Budgets: 2024/2025 [draft]?')).toBe('Budgets  2024 2025  draft');
    expect(sheetName('x'.repeat(40))).toHaveLength(31);
    expect(sheetName('***')).toBe('Sheet');
    const file = await workbook('names.xlsx', async (wb) => {
      await wb.addRows('Cells', [['a']]);
      await wb.addRows('cells', [['b']]);
      await wb.addRows('Cells', [['c']]);
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Cells', 'cells (2)', 'Cells (3)']);
    expect(wb.getWorksheet('Cells (3)')!.getRow(1).getCell(1).value).toBe('c');
  });

  it('continues a sheet that reaches the row limit on a new sheet, with its header rows repeated', async () => {
    const data = Array.from({ length: 12 }, (_, i) => [`row ${i + 1}`, i + 1]);
    const file = await workbook(
      'limit.xlsx',
      async (wb) => {
        const s = await wb.addSheet('Data', { headerRows: 2, frozenRows: 2 });
        await s.addRow(['name', 'n']);
        await s.addRow(['#name', '#n']);
        for (const r of data) await s.addRow(r);
        await s.end();
      },
      { maxRowsPerSheet: 5 },
    );
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Data', 'Data (2)', 'Data (3)', 'Data (4)']);
    const seen: unknown[] = [];
    for (const ws of wb.worksheets) {
      expect(ws.getRow(1).getCell(1).value).toBe('name');
      expect(ws.getRow(2).getCell(1).value).toBe('#name');
      expect(ws.rowCount).toBeLessThanOrEqual(5);
      for (let r = 3; r <= ws.rowCount; r++) seen.push(ws.getRow(r).getCell(1).value);
    }
    expect(seen).toEqual(data.map((d) => d[0]));
  });

  it('escapes markup in text', () => {
    expect(xmlText('<b>&"x"</b>')).toBe('&lt;b&gt;&amp;&quot;x&quot;&lt;/b&gt;');
  });

  it('waits for a slow reader instead of buffering the workbook', async () => {
    let buffered = 0;
    let received = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        received += chunk.length;
        buffered = Math.max(buffered, this.writableLength);
        setTimeout(done, 1);
      },
    });
    const wb = new XlsxWriter(slow);
    const s = await wb.addSheet('Big');
    // Random text does not compress: about 8 MB of compressed output.
    const random = (n: number) => Array.from({ length: n }, () => Math.random().toString(36).slice(2)).join(' ');
    for (let i = 0; i < 4_000; i++) await s.addRow([i, random(200)]);
    await s.end();
    await wb.finish();
    expect(received).toBeGreaterThan(4_000_000);
    // Without backpressure the reader's buffer would grow to most of the output.
    expect(buffered).toBeLessThan(256 * 1024);
  });

  it('stops with a clear error when the download is interrupted, without hanging', async () => {
    const out = new PassThrough();
    out.resume();
    const wb = new XlsxWriter(out);
    const s = await wb.addSheet('Rows');
    const random = () => Array.from({ length: 50 }, () => Math.random().toString(36).slice(2)).join(' ');
    const writing = (async () => {
      for (let i = 0; i < 100_000; i++) {
        await s.addRow([random()]);
        if (i === 2_000) out.destroy();
      }
    })();
    await expect(writing).rejects.toThrow(/interrupted/);
  });

  it('refuses rows after a sheet ended and a second open sheet', async () => {
    const out = new PassThrough();
    out.resume();
    const wb = new XlsxWriter(out);
    const s = await wb.addSheet('A');
    await expect(wb.addSheet('B')).rejects.toThrow(/End the current sheet/);
    await s.end();
    await expect(s.addRow(['x'])).rejects.toThrow(/already finished/);
    await wb.finish();
  });

  it('refuses a workbook without sheets', async () => {
    const out = new PassThrough();
    out.resume();
    await expect(new XlsxWriter(out).finish()).rejects.toThrow(/at least one sheet/);
  });
});
