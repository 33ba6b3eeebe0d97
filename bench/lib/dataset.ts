import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { ORGANIZATION_KINDS, ORGANIZATION_TYPES } from '../../src/domain/organizations/organization-schemas.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { seedOnFirstStart } from '../../src/seed/first-start.ts';
import { rng } from './stats.ts';
import type { Backend } from './types.ts';

export type Dataset = {
  /** Environment for a platform process using this dataset. */
  env: Record<string, string>;
  open(): Promise<Db>;
  dispose(): Promise<void>;
};

const WORDS = ['Regional', 'Network', 'Office', 'Programme', 'Alliance', 'Centre', 'Council', 'Forum', 'Institute', 'Commission', 'Initiative', 'Coalition'];

/** Creates an empty, migrated database on the backend and fills it deterministically. */
export async function prepareDataset(backend: Backend, organizations: number, log: (s: string) => void): Promise<Dataset> {
  let env: Record<string, string>;
  let dispose: () => Promise<void>;
  let open: () => Promise<Db>;
  if (backend.name === 'server') {
    const name = `icat_bench_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: backend.pg!.url });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(backend.pg!.url);
    url.pathname = `/${name}`;
    env = { DATABASE_URL: url.toString(), DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-files-')) };
    open = () => openDatabase({ databaseUrl: url.toString(), poolSize: 4 });
    dispose = async () => {
      const c = new pg.Client({ connectionString: backend.pg!.url });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    };
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bench-data-'));
    env = { DATA_DIR: dir };
    open = () => openDatabase({ dataDir: dir });
    dispose = async () => fs.rmSync(dir, { recursive: true, force: true });
  }

  const started = performance.now();
  const db = await open();
  try {
    await migrate(db.kysely);
    const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
    await seedOnFirstStart({ db, config, logger: pino({ level: 'silent' }) });
    const random = rng(42);
    const ctx = { db, config, actor: systemActor };
    for (let i = 0; i < organizations; i++) {
      const w = WORDS[Math.floor(random() * WORDS.length)]!;
      await createOrganization(ctx, {
        kind: ORGANIZATION_KINDS[Math.floor(random() * 3)]!,
        acronym: `SYN${i.toString(36).toUpperCase()}`,
        slug: `syn-${i}`,
        orgType: ORGANIZATION_TYPES[Math.floor(random() * ORGANIZATION_TYPES.length)]!,
        name: { en: `Synthetic ${w} ${i}`, fr: `${w} synthétique ${i}` },
        chairYears: random() < 0.05 ? [2010 + Math.floor(random() * 15)] : [],
      });
    }
  } finally {
    await db.close();
  }
  log(`  dataset on ${backend.name}: ${organizations} synthetic organizations in ${Math.round(performance.now() - started)} ms`);
  return { env, open, dispose };
}
