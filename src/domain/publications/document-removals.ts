import type { Db } from '../../db/database.ts';
import { clearDocumentRemoval, listDocumentRemovals, noteDocumentRemovalFailure, recordDocumentRemoval } from '../../db/queries/document-removals.ts';
import { documentStoreFor, StorageUnavailableError, type DocumentStore, type StorageSettings } from '../../storage/document-store.ts';
import { AppError } from '../errors.ts';

/** SERVICE_UNAVAILABLE for a storage that cannot be used; anything else unchanged. */
export function storageError(err: unknown, what: string): unknown {
  if (err instanceof StorageUnavailableError) return new AppError('SERVICE_UNAVAILABLE', `The file storage cannot be used just now, so ${what}. Try again later.`);
  return err;
}

/**
 * Removes a stored document whose removal was recorded (recordDocumentRemoval, in the
 * transaction that let go of it) and clears the record; when the storage fails the record
 * stays, with the error, for sweepDocumentRemovals.
 */
export async function removeStoredDocument(db: Db, store: DocumentStore, key: string): Promise<boolean> {
  try {
    await store.remove(key);
    await clearDocumentRemoval(db.kysely, key);
    return true;
  } catch (err) {
    await noteDocumentRemovalFailure(db.kysely, key, (err as Error).message);
    return false;
  }
}

/** Records a removal and attempts it at once (for an object no row refers to). */
export async function discardStoredDocument(db: Db, store: DocumentStore, key: string): Promise<void> {
  await recordDocumentRemoval(db.kysely, key);
  await removeStoredDocument(db, store, key);
}

/** Tries again the removals still owed, oldest first; returns how many were done and how many remain failed. */
export async function sweepDocumentRemovals(services: { db: Db; config: StorageSettings }, limit = 100): Promise<{ removed: number; failed: number }> {
  const store = documentStoreFor(services.config);
  let removed = 0;
  let failed = 0;
  for (const r of await listDocumentRemovals(services.db.kysely, limit)) {
    if (await removeStoredDocument(services.db, store, r.storage_key)) removed++;
    else failed++;
  }
  return { removed, failed };
}
