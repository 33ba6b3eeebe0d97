import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIatiFile } from '../../bench/lib/iati-generator.ts';
import { activityDocument, applicableRules, RuleEngine, type RuleCase, type Ruleset } from '../../src/domain/iati/iati-rules.ts';
import { readIatiActivities, type XNode } from '../../src/domain/iati/iati-xml-reader.ts';
import { compileXPath, xdocument, type XItem } from '../../src/domain/iati/iati-xpath.ts';
import xpath from 'xpath';
import { SHARED_DATA_DIR } from '../support/env.ts';

/**
 * The rules compiled for the reader's tree give what the general XPath engine gives on the DOM
 * that activityDocument builds: expression by expression, and rule failure by rule failure on
 * every activity of the official example and test files, the meta-tests and generated files.
 */

const RULESETS = path.join(SHARED_DATA_DIR, 'iati-rulesets');
const SCHEMAS = path.join(SHARED_DATA_DIR, 'iati-schemas');
const haveShared = fs.existsSync(path.join(RULESETS, 'rulesets', 'standard.json')) && fs.existsSync(path.join(SCHEMAS, 'MANIFEST-expected-results.csv'));
if (!haveShared) process.stdout.write(`Skipping the compiled-rules comparisons on the official files: ${SHARED_DATA_DIR} is absent (set ICAT_SHARED_DATA).\n`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-iati-xpath-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function activitiesOf(file: string): Promise<XNode[]> {
  const out: XNode[] = [];
  try {
    for await (const ev of readIatiActivities(fs.createReadStream(file) as AsyncIterable<Buffer>)) if (ev.kind === 'activity' && !ev.tooLarge) out.push(ev.node);
  } catch {
    // A file refused as a whole keeps the activities read before its break.
  }
  return out;
}

const parseXmlAll = async (xml: string) => {
  const file = path.join(tmp, `doc-${Math.random().toString(36).slice(2)}.xml`);
  fs.writeFileSync(file, xml);
  return activitiesOf(file);
};
const parseXml = async (xml: string) => (await parseXmlAll(xml))[0]!;

/** The general engine's value of an expression on a DOM node, in the compiled engine's terms. */
function general(expr: string, node: unknown): unknown {
  const r = (xpath as unknown as { parse(e: string): { evaluate(o: { node: unknown }): { toArray?: () => unknown[]; constructor: { name: string }; booleanValue(): boolean; numberValue(): number; stringValue(): string } } })
    .parse(expr)
    .evaluate({ node });
  if (typeof r.toArray === 'function') return r.toArray().map((n) => (n as { textContent?: string; value?: string; nodeValue?: string; nodeType: number }).nodeType === 2 ? (n as { value: string }).value : (n as { textContent: string }).textContent);
  const kind = r.constructor.name;
  return kind === 'XBoolean' ? r.booleanValue() : kind === 'XNumber' ? r.numberValue() : r.stringValue();
}
function compiled(expr: string, activity: XNode): unknown {
  const [el] = compileXPath('/iati-activities/iati-activity')!.evaluate(xdocument(activity)) as XItem[];
  const v = compileXPath(expr)!.evaluate(el!);
  if (!Array.isArray(v)) return v;
  return v.map((n) => (n.kind === 'attribute' || n.kind === 'text' ? n.value : textContent(n.kind === 'root' ? null : n.node)));
}
const textContent = (n: XNode | null): string => (n ? n.text + n.children.map(textContent).join('') : '');

describe('compiled XPath on the reader’s tree', () => {
  const xml = `<iati-activities version="2.03"><iati-activity xml:lang="en" default-currency="EUR">
  <iati-identifier> XM-1-A </iati-identifier>
  <title><narrative>T one</narrative><narrative xml:lang="fr">T deux</narrative></title>
  <sector vocabulary="1" code="15160" percentage="60"/><sector vocabulary="1" code="15180" percentage=" 40 "/>
  <sector vocabulary="98" code="X"><narrative>own</narrative></sector><sector code="11110" percentage="5."/>
  <recipient-country code="KE" percentage="100"/><recipient-region vocabulary="2" code="298" percentage=""/>
  <result><indicator measure="1"><reference code="A"/><reference code="B"/><baseline value="1e3"/><period><target value="-2.5"/></period></indicator></result>
</iati-activity></iati-activities>`;
  const cases = [
    'iati-identifier',
    'count(sector)',
    "count(sector[@vocabulary = '1'])",
    'count(sector[@vocabulary=98 or @vocabulary=99]/narrative) >= count(sector[@vocabulary=98 or @vocabulary=99])',
    "sector[@vocabulary='' or @vocabulary='1' or not(@vocabulary)]/@percentage",
    'sector/@percentage = 40',
    'sector/@percentage = 5',
    'sector/@percentage > 50',
    "sector/@percentage = '60'",
    'sector/@percentage != 60',
    'recipient-region/@percentage = 0',
    'not(recipient-country/@percentage) or recipient-country/@percentage = 100',
    'count(recipient-region) + count(recipient-country) > 1',
    '@xml:lang',
    "title/narrative[@xml:lang='fr']",
    'title/narrative/text()',
    'title',
    'result/indicator/reference[1]/@code',
    'result/indicator/reference[2]/@code',
    'result/indicator/baseline/../reference[1]',
    'number(result/indicator/baseline/@value) = result/indicator/baseline/@value',
    'number(result/indicator/period/target/@value) = result/indicator/period/target/@value',
    'number(iati-identifier)',
    '/iati-activities/iati-activity/result/indicator[@measure=\'1\']/period/target',
    '//narrative',
    'count(//narrative) = 5',
    'sector = recipient-country',
    'sector[1] = sector[1]',
    'missing',
    'count(missing) = 0',
    'not(missing) = true()',
  ];
  for (const expr of cases) {
    it(expr, async () => {
      const node = await parseXml(xml);
      if (!compileXPath(expr)) {
        // Outside the subset: the engine falls back to the general one for the activity.
        expect(expr).toMatch(/true\(\)/);
        return;
      }
      const dom = activityDocument(node).documentElement!.firstChild;
      expect(compiled(expr, node)).toEqual(general(expr, dom));
    });
  }

  it('leaves out what it does not know, for the general engine to evaluate', () => {
    for (const e of ['a | b', 'string(a)', '*', 'a/*', '.', '-1', 'a[last()]', '//a[1]', 'foo:bar', '$x', 'sum(a)', "contains(a, 'b')", '(a)[1]', "'open"]) expect(compileXPath(e), e).toBeNull();
  });

  it.skipIf(!haveShared)('compiles every expression of the standard ruleset’s applicable part', () => {
    const { ruleset } = applicableRules(JSON.parse(fs.readFileSync(path.join(RULESETS, 'rulesets', 'standard.json'), 'utf8')) as Ruleset);
    const exprs: string[] = [];
    const walk = (rule: string, c: RuleCase) => {
      for (const [k, v] of Object.entries(c)) {
        if (k === 'ruleInfo' || k === 'regex' || k === 'sum' || k === 'min' || k === 'max' || k === 'subs' || k === 'separator') continue;
        if (k === 'do') for (const [r, d] of Object.entries(v as Record<string, { cases: RuleCase[] }>)) d.cases.forEach((dc) => walk(r, dc));
        else if (!(rule === 'one_or_all' && k === 'all') && !(rule === 'date_order' && v === 'NOW')) for (const x of Array.isArray(v) ? v : [v]) if (typeof x === 'string') exprs.push(x.replaceAll('$1', '1'));
      }
    };
    for (const [context, rules] of Object.entries(ruleset)) {
      exprs.push(context);
      for (const [rule, { cases }] of Object.entries(rules)) for (const c of cases) walk(rule, c);
    }
    expect(exprs.length).toBeGreaterThan(50);
    expect(exprs.filter((e) => !compileXPath(e))).toEqual([]);
  });
});

describe.skipIf(!haveShared)('rule failures: compiled on the reader’s tree = general engine on the DOM', () => {
  const standard = applicableRules(JSON.parse(fs.readFileSync(path.join(RULESETS, 'rulesets', 'standard.json'), 'utf8')) as Ruleset).ruleset;
  const today = new Date('2025-06-01T00:00:00Z');
  const same = (ruleset: Ruleset, nodes: XNode[]) => {
    const engine = new RuleEngine(ruleset, { today });
    for (const n of nodes) expect(engine.checkActivity(n)).toEqual(engine.check(activityDocument(n)));
  };

  it('on the official example and schema test files', async () => {
    const files = fs
      .readFileSync(path.join(SCHEMAS, 'MANIFEST-expected-results.csv'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(',')[0]!)
      .filter((f) => f.endsWith('.xml'));
    let activities = 0;
    for (const f of files) {
      const nodes = await activitiesOf(path.join(SCHEMAS, f));
      activities += nodes.length;
      same(standard, nodes);
    }
    expect(activities).toBeGreaterThan(100);
  });

  it('on the meta-test files, with their own rulesets and the standard one', async () => {
    const rows = fs.readFileSync(path.join(RULESETS, 'meta_tests', 'EXPECTED.csv'), 'utf8').trim().split(/\r?\n/).slice(1).map((l) => l.split(','));
    let activities = 0;
    for (const [ruleset, xml] of rows) {
      // The meta-test files declare no version, which the reader refuses as IATI 1.x.
      const nodes = await parseXmlAll(fs.readFileSync(path.join(RULESETS, xml!), 'utf8').replace('<iati-activities', '<iati-activities version="2.03"'));
      activities += nodes.length;
      same(JSON.parse(fs.readFileSync(path.join(RULESETS, ruleset!), 'utf8')) as Ruleset, nodes);
      same(standard, nodes);
    }
    expect(activities).toBeGreaterThan(50);
  });

  it('on generated activities (bench/lib/iati-generator.ts)', async () => {
    const file = path.join(tmp, 'generated.xml');
    await writeIatiFile(file, 300);
    const nodes = await activitiesOf(file);
    expect(nodes.length).toBe(300);
    same(standard, nodes);
  });
});
