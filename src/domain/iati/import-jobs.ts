import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import { withTransaction } from '../../db/database.ts';
import {
  beatIatiJob,
  claimIatiJob,
  finishIatiJob,
  insertIatiJob,
  listIatiJobs,
  saveIatiJobProgress,
  selectIatiJob,
  selectIatiJobReport,
  type IatiJobRow,
} from '../../db/queries/iati-jobs.ts';
import { newId } from '../../lib/ids.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { authorize, can } from '../policies.ts';
import { requestDuplicateScan } from '../coordination/duplicates.ts';
import { importIatiFileBounded } from './import-bounded.ts';
import { type IatiImportReport, type IatiOutcome } from './import-iati.ts';

/**
 * IATI imports as background jobs. The upload is written to DATA_DIR/iati-imports/<job>.xml
 * (counted as it streams: a file above MAX_IATI_UPLOAD_BYTES is refused and removed), a job row
 * records it, and the import runs after the request has been answered (in a worker thread with a
 * capped heap on a PostgreSQL server, see import-bounded.ts, so running out of memory fails the job,
 * not the server),
 * saving its progress (and a heartbeat) as it goes, then its report. One failed activity is a
 * line of the report, not the end of the job. A job whose process was killed stops beating: it
 * reads as interrupted and may be run again from the same file, which reaches the same state as
 * an uninterrupted run (the importer is idempotent).
 */

/** A running job that has not beaten for this long is taken as interrupted. */
export const JOB_STALE_MS = 60_000;
const HEARTBEAT_MS = 5_000;
const PROGRESS_EVERY_MS = 500;

export const IATI_JOB_STATUSES = ['queued', 'running', 'done', 'failed', 'interrupted'] as const;
export type IatiJobStatus = (typeof IATI_JOB_STATUSES)[number];

export const iatiImportOptionsSchema = z.strictObject({
  relevance: z.enum(['all', 'relevant-only']).default('all').describe('all, or only activities relevant to trafficking (sectors, SDG targets, keywords)'),
  owner: z.string().trim().min(1).max(100).optional().describe('Organization (id, slug, acronym or IATI identifier) owning activities whose reporting organization is not registered'),
});
export type IatiImportJobOptions = z.output<typeof iatiImportOptionsSchema>;

export const iatiImportJobSchema = z.object({
  id: z.string(),
  status: z.enum(IATI_JOB_STATUSES),
  fileName: z.string(),
  fileBytes: z.number().int(),
  options: iatiImportOptionsSchema,
  attempts: z.number().int().describe('How many times the import was started'),
  progress: z.object({
    bytesRead: z.number().int(),
    totalBytes: z.number().int(),
    percent: z.number().int().min(0).max(100),
    activities: z.number().int().describe('Activities read so far'),
    counts: z.record(z.string(), z.number().int()).describe('created, updated, unchanged, skipped, failed'),
  }),
  error: z.string().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  canRetry: z.boolean().describe('An interrupted or failed job may be run again by whoever started it'),
});
export type IatiImportJob = z.infer<typeof iatiImportJobSchema>;

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const jobsDir = (ctx: DomainContext) => path.join(ctx.config.dataDir, 'iati-imports');
const jobFile = (ctx: DomainContext, key: string) => {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(key)) throw new AppError('INTERNAL', 'A job names a file it may not.');
  return path.join(jobsDir(ctx), `${key}.xml`);
};

function toJob(ctx: DomainContext, r: IatiJobRow): IatiImportJob {
  const totalBytes = Number(r.file_bytes);
  const bytesRead = Number(r.bytes_read);
  const retryable = r.status === 'interrupted' || r.status === 'failed';
  return {
    id: r.id,
    status: r.status,
    fileName: r.file_name,
    fileBytes: totalBytes,
    options: iatiImportOptionsSchema.parse(r.options),
    attempts: r.attempts,
    progress: {
      bytesRead,
      totalBytes,
      percent: r.status === 'done' ? 100 : totalBytes > 0 ? Math.min(100, Math.floor((100 * bytesRead) / totalBytes)) : 0,
      activities: r.activities,
      counts: { created: 0, updated: 0, unchanged: 0, skipped: 0, failed: 0, ...r.counts },
    },
    error: r.error,
    createdAt: iso(r.created_at)!,
    startedAt: iso(r.started_at),
    finishedAt: iso(r.finished_at),
    canRetry: retryable && can(ctx.actor, 'iati.import.retry', { createdBy: r.created_by }),
  };
}

const actorId = (ctx: DomainContext) => (ctx.actor.kind === 'anonymous' ? '' : ctx.actor.userId);

/** Writes the stream to the file, refusing (and removing) it past `max` bytes. */
async function spool(stream: Readable, file: string, max: number): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max) done(new AppError('PAYLOAD_TOO_LARGE', tooLargeMessage(max), { fields: [{ path: 'file', message: tooLargeMessage(max), code: 'too_big' }] }));
      else done(null, chunk);
    },
  });
  try {
    await pipeline(stream, counter, fs.createWriteStream(file, { flags: 'wx' }));
    return bytes;
  } catch (err) {
    await fs.promises.rm(file, { force: true });
    throw err;
  }
}

export const tooLargeMessage = (max: number) =>
  `The file is larger than the limit of ${max} bytes (${(max / 1048576).toFixed(0)} MB) for IATI uploads. Split it, or import it with the icat command.`;

/** An uploaded IATI file written to the jobs folder, not yet an import (see receiveIatiUpload). */
export type ReceivedIatiUpload = { key: string; fileName: string; bytes: number };

/**
 * Writes an uploaded IATI file to disk as it streams in (counted: above MAX_IATI_UPLOAD_BYTES
 * it is refused and removed), before the import's options are known: a form may send its
 * fields after the file. Follow with startReceivedIatiImport, or discardIatiUpload.
 */
export async function receiveIatiUpload(ctx: DomainContext, upload: { fileName: string; stream: Readable }): Promise<ReceivedIatiUpload> {
  authorize(ctx.actor, 'activity.import');
  const fileName = (upload.fileName.trim() || 'upload.xml').slice(0, 500);
  const key = newId('imp');
  await fs.promises.mkdir(jobsDir(ctx), { recursive: true });
  const bytes = await spool(upload.stream, jobFile(ctx, key), ctx.config.MAX_IATI_UPLOAD_BYTES);
  if (bytes === 0) {
    await fs.promises.rm(jobFile(ctx, key), { force: true });
    throw new AppError('VALIDATION_FAILED', 'The file is empty.', { fields: [{ path: 'file', message: 'Choose an IATI activity file (XML).' }] });
  }
  return { key, fileName, bytes };
}

/** Removes a received file that will not be imported (the request failed after it arrived). */
export async function discardIatiUpload(ctx: DomainContext, received: ReceivedIatiUpload): Promise<void> {
  await fs.promises.rm(jobFile(ctx, received.key), { force: true });
}

/** Starts importing a received file in the background; answers at once with the queued job. */
export async function startReceivedIatiImport(ctx: DomainContext, received: ReceivedIatiUpload, rawOptions: z.input<typeof iatiImportOptionsSchema> = {}): Promise<IatiImportJob> {
  const id = received.key;
  try {
    authorize(ctx.actor, 'activity.import');
    const options = iatiImportOptionsSchema.parse(rawOptions);
    await withTransaction(ctx.db, async (tx) => {
      await insertIatiJob(tx, { id, fileName: received.fileName, fileKey: received.key, fileBytes: received.bytes, options, createdBy: actorId(ctx) });
      await recordAudit(tx, ctx, { action: 'iati.import.start', recordType: 'iati_import', recordId: id, after: { fileName: received.fileName, bytes: received.bytes, options } });
    });
  } catch (err) {
    // No job names the file: it goes.
    await discardIatiUpload(ctx, received);
    throw err;
  }
  return runInBackground(ctx, id, ['queued']);
}

/**
 * Receives an IATI activity file and starts importing it in the background. Answers at once
 * with the queued job; follow it with getIatiImport.
 */
export async function startIatiImport(ctx: DomainContext, upload: { fileName: string; stream: Readable }, rawOptions: z.input<typeof iatiImportOptionsSchema> = {}): Promise<IatiImportJob> {
  authorize(ctx.actor, 'activity.import');
  iatiImportOptionsSchema.parse(rawOptions);
  return startReceivedIatiImport(ctx, await receiveIatiUpload(ctx, upload), rawOptions);
}

/** One job as its starter (or a coordinator) sees it, with its progress. */
export async function getIatiImport(ctx: DomainContext, id: string): Promise<IatiImportJob> {
  const row = await readable(ctx, id);
  return toJob(ctx, row);
}

async function readable(ctx: DomainContext, id: string): Promise<IatiJobRow> {
  if (ctx.actor.kind === 'anonymous') throw new AppError('UNAUTHENTICATED', 'Sign in or present an API token to do this.');
  const row = await selectIatiJob(ctx.db.kysely, id, JOB_STALE_MS);
  // Someone else's job is not found rather than forbidden: its existence is not theirs to know.
  if (!row || !can(ctx.actor, 'iati.import.read', { createdBy: row.created_by })) throw notFound('The import');
  return row;
}

/** The finished job's report (per activity outcomes and graded messages); null while it runs or when it was interrupted. */
export async function getIatiImportReport(ctx: DomainContext, id: string): Promise<{ job: IatiImportJob; report: IatiImportReport | null }> {
  const row = await readable(ctx, id);
  const report = row.status === 'done' || row.status === 'failed' ? ((await selectIatiJobReport(ctx.db.kysely, id)) as IatiImportReport | null) : null;
  return { job: toJob(ctx, row), report };
}

/** The actor's recent imports (a coordinator's: everyone's). */
export async function listIatiImports(ctx: DomainContext, opts: { limit?: number } = {}): Promise<IatiImportJob[]> {
  // Coordinators follow everyone's imports; others their own, if they may import at all.
  const everyone = ctx.actor.kind !== 'anonymous' && can(ctx.actor, 'iati.import.read', { createdBy: '' });
  if (!everyone) authorize(ctx.actor, 'activity.import');
  const rows = await listIatiJobs(ctx.db.kysely, { createdBy: everyone ? undefined : actorId(ctx), limit: opts.limit ?? 20, staleMs: JOB_STALE_MS });
  return rows.map((r) => toJob(ctx, r));
}

/** Runs an interrupted or failed job again from its stored file. */
export async function retryIatiImport(ctx: DomainContext, id: string): Promise<IatiImportJob> {
  const row = await readable(ctx, id);
  authorize(ctx.actor, 'iati.import.retry', { createdBy: row.created_by });
  if (row.status !== 'interrupted' && row.status !== 'failed') {
    throw new AppError('CONFLICT', row.status === 'done' ? 'This import has finished; upload the file again to import it anew.' : 'This import is still running.');
  }
  if (!fs.existsSync(jobFile(ctx, row.file_key))) throw new AppError('CONFLICT', 'The uploaded file of this import is no longer stored; upload it again.');
  await withTransaction(ctx.db, (tx) => recordAudit(tx, ctx, { action: 'iati.import.retry', recordType: 'iati_import', recordId: id }));
  return runInBackground(ctx, id, ['interrupted', 'failed']);
}

/** Jobs started by this process that have not finished: awaited by tests and at shutdown. */
const running = new Map<string, Promise<void>>();
export const whenIatiImportsIdle = async () => {
  while (running.size > 0) await Promise.allSettled([...running.values()]);
};

async function runInBackground(ctx: DomainContext, id: string, from: IatiJobStatus[]): Promise<IatiImportJob> {
  if (!(await claimIatiJob(ctx.db.kysely, id, from))) throw new AppError('CONFLICT', 'This import is already running.');
  const row = (await selectIatiJob(ctx.db.kysely, id, JOB_STALE_MS))!;
  const run = runJob(ctx, row).finally(() => running.delete(id));
  running.set(id, run);
  return toJob(ctx, row);
}

async function runJob(ctx: DomainContext, row: IatiJobRow): Promise<void> {
  const db = ctx.db.kysely;
  let last = { bytesRead: 0, activities: 0, counts: {} as Record<string, number> };
  // Progress is written in order, at most every PROGRESS_EVERY_MS; the heartbeat runs between.
  let chain: Promise<void> = Promise.resolve();
  let lastSaved = 0;
  const heartbeat = setInterval(() => {
    chain = chain.then(() => beatIatiJob(db, row.id)).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const options = iatiImportOptionsSchema.parse(row.options);
    const report = await importIatiFileBounded(
      ctx,
      { path: jobFile(ctx, row.file_key), fileName: row.file_name },
      {
        owner: options.owner,
        relevance: options.relevance,
        onProgress: (p) => {
          last = { bytesRead: p.bytesRead, activities: p.activities, counts: p.counts };
          if (Date.now() - lastSaved < PROGRESS_EVERY_MS) return;
          lastSaved = Date.now();
          const snapshot = last;
          chain = chain.then(() => saveIatiJobProgress(db, row.id, snapshot)).catch(() => undefined);
        },
      },
    );
    clearInterval(heartbeat);
    await chain;
    const counts: Record<IatiOutcome, number> = report.counts;
    await finishIatiJob(db, row.id, {
      status: report.refused ? 'failed' : 'done',
      report,
      error: report.refused ? report.refused.message : null,
      bytesRead: report.refused ? last.bytesRead : Number(row.file_bytes),
      activities: report.activities,
      counts,
    });
    // A finished import needs its file no more; a refused one keeps it for a look and a retry.
    if (!report.refused) await fs.promises.rm(jobFile(ctx, row.file_key), { force: true });
    // New or changed records: the duplicate scan runs after the import, in the background.
    if (report.counts.created + report.counts.updated > 0) requestDuplicateScan(ctx);
  } catch (err) {
    clearInterval(heartbeat);
    await chain;
    const message = err instanceof AppError ? err.message : 'The import stopped on an unexpected error; run it again, or import the file with the icat command.';
    await finishIatiJob(db, row.id, { status: 'failed', report: null, error: message, ...last }).catch(() => undefined);
  }
}
