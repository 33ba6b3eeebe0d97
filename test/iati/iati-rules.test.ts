import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIatiFile } from '../../src/domain/iati/import-iati.ts';
import { parseForRules, RuleEngine, type Ruleset } from '../../src/domain/iati/iati-rules.ts';
import { loadIatiRuleset } from '../../src/domain/iati/iati-ruleset.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { cliWorkspace, runIcat } from '../support/cli.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';
import { makeOrg, makeUser } from '../support/factories.ts';

const RULESETS = path.join(SHARED_DATA_DIR, 'iati-rulesets');
const haveShared = fs.existsSync(path.join(RULESETS, 'meta_tests', 'EXPECTED.csv'));
if (!haveShared) process.stdout.write(`Skipping the IATI ruleset meta-tests: ${RULESETS} is absent (set ICAT_SHARED_DATA).\n`);

const rows = haveShared
  ? fs
      .readFileSync(path.join(RULESETS, 'meta_tests', 'EXPECTED.csv'), 'utf8')
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.split(','))
      .map(([ruleset, xml, expected]) => ({ ruleset: ruleset!, xml: xml!, expected: expected === 'true' }))
  : [];

describe.skipIf(!haveShared)('the IATI ruleset meta-tests (meta_tests/EXPECTED.csv)', () => {
  it('has the 83 cases', () => expect(rows.length).toBe(83));
  for (const row of rows) {
    // Every case runs: none is excluded.
    it(`${row.ruleset} on ${row.xml} → ${row.expected ? 'valid' : 'invalid'}`, () => {
      const ruleset = JSON.parse(fs.readFileSync(path.join(RULESETS, row.ruleset), 'utf8')) as Ruleset;
      const doc = parseForRules(fs.readFileSync(path.join(RULESETS, row.xml), 'utf8'));
      const failures = new RuleEngine(ruleset).check(doc);
      expect(failures.length === 0, JSON.stringify(failures)).toBe(row.expected);
    });
  }
});

describe.skipIf(!haveShared)('the IATI standard ruleset on imports', () => {
  let env: TestEnv;
  let tmp: string;
  const standard = () => JSON.parse(fs.readFileSync(path.join(RULESETS, 'rulesets', 'standard.json'), 'utf8')) as unknown;
  beforeAll(async () => {
    env = await createTestEnv();
    await makeOrg(env, { iatiRef: 'XM-RULES' });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-iati-rules-'));
  });
  afterAll(async () => {
    await env?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const activity = (id: string, body: string) =>
    `<iati-activity xml:lang="en" last-updated-datetime="2024-01-01T00:00:00Z" default-currency="EUR"><iati-identifier>${id}</iati-identifier>
<reporting-org ref="XM-RULES" type="40"><narrative>Rules</narrative></reporting-org><title><narrative>Rules test</narrative></title>
<description><narrative>Text</narrative></description><participating-org role="4" ref="XM-RULES"/><activity-status code="2"/>${body}</iati-activity>`;
  const importXml = async (name: string, activities: string[]) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, `<iati-activities version="2.03" xml:lang="en">${activities.join('\n')}</iati-activities>`);
    return importIatiFile(env.ctx(), { path: file, fileName: name });
  };
  const good = '<activity-date type="1" iso-date="2023-01-01"/><activity-date type="3" iso-date="2023-12-31"/><recipient-country code="KE"/><sector vocabulary="1" code="15180" percentage="100"/>';

  it('says so in the report while no ruleset is loaded', async () => {
    const r = await importXml('none.xml', [activity('XM-RULES-0', good)]);
    expect(r.messages.some((m) => m.rule === 'iati.rules.not-loaded' && m.severity === 'warning')).toBe(true);
  });

  it('keeps the cases that apply to what the platform stores, each left-out one with its reason; administrators only', async () => {
    const staff = await makeUser(env, { role: 'staff' });
    await expect(loadIatiRuleset(env.ctx(staff.actor), standard(), 'standard.json')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(loadIatiRuleset(env.ctx(), { '/x': { atleast_one: 'nope' } }, 'bad.json')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const r = await loadIatiRuleset(env.ctx(), standard(), 'standard.json');
    expect(r.cases).toBeGreaterThan(40);
    expect(r.excluded.length).toBeGreaterThan(40);
    expect(r.excluded.every((e) => e.reason.length > 10)).toBe(true);
    const reasonOf = (id: string) => r.excluded.find((e) => e.id === id)?.reason;
    expect(reasonOf('11.2.1')).toMatch(/does not store/); // transaction dates
    expect(reasonOf('1.14.8')).toMatch(/Registry/); // publisher identifiers
    expect(r.excluded.some((e) => e.context.includes('iati-organisation'))).toBe(true);
  });

  it('grades an imported activity by the standard’s rules without blocking it', async () => {
    const bad =
      '<activity-date type="1" iso-date="2024-06-01"/><activity-date type="3" iso-date="2024-01-01"/>' +
      '<recipient-country code="KE" percentage="60"/><recipient-country code="UG" percentage="30"/>' +
      '<sector vocabulary="1" code="15180" percentage="50"/><sector vocabulary="1" code="15160" percentage="20"/>' +
      '<budget><period-start iso-date="2023-01-01"/><period-end iso-date="2024-12-31"/><value value-date="2023-01-01">10</value></budget>';
    const r = await importXml('rules.xml', [activity('XM-RULES-1', bad), activity('XM-RULES-2', good)]);
    expect(r.counts).toMatchObject({ created: 2, failed: 0 });
    const rulesOf = (i: number) => r.messages.filter((m) => m.activity === i && m.rule?.startsWith('iati.rule.')).map((m) => m.rule);
    expect(rulesOf(0)).toEqual(expect.arrayContaining(['iati.rule.11.1.2', 'iati.rule.2.1.2', 'iati.rule.3.1.2', 'iati.rule.7.5.3']));
    expect(r.messages.find((m) => m.rule === 'iati.rule.11.1.2')).toMatchObject({ severity: 'error', identifier: 'XM-RULES-1' });
    expect(rulesOf(1)).toEqual([]);
    expect(r.messages.some((m) => m.rule === 'iati.rules.not-loaded')).toBe(false);
  });

  it('is loaded by the icat command', { timeout: 180_000 }, async () => {
    const ws = await cliWorkspace();
    try {
      const r = await runIcat(['reference', 'load-iati-rules', path.join(RULESETS, 'rulesets', 'standard.json')], { env: ws.env, timeoutMs: 150_000 });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^Loaded \d+ rule cases from .*standard\.json; \d+ left out:/);
      expect(r.stdout).toContain('organisation files are not imported');
      const missing = await runIcat(['reference', 'load-iati-rules', path.join(tmp, 'absent.json')], { env: ws.env, timeoutMs: 60_000 });
      expect(missing.code).toBe(4);
    } finally {
      await ws.close();
    }
  });
});
