import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCUMENT_KEY, localDocumentStore, s3DocumentStore, StorageUnavailableError, type DocumentStore } from '../../src/storage/document-store.ts';
import { S3Client, type S3Settings } from '../../src/storage/s3-client.ts';
import { S3_BUCKET, S3_KEY, startS3, type TestS3 } from '../support/s3.ts';

let s3: TestS3;
let dataDir: string;
beforeAll(async () => {
  s3 = await startS3([S3_BUCKET, 'other-bucket']);
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-store-'));
});
afterAll(async () => {
  await s3?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const settings = (over: Partial<S3Settings> = {}): S3Settings => ({ endpoint: s3.endpoint, region: 'us-east-1', bucket: S3_BUCKET, ...S3_KEY, forcePathStyle: true, ...over });

async function readAll(body: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}
async function keysOf(store: DocumentStore): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list()) out.push(k);
  return out.sort();
}
/** Bytes that differ all along (a wrong offset anywhere shows). */
const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + (i >> 8)) & 0xff));

// One contract, both drivers.
const drivers: [string, () => DocumentStore][] = [
  ['local folder', () => localDocumentStore(dataDir)],
  ['S3 bucket', () => s3DocumentStore(settings(), 'contract/')],
];

describe.each(drivers)('DocumentStore contract: %s', (_name, make) => {
  it('answers its start-up check and its ping', async () => {
    const store = make();
    await store.check();
    await store.ping();
    expect(await keysOf(store)).toEqual([]);
  });

  it('stores bytes under a new random key and streams them back, with their size', async () => {
    const store = make();
    const bytes = pattern(70_000);
    const key = await store.put(bytes, 'pdf');
    expect(key).toMatch(DOCUMENT_KEY);
    const other = await store.put(new Uint8Array([1, 2, 3]), 'pdf');
    expect(other).not.toBe(key);
    const got = await store.open(key);
    expect(got?.size).toBe(bytes.length);
    expect(got?.body).toBeInstanceOf(Readable);
    expect((await readAll(got!.body)).equals(bytes)).toBe(true);
    expect(await keysOf(store)).toEqual([key, other].sort());
    await store.remove(key);
    await store.remove(other);
  });

  it('streams a large document in several chunks, and takes one from a stream', async () => {
    const store = make();
    const big = pattern(5 * 1024 * 1024 + 123);
    const key = '0123456789abcdef0123456789abcdef.pdf';
    await store.putAt(key, Readable.from((function* () {
      for (let i = 0; i < big.length; i += 100_000) yield big.subarray(i, i + 100_000);
    })()), big.length);
    const got = await store.open(key);
    expect(got?.size).toBe(big.length);
    let chunks = 0;
    const parts: Buffer[] = [];
    for await (const chunk of got!.body as AsyncIterable<Buffer>) {
      chunks++;
      parts.push(chunk);
    }
    expect(chunks).toBeGreaterThan(1);
    expect(Buffer.concat(parts).equals(big)).toBe(true);
    await store.remove(key);
    expect(await store.open(key)).toBeUndefined();
  });

  it('knows nothing of missing or malformed keys, and removing one is not an error', async () => {
    const store = make();
    expect(await store.open('ffffffffffffffffffffffffffffffff.pdf')).toBeUndefined();
    expect(await store.open('../../etc/passwd')).toBeUndefined();
    await store.remove('ffffffffffffffffffffffffffffffff.pdf');
    await store.remove('../secret');
    await expect(store.putAt('../x.pdf', Readable.from([]), 0)).rejects.toThrow(/Not a document key/);
  });
});

describe('S3 driver against a server that checks signatures', () => {
  it('keeps its documents under the prefix and leaves the rest of the bucket alone', async () => {
    const a = s3DocumentStore(settings(), 'a/');
    const b = s3DocumentStore(settings(), 'b/');
    const key = await a.put(new Uint8Array([37, 80, 68, 70]), 'pdf');
    expect(await keysOf(a)).toEqual([key]);
    expect(await keysOf(b)).toEqual([]);
    const raw = new S3Client(settings());
    const all: string[] = [];
    for await (const k of raw.list('')) all.push(k);
    expect(all).toContain(`a/${key}`);
    await a.remove(key);
  });

  it('lists past one page of results', async () => {
    const keys: string[] = [];
    for (let i = 0; i < 7; i++) keys.push(`${i.toString(16).padStart(32, '0')}.pdf`);
    const client = new S3Client(settings({ bucket: 'other-bucket' }));
    for (const key of keys) (await client.send({ method: 'PUT', key, body: new Uint8Array([1]) })).resume();
    const listed: string[] = [];
    for await (const k of client.list('', 3)) listed.push(k);
    expect(listed).toEqual(keys);
  });

  it('says the credentials are wrong when the secret is (the signature does not match)', async () => {
    const store = s3DocumentStore(settings({ secretAccessKey: 'not-the-secret' }));
    const err = await store.check().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageUnavailableError);
    expect(err).toMatchObject({ failure: 'credentials', message: expect.stringMatching(/refused the credentials \(SignatureDoesNotMatch\).*S3_SECRET_ACCESS_KEY/) });
  });

  it('says the credentials are wrong when the access key is unknown', async () => {
    const err = await s3DocumentStore(settings({ accessKeyId: 'NOBODY' })).check().catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'credentials', message: expect.stringMatching(/InvalidAccessKeyId.*S3_ACCESS_KEY_ID/) });
  });

  it('says the bucket is missing', async () => {
    const err = await s3DocumentStore(settings({ bucket: 'no-such-bucket' })).check().catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'no_bucket', message: expect.stringMatching(/bucket no-such-bucket does not exist.*S3_BUCKET/) });
    const put = await s3DocumentStore(settings({ bucket: 'no-such-bucket' })).put(new Uint8Array([1]), 'pdf').catch((e: unknown) => e);
    expect(put).toMatchObject({ failure: 'no_bucket' });
  });

  it('says the storage cannot be reached when nothing listens', async () => {
    const closed = net.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    const store = s3DocumentStore(settings({ endpoint: `http://127.0.0.1:${port}` }));
    const err = await store.ping().catch((e: unknown) => e);
    expect(err).toMatchObject({ failure: 'unreachable', message: expect.stringMatching(/cannot be reached \(ECONNREFUSED\).*S3_ENDPOINT/) });
    await expect(store.open('ffffffffffffffffffffffffffffffff.pdf')).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
