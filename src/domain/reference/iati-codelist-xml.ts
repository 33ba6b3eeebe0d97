import { SaxesParser, type SaxesTag } from 'saxes';

/** The root attributes of an IATI codelist file (`<codelist name="Sector" complete="1" …>`). */
export type CodelistHeader = { name: string; lang: string; complete: boolean; categoryCodelist: string | null };
export type CodelistXmlItem = {
  code: string;
  names: Record<string, string>;
  descriptions: Record<string, string>;
  category: string | null;
  withdrawn: boolean;
};
export type CodelistXmlEvent = { kind: 'header'; header: CodelistHeader } | { kind: 'item'; item: CodelistXmlItem };

/** A file that is not a well-formed IATI codelist, with the place it went wrong. */
export class CodelistXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodelistXmlError';
  }
}

/** Not a codelist at all (another XML file in the folder, such as mapping.xml). */
export class NotACodelistError extends CodelistXmlError {}

const today = () => new Date().toISOString().slice(0, 10);

/**
 * Reads an IATI codelist XML file as a stream of events: the header (root attributes) first,
 * then one item at a time, so a large list never sits in memory whole. Names and descriptions
 * are kept per language (a narrative without xml:lang is in the file's language). An item is
 * withdrawn when its status says so or its withdrawal date has passed.
 *
 * Safe on untrusted files: the input must be UTF-8, a DOCTYPE is refused, and entities are
 * never resolved (saxes knows only the five predefined ones and character references).
 */
export async function* readCodelistXml(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<CodelistXmlEvent> {
  const parser = new SaxesParser({ position: true });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const queue: CodelistXmlEvent[] = [];
  let failure: CodelistXmlError | undefined;
  const fail = (message: string) => {
    failure ??= new CodelistXmlError(`line ${parser.line}, column ${parser.column}: ${message}`);
  };

  const stack: string[] = [];
  let header: CodelistHeader | undefined;
  let item: CodelistXmlItem | undefined;
  let text: string | null = null;
  let narrativeLang = 'en';

  parser.on('error', (err) => fail(err.message.replace(/^\d+:\d+: /, '')));
  parser.on('doctype', () => fail('a DOCTYPE declaration is not accepted in a codelist file.'));
  parser.on('opentag', (tag: SaxesTag) => {
    const parent = stack.at(-1);
    stack.push(tag.name);
    const attr = (name: string) => {
      const v = tag.attributes[name];
      return typeof v === 'string' ? v : undefined;
    };
    if (stack.length === 1) {
      if (tag.name !== 'codelist') {
        failure ??= new NotACodelistError(`the root element is <${tag.name}>, not <codelist>.`);
        return;
      }
      const name = attr('name')?.trim() ?? '';
      if (!/^[A-Za-z][A-Za-z0-9-]{1,80}$/.test(name)) return fail(`the codelist name "${name}" is missing or not a valid name.`);
      header = { name, lang: attr('xml:lang') ?? 'en', complete: attr('complete') === '1', categoryCodelist: attr('category-codelist') ?? null };
      queue.push({ kind: 'header', header });
      return;
    }
    if (tag.name === 'codelist-item' && parent === 'codelist-items') {
      const withdrawalDate = attr('withdrawal-date');
      item = {
        code: '',
        names: {},
        descriptions: {},
        category: null,
        withdrawn: attr('status') === 'withdrawn' || (withdrawalDate !== undefined && withdrawalDate <= today()),
      };
      return;
    }
    if (!item) return;
    if ((tag.name === 'code' || tag.name === 'category') && parent === 'codelist-item') text = '';
    if (tag.name === 'narrative' && (parent === 'name' || parent === 'description') && stack.at(-3) === 'codelist-item') {
      narrativeLang = attr('xml:lang') ?? header?.lang ?? 'en';
      text = '';
    }
  });
  parser.on('text', (t) => {
    if (text !== null) text += t;
  });
  parser.on('cdata', (t) => {
    if (text !== null) text += t;
  });
  parser.on('closetag', (tag) => {
    stack.pop();
    if (!item) return;
    const value = text?.trim() ?? '';
    if (tag.name === 'code' && text !== null) item.code = value;
    else if (tag.name === 'category' && text !== null) item.category = value || null;
    else if (tag.name === 'narrative' && text !== null && value) {
      const target = stack.at(-1) === 'name' ? item.names : item.descriptions;
      target[narrativeLang] ??= value;
    } else if (tag.name === 'codelist-item') {
      if (!item.code) fail('a <codelist-item> has no <code>.');
      else if (item.code.length > 100) fail(`the code "${item.code.slice(0, 40)}…" is longer than 100 characters.`);
      else queue.push({ kind: 'item', item });
      item = undefined;
    }
    text = null;
  });

  const flush = function* () {
    if (failure) throw failure;
    while (queue.length > 0) yield queue.shift()!;
  };
  for await (const chunk of chunks) {
    let s: string;
    try {
      s = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw new CodelistXmlError('the file is not valid UTF-8.');
    }
    parser.write(s);
    yield* flush();
  }
  try {
    parser.write(decoder.decode());
  } catch {
    throw new CodelistXmlError('the file is not valid UTF-8.');
  }
  parser.close();
  yield* flush();
  if (!header) throw new CodelistXmlError('the file has no <codelist> element.');
}
