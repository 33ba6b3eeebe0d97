import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Where uploaded documents (publication files) are kept, behind one small interface so another
 * store can replace the local folder. Keys are random (`<32 hex>.pdf`) and only keys of that
 * shape are ever read, so a key can never reach outside the store.
 */
export interface DocumentStore {
  /** Stores bytes under a new random key and returns the key. */
  put(bytes: Uint8Array, ext: 'pdf'): Promise<string>;
  /** The bytes stored under a key, or undefined when there are none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Removes a stored document; one already gone is not an error. */
  remove(key: string): Promise<void>;
}

export const DOCUMENT_KEY = /^[a-f0-9]{32}\.pdf$/;

/** The default store: DATA_DIR/files/documents/. */
export function localDocumentStore(dataDir: string): DocumentStore {
  const dir = path.join(dataDir, 'files', 'documents');
  const pathOf = (key: string) => (DOCUMENT_KEY.test(key) ? path.join(dir, key) : undefined);
  return {
    async put(bytes, ext) {
      await fs.mkdir(dir, { recursive: true });
      const key = `${randomBytes(16).toString('hex')}.${ext}`;
      // Written under a temporary name and renamed, so a reader never sees half a file.
      const tmp = path.join(dir, `.${key}.tmp`);
      await fs.writeFile(tmp, bytes, { flag: 'wx' });
      await fs.rename(tmp, path.join(dir, key));
      return key;
    },
    async get(key) {
      const p = pathOf(key);
      if (!p) return undefined;
      try {
        return await fs.readFile(p);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async remove(key) {
      const p = pathOf(key);
      if (p) await fs.rm(p, { force: true });
    },
  };
}

/** The document store of a configuration (the local folder; the only store so far). */
export function documentStoreFor(config: { dataDir: string }): DocumentStore {
  return localDocumentStore(config.dataDir);
}
