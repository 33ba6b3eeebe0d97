import type { Executor } from '../database.ts';

/** SQL for the stored documents whose removal is owed (see 0012_document_removals.sql). */

export async function recordDocumentRemoval(db: Executor, storageKey: string): Promise<void> {
  await db.insertInto('document_removals').values({ storage_key: storageKey }).onConflict((oc) => oc.column('storage_key').doNothing()).execute();
}

export async function clearDocumentRemoval(db: Executor, storageKey: string): Promise<void> {
  await db.deleteFrom('document_removals').where('storage_key', '=', storageKey).execute();
}

export async function noteDocumentRemovalFailure(db: Executor, storageKey: string, error: string): Promise<void> {
  await db
    .updateTable('document_removals')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 1000) }))
    .where('storage_key', '=', storageKey)
    .execute();
}

export async function listDocumentRemovals(db: Executor, limit: number): Promise<{ storage_key: string; attempts: number; last_error: string | null }[]> {
  return db.selectFrom('document_removals').select(['storage_key', 'attempts', 'last_error']).orderBy('requested_at').limit(limit).execute();
}
