import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import { activityDataOf } from '../../src/domain/activities/activity-mapping.ts';
import type { Activity, ActivityData } from '../../src/domain/activities/activity-schemas.ts';
import { SHEET_COLUMNS } from '../../src/domain/activities/activity-sheet.ts';
import { parseActivityFilters } from '../../src/domain/activities/activity-filters.ts';
import { exportActivities } from '../../src/domain/activities/export-activities.ts';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { commitFile, dryRunFile, spreadsheetTemplate, type ImportReport } from '../../src/domain/activities/import-spreadsheet.ts';
import { updateActivity } from '../../src/domain/activities/save-activity.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';
import { activityInput, makeActivity } from '../support/activities.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let staffA: TestUser;
let staffB: TestUser;
let dir: string;
const originals: Activity[] = [];

/** An activity with text in Latin, Cyrillic, Arabic and Chinese scripts, lists of every kind and awkward characters. */
function multilingual(owner: string, partner: string, n: number) {
  return activityInput(owner, {
    iatiIdentifier: `XM-DAC-41122-RT-${n}`,
    title: { en: `Safe migration centres ${n}`, fr: `Centres de migration sûre ${n}`, ru: `Центры безопасной миграции ${n}`, ar: `مراكز الهجرة الآمنة ${n}`, zh: `安全移民中心 ${n}` },
    description: { en: '=HYPERLINK("http://evil.example","click") is not a formula here; +1 and -2 and @home neither.', zh: '为移民提供信息，“转介”服务。\n第二行' },
    objectives: { ru: 'Снизить риск; «кавычки», запятые, и | черта', fr: '-2 degrés : un texte qui commence par un signe moins' },
    targetGroupsText: { ar: 'النساء والفتيات' },
    defaultLanguage: 'en',
    reportingOrg: { ref: 'XM-DAC-41122', name: { en: 'Reporting body', fr: 'Organe déclarant' }, orgType: '40' },
    status: '2',
    activityScope: '4',
    participants: [
      { role: '4', organizationId: owner, name: {} },
      { role: '1', organizationId: partner, name: {}, activityRef: 'P-1' },
      { role: '3', organizationId: null, ref: 'XI-IATI-EXAMPLE', name: { en: 'Pipes | and \\ backslashes Ltd', ru: 'ООО «Трубы»', zh: '管道公司' }, orgType: '70' },
    ],
    countries: [
      { code: 'KE', percentage: 33.333, narrative: { en: 'Nairobi and the coast' } },
      { code: 'NA', percentage: 33.333 },
      { code: 'XK', percentage: 33.334 },
    ],
    regions: [],
    locations: [
      { name: { en: 'Nairobi', ar: 'نيروبي' }, description: { fr: 'Bureau central' }, countryCode: 'KE', adminVocabulary: 'G1', adminLevel: 1, adminCode: 'KE-30', latitude: -1.286389, longitude: 36.817223, exactness: '1', locationClass: '2', featureDesignation: 'PPLC' },
      { name: { zh: '温得和克' }, countryCode: 'NA' },
    ],
    sectors: [
      { vocabulary: '1', code: '15180', percentage: 100 },
      { vocabulary: '99', code: 'TIP-1', percentage: 100, narrative: { en: 'Victim assistance', fr: 'Assistance aux victimes' } },
    ],
    budgets: [
      { type: '1', status: '2', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 250000.5, currency: 'USD', valueDate: '2024-01-01' },
      { type: '2', status: '1', periodStart: '2025-01-01', periodEnd: '2025-12-31', value: 1200, currency: 'EUR' },
    ],
    relatedActivities: [{ type: '1', ref: 'XM-DAC-41122-PARENT' }],
    transactionsSummary: [{ type: '3', currency: 'USD', value: 1000, count: 2 }],
    results: [
      {
        type: '1',
        title: { en: 'People reached', ru: 'Охвачено людей' },
        indicators: [{ measure: '1', title: { en: 'Number of people counselled' }, references: [], baselines: [], periods: [{ start: '2024-01-01', end: '2024-12-31', targets: [{ value: '500', dimensions: [] }], actuals: [{ value: '420', dimensions: [{ name: 'sex', value: 'female' }] }] }] }],
      },
    ],
    contacts: [{ type: '1', personName: { en: 'Focal point' }, email: 'focal@example.org' }],
    classification: { pillars: ['prevention', 'protection'], exploitationForms: ['forced-labour'], targetGroups: ['women', 'girls'], contexts: ['migration-route'], sdgTargets: ['8.7', '5.2'], instruments: ['palermo-protocol'], mechanisms: ['national-referral-mechanism'] },
  });
}

const withoutProvenance = (d: ActivityData) => ({ ...d, provenance: undefined });

async function saveExport(format: 'csv' | 'xlsx', query: Record<string, string>, as = staffA): Promise<string> {
  const file = path.join(dir, `export-${format}-${Date.now()}-${Math.random().toString(36).slice(2)}.${format}`);
  const exp = await exportActivities(env.ctx(as.actor), parseActivityFilters(query), format, { lang: 'en' });
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file);
    (exp.stream as Readable).pipe(out);
    out.on('finish', resolve);
    out.on('error', reject);
    exp.stream.on('error', reject);
  });
  return file;
}

const writeFile = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};
const countActivities = async () => Number((await env.db.kysely.selectFrom('activities').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
const critical = (r: ImportReport) => r.messages.filter((m) => m.severity === 'critical');

beforeAll(async () => {
  env = await createTestEnv();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-import-test-'));
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  for (let i = 1; i <= 3; i++) originals.push(await makeActivity(env, orgA.id, multilingual(orgA.id, orgB.id, i), staffA.actor));
});
afterAll(async () => {
  await env.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('export → import round trip', () => {
  for (const format of ['csv', 'xlsx'] as const) {
    it(`gives identical records through ${format.toUpperCase()}, in Latin, Cyrillic, Arabic and Chinese scripts`, async () => {
      const file = await saveExport(format, { organization: orgA.id, organizationRole: 'owner' });
      // Change every record after the export; the import must bring each back exactly.
      for (const a of originals) {
        const current = await getActivity(env.ctx(staffA.actor), a.id);
        await updateActivity(env.ctx(staffA.actor), a.id, { ...activityDataOf(current), title: { en: 'Changed' }, countries: [{ code: 'UG', percentage: 100 }], locations: [], version: current.version });
      }
      const before = await countActivities();
      const result = await commitFile(env.ctx(staffA.actor), file);
      expect(result.report.messages.filter((m) => m.severity !== 'warning')).toEqual([]);
      expect(result).toMatchObject({ rows: 3, created: 0, updated: 3, unchanged: 0 });
      expect(await countActivities()).toBe(before);
      for (const a of originals) {
        const back = await getActivity(env.ctx(staffA.actor), a.id);
        expect(withoutProvenance(activityDataOf(back))).toEqual(withoutProvenance(activityDataOf(a)));
        expect(back.provenance).toMatchObject({ source: 'spreadsheet', fileName: path.basename(file) });
      }
      // The same file again changes nothing: no duplicate, no new version.
      const again = await commitFile(env.ctx(staffA.actor), file);
      expect(again).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
      expect(await countActivities()).toBe(before);
    });
  }

  it('neutralises formula-like text in CSV cells and reads it back unchanged', async () => {
    const file = await saveExport('csv', { organization: orgA.id });
    const text = fs.readFileSync(file, 'utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"") is not a formula here`);
    expect(text).toContain("'-2 degrés");
    expect(text).not.toMatch(/(^|,)=HYPERLINK/m);
    expect(text.split('\r\n')[1]).toMatch(/^#activity \+id,#activity \+code,#activity \+title \+i_en/);
    expect(text).toContain('#org +name');
    expect(text).toContain('#country +code');
    expect(text).toContain('#sector +code');
    expect(text).toContain('#value +budget');
    expect(text).toContain('Pipes \\| and \\\\ backslashes Ltd');
    expect(text).toContain('Kenya | Namibia | Kosovo');
  });

  it('writes the XLSX sheets and neutralises formula-like cells there too', async () => {
    const file = await saveExport('xlsx', { organization: orgA.id });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Activities', 'Locations', 'Participating organizations', 'Countries', 'Sectors', 'Budgets']);
    const main = wb.getWorksheet('Activities')!;
    expect(main.getRow(1).getCell(1).value).toBe('id');
    expect(main.getRow(2).getCell(1).value).toBe('#activity +id');
    const descCol = SHEET_COLUMNS.findIndex((c) => c.name === 'description_en') + 1;
    expect(String(main.getRow(3).getCell(descCol).value)).toMatch(/^'=HYPERLINK/);
    expect(main.actualRowCount).toBe(2 + originals.length);
    expect(wb.getWorksheet('Locations')!.actualRowCount).toBe(1 + 2 * originals.length);
    expect(wb.getWorksheet('Participating organizations')!.actualRowCount).toBe(1 + 3 * originals.length);
  });
});

describe('the template', () => {
  it('has the export’s columns in CSV and XLSX, with instructions and code lists in the workbook', async () => {
    const csv = await spreadsheetTemplate(env.ctx(), 'csv');
    const lines = csv.body.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]!.split(',')).toEqual(SHEET_COLUMNS.map((c) => c.name));
    const xlsx = await spreadsheetTemplate(env.ctx(), 'xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.body as unknown as ArrayBuffer);
    expect(wb.worksheets.map((w) => w.name)).toContain('Instructions');
    expect(wb.worksheets.map((w) => w.name)).toContain('Code lists');
    const header = (wb.getWorksheet('Activities')!.getRow(1).values as unknown[]).slice(1);
    expect(header).toEqual(SHEET_COLUMNS.map((c) => c.name));
    const codes = wb.getWorksheet('Code lists')!;
    const rows = codes.getSheetValues().slice(2).map((r) => (r as unknown[]).slice(1, 3).join(' '));
    expect(rows).toContain('pillar prevention');
    expect(rows).toContain(`organization (owner_org_id, participant_org_id, shared_with) ${orgA.id}`);
  });

  it('fills in: a filled template imports, and an empty one says it has no rows', async () => {
    const empty = writeFile('empty-template.csv', (await spreadsheetTemplate(env.ctx(), 'csv')).body);
    const report = await dryRunFile(env.ctx(staffA.actor), empty);
    expect(report.committable).toBe(false);
    expect(critical(report)[0]?.message).toMatch(/no activity rows/);
    const header = SHEET_COLUMNS.map((c) => c.name);
    const row = Object.fromEntries(header.map((h) => [h, '']));
    Object.assign(row, {
      iati_identifier: 'XM-TEMPLATE-1',
      title_en: 'From the template',
      owner_org_id: orgA.id,
      visibility: 'draft',
      country_code: 'KE | UG',
      country_percentage: '50 | 50',
      participant_role: '4',
      participant_org_id: orgA.id,
      pillar_code: 'prevention',
    });
    const file = writeFile('filled.csv', `${header.join(',')}\n${header.map((h) => row[h]).join(',')}\n`);
    const result = await commitFile(env.ctx(staffA.actor), file);
    expect(result.created).toBe(1);
    const a = await getActivity(env.ctx(staffA.actor), 'XM-TEMPLATE-1');
    expect(a.countries.map((c) => c.code)).toEqual(['KE', 'UG']);
    expect(a.classification.pillars).toEqual(['prevention']);
  });

  it('keeps stored values of columns the file leaves out', async () => {
    const file = writeFile('partial.csv', 'iati_identifier,status\nXM-DAC-41122-RT-1,3\n');
    const result = await commitFile(env.ctx(staffA.actor), file);
    expect(result.updated).toBe(1);
    const a = await getActivity(env.ctx(staffA.actor), 'XM-DAC-41122-RT-1');
    expect(a.status).toBe('3');
    expect(a.title.zh).toBe('安全移民中心 1');
    expect(a.budgets).toHaveLength(2);
  });
});

describe('malformed spreadsheets: clear errors, nothing written', () => {
  const expectNothingWritten = async (file: string, match: RegExp) => {
    const before = await countActivities();
    const report = await dryRunFile(env.ctx(staffA.actor), file);
    expect(report.committable).toBe(false);
    expect(report.messages.map((m) => m.message).join('\n')).toMatch(match);
    await expect(commitFile(env.ctx(staffA.actor), file)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await countActivities()).toBe(before);
    return report;
  };

  it('names unknown headers and a missing identifier column', async () => {
    const report = await expectNothingWritten(writeFile('bad-headers.csv', 'titel_en,owner_org_id,colour\nHello,org_x,blue\n'), /Unknown column “titel_en” \(did you mean “title_en”\?\)/);
    const text = report.messages.map((m) => m.message).join('\n');
    expect(text).toMatch(/Unknown column “colour”/);
    expect(text).toMatch(/“iati_identifier” and “id” are both missing/);
  });

  it('names the byte offset and line of broken UTF-8', async () => {
    const head = Buffer.from('iati_identifier,title_en\nXM-OK-1,Fine\nXM-BAD-1,Caf');
    const file = writeFile('latin1.csv', Buffer.concat([head, Buffer.from([0xe9, 0x0a])]));
    await expectNothingWritten(file, new RegExp(`not valid UTF-8: byte ${head.length} \\(line 3\\) is 0xE9`));
  });

  it('names the line of a quote that opens inside a field', async () => {
    await expectNothingWritten(writeFile('stray-quote.csv', 'iati_identifier,title_en\nXM-OK-1,Fine\nXM-OK-2, "Stray quote\n'), /cannot be read near line 3: .*quote/i);
  });

  it('refuses UTF-16 files with what to do', async () => {
    const file = writeFile('utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('iati_identifier\n', 'utf16le')]));
    await expectNothingWritten(file, /UTF-16.*CSV UTF-8/);
  });

  it('refuses formula cells in XLSX and formula text in CSV, naming row and column', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Activities');
    ws.addRow(['iati_identifier', 'title_en', 'owner_org_id', 'visibility']);
    ws.addRow(['XM-FORMULA-1', { formula: 'CONCATENATE("a","b")', result: 'ab' }, orgA.id, 'draft']);
    const xlsx = path.join(dir, 'formula.xlsx');
    await wb.xlsx.writeFile(xlsx);
    const report = await expectNothingWritten(xlsx, /holds a formula/);
    expect(report.messages.find((m) => m.rule === 'cell.formula')).toMatchObject({ row: 2, column: 'title_en', severity: 'critical' });
    const csv = await expectNothingWritten(writeFile('formula.csv', `iati_identifier,title_en,owner_org_id,visibility\nXM-FORMULA-2,=1+2,${orgA.id},draft\n`), /starts with “=”/);
    expect(csv.messages.find((m) => m.rule === 'cell.formula')).toMatchObject({ row: 2, column: 'title_en' });
  });

  it('refuses merged cells, naming them', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Activities');
    ws.addRow(['iati_identifier', 'title_en', 'owner_org_id', 'visibility']);
    ws.addRow(['XM-MERGED-1', 'Merged title', orgA.id, 'draft']);
    ws.addRow(['XM-MERGED-2', '', orgA.id, 'draft']);
    ws.mergeCells('B2:B3');
    const file = path.join(dir, 'merged.xlsx');
    await wb.xlsx.writeFile(file);
    await expectNothingWritten(file, /Cells B2:B3 are merged/);
  });

  it('skips a million empty CSV rows and keeps the one real row', async () => {
    const file = path.join(dir, 'million.csv');
    const out = fs.openSync(file, 'w');
    fs.writeSync(out, `iati_identifier,title_en,owner_org_id,visibility\nXM-MILLION-1,One row,${orgA.id},draft\n`);
    const block = ',,,\n'.repeat(100_000);
    for (let i = 0; i < 10; i++) fs.writeSync(out, block);
    fs.closeSync(out);
    const report = await dryRunFile(env.ctx(staffA.actor), file);
    expect(report).toMatchObject({ rows: 1, committable: true });
    expect(report.counts.emptyRowsSkipped).toBe(1_000_000);
  }, 120_000); // a hang guard for a heavy file, not a speed claim (speed is measured in the bench)

  it('skips a million empty XLSX rows and keeps the one real row', async () => {
    const file = path.join(dir, 'million.xlsx');
    const rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>iati_identifier</t></is></c><c r="B1" t="inlineStr"><is><t>title_en</t></is></c><c r="C1" t="inlineStr"><is><t>owner_org_id</t></is></c><c r="D1" t="inlineStr"><is><t>visibility</t></is></c></row>'];
    rows.push(`<row r="2"><c r="A2" t="inlineStr"><is><t>XM-MILLION-X</t></is></c><c r="B2" t="inlineStr"><is><t>One</t></is></c><c r="C2" t="inlineStr"><is><t>${orgA.id}</t></is></c><c r="D2" t="inlineStr"><is><t>draft</t></is></c></row>`);
    const empty = Array.from({ length: 1_000_000 }, (_, i) => `<row r="${i + 3}" s="1" customFormat="1"/>`).join('');
    fs.writeFileSync(file, workbook(`${rows.join('')}${empty}`));
    const report = await dryRunFile(env.ctx(staffA.actor), file);
    expect(report).toMatchObject({ rows: 1, committable: true });
    expect(report.counts.emptyRowsSkipped).toBe(1_000_000);
  }, 120_000); // a hang guard for a heavy file, not a speed claim (speed is measured in the bench)

  it('refuses a zip bomb by its declared size without inflating it', async () => {
    const file = writeFile('bomb.xlsx', zip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from('<worksheet/>'), declaredSize: 3_000_000_000 }]));
    await expectNothingWritten(file, /expand to more than 256 MB.*zip bomb/);
  });

  it('refuses a zip bomb that lies about its size while inflating it', async () => {
    const huge = Buffer.alloc(40 * 1024 * 1024, 0x20);
    const file = writeFile('liar.xlsx', zip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: huge, declaredSize: 1000 }]));
    await expectNothingWritten(file, /cannot be read.*zip bomb/);
  });

  it('refuses an XLSX that is not a zip', async () => {
    await expectNothingWritten(writeFile('fake.xlsx', 'this is not a workbook at all'), /not a zip archive/);
  });
});

describe('organization scoping and validation on import', () => {
  it('refuses rows that create or change another organization’s activities, and writes nothing', async () => {
    const mine = `iati_identifier,title_en,owner_org_id,visibility\nXM-B-OWN-1,B's own,${orgB.id},draft\nXM-A-NEW-1,Into A,${orgA.id},draft\nXM-DAC-41122-RT-2,Taken over,${orgB.id},draft\n`;
    const file = writeFile('scoping.csv', mine);
    const before = await countActivities();
    const report = await dryRunFile(env.ctx(staffB.actor), file);
    expect(report.counts).toMatchObject({ create: 1, blocked: 2 });
    const refusals = report.messages.filter((m) => m.rule === 'import.permission');
    expect(refusals.map((m) => [m.row, m.column])).toEqual([
      [3, 'owner_org_id'],
      [4, 'iati_identifier'],
    ]);
    await expect(commitFile(env.ctx(staffB.actor), file)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(await countActivities()).toBe(before);
    expect((await getActivity(env.ctx(staffA.actor), 'XM-DAC-41122-RT-2')).title.en).toBe('Safe migration centres 2');
  });

  it('saves drafts with errors but refuses to publish them, reporting row and column', async () => {
    const csv = `iati_identifier,title_en,owner_org_id,visibility,planned_start,planned_end,country_code,country_percentage\nXM-DRAFT-ERR-1,Draft with errors,${orgA.id},draft,2025-01-01,2024-01-01,KE | UG,50 | 20\nXM-PUB-ERR-1,Published with errors,${orgA.id},public,2025-01-01,2024-01-01,KE,100\n`;
    const report = await dryRunFile(env.ctx(staffA.actor), writeFile('graded.csv', csv));
    expect(report.counts).toMatchObject({ create: 1, blocked: 1 });
    expect(report.messages.find((m) => m.row === 2 && m.rule === 'dates.planned-order')).toMatchObject({ severity: 'error', column: 'planned_end' });
    expect(report.messages.find((m) => m.row === 2 && m.rule === 'geography.percentage-sum')).toMatchObject({ column: 'country_percentage' });
    expect(report.messages.find((m) => m.row === 3 && m.rule === 'dates.planned-order')).toBeDefined();
  });

  it('names a cell that is not a number and lists of unequal length', async () => {
    const csv = `iati_identifier,title_en,owner_org_id,visibility,country_code,country_percentage\nXM-CELL-1,Cells,${orgA.id},draft,KE | UG,fifty | 50\nXM-CELL-2,Cells,${orgA.id},draft,KE | UG,100\n`;
    const report = await dryRunFile(env.ctx(staffA.actor), writeFile('cells.csv', csv));
    expect(report.messages.find((m) => m.row === 2 && m.column === 'country_percentage')?.message).toMatch(/“fifty” is not a number/);
    expect(report.messages.find((m) => m.row === 3 && m.column === 'country_percentage')?.message).toMatch(/1 value where the row has 2/);
  });

  it('refuses the same activity twice in one file', async () => {
    const csv = `iati_identifier,title_en,owner_org_id,visibility\nXM-TWICE-1,One,${orgA.id},draft\nXM-TWICE-1,Two,${orgA.id},draft\n`;
    const report = await dryRunFile(env.ctx(staffA.actor), writeFile('twice.csv', csv));
    expect(report.messages.find((m) => m.rule === 'identity.duplicate')).toMatchObject({ row: 3, message: 'This activity is already on row 2.' });
  });
});

// ---- a minimal zip writer for hand-made workbooks (deflate, no zip64)

type ZipPart = { name: string; data: Buffer; declaredSize?: number };

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name);
    const data = zlib.deflateRawSync(p.data);
    const crc = p.data.length < 50_000_000 ? crc32(p.data) : 0;
    const size = p.declaredSize ?? p.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

function workbookParts(): ZipPart[] {
  return [
    { name: 'xl/workbook.xml', data: Buffer.from('<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Activities" sheetId="1" r:id="rId1"/></sheets></workbook>') },
    { name: 'xl/_rels/workbook.xml.rels', data: Buffer.from('<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>') },
  ];
}

function workbook(sheetData: string): Buffer {
  return zip([...workbookParts(), { name: 'xl/worksheets/sheet1.xml', data: Buffer.from(`<worksheet><sheetData>${sheetData}</sheetData></worksheet>`) }]);
}
