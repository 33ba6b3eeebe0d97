import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSchema } from '../../src/db/catalog.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { checksum, migrate, MigrationChecksumError, migrationLevel, readMigrations, type Migration } from '../../src/db/migrate.ts';
import { createTestDb } from '../support/db.ts';
import { TEST_DATABASE_URL } from '../support/env.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db?.close());

const extra = (name: string, text: string): Migration => ({ name, sql: text, checksum: checksum(text) });
const appliedRows = () => db.kysely.selectFrom('schema_migrations').selectAll().orderBy('name').execute();

describe('migrate', () => {
  it('does nothing when run again on a migrated database', async () => {
    const rows = await appliedRows();
    const schema = await describeSchema(db.kysely);
    const result = await migrate(db.kysely);
    expect(result).toEqual({ applied: [], level: readMigrations().at(-1)!.name });
    expect(await appliedRows()).toEqual(rows);
    expect(await describeSchema(db.kysely)).toEqual(schema);
  });

  it('records every migration with the checksum of its file', async () => {
    const rows = await appliedRows();
    expect(rows.map((r) => [r.name, r.checksum])).toEqual(readMigrations().map((m) => [m.name, m.checksum]));
  });

  it('refuses a migration that was edited after it was applied, naming it', async () => {
    const edited = readMigrations().map((m, i) => (i === 0 ? extra(m.name, `${m.sql}\n-- a later edit\n`) : m));
    const refusal = migrate(db.kysely, edited);
    await expect(refusal).rejects.toBeInstanceOf(MigrationChecksumError);
    await expect(refusal).rejects.toThrow(/Migration 0001_identity was edited after it was applied.*forward-only/);
  });

  it('applies a new migration once and moves the level', async () => {
    const next = [...readMigrations(), extra('8000_test_extra', 'create table test_extra (id int primary key);')];
    expect(await migrate(db.kysely, next)).toEqual({ applied: ['8000_test_extra'], level: '8000_test_extra' });
    expect(await migrate(db.kysely, next)).toEqual({ applied: [], level: '8000_test_extra' });
    expect(await migrationLevel(db.kysely)).toBe('8000_test_extra');
  });

  it('leaves nothing behind when a migration fails half-way', async () => {
    const broken = [...readMigrations(), extra('8000_test_extra', 'create table test_extra (id int primary key);'), extra('8001_broken', 'create table test_half (id int); select no_such_function();')];
    await expect(migrate(db.kysely, broken)).rejects.toThrow(/no_such_function/);
    expect((await appliedRows()).map((r) => r.name)).not.toContain('8001_broken');
    expect((await describeSchema(db.kysely)).tables.join(' ')).not.toMatch(/test_half/);
  });

  it('refuses a database that a newer version migrated', async () => {
    // 8000_test_extra, applied above, is unknown to the files of this version.
    await expect(migrate(db.kysely, readMigrations())).rejects.toThrow(/migrations this version does not know \(8000_test_extra\).*newer version/);
  });
});

describe('the schema', () => {
  it('is identical on the embedded database and on a PostgreSQL server', async (t) => {
    if (!TEST_DATABASE_URL) {
      t.skip('set TEST_DATABASE_URL (scripts/with-postgres.sh npm test) to compare the embedded schema with a PostgreSQL server');
      return;
    }
    const server = await createTestDb();
    const lite = await openDatabase({ memory: true });
    try {
      await migrate(lite.kysely);
      const [onServer, embedded] = [await describeSchema(server.kysely), await describeSchema(lite.kysely)];
      expect(embedded.columns.length).toBeGreaterThan(50);
      expect(embedded.indexes.length).toBeGreaterThan(10);
      expect(embedded).toEqual(onServer);
    } finally {
      await lite.close();
      await server.close();
    }
  });
});

describe('the server connections', () => {
  it('never compile statements to machine code (JIT off on every pooled connection, ADR 040)', async (t) => {
    if (!TEST_DATABASE_URL) {
      t.skip('set TEST_DATABASE_URL (scripts/with-postgres.sh npm test) to check the settings of server connections');
      return;
    }
    const server = await createTestDb();
    try {
      // Several at once, so that more than one pooled connection is opened.
      const settings = await Promise.all(Array.from({ length: 4 }, () => sql<{ jit: string }>`select current_setting('jit') as jit, pg_sleep(0.05)`.execute(server.kysely)));
      expect(settings.map((r) => r.rows[0]!.jit)).toEqual(['off', 'off', 'off', 'off']);
    } finally {
      await server.close();
    }
  });
});
