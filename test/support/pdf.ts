/**
 * A tiny PDF writer for tests: one page per string, Helvetica text, uncompressed content
 * streams and a correct cross-reference table. `encrypted` adds an /Encrypt dictionary whose
 * keys fit no password, as a protected file would; `corrupt` cuts the file after its header.
 */
export function makePdf(pages: string[], opts: { encrypted?: boolean; corrupt?: boolean } = {}): Uint8Array<ArrayBuffer> {
  const objects: string[] = [];
  const add = (body: string) => {
    objects.push(body);
    return objects.length;
  };
  const catalog = add('');
  const pagesObj = add('');
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>');
  const kids: number[] = [];
  for (const text of pages) {
    const lines = text.split('\n').map((l) => l.replace(/[\\()]/g, (c) => `\\${c}`));
    const content = `BT /F1 12 Tf 72 720 Td 14 TL ${lines.map((l) => `(${l}) Tj T*`).join(' ')} ET`;
    const stream = add(`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`);
    kids.push(add(`<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 ${font} 0 R >> >> /Contents ${stream} 0 R >>`));
  }
  objects[catalog - 1] = `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`;
  objects[pagesObj - 1] = `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`;
  let encrypt = '';
  if (opts.encrypted) {
    const hex = (n: number) => '<' + 'ab'.repeat(n) + '>';
    const e = add(`<< /Filter /Standard /V 2 /R 3 /Length 128 /P -44 /O ${hex(32)} /U ${hex(32)} >>`);
    encrypt = ` /Encrypt ${e} 0 R /ID [${'<' + '01'.repeat(16) + '>'} ${'<' + '01'.repeat(16) + '>'}]`;
  }
  let out = '%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${encrypt} >>\nstartxref\n${xref}\n%%EOF\n`;
  const bytes = Buffer.from(out, 'latin1');
  return new Uint8Array(opts.corrupt ? bytes.subarray(0, 400) : bytes) as Uint8Array<ArrayBuffer>;
}
