import fs from 'node:fs';
import path from 'node:path';

/**
 * Hostile IATI files for the iati suite: each must be refused where its DOCTYPE starts, in
 * bounded time and memory, whatever it would expand or read to.
 *
 * - an entity-expansion bomb (ten levels of ten: 10¹⁰ "lol"s once expanded);
 * - an external entity pointing at a local file;
 * - a DOCTYPE of 50 MB of comments, which a parser that collects the DOCTYPE would hold.
 */
export function writeHostileFiles(dir: string): { name: string; file: string }[] {
  const bomb = path.join(dir, 'entity-bomb.xml');
  const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
  fs.writeFileSync(bomb, `<?xml version="1.0"?>\n<!DOCTYPE iati-activities [\n${lol}\n]>\n<iati-activities version="2.03">&lol9;</iati-activities>\n`);
  const xxe = path.join(dir, 'external-entity.xml');
  fs.writeFileSync(
    xxe,
    `<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<iati-activities version="2.03"><iati-activity><iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>\n`,
  );
  const huge = path.join(dir, 'huge-doctype.xml');
  const fd = fs.openSync(huge, 'w');
  fs.writeSync(fd, '<?xml version="1.0"?>\n<!DOCTYPE x [\n');
  const comment = `<!-- ${'x'.repeat(1024 * 1024)} -->\n`;
  for (let i = 0; i < 50; i++) fs.writeSync(fd, comment);
  fs.writeSync(fd, ']>\n<iati-activities version="2.03"/>\n');
  fs.closeSync(fd);
  return [
    { name: 'entity-expansion bomb', file: bomb },
    { name: 'external entity', file: xxe },
    { name: 'DOCTYPE of 50 MB', file: huge },
  ];
}
