// The worker thread of a bounded IATI import (see import-bounded.ts): opens its own connections to
// the PostgreSQL server, imports the file, and posts its progress, then its report or its error.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../db/database.ts';
import { AppError } from '../errors.ts';
import { importIatiFile } from './import-iati.ts';
import type { WorkerInput, WorkerMessage } from './import-bounded.ts';

const input = workerData as WorkerInput;
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

// Two connections: one batch is written while the next is read (ADR 026), plus the odd read.
const db = await openDatabase({ databaseUrl: input.databaseUrl, poolSize: 2 });
try {
  const ctx = { db, config: input.config, actor: input.actor, requestId: input.requestId, ip: input.ip };
  const report = await importIatiFile(ctx, input.source, { ...input.options, onProgress: (progress) => post({ kind: 'progress', progress }) });
  post({ kind: 'report', report });
} catch (err) {
  post(err instanceof AppError ? { kind: 'error', code: err.code, message: err.message, fields: err.fields } : { kind: 'error', code: null, message: err instanceof Error ? err.message : String(err) });
} finally {
  await db.close();
}
