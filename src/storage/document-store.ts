import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { S3Client, S3Error, type S3Settings } from './s3-client.ts';

/**
 * Where uploaded documents (publication files) are kept, behind one small interface so that the
 * local folder and an S3-compatible bucket are interchangeable (STORAGE_DRIVER). Keys are random
 * (`<32 hex>.pdf`) and only keys of that shape are ever read, so a key can never reach outside
 * the store. Bodies stream both ways.
 */
export interface DocumentStore {
  readonly driver: 'local' | 's3';
  /** Where the documents are, for logs and messages. */
  describe(): string;
  /** Stores bytes under a new random key and returns the key. */
  put(bytes: Uint8Array, ext: 'pdf'): Promise<string>;
  /** Stores a stream of `size` bytes under a given key (restoring a backup). */
  putAt(key: string, body: Readable, size: number): Promise<void>;
  /** The stored document as a stream with its size, or undefined when there is none. */
  open(key: string): Promise<{ body: Readable; size: number } | undefined>;
  /** Removes a stored document; one already gone is not an error. */
  remove(key: string): Promise<void>;
  /** Every key in the store (for backups). */
  list(): AsyncIterable<string>;
  /** Throws StorageUnavailableError when the store cannot be reached or read (a cheap call, for /healthz). */
  ping(): Promise<void>;
  /** Throws StorageUnavailableError when the store cannot be read and written (at start-up). */
  check(): Promise<void>;
}

export const DOCUMENT_KEY = /^[a-f0-9]{32}\.pdf$/;
const newKey = (ext: 'pdf') => `${randomBytes(16).toString('hex')}.${ext}`;

/** The document store cannot be used: unreachable, wrong credentials, missing bucket, no rights. */
export class StorageUnavailableError extends Error {
  readonly code = 'STORAGE_UNAVAILABLE';
  constructor(
    message: string,
    readonly failure: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

const unavailable = (err: unknown): never => {
  if (err instanceof S3Error) throw new StorageUnavailableError(err.message, err.failure, { cause: err });
  throw err;
};

/** The default store: DATA_DIR/files/documents/. */
export function localDocumentStore(dataDir: string): DocumentStore {
  const dir = path.join(dataDir, 'files', 'documents');
  const pathOf = (key: string) => (DOCUMENT_KEY.test(key) ? path.join(dir, key) : undefined);
  // Written under a temporary name and renamed, so a reader never sees half a file.
  const writeAtomically = async (key: string, write: (tmp: string) => Promise<void>) => {
    await fsp.mkdir(dir, { recursive: true });
    const tmp = path.join(dir, `.${key}.${process.pid}.tmp`);
    try {
      await write(tmp);
      await fsp.rename(tmp, path.join(dir, key));
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  };
  return {
    driver: 'local',
    describe: () => dir,
    async put(bytes, ext) {
      const key = newKey(ext);
      await writeAtomically(key, (tmp) => fsp.writeFile(tmp, bytes, { flag: 'wx' }));
      return key;
    },
    async putAt(key, body) {
      if (!DOCUMENT_KEY.test(key)) throw new Error(`Not a document key: ${key}`);
      await writeAtomically(key, (tmp) => pipeline(body, fs.createWriteStream(tmp, { flags: 'wx' })));
    },
    async open(key) {
      const p = pathOf(key);
      if (!p) return undefined;
      try {
        const handle = await fsp.open(p, 'r');
        const { size } = await handle.stat();
        return { body: handle.createReadStream(), size };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
    async remove(key) {
      const p = pathOf(key);
      if (p) await fsp.rm(p, { force: true });
    },
    async *list() {
      let names: string[];
      try {
        names = await fsp.readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      for (const name of names.sort()) if (DOCUMENT_KEY.test(name)) yield name;
    },
    async ping() {
      try {
        await fsp.access(dir, fs.constants.R_OK | fs.constants.W_OK);
      } catch (err) {
        // Not made yet is fine: the first upload makes it.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw new StorageUnavailableError(`The document folder ${dir} cannot be used (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, 'unwritable', { cause: err });
      }
    },
    async check() {
      try {
        await fsp.mkdir(dir, { recursive: true });
      } catch (err) {
        throw new StorageUnavailableError(`The document folder ${dir} cannot be made (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}).`, 'unwritable', { cause: err });
      }
      await this.ping();
    },
  };
}

/** An S3-compatible bucket; keys are `<prefix><32 hex>.pdf`. */
export function s3DocumentStore(settings: S3Settings, prefix = ''): DocumentStore {
  const client = new S3Client(settings);
  const objectKey = (key: string) => `${prefix}${key}`;
  const putAt = async (key: string, body: Uint8Array | { stream: Readable; size: number }) => {
    await client.send({ method: 'PUT', key: objectKey(key), headers: { 'content-type': 'application/pdf' }, body }).then(drain, unavailable);
  };
  return {
    driver: 's3',
    describe: () => `${client.describe()}${prefix ? ` under ${prefix}` : ''}`,
    async put(bytes, ext) {
      const key = newKey(ext);
      await putAt(key, bytes);
      return key;
    },
    async putAt(key, body, size) {
      if (!DOCUMENT_KEY.test(key)) throw new Error(`Not a document key: ${key}`);
      await putAt(key, { stream: body, size });
    },
    async open(key) {
      if (!DOCUMENT_KEY.test(key)) return undefined;
      const res = await client.send({ method: 'GET', key: objectKey(key) }, [404]).catch(unavailable);
      if (res.statusCode === 404) {
        drain(res);
        return undefined;
      }
      return { body: res, size: Number(res.headers['content-length'] ?? 0) };
    },
    async remove(key) {
      if (!DOCUMENT_KEY.test(key)) return;
      await client.send({ method: 'DELETE', key: objectKey(key) }, [404]).then(drain, unavailable);
    },
    async *list() {
      try {
        for await (const k of client.list(prefix)) {
          const key = k.slice(prefix.length);
          if (DOCUMENT_KEY.test(key)) yield key;
        }
      } catch (err) {
        unavailable(err);
      }
    },
    async ping() {
      await client.send({ method: 'GET', query: { 'list-type': '2', 'max-keys': '1', prefix } }).then(drain, unavailable);
    },
    async check() {
      // Listing proves the endpoint answers, the credentials are good, the bucket exists and
      // may be listed (backups need that); a small write and delete prove the rest.
      await client.send({ method: 'GET', query: { 'list-type': '2', 'max-keys': '1', prefix } }).then(drain, unavailable);
      const probe = `${prefix}.icat-check-${randomBytes(8).toString('hex')}`;
      await client.send({ method: 'PUT', key: probe, body: new Uint8Array(0) }).then(drain, unavailable);
      await client.send({ method: 'DELETE', key: probe }, [404]).then(drain, unavailable);
    },
  };
}

function drain(res: Readable): void {
  res.resume();
}

/** A publication-file stream as a web stream (for a response body). */
export const toWebStream = (body: Readable) => Readable.toWeb(body) as ReadableStream<Uint8Array>;

export type StorageSettings = {
  dataDir: string;
  STORAGE_DRIVER: 'local' | 's3';
  S3_ENDPOINT?: string | undefined;
  S3_REGION: string;
  S3_BUCKET?: string | undefined;
  S3_ACCESS_KEY_ID?: string | undefined;
  S3_SECRET_ACCESS_KEY?: string | undefined;
  S3_FORCE_PATH_STYLE: boolean;
  S3_PREFIX?: string | undefined;
};

/** The document store of a configuration: the local folder, or the S3 bucket when STORAGE_DRIVER=s3. */
export function documentStoreFor(config: StorageSettings): DocumentStore {
  if (config.STORAGE_DRIVER !== 's3') return localDocumentStore(config.dataDir);
  return s3DocumentStore(
    {
      endpoint: config.S3_ENDPOINT ?? `https://s3.${config.S3_REGION}.amazonaws.com`,
      region: config.S3_REGION,
      bucket: config.S3_BUCKET ?? '',
      accessKeyId: config.S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: config.S3_SECRET_ACCESS_KEY ?? '',
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
    },
    config.S3_PREFIX ?? '',
  );
}
