import type { XNode } from './iati-xml-reader.ts';

/**
 * A compiler for the part of XPath 1.0 that the IATI standard ruleset uses — relative and
 * absolute location paths on the child, attribute, parent and descendant axes, predicates
 * (boolean or positional), `or`, `and`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `+`, string and number
 * literals, and the functions count(), not() and number() — evaluated straight on the element
 * tree of one activity read by the streaming reader (XNode), with XPath 1.0's conversions and
 * comparisons. The tree is seen as `activityDocument` builds it for the general engine: an
 * element's text, when not empty, is one text node before its child elements.
 *
 * `compileXPath` returns null for an expression outside this subset; the rule engine then
 * evaluates that activity with the general XPath engine (iati-rules.ts), so the results are
 * always those of XPath 1.0.
 */

export type XDoc = { kind: 'root'; children: XEl[] };
export type XEl = { kind: 'element'; name: string; node: XNode; parent: XEl | XDoc; children?: XEl[]; attributes?: XAttr[]; textNode?: XText | null };
export type XAttr = { kind: 'attribute'; name: string; value: string; parent: XEl };
export type XText = { kind: 'text'; value: string; parent: XEl };
export type XItem = XDoc | XEl | XAttr | XText;
export type XValue = XItem[] | string | number | boolean;

/** The document of one activity, as activityDocument builds it: `<iati-activities>` around it. */
export function xdocument(activity: XNode): XDoc {
  const doc: XDoc = { kind: 'root', children: [] };
  const wrapper: XEl = { kind: 'element', name: 'iati-activities', node: { name: 'iati-activities', attrs: {}, children: [activity], text: '', line: activity.line }, parent: doc, attributes: [], textNode: null };
  doc.children.push(wrapper);
  return doc;
}

// Children, attributes and text nodes are made on first use: most rules look at a few elements.
function elementsOf(e: XEl): XEl[] {
  if (!e.children) e.children = e.node.children.map((n) => ({ kind: 'element', name: n.name, node: n, parent: e }));
  return e.children;
}
function attributesOf(e: XEl): XAttr[] {
  if (!e.attributes) e.attributes = Object.entries(e.node.attrs).map(([name, value]) => ({ kind: 'attribute', name, value, parent: e }));
  return e.attributes;
}
function textNodeOf(e: XEl): XText | null {
  if (e.textNode === undefined) e.textNode = e.node.text ? { kind: 'text', value: e.node.text, parent: e } : null;
  return e.textNode;
}

/** The string-value of a node (XPath 1.0): an element's is the text of all its descendants in order. */
export function stringValue(n: XItem): string {
  if (n.kind === 'attribute' || n.kind === 'text') return n.value;
  if (n.kind === 'root') return n.children.map(stringValue).join('');
  const text = (x: XNode): string => x.text + x.children.map(text).join('');
  return text(n.node);
}

/** number(): a string is a number in XPath's notation or NaN (as the general engine reads it). */
const NUMBER = /^\s*-?[0-9]*\.?[0-9]+\s*$/;
export function toNumber(v: XValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const s = typeof v === 'string' ? v : v.length > 0 ? stringValue(v[0]!) : '';
  return NUMBER.test(s) ? Number.parseFloat(s) : Number.NaN;
}
const toBoolean = (v: XValue): boolean => (Array.isArray(v) ? v.length > 0 : typeof v === 'number' ? v !== 0 && !Number.isNaN(v) : typeof v === 'string' ? v !== '' : v);
type Op = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Compares two atomic values (XPath 1.0, 3.4). */
function compareAtoms(op: Op, a: string | number | boolean, b: string | number | boolean): boolean {
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (typeof a === 'boolean' || typeof b === 'boolean') eq = toBoolean(a) === toBoolean(b);
    else if (typeof a === 'number' || typeof b === 'number') eq = toNumber(a) === toNumber(b);
    else eq = a === b;
    return op === '=' ? eq : !eq;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function compare(op: Op, a: XValue, b: XValue): boolean {
  const aSet = Array.isArray(a);
  const bSet = Array.isArray(b);
  if (aSet && bSet) {
    const bs = b.map(stringValue);
    return a.some((x) => {
      const s = stringValue(x);
      return bs.some((t) => compareAtoms(op, s, t));
    });
  }
  if (aSet || bSet) {
    const set = (aSet ? a : b) as XItem[];
    const other = (aSet ? b : a) as string | number | boolean;
    // A node-set beside a boolean compares as a boolean; beside a number or a string, node by node.
    if (typeof other === 'boolean') return aSet ? compareAtoms(op, toBoolean(set), other) : compareAtoms(op, other, toBoolean(set));
    return set.some((n) => {
      const s = stringValue(n);
      const v = typeof other === 'number' ? toNumber(s) : s;
      return aSet ? compareAtoms(op, v, other) : compareAtoms(op, other, v);
    });
  }
  return compareAtoms(op, a as string | number | boolean, b as string | number | boolean);
}

// ---- Syntax -------------------------------------------------------------------------------

type Step = { axis: 'child' | 'attribute' | 'parent' | 'descendant'; test: string | 'node()' | 'text()'; predicates: Expr[] };
type Expr =
  | { t: 'or' | 'and'; a: Expr; b: Expr }
  | { t: 'cmp'; op: Op; a: Expr; b: Expr }
  | { t: 'add'; a: Expr; b: Expr }
  | { t: 'lit'; v: string | number }
  | { t: 'fn'; name: 'count' | 'not' | 'number'; args: Expr[] }
  | { t: 'path'; absolute: boolean; steps: Step[] };

class Unsupported extends Error {}

type Token = { k: 'name' | 'str' | 'num' | 'op'; v: string };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (['!=', '<=', '>=', '//', '..'].includes(two)) {
      out.push({ k: 'op', v: two });
      i += 2;
      continue;
    }
    if ('/[]()=<>@+,'.includes(c)) {
      out.push({ k: 'op', v: c });
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = s.indexOf(c, i + 1);
      if (end < 0) throw new Unsupported();
      out.push({ k: 'str', v: s.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const num = /^(\d+(\.\d*)?|\.\d+)/.exec(s.slice(i));
    if (num) {
      out.push({ k: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    // A name: letters, digits, '-', '_', '.', and one prefix separator ':'.
    const name = /^[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?/.exec(s.slice(i));
    if (name) {
      out.push({ k: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    // '.', '*', '|', '-', '$', '::' and the rest are outside the subset.
    throw new Unsupported();
  }
  return out;
}

function parse(source: string): Expr {
  const tokens = tokenize(source);
  let p = 0;
  const peek = () => tokens[p];
  const isOp = (v: string) => peek()?.k === 'op' && peek()!.v === v;
  const isName = (v: string) => peek()?.k === 'name' && peek()!.v === v;
  const expect = (v: string) => {
    if (!isOp(v)) throw new Unsupported();
    p++;
  };

  const orExpr = (): Expr => {
    let a = andExpr();
    while (isName('or')) {
      p++;
      a = { t: 'or', a, b: andExpr() };
    }
    return a;
  };
  const andExpr = (): Expr => {
    let a = equality();
    while (isName('and')) {
      p++;
      a = { t: 'and', a, b: equality() };
    }
    return a;
  };
  const equality = (): Expr => {
    let a = relational();
    while (isOp('=') || isOp('!=')) {
      const op = tokens[p++]!.v as Op;
      a = { t: 'cmp', op, a, b: relational() };
    }
    return a;
  };
  const relational = (): Expr => {
    let a = additive();
    while (isOp('<') || isOp('<=') || isOp('>') || isOp('>=')) {
      const op = tokens[p++]!.v as Op;
      a = { t: 'cmp', op, a, b: additive() };
    }
    return a;
  };
  const additive = (): Expr => {
    let a = primary();
    while (isOp('+')) {
      p++;
      a = { t: 'add', a, b: primary() };
    }
    return a;
  };
  const primary = (): Expr => {
    const tok = peek();
    if (!tok) throw new Unsupported();
    if (tok.k === 'str') {
      p++;
      return { t: 'lit', v: tok.v };
    }
    if (tok.k === 'num') {
      p++;
      return { t: 'lit', v: Number(tok.v) };
    }
    if (tok.k === 'op' && tok.v === '(') {
      p++;
      const e = orExpr();
      expect(')');
      // A filter expression on a parenthesised expression, `(…)[1]` or `(…)/x`, is outside the subset.
      if (isOp('[') || isOp('/') || isOp('//')) throw new Unsupported();
      return e;
    }
    if (tok.k === 'name' && tokens[p + 1]?.k === 'op' && tokens[p + 1]!.v === '(' && tok.v !== 'text' && tok.v !== 'node') {
      const name = tok.v;
      if (name !== 'count' && name !== 'not' && name !== 'number') throw new Unsupported();
      p += 2;
      const args: Expr[] = [];
      if (!isOp(')')) {
        args.push(orExpr());
        while (isOp(',')) {
          p++;
          args.push(orExpr());
        }
      }
      expect(')');
      if (args.length !== 1 || isOp('[') || isOp('/') || isOp('//')) throw new Unsupported();
      return { t: 'fn', name, args };
    }
    return path();
  };
  const path = (): Expr => {
    const steps: Step[] = [];
    let absolute = false;
    if (isOp('/')) {
      absolute = true;
      p++;
      // '/' alone selects the root.
      if (!peek() || !(peek()!.k === 'name' || isOp('@') || isOp('..'))) return { t: 'path', absolute, steps };
    } else if (isOp('//')) {
      absolute = true;
      p++;
      steps.push(descendant());
    }
    if (steps.length === 0) steps.push(step());
    while (isOp('/') || isOp('//')) steps.push(tokens[p++]!.v === '//' ? descendant() : step());
    return { t: 'path', absolute, steps };
  };
  // `//name` is the descendant elements of that name, in document order, when no predicate
  // follows (a positional one would count among each parent's children).
  const descendant = (): Step => {
    const s = step();
    if (s.axis !== 'child' || s.test === 'text()' || s.test === 'node()' || s.predicates.length > 0) throw new Unsupported();
    return { ...s, axis: 'descendant' };
  };
  const step = (): Step => {
    if (isOp('..')) {
      p++;
      return { axis: 'parent', test: 'node()', predicates: [] };
    }
    let axis: Step['axis'] = 'child';
    if (isOp('@')) {
      axis = 'attribute';
      p++;
    }
    const tok = peek();
    if (tok?.k !== 'name') throw new Unsupported();
    p++;
    let test = tok.v;
    if (isOp('(')) {
      // text() and node() as node tests; no other kind test.
      if ((test !== 'text' && test !== 'node') || axis === 'attribute') throw new Unsupported();
      p++;
      expect(')');
      test = `${test}()`;
    } else if (test.includes(':') && !(axis === 'attribute' && test.startsWith('xml:'))) {
      // Prefixed names other than xml: on attributes need namespaces.
      throw new Unsupported();
    }
    const predicates: Expr[] = [];
    while (isOp('[')) {
      p++;
      predicates.push(orExpr());
      expect(']');
    }
    return { axis, test, predicates };
  };

  const e = orExpr();
  if (p !== tokens.length) throw new Unsupported();
  return e;
}

// ---- Evaluation ---------------------------------------------------------------------------

function candidates(n: XItem, s: Step): XItem[] {
  switch (s.axis) {
    case 'parent':
      return n.kind === 'root' ? [] : [n.parent];
    case 'attribute': {
      if (n.kind !== 'element') return [];
      // xml:lang is in the XML namespace, as activityDocument sets it; other names have none.
      return attributesOf(n).filter((a) => a.name === s.test);
    }
    case 'descendant': {
      const out: XItem[] = [];
      const walk = (x: XEl) => {
        if (x.name === s.test) out.push(x);
        elementsOf(x).forEach(walk);
      };
      if (n.kind === 'root') n.children.forEach(walk);
      else if (n.kind === 'element') elementsOf(n).forEach(walk);
      return out;
    }
    case 'child': {
      if (n.kind !== 'root' && n.kind !== 'element') return [];
      const els = n.kind === 'root' ? n.children : elementsOf(n);
      if (s.test === 'text()') {
        const t = n.kind === 'element' ? textNodeOf(n) : null;
        return t ? [t] : [];
      }
      if (s.test === 'node()') {
        const t = n.kind === 'element' ? textNodeOf(n) : null;
        return t ? [t, ...els] : els;
      }
      return els.filter((e) => e.name === s.test);
    }
  }
}

function applyPredicates(nodes: XItem[], predicates: Expr[]): XItem[] {
  let list = nodes;
  for (const pr of predicates) {
    list = list.filter((n, i) => {
      const v = evaluate(pr, n);
      return typeof v === 'number' ? v === i + 1 : toBoolean(v);
    });
  }
  return list;
}

function unique(nodes: XItem[]): XItem[] {
  if (nodes.length < 2) return nodes;
  const seen = new Set<XItem>();
  return nodes.filter((n) => (seen.has(n) ? false : (seen.add(n), true)));
}

function rootOf(n: XItem): XItem {
  let x = n;
  while (x.kind !== 'root') x = x.parent;
  return x;
}

function evaluate(e: Expr, ctx: XItem): XValue {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'or':
      return toBoolean(evaluate(e.a, ctx)) || toBoolean(evaluate(e.b, ctx));
    case 'and':
      return toBoolean(evaluate(e.a, ctx)) && toBoolean(evaluate(e.b, ctx));
    case 'cmp':
      return compare(e.op, evaluate(e.a, ctx), evaluate(e.b, ctx));
    case 'add':
      return toNumber(evaluate(e.a, ctx)) + toNumber(evaluate(e.b, ctx));
    case 'fn': {
      const v = evaluate(e.args[0]!, ctx);
      if (e.name === 'not') return !toBoolean(v);
      if (e.name === 'number') return toNumber(v);
      if (!Array.isArray(v)) throw new Unsupported();
      return v.length;
    }
    case 'path': {
      let nodes: XItem[] = [e.absolute ? rootOf(ctx) : ctx];
      // Child, attribute and parent steps from nodes at one depth, in document order, give nodes
      // at one depth in document order; after a descendant step the nodes may be nested.
      let nested = false;
      for (const s of e.steps) {
        if (nested && nodes.length > 1) throw new Unsupported();
        const next: XItem[] = [];
        for (const n of nodes) for (const c of applyPredicates(candidates(n, s), s.predicates)) next.push(c);
        // Siblings share their parent: it is kept once.
        nodes = s.axis === 'parent' ? unique(next) : next;
        if (s.axis === 'descendant') nested = true;
      }
      return nodes;
    }
  }
}

export type CompiledXPath = { evaluate(node: XItem): XValue };

/** The expression compiled for XNode trees, or null when it is outside the subset. */
export function compileXPath(source: string): CompiledXPath | null {
  let e: Expr;
  try {
    e = parse(source);
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  return { evaluate: (node) => evaluate(e, node) };
}

export { Unsupported as UnsupportedXPath };
