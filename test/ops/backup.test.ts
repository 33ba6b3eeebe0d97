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
