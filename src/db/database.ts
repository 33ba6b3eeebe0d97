import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect, sql, type PostgresPool, type Transaction } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './lock.ts';
import type { Database } from './schema.ts';

// Same JS types on both back ends: counts and bigints as numbers, dates as ISO date strings.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (v) => Number(v));
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type DbKind = 'pglite' | 'server';

export type Db = {
  kind: DbKind;
  kysely: Kysely<Database>;
  /** The server's connection string, for a worker thread that opens its own connections. */
  url?: string;
  /** The embedded instance, only for backup of its data directory and test cloning. */
  lite?: PGlite;
  close(): Promise<void>;
};

export type Tx = Transaction<Database>;
export type Executor = Kysely<Database> | Tx;

export type OpenOptions =
  | { databaseUrl: string; poolSize?: number }
  | { dataDir: string; lock?: boolean }
  | { memory: true; loadDataDir?: Blob };

/** Loads the extensions the schema needs; PGlite wants them at construction. */
const liteExtensions = { pg_trgm, unaccent };

/**
 * Opens the platform database: a PostgreSQL server when given a URL, otherwise the embedded
 * PGlite (in a data directory, which is locked for this process, or in memory for tests).
 * Both come back as the same Kysely instance over a pg.Pool.
 */
export async function openDatabase(options: OpenOptions): Promise<Db> {
  if ('databaseUrl' in options) {
    const pool = new pg.Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
    pool.on('error', () => {
      // An idle client lost its server; the pool replaces it on next use.
    });
    // No JIT compilation (ADR 040): the platform's statements are short, and PostgreSQL compiled
    // one whose estimate crossed jit_above_cost for half a second to run it in 8 ms. Queued
    // before the first statement the pool hands the client out for.
    pool.on('connect', (client) => {
      client.query('set jit = off').catch(() => undefined);
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    await sql`select 1`.execute(kysely);
    return { kind: 'server', kysely, url: options.databaseUrl, close: () => kysely.destroy() };
  }

  let lock: DataDirLock | undefined;
  let lite: PGlite;
  if ('dataDir' in options) {
    if (options.lock !== false) lock = acquireDataDirLock(options.dataDir);
    try {
      lite = await PGlite.create(path.join(options.dataDir, 'pg'), { extensions: liteExtensions });
    } catch (err) {
      lock?.release();
      throw err;
    }
  } else {
    lite = await PGlite.create({ extensions: liteExtensions, loadDataDir: options.loadDataDir });
  }
  // One connection: PGlite is a single session, so a transaction must own it exclusively.
  const pool = new pg.Pool({ ...createPgConfig(lite), max: 1 });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool: yieldingPool(pool) }) });
  return {
    kind: 'pglite',
    kysely,
    lite,
    async close() {
      await kysely.destroy();
      await lite.close();
      lock?.release();
    },
  };
}

/**
 * PGlite answers in the same thread, through promises that resolve at once: a request's
 * statements run one after another as microtasks, and nothing else (no socket, no timer, no
 * other request) runs until the request has finished. Each checkout therefore first gives the
 * event loop a turn: under 64 clients, far fewer wait until they time out (ADR 042 has the
 * figures). A transaction still runs to its end in one go; it holds the only session anyway.
 */
function yieldingPool(pool: pg.Pool): PostgresPool {
  return {
    connect: async () => {
      await new Promise<void>((resolve) => setImmediate(resolve));
      return pool.connect();
    },
    end: () => pool.end(),
  };
}

/** Runs fn in one transaction; the only way domain code opens one. */
export function withTransaction<T>(db: Db | Kysely<Database>, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const k = 'kysely' in db ? db.kysely : db;
  return k.transaction().execute(fn);
}
