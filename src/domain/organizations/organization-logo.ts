import { withTransaction } from '../../db/database.ts';
import { findOrganization, listChairYears } from '../../db/queries/organizations.ts';
import { removeStoredFile, storeFile } from '../../storage/files.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { DomainContext } from '../context.ts';
import { AppError, notFound } from '../errors.ts';
import { authorize } from '../policies.ts';
import type { Organization } from './organization-schemas.ts';
import { toOrganization } from './organizations.ts';

/** The largest logo accepted, in bytes. */
export const LOGO_MAX_BYTES = 512 * 1024;
export const LOGO_FOLDER = 'logos';
export type LogoType = 'png' | 'jpg' | 'webp';

/** Recognises PNG, JPEG and WebP by their first bytes, whatever the file's name or declared type says. */
export function detectImageType(bytes: Uint8Array): LogoType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts([0xff, 0xd8, 0xff])) return 'jpg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  return undefined;
}

/**
 * Sets (or, with `null`, removes) an organization's logo: administrators or the organization's
 * focal points. Only PNG, JPEG or WebP (checked by content) up to 512 KB; the file is stored as
 * DATA_DIR/files/logos/<random>.<ext> and the change is audited as `organization.logo`.
 */
export async function setOrganizationLogo(ctx: DomainContext, idOrSlug: string, file: { bytes: Uint8Array } | null): Promise<Organization> {
  const current = await findOrganization(ctx.db.kysely, idOrSlug);
  if (!current) throw notFound('The organization');
  authorize(ctx.actor, 'organization.update', { id: current.id });

  let ext: LogoType | undefined;
  if (file) {
    if (file.bytes.byteLength === 0) {
      throw new AppError('VALIDATION_FAILED', 'Choose an image file to upload.', {
        fields: [{ path: 'logo', message: 'Choose an image file to upload.', code: 'file_missing' }],
      });
    }
    if (file.bytes.byteLength > LOGO_MAX_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `The logo is larger than ${LOGO_MAX_BYTES / 1024} KB. Make it smaller and try again.`, {
        fields: [{ path: 'logo', message: `The file must be at most ${LOGO_MAX_BYTES / 1024} KB.`, code: 'file_too_large' }],
      });
    }
    ext = detectImageType(file.bytes);
    if (!ext) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'The logo must be a PNG, JPEG or WebP image.', {
        fields: [{ path: 'logo', message: 'The file is not a PNG, JPEG or WebP image.', code: 'file_type' }],
      });
    }
  }

  const dataDir = ctx.config.dataDir;
  const stored = file && ext ? await storeFile(dataDir, LOGO_FOLDER, ext, file.bytes) : null;
  let org: Organization;
  try {
    org = await withTransaction(ctx.db, async (tx) => {
      const before = await findOrganization(tx, current.id);
      if (!before) throw notFound('The organization');
      const row = await tx
        .updateTable('organizations')
        .set({ logo_file: stored, version: before.version + 1, updated_at: new Date() })
        .where('id', '=', before.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      const years = (await listChairYears(tx, [before.id])).get(before.id) ?? [];
      const after = toOrganization(row, years);
      await recordAudit(tx, ctx, {
        action: 'organization.logo',
        recordType: 'organization',
        recordId: before.id,
        organizationId: before.id,
        before: { logoUrl: toOrganization(before, years).logoUrl },
        after: { logoUrl: after.logoUrl },
      });
      return after;
    });
  } catch (err) {
    if (stored) await removeStoredFile(dataDir, LOGO_FOLDER, stored);
    throw err;
  }
  // The previous file is no longer referenced; the audit entry keeps its old URL as history.
  if (current.logo_file && current.logo_file !== stored) await removeStoredFile(dataDir, LOGO_FOLDER, current.logo_file);
  return org;
}
