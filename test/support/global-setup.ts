import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { TEST_DATABASE_URL } from './env.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDump: string;
    templateDatabase: string;
  }
}

/**
 * Migrates one template database for the whole run, with the reference data a start writes
 * (countries, regions, taxonomies, built-in codelists); each test file then clones it.
 * Embedded: a dumped data directory in a temporary file. Server: a template database.
 */
export default async function setup(project: TestProject) {
  if (TEST_DATABASE_URL) {
    const name = `icat_tpl_${process.pid}`;
    const admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    const url = new URL(TEST_DATABASE_URL);
    url.pathname = `/${name}`;
    const db = await openDatabase({ databaseUrl: url.toString(), poolSize: 1 });
    await migrate(db.kysely);
    await syncReferenceData({ db });
    await db.close();
    project.provide('templateDatabase', name);
    project.provide('templateDump', '');
    return async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const db = await openDatabase({ memory: true });
  await migrate(db.kysely);
  await syncReferenceData({ db });
  const dump = await db.lite!.dumpDataDir('none');
  await db.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-test-'));
  const file = path.join(dir, 'template.tar');
  fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
  project.provide('templateDump', file);
  project.provide('templateDatabase', '');
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
