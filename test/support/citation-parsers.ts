/**
 * Strict readers of the citation formats, for tests: any line or token out of the grammar
 * throws, so an export that a reference manager might misread fails the test.
 */

/** RIS: "TY  - " first, "ER  - " last, every line "XX  - value" with a two-character tag. */
export function parseRisStrict(text: string): Record<string, string[]>[] {
  if (!text.endsWith('\r\n')) throw new Error('RIS must end with CRLF');
  const lines = text.slice(0, -2).split('\r\n');
  const records: Record<string, string[]>[] = [];
  let current: Record<string, string[]> | null = null;
  for (const [i, line] of lines.entries()) {
    const m = /^([A-Z][A-Z0-9]) {2}- (.*)$/.exec(line);
    if (!m) throw new Error(`RIS line ${i + 1} is not "XX  - value": ${JSON.stringify(line)}`);
    const [, tag, value] = m as unknown as [string, string, string];
    if (tag === 'TY') {
      if (current) throw new Error(`RIS line ${i + 1}: TY before ER`);
      current = { TY: [value] };
      continue;
    }
    if (!current) throw new Error(`RIS line ${i + 1}: ${tag} outside a record`);
    if (tag === 'ER') {
      if (value !== '') throw new Error('ER carries no value');
      records.push(current);
      current = null;
      continue;
    }
    if (/[\r\n]/.test(value)) throw new Error('RIS value spans lines');
    (current[tag] ??= []).push(value);
  }
  if (current) throw new Error('RIS record without ER');
  return records;
}

export type BibEntry = { type: string; key: string; fields: Record<string, string> };

/**
 * BibTeX: @type{key, name = {value} | number | month-macro, …}. Braces must balance inside
 * values, specials (& % $ # _) must be escaped, and nothing may follow an entry but space.
 */
export function parseBibtexStrict(text: string): BibEntry[] {
  const entries: BibEntry[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) throw new Error(`BibTeX: expected ${ch} at ${i}, found ${JSON.stringify(text.slice(i, i + 20))}`);
    i++;
  };
  const ident = (re: RegExp) => {
    const m = re.exec(text.slice(i));
    if (!m || m.index !== 0) throw new Error(`BibTeX: bad identifier at ${i}: ${JSON.stringify(text.slice(i, i + 20))}`);
    i += m[0].length;
    return m[0];
  };
  const braced = () => {
    expect('{');
    let depth = 1;
    const start = i;
    while (i < text.length && depth > 0) {
      const ch = text[i]!;
      if (ch === '\\') {
        i += 2;
        continue;
      }
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
      else if (/[&%$#_]/.test(ch) && depth > 0) throw new Error(`BibTeX: unescaped ${ch} at ${i}`);
      i++;
    }
    if (depth !== 0) throw new Error('BibTeX: unbalanced braces');
    return text.slice(start, i - 1);
  };
  ws();
  while (i < text.length) {
    expect('@');
    const type = ident(/^[a-z]+/);
    expect('{');
    const key = ident(/^[A-Za-z0-9_:-]+/);
    const fields: Record<string, string> = {};
    ws();
    while (text[i] === ',') {
      i++;
      ws();
      if (text[i] === '}') break;
      const name = ident(/^[a-z]+/);
      ws();
      expect('=');
      ws();
      if (fields[name] !== undefined) throw new Error(`BibTeX: field ${name} twice`);
      fields[name] = text[i] === '{' ? braced() : ident(/^([0-9]+|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/);
      ws();
    }
    expect('}');
    entries.push({ type, key, fields });
    ws();
  }
  return entries;
}
