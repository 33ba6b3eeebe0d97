import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { createBackup, restoreFromBackup } from '../../src/domain/backups/backups.ts';
import type { DomainContext } from '../../src/domain/context.ts';
import { sweepDocumentRemovals } from '../../src/domain/publications/document-removals.ts';
import { getPublication } from '../../src/domain/publications/get-publication.ts';
import { removePublicationFile, uploadPublicationFile } from '../../src/domain/publications/publication-files.ts';
import { createApp } from '../../src/http/app.ts';
import { buildServices, startServer } from '../../src/server.ts';
import { documentStoreFor, StorageUnavailableError } from '../../src/storage/document-store.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { backupLines } from '../support/backup-files.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { makePdf } from '../support/pdf.ts';
import { makePublication } from '../support/publications.ts';
import { startS3, type TestS3 } from '../support/s3.ts';

let s3: TestS3;
let env: TestEnv;
let focal: TestUser;
let orgId: string;
let dead: DomainContext['config'];

async function keys(config: DomainContext['config']): Promise<string[]> {
  const out: string[] = [];
  for await (const k of documentStoreFor(config).list()) out.push(k);
  return out.sort();
}
const storageKeyOf = async (fileId: string) => (await env.db.kysely.selectFrom('publication_files').select('storage_key').where('id', '=', fileId).executeTakeFirstOrThrow()).storage_key;

beforeAll(async () => {
  s3 = await startS3(['icat-docs']);
  env = await createTestEnv({ ...s3.env, S3_PREFIX: 'icat/' });
  const org = await makeOrg(env);
  orgId = org.id;
  focal = await makeUser(env, { role: 'focal_point', org });
  // The same installation, but the storage's address answers nothing.
  dead = { ...env.config, S3_ENDPOINT: 'http://127.0.0.1:9' };
});
afterAll(async () => {
  await env?.close();
  await s3?.close();
});

describe('publication files in an S3 bucket', () => {
  it('uploads into the bucket and downloads from it with the same headers as the local store', async () => {
    const p = await makePublication(env, orgId);
    const client = new TestClient(env.app);
    await signIn(client, focal);
    const pdf = makePdf(['Bucketed text about recruitment fees.']);
    const form = new FormData();
    form.set('file', new File([pdf], 'Rapport été.pdf', { type: 'application/pdf' }));
    form.set('lang', 'fr');
    const res = await client.request(`/api/v1/publications/${p.id}/files`, { method: 'POST', headers: { 'x-csrf-token': await client.csrf() }, body: form });
    expect(res.status).toBe(201);
    const file = (await res.json()) as { id: string; sha256: string };
    const key = await storageKeyOf(file.id);
    expect(await keys(env.config)).toContain(key);
    expect(fs.existsSync(path.join(env.config.dataDir, 'files', 'documents'))).toBe(false);

    for (const url of [`/api/v1/publications/${p.id}/files/${file.id}`, `/library/files/${file.id}/x.pdf`]) {
      const dl = await new TestClient(env.app).request(url);
      expect(dl.status).toBe(200);
      expect(dl.headers.get('content-type')).toBe('application/pdf');
      expect(dl.headers.get('content-length')).toBe(String(pdf.byteLength));
      expect(dl.headers.get('content-disposition')).toBe(`inline; filename="Rapport _t_.pdf"; filename*=UTF-8''Rapport%20%C3%A9t%C3%A9.pdf`);
      expect(dl.headers.get('etag')).toBe(`"${file.sha256}"`);
      expect(new Uint8Array(await dl.arrayBuffer())).toEqual(pdf);
    }
  });

  it('refuses an upload while the storage is unreachable, and writes no row', async () => {
    const p = await makePublication(env, orgId);
    const err = await uploadPublicationFile({ ...env.ctx(focal.actor), config: dead }, p.id, { lang: 'en', fileName: 'a.pdf', bytes: makePdf(['x']) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', message: expect.stringMatching(/file storage cannot be used.*not saved/) });
    expect((await getPublication(env.ctx(), p.id)).files).toEqual([]);
  });

  it('removes the object once the row is gone, or records it and removes it at the next sweep', async () => {
    const p = await makePublication(env, orgId);
    const ctx = env.ctx(focal.actor);
    const first = await uploadPublicationFile(ctx, p.id, { lang: 'en', fileName: 'a.pdf', bytes: makePdf(['one']) });
    const second = await uploadPublicationFile(ctx, p.id, { lang: 'en', fileName: 'b.pdf', bytes: makePdf(['two']) });
    const [k1, k2] = [await storageKeyOf(first.file.id), await storageKeyOf(second.file.id)];

    await removePublicationFile(ctx, p.id, first.file.id);
    expect(await keys(env.config)).not.toContain(k1);
    expect(await env.db.kysely.selectFrom('document_removals').selectAll().execute()).toEqual([]);

    // The storage fails after the commit: the file is gone from the publication, its object is owed.
    await removePublicationFile({ ...ctx, config: dead }, p.id, second.file.id);
    expect((await getPublication(env.ctx(), p.id)).files).toEqual([]);
    expect(await keys(env.config)).toContain(k2);
    const owed = await env.db.kysely.selectFrom('document_removals').selectAll().execute();
    expect(owed).toMatchObject([{ storage_key: k2, attempts: 1, last_error: expect.stringMatching(/cannot be reached/) }]);

    expect(await sweepDocumentRemovals({ db: env.db, config: dead })).toEqual({ removed: 0, failed: 1 });
    expect(await sweepDocumentRemovals({ db: env.db, config: env.config })).toEqual({ removed: 1, failed: 0 });
    expect(await keys(env.config)).not.toContain(k2);
    expect(await env.db.kysely.selectFrom('document_removals').selectAll().execute()).toEqual([]);
  });

  it('reports the storage in /healthz, and 503 when it cannot be reached', async () => {
    const ok = await env.app.request('/healthz');
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'ok', storage: { driver: 's3', reachable: true } });
    const app = createApp(buildServices(dead, env.db, pino({ level: 'silent' })));
    const bad = await app.request('/healthz');
    expect(bad.status).toBe(503);
    expect(await bad.json()).toMatchObject({ status: 'degraded', database: { reachable: true }, storage: { driver: 's3', reachable: false, error: expect.stringMatching(/cannot be reached.*S3_ENDPOINT/) } });
  });

  it('does not start when the credentials are wrong, and says so', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-s3-start-'));
    try {
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ...s3.env, S3_SECRET_ACCESS_KEY: 'wrong' });
      const err = await startServer(config, { logger: pino({ level: 'silent' }) }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StorageUnavailableError);
      expect((err as Error).message).toMatch(/refused the credentials \(SignatureDoesNotMatch\)/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('asks for the bucket and the keys when STORAGE_DRIVER=s3', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'b-1' })).toThrow(/S3_ACCESS_KEY_ID: required when STORAGE_DRIVER=s3[\s\S]*S3_SECRET_ACCESS_KEY: required/);
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'B', S3_ACCESS_KEY_ID: 'k', S3_SECRET_ACCESS_KEY: 's' })).toThrow(/S3_BUCKET="B": must be a bucket name/);
    expect(() => loadConfig({ S3_PREFIX: '../x' })).toThrow(/S3_PREFIX/);
  });
});

describe('backups with the S3 store', () => {
  it('carries the bucket’s documents, and a restore puts them back and removes objects the backup does not hold', async () => {
    const p = await makePublication(env, orgId);
    const pdf = makePdf(['kept in the backup']);
    const up = await uploadPublicationFile(env.ctx(focal.actor), p.id, { lang: 'en', fileName: 'kept.pdf', bytes: pdf });
    const key = await storageKeyOf(up.file.id);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-s3-backup-'));
    const file = path.join(dir, 'b.ndjson.gz');
    const summary = await createBackup(env.ctx(), { file });
    const inBucket = await keys(env.config);
    expect(summary.files).toBe(inBucket.length);
    expect(backupLines(file).filter((l) => l.startsWith('{"file"')).map((l) => (JSON.parse(l) as { file: string }).file)).toEqual(inBucket.map((k) => `documents/${k}`));

    // After the backup: the object is lost, and a stray one appears.
    const store = documentStoreFor(env.config);
    await store.remove(key);
    const stray = await store.put(makePdf(['stray']), 'pdf');
    await restoreFromBackup(env.ctx(systemActor), { file, replaceExisting: true });
    expect(await keys(env.config)).toEqual(inBucket);
    expect(await keys(env.config)).not.toContain(stray);
    const dl = await new TestClient(env.app).request(`/api/v1/publications/${p.id}/files/${up.file.id}`);
    expect(new Uint8Array(await dl.arrayBuffer())).toEqual(pdf);

    // The same backup restores into the local folder of another installation.
    const localDir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-s3-local-'));
    const local = { ...env.config, STORAGE_DRIVER: 'local' as const, dataDir: localDir };
    await restoreFromBackup({ db: env.db, config: local, actor: systemActor }, { file, replaceExisting: true });
    expect(fs.readFileSync(path.join(localDir, 'files', 'documents', key)).equals(Buffer.from(pdf))).toBe(true);

    // And a backup of that local installation restores into the bucket.
    const fromLocal = path.join(dir, 'local.ndjson.gz');
    await createBackup({ db: env.db, config: local, actor: systemActor }, { file: fromLocal });
    await store.remove(key);
    await restoreFromBackup(env.ctx(systemActor), { file: fromLocal, replaceExisting: true });
    expect(await keys(env.config)).toEqual(inBucket);
    expect(fs.existsSync(path.join(env.config.dataDir, 'files', 'documents'))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(localDir, { recursive: true, force: true });
  });
});
