import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { TEST_DATABASE_URL } from './env.ts';

/**
 * A fresh, migrated database for one test file: a clone of the run's template, on the
 * embedded database or on the server (TEST_DATABASE_URL). Close it in afterAll.
 */
export async function createTestDb(): Promise<Db> {
  if (TEST_DATABASE_URL) {
    const template = inject('templateDatabase');
    const name = `icat_t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name} template ${template}`);
    await admin.end();
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
    const close = db.close;
    return {
      ...db,
      async close() {
        await close();
        const drop = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await drop.connect();
        await drop.query(`drop database if exists ${name} with (force)`);
        await drop.end();
      },
    };
  }
  const dump = fs.readFileSync(inject('templateDump'));
  return openDatabase({ memory: true, loadDataDir: new Blob([dump]) });
}
