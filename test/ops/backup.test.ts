import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFingerprints } from '../../src/db/catalog.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrate, readMigrations } from '../../src/db/migrate.ts';
import { systemActor, type Actor } from '../../src/domain/actor.ts';
import { createBackup, restoreFromBackup } from '../../src/domain/backups/backups.ts';
import type { DomainContext } from '../../src/domain/context.ts';
import { createInvitation } from '../../src/domain/identity/invitations.ts';
import { requestPasswordReset } from '../../src/domain/identity/password-resets.ts';
import { signIn } from '../../src/domain/identity/sessions.ts';
import { createApiToken } from '../../src/domain/identity/tokens.ts';
import { seedOnFirstStart } from '../../src/seed/first-start.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { backupLines, writeBackupLines } from '../support/backup-files.ts';
import { createTestDb } from '../support/db.ts';
import { TEST_DATABASE_URL } from '../support/env.ts';
import { makeUser } from '../support/factories.ts';

let env: TestEnv;
let dir: string;
let file: string;
/** The source's content when the backup was taken (tests below add accounts to it). */
let source: Awaited<ReturnType<typeof tableFingerprints>>;
const targets: Db[] = [];

/** A fresh migrated database on the suite's back end, closed after the file. */
async function freshDb(): Promise<Db> {
  const db = await createTestDb();
  targets.push(db);
  return db;
}
/** One fresh database shared by the tests that expect a refusal and nothing changed. */
let untouched: Db | undefined;
async function untouchedDb(): Promise<Db> {
  untouched ??= await freshDb();
  return untouched;
}
const ctxFor = (db: Db, actor: Actor = systemActor): DomainContext => ({ db, config: env.config, actor });

/** Fingerprints without the audit entry a restore adds about itself. */
async function contentOf(db: Db) {
  await db.kysely.deleteFrom('audit_log').where('action', '=', 'database.restore').execute();
  return tableFingerprints(db.kysely);
}

beforeAll(async () => {
  env = await createTestEnv();
  // Something in every table: demo content, a token, a session, a failed sign-in, an invitation (mail), a reset.
  await seedOnFirstStart({ db: env.db, config: env.config, logger: pino({ level: 'silent' }) });
  const admin = await makeUser(env, { role: 'administrator', password: 'a-long-test-password' });
  await createApiToken(env.ctx(admin.actor), { name: 'sync', scopes: ['read', 'write'] });
  await signIn({ ...env.ctx(), ip: '192.0.2.1' }, { email: admin.email, password: 'a-long-test-password' });
  await signIn({ ...env.ctx(), ip: '192.0.2.2' }, { email: admin.email, password: 'wrong-password-1' }).catch(() => undefined);
  await createInvitation(env.ctx(admin.actor), { email: 'invitee@example.org', platformRole: 'coordinator' });
  await requestPasswordReset(env.ctx(), { email: admin.email });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-backup-'));
  file = path.join(dir, 'full.ndjson.gz');
  await createBackup(env.ctx(), { file });
  source = await tableFingerprints(env.db.kysely);
});

afterAll(async () => {
  for (const db of targets) await db.close();
  await env?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('createBackup', () => {
  it('writes a header, one line per row in every table and a final checksum, and leaves no temporary file', async () => {
    const lines = backupLines(file);
    const header = JSON.parse(lines[0]!) as { format: string; migrationLevel: string; tables: { name: string; rows: number }[] };
    expect(header.format).toBe('icat-backup');
    expect(header.migrationLevel).toBe(readMigrations().at(-1)!.name);
    const fingerprints = source;
    expect(Object.fromEntries(header.tables.map((t) => [t.name, t.rows]))).toEqual(
      Object.fromEntries(Object.entries(fingerprints).map(([name, f]) => [name, f.rows])),
    );
    // Every table is compared after the round trip; these hold rows, so that it means something.
    const filled = ['schema_migrations', 'platform_state', 'organizations', 'organization_chairs', 'users', 'memberships', 'sessions', 'sign_in_throttle', 'password_resets', 'invitations', 'api_tokens', 'audit_log', 'mail_outbox'];
    for (const name of filled) expect(fingerprints[name]?.rows, `${name} should hold a row for this test to mean something`).toBeGreaterThan(0);
    expect(lines.length).toBe(2 + header.tables.reduce((n, t) => n + t.rows, 0));
    expect(JSON.parse(lines.at(-1)!)).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes parent tables before the tables that refer to them', () => {
    const header = JSON.parse(backupLines(file)[0]!) as { tables: { name: string }[] };
    const order = header.tables.map((t) => t.name);
    expect(order.indexOf('organizations')).toBeLessThan(order.indexOf('memberships'));
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('memberships'));
    expect(order.indexOf('users')).toBeLessThan(order.indexOf('api_tokens'));
  });

  it('is refused to a coordinator', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    await expect(createBackup(env.ctx(coordinator.actor), { file: path.join(dir, 'no.ndjson.gz') })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(fs.existsSync(path.join(dir, 'no.ndjson.gz'))).toBe(false);
  });
});

describe('restoreFromBackup', () => {
  it('reproduces every table in a fresh database: row counts and content checksums', async () => {
    const target = await freshDb();
    const summary = await restoreFromBackup(ctxFor(target), { file });
    expect(summary.tables.find((t) => t.name === 'users')?.rows).toBeGreaterThan(6);
    const restoreEntries = await target.kysely.selectFrom('audit_log').select('action').where('action', '=', 'database.restore').execute();
    expect(restoreEntries).toHaveLength(1);
    expect(await contentOf(target)).toEqual(source);
  });

  it('continues identity sequences after the restored rows', async () => {
    const target = await freshDb();
    await restoreFromBackup(ctxFor(target), { file });
    const restored = await target.kysely
      .selectFrom('audit_log')
      .select((eb) => eb.fn.max('id').as('max'))
      .where('action', '<>', 'database.restore')
      .executeTakeFirstOrThrow();
    expect(Number(restored.max)).toBeGreaterThanOrEqual(source.audit_log!.rows);
    const entry = await target.kysely.selectFrom('audit_log').select('id').where('action', '=', 'database.restore').executeTakeFirstOrThrow();
    expect(Number(entry.id)).toBe(Number(restored.max) + 1);
  });

  it('refuses to replace a database that holds data unless told to', async () => {
    const target = await freshDb();
    await restoreFromBackup(ctxFor(target), { file });
    const before = await tableFingerprints(target.kysely);
    await expect(restoreFromBackup(ctxFor(target), { file })).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/--yes/) });
    expect(await tableFingerprints(target.kysely)).toEqual(before);
    await restoreFromBackup(ctxFor(target), { file, replaceExisting: true });
    expect(await contentOf(target)).toEqual(source);
  });

  it('refuses a file with a flipped byte and changes nothing', async () => {
    const target = await untouchedDb();
    const before = await tableFingerprints(target.kysely);
    const bytes = fs.readFileSync(file);
    const i = Math.floor(bytes.length / 2);
    bytes[i] = bytes[i]! ^ 0x01;
    const damaged = path.join(dir, 'flipped.ndjson.gz');
    fs.writeFileSync(damaged, bytes);
    await expect(restoreFromBackup(ctxFor(target), { file: damaged })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/not a usable ICAT backup.*Nothing was changed/),
    });
    expect(await tableFingerprints(target.kysely)).toEqual(before);
  });

  it('refuses a file whose rows were edited after it was written', async () => {
    const target = await untouchedDb();
    const lines = backupLines(file);
    const i = lines.findIndex((l) => l.includes('admin@example.org'));
    lines[i] = lines[i]!.replace('admin@example.org', 'mallory@example.org');
    const edited = path.join(dir, 'edited.ndjson.gz');
    fs.writeFileSync(edited, zlib.gzipSync(`${lines.join('\n')}\n`));
    await expect(restoreFromBackup(ctxFor(target), { file: edited })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/does not match its checksum/),
    });
    expect(await target.kysely.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('refuses a truncated file, whether the cut falls inside the compressed data or between lines', async () => {
    const target = await untouchedDb();
    const before = await tableFingerprints(target.kysely);
    const cut = path.join(dir, 'cut.ndjson.gz');
    fs.writeFileSync(cut, fs.readFileSync(file).subarray(0, Math.floor(fs.statSync(file).size * 0.6)));
    await expect(restoreFromBackup(ctxFor(target), { file: cut })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });

    const short = path.join(dir, 'short.ndjson.gz');
    const lines = backupLines(file);
    fs.writeFileSync(short, zlib.gzipSync(`${lines.slice(0, -3).join('\n')}\n`));
    await expect(restoreFromBackup(ctxFor(target), { file: short })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/cut short/),
    });
    expect(await tableFingerprints(target.kysely)).toEqual(before);
  });

  it('refuses a backup taken at another migration level before touching anything', async () => {
    const target = await untouchedDb();
    const before = await tableFingerprints(target.kysely);
    const [head, ...rest] = backupLines(file).slice(0, -1);
    const header = JSON.parse(head!) as { migrationLevel: string; migrations: { name: string; checksum: string }[] };
    header.migrations.push({ name: '9999_from_the_future', checksum: 'x' });
    header.migrationLevel = '9999_from_the_future';
    const future = path.join(dir, 'future.ndjson.gz');
    writeBackupLines(future, [JSON.stringify(header), ...rest]);
    await expect(restoreFromBackup(ctxFor(target), { file: future })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/migration level 9999_from_the_future but this database is at/),
    });
    expect(await tableFingerprints(target.kysely)).toEqual(before);
  });

  it('leaves the database exactly as it was when a row fails half-way through', async () => {
    const target = await freshDb();
    await restoreFromBackup(ctxFor(target), { file });
    await target.kysely.deleteFrom('sessions').execute(); // make the target differ from the file
    const before = await tableFingerprints(target.kysely);
    // An intact file (right checksum) whose last users row breaks a check constraint.
    const lines = backupLines(file).slice(0, -1);
    const i = lines.findLastIndex((l) => l.startsWith('{"r": ') && l.endsWith('"t": "users"}'));
    expect(i).toBeGreaterThan(0);
    const row = JSON.parse(lines[i]!) as { r: Record<string, unknown>; t: string };
    row.r.preferred_language = 'klingon';
    lines[i] = JSON.stringify(row);
    const bad = path.join(dir, 'bad-row.ndjson.gz');
    writeBackupLines(bad, lines);
    await expect(restoreFromBackup(ctxFor(target), { file: bad, replaceExisting: true })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/table users.*Nothing was changed/),
    });
    expect(await tableFingerprints(target.kysely)).toEqual(before);
  });

  it('is refused to a coordinator', async () => {
    const target = await freshDb();
    const coordinator = await makeUser(env, { role: 'coordinator' });
    await expect(restoreFromBackup(ctxFor(target, coordinator.actor), { file })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('stored files in a backup', () => {
  const big = Buffer.alloc(2 * 1024 * 1024 + 17);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) % 251;
  const logo = Buffer.from('not really a png, but bytes all the same');
  let withFiles: string;
  let filesConfig: DomainContext['config'];

  /** A data directory of its own, with a stored file that a restore must replace. */
  function targetDataDir(): string {
    const d = fs.mkdtempSync(path.join(dir, 'data-'));
    fs.mkdirSync(path.join(d, 'files', 'logos'), { recursive: true });
    fs.writeFileSync(path.join(d, 'files', 'logos', 'old.png'), 'stale');
    return d;
  }
  const ctxWithData = (db: Db, dataDir: string): DomainContext => ({ db, config: { ...env.config, dataDir }, actor: systemActor });
  const listFiles = (d: string) => (fs.readdirSync(path.join(d, 'files'), { recursive: true }) as string[]).map((f) => f.replaceAll(path.sep, '/')).filter((f) => fs.statSync(path.join(d, 'files', f)).isFile()).sort();

  beforeAll(async () => {
    const source = fs.mkdtempSync(path.join(dir, 'source-'));
    fs.mkdirSync(path.join(source, 'files', 'logos'), { recursive: true });
    fs.mkdirSync(path.join(source, 'files', 'documents'), { recursive: true });
    fs.writeFileSync(path.join(source, 'files', 'logos', 'a1b2.png'), logo);
    fs.writeFileSync(path.join(source, 'files', 'documents', '0123abcd.pdf'), big);
    fs.writeFileSync(path.join(source, 'files', 'documents', '.0123abcd.pdf.tmp'), 'half-written');
    filesConfig = { ...env.config, dataDir: source };
    withFiles = path.join(dir, 'with-files.ndjson.gz');
    const summary = await createBackup({ db: env.db, config: filesConfig, actor: systemActor }, { file: withFiles });
    expect(summary.files).toBe(2);
  });

  it('carries every stored file, and a restore replaces the stored files with them', async () => {
    const target = await freshDb();
    const dataDir = targetDataDir();
    const summary = await restoreFromBackup(ctxWithData(target, dataDir), { file: withFiles });
    expect(summary.files).toBe(2);
    expect(listFiles(dataDir)).toEqual(['documents/0123abcd.pdf', 'logos/a1b2.png']);
    expect(fs.readFileSync(path.join(dataDir, 'files', 'documents', '0123abcd.pdf')).equals(big)).toBe(true);
    expect(fs.readFileSync(path.join(dataDir, 'files', 'logos', 'a1b2.png')).equals(logo)).toBe(true);
    expect(fs.readdirSync(dataDir).filter((f) => f !== 'files')).toEqual([]);
  });

  it('refuses a backup whose file content was changed (its checksum recomputed), changing nothing', async () => {
    const target = await untouchedDb();
    const dataDir = targetDataDir();
    const lines = backupLines(withFiles).slice(0, -1);
    const i = lines.findIndex((l) => l.startsWith('{"chunk"'));
    lines[i] = JSON.stringify({ chunk: Buffer.from('replaced content').toString('base64') });
    const edited = path.join(dir, 'file-edited.ndjson.gz');
    writeBackupLines(edited, lines);
    await expect(restoreFromBackup(ctxWithData(target, dataDir), { file: edited })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(listFiles(dataDir)).toEqual(['logos/old.png']);
    expect(await target.kysely.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it('refuses a stored file whose path would leave the files folder', async () => {
    const target = await untouchedDb();
    const dataDir = targetDataDir();
    const lines = backupLines(withFiles).slice(0, -1);
    const at = lines.findIndex((l) => l.startsWith('{"file"'));
    const data = Buffer.from('escaped');
    lines.splice(at, 0, JSON.stringify({ file: '../escaped.txt', bytes: data.length }), JSON.stringify({ chunk: data.toString('base64') }), JSON.stringify({ fileEnd: '../escaped.txt', sha256: createHash('sha256').update(data).digest('hex') }));
    const hostile = path.join(dir, 'hostile.ndjson.gz');
    writeBackupLines(hostile, lines);
    await expect(restoreFromBackup(ctxWithData(target, dataDir), { file: hostile })).rejects.toMatchObject({ message: expect.stringMatching(/unsafe path/) });
    expect(fs.existsSync(path.join(dataDir, 'escaped.txt'))).toBe(false);
    expect(listFiles(dataDir)).toEqual(['logos/old.png']);
  });

  it('still restores a version 1 backup (tables only), leaving the stored files alone', async () => {
    const target = await freshDb();
    const dataDir = targetDataDir();
    const lines = backupLines(withFiles).slice(0, -1);
    const header = { ...JSON.parse(lines[0]!), version: 1 };
    const v1 = path.join(dir, 'v1.ndjson.gz');
    writeBackupLines(v1, [JSON.stringify(header), ...lines.slice(1).filter((l) => 't' in (JSON.parse(l) as object))]);
    const summary = await restoreFromBackup(ctxWithData(target, dataDir), { file: v1 });
    expect(summary.files).toBeNull();
    expect(listFiles(dataDir)).toEqual(['logos/old.png']);
    expect(await contentOf(target)).toEqual(await contentOf(env.db));
  });
});

describe('backup and restore across back ends', () => {
  it('moves the content from the embedded database to the server and back', async (t) => {
    if (!TEST_DATABASE_URL) {
      t.skip('set TEST_DATABASE_URL (scripts/with-postgres.sh) to move a backup between the embedded database and a server');
      return;
    }
    const lite = await openDatabase({ memory: true });
    targets.push(lite);
    await migrate(lite.kysely);
    // The suite's database is the server here: server → embedded …
    await restoreFromBackup(ctxFor(lite), { file });
    expect(await contentOf(lite)).toEqual(source);
    // … and embedded → a fresh server database.
    const fromLite = path.join(dir, 'from-lite.ndjson.gz');
    await createBackup(ctxFor(lite), { file: fromLite });
    expect(JSON.parse(backupLines(fromLite)[0]!)).toMatchObject({ backend: 'pglite' });
    const server = await freshDb();
    await restoreFromBackup(ctxFor(server), { file: fromLite });
    expect(await contentOf(server)).toEqual(source);
  });
});
