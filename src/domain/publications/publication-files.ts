import { createHash } from 'node:crypto';
import { withTransaction } from '../../db/database.ts';
import { deletePublicationFile, findPublicationFile, findPublicationRow, insertPublicationFile, insertPublicationVersion, type PublicationFileRow } from '../../db/queries/publications.ts';
import { updatePublicationIfVersion } from '../../db/queries/publications.ts';
import { newId } from '../../lib/ids.ts';
import type { Readable } from 'node:stream';
import { recordDocumentRemoval } from '../../db/queries/document-removals.ts';
import { documentStoreFor } from '../../storage/document-store.ts';
import { actorLabel } from '../actor.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound, unauthenticated } from '../errors.ts';
import { languageSchema, type Language } from '../languages.ts';
import { authorize } from '../policies.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import { discardStoredDocument, removeStoredDocument, storageError } from './document-removals.ts';
import { canSeePublication } from './publication-access.ts';
import { fileOf } from './publication-mapping.ts';
import type { PublicationFile } from './publication-schemas.ts';
import { extractPdfText, looksLikePdf } from './pdf-text.ts';
import { loadPublication, reindexPublication } from './save-publication.ts';

const userIdOf = (ctx: DomainContext) => (ctx.actor.kind === 'anonymous' || ctx.actor.userId === 'system' ? null : ctx.actor.userId);

/** A file name safe to store and to send back in Content-Disposition: no path, no control characters, ends in .pdf. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200) || 'document.pdf';
  return /\.pdf$/i.test(clean) ? clean : `${clean}.pdf`;
}

async function editablePublication(ctx: DomainContext, id: string) {
  if (ctx.actor.kind === 'anonymous') throw unauthenticated();
  const row = await findPublicationRow(ctx.db.kysely, id);
  if (!row || row.deleted_at || !canSeePublication(ctx.actor, row)) throw notFound('The publication');
  authorize(ctx.actor, 'publication.update', { ownerOrganizationId: row.owner_organization_id });
  return row;
}

export type UploadedFile = { file: PublicationFile; publicationVersion: number };

/**
 * Adds a PDF to a language version of a publication. The file must be a PDF by its content (a
 * renamed file is refused) and within MAX_UPLOAD_BYTES. Its text is read page by page and
 * indexed for search; an encrypted or damaged PDF is kept without text, with a message saying so.
 */
export async function uploadPublicationFile(ctx: DomainContext, id: string, input: { lang: string; fileName: string; bytes: Uint8Array }): Promise<UploadedFile> {
  const row = await editablePublication(ctx, id);
  const lang = languageSchema.safeParse(input.lang);
  if (!lang.success) throw new AppError('VALIDATION_FAILED', 'Choose the language of the file.', { fields: [{ path: 'lang', message: 'Choose one of en, fr, es, ar, zh, ru.', code: 'invalid' }] });
  const limit = ctx.config.MAX_UPLOAD_BYTES;
  if (input.bytes.byteLength > limit) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the upload limit of ${limit} bytes.`, { fields: [{ path: 'file', message: 'The file is too large.', code: 'too_big' }] });
  }
  if (input.bytes.byteLength === 0) throw new AppError('VALIDATION_FAILED', 'The file is empty.', { fields: [{ path: 'file', message: 'Choose a PDF file.', code: 'required' }] });
  if (!looksLikePdf(input.bytes)) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'This file is not a PDF (its content is not, whatever its name). Upload the publication as a PDF.', {
      fields: [{ path: 'file', message: 'This file is not a PDF. Upload a PDF file.', code: 'not_pdf' }],
    });
  }
  const text = await extractPdfText(input.bytes);
  const store = documentStoreFor(ctx.config);
  const key = await store.put(input.bytes, 'pdf').catch((err: unknown) => {
    throw storageError(err, 'the file was not saved');
  });
  try {
    const ref = await getReferenceData(ctx);
    return await withTransaction(ctx.db, async (tx) => {
      const before = await loadPublication(tx, id);
      const fileId = newId('file');
      await insertPublicationFile(
        tx,
        {
          id: fileId,
          publication_id: id,
          lang: lang.data,
          file_name: cleanFileName(input.fileName),
          storage_key: key,
          content_type: 'application/pdf',
          size: input.bytes.byteLength,
          sha256: createHash('sha256').update(input.bytes).digest('hex'),
          page_count: text.pageCount,
          text_status: text.status,
          text_message: text.message,
          uploaded_by: userIdOf(ctx),
        },
        text.pages,
      );
      const at = new Date();
      const ok = await updatePublicationIfVersion(tx, id, before.version, { updated_at: at, updated_by: userIdOf(ctx) });
      if (!ok) throw new AppError('VERSION_CONFLICT', 'Someone else changed this publication meanwhile; try again.', { current: before });
      await reindexPublication(tx, ref, id);
      const after = await loadPublication(tx, id);
      await insertPublicationVersion(tx, { publicationId: id, version: after.version, snapshot: after, action: 'file.add', actorLabel: actorLabel(ctx.actor), actorUserId: userIdOf(ctx), at });
      await recordAudit(tx, ctx, { action: 'publication.file.add', recordType: 'publication', recordId: id, organizationId: row.owner_organization_id, before, after });
      const file = after.files.find((f) => f.id === fileId);
      if (!file) throw notFound('The file');
      return { file, publicationVersion: after.version };
    });
  } catch (err) {
    // No row refers to the object: it goes now, or is recorded for the sweep if the storage fails.
    await discardStoredDocument(ctx.db, store, key).catch(() => undefined);
    throw err;
  }
}

/**
 * Removes a file from a publication (and from the index). Its storage key is recorded for
 * removal in the same transaction; the stored bytes go once the change is committed (or, when
 * the storage fails then, at a later sweep).
 */
export async function removePublicationFile(ctx: DomainContext, id: string, fileId: string): Promise<void> {
  const row = await editablePublication(ctx, id);
  const ref = await getReferenceData(ctx);
  const removed = await withTransaction(ctx.db, async (tx) => {
    const before = await loadPublication(tx, id);
    const gone = await deletePublicationFile(tx, id, fileId);
    if (!gone) throw notFound('The file');
    await recordDocumentRemoval(tx, gone.storage_key);
    const at = new Date();
    await updatePublicationIfVersion(tx, id, before.version, { updated_at: at, updated_by: userIdOf(ctx) });
    await reindexPublication(tx, ref, id);
    const after = await loadPublication(tx, id);
    await insertPublicationVersion(tx, { publicationId: id, version: after.version, snapshot: after, action: 'file.remove', actorLabel: actorLabel(ctx.actor), actorUserId: userIdOf(ctx), at });
    await recordAudit(tx, ctx, { action: 'publication.file.remove', recordType: 'publication', recordId: id, organizationId: row.owner_organization_id, before, after });
    return gone;
  });
  await removeStoredDocument(ctx.db, documentStoreFor(ctx.config), removed.storage_key);
}

export type FileDownload = { file: PublicationFile; publicationId: string; body: Readable };

/** A file with its content as a stream, for those who may see its publication; NOT_FOUND otherwise. */
export async function readPublicationFile(ctx: DomainContext, fileId: string): Promise<FileDownload> {
  const f: PublicationFileRow | undefined = await findPublicationFile(ctx.db.kysely, fileId);
  if (!f) throw notFound('The file');
  const row = await findPublicationRow(ctx.db.kysely, f.publication_id);
  if (!row || !canSeePublication(ctx.actor, row)) throw notFound('The file');
  const stored = await documentStoreFor(ctx.config)
    .open(f.storage_key)
    .catch((err: unknown) => {
      throw storageError(err, 'the file cannot be sent');
    });
  if (!stored) throw notFound('The file');
  return { file: fileOf(f), publicationId: f.publication_id, body: stored.body };
}

export type { Language };
