import { Worker } from 'node:worker_threads';
import type { Config } from '../../config/config.ts';
import type { Actor } from '../actor.ts';
import type { DomainContext } from '../context.ts';
import { AppError, type ErrorCode, type FieldError } from '../errors.ts';
import { importIatiFile, readHead, type IatiImportOptions, type IatiImportProgress, type IatiImportReport } from './import-iati.ts';

/**
 * An IATI import with bounded memory. On a PostgreSQL server the import runs in a worker thread
 * whose heap is capped at IATI_IMPORT_HEAP_MB (import-worker.ts, with its own connections): V8
 * collects when the cap nears instead of letting the heap grow, and an import that needs more
 * than the cap ends as an error of this import (whole batches are saved, and a rerun reaches the
 * same state) rather than as the end of the process that started it. The embedded database is
 * held by one instance in this thread, so on it (and with IATI_IMPORT_HEAP_MB=0) the import runs
 * here, as importIatiFile; so does a file refused by its head, which takes no memory to refuse.
 */

export type WorkerInput = {
  databaseUrl: string;
  config: Config;
  actor: Actor;
  requestId?: string;
  ip?: string;
  source: { path: string; fileName: string };
  options: Omit<IatiImportOptions, 'onProgress'>;
};

export type WorkerMessage =
  | { kind: 'progress'; progress: IatiImportProgress }
  | { kind: 'report'; report: IatiImportReport }
  | { kind: 'error'; code: ErrorCode | null; message: string; fields?: FieldError[] };

/** The young generation's cap: a few MB of semi-space is all the import's short-lived objects need. */
const YOUNG_GENERATION_MB = 32;

// The worker runs TypeScript as this process does: through tsx, registered first in the thread.
const tsxApi = import.meta.resolve('tsx/esm/api');
const entry = new URL('./import-worker.ts', import.meta.url).href;
const boot = `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;

export const outOfMemoryMessage = (heapMb: number) =>
  `The import ran out of memory (IATI_IMPORT_HEAP_MB=${heapMb}). The activities saved before are kept; raise IATI_IMPORT_HEAP_MB and run it again.`;

export async function importIatiFileBounded(ctx: DomainContext, source: { path: string; fileName: string }, opts: IatiImportOptions = {}): Promise<IatiImportReport> {
  const heapMb = ctx.config.IATI_IMPORT_HEAP_MB;
  if (ctx.db.kind !== 'server' || !ctx.db.url || heapMb === 0) return importIatiFile(ctx, source, opts);
  // A file refused as a whole by its head (a DOCTYPE, IATI 1.x, not IATI, malformed before the
  // root) is refused here at once: no worker is worth starting (about a second) to say so.
  if (await readHead(source.path)) return importIatiFile(ctx, source, opts);
  const { onProgress, ...options } = opts;
  const workerData: WorkerInput = { databaseUrl: ctx.db.url, config: ctx.config, actor: ctx.actor, requestId: ctx.requestId, ip: ctx.ip, source, options };
  return new Promise((resolve, reject) => {
    let settled: IatiImportReport | AppError | Error | undefined;
    const worker = new Worker(boot, { eval: true, workerData, resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    worker.on('message', (m: WorkerMessage) => {
      if (m.kind === 'progress') onProgress?.(m.progress);
      else if (m.kind === 'report') settled = m.report;
      else settled = m.code ? new AppError(m.code, m.message, { fields: m.fields }) : new Error(m.message);
    });
    worker.on('error', (err: Error & { code?: string }) => {
      settled = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new AppError('INTERNAL', outOfMemoryMessage(heapMb), { cause: err }) : err;
    });
    worker.on('exit', () => {
      if (settled === undefined) reject(new Error('The import worker stopped without a report.'));
      else if (settled instanceof Error) reject(settled);
      else resolve(settled);
    });
  });
}
