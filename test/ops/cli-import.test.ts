import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.ts';
import { openDatabase } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { systemActor } from '../../src/domain/actor.ts';
import { createOrganization } from '../../src/domain/organizations/organizations.ts';
import { cliWorkspace, runIcat } from '../support/cli.ts';

let ws: Awaited<ReturnType<typeof cliWorkspace>>;
let orgId: string;

beforeAll(async () => {
  ws = await cliWorkspace();
  // An organization to own the imported rows, made before the CLI takes the database.
  const db = ws.env.DATABASE_URL ? await openDatabase({ databaseUrl: ws.env.DATABASE_URL }) : await openDatabase({ dataDir: ws.dataDir });
  try {
    await migrate(db.kysely);
    const config = loadConfig({ ...ws.env, LOG_LEVEL: 'silent' });
    const org = await createOrganization({ db, config, actor: systemActor }, { kind: 'member', acronym: 'CLIORG', orgType: 'ngo', name: { en: 'CLI organization' } });
    orgId = org.id;
  } finally {
    await db.close();
  }
}, 120_000);
afterAll(() => ws.close());

const write = (name: string, text: string) => {
  const file = path.join(ws.dataDir, name);
  fs.writeFileSync(file, text);
  return file;
};

describe('icat import spreadsheet', () => {
  it('checks a file without saving it, then imports it with --commit and reports progress', async () => {
    const file = write('ok.csv', `iati_identifier,title_en,owner_org_id,visibility,country_code,country_percentage\nXM-CLI-1,From the command line,${orgId},draft,KE,100\nXM-CLI-2,Another,${orgId},draft,NA,100\n`);
    const dry = await runIcat(['import', 'spreadsheet', file], { env: ws.env, timeoutMs: 120_000 });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('ok.csv (CSV): 2 rows — 2 new, 0 to update, 0 unchanged, 0 blocked');
    expect(dry.stdout).toContain('Nothing was saved.');
    const run = await runIcat(['import', 'spreadsheet', file, '--commit'], { env: ws.env, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Imported 2 rows: 2 created, 0 updated, 0 unchanged.');
    expect(run.stderr).toContain('imported 2/2 rows');
    // The duplicate scan follows a committed import: a line per phase, then its summary.
    expect(run.stderr).toContain('duplicate scan: reading activities');
    expect(run.stdout).toMatch(/Duplicate scan of 2 activities in [0-9.]+ s: \d+ blocks, \d+ pairs compared, \d+ candidates to review, \d+ links/);
    const again = await runIcat(['import', 'spreadsheet', file, '--commit'], { env: ws.env, timeoutMs: 120_000 });
    expect(again.stdout).toContain('Imported 2 rows: 0 created, 0 updated, 2 unchanged.');
    expect(again.stdout).not.toContain('Duplicate scan');
  }, 300_000);

  it('runs the duplicate scan on demand with icat coordination scan', async () => {
    const run = await runIcat(['coordination', 'scan'], { env: ws.env, timeoutMs: 120_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('duplicate scan: comparing');
    expect(run.stdout).toMatch(/Duplicate scan of 2 activities in [0-9.]+ s/);
    const asNobody = await runIcat(['--as', 'nobody@example.org', 'coordination', 'scan'], { env: ws.env, timeoutMs: 120_000 });
    expect(asNobody.code).toBe(4);
  }, 300_000);

  it('exits with code 3 naming row and column when the file has problems, saving nothing', async () => {
    const file = write('bad.csv', `iati_identifier,title_en,owner_org_id,visibility,country_code,country_percentage\nXM-CLI-3,Bad,${orgId},draft,KE,many\n`);
    const dry = await runIcat(['import', 'spreadsheet', file], { env: ws.env, timeoutMs: 120_000 });
    expect(dry.code).toBe(3);
    expect(dry.stdout).toMatch(/2\s+country_percentage\s+critical\s+“many” is not a number/);
    const run = await runIcat(['import', 'spreadsheet', file, '--commit'], { env: ws.env, timeoutMs: 120_000 });
    expect(run.code).toBe(3);
    expect(run.stderr).toContain('row 2, country_percentage: “many” is not a number.');
  }, 300_000);
});
