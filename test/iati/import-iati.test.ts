import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listActivityVersionSnapshots, organizationSummaries, readActivitySearch, setActivitySearch } from '../../src/db/queries/activities.ts';
import { activityDataOf } from '../../src/domain/activities/activity-mapping.ts';
import { searchDocument } from '../../src/domain/activities/activity-search.ts';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { createActivity } from '../../src/domain/activities/save-activity.ts';
import { importIatiFile, type IatiImportReport } from '../../src/domain/iati/import-iati.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';
import { activityInput } from '../support/activities.ts';
import { makeOrg } from '../support/factories.ts';

const SCHEMAS = path.join(SHARED_DATA_DIR, 'iati-schemas');
const haveShared = fs.existsSync(path.join(SCHEMAS, 'MANIFEST-expected-results.csv'));
if (!haveShared) process.stdout.write(`Skipping the official IATI files: ${SCHEMAS} is absent (set ICAT_SHARED_DATA).\n`);

let env: TestEnv;
let org: Organization;
let tmp: string;

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env, { iatiRef: 'XM-TEST-1' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-iati-test-'));
});
afterAll(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function activityXml(id: string, opts: { updated?: string; title?: string; extra?: string; ref?: string } = {}): string {
  return `<iati-activity last-updated-datetime="${opts.updated ?? '2024-01-01T00:00:00Z'}" default-currency="EUR">
  <iati-identifier>${id}</iati-identifier>
  <reporting-org ref="${opts.ref ?? 'XM-TEST-1'}" type="40"><narrative>Test org</narrative></reporting-org>
  <title><narrative>${opts.title ?? 'Counter-trafficking support'}</narrative><narrative xml:lang="es">Apoyo contra la trata</narrative><narrative xml:lang="de">Nicht behalten</narrative></title>
  <description type="1"><narrative>Shelters and legal aid.</narrative></description>
  <description type="2"><narrative xml:lang="fr">Protéger les victimes.</narrative></description>
  <participating-org role="1" ref="XM-DONOR" type="10"><narrative>Donor</narrative></participating-org>
  <participating-org role="4" ref="XM-TEST-1" type="40"><narrative>Test org</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2023-01-01"/>
  <activity-date type="2" iso-date="2023-02-01"/>
  <activity-date type="3" iso-date="2025-12-31"/>
  <recipient-country code="NA" percentage="60"/>
  <recipient-country code="ZA" percentage="40"/>
  <recipient-region code="202" vocabulary="2" percentage="100"/>
  <location ref="L1"><name><narrative>Windhoek</narrative></name><administrative vocabulary="G1" level="1" code="1000"/><point srsName="http://www.opengis.net/def/crs/EPSG/0/4326"><pos>-22.56 17.08</pos></point><exactness code="1"/><location-class code="2"/><feature-designation code="PPLC"/></location>
  <sector vocabulary="1" code="15180" percentage="70"/>
  <sector vocabulary="1" code="15160" percentage="30"/>
  <tag vocabulary="3" code="8.7"/>
  <budget type="1" status="1"><period-start iso-date="2023-01-01"/><period-end iso-date="2023-12-31"/><value currency="EUR" value-date="2023-01-01">1000.50</value></budget>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2023-03-01"/><value value-date="2023-03-01">100</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2023-04-01"/><value value-date="2023-04-01">250.25</value></transaction>
  <transaction><transaction-type code="3"/><transaction-date iso-date="2023-04-01"/><value currency="USD" value-date="2023-04-01">10</value></transaction>
  <related-activity ref="XM-TEST-1-PARENT" type="1"/>
  <result type="1" aggregation-status="1"><title><narrative>Survivors assisted</narrative></title>
    <indicator measure="1" ascending="1"><title><narrative>Number assisted</narrative></title>
      <baseline year="2022" iso-date="2022-01-01" value="10"><dimension name="sex" value="female"/></baseline>
      <period><period-start iso-date="2023-01-01"/><period-end iso-date="2023-12-31"/><target value="100"/><actual value="80"><dimension name="sex" value="female"/><comment><narrative>Good year</narrative></comment></actual></period>
    </indicator>
  </result>
  <contact-info type="1"><organisation><narrative>Test org</narrative></organisation><email>info@example.org</email></contact-info>
  <activity-scope code="4"/>
  ${opts.extra ?? ''}
</iati-activity>`;
}

function writeFile(name: string, activities: string[], attrs = 'version="2.03" xml:lang="en"'): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities ${attrs} generated-datetime="2024-01-01T00:00:00Z">\n${activities.join('\n')}\n</iati-activities>\n`);
  return file;
}

const importFile = (file: string, opts: Parameters<typeof importIatiFile>[2] = {}) => importIatiFile(env.ctx(), { path: file, fileName: path.basename(file) }, opts);
const critical = (r: IatiImportReport) => r.messages.filter((m) => m.severity === 'critical');

describe('importing an IATI 2.03 activity file', () => {
  it('maps every element the registry models, with languages falling back to the file default', async () => {
    const file = writeFile('full.xml', [activityXml('XM-TEST-1-A1')]);
    const r = await importFile(file);
    expect(r.counts).toMatchObject({ created: 1, failed: 0 });
    const a = await getActivity(env.ctx(), 'XM-TEST-1-A1');
    expect(a.ownerOrganization.id).toBe(org.id);
    expect(a.title).toEqual({ en: 'Counter-trafficking support', es: 'Apoyo contra la trata' });
    expect(a.objectives).toEqual({ fr: 'Protéger les victimes.' });
    expect(a.participants.map((p) => [p.role, p.ref, p.orgType])).toEqual([['1', 'XM-DONOR', '10'], ['4', 'XM-TEST-1', '40']]);
    expect(a.participants[1]!.organizationId ?? null).toBe(null);
    expect([a.status, a.plannedStart, a.actualStart, a.plannedEnd]).toEqual(['2', '2023-01-01', '2023-02-01', '2025-12-31']);
    expect(a.countries.map((c) => [c.code, c.percentage])).toEqual([['NA', 60], ['ZA', 40]]);
    expect(a.regions.map((c) => [c.vocabulary, c.code, c.percentage])).toEqual([['2', '202', 100]]);
    expect(a.sectors.map((c) => [c.vocabulary, c.code, c.percentage])).toEqual([['1', '15160', 30], ['1', '15180', 70]]);
    expect(a.locations[0]).toMatchObject({ ref: 'L1', name: { en: 'Windhoek' }, adminCode: '1000', adminLevel: 1, latitude: -22.56, longitude: 17.08, featureDesignation: 'PPLC' });
    expect(a.classification.sdgTargets).toEqual(['8.7']);
    expect(a.budgets[0]).toMatchObject({ periodStart: '2023-01-01', periodEnd: '2023-12-31', value: 1000.5, currency: 'EUR' });
    expect(a.transactionsSummary).toEqual([
      { type: '3', currency: 'EUR', value: 350.25, count: 2 },
      { type: '3', currency: 'USD', value: 10, count: 1 },
    ]);
    expect(a.relatedActivities).toEqual([{ type: '1', ref: 'XM-TEST-1-PARENT' }]);
    const ind = a.results[0]!.indicators[0]!;
    expect(ind.baselines[0]).toMatchObject({ year: 2022, value: '10', dimensions: [{ name: 'sex', value: 'female' }] });
    expect(ind.periods[0]).toMatchObject({ start: '2023-01-01', targets: [{ value: '100' }], actuals: [{ value: '80', comment: { en: 'Good year' } }] });
    expect(a.contacts[0]).toMatchObject({ email: 'info@example.org', organisation: { en: 'Test org' } });
    expect([a.defaultCurrency, a.activityScope]).toEqual(['EUR', '4']);
    expect(a.provenance).toMatchObject({ source: 'iati', fileName: 'full.xml', lastUpdatedDatetime: '2024-01-01T00:00:00Z' });
    expect(a.provenance?.fileSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.messages.some((m) => /de are left out/.test(m.message))).toBe(true);
  });

  it('changes nothing when the same file is imported twice, and skips an older activity', async () => {
    const file = writeFile('twice.xml', [activityXml('XM-TEST-1-B1'), activityXml('XM-TEST-1-B2')]);
    expect((await importFile(file)).counts).toMatchObject({ created: 2 });
    const before = await getActivity(env.ctx(), 'XM-TEST-1-B1');
    expect((await importFile(file)).counts).toMatchObject({ created: 0, updated: 0, unchanged: 2 });
    expect((await getActivity(env.ctx(), 'XM-TEST-1-B1')).version).toBe(before.version);

    const older = writeFile('older.xml', [activityXml('XM-TEST-1-B1', { updated: '2020-01-01T00:00:00Z', title: 'Old title' })]);
    const r = await importFile(older);
    expect(r.counts).toMatchObject({ skipped: 1, updated: 0 });
    expect((await getActivity(env.ctx(), 'XM-TEST-1-B1')).title.en).toBe('Counter-trafficking support');

    const newer = writeFile('newer.xml', [activityXml('XM-TEST-1-B1', { updated: '2025-01-01T00:00:00Z', title: 'New title' })]);
    expect((await importFile(newer)).counts).toMatchObject({ updated: 1 });
    expect((await getActivity(env.ctx(), 'XM-TEST-1-B1')).title.en).toBe('New title');
  });

  it('writes batches exactly as the one-activity save does: list index, search document, version and audit entry', async () => {
    // A hand-entered draft with an identifier of the file is updated, not duplicated (the file's
    // percentages add up to 200%: an error, so a public record would refuse the update).
    const hand = await createActivity(env.ctx(), activityInput(org.id, { iatiIdentifier: 'XM-TEST-1-K2', visibility: 'draft' }));
    const ids = ['XM-TEST-1-K1', 'XM-TEST-1-K2', 'XM-TEST-1-K3', 'XM-TEST-1-K4', 'XM-TEST-1-K5'];
    const file = writeFile('batches.xml', ids.map((id) => activityXml(id)));
    const r = await importFile(file, { batchSize: 2 });
    expect(r.counts).toMatchObject({ created: 4, updated: 1, failed: 0 });
    const db = env.ctx().db.kysely;
    for (const id of ids) {
      const a = await getActivity(env.ctx(), id);
      if (id === 'XM-TEST-1-K2') expect([a.id, a.version, a.title.en]).toEqual([hand.activity.id, 2, 'Counter-trafficking support']);
      // The list row kept by the triggers equals one recomputed from scratch.
      // (Without the stamp: the transaction that last wrote the row, which a refresh changes.)
      const listRow = async () => {
        const { stamp: _stamp, ...row } = (await sql<Record<string, unknown>>`select * from activity_list_rows where id = ${a.id}`.execute(db)).rows[0]!;
        return row;
      };
      const stored = await listRow();
      expect(stored).toMatchObject({ country_codes: ['NA', 'ZA'], organization_ids: [org.id], status: '2' });
      expect((stored.region_codes as string[]).length).toBeGreaterThan(0);
      await sql`select activity_list_refresh(array[${a.id}]::text[])`.execute(db);
      expect(await listRow()).toEqual(stored);
      // The search document equals the one the one-activity path writes.
      const search = await readActivitySearch(db, a.id);
      expect(search).toContain('trafficking');
      const orgs = await organizationSummaries(db, [a.ownerOrganizationId]);
      await setActivitySearch(db, a.id, searchDocument(activityDataOf(a), orgs.flatMap((o) => [o.acronym, ...Object.values(o.name as Record<string, string>)])));
      expect(await readActivitySearch(db, a.id)).toBe(search);
      // The version snapshot and the audit entry hold the stored activity.
      const [version] = await listActivityVersionSnapshots(db, a.id, 1);
      expect(version).toMatchObject({ version: a.version, action: id === 'XM-TEST-1-K2' ? 'update' : 'create' });
      expect(JSON.parse(JSON.stringify(version!.snapshot))).toEqual(JSON.parse(JSON.stringify(a)));
      const audit = (await sql<{ action: string; after: unknown; before: unknown }>`select action, after, before from audit_log where record_type = 'activity' and record_id = ${a.id} order by id desc limit 1`.execute(db)).rows[0]!;
      expect(audit.action).toBe(id === 'XM-TEST-1-K2' ? 'activity.update' : 'activity.create');
      expect(audit.after).toEqual(JSON.parse(JSON.stringify(a)));
      expect(audit.before === null).toBe(id !== 'XM-TEST-1-K2');
    }
  });

  it('reports a duplicate identifier inside a file and imports only its first activity', async () => {
    const file = writeFile('dup.xml', [activityXml('XM-TEST-1-C1', { title: 'First' }), activityXml('XM-TEST-1-C1', { title: 'Second' })]);
    const r = await importFile(file);
    expect(r.counts).toMatchObject({ created: 1, skipped: 1 });
    expect(r.messages.some((m) => m.rule === 'iati.duplicate-identifier' && m.activity === 1)).toBe(true);
    expect((await getActivity(env.ctx(), 'XM-TEST-1-C1')).title.en).toBe('First');
  });

  it('skips an activity whose reporting organization is not registered, unless an owner is given', async () => {
    const file = writeFile('owner.xml', [activityXml('XM-OTHER-D1', { ref: 'XM-OTHER' })]);
    const r = await importFile(file);
    expect(r.counts).toMatchObject({ skipped: 1, created: 0 });
    expect(r.messages.some((m) => m.rule === 'iati.owner-unknown')).toBe(true);
    const r2 = await importFile(file, { owner: org.slug });
    expect(r2.counts).toMatchObject({ created: 1 });
  });

  it('keeps going after an invalid activity, with a graded report for it', async () => {
    const bad = activityXml('XM-TEST-1-E2').replace(/<title>[\s\S]*?<\/title>/, '<title><narrative>T</narrative></title><title><narrative>Again</narrative></title>');
    const file = writeFile('mixed.xml', [activityXml('XM-TEST-1-E1'), bad, activityXml('XM-TEST-1-E3')]);
    const r = await importFile(file);
    expect(r.counts).toMatchObject({ created: 2, failed: 1 });
    expect(critical(r).some((m) => m.activity === 1 && /title/.test(m.message))).toBe(true);
    await expect(getActivity(env.ctx(), 'XM-TEST-1-E2')).rejects.toThrow();
  });

  it('imports only relevant activities when asked, recording why each was kept', async () => {
    const unrelated = activityXml('XM-TEST-1-F2', { title: 'Road building' })
      .replace(/<sector[^>]*\/>/g, '')
      .replace(/<tag[^>]*\/>/g, '')
      .replace(/<narrative xml:lang="es">Apoyo contra la trata<\/narrative>/, '')
      .replace('<sector', '<sector');
    const file = writeFile('relevance.xml', [activityXml('XM-TEST-1-F1'), unrelated]);
    const r = await importFile(file, { relevance: 'relevant-only' });
    expect(r.counts).toMatchObject({ created: 1, skipped: 1 });
    const a = await getActivity(env.ctx(), 'XM-TEST-1-F1');
    expect(a.provenance?.relevance).toEqual(expect.arrayContaining(['sector 15180', 'SDG target 8.7']));
  });

  it('reads from a stream as well as from a file', async () => {
    const xml = fs.readFileSync(writeFile('stream.xml', [activityXml('XM-TEST-1-G1')]));
    const r = await importIatiFile(env.ctx(), { stream: Readable.from([xml]), fileName: 'upload.xml' });
    expect(r.counts.created).toBe(1);
  });
});

describe('bad input', () => {
  it('refuses a DOCTYPE with entity expansion where it starts, expanding nothing', async () => {
    const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`)].join('\n');
    const file = path.join(tmp, 'bomb.xml');
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE iati-activities [\n${lol}\n]>\n<iati-activities version="2.03">&lol9;</iati-activities>`);
    const r = await importFile(file);
    expect(r.refused?.kind).toBe('doctype');
    expect(r.refused?.line).toBe(2);
  });

  it('refuses an external entity without reading it', async () => {
    const file = path.join(tmp, 'xxe.xml');
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>\n<iati-activities version="2.03"><iati-activity><iati-identifier>&xxe;</iati-identifier></iati-activity></iati-activities>`);
    const r = await importFile(file);
    expect(r.refused?.kind).toBe('doctype');
    expect(r.counts.created).toBe(0);
  });

  it('refuses a huge DOCTYPE without accumulating it', async () => {
    const file = path.join(tmp, 'huge-doctype.xml');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, '<?xml version="1.0"?>\n<!DOCTYPE x [\n');
    const comment = `<!-- ${'x'.repeat(1024 * 1024)} -->\n`;
    for (let i = 0; i < 50; i++) fs.writeSync(fd, comment);
    fs.writeSync(fd, ']>\n<iati-activities version="2.03"/>');
    fs.closeSync(fd);
    const r = await importFile(file);
    expect(r.refused?.kind).toBe('doctype');
    expect(r.refused?.line).toBe(2); // refused where the DOCTYPE starts, before reading its 50 MB
  });

  it('reports malformed XML with its line and column, keeping the activities before it', async () => {
    const file = path.join(tmp, 'broken.xml');
    fs.writeFileSync(file, `<?xml version="1.0"?>\n<iati-activities version="2.03">\n${activityXml('XM-TEST-1-H1')}\n<iati-activity><iati-identifier>x</iati-identifier\n</iati-activities>`);
    const r = await importFile(file);
    expect(r.refused?.kind).toBe('malformed');
    expect(r.refused?.message).toMatch(/line \d+, column \d+/);
    expect(r.refused?.line).toBeGreaterThan(30);
    // The whole activity before the break is saved and reported.
    expect(r.activities).toBe(1);
    expect(r.counts.created).toBe(1);
    expect(r.perActivity.map((a) => [a.identifier, a.outcome])).toEqual([['XM-TEST-1-H1', 'created']]);
  });

  it('refuses a file that is not IATI at all', async () => {
    const file = path.join(tmp, 'other.xml');
    fs.writeFileSync(file, '<?xml version="1.0"?><rss><channel/></rss>');
    const r = await importFile(file);
    expect(r.refused?.kind).toBe('not-iati');
    expect(r.refused?.message).toMatch(/<rss>/);
  });

  it('refuses IATI 1.x by its version attribute', async () => {
    const r = await importFile(writeFile('v1.xml', [activityXml('XM-TEST-1-I1')], 'version="1.05"'));
    expect(r.refused?.message).toMatch(/^IATI 1\.x is not supported/);
    expect(r.counts.created).toBe(0);
  });
});

describe.skipIf(!haveShared)('the official IATI schema test files', () => {
  const manifest = haveShared
    ? fs
        .readFileSync(path.join(SCHEMAS, 'MANIFEST-expected-results.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(','))
        .map(([file, schema, expected]) => ({ file: file!, schema: schema!, expected: expected! }))
    : [];

  it('imports every should-pass file: only an activity without a usable identifier is reported', { timeout: 300_000 }, async () => {
    const owner = await makeOrg(env);
    for (const row of manifest.filter((m) => m.expected === 'pass')) {
      const r = await importIatiFile(env.ctx(), { path: path.join(SCHEMAS, row.file), fileName: row.file }, { owner: owner.id });
      if (row.schema === 'iati-activities-schema.xsd') {
        expect(r.refused, row.file).toBe(null);
        expect(r.activities, row.file).toBeGreaterThan(0);
        // Every activity is accounted for: saved, or reported with a reason.
        expect(r.perActivity.length, row.file).toBe(r.activities);
        for (const a of r.perActivity.filter((p) => p.outcome === 'failed' || p.outcome === 'skipped')) {
          expect(r.messages.some((m) => m.activity === a.index), `${row.file} activity ${a.index}`).toBe(true);
        }
        // Schema-valid files are imported: the one thing that may stop an activity is an identifier
        // too short to be the registry's key (most test files leave it empty; ADR 024).
        const blocking = r.messages.filter((m) => m.severity === 'critical' && m.rule !== 'iati.iati-identifier');
        expect(blocking.map((m) => `${m.rule}: ${m.message}`), row.file).toEqual([]);
        for (const a of r.perActivity.filter((p) => p.outcome === 'failed')) {
          expect(a.identifier === null || a.identifier.length < 3, `${row.file} activity ${a.index} failed with identifier ${a.identifier}`).toBe(true);
        }
        if (r.perActivity.some((p) => p.identifier && p.identifier.length >= 3)) expect(r.counts.created + r.counts.updated + r.counts.unchanged, row.file).toBeGreaterThan(0);
      } else {
        expect(r.refused?.kind, row.file).toBe('not-iati');
      }
    }
  });

  it('reports every should-fail file, leaving no partial record', { timeout: 300_000 }, async () => {
    const owner = await makeOrg(env);
    const unreported: string[] = [];
    expect(manifest.filter((m) => m.expected === 'fail').length).toBeGreaterThan(400);
    for (const row of manifest.filter((m) => m.expected === 'fail')) {
      const r = await importIatiFile(env.ctx(), { path: path.join(SCHEMAS, row.file), fileName: row.file }, { owner: owner.id });
      const reported = r.refused !== null || r.messages.some((m) => m.severity !== 'warning');
      if (!reported) unreported.push(row.file);
      // Nothing half-saved: every activity the report says was saved can be read whole, the others do not exist.
      for (const a of r.perActivity) {
        if (!a.identifier || a.identifier.length < 3) continue;
        if (a.outcome === 'created' || a.outcome === 'updated') {
          const stored = await getActivity(env.ctx(), a.identifier);
          expect(stored.provenance?.source, row.file).toBe('iati');
        }
      }
    }
    expect(unreported).toEqual([]);
  });

  it('refuses every legacy 1.x sample with “IATI 1.x is not supported”', async () => {
    const dir = path.join(SCHEMAS, 'legacy-v1-samples');
    const files = fs.readdirSync(dir);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const r = await importFile(path.join(dir, f));
      expect(r.refused?.message, f).toMatch(/^IATI 1\.x is not supported/);
      expect(r.counts.created + r.counts.updated, f).toBe(0);
    }
  });
});
