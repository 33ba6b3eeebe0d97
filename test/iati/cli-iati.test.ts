import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase, type Db } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { storedIatiStates } from '../../src/db/queries/iati.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { activityDataOf, loadActivities } from '../../src/domain/activities/activity-mapping.ts';
import { importIatiFile } from '../../src/domain/iati/import-iati.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { createTestEnv } from '../support/app.ts';
import { cliWorkspace, ICAT_BIN, runIcat } from '../support/cli.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';

let ws: Awaited<ReturnType<typeof cliWorkspace>>;
let tmp: string;
const N = 1500;
const ids = Array.from({ length: N }, (_, i) => `XM-KILL-${String(i).padStart(5, '0')}`);

function bigFile(): string {
  const file = path.join(tmp, 'many.xml');
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" xml:lang="en">\n');
  for (const [i, id] of ids.entries()) {
    fs.writeSync(
      fd,
      `<iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD"><iati-identifier>${id}</iati-identifier>
<reporting-org ref="XM-KILL" type="40"><narrative>Kill test</narrative></reporting-org>
<title><narrative>Activity ${i}</narrative><narrative xml:lang="fr">Activité ${i}</narrative></title>
<description><narrative>${'Support to survivors of trafficking. '.repeat(20)}</narrative></description>
<participating-org role="4" ref="XM-KILL"><narrative>Kill test</narrative></participating-org>
<activity-status code="2"/><activity-date type="1" iso-date="2023-01-01"/>
<recipient-country code="KE" percentage="100"/><sector vocabulary="1" code="15180" percentage="100"/>
<transaction><transaction-type code="3"/><transaction-date iso-date="2023-03-01"/><value value-date="2023-03-01">${i}</value></transaction>
</iati-activity>\n`,
    );
  }
  fs.writeSync(fd, '</iati-activities>\n');
  fs.closeSync(fd);
  return file;
}

const openWs = (): Promise<Db> => (ws.env.DATABASE_URL ? openDatabase({ databaseUrl: ws.env.DATABASE_URL }) : openDatabase({ dataDir: ws.dataDir }));

/** A checksum of the imported activities' data (without platform ids, times and the import time) and their version counts. */
async function checksum(db: Db): Promise<{ count: number; sum: string; maxVersion: number }> {
  const states = await storedIatiStates(db.kysely, ids);
  const list = await loadActivities(db.kysely, [...states.values()].map((s) => s.id));
  list.sort((a, b) => (a.iatiIdentifier! < b.iatiIdentifier! ? -1 : 1));
  const h = createHash('sha256');
  for (const a of list) {
    const d = activityDataOf(a);
    h.update(JSON.stringify({ ...d, ownerOrganizationId: null, provenance: { ...d.provenance, importedAt: null } }));
  }
  return { count: list.length, sum: h.digest('hex'), maxVersion: Math.max(0, ...list.map((a) => a.version)) };
}

beforeAll(async () => {
  ws = await cliWorkspace();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-iati-cli-'));
  const db = await openWs();
  try {
    await migrate(db.kysely);
    const config = loadConfig({ ...ws.env, LOG_LEVEL: 'silent' });
    await createOrganization({ db, config, actor: systemActor }, { kind: 'member', acronym: 'KILL', orgType: 'ngo', name: { en: 'Kill test' }, iatiRef: 'XM-KILL' });
  } finally {
    await db.close();
  }
}, 120_000);
afterAll(async () => {
  await ws?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('icat import iati', () => {
  it('refuses a 1.x file with exit code 3 and says why', async () => {
    const file = path.join(tmp, 'v1.xml');
    fs.writeFileSync(file, '<iati-activities version="1.03"><iati-activity/></iati-activities>');
    const r = await runIcat(['import', 'iati', file], { env: ws.env, timeoutMs: 120_000 });
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('IATI 1.x is not supported');
  }, 180_000);

  it('killed half-way (SIGKILL) and run again, reaches the same state as an uninterrupted import', async () => {
    const file = bigFile();
    // Start the import and kill it once a part of the file has been saved.
    // (--no-scan: this test is about the import alone.)
    const child = spawn(process.execPath, [ICAT_BIN, 'import', 'iati', '--no-scan', file], { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), LOG_LEVEL: 'silent', ...ws.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.once('close', (code, signal) => resolve(signal === 'SIGKILL' ? -9 : code)));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      const m = /many\.xml: (\d+)% — (\d+) activities/.exec(stderr.split('\n').filter(Boolean).at(-1) ?? '');
      if (m && Number(m[1]) >= 30 && Number(m[2]) >= 200) child.kill('SIGKILL');
    });
    expect(await exited, stderr).toBe(-9);

    const db = await openWs();
    let partial;
    try {
      partial = await checksum(db);
    } finally {
      await db.close();
    }
    expect(partial.count).toBeGreaterThan(0);
    expect(partial.count).toBeLessThan(N);

    const rerun = await runIcat(['import', 'iati', '--no-scan', file], { env: ws.env, timeoutMs: 240_000 });
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`${N} activities — ${N - partial.count} created, 0 updated, ${partial.count} unchanged, 0 skipped, 0 failed.`);
    const db2 = await openWs();
    let after;
    try {
      after = await checksum(db2);
    } finally {
      await db2.close();
    }

    // The reference: the same file imported in one go into another database.
    const env = await createTestEnv();
    try {
      await createOrganization(env.ctx(), { kind: 'member', acronym: 'KILL', orgType: 'ngo', name: { en: 'Kill test' }, iatiRef: 'XM-KILL' });
      const r = await importIatiFile(env.ctx(), { path: file, fileName: 'many.xml' });
      expect(r.counts.created).toBe(N);
      expect(after).toEqual(await checksum(env.db));
      expect(after.maxVersion).toBe(1);
    } finally {
      await env.close();
    }
  }, 600_000);
});

describe('icat export iati', () => {
  const lint = (file: string, schema: string) =>
    spawnSync('xmllint', ['--noout', '--schema', path.join(SHARED_DATA_DIR, 'iati-schemas', schema), file], { encoding: 'utf8' });
  it.skipIf(spawnSync('xmllint', ['--version']).status !== 0 || !fs.existsSync(path.join(SHARED_DATA_DIR, 'iati-schemas')))(
    'writes the filtered activities and the member organizations as valid IATI files',
    async () => {
      const small = path.join(tmp, 'small.xml');
      fs.writeFileSync(
        small,
        `<iati-activities version="2.03" xml:lang="en"><iati-activity last-updated-datetime="2024-01-01T00:00:00Z"><iati-identifier>XM-KILL-EXPORT</iati-identifier>
<reporting-org ref="XM-KILL" type="40"><narrative>Kill test</narrative></reporting-org><title><narrative>Exported by the command</narrative></title>
<description><narrative>Text</narrative></description><participating-org role="4" ref="XM-KILL"/><activity-status code="3"/><activity-date type="1" iso-date="2023-01-01"/>
<recipient-country code="UG" percentage="100"/></iati-activity></iati-activities>`,
      );
      expect((await runIcat(['import', 'iati', small], { env: ws.env, timeoutMs: 120_000 })).code).toBe(0);
      const out = path.join(tmp, 'export.xml');
      const r = await runIcat(['export', 'iati', '--filter', 'country=UG&status=3', '-o', out], { env: ws.env, timeoutMs: 120_000 });
      expect(r.code, r.stderr).toBe(0);
      const xml = fs.readFileSync(out, 'utf8');
      expect(xml).toContain('<iati-identifier>XM-KILL-EXPORT</iati-identifier>');
      expect(xml.match(/<iati-activity /g)?.length).toBe(1);
      expect(lint(out, 'iati-activities-schema.xsd').status).toBe(0);

      const bad = await runIcat(['export', 'iati', '--filter', 'country=Kenya'], { env: ws.env, timeoutMs: 120_000 });
      expect(bad.code).toBe(3);
      expect(bad.stderr).toContain('country');

      const orgs = await runIcat(['export', 'iati-organisations'], { env: ws.env, timeoutMs: 120_000 });
      expect(orgs.code, orgs.stderr).toBe(0);
      expect(orgs.stdout).toContain('<organisation-identifier>XM-KILL</organisation-identifier>');
      const orgFile = path.join(tmp, 'orgs.xml');
      fs.writeFileSync(orgFile, orgs.stdout);
      expect(lint(orgFile, 'iati-organisations-schema.xsd').status).toBe(0);
    },
    300_000,
  );
});
