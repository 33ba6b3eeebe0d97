import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Uploaded files waiting for a decision (a spreadsheet between its dry run and its commit),
 * under DATA_DIR/uploads/: `<token>.upload` holds the bytes, `<token>.json` who sent it, its
 * name and when it expires. Tokens are random and only names of that shape are ever opened.
 * Expired uploads are swept whenever a new one arrives.
 */
export type UploadMeta = { token: string; ownerKey: string; fileName: string; kind: string; size: number; sha256: string; createdAt: string; expiresAt: string };

const TOKEN = /^[A-Za-z0-9_-]{32}$/;
export const UPLOAD_TTL_MS = 2 * 60 * 60 * 1000;

const dirOf = (dataDir: string) => path.join(dataDir, 'uploads');

export function uploadFilePath(dataDir: string, token: string): string | undefined {
  return TOKEN.test(token) ? path.join(dirOf(dataDir), `${token}.upload`) : undefined;
}

/** Stores bytes under a new random token that expires after UPLOAD_TTL_MS. */
export async function storeUpload(dataDir: string, bytes: Uint8Array, meta: { ownerKey: string; fileName: string; kind: string }, now = new Date()): Promise<UploadMeta> {
  const dir = dirOf(dataDir);
  await fs.mkdir(dir, { recursive: true });
  await sweepExpiredUploads(dataDir, now);
  const token = randomBytes(24).toString('base64url');
  const full: UploadMeta = {
    token,
    ...meta,
    size: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + UPLOAD_TTL_MS).toISOString(),
  };
  await fs.writeFile(path.join(dir, `${token}.upload`), bytes, { flag: 'wx' });
  await fs.writeFile(path.join(dir, `${token}.json`), JSON.stringify(full), { flag: 'wx' });
  return full;
}

/** The stored upload's description, or undefined when there is none (or it expired). */
export async function readUpload(dataDir: string, token: string, now = new Date()): Promise<UploadMeta | undefined> {
  if (!TOKEN.test(token)) return undefined;
  try {
    const meta = JSON.parse(await fs.readFile(path.join(dirOf(dataDir), `${token}.json`), 'utf8')) as UploadMeta;
    if (new Date(meta.expiresAt).getTime() <= now.getTime()) {
      await removeUpload(dataDir, token);
      return undefined;
    }
    return meta;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

export async function removeUpload(dataDir: string, token: string): Promise<void> {
  if (!TOKEN.test(token)) return;
  await fs.rm(path.join(dirOf(dataDir), `${token}.upload`), { force: true });
  await fs.rm(path.join(dirOf(dataDir), `${token}.json`), { force: true });
}

/** Removes uploads whose time is up (and stray files without a description). */
export async function sweepExpiredUploads(dataDir: string, now = new Date()): Promise<number> {
  let removed = 0;
  let names: string[];
  try {
    names = await fs.readdir(dirOf(dataDir));
  } catch {
    return 0;
  }
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const token = name.slice(0, -'.json'.length);
    try {
      const meta = JSON.parse(await fs.readFile(path.join(dirOf(dataDir), name), 'utf8')) as UploadMeta;
      if (new Date(meta.expiresAt).getTime() > now.getTime()) continue;
    } catch {
      // unreadable: remove it
    }
    await removeUpload(dataDir, token);
    removed++;
  }
  return removed;
}
