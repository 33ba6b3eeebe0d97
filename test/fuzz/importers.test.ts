import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitFile, dryRunFile } from '../../src/domain/activities/import-spreadsheet.ts';
import { SHEET_COLUMNS } from '../../src/domain/activities/activity-sheet.ts';
import { AppError } from '../../src/domain/errors.ts';
import { IatiFileError, readIatiActivities } from '../../src/domain/iati/iati-xml-reader.ts';
import { importIatiFile, type IatiImportReport } from '../../src/domain/iati/import-iati.ts';
import { mapIatiActivity } from '../../src/domain/iati/map-iati-activity.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';

// Property-based tests of the two importers. Whatever file arrives, an import either reports
// every activity or row with an outcome, or refuses the file with a specific message; it never
// throws anything else, and it never leaves a half-written activity behind. Generated files are
// near-valid on purpose (real element names, plausible and implausible values, then sometimes
// cut or spliced), so that they reach the mapping and the database, not only the parser.
const FUZZ_TIMEOUT = 600_000;

let env: TestEnv;
let org: Organization;
let focal: TestUser;
let tmp: string;

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env, { iatiRef: 'XM-FUZZ' });
  focal = await makeUser(env, { role: 'focal_point', org });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-fuzz-import-'));
});
afterAll(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

let fileNo = 0;
function write(name: string, content: string | Uint8Array): string {
  const file = path.join(tmp, `${fileNo++}-${name}`);
  fs.writeFileSync(file, content);
  return file;
}

/** The database's invariants after any import: every activity whole, with its list row. */
async function invariants() {
  const r = await sql<{ activities: number; list_rows: number; orphans: number; without_version: number }>`
    select (select count(*)::int from activities) as activities,
           (select count(*)::int from activity_list_rows) as list_rows,
           (select count(*)::int from activity_list_rows l where not exists (select 1 from activities a where a.id = l.id)) as orphans,
           (select count(*)::int from activities a where not exists (select 1 from activity_versions v where v.activity_id = a.id)) as without_version`.execute(env.db.kysely);
  const row = r.rows[0]!;
  expect(row.list_rows).toBe(row.activities);
  expect(row.orphans).toBe(0);
  expect(row.without_version).toBe(0);
  return row;
}

async function activityCount(): Promise<number> {
  return (await sql<{ n: number }>`select count(*)::int as n from activities`.execute(env.db.kysely)).rows[0]!.n;
}

async function auditCount(): Promise<number> {
  return (await sql<{ n: number }>`select count(*)::int as n from audit_log`.execute(env.db.kysely)).rows[0]!.n;
}

// ---------------------------------------------------------------------------------------------
// IATI activity XML
// ---------------------------------------------------------------------------------------------

const xmlEscape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** Mostly a valid value, sometimes a wrong one: files must reach the database, not only the validator. */
const mostly = <T>(valid: fc.Arbitrary<T>, wrong: fc.Arbitrary<T>) => fc.oneof({ weight: 12, arbitrary: valid }, { weight: 1, arbitrary: wrong });
/** Text that is mostly fine, sometimes in another script, sometimes not even legal XML characters. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('Counter-trafficking support', 'Lutte contre la traite des êtres humains', 'Противодействие торговле людьми', 'مكافحة الاتجار بالبشر', '打击人口贩运项目') },
  { weight: 3, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '  ') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
);
const lang = mostly(fc.constantFrom(undefined, 'en', 'fr', 'es', 'ar', 'zh', 'ru'), fc.constantFrom('de', 'xx', '', 'EN'));
const narrative = fc.tuple(text, lang).map(([t, l]) => `<narrative${l === undefined ? '' : ` xml:lang="${l}"`}>${xmlEscape(t)}</narrative>`);
const narratives = (tag: string, attrs = '') => fc.array(narrative, { minLength: 1, maxLength: 3 }).map((ns) => `<${tag}${attrs}>${ns.join('')}</${tag}>`);
const code = (...valid: string[]) => mostly(fc.constantFrom(...valid), fc.oneof(fc.constantFrom('0', '-1', '', 'abc'), fc.string({ maxLength: 8 })));
const countryCode = mostly(fc.constantFrom('KE', 'NA', 'ZA', 'FR', 'UA', 'TH', 'NG'), fc.oneof(fc.constantFrom('XX', 'ke', ''), fc.string({ maxLength: 4 })));
const percentage = mostly(fc.constantFrom('100', '50', '33.33', '25'), fc.oneof(fc.constantFrom('0', '-5', '150', 'abc', '', '1e2'), fc.double().map(String)));
const date = mostly(
  fc.date({ min: new Date('1990-01-01'), max: new Date('2040-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2023-13-45', '2023-02-29', '', 'yesterday', '9999-12-31', '0001-01-01'),
);
const money = mostly(fc.integer({ min: 0, max: 10_000_000 }).map(String), fc.oneof(fc.constantFrom('1000.50', '-20', '', 'ten', '1e400'), fc.double().map(String)));
const identifier = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 0, max: 40 }).map((n) => `XM-FUZZ-${n}`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', 'XM-FUZZ-1 ', 'xm-fuzz-1') },
);

const activity = fc
  .record({
    id: identifier,
    updated: fc.oneof(fc.constant(undefined), date.map((d) => `${d}T00:00:00Z`)),
    ref: mostly(fc.constant('XM-FUZZ'), fc.constantFrom('XM-OTHER', '')),
    title: narratives('title'),
    descriptions: fc.array(fc.tuple(code('1', '2', '3'), fc.array(narrative, { minLength: 1, maxLength: 2 })), { minLength: 1, maxLength: 2 }),
    participants: fc.array(fc.tuple(code('1', '2', '3', '4'), fc.constantFrom('XM-FUZZ', 'XM-DONOR', ''), narrative), { minLength: 1, maxLength: 3 }),
    status: code('1', '2', '3', '4', '5', '6'),
    dates: fc.array(fc.tuple(code('1', '2', '3', '4'), date), { minLength: 1, maxLength: 4 }),
    countries: fc.array(fc.tuple(countryCode, percentage), { maxLength: 3 }),
    regions: fc.array(fc.tuple(fc.constantFrom('202', '002', '150', '998', 'x'), code('1', '2'), percentage), { maxLength: 1 }),
    sectors: fc.array(fc.tuple(code('1', '2'), fc.constantFrom('15180', '15160', '151', '16070', '99999', ''), percentage), { maxLength: 3 }),
    tags: fc.array(fc.tuple(fc.constantFrom('3', '2', '1', '99'), fc.constantFrom('8.7', '5.2', '16.2', '1', 'x')), { maxLength: 2 }),
    budgets: fc.array(fc.tuple(date, date, money, mostly(fc.constantFrom('EUR', 'USD'), fc.constantFrom('XXX', ''))), { maxLength: 2 }),
    transactions: fc.array(fc.tuple(code('1', '2', '3', '4'), date, money), { maxLength: 3 }),
    related: fc.array(fc.tuple(fc.string({ maxLength: 20 }), code('1', '2', '3', '4')), { maxLength: 2 }),
    results: fc.array(fc.tuple(code('1', '2', '3'), narrative, fc.array(fc.tuple(narrative, money, money), { maxLength: 2 })), { maxLength: 2 }),
  })
  .map((a) =>
    [
      `<iati-activity${a.updated === undefined ? '' : ` last-updated-datetime="${xmlEscape(a.updated)}"`}>`,
      `<iati-identifier>${xmlEscape(a.id)}</iati-identifier>`,
      `<reporting-org ref="${a.ref}" type="40"><narrative>Fuzz org</narrative></reporting-org>`,
      a.title,
      ...a.descriptions.map(([t, ns]) => `<description type="${xmlEscape(t)}">${ns.join('')}</description>`),
      ...a.participants.map(([role, ref, n]) => `<participating-org role="${xmlEscape(role)}" ref="${ref}">${n}</participating-org>`),
      `<activity-status code="${xmlEscape(a.status)}"/>`,
      ...a.dates.map(([t, d]) => `<activity-date type="${xmlEscape(t)}" iso-date="${xmlEscape(d)}"/>`),
      ...a.countries.map(([c, p]) => `<recipient-country code="${xmlEscape(c)}" percentage="${xmlEscape(p)}"/>`),
      ...a.regions.map(([c, v, p]) => `<recipient-region code="${c}" vocabulary="${xmlEscape(v)}" percentage="${xmlEscape(p)}"/>`),
      ...a.sectors.map(([v, c, p]) => `<sector vocabulary="${xmlEscape(v)}" code="${c}" percentage="${xmlEscape(p)}"/>`),
      ...a.tags.map(([v, c]) => `<tag vocabulary="${v}" code="${c}"/>`),
      ...a.budgets.map(([s, e, v, c]) => `<budget type="1" status="1"><period-start iso-date="${xmlEscape(s)}"/><period-end iso-date="${xmlEscape(e)}"/><value currency="${c}" value-date="${xmlEscape(s)}">${xmlEscape(v)}</value></budget>`),
      ...a.transactions.map(([t, d, v]) => `<transaction><transaction-type code="${xmlEscape(t)}"/><transaction-date iso-date="${xmlEscape(d)}"/><value value-date="${xmlEscape(d)}">${xmlEscape(v)}</value></transaction>`),
      ...a.related.map(([ref, t]) => `<related-activity ref="${xmlEscape(ref)}" type="${xmlEscape(t)}"/>`),
      ...a.results.map(
        ([t, title, inds]) =>
          `<result type="${xmlEscape(t)}"><title>${title}</title>${inds.map(([it, target, actual]) => `<indicator measure="1"><title>${it}</title><period><period-start iso-date="2023-01-01"/><period-end iso-date="2023-12-31"/><target value="${xmlEscape(target)}"/><actual value="${xmlEscape(actual)}"/></period></indicator>`).join('')}</result>`,
      ),
      '</iati-activity>',
    ].join('\n'),
  );

/** A damage done to a generated file, one time in four: cut it short, splice junk in, or drop a slice. */
const damage = fc.option(fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), kind: fc.constantFrom('truncate', 'insert', 'delete'), junk: fc.string({ maxLength: 12 }) }), { freq: 1, nil: undefined }).chain((d) =>
  fc.integer({ min: 0, max: 3 }).map((n) => (n === 0 ? d : undefined)),
);

const iatiFile = fc
  .record({
    version: mostly(fc.constantFrom('2.03', '2.02', '2.01'), fc.constantFrom('1.05', '3.0', '')),
    lang: fc.constantFrom(undefined, 'en', 'fr', 'xx'),
    activities: fc.array(activity, { maxLength: 6 }),
    damage,
  })
  .map((f) => {
    let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="${f.version}"${f.lang ? ` xml:lang="${f.lang}"` : ''}>\n${f.activities.join('\n')}\n</iati-activities>\n`;
    if (f.damage) {
      const at = Math.floor(f.damage.at * xml.length);
      if (f.damage.kind === 'truncate') xml = xml.slice(0, at);
      else if (f.damage.kind === 'insert') xml = xml.slice(0, at) + f.damage.junk + xml.slice(at);
      else xml = xml.slice(0, at) + xml.slice(at + 1 + f.damage.junk.length);
    }
    return xml;
  });

async function drain(xml: string): Promise<void> {
  async function* chunks() {
    // Small chunks, so that elements and characters are split across them.
    const bytes = Buffer.from(xml);
    for (let i = 0; i < bytes.length; i += 97) yield bytes.subarray(i, i + 97);
  }
  let lang: string | null = null;
  for await (const ev of readIatiActivities(chunks())) {
    if (ev.kind === 'header') lang = ev.header.lang;
    else if (!ev.tooLarge) {
      const m = mapIatiActivity(ev.node, lang);
      expect(typeof m.identifier).toBe('string');
      expect(Array.isArray(m.problems)).toBe(true);
    }
  }
}

const totalOutcomes = (r: IatiImportReport) => Object.values(r.counts).reduce((a, b) => a + b, 0);

describe('IATI importer, property-based', () => {
  it('reads and maps thousands of generated files, throwing nothing but a file error', { timeout: FUZZ_TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(iatiFile, async (xml) => {
        try {
          await drain(xml);
        } catch (err) {
          if (!(err instanceof IatiFileError)) throw err;
          expect(err.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000, seed: 20261129 },
    );
  });

  it('imports generated files: every activity gets one outcome, nothing is half-written, a second import changes nothing', { timeout: FUZZ_TIMEOUT }, async () => {
    const seen = { created: 0, failed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(iatiFile, async (xml) => {
        const file = write('fuzz.xml', xml);
        const before = await activityCount();
        const first = await importIatiFile(env.ctx(focal.actor), { path: file, fileName: 'fuzz.xml' });
        seen.created += first.counts.created;
        seen.failed += first.counts.failed;
        if (first.refused) seen.refused++;
        if (first.refused && first.activities === 0) expect(await activityCount()).toBe(before);
        // Every activity read gets exactly one outcome, even when the file breaks after it.
        expect(totalOutcomes(first)).toBe(first.activities);
        const after = await invariants();
        expect(after.activities - before).toBe(first.counts.created);
        // The created and updated ones are there; a failed one with a new identifier is not.
        const ids = first.perActivity.filter((a) => a.identifier).map((a) => a.identifier!);
        const stored = new Set(
          ids.length === 0 ? [] : (await env.db.kysely.selectFrom('activities').select('iati_identifier').where('iati_identifier', 'in', ids).execute()).map((r) => r.iati_identifier),
        );
        for (const a of first.perActivity) {
          if (a.outcome === 'created' || a.outcome === 'updated' || a.outcome === 'unchanged') expect(stored.has(a.identifier), `${a.identifier} (${a.outcome})`).toBe(true);
        }
        // The same file again: idempotent.
        const second = await importIatiFile(env.ctx(focal.actor), { path: file, fileName: 'fuzz.xml' });
        expect(second.counts.created, JSON.stringify(second.messages.slice(0, 5))).toBe(0);
        expect(second.counts.updated, JSON.stringify(second.perActivity.filter((a) => a.outcome === 'updated'))).toBe(0);
        expect((await invariants()).activities).toBe(after.activities);
      }),
      { numRuns: 250, seed: 20261129 },
    );
    // The generator reaches every path: saved activities, refused ones and refused files.
    expect(seen.created, JSON.stringify(seen)).toBeGreaterThan(50);
    expect(seen.failed, JSON.stringify(seen)).toBeGreaterThan(20);
    expect(seen.refused, JSON.stringify(seen)).toBeGreaterThan(5);
  });
});

// ---------------------------------------------------------------------------------------------
// Spreadsheets (CSV; the XLSX reader shares the row handling and has its own hostile-file tests)
// ---------------------------------------------------------------------------------------------

const csvCell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
/** The columns every generated file has, so that most rows can import; others are drawn at random. */
const BASE_COLUMNS = ['iati_identifier', 'owner_org_id', 'title_en', 'visibility'];
const OTHER_COLUMNS = SHEET_COLUMNS.map((c) => c.name).filter((c) => !BASE_COLUMNS.includes(c));
const cellFor = (column: string): fc.Arbitrary<string> => {
  switch (column) {
    case 'iati_identifier':
      return mostly(fc.integer({ min: 0, max: 30 }).map((n) => `XM-FUZZ-S${n}`), fc.oneof(fc.string({ maxLength: 12 }), fc.constant('')));
    case 'owner_org_id':
      return mostly(fc.constant('@org'), fc.constantFrom('', 'org_nope'));
    case 'title_en':
      return mostly(text.filter((t) => t.trim() !== ''), fc.constantFrom('', ' '));
    case 'visibility':
      return mostly(fc.constantFrom('public', 'members', 'draft'), fc.constantFrom('restricted', '', 'secret'));
    case 'default_language':
      return mostly(fc.constantFrom('en', 'fr', 'zh'), fc.constantFrom('', 'xx'));
    case 'country_code':
      return mostly(fc.constantFrom('KE', 'KE | UA', 'TH'), fc.constantFrom('XX', '', 'ke ; ua'));
    case 'country_percentage':
      return mostly(fc.constantFrom('', '100'), fc.constantFrom('50 | 50', 'abc', '-1'));
    case 'pillar_code':
      return mostly(fc.constantFrom('prevention', 'protection | prosecution', ''), fc.constant('nope'));
    case 'status':
      return mostly(fc.constantFrom('1', '2', '3', ''), fc.constantFrom('9', 'x'));
    default:
      return SHEET_COLUMNS.find((c) => c.name === column)?.date
        ? mostly(fc.constantFrom('', '2023-01-01', '2024-12-31'), fc.constantFrom('2023-13-01', 'soon'))
        : fc.oneof(
            { weight: 6, arbitrary: fc.constant('') },
            { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
            { weight: 1, arbitrary: fc.constantFrom('=1+1', '@SUM(A1)', '1e9', 'Traite des êtres humains', '人口贩运', '"quoted"', 'a | b | c') },
          );
  }
};

const csvFile = fc
  .shuffledSubarray(OTHER_COLUMNS, { minLength: 0, maxLength: 8 })
  .chain((others) => {
    const cols = [...BASE_COLUMNS, ...others];
    return fc.record({
      header: mostly(fc.constant<string[]>(cols), fc.constant<string[]>([...cols, 'not_a_column'])),
      rows: fc.array(fc.tuple(...cols.map(cellFor)), { minLength: 1, maxLength: 5 }),
      damage,
    });
  })
  .map(({ header, rows, damage: d }) => {
    const lines = [header.join(','), ...rows.map((r) => [...r, ...(header.length > r.length ? [''] : [])].map(csvCell).join(','))];
    let csv = `${lines.join('\r\n')}\r\n`;
    if (d) {
      const at = Math.floor(d.at * csv.length);
      if (d.kind === 'truncate') csv = csv.slice(0, at);
      else if (d.kind === 'insert') csv = csv.slice(0, at) + d.junk + csv.slice(at);
      else csv = csv.slice(0, at) + csv.slice(at + 1 + d.junk.length);
    }
    return csv;
  });

describe('spreadsheet importer, property-based', () => {
  it('dry-runs thousands of generated CSV files: a report or a specific refusal, never anything else', { timeout: FUZZ_TIMEOUT }, async () => {
    await fc.assert(
      fc.asyncProperty(csvFile, async (csvText) => {
        const file = write('fuzz.csv', csvText.replaceAll('@org', org.id));
        try {
          const report = await dryRunFile(env.ctx(focal.actor), file, 'fuzz.csv');
          expect(report.rows).toBeGreaterThanOrEqual(0);
          for (const m of report.messages) expect(m.message.length).toBeGreaterThan(0);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          expect(err.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1500, seed: 20261129 },
    );
  });

  it('commits generated CSV files all or nothing, and a committed file imports again unchanged', { timeout: FUZZ_TIMEOUT }, async () => {
    const seen = { committed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(csvFile, async (csvText) => {
        const file = write('fuzz.csv', csvText.replaceAll('@org', org.id));
        const before = { activities: await activityCount(), audit: await auditCount() };
        let result;
        try {
          result = await commitFile(env.ctx(focal.actor), file, 'fuzz.csv');
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          // Refused: nothing written at all.
          seen.refused++;
          expect(await activityCount()).toBe(before.activities);
          expect(await auditCount()).toBe(before.audit);
          await invariants();
          return;
        }
        expect(result.created + result.updated + result.unchanged).toBe(result.rows);
        if (result.created + result.updated > 0) seen.committed++;
        expect((await invariants()).activities).toBe(before.activities + result.created);
        const again = await commitFile(env.ctx(focal.actor), file, 'fuzz.csv');
        expect(again.created).toBe(0);
        expect(again.updated).toBe(0);
      }),
      { numRuns: 300, seed: 20261129 },
    );
    expect(seen.committed, JSON.stringify(seen)).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
  });
});
