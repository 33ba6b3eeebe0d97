import { sql } from 'kysely';
import type { Executor } from '../database.ts';

/** The rows of background IATI imports (migration 0008). */

export type IatiJobRow = {
  id: string;
  status: 'queued' | 'running' | 'done' | 'failed' | 'interrupted';
  file_name: string;
  file_key: string;
  file_bytes: number | string;
  options: Record<string, unknown>;
  created_by: string;
  attempts: number;
  bytes_read: number | string;
  activities: number;
  counts: Record<string, number>;
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  heartbeat_at: Date | string | null;
};

const columns = sql.raw(
  'id, status, file_name, file_key, file_bytes, options, created_by, attempts, bytes_read, activities, counts, error, created_at, started_at, finished_at, heartbeat_at',
);

export async function insertIatiJob(db: Executor, job: { id: string; fileName: string; fileKey: string; fileBytes: number; options: Record<string, unknown>; createdBy: string }): Promise<void> {
  await sql`insert into iati_import_jobs (id, file_name, file_key, file_bytes, options, created_by)
    values (${job.id}, ${job.fileName}, ${job.fileKey}, ${job.fileBytes}, ${JSON.stringify(job.options)}::jsonb, ${job.createdBy})`.execute(db);
}

/**
 * The job, after marking it interrupted when it claims to run but its heartbeat stopped more
 * than `staleMs` ago (its process is gone).
 */
export async function selectIatiJob(db: Executor, id: string, staleMs: number): Promise<IatiJobRow | undefined> {
  await markStaleIatiJobs(db, staleMs, id);
  const r = await sql<IatiJobRow>`select ${columns} from iati_import_jobs where id = ${id}`.execute(db);
  return r.rows[0];
}

/** The most recent jobs, of one person or of everyone. */
export async function listIatiJobs(db: Executor, opts: { createdBy?: string; limit: number; staleMs: number }): Promise<IatiJobRow[]> {
  await markStaleIatiJobs(db, opts.staleMs);
  const who = opts.createdBy === undefined ? sql`true` : sql`created_by = ${opts.createdBy}`;
  const r = await sql<IatiJobRow>`select ${columns} from iati_import_jobs where ${who} order by created_at desc, id desc limit ${opts.limit}`.execute(db);
  return r.rows;
}

export async function markStaleIatiJobs(db: Executor, staleMs: number, id?: string): Promise<void> {
  const which = id === undefined ? sql`true` : sql`id = ${id}`;
  await sql`update iati_import_jobs set status = 'interrupted', finished_at = now(),
      error = 'The import stopped without finishing (its process ended). Run it again: activities already saved stay as they are.'
    where ${which} and status in ('running', 'queued')
      and coalesce(heartbeat_at, created_at) < now() - make_interval(secs => ${staleMs / 1000})`.execute(db);
}

/** Claims the job for a run: only a queued, interrupted or failed job can be (re)started. */
export async function claimIatiJob(db: Executor, id: string, from: IatiJobRow['status'][]): Promise<boolean> {
  const r = await sql`update iati_import_jobs
      set status = 'running', attempts = attempts + 1, started_at = now(), heartbeat_at = now(), finished_at = null, error = null, report = null,
          bytes_read = 0, activities = 0, counts = '{}'::jsonb
    where id = ${id} and status = any(${from}::text[])`.execute(db);
  return Number(r.numAffectedRows ?? 0) === 1;
}

export async function saveIatiJobProgress(db: Executor, id: string, p: { bytesRead: number; activities: number; counts: Record<string, number> }): Promise<void> {
  await sql`update iati_import_jobs set bytes_read = ${p.bytesRead}, activities = ${p.activities}, counts = ${JSON.stringify(p.counts)}::jsonb, heartbeat_at = now()
    where id = ${id} and status = 'running'`.execute(db);
}

export async function beatIatiJob(db: Executor, id: string): Promise<void> {
  await sql`update iati_import_jobs set heartbeat_at = now() where id = ${id} and status = 'running'`.execute(db);
}

export async function finishIatiJob(db: Executor, id: string, end: { status: 'done' | 'failed'; report: unknown; error: string | null; bytesRead: number; activities: number; counts: Record<string, number> }): Promise<void> {
  await sql`update iati_import_jobs set status = ${end.status}, report = ${end.report === null ? null : JSON.stringify(end.report)}::jsonb, error = ${end.error},
      bytes_read = ${end.bytesRead}, activities = ${end.activities}, counts = ${JSON.stringify(end.counts)}::jsonb, finished_at = now(), heartbeat_at = now()
    where id = ${id}`.execute(db);
}

export async function selectIatiJobReport(db: Executor, id: string): Promise<unknown> {
  const r = await sql<{ report: unknown }>`select report from iati_import_jobs where id = ${id}`.execute(db);
  return r.rows[0]?.report ?? null;
}
