import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import xpath from 'xpath';
import type { XNode } from './iati-xml-reader.ts';
import { compileXPath, stringValue, UnsupportedXPath, xdocument, type CompiledXPath, type XEl, type XItem } from './iati-xpath.ts';

/**
 * The IATI rulesets (IATI-Rulesets, version-2.03): checks beyond the schema, written as JSON —
 * a context (an XPath selecting elements), rule names, and cases of XPath strings. This engine
 * evaluates a ruleset on a document with XPath 1.0 (`xpath` over `@xmldom/xmldom`), with the
 * semantics of the reference implementation that its meta-tests check. Expressions are compiled
 * once per ruleset. A rule that fails gives the case's id, severity and message.
 *
 * An activity read by the importer is checked on its own element tree (`checkActivity`) with the
 * expressions compiled for it (iati-xpath.ts, the subset of XPath the standard ruleset uses), a
 * few microseconds a rule instead of building a DOM and walking it with the general engine; an
 * activity that meets an expression outside that subset is checked with the general engine.
 */

export type RuleCase = Record<string, unknown> & { ruleInfo?: { id?: string; severity?: string; category?: string; message?: string } };
export type Ruleset = Record<string, Record<string, { cases: RuleCase[] }>>;
export type RuleFailure = { id: string | null; rule: string; severity: 'error' | 'warning'; message: string; context: string };

/** A compiled expression (`xpath.parse`, which the package's typings leave out). */
type Compiled = { evaluate(options: { node: unknown }): unknown };
const parseXPath = (xpath as unknown as { parse(expression: string): Compiled }).parse;
type XPathValue = { toArray?: () => Node[]; booleanValue(): boolean; numberValue(): number; stringValue(): string; constructor: { name: string } };
type Value = unknown[] | string | number | boolean;

/** How the engine reads a tree: the general XPath engine on a DOM, or compiled expressions on an XNode tree. */
type Model = { evaluate(expr: string, node: unknown): Value; textOf(node: unknown): string; everyHas(el: unknown, all: string): boolean };

export const RULE_NAMES = [
  'atleast_one',
  'no_more_than_one',
  'only_one_of',
  'one_or_all',
  'dependent',
  'sum',
  'strict_sum',
  'date_order',
  'date_now',
  'time_limit',
  'between_dates',
  'regex_matches',
  'regex_no_matches',
  'startswith',
  'unique',
  'range',
  'if_then',
  'loop',
  'no_spaces',
] as const;

/** The engine: compiled expressions, cached by their text. */
export class RuleEngine {
  private readonly cache = new Map<string, Compiled>();
  private readonly compiled = new Map<string, CompiledXPath | null>();
  private readonly regexes = new Map<string, RegExp>();
  private readonly dom: Model = { evaluate: (expr, node) => this.evaluateDom(expr, node as Node), textOf: (n) => textOf(n as Node), everyHas: (el, all) => everyHas(el as Element, all) };
  private readonly tree: Model = {
    evaluate: (expr, node) => {
      let c = this.compiled.get(expr);
      if (c === undefined) {
        c = compileXPath(expr);
        this.compiled.set(expr, c);
      }
      if (!c) throw new UnsupportedXPath();
      return c.evaluate(node as XItem);
    },
    textOf: (n) => stringValue(n as XItem),
    everyHas: (el, all) => everyHasInTree(el as XEl, all),
  };
  private model: Model = this.dom;
  constructor(
    readonly ruleset: Ruleset,
    private readonly opts: { today?: Date } = {},
  ) {}

  private compile(expr: string): Compiled {
    let c = this.cache.get(expr);
    if (!c) {
      c = parseXPath(expr);
      this.cache.set(expr, c);
    }
    return c;
  }

  private evaluate(expr: string, node: unknown): Value {
    return this.model.evaluate(expr, node);
  }

  private evaluateDom(expr: string, node: Node): Value {
    // The result's type depends on the expression: a node-set, a boolean, a number or a string.
    const r = this.compile(expr).evaluate({ node: node as never }) as unknown as XPathValue;
    if (typeof r.toArray === 'function') return r.toArray();
    const kind = r.constructor.name;
    if (kind === 'XBoolean') return r.booleanValue();
    if (kind === 'XNumber') return r.numberValue();
    return r.stringValue();
  }

  private nodes(expr: string, node: unknown): unknown[] {
    const v = this.evaluate(expr, node);
    return Array.isArray(v) ? v : [];
  }

  private truthy(expr: string, node: unknown): boolean {
    const v = this.evaluate(expr, node);
    if (Array.isArray(v)) return v.length > 0;
    if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
    if (typeof v === 'string') return v !== '';
    return v;
  }

  /** Every path's matches, one list per path. */
  private matches(paths: unknown, node: unknown): unknown[][] {
    return (Array.isArray(paths) ? paths : []).map((p) => this.nodes(String(p), node));
  }

  private texts(paths: unknown, node: unknown): string[] {
    return this.matches(paths, node).flat().map(this.model.textOf);
  }

  private firstDate(expr: unknown, node: unknown): Date | null {
    if (typeof expr !== 'string') return null;
    const first = this.nodes(expr, node)[0];
    if (!first) return null;
    return parseDate(this.model.textOf(first));
  }

  private regex(source: string): RegExp {
    let r = this.regexes.get(source);
    if (!r) {
      // Perl-style patterns: no 'u' flag, which would refuse escapes such as \& that Perl and Python accept.
      r = new RegExp(source);
      this.regexes.set(source, r);
    }
    return r;
  }

  /**
   * One case of a rule on one element: true (passes), false (fails), or null (does not apply:
   * its condition is false, or what it compares is absent).
   */
  runCase(rule: string, c: RuleCase, el: unknown): boolean | null {
    if (typeof c.condition === 'string' && !this.truthy(c.condition, el)) return null;
    switch (rule) {
      case 'atleast_one':
        return this.matches(c.paths, el).flat().length >= 1;
      case 'no_more_than_one':
        return this.matches(c.paths, el).flat().length <= 1;
      case 'only_one_of': {
        const excluded = this.matches(c.excluded, el).flat().length > 0;
        const n = this.matches(c.paths, el).filter((m) => m.length > 0).length;
        return excluded ? n === 0 : n === 1;
      }
      case 'dependent': {
        const found = this.matches(c.paths, el).map((m) => m.length > 0);
        return found.every(Boolean) || !found.some(Boolean);
      }
      case 'one_or_all':
        return this.truthy(String(c.one), el) || this.model.everyHas(el, String(c.all));
      case 'sum':
      case 'strict_sum': {
        const values = this.texts(c.paths, el);
        if (values.length === 0) return null;
        const numbers = values.map((v) => Number(v.trim()));
        if (numbers.some((n) => Number.isNaN(n))) return false;
        // Decimal sum in hundredths of a unit, as the reference sums decimals exactly.
        const total = numbers.reduce((s, n) => s + Math.round(n * 1e6), 0);
        return total === Math.round(Number(c.sum) * 1e6);
      }
      case 'date_order': {
        const less = this.firstDate(c.less, el);
        const more = typeof c.more === 'string' && c.more.toUpperCase() === 'NOW' ? this.today() : this.firstDate(c.more, el);
        if (!less || !more) return null;
        return less.getTime() <= more.getTime();
      }
      case 'date_now': {
        const d = this.firstDate(c.date, el);
        return d ? d.getTime() <= this.today().getTime() : null;
      }
      case 'time_limit': {
        const start = this.firstDate(c.start, el);
        const end = this.firstDate(c.end, el);
        if (!start || !end) return null;
        return (end.getTime() - start.getTime()) / 86_400_000 <= 365;
      }
      case 'between_dates': {
        const d = this.firstDate(c.date, el);
        const start = this.firstDate(c.start, el);
        const end = this.firstDate(c.end, el);
        if (!d || !start || !end) return null;
        return start.getTime() <= d.getTime() && d.getTime() <= end.getTime();
      }
      case 'regex_matches':
      case 'regex_no_matches': {
        const re = this.regex(String(c.regex));
        const values = this.texts(c.paths, el);
        return rule === 'regex_matches' ? values.every((v) => re.test(v)) : !values.some((v) => re.test(v));
      }
      case 'startswith': {
        const prefixes = (Array.isArray(c.prefix) ? c.prefix : typeof c.start === 'string' ? [c.start] : []).flatMap((p) => this.nodes(String(p), el).map(this.model.textOf));
        const values = this.texts(c.paths, el);
        if (values.length === 0 || prefixes.length === 0) return null;
        const sep = typeof c.separator === 'string' ? c.separator : '';
        return values.every((v) => prefixes.some((p) => v.startsWith(p + sep) || (sep === '' && v.startsWith(p))));
      }
      case 'unique': {
        const values = this.texts(c.paths, el);
        return new Set(values).size === values.length;
      }
      case 'range': {
        const values = this.texts(c.paths, el);
        if (values.length === 0) return null;
        const min = typeof c.min === 'number' ? c.min : -Infinity;
        const max = typeof c.max === 'number' ? c.max : Infinity;
        return values.every((v) => {
          const n = Number(v.trim());
          return v.trim() !== '' && !Number.isNaN(n) && n >= min && n <= max;
        });
      }
      case 'if_then':
        return !this.truthy(String(c.if), el) || this.truthy(String(c.then), el);
      case 'no_spaces':
        return this.texts(c.paths, el).every((v) => v === v.trim());
      default:
        return null;
    }
  }

  private today(): Date {
    const t = this.opts.today ?? new Date();
    return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
  }

  /** The failures of the rules of a context on one element; `loop` cases expand into their `do` rules. */
  private runRules(context: string, rules: Record<string, { cases: RuleCase[] }>, el: unknown, out: RuleFailure[]): void {
    for (const [rule, { cases }] of Object.entries(rules)) {
      for (const c of cases) {
        if (rule === 'loop') {
          const values = [...new Set(this.nodes(String(c.foreach), el).map(this.model.textOf))];
          const subs = Array.isArray(c.subs) ? (c.subs as string[]) : [];
          for (const v of values) {
            const sub = (x: unknown): unknown => (typeof x === 'string' ? x.replaceAll('$1', v) : Array.isArray(x) ? x.map(sub) : x);
            const inner = Object.fromEntries(
              Object.entries(c.do as Record<string, { cases: RuleCase[] }>).map(([r, d]) => [
                r,
                { cases: d.cases.map((dc) => Object.fromEntries(Object.entries(dc).map(([k, val]) => [k, subs.includes(k) ? sub(val) : val])) as RuleCase) },
              ]),
            );
            this.runRules(context, inner, el, out);
          }
          continue;
        }
        if (this.runCase(rule, c, el) === false) {
          const info = c.ruleInfo ?? {};
          out.push({
            id: info.id ?? null,
            rule,
            severity: info.severity === 'warning' ? 'warning' : 'error',
            message: info.message ?? `The rule ${rule} fails.`,
            context,
          });
        }
      }
    }
  }

  /** Every failure of the ruleset on the document. */
  check(doc: Document): RuleFailure[] {
    return this.run(this.dom, doc);
  }

  /**
   * Every failure of the ruleset on one activity read by the streaming reader: the same as
   * `check(activityDocument(node))`, evaluated on the reader's tree.
   */
  checkActivity(node: XNode): RuleFailure[] {
    try {
      return this.run(this.tree, xdocument(node));
    } catch (err) {
      if (!(err instanceof UnsupportedXPath)) throw err;
      return this.check(activityDocument(node));
    }
  }

  private run(model: Model, root: unknown): RuleFailure[] {
    const out: RuleFailure[] = [];
    this.model = model;
    try {
      for (const [context, rules] of Object.entries(this.ruleset)) {
        for (const el of this.nodes(context, root)) this.runRules(context, rules, el, out);
      }
    } finally {
      this.model = this.dom;
    }
    return out;
  }
}

/** `one_or_all`'s "all": every element that could carry it does. */
function everyHas(el: Element, all: string): boolean {
  const desc = (names: string[]) => {
    const found: Element[] = [];
    const walk = (e: Element) => {
      for (let c = e.firstChild; c; c = c.nextSibling) {
        if (c.nodeType !== 1) continue;
        if (names.includes((c as Element).nodeName)) found.push(c as Element);
        walk(c as Element);
      }
    };
    walk(el);
    return found;
  };
  if (all === 'lang') return desc(['narrative']).every((n) => n.hasAttribute('xml:lang'));
  if (all === 'currency') return desc(['value', 'forecast', 'loan-status']).every((n) => n.hasAttribute('currency'));
  if (all === 'sector') return desc(['transaction']).every((t) => hasChild(t, 'sector'));
  return false;
}

/** everyHas on the reader's tree. */
function everyHasInTree(el: XEl, all: string): boolean {
  const desc = (names: string[]) => {
    const found: XNode[] = [];
    const walk = (e: XNode) => {
      for (const c of e.children) {
        if (names.includes(c.name)) found.push(c);
        walk(c);
      }
    };
    walk(el.node);
    return found;
  };
  if (all === 'lang') return desc(['narrative']).every((n) => Object.hasOwn(n.attrs, 'xml:lang'));
  if (all === 'currency') return desc(['value', 'forecast', 'loan-status']).every((n) => Object.hasOwn(n.attrs, 'currency'));
  if (all === 'sector') return desc(['transaction']).every((t) => t.children.some((c) => c.name === 'sector'));
  return false;
}

const hasChild = (e: Element, name: string) => {
  for (let c = e.firstChild; c; c = c.nextSibling) if (c.nodeType === 1 && (c as Element).nodeName === name) return true;
  return false;
};

/** The text of a matched node: an attribute's value, or an element's own text. */
function textOf(n: Node): string {
  if (n.nodeType === 2) return (n as unknown as { value: string }).value;
  if (n.nodeType === 3 || n.nodeType === 4) return n.nodeValue ?? '';
  return n.textContent ?? '';
}

function parseDate(s: string): Date | null {
  const m = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return null;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Parses a document for the engine; throws on malformed XML. */
export function parseForRules(xml: string): Document {
  return new DOMParser({ onError: (level, msg) => {
    if (level !== 'warning') throw new Error(msg);
  } }).parseFromString(xml, 'text/xml');
}

/** One activity read by the streaming reader, as a document of its own for the rules. */
export function activityDocument(node: XNode): Document {
  const doc = new DOMParser().parseFromString('<iati-activities/>', 'text/xml');
  const build = (n: XNode): Element => {
    const e = doc.createElement(n.name);
    for (const [k, v] of Object.entries(n.attrs)) {
      // xml:lang must sit in the XML namespace for XPath's @xml:lang to find it.
      if (k.startsWith('xml:')) e.setAttributeNS('http://www.w3.org/XML/1998/namespace', k, v);
      else e.setAttribute(k, v);
    }
    if (n.text) e.appendChild(doc.createTextNode(n.text));
    for (const c of n.children) e.appendChild(build(c));
    return e;
  };
  doc.documentElement!.appendChild(build(node));
  return doc;
}

/** Elements the registry does not keep: rules about them are not run on imports. */
const NOT_STORED = [
  'transaction',
  'aid-type',
  'default-aid-type',
  'other-identifier',
  'owner-org',
  'provider-org',
  'receiver-org',
  'planned-disbursement',
  'policy-marker',
  'country-budget-items',
  'budget-item',
  'capital-spend',
  'document-link',
  'humanitarian-scope',
  'crs-add',
  'fss',
  'conditions',
  'legacy-data',
];
const NOT_STORED_STEP = new RegExp(`(^|[/\\[(|\\s"'])(${NOT_STORED.join('|')})(?![A-Za-z0-9-])`);

export type ExcludedRule = { context: string; rule: string; id: string | null; reason: string };

/**
 * The part of a ruleset that applies to what the platform stores: activity contexts only,
 * without the cases about elements it does not keep, nor those that need the IATI Registry's
 * lists of publishers (`idCondition`). What is left out is listed with its reason.
 */
export function applicableRules(ruleset: Ruleset): { ruleset: Ruleset; excluded: ExcludedRule[] } {
  const out: Ruleset = {};
  const excluded: ExcludedRule[] = [];
  for (const [context, rules] of Object.entries(ruleset)) {
    const idOf = (c: RuleCase) => c.ruleInfo?.id ?? (c.do ? Object.values(c.do as Record<string, { cases: RuleCase[] }>).flatMap((d) => d.cases.map((x) => x.ruleInfo?.id ?? '')).filter(Boolean).join(', ') || null : null);
    for (const [rule, { cases }] of Object.entries(rules)) {
      for (const c of cases) {
        const text = JSON.stringify({ ...c, ruleInfo: undefined });
        let reason: string | null = null;
        if (context.includes('iati-organisation')) reason = 'organisation files are not imported';
        else if (!context.includes('iati-activity') && !context.startsWith('//')) reason = 'not an activity context';
        else if (c.idCondition) reason = 'needs the IATI Registry’s list of publisher identifiers, which the platform does not hold';
        else if (!(RULE_NAMES as readonly string[]).includes(rule)) reason = `the rule ${rule} is not known to the engine`;
        else if (NOT_STORED_STEP.test(context) || NOT_STORED_STEP.test(text)) reason = 'about an element the platform does not store (transactions are kept as totals only)';
        if (reason) {
          excluded.push({ context, rule, id: idOf(c), reason });
          continue;
        }
        ((out[context] ??= {})[rule] ??= { cases: [] }).cases.push(c);
      }
    }
  }
  return { ruleset: out, excluded };
}

/** A ruleset's shape, checked before it is stored. */
export function isRuleset(value: unknown): value is Ruleset {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(
    (rules) =>
      rules && typeof rules === 'object' && Object.values(rules as object).every((r) => r && typeof r === 'object' && Array.isArray((r as { cases?: unknown }).cases)),
  );
}
