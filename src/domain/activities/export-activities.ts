import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { PassThrough, Readable, type Writable } from 'node:stream';
import { once } from 'node:events';
import { selectOrganizationLabels } from '../../db/queries/activity-list.ts';
import { csvField, neutraliseFormula } from '../../lib/spreadsheet-cells.ts';
import { XlsxWriter } from '../../lib/xlsx-writer.ts';
import type { DomainContext } from '../context.ts';
import { LANGUAGES, pickText, type Language } from '../languages.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { iatiActivityChunks } from '../iati/export-iati.ts';
import type { Activity } from './activity-schemas.ts';
import { loadActivities } from './activity-mapping.ts';
import { activityToRow, SHEET_COLUMNS, type OrgNames } from './activity-sheet.ts';
import type { ActivityFilters } from './activity-filters.ts';
import { listActivityIds } from './list-activities.ts';

/**
 * Exports of the activities the actor may see under the list's filters, streamed: the ids are
 * walked in keyset batches in the list's order, each batch loaded whole, written out, and
 * dropped, so memory stays flat whatever the number of activities. Batches are separate
 * queries, not one snapshot: on the embedded database a long transaction would hold the only
 * connection for the whole download. An activity changed while an export runs appears as it was
 * when its batch was read.
 */

export const EXPORT_FORMATS = ['csv', 'xlsx', 'json', 'xml'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export type ActivityExport = { fileName: string; contentType: string; stream: Readable };

const BATCH = 1000;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

type Batch = { activities: Activity[]; orgs: OrgNames };

/**
 * Every activity under the filters, a batch at a time, with the acronyms of the organizations
 * they name. The next batch is read while the caller writes the current one.
 */
async function* activityBatches(ctx: DomainContext, filters: ActivityFilters, lang: Language): AsyncGenerator<Batch> {
  const fetchBatch = async (cursor: string | undefined): Promise<Batch & { next: string | null }> => {
    const page = await listActivityIds(ctx, { ...filters, cursor, limit: BATCH }, { lang });
    if (page.ids.length === 0) return { activities: [], orgs: new Map(), next: null };
    const activities = await loadActivities(ctx.db.kysely, page.ids);
    const orgIds = [...new Set(activities.flatMap((a) => a.participants.map((p) => p.organizationId ?? '').filter(Boolean)))];
    const orgs = new Map((await selectOrganizationLabels(ctx.db.kysely, orgIds)).map((o) => [o.id, o.acronym]));
    return { activities, orgs, next: page.nextCursor };
  };
  let pending: Promise<Batch & { next: string | null }> | null = fetchBatch(undefined);
  while (pending) {
    const batch: Batch & { next: string | null } = await pending;
    pending = batch.next ? fetchBatch(batch.next) : null;
    // A rejected prefetch surfaces when awaited; keep it from being reported as unhandled meanwhile.
    pending?.catch(() => undefined);
    if (batch.activities.length > 0) yield batch;
  }
}

const stamp = () => new Date().toISOString().slice(0, 10);
const pickLang = (lang: string | undefined): Language => ((LANGUAGES as readonly string[]).includes(lang ?? '') ? (lang as Language) : 'en');

/** The header, the HXL hashtag row and one line per activity, as CSV (UTF-8 with a byte-order mark for spreadsheet programs). */
export function csvHeaderLines(): string {
  const header = SHEET_COLUMNS.map((c) => csvField(c.name)).join(',');
  const hxl = SHEET_COLUMNS.map((c) => csvField(c.hxl)).join(',');
  return `\uFEFF${header}\r\n${hxl}\r\n`;
}

export function csvLine(row: Record<string, string>): string {
  return `${SHEET_COLUMNS.map((c) => csvField(neutraliseFormula(row[c.name] ?? ''))).join(',')}\r\n`;
}

/** The activities as CSV: codes and labels, an HXL hashtag row under the header, lists joined with " | ". */
export async function streamActivitiesCsv(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string } = {}): Promise<ActivityExport> {
  const lang = pickLang(opts.lang);
  const ref = await getReferenceData(ctx);
  async function* lines() {
    yield csvHeaderLines();
    for await (const batch of activityBatches(ctx, filters, lang)) {
      yield batch.activities.map((a) => csvLine(activityToRow(a, ref, lang, batch.orgs))).join('');
    }
  }
  return { fileName: `activities-${stamp()}.csv`, contentType: CONTENT_TYPES.csv, stream: Readable.from(lines(), { objectMode: false }) };
}

/** The activities as a JSON array in the API's shape (as `GET /api/v1/activities/{id}` gives each). */
export async function streamActivitiesJson(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string } = {}): Promise<ActivityExport> {
  const lang = pickLang(opts.lang);
  async function* chunks() {
    yield '[';
    let first = true;
    for await (const batch of activityBatches(ctx, filters, lang)) {
      const parts = batch.activities.map((a) => JSON.stringify(a));
      yield (first ? '\n' : ',\n') + parts.join(',\n');
      first = false;
    }
    yield first ? ']\n' : '\n]\n';
  }
  return { fileName: `activities-${stamp()}.json`, contentType: CONTENT_TYPES.json, stream: Readable.from(chunks(), { objectMode: false }) };
}

/** A sheet beside the activities: one row per item (location, participant, country, sector, budget). */
type ChildSheet = { name: string; columns: string[]; rows: (a: Activity, ref: ReferenceData, lang: Language, orgs: OrgNames) => (string | number | null)[][] };

const idCols = ['activity_id', 'iati_identifier', 'activity_title'];
const idCells = (a: Activity, lang: Language) => [a.id, a.iatiIdentifier ?? '', pickText(a.title, lang)];

export const CHILD_SHEETS: ChildSheet[] = [
  {
    name: 'Locations',
    columns: [...idCols, 'location_ref', 'location_name', 'location_description', 'location_country', 'location_admin_vocabulary', 'location_admin_level', 'location_admin_code', 'location_lat', 'location_lon', 'location_exactness', 'location_class', 'location_feature_designation'],
    rows: (a, _ref, lang) =>
      a.locations.map((l) => [
        ...idCells(a, lang),
        l.ref ?? '',
        pickText(l.name, lang),
        pickText(l.description, lang),
        l.countryCode ?? '',
        l.adminVocabulary ?? '',
        l.adminLevel ?? null,
        l.adminCode ?? '',
        l.latitude ?? null,
        l.longitude ?? null,
        l.exactness ?? '',
        l.locationClass ?? '',
        l.featureDesignation ?? '',
      ]),
  },
  {
    name: 'Participating organizations',
    columns: [...idCols, 'participant_role', 'participant_role_name', 'participant_org_id', 'participant_ref', 'participant_name', 'participant_type'],
    rows: (a, ref, lang, orgs) =>
      a.participants.map((p) => [
        ...idCells(a, lang),
        p.role,
        ref.label('OrganisationRole', p.role, lang),
        p.organizationId ?? '',
        p.ref ?? '',
        (p.organizationId && orgs.get(p.organizationId)) || pickText(p.name, lang),
        p.orgType ?? '',
      ]),
  },
  {
    name: 'Countries',
    columns: [...idCols, 'country_code', 'country_name', 'country_percentage', 'region_m49', 'region_name'],
    rows: (a, ref, lang) =>
      a.countries.map((c) => {
        const region = ref.country(c.code)?.subregionM49 ?? ref.country(c.code)?.regionM49 ?? '';
        return [...idCells(a, lang), c.code, ref.label('country', c.code, lang), c.percentage ?? null, region, region ? ref.label('m49', region, lang) : ''];
      }),
  },
  {
    name: 'Sectors',
    columns: [...idCols, 'sector_vocabulary', 'sector_code', 'sector_name', 'sector_percentage'],
    rows: (a, ref, lang) =>
      a.sectors.map((s) => [...idCells(a, lang), s.vocabulary, s.code, s.vocabulary === '1' || s.vocabulary === '2' ? ref.label('Sector', s.code, lang) : pickText(s.narrative, lang) || s.code, s.percentage ?? null]),
  },
  {
    name: 'Budgets',
    columns: [...idCols, 'budget_type', 'budget_status', 'budget_start', 'budget_end', 'budget_value', 'budget_currency', 'budget_value_date'],
    rows: (a, _ref, lang) => a.budgets.map((b) => [...idCells(a, lang), b.type, b.status, b.periodStart, b.periodEnd, b.value, b.currency ?? a.defaultCurrency ?? '', b.valueDate ?? '']),
  },
];

const safe = (v: string | number | null): string | number | null => (typeof v === 'string' ? neutraliseFormula(v) : v);

/**
 * Writes an XLSX workbook (src/lib/xlsx-writer.ts, streamed with backpressure): the Activities
 * sheet (the same columns as the CSV, with the HXL row), then one sheet each for locations,
 * participating organizations, countries, sectors and budgets. Sheets are written one after
 * another, so the rows of the other sheets wait in temporary files (one JSON line each) while
 * the activities are read once from the database.
 */
export async function writeActivitiesXlsx(
  out: Writable,
  batches: AsyncIterable<Batch>,
  ref: ReferenceData,
  lang: Language,
  opts: { extraSheets?: (wb: XlsxWriter) => Promise<void> } = {},
): Promise<void> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'icat-xlsx-'));
  const files = CHILD_SHEETS.map((s, i) => {
    const file = path.join(dir, `sheet-${i}.ndjson`);
    return { sheet: s, file, stream: fs.createWriteStream(file) };
  });
  try {
    const wb = new XlsxWriter(out);
    const main = await wb.addSheet('Activities', { frozenRows: 2, headerRows: 2 });
    await main.addRow(SHEET_COLUMNS.map((c) => c.name));
    await main.addRow(SHEET_COLUMNS.map((c) => c.hxl));
    for await (const batch of batches) {
      for (const a of batch.activities) {
        const row = activityToRow(a, ref, lang, batch.orgs);
        await main.addRow(SHEET_COLUMNS.map((c) => safe(row[c.name] ?? '')));
        for (const f of files) {
          const lines = f.sheet.rows(a, ref, lang, batch.orgs);
          if (lines.length > 0 && !f.stream.write(lines.map((r) => `${JSON.stringify(r)}\n`).join(''))) await once(f.stream, 'drain');
        }
      }
    }
    await main.end();
    for (const f of files) {
      f.stream.end();
      await once(f.stream, 'close');
      const ws = await wb.addSheet(f.sheet.name, { frozenRows: 1, headerRows: 1 });
      await ws.addRow(f.sheet.columns);
      const lines = readline.createInterface({ input: fs.createReadStream(f.file, 'utf8'), crlfDelay: Infinity });
      for await (const line of lines) if (line) await ws.addRow((JSON.parse(line) as (string | number | null)[]).map(safe));
      await ws.end();
    }
    await opts.extraSheets?.(wb);
    await wb.finish();
  } finally {
    for (const f of files) f.stream.destroy();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

/** The activities as an XLSX workbook (see writeActivitiesXlsx), streamed. */
export async function streamActivitiesXlsx(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string } = {}): Promise<ActivityExport> {
  const lang = pickLang(opts.lang);
  const ref = await getReferenceData(ctx);
  const out = new PassThrough();
  writeActivitiesXlsx(out, activityBatches(ctx, filters, lang), ref, lang).catch((err: unknown) => out.destroy(err as Error));
  return { fileName: `activities-${stamp()}.xlsx`, contentType: CONTENT_TYPES.xlsx, stream: out };
}

/** The activities as an IATI 2.03 activity file (see export-iati.ts), streamed. */
export async function streamActivitiesIati(ctx: DomainContext, filters: ActivityFilters, opts: { lang?: string } = {}): Promise<ActivityExport> {
  const chunks = iatiActivityChunks(ctx, activityBatches(ctx, filters, pickLang(opts.lang)));
  return { fileName: `activities-iati-${stamp()}.xml`, contentType: CONTENT_TYPES.xml, stream: Readable.from(chunks, { objectMode: false }) };
}

/** Exports the activities the actor may see under the filters, in one of the formats (CSV with HXL, XLSX, JSON, IATI XML). */
export async function exportActivities(ctx: DomainContext, filters: ActivityFilters, format: ExportFormat, opts: { lang?: string } = {}): Promise<ActivityExport> {
  const all = { ...filters, cursor: undefined, limit: undefined };
  if (format === 'csv') return streamActivitiesCsv(ctx, all, opts);
  if (format === 'xlsx') return streamActivitiesXlsx(ctx, all, opts);
  if (format === 'xml') return streamActivitiesIati(ctx, all, opts);
  return streamActivitiesJson(ctx, all, opts);
}

