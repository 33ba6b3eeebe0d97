import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { withTransaction, type Executor } from '../../db/database.ts';
import { selectActivityKeys, type ActivityKeyRow } from '../../db/queries/activity-list.ts';
import { organizationChoices } from '../../db/queries/activities.ts';
import { columnLetters, looksLikeFormula, restoreNeutralised } from '../../lib/spreadsheet-cells.ts';
import { workbookBytes, type XlsxCell, type XlsxWriter } from '../../lib/xlsx-writer.ts';
import { looksLikeZip, readCsvRows, readXlsxRows, SpreadsheetError, type SheetEvent, type SheetRow } from '../../lib/spreadsheet-reader.ts';
import { readUpload, removeUpload, storeUpload, uploadFilePath, type UploadMeta } from '../../storage/uploads.ts';
import { can, authorize } from '../policies.ts';
import type { Actor } from '../actor.ts';
import { requestDuplicateScan } from '../coordination/duplicates.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { LANGUAGES, pickText, type Language } from '../languages.ts';
import { getReferenceData, type ReferenceData } from '../reference/reference-data.ts';
import { canSeeActivity } from './activity-access.ts';
import { activityDataOf, canonicalActivityData, loadActivities, sameActivityData } from './activity-mapping.ts';
import { activityInputSchema, type Severity } from './activity-schemas.ts';
import { COLUMN_BY_NAME, columnOfPath, presentGroups, rowToInput, shapeProblems, SHEET_COLUMNS, type Group } from './activity-sheet.ts';
import { activityGrader, storageProblems, type Grader } from './activity-validation.ts';
import { csvHeaderLines, writeActivitiesXlsx } from './export-activities.ts';
import { upsertActivitiesByIdentifier, upsertActivityByIdentifier, type NewActivityInput } from './save-activity.ts';

/**
 * Spreadsheet import of activities: a file with the export's columns (CSV or XLSX) is read row
 * by row, each row turned into an activity and graded by the one validator, and reported with
 * graded messages (row, column, message). Nothing is written until a commit, which saves every
 * row in ONE transaction (`upsertActivitiesByIdentifier`, chunk by chunk) — all rows or none. A re-import
 * updates the activities it names (by IATI identifier, or platform id) and never duplicates
 * them; the owner of every row is checked against the person importing.
 */

export type SpreadsheetFormat = 'csv' | 'xlsx';

export type ImportMessage = {
  /** The spreadsheet row (1 is the header), or null for the file as a whole. */
  row: number | null;
  column: string | null;
  severity: Severity;
  message: string;
  hint?: string;
  rule?: string;
};

export type ImportOutcome = 'create' | 'update' | 'unchanged' | 'blocked';

export type ImportReport = {
  fileName: string;
  format: SpreadsheetFormat;
  /** Data rows read (empty rows not counted). */
  rows: number;
  counts: Record<ImportOutcome, number> & { warnings: number; emptyRowsSkipped: number };
  /** The first MAX_MESSAGES messages, file-level ones first; `messageCount` counts them all. */
  messages: ImportMessage[];
  messageCount: number;
  /** No row blocks: a commit would save every row. */
  committable: boolean;
};

export type ImportResult = { rows: number; created: number; updated: number; unchanged: number; report: ImportReport };

export const MAX_MESSAGES = 2_000;
const CHUNK = 200;

const fileLevel = (severity: Severity, message: string, hint?: string, column: string | null = null): ImportMessage => ({ row: null, column, severity, message, ...(hint && { hint }) });

/** The file type, from its first bytes (a zip is an XLSX) or else its name. */
export async function detectFormat(file: string, fileName: string): Promise<SpreadsheetFormat> {
  if (await looksLikeZip(file)) return 'xlsx';
  if (/\.xlsx$/i.test(fileName)) return 'xlsx';
  return 'csv';
}

type RowPlan = {
  row: number;
  input: NewActivityInput;
  /** The existing activity this row replaces, when found by id. */
  id?: string;
  outcome: ImportOutcome;
};

/** Normalises a header cell: trimmed, lower case, spaces as underscores. */
const headerName = (cell: string) => cell.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * Reads and grades a file, calling `onRows` with each chunk of planned rows (in file order).
 * `executor` runs the lookups (the transaction, during a commit).
 */
async function analyse(
  ctx: DomainContext,
  file: { path: string; name: string; format: SpreadsheetFormat },
  executor: Executor,
  grade: Grader,
  onRows?: (plans: RowPlan[]) => Promise<void>,
): Promise<ImportReport> {
  const messages: ImportMessage[] = [];
  let messageCount = 0;
  const add = (m: ImportMessage) => {
    messageCount++;
    if (messages.length < MAX_MESSAGES) messages.push(m);
  };
  const counts = { create: 0, update: 0, unchanged: 0, blocked: 0, warnings: 0, emptyRowsSkipped: 0 };
  const report = (): ImportReport => ({
    fileName: file.name,
    format: file.format,
    rows: counts.create + counts.update + counts.unchanged + counts.blocked,
    counts,
    messages: [...messages.filter((m) => m.row === null), ...messages.filter((m) => m.row !== null)],
    messageCount,
    committable: counts.blocked === 0 && !messages.some((m) => (m.row === null || m.row === 1) && m.severity !== 'warning') && counts.create + counts.update + counts.unchanged > 0,
  });

  const events: AsyncGenerator<SheetEvent> = file.format === 'xlsx' ? readXlsxRows(file.path, 'Activities') : readCsvRows(file.path);
  let header: string[] | null = null;
  let columnIndex = new Map<string, number>();
  let groups = new Set<Group>();
  let pending: SheetRow[] = [];
  const seen = new Map<string, number>();
  let fatal = false;

  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    const plans = await planChunk(ctx, executor, grade, rows, columnIndex, groups, seen, add);
    for (const p of plans) counts[p.outcome]++;
    if (onRows) await onRows(plans.filter((p) => p.outcome !== 'blocked'));
  };

  try {
    for await (const ev of events) {
      if (ev.kind === 'skipped') {
        counts.emptyRowsSkipped = ev.emptyRows;
        continue;
      }
      if (ev.kind === 'merged') {
        for (const range of ev.ranges.slice(0, 50)) {
          add({ row: Number(/\d+/.exec(range)?.[0] ?? 0) || null, column: null, severity: 'critical', message: `Cells ${range} are merged.`, hint: 'Unmerge them and write the value in each cell it applies to.', rule: 'sheet.merged' });
        }
        fatal = true;
        continue;
      }
      const r = ev.row;
      if (!header) {
        header = r.cells.map(headerName);
        const problems = checkHeader(header);
        for (const p of problems) add(p);
        if (problems.some((p) => p.severity === 'critical')) {
          fatal = true;
          break;
        }
        columnIndex = new Map(header.flatMap((h, i) => (h && COLUMN_BY_NAME.has(h) ? [[h, i] as [string, number]] : [])));
        groups = presentGroups(header);
        continue;
      }
      // The HXL hashtag row under the header, as exports and the template have it.
      if (r.cells.filter((c) => c.trim() !== '').every((c) => c.trim().startsWith('#'))) continue;
      pending.push(r);
      if (pending.length >= CHUNK) await flush();
    }
    if (!fatal) await flush();
  } catch (err) {
    if (err instanceof SpreadsheetError) {
      add(fileLevel('critical', err.message));
      fatal = true;
    } else throw err;
  }
  if (!header && !fatal) add(fileLevel('critical', 'The file is empty: it has no header row.', 'Start from the template, which has the columns the importer reads.'));
  else if (header && counts.create + counts.update + counts.unchanged + counts.blocked === 0 && !fatal) {
    add(fileLevel('critical', 'The file has a header but no activity rows.', 'Add one row per activity under the header (and under the HXL row, if there is one).'));
  }
  counts.warnings = messages.filter((m) => m.severity === 'warning').length;
  return report();
}

/** Wrong or missing headers, named. */
function checkHeader(header: string[]): ImportMessage[] {
  const out: ImportMessage[] = [];
  const counts = new Map<string, number>();
  header.forEach((h, i) => {
    if (!h) return;
    counts.set(h, (counts.get(h) ?? 0) + 1);
    if (!COLUMN_BY_NAME.has(h)) {
      const near = SHEET_COLUMNS.find((c) => c.name.replace(/_/g, '') === h.replace(/_/g, '') || levenshtein(c.name, h) <= 2)?.name;
      out.push({
        row: 1,
        column: columnLetters(i),
        severity: 'critical',
        message: `Unknown column “${h}”${near ? ` (did you mean “${near}”?)` : ''}.`,
        hint: 'Rename it to one of the template’s columns, or remove it.',
        rule: 'header.unknown',
      });
    }
  });
  for (const [h, n] of counts) if (n > 1) out.push({ row: 1, column: h, severity: 'critical', message: `The column “${h}” appears ${n} times.`, hint: 'Keep one of them.', rule: 'header.duplicate' });
  if (!counts.has('iati_identifier') && !counts.has('id')) {
    out.push({
      row: 1,
      column: null,
      severity: 'critical',
      message: 'The columns “iati_identifier” and “id” are both missing: the importer could not tell which activity each row is.',
      hint: 'Add the column iati_identifier (or id, the platform id of an export).',
      rule: 'header.identifier-missing',
    });
  }
  return out;
}

function levenshtein(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

/** Grades a chunk of rows: lookups in bulk, then each row against the validator and the policy. */
async function planChunk(
  ctx: DomainContext,
  db: Executor,
  grade: Grader,
  rows: SheetRow[],
  columnIndex: Map<string, number>,
  groups: ReturnType<typeof presentGroups>,
  seen: Map<string, number>,
  add: (m: ImportMessage) => void,
): Promise<RowPlan[]> {
  const cell = (r: SheetRow, column: string): string | undefined => {
    const i = columnIndex.get(column);
    return i === undefined ? undefined : restoreNeutralised(r.cells[i] ?? '');
  };
  const keys = rows.map((r) => ({ id: (cell(r, 'id') ?? '').trim(), identifier: (cell(r, 'iati_identifier') ?? '').trim() }));
  const found = await selectActivityKeys(db, { ids: keys.map((k) => k.id).filter(Boolean), identifiers: keys.map((k) => k.identifier).filter(Boolean) });
  const byId = new Map(found.map((f) => [f.id, f]));
  const byIdentifier = new Map(found.filter((f) => f.iati_identifier).map((f) => [f.iati_identifier!, f]));
  const existing = rows.map((_, i) => byId.get(keys[i]!.id) ?? (keys[i]!.identifier ? byIdentifier.get(keys[i]!.identifier) : undefined));
  const storedList = await loadActivities(db, [...new Set(existing.flatMap((e) => (e ? [e.id] : [])))]);
  const stored = new Map(storedList.map((a) => [a.id, activityDataOf(a)]));

  const plans: RowPlan[] = [];
  for (const [i, r] of rows.entries()) {
    const key = keys[i]!;
    const current = existing[i];
    let blocked = false;
    const problem = (column: string | null, message: string, hint?: string, severity: Severity = 'critical', rule?: string) => {
      if (severity === 'critical') blocked = true;
      add({ row: r.row, column, severity, message, ...(hint && { hint }), ...(rule && { rule }) });
    };
    for (const f of r.formulas) {
      const name = [...columnIndex].find(([, idx]) => idx === f)?.[0] ?? columnLetters(f);
      problem(name, 'This cell holds a formula; formulas are not imported.', 'Replace the formula by its value (copy the cell, then paste as values).', 'critical', 'cell.formula');
    }
    for (const [name, idx] of columnIndex) {
      const raw = r.cells[idx] ?? '';
      if (!r.formulas.includes(idx) && looksLikeFormula(raw)) {
        problem(name, `This cell starts with “=” and would be a formula in a spreadsheet program (${raw.slice(0, 40)}).`, 'If it is text, start it with an apostrophe (’=…).', 'critical', 'cell.formula');
      }
    }
    const dupKey = key.identifier || key.id;
    if (!key.identifier && !key.id) {
      problem('iati_identifier', 'This row has neither an IATI identifier nor a platform id.', 'Give the IATI identifier, so that a re-import updates the activity instead of duplicating it.', 'critical', 'identity.missing');
    } else if (seen.has(dupKey)) {
      problem(key.identifier ? 'iati_identifier' : 'id', `This activity is already on row ${seen.get(dupKey)}.`, 'Keep one row per activity.', 'critical', 'identity.duplicate');
    } else seen.set(dupKey, r.row);
    if (key.id && !current && !key.identifier) problem('id', `There is no activity with the id ${key.id}.`, 'Leave id empty and give the IATI identifier to create it.', 'critical', 'identity.unknown');

    const storedData = current ? stored.get(current.id) : undefined;
    const { input, problems } = rowToInput((c) => cell(r, c), groups, storedData);
    for (const p of problems) problem(p.column, p.message, p.hint, 'critical', 'cell.format');

    const access = checkAccess(ctx.actor, current, input);
    if (access) problem(access.column, access.message, access.hint, 'critical', 'import.permission');
    const owner = input.ownerOrganizationId || (current?.owner_organization_id ?? defaultOwner(ctx.actor));
    const full = { ...input, ownerOrganizationId: owner ?? null };
    const shape = shapeProblems(full);
    for (const p of shape) problem(p.column, p.message, undefined, 'critical', 'shape');

    let outcome: ImportOutcome = current ? 'update' : 'create';
    if (shape.length === 0 && owner) {
      const data = canonicalActivityData(activityInputSchema.parse({ ...full, ownerOrganizationId: owner }));
      const graded = [...(await storageProblems(db, data)), ...grade(data, 'import')];
      for (const m of graded) {
        const blocks = m.severity === 'critical' || (m.severity === 'error' && data.visibility !== 'draft');
        if (blocks) blocked = true;
        // A share rule on a whole list (`countries`) is about its percentage column.
        const where = m.rule.includes('percentage') && !m.path.includes('.') ? `${m.path}.0.percentage` : m.path;
        add({ row: r.row, column: columnOfPath(where), severity: m.severity, message: m.message, ...(m.hint && { hint: m.hint }), rule: m.rule });
      }
      if (current && storedData && sameActivityData(storedData, data) && !current.deleted_at) outcome = 'unchanged';
    }
    plans.push({ row: r.row, input: full, ...(current && byId.has(key.id) ? { id: current.id } : {}), outcome: blocked ? 'blocked' : outcome });
  }
  return plans;
}

function defaultOwner(actor: Actor): string | undefined {
  return actor.kind === 'anonymous' ? undefined : actor.memberships[0]?.organizationId;
}

/** Why the actor may not write this row, if they may not: the policies of create and update, per row. */
function checkAccess(actor: Actor, current: ActivityKeyRow | undefined, input: NewActivityInput): { column: string; message: string; hint: string } | undefined {
  const owner = input.ownerOrganizationId || current?.owner_organization_id || defaultOwner(actor);
  if (!current) {
    if (!owner) return { column: 'owner_org_id', message: 'This row names no owner organization.', hint: 'Give the platform id of the owner organization.' };
    if (!can(actor, 'activity.create', { ownerOrganizationId: owner })) {
      return { column: 'owner_org_id', message: `You may not create activities for the organization ${owner}.`, hint: 'Import only activities of your own organization.' };
    }
    return undefined;
  }
  if (current.deleted_at) return { column: 'iati_identifier', message: 'This activity has been deleted.', hint: 'Restore it on its page before importing changes to it.' };
  if (!canSeeActivity(actor, current) || !can(actor, 'activity.update', { ownerOrganizationId: current.owner_organization_id })) {
    return { column: 'iati_identifier', message: 'This activity belongs to another organization; you may not change it.', hint: 'Remove the row, or ask that organization to import it.' };
  }
  if (owner && owner !== current.owner_organization_id && !can(actor, 'activity.update', { ownerOrganizationId: owner })) {
    return { column: 'owner_org_id', message: `You may not give this activity to the organization ${owner}.`, hint: 'Keep the current owner.' };
  }
  return undefined;
}

const actorKey = (actor: Actor) => (actor.kind === 'anonymous' ? 'anonymous' : actor.kind === 'token' ? `user:${actor.userId}` : `user:${actor.userId}`);

/** A stored upload of this actor, or NOT_FOUND. */
async function ownUpload(ctx: DomainContext, token: string): Promise<{ meta: UploadMeta; file: string }> {
  const meta = await readUpload(ctx.config.dataDir, token);
  const file = uploadFilePath(ctx.config.dataDir, token);
  if (!meta || !file || meta.ownerKey !== actorKey(ctx.actor)) throw notFound('The uploaded file (it may have expired; upload it again)');
  return { meta, file };
}

/**
 * Stores an uploaded spreadsheet for two hours under a random token and returns its dry-run
 * report. Refuses a file above MAX_UPLOAD_BYTES with PAYLOAD_TOO_LARGE.
 */
export async function uploadSpreadsheet(ctx: DomainContext, upload: { fileName: string; bytes: Uint8Array }): Promise<{ token: string; expiresAt: string; report: ImportReport }> {
  authorize(ctx.actor, 'activity.import');
  const limit = ctx.config.MAX_UPLOAD_BYTES;
  if (upload.bytes.byteLength > limit) {
    const message = `The file is ${upload.bytes.byteLength} bytes, larger than the upload limit of ${limit} bytes (${(limit / 1048576).toFixed(1)} MB). Split it into smaller files.`;
    throw new AppError('PAYLOAD_TOO_LARGE', message, { fields: [{ path: 'file', message, code: 'too_big' }] });
  }
  if (upload.bytes.byteLength === 0) {
    throw new AppError('VALIDATION_FAILED', 'The file is empty.', { fields: [{ path: 'file', message: 'Choose a CSV or XLSX file with activities.' }] });
  }
  const fileName = path.basename(upload.fileName || 'upload').slice(0, 200);
  const meta = await storeUpload(ctx.config.dataDir, upload.bytes, { ownerKey: actorKey(ctx.actor), fileName, kind: 'activities' });
  const report = await dryRunSpreadsheetImport(ctx, meta.token);
  return { token: meta.token, expiresAt: meta.expiresAt, report };
}

/** The dry run of a stored upload: every row parsed and graded, nothing written. */
export async function dryRunSpreadsheetImport(ctx: DomainContext, token: string): Promise<ImportReport> {
  authorize(ctx.actor, 'activity.import');
  const { meta, file } = await ownUpload(ctx, token);
  return dryRunFile(ctx, file, meta.fileName);
}

/** The dry run of a file on disk (the CLI's, or a stored upload). */
export async function dryRunFile(ctx: DomainContext, file: string, fileName = path.basename(file)): Promise<ImportReport> {
  authorize(ctx.actor, 'activity.import');
  const format = await detectFormat(file, fileName);
  const grade = await activityGrader(ctx);
  return analyse(ctx, { path: file, name: fileName, format }, ctx.db.kysely, grade);
}

export type ImportProgress = { done: number; total: number };

/**
 * Saves every row of a file in ONE transaction (upsertActivitiesByIdentifier, chunk by chunk):
 * created, updated or left unchanged, all or none. A file whose dry run has any blocking message is
 * refused with VALIDATION_FAILED and nothing is written.
 */
export async function commitFile(ctx: DomainContext, file: string, fileName = path.basename(file), opts: { onProgress?: (p: ImportProgress) => void } = {}): Promise<ImportResult> {
  const dry = await dryRunFile(ctx, file, fileName);
  if (!dry.committable) {
    throw new AppError('VALIDATION_FAILED', 'The file has problems to correct before it can be imported; nothing was saved.', {
      fields: dry.messages.filter((m) => m.severity !== 'warning').slice(0, 200).map((m) => ({ path: `row ${m.row ?? '-'}${m.column ? `, ${m.column}` : ''}`, message: m.message, severity: m.severity, ...(m.hint && { hint: m.hint }) })),
    });
  }
  const format = await detectFormat(file, fileName);
  const sha = createHash('sha256').update(await fs.readFile(file)).digest('hex');
  const provenance = { source: 'spreadsheet' as const, fileName, fileSha256: sha, importedAt: new Date().toISOString() };
  // On the embedded database the transaction holds the only connection: read reference data first.
  await getReferenceData(ctx);
  const grade = await activityGrader(ctx);
  const total = dry.rows;
  let done = 0;
  const result = { created: 0, updated: 0, unchanged: 0 };
  opts.onProgress?.({ done, total });
  const report = await withTransaction(ctx.db, async (tx) => {
    const r = await analyse(ctx, { path: file, name: fileName, format }, tx, grade, async (plans) => {
      // Rows found by their identifier go through the batch path (a few multi-row statements per
      // chunk); a row naming the platform id of an activity goes one by one.
      const byIdentifier = plans.filter((p) => !p.id);
      const results = await upsertActivitiesByIdentifier(ctx, tx, byIdentifier.map((p) => ({ raw: p.input, provenance })), grade);
      for (const [k, res] of results.entries()) {
        if ('error' in res) throw rowError(byIdentifier[k]!.row, res.error);
        result[res.outcome]++;
      }
      for (const p of plans.filter((q) => q.id)) {
        try {
          const saved = await upsertActivityByIdentifier(ctx, p.input, { tx, provenance, id: p.id });
          result[saved.outcome]++;
        } catch (err) {
          throw rowError(p.row, err);
        }
      }
      done += plans.length;
      opts.onProgress?.({ done, total });
    });
    if (!r.committable) throw new AppError('CONFLICT', 'The data changed while the file was being imported; nothing was saved. Run the import again.');
    return r;
  });
  return { rows: report.rows, ...result, report };
}

/** An error saving one row, said with the row's number; the transaction is rolled back. */
function rowError(row: number, err: unknown): unknown {
  if (err instanceof AppError) {
    return new AppError(err.code, `Row ${row}: ${err.message} Nothing was saved.`, { fields: err.fields.map((f) => ({ ...f, path: `row ${row}, ${columnOfPath(f.path)}` })) });
  }
  return err;
}

/** Commits a stored upload (see commitFile) and removes it. */
export async function commitSpreadsheetImport(ctx: DomainContext, token: string, opts: { onProgress?: (p: ImportProgress) => void } = {}): Promise<ImportResult> {
  authorize(ctx.actor, 'activity.import');
  const { meta, file } = await ownUpload(ctx, token);
  const result = await commitFile(ctx, file, meta.fileName, opts);
  await removeUpload(ctx.config.dataDir, token);
  // New or changed records: the duplicate scan runs after the import, in the background.
  if (result.created + result.updated > 0) requestDuplicateScan(ctx);
  return result;
}

/** What an uploaded file is, for the report page: its name and when it expires. */
export async function describeUpload(ctx: DomainContext, token: string): Promise<{ fileName: string; expiresAt: string }> {
  const { meta } = await ownUpload(ctx, token);
  return { fileName: meta.fileName, expiresAt: meta.expiresAt };
}

// ---------------------------------------------------------------- template

/** The template to fill in: the export's columns, an instructions sheet and the code lists (XLSX), or the header and HXL rows (CSV). */
export async function spreadsheetTemplate(ctx: DomainContext, format: SpreadsheetFormat, opts: { lang?: string } = {}): Promise<{ fileName: string; contentType: string; body: Buffer }> {
  const lang: Language = (LANGUAGES as readonly string[]).includes(opts.lang ?? '') ? (opts.lang as Language) : 'en';
  if (format === 'csv') return { fileName: 'activities-template.csv', contentType: 'text/csv; charset=utf-8', body: Buffer.from(csvHeaderLines(), 'utf8') };
  const ref = await getReferenceData(ctx);
  const orgs = await organizationChoices(ctx.db.kysely);
  const body = await workbookBytes((out) =>
    writeActivitiesXlsx(out, (async function* () {})(), ref, lang, {
      extraSheets: async (wb) => {
        await instructionsSheet(wb);
        await codeListSheet(wb, ref, lang, orgs.map((o) => ({ id: o.id, acronym: o.acronym, name: pickText(o.name as Record<string, string>, lang) })));
      },
    }),
  );
  return { fileName: 'activities-template.xlsx', contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body };
}

const INSTRUCTIONS = [
  'How to fill in this workbook',
  '',
  'One row per activity on the sheet “Activities”, under its two header rows (the column names, then the HXL hashtags). The other sheets are for reading: the importer reads only “Activities”.',
  'Each activity needs an IATI identifier (column iati_identifier). Importing the same identifier again updates that activity; it never makes a second one.',
  'Columns you leave out of the file keep the values the activity already has. Columns ending in _name and owner_org are labels for reading; they are ignored on import.',
  'Lists: several values in one cell, separated by " | " (space, bar, space). The n-th value of each cell of a group belongs to the n-th item: participant_role “4 | 1” with participant_org_id “org_a | org_b”.',
  'Dates as YYYY-MM-DD. Percentages and amounts as numbers with a dot for decimals. Codes as in the sheet “Code lists”.',
  'Do not use formulas or merged cells: they are refused. Text that starts with = + - or @ is written with a leading apostrophe, which is removed on import.',
  'Upload the file at /activities/import: a dry run lists every problem by row and column, and nothing is saved until you confirm. Drafts may be saved with errors; published records may not.',
];

async function instructionsSheet(wb: XlsxWriter): Promise<void> {
  const rows: XlsxCell[][] = [...INSTRUCTIONS.map((line) => [line]), [], ['column', 'HXL', 'what it holds', 'list', 'read on import', 'codes']];
  for (const c of SHEET_COLUMNS) rows.push([c.name, c.hxl, c.description, c.list ? 'yes' : '', c.label ? 'no (label)' : 'yes', c.codes?.name ?? '']);
  await wb.addRows('Instructions', rows, { widths: { 0: 28, 2: 60 } });
}

async function codeListSheet(wb: XlsxWriter, ref: ReferenceData, lang: Language, orgs: { id: string; acronym: string; name: string }[]): Promise<void> {
  const rows: XlsxCell[][] = [['list', 'code', 'label']];
  for (const o of orgs) rows.push(['organization (owner_org_id, participant_org_id, shared_with)', o.id, `${o.acronym} — ${o.name}`]);
  const done = new Set<string>();
  for (const c of SHEET_COLUMNS) {
    if (!c.codes || done.has(c.codes.name)) continue;
    done.add(c.codes.name);
    if (c.codes.kind === 'country') {
      for (const country of ref.countries.values()) rows.push(['country', country.code, ref.label('country', country.code, lang)]);
    } else if (c.codes.kind === 'taxonomy') {
      for (const t of ref.terms(c.codes.name)) rows.push([c.codes.name, t.code, ref.label(c.codes.name, t.code, lang)]);
    } else {
      for (const item of ref.codelists.get(c.codes.name)?.items.values() ?? []) if (!item.withdrawn) rows.push([c.codes.name, item.code, ref.label(c.codes.name, item.code, lang)]);
    }
  }
  rows.push(['visibility', 'public', 'everyone'], ['visibility', 'members', 'people of member organizations'], ['visibility', 'restricted', 'the organizations in shared_with'], ['visibility', 'draft', 'the owner organization only']);
  await wb.addRows('Code lists', rows, { frozenRows: 1, headerRows: 1 });
}

