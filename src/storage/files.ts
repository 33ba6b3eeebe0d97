import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Local file storage under DATA_DIR/files/<folder>/. Names are random (so URLs can be cached
 * for ever and never guessed from a record), and only names of that shape are ever read back.
 */
export const STORED_NAME = /^[a-f0-9]{32}\.(png|jpg|webp)$/;

export function storedFilePath(dataDir: string, folder: string, name: string): string | undefined {
  if (!STORED_NAME.test(name) || !/^[a-z]+$/.test(folder)) return undefined;
  return path.join(dataDir, 'files', folder, name);
}

/** Writes a new file with a random name and returns that name. */
export async function storeFile(dataDir: string, folder: string, ext: 'png' | 'jpg' | 'webp', bytes: Uint8Array): Promise<string> {
  const dir = path.join(dataDir, 'files', folder);
  await fs.mkdir(dir, { recursive: true });
  const name = `${randomBytes(16).toString('hex')}.${ext}`;
  await fs.writeFile(path.join(dir, name), bytes, { flag: 'wx' });
  return name;
}

/** Removes a stored file; a file already gone is not an error. */
export async function removeStoredFile(dataDir: string, folder: string, name: string): Promise<void> {
  const p = storedFilePath(dataDir, folder, name);
  if (p) await fs.rm(p, { force: true });
}

/** Reads a stored file, or undefined when there is none by that name. */
export async function readStoredFile(dataDir: string, folder: string, name: string): Promise<Buffer | undefined> {
  const p = storedFilePath(dataDir, folder, name);
  if (!p) return undefined;
  try {
    return await fs.readFile(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
