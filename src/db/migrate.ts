import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

export const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export type Migration = { name: string; checksum: string; sql: string };

/** Raised when an applied migration's file no longer matches what was applied. */
export class MigrationChecksumError extends Error {
  readonly code = 'MIGRATION_CHECKSUM_MISMATCH';
  constructor(name: string, applied: string, current: string) {
    super(
      `Migration ${name} was edited after it was applied (applied checksum ${applied.slice(0, 12)}…, file now ${current.slice(0, 12)}…). ` +
        'Migrations are forward-only: restore the original file and add a new migration for the change.',
    );
    this.name = 'MigrationChecksumError';
  }
}

export function checksum(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

/** Reads the migration files in name order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      return { name: f.replace(/\.sql$/, ''), checksum: checksum(text), sql: text };
    });
}

export type MigrationResult = { applied: string[]; level: string | null };

/**
 * Applies pending migrations, each in its own transaction, after checking that every
 * migration already applied still has the checksum it was applied with.
 */
export async function migrate(db: Kysely<Database>, migrations = readMigrations()): Promise<MigrationResult> {
  await sql`create table if not exists schema_migrations (
    name text primary key,
    checksum text not null,
    applied_at timestamptz not null default now()
  )`.execute(db);

  return db.transaction().execute(async (tx) => {
    // Serialises concurrent starters on a server; a no-op on the single-session embedded database.
    await sql`select pg_advisory_xact_lock(7231001)`.execute(tx);
    const done = await tx.selectFrom('schema_migrations').select(['name', 'checksum']).orderBy('name').execute();
    const byName = new Map(done.map((r) => [r.name, r.checksum]));
    for (const m of migrations) {
      const applied = byName.get(m.name);
      if (applied !== undefined && applied !== m.checksum) throw new MigrationChecksumError(m.name, applied, m.checksum);
    }
    const known = new Set(migrations.map((m) => m.name));
    const unknown = done.filter((r) => !known.has(r.name)).map((r) => r.name);
    if (unknown.length > 0) {
      throw new Error(
        `The database has migrations this version does not know (${unknown.join(', ')}): it was migrated by a newer version. Upgrade the application.`,
      );
    }
    const applied: string[] = [];
    for (const m of migrations) {
      if (byName.has(m.name)) continue;
      await sql.raw(m.sql).execute(tx);
      await tx.insertInto('schema_migrations').values({ name: m.name, checksum: m.checksum }).execute();
      applied.push(m.name);
    }
    const level = migrations.at(-1)?.name ?? null;
    return { applied, level };
  });
}

/** The name of the last applied migration, or null on an empty database. */
export async function migrationLevel(db: Kysely<Database>): Promise<string | null> {
  const exists = await sql<{ t: string | null }>`select to_regclass('schema_migrations')::text as t`.execute(db);
  if (!exists.rows[0]?.t) return null;
  const row = await db.selectFrom('schema_migrations').select('name').orderBy('name', 'desc').limit(1).executeTakeFirst();
  return row?.name ?? null;
}

/** A round trip to the database; throws when it is unreachable. */
export async function ping(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}
