import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZodError } from 'zod';
import { withTransaction, type Executor } from '../../db/database.ts';
import { findOrganizationByKey, organizationsByIatiRef, storedIatiStates } from '../../db/queries/iati.ts';
import { activityDataOf, loadActivities } from '../activities/activity-mapping.ts';
import { activityInputSchema, type Severity } from '../activities/activity-schemas.ts';
import { activityGrader, isBlocking } from '../activities/activity-validation.ts';
import { upsertActivitiesByIdentifier, upsertActivityByIdentifier, type BatchItem, type NewActivityInput, type UpsertResult } from '../activities/save-activity.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import { IatiFileError, readIatiActivities, type IatiFileHeader } from './iati-xml-reader.ts';
import { storedIatiRules } from './iati-ruleset.ts';
import { mapIatiActivity, type MappedActivity } from './map-iati-activity.ts';

/**
 * Imports an IATI 2.0x activity file by streaming: each activity is read, mapped, graded and
 * saved through `upsertActivityByIdentifier`, BATCH activities per transaction, so memory stays
 * flat and an import killed half-way leaves whole batches behind; running it again reaches the
 * same state (upserts are idempotent, an unchanged activity gets no new version). An activity
 * older than the stored one (`last-updated-datetime`) is skipped; a repeated identifier inside
 * the file is reported and its later occurrences skipped; an invalid activity is reported and
 * the others go on. A file that is not IATI 2.x XML is refused as a whole.
 */

export type IatiOutcome = 'created' | 'updated' | 'unchanged' | 'skipped' | 'failed';

export type IatiImportMessage = { activity: number | null; identifier: string | null; line: number | null; severity: Severity; message: string; rule?: string };

export type IatiActivityReport = { index: number; identifier: string | null; line: number; outcome: IatiOutcome; reasons: string[] };

export type IatiImportReport = {
  fileName: string;
  sha256: string;
  version: string | null;
  /** Set when the file was refused as a whole: nothing was imported. */
  refused: { kind: string; message: string; line: number | null; column: number | null } | null;
  activities: number;
  counts: Record<IatiOutcome, number>;
  /** Per activity, its outcome; the first MAX_ACTIVITY_REPORTS. */
  perActivity: IatiActivityReport[];
  /** Graded messages (file-level ones have activity null); the first MAX_MESSAGES. */
  messages: IatiImportMessage[];
  messageCount: number;
  /** New activities saved with a suggested classification awaiting review (absent from reports of older versions). */
  suggested?: number;
};

export type IatiImportProgress = { bytesRead: number; totalBytes: number; activities: number; counts: Record<IatiOutcome, number> };

export type IatiImportOptions = {
  onProgress?: (p: IatiImportProgress) => void;
  /** 'all' (default) imports everything; 'relevant-only' keeps activities relevant to trafficking. */
  relevance?: 'all' | 'relevant-only';
  /** The organization (id, slug, acronym or IATI identifier) owning activities whose reporting org is not a registered one. */
  owner?: string;
  batchSize?: number;
};

export const MAX_MESSAGES = 5_000;
export const MAX_ACTIVITY_REPORTS = 10_000;
const BATCH = 100;

export const RELEVANT_SECTORS = ['15160', '15180', '15190', '16070'];
export const RELEVANT_SDG_TARGETS = ['5.2', '8.7', '16.2'];
const KEYWORDS = [/traffick/i, /\btraite des (êtres|personnes)/i, /\btrata de (personas|seres)/i, /торговл[а-я]* людьми/i, /الاتجار بال?بشر|الإتجار بال?بشر|الاتجار بالأشخاص/];

/** Why an activity is relevant to trafficking (empty: it is not). Sector codes, SDG targets, keywords. */
export function relevanceReasons(m: MappedActivity): string[] {
  const out: string[] = [];
  for (const t of m.tags) {
    if ((t.vocabulary === 'sector:1' || t.vocabulary === 'sector:2') && RELEVANT_SECTORS.includes(t.code)) out.push(`sector ${t.code}`);
    if (t.vocabulary === 'tag:3' && RELEVANT_SDG_TARGETS.includes(t.code)) out.push(`SDG target ${t.code}`);
  }
  for (const k of KEYWORDS) {
    const hit = k.exec(m.text);
    if (hit) out.push(`keyword “${hit[0]}”`);
  }
  return [...new Set(out)];
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash('sha256');
  await pipeline(fs.createReadStream(file), h);
  return h.digest('hex');
}

/** Reads the file up to its root element: the error that refuses it as a whole, if any. */
export async function readHead(file: string): Promise<IatiFileError | undefined> {
  const stream = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  try {
    for await (const ev of readIatiActivities(stream as AsyncIterable<Buffer>)) if (ev.kind === 'header' || ev.kind === 'activity') break;
    return undefined;
  } catch (err) {
    if (err instanceof IatiFileError) return err;
    throw err;
  } finally {
    stream.destroy();
  }
}

/**
 * A copy of a string that is kept after its activity. The reader cuts names and text out of the
 * decoded chunk of the file (256 KB, 0.5 MB as a string); V8 makes such a substring a slice that
 * holds the whole chunk, so keeping an identifier, or a message naming one, would keep every
 * chunk the file passed through: the heap grew with the file (about 13 MB per 1,000 activities).
 */
const own = (s: string): string => Buffer.from(s, 'utf8').toString('utf8');
const ownOrNull = (s: string | null): string | null => (s === null ? null : own(s));

type Planned = { index: number; line: number; mapped: MappedActivity; owner: string; relevance?: string[] };

export async function importIatiFile(
  ctx: DomainContext,
  source: { path?: string; stream?: Readable; fileName: string },
  opts: IatiImportOptions = {},
): Promise<IatiImportReport> {
  if (ctx.actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 'Sign in to import activities.');
  // A stream is spooled to a temporary file first: the file's hash is part of every record's provenance.
  let file = source.path;
  let tmp: string | undefined;
  if (!file) {
    if (!source.stream) throw new AppError('BAD_REQUEST', 'Give a file or a stream to import.');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-iati-'));
    file = path.join(tmp, 'upload.xml');
    await pipeline(source.stream, fs.createWriteStream(file));
  }
  try {
    return await importPath(ctx, file, source.fileName, opts);
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

async function importPath(ctx: DomainContext, file: string, fileName: string, opts: IatiImportOptions): Promise<IatiImportReport> {
  const totalBytes = fs.statSync(file).size;
  const counts: Record<IatiOutcome, number> = { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0 };
  const report: IatiImportReport = { fileName, sha256: '', version: null, refused: null, activities: 0, counts, perActivity: [], messages: [], messageCount: 0, suggested: 0 };
  // The head of the file first (a DOCTYPE, a 1.x version, another root are refused at once), then its hash.
  const head = await readHead(file);
  if (head) {
    report.refused = { kind: head.kind, message: head.message, line: head.line, column: head.column };
    report.messages.push({ activity: null, identifier: null, line: head.line, severity: 'critical', message: head.message, rule: `iati.file.${head.kind}` });
    report.messageCount = 1;
    return report;
  }
  const sha256 = await sha256Of(file);
  report.sha256 = sha256;
  // What the report keeps outlives its activity: its strings are copied (see `own`).
  const add = (m: IatiImportMessage) => {
    report.messageCount++;
    if (report.messages.length < MAX_MESSAGES) report.messages.push({ ...m, identifier: ownOrNull(m.identifier), message: own(m.message), ...(m.rule && { rule: own(m.rule) }) });
  };
  const done = (a: Omit<IatiActivityReport, 'reasons'>, reasons: string[] = [], suggested = false) => {
    counts[a.outcome]++;
    if (suggested) report.suggested = (report.suggested ?? 0) + 1;
    if (report.perActivity.length < MAX_ACTIVITY_REPORTS) report.perActivity.push({ ...a, identifier: ownOrNull(a.identifier), reasons: reasons.map(own) });
  };

  // Reference data and organizations are read before any transaction (the embedded database has one connection).
  await getReferenceData(ctx);
  const grade = await activityGrader(ctx);
  const byRef = new Map<string, string>();
  for (const o of await organizationsByIatiRef(ctx.db.kysely)) if (!byRef.has(o.iatiRef.toLowerCase())) byRef.set(o.iatiRef.toLowerCase(), o.id);
  let fallbackOwner: string | undefined;
  if (opts.owner) {
    const found = await findOrganizationByKey(ctx.db.kysely, opts.owner);
    if (found.length !== 1) throw new AppError(found.length === 0 ? 'NOT_FOUND' : 'VALIDATION_FAILED', `--owner ${opts.owner}: ${found.length === 0 ? 'no organization has this id, slug, acronym or IATI identifier' : 'several organizations match; give the id'}.`);
    fallbackOwner = found[0]!.id;
  }

  // The IATI standard ruleset (rules beyond the schema), when an administrator has loaded it.
  const rules = await storedIatiRules(ctx);
  if (!rules) {
    add({ activity: null, identifier: null, line: null, severity: 'warning', message: 'The IATI standard ruleset is not loaded, so the rules beyond the schema were not checked (icat reference load-iati-rules).', rule: 'iati.rules.not-loaded' });
  }

  let bytesRead = 0;
  const stream = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const counted = (async function* () {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      bytesRead += chunk.length;
      yield chunk;
    }
  })();
  const progress = () => opts.onProgress?.({ bytesRead, totalBytes, activities: report.activities, counts: { ...counts } });
  const seen = new Set<string>();
  let header: IatiFileHeader | undefined;
  let batch: Planned[] = [];
  const batchSize = opts.batchSize ?? BATCH;

  // One batch is written while the next one is read, mapped and checked: the database server is
  // another process, so reading and writing use two cores. Writes stay in file order, one at a time.
  let writing: Promise<void> = Promise.resolve();
  const flush = async () => {
    if (batch.length === 0) return;
    const planned = batch;
    batch = [];
    await writing;
    writing = saveBatch(ctx, planned, { fileName, sha256, grade, add, done }).then(progress);
    // Awaited at the next flush or at the end; until then a failure must not count as unhandled.
    writing.catch(() => undefined);
  };

  try {
    for await (const ev of readIatiActivities(counted)) {
      if (ev.kind === 'header') {
        header = ev.header;
        report.version = header.version;
        continue;
      }
      report.activities++;
      if (ev.tooLarge) {
        add({ activity: ev.index, identifier: null, line: ev.line, severity: 'critical', message: 'This activity is too large to import (too many elements or too much text).', rule: 'iati.too-large' });
        done({ index: ev.index, identifier: null, line: ev.line, outcome: 'failed' });
        continue;
      }
      const mapped = mapIatiActivity(ev.node, header?.lang ?? null);
      const id = mapped.identifier || null;
      for (const p of mapped.problems) add({ activity: ev.index, identifier: id, line: p.line, severity: p.severity, message: p.message, rule: `iati.${p.element}` });
      if (mapped.problems.some((p) => p.severity === 'critical')) {
        done({ index: ev.index, identifier: id, line: ev.line, outcome: 'failed' });
        continue;
      }
      if (seen.has(mapped.identifier)) {
        add({ activity: ev.index, identifier: id, line: ev.line, severity: 'error', message: `The identifier ${mapped.identifier} appears more than once in this file; only its first activity is imported.`, rule: 'iati.duplicate-identifier' });
        done({ index: ev.index, identifier: id, line: ev.line, outcome: 'skipped' });
        continue;
      }
      seen.add(own(mapped.identifier));
      let relevance: string[] | undefined;
      if (opts.relevance === 'relevant-only') {
        relevance = relevanceReasons(mapped);
        if (relevance.length === 0) {
          done({ index: ev.index, identifier: id, line: ev.line, outcome: 'skipped' }, ['not relevant to trafficking']);
          continue;
        }
      }
      const owner = (mapped.reportingOrgRef && byRef.get(mapped.reportingOrgRef.toLowerCase())) || fallbackOwner;
      if (!owner) {
        add({
          activity: ev.index,
          identifier: id,
          line: ev.line,
          severity: 'error',
          message: `No platform organization has the IATI identifier ${mapped.reportingOrgRef ?? '(none)'} of this activity’s reporting organization; the activity is skipped.`,
          rule: 'iati.owner-unknown',
        });
        done({ index: ev.index, identifier: id, line: ev.line, outcome: 'skipped' }, ['no owner']);
        continue;
      }
      if (rules) {
        // Graded, never blocking: the activity is saved and the report says what the standard's rules find.
        for (const f of rules.engine.checkActivity(ev.node)) {
          add({ activity: ev.index, identifier: id, line: ev.line, severity: f.severity, message: `${f.message}${f.id ? ` (IATI rule ${f.id})` : ''}`, rule: `iati.rule.${f.id ?? f.rule}` });
        }
      }
      batch.push({ index: ev.index, line: ev.line, mapped, owner, relevance });
      if (batch.length >= batchSize) await flush();
      else if (report.activities % 50 === 0) progress();
    }
    await flush();
    await writing;
  } catch (err) {
    if (!(err instanceof IatiFileError)) throw err;
    report.refused = { kind: err.kind, message: err.message, line: err.line, column: err.column };
    add({ activity: null, identifier: null, line: err.line, severity: 'critical', message: err.message, rule: `iati.file.${err.kind}` });
    // A file that is not IATI (or not XML) at all imports nothing; a break further on keeps every
    // whole activity read before it, the ones still waiting in the batch included.
    await flush();
    await writing;
  } finally {
    stream.destroy();
    // On an error, the batch being written still ends before the import returns.
    await writing.catch(() => undefined);
  }
  // Batches report their activities when saved, after those refused on reading: back in file order.
  report.perActivity.sort((a, b) => a.index - b.index);
  if (!report.refused && report.activities === 0) add({ activity: null, identifier: null, line: null, severity: 'warning', message: 'The file holds no <iati-activity>.', rule: 'iati.file.empty' });
  progress();
  return report;
}

type BatchDeps = {
  fileName: string;
  sha256: string;
  grade: Awaited<ReturnType<typeof activityGrader>>;
  add: (m: IatiImportMessage) => void;
  done: (a: Omit<IatiActivityReport, 'reasons'>, reasons?: string[], suggested?: boolean) => void;
};

/** Errors that a save raises before writing anything: the transaction stays usable. */
const refusedBeforeWriting = (err: unknown) => err instanceof ZodError || (err instanceof AppError && ['VALIDATION_FAILED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'VERSION_CONFLICT'].includes(err.code));

async function saveBatch(ctx: DomainContext, planned: Planned[], deps: BatchDeps): Promise<void> {
  try {
    const outcomes = await withTransaction(ctx.db, (tx) => saveAll(ctx, tx, planned, deps, false));
    report(outcomes, deps);
  } catch {
    // A database error inside the batch: again, one activity per transaction, so the others are kept.
    for (const p of planned) {
      try {
        report(await withTransaction(ctx.db, (tx) => saveAll(ctx, tx, [p], deps, true)), deps);
      } catch (err) {
        report([{ p, outcome: 'failed', messages: [{ severity: 'critical', message: describe(err) }] }], deps);
      }
    }
  }
}

type Saved = { p: Planned; outcome: IatiOutcome; messages: { severity: Severity; message: string; rule?: string; path?: string }[]; reasons?: string[]; suggested?: boolean };

function report(outcomes: Saved[], deps: BatchDeps): void {
  for (const o of outcomes) {
    const id = o.p.mapped.identifier;
    for (const m of o.messages) deps.add({ activity: o.p.index, identifier: id, line: o.p.line, severity: m.severity, message: m.path ? `${m.path}: ${m.message}` : m.message, rule: m.rule });
    deps.done({ index: o.p.index, identifier: id, line: o.p.line, outcome: o.outcome }, o.reasons ?? o.p.relevance ?? [], o.suggested);
  }
}

const describe = (err: unknown) => (err instanceof ZodError ? err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') : err instanceof Error ? err.message : String(err));

async function saveAll(ctx: DomainContext, tx: Executor, planned: Planned[], deps: BatchDeps, alone: boolean): Promise<Saved[]> {
  const states = await storedIatiStates(tx, planned.map((p) => p.mapped.identifier));
  const stored = new Map((await loadActivities(tx, [...states.values()].map((s) => s.id))).map((a) => [a.iatiIdentifier, activityDataOf(a)]));
  const out: Saved[] = [];
  const toSave: (BatchItem & { p: Planned })[] = [];
  for (const p of planned) {
    const m = p.mapped;
    const state = states.get(m.identifier);
    const incoming = m.lastUpdated ? new Date(m.lastUpdated) : null;
    if (state?.lastUpdated && incoming && incoming.getTime() < state.lastUpdated.getTime()) {
      out.push({ p, outcome: 'skipped', messages: [{ severity: 'warning', message: `The stored activity is newer (last updated ${state.lastUpdated.toISOString()}) than this one (${m.lastUpdated}); it is kept.`, rule: 'iati.older' }], reasons: ['older than the stored one'] });
      continue;
    }
    const current = stored.get(m.identifier);
    // The platform's own fields (visibility, sharing, classification) stay as they are on a re-import.
    const sdg = [...new Set([...(current?.classification.sdgTargets ?? []), ...(m.input.classification?.sdgTargets ?? [])])];
    const base: NewActivityInput = { ...m.input, ownerOrganizationId: current ? current.ownerOrganizationId : p.owner, visibility: 'draft', sharedWith: [] };
    const input: NewActivityInput = current
      ? { ...base, visibility: current.visibility, sharedWith: current.sharedWith, classification: { ...current.classification, sdgTargets: sdg }, suggestions: current.suggestions }
      : base;
    // New activities are public, as on IATI, unless the validator finds errors: then drafts.
    if (!current && alone) {
      const parsed = activityInputSchema.safeParse({ ...input, visibility: 'public' });
      if (parsed.success && !deps.grade(parsed.data, 'import').some(isBlocking)) input.visibility = 'public';
    }
    const provenance = {
      source: 'iati' as const,
      fileName: deps.fileName.slice(0, 500),
      fileSha256: deps.sha256,
      importedAt: new Date().toISOString(),
      lastUpdatedDatetime: m.lastUpdated,
      ...(p.relevance && { relevance: p.relevance.slice(0, 50) }),
      note: m.reportingOrgRef ? `Reported by ${m.reportingOrgRef}`.slice(0, 1000) : null,
    };
    toSave.push({ p, raw: input, provenance, publishIfValid: !current });
  }
  const failed = (p: Planned, err: unknown): Saved => {
    const fields = err instanceof AppError ? err.fields.map((f) => ({ severity: (f.severity as Severity | undefined) ?? 'critical', message: f.message, rule: f.code, path: f.path })) : [];
    return { p, outcome: 'failed', messages: [{ severity: 'critical', message: describe(err) }, ...fields] };
  };
  const savedOf = (p: Planned, r: UpsertResult): Saved => ({
    p,
    outcome: r.outcome,
    messages: r.messages.map((v) => ({ severity: v.severity, message: v.message, rule: v.rule, path: v.path })),
    // A new activity's suggestions are this import's; a re-import keeps the stored ones.
    suggested: r.outcome === 'created' && Object.keys(r.activity.suggestions ?? {}).length > 0,
  });
  if (alone) {
    for (const { p, raw, provenance } of toSave) {
      try {
        out.push(savedOf(p, await upsertActivityByIdentifier(ctx, raw, { tx: tx as never, provenance })));
      } catch (err) {
        out.push(failed(p, err));
      }
    }
    return out;
  }
  // The batch's activities in a few multi-row statements; one refused before writing is reported as failed.
  const results = await upsertActivitiesByIdentifier(ctx, tx as never, toSave, deps.grade);
  results.forEach((r, k) => {
    const p = toSave[k]!.p;
    if (!('error' in r)) return out.push(savedOf(p, r));
    if (!refusedBeforeWriting(r.error)) throw r.error;
    out.push(failed(p, r.error));
  });
  return out;
}
