import { SaxesParser, type SaxesTag } from 'saxes';

/**
 * Streaming reader of IATI activity files. It never holds the whole document: it yields the
 * file's header (the root's attributes), then each `<iati-activity>` as a small element tree
 * built while that one activity is read and dropped once yielded. Safe on untrusted files:
 * UTF-8 only, any DOCTYPE or entity declaration refused as soon as it is seen (before the
 * parser accumulates it), entities never resolved (saxes knows only the five predefined ones),
 * an activity with an unreasonable number of elements or amount of text cut short and reported.
 */

export type XNode = { name: string; attrs: Record<string, string>; children: XNode[]; text: string; line: number };

export type IatiFileHeader = { version: string | null; lang: string | null; generated: string | null; line: number };

export type IatiXmlEvent =
  | { kind: 'header'; header: IatiFileHeader }
  | { kind: 'activity'; node: XNode; line: number; index: number; tooLarge: boolean };

export type IatiXmlErrorKind = 'malformed' | 'doctype' | 'not-iati' | 'iati-v1' | 'encoding';

/** A file the importer refuses as a whole, with where and why. */
export class IatiFileError extends Error {
  constructor(
    readonly kind: IatiXmlErrorKind,
    message: string,
    readonly line: number | null = null,
    readonly column: number | null = null,
  ) {
    super(message);
    this.name = 'IatiFileError';
  }
}

/** Limits of one activity: beyond them its tree stops growing and it is reported, not imported. */
export const MAX_ACTIVITY_ELEMENTS = 100_000;
export const MAX_ACTIVITY_TEXT = 8_000_000;

export const V1_MESSAGE =
  'IATI 1.x is not supported: this file follows version 1 of the IATI standard (or declares no version). Publish or convert it as IATI 2.01 or later and import that file.';

/** Is this version attribute an IATI 1.x one (or absent, as in 1.x-era files)? */
export const isV1Version = (v: string | null) => v === null || v.trim() === '' || /^1(\.|$)/.test(v.trim());

export async function* readIatiActivities(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<IatiXmlEvent> {
  const parser = new SaxesParser({ position: true });
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const queue: IatiXmlEvent[] = [];
  let failure: IatiFileError | undefined;
  // Events queued before the failure are whole (an activity is queued at its closing tag): they are
  // still given to the reader, so that an import keeps every activity before a break in the file.
  let queuedBeforeFailure = 0;
  const fail = (kind: IatiXmlErrorKind, message: string) => {
    if (failure) return;
    failure = new IatiFileError(kind, message, parser.line, parser.column);
    queuedBeforeFailure = queue.length;
  };

  let depth = 0;
  let rootSeen = false;
  let header: IatiFileHeader | undefined;
  let index = 0;
  // The activity being built: its element stack, and its size so far.
  let stack: XNode[] = [];
  let elements = 0;
  let textSize = 0;
  let tooLarge = false;
  let activityLine = 0;

  parser.on('error', (err) => fail('malformed', `The XML is not well-formed at line ${parser.line}, column ${parser.column}: ${err.message.replace(/^[^:]*:\d+:\d+: /, '')}`));
  parser.on('doctype', () => fail('doctype', 'A DOCTYPE declaration is not accepted: IATI files have none, and DTDs and entities are refused for safety.'));
  parser.on('opentag', (tag: SaxesTag) => {
    depth++;
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) if (typeof v === 'string') attrs[k] = v;
    if (depth === 1) {
      rootSeen = true;
      if (tag.name === 'iati-activity') return fail('iati-v1', V1_MESSAGE);
      if (tag.name !== 'iati-activities') {
        return fail('not-iati', `This is not an IATI activity file: its root element is <${tag.name}>, not <iati-activities>.${tag.name === 'iati-organisations' ? ' Organisation files are not imported as activities.' : ''}`);
      }
      header = { version: attrs.version ?? null, lang: attrs['xml:lang'] ?? null, generated: attrs['generated-datetime'] ?? null, line: parser.line };
      if (isV1Version(header.version)) return fail('iati-v1', V1_MESSAGE);
      queue.push({ kind: 'header', header });
      return;
    }
    if (depth === 2) {
      if (tag.name !== 'iati-activity') return;
      elements = 0;
      textSize = 0;
      tooLarge = false;
      activityLine = parser.line;
      stack = [{ name: tag.name, attrs, children: [], text: '', line: parser.line }];
      return;
    }
    if (stack.length === 0) return;
    const node: XNode = { name: tag.name, attrs, children: [], text: '', line: parser.line };
    if (++elements > MAX_ACTIVITY_ELEMENTS) tooLarge = true;
    if (!tooLarge) stack.at(-1)!.children.push(node);
    stack.push(node);
  });
  const onText = (t: string) => {
    if (stack.length < 2 || tooLarge) return;
    textSize += t.length;
    if (textSize > MAX_ACTIVITY_TEXT) tooLarge = true;
    else stack.at(-1)!.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', () => {
    depth--;
    if (stack.length === 0) return;
    const node = stack.pop()!;
    if (stack.length === 0) {
      if (tooLarge) node.children = [];
      queue.push({ kind: 'activity', node, line: activityLine, index: index++, tooLarge });
    }
  });

  // Before the root element, anything that declares a DTD or entities is refused at once:
  // a DOCTYPE's internal subset could otherwise be accumulated whole by the parser.
  let tail = '';
  let linesBefore = 0; // line breaks in the text before `tail`
  const guard = (s: string) => {
    if (rootSeen) return;
    const window = tail + s;
    const m = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i.exec(window);
    if (m) {
      const line = linesBefore + window.slice(0, m.index).split('\n').length;
      throw new IatiFileError('doctype', `A ${m[1]!.toUpperCase()} declaration (line ${line}) is not accepted: IATI files have none, and DTDs and entities are refused for safety.`, line, null);
    }
    const keep = window.slice(-16);
    linesBefore += window.slice(0, window.length - keep.length).split('\n').length - 1;
    tail = keep;
  };
  const flush = function* () {
    if (failure) {
      yield* queue.splice(0, queuedBeforeFailure);
      throw failure;
    }
    while (queue.length > 0) yield queue.shift()!;
  };
  for await (const chunk of chunks) {
    let s: string;
    try {
      s = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    } catch {
      throw new IatiFileError('encoding', 'The file is not valid UTF-8 (IATI files are UTF-8).', parser.line, parser.column);
    }
    guard(s);
    parser.write(s);
    yield* flush();
  }
  try {
    parser.write(decoder.decode());
  } catch {
    throw new IatiFileError('encoding', 'The file is not valid UTF-8 (IATI files are UTF-8).', parser.line, parser.column);
  }
  parser.close();
  yield* flush();
  if (!rootSeen) throw new IatiFileError('not-iati', 'The file holds no XML element: it is not an IATI activity file.');
}

/** The first child element with this name. */
export const child = (n: XNode, name: string): XNode | undefined => n.children.find((c) => c.name === name);
/** Every child element with this name. */
export const children = (n: XNode, name: string): XNode[] => n.children.filter((c) => c.name === name);
