import path from 'node:path';
import {
  BackupFileError,
  BackupLevelError,
  BackupRestoreError,
  checkRestoreTarget,
  isDatabaseEmpty,
  restoreBackup,
  verifyBackup,
  writeBackup,
  type BackupSummary,
  type ProgressFn,
  type RestoreSummary,
} from '../../db/backup.ts';
import { documentStoreFor } from '../../storage/document-store.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError } from '../errors.ts';
import { authorize } from '../policies.ts';

export type { BackupProgress, BackupSummary, RestoreSummary } from '../../db/backup.ts';

/** The folder of stored files (logos; documents with the local store) that backups carry; documents come through the DocumentStore. */
const filesDirOf = (ctx: DomainContext) => path.join(ctx.config.dataDir, 'files');

/** Writes a consistent snapshot of the whole database, and the stored files, to a file (administrators only). */
export async function createBackup(ctx: DomainContext, input: { file: string }, opts: { onProgress?: ProgressFn } = {}): Promise<BackupSummary> {
  authorize(ctx.actor, 'database.backup');
  return writeBackup(ctx.db, input.file, { ...opts, filesDir: filesDirOf(ctx), documents: documentStoreFor(ctx.config) });
}

/**
 * Replaces the whole database, and the stored files, with a backup (administrators only). The
 * file is checked first (checksum, completeness, migration level, each stored file's checksum);
 * a database that already holds data is replaced only when `replaceExisting` is set. All or
 * nothing: one transaction, audited inside it; the stored files are swapped in after it commits.
 */
export async function restoreFromBackup(
  ctx: DomainContext,
  input: { file: string; replaceExisting?: boolean },
  opts: { onProgress?: ProgressFn } = {},
): Promise<RestoreSummary> {
  authorize(ctx.actor, 'database.restore');
  try {
    const verified = await verifyBackup(input.file, opts);
    await checkRestoreTarget(ctx.db, verified.header);
    if (!input.replaceExisting && !(await isDatabaseEmpty(ctx.db))) {
      throw new AppError('CONFLICT', 'The database already holds data, and restoring replaces all of it. Confirm that this is intended (icat restore --yes).');
    }
    return await restoreBackup(ctx.db, input.file, verified, {
      ...opts,
      filesDir: filesDirOf(ctx),
      documents: documentStoreFor(ctx.config),
      beforeCommit: (tx) =>
        recordAudit(tx, ctx, {
          action: 'database.restore',
          recordType: 'database',
          recordId: verified.header.createdAt,
          after: {
            file: path.basename(input.file),
            createdAt: verified.header.createdAt,
            migrationLevel: verified.header.migrationLevel,
            sha256: verified.sha256,
            rows: Object.fromEntries(verified.header.tables.map((t) => [t.name, t.rows])),
          },
        }),
    });
  } catch (err) {
    if (err instanceof BackupFileError) throw new AppError('VALIDATION_FAILED', err.message, { fields: [{ path: 'file', message: err.message }], cause: err });
    if (err instanceof BackupLevelError || err instanceof BackupRestoreError) throw new AppError('CONFLICT', err.message, { cause: err });
    throw err;
  }
}
