import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCodelistXml, type CodelistXmlEvent } from '../../src/domain/reference/iati-codelist-xml.ts';
import { loadIatiCodelists, type CodelistLoadProgress } from '../../src/domain/reference/load-iati-codelists.ts';
import { getReferenceData } from '../../src/domain/reference/reference-data.ts';
import { BUILTIN_CODELISTS } from '../../src/domain/reference/builtin-codelists.ts';
import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';
import { makeUser } from '../support/factories.ts';

const OFFICIAL_DIR = path.join(SHARED_DATA_DIR, 'iati-codelists', 'xml');
const haveOfficial = fs.existsSync(path.join(OFFICIAL_DIR, 'non-embedded', 'Sector.xml'));
if (!haveOfficial) process.stdout.write(`Skipping the tests on the official IATI codelists: ${OFFICIAL_DIR} is absent.\n`);

async function events(xml: string | Uint8Array[], chunkSize = 7): Promise<CodelistXmlEvent[]> {
  async function* chunks() {
    if (Array.isArray(xml)) {
      for (const c of xml) yield c;
      return;
    }
    // Small chunks: names, tags and multi-byte characters are cut across writes.
    const bytes = Buffer.from(xml, 'utf8');
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  }
  const out: CodelistXmlEvent[] = [];
  for await (const e of readCodelistXml(chunks())) out.push(e);
  return out;
}

const SAMPLE = `<?xml version="1.0" encoding="UTF-8"?>
<codelist name="Sample" xml:lang="en" complete="1" category-codelist="SampleCategory">
  <metadata><name><narrative>Sample list</narrative></name></metadata>
  <codelist-items>
    <codelist-item status="active">
      <code>15160</code>
      <name><narrative>Human rights</narrative><narrative xml:lang="fr">Droits de la personne</narrative></name>
      <description><narrative>Rights &amp; freedoms</narrative><narrative xml:lang="fr"/></description>
      <category>151</category>
    </codelist-item>
    <codelist-item status="withdrawn" withdrawal-date="2018-08-08"><code>BYR</code><name><narrative>Rouble</narrative></name></codelist-item>
    <codelist-item activation-date="2016-11-17" withdrawal-date="2017-11-17"><code>old</code></codelist-item>
    <codelist-item withdrawal-date="2999-01-01"><code> later </code><name><narrative xml:lang="zh">以后</narrative></name></codelist-item>
  </codelist-items>
</codelist>`;

describe('readCodelistXml', () => {
  it('streams the header, then each item with names per language, category and withdrawn state', async () => {
    expect(await events(SAMPLE)).toEqual([
      { kind: 'header', header: { name: 'Sample', lang: 'en', complete: true, categoryCodelist: 'SampleCategory' } },
      { kind: 'item', item: { code: '15160', names: { en: 'Human rights', fr: 'Droits de la personne' }, descriptions: { en: 'Rights & freedoms' }, category: '151', withdrawn: false } },
      { kind: 'item', item: { code: 'BYR', names: { en: 'Rouble' }, descriptions: {}, category: null, withdrawn: true } },
      { kind: 'item', item: { code: 'old', names: {}, descriptions: {}, category: null, withdrawn: true } },
      { kind: 'item', item: { code: 'later', names: { zh: '以后' }, descriptions: {}, category: null, withdrawn: false } },
    ]);
  });

  it('refuses a DOCTYPE and never resolves an external entity', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE codelist [<!ENTITY x SYSTEM "file:///etc/passwd">]><codelist name="Xy"><codelist-items><codelist-item><code>&x;</code></codelist-item></codelist-items></codelist>`;
    await expect(events(xxe)).rejects.toThrow(/DOCTYPE/);
  });

  it('refuses bytes that are not UTF-8', async () => {
    const bad = [Buffer.from('<codelist name="Xy"><codelist-items><codelist-item><code>'), Buffer.from([0xc3, 0x28]), Buffer.from('</code></codelist-item></codelist-items></codelist>')];
    await expect(events(bad)).rejects.toThrow(/not valid UTF-8/);
  });

  it('refuses a truncated file, an item without code and a file that is not a codelist', async () => {
    await expect(events(SAMPLE.slice(0, SAMPLE.length - 40))).rejects.toThrow(/line \d+/);
    await expect(events('<codelist name="Xy"><codelist-items><codelist-item><name/></codelist-item></codelist-items></codelist>')).rejects.toThrow(/has no <code>/);
    await expect(events('<mappings><mapping/></mappings>')).rejects.toThrow(/not <codelist>/);
    await expect(events('')).rejects.toThrow();
  });
});

describe('loadIatiCodelists', () => {
  let env: TestEnv;
  let dir: string;
  beforeAll(async () => {
    env = await createTestEnv();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-codelists-'));
  });
  afterAll(async () => {
    await env?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is refused to anyone but an administrator', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    await expect(loadIatiCodelists(env.ctx(coordinator.actor), { dir })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('says clearly when the folder does not exist or holds no XML', async () => {
    await expect(loadIatiCodelists(env.ctx(), { dir: path.join(dir, 'nowhere') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(loadIatiCodelists(env.ctx(), { dir })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('loads a good file, leaves the codelist of a broken one as it was, and skips other XML', async () => {
    fs.writeFileSync(path.join(dir, 'Sample.xml'), SAMPLE);
    fs.writeFileSync(path.join(dir, 'BudgetType.xml'), '<codelist name="BudgetType" complete="1"><codelist-items><codelist-item><code>1</code></codelist-item><codelist-item><code>');
    fs.writeFileSync(path.join(dir, 'mapping.xml'), '<mappings/>');
    const progress: CodelistLoadProgress[] = [];
    const results = await loadIatiCodelists(env.ctx(), { dir }, { onProgress: (p) => progress.push(p) });
    expect(results).toEqual([
      { file: 'BudgetType.xml', status: 'failed', codelist: 'BudgetType', error: expect.stringMatching(/line \d+/) },
      { file: 'Sample.xml', status: 'loaded', codelist: 'Sample', items: 4, withdrawn: 2, complete: true },
      { file: 'mapping.xml', status: 'skipped', reason: expect.stringMatching(/<mappings>/) },
    ]);
    expect(progress.filter((p) => p.done).map((p) => p.file)).toEqual(['BudgetType.xml', 'Sample.xml', 'mapping.xml']);
    const ref = await getReferenceData(env);
    expect(ref.codelists.get('BudgetType')).toMatchObject({ origin: 'builtin' });
    expect([...ref.codelists.get('BudgetType')!.items.keys()]).toEqual(['1', '2']);
    expect(ref.codelists.get('Sample')).toMatchObject({ origin: 'official', complete: true, source: 'Sample.xml' });
    expect(ref.label('Sample', '15160', 'fr')).toBe('Droits de la personne');
    const audit = await env.db.kysely.selectFrom('audit_log').select(['action', 'record_id']).where('action', '=', 'codelist.load').execute();
    expect(audit).toEqual([{ action: 'codelist.load', record_id: 'Sample' }]);
  });

  describe.runIf(haveOfficial)('with the official IATI codelists', () => {
    it('loads every codelist with names per language, categories and withdrawn codes, replacing the built-in set', { timeout: 120_000 }, async () => {
      const results = await loadIatiCodelists(env.ctx(), { dir: OFFICIAL_DIR });
      const loaded = results.filter((r) => r.status === 'loaded');
      expect(results.filter((r) => r.status !== 'loaded')).toEqual([]);
      expect(loaded.length).toBe(70);
      const ref = await getReferenceData(env);
      for (const b of BUILTIN_CODELISTS) expect(ref.codelists.get(b.name)?.origin, b.name).toBe('official');
      const sector = ref.codelists.get('Sector')!;
      expect(sector.items.size).toBeGreaterThan(300);
      expect(sector.items.get('15190')).toMatchObject({ category: '151', withdrawn: false, names: { en: expect.stringMatching(/migration/), fr: expect.any(String) } });
      expect(sector.items.get('15162')?.withdrawn).toBe(true);
      expect(ref.codeStatus('Currency', 'BYR')).toBe('withdrawn');
      expect(ref.codeStatus('Country', 'XK')).toBe('active');
      expect(ref.codeStatus('Country', 'NA')).toBe('active');
      expect(ref.codeStatus('Sector', '11110')).toBe('active');
      expect(ref.codeStatus('Sector', '99999')).toBe('unknown');
    });

    it('changes nothing when run again, and the start-up sync leaves the official lists alone', { timeout: 120_000 }, async () => {
      const snapshot = async () =>
        env.db.kysely.selectFrom('codelist_items').select(['codelist', 'code', 'names', 'descriptions', 'category', 'withdrawn']).orderBy('codelist').orderBy('code').execute();
      const before = await snapshot();
      await loadIatiCodelists(env.ctx(), { dir: OFFICIAL_DIR });
      expect(await snapshot()).toEqual(before);
      await syncReferenceData(env, { force: true });
      expect(await snapshot()).toEqual(before);
    });

    it('has built-in tables that agree with the official lists', { timeout: 120_000 }, async () => {
      const ref = await getReferenceData(env);
      for (const list of BUILTIN_CODELISTS) {
        const official = ref.codelists.get(list.name)!;
        for (const item of list.items) {
          expect(official.items.get(item.code), `${list.name} ${item.code}`).toBeDefined();
          expect(official.items.get(item.code)!.withdrawn, `${list.name} ${item.code} withdrawn`).toBe(item.withdrawn === true);
        }
        if (list.complete) {
          const active = [...official.items.values()].filter((i) => !i.withdrawn).map((i) => i.code);
          expect(list.items.filter((i) => !i.withdrawn).map((i) => i.code).sort(), list.name).toEqual(active.sort());
        }
      }
    });
  });
});
