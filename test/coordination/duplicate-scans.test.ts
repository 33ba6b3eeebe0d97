import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeScanLease } from '../../src/db/queries/coordination.ts';
import { commitSpreadsheetImport, uploadSpreadsheet } from '../../src/domain/activities/import-spreadsheet.ts';
import { requestDuplicateScan, scanDuplicates, whenDuplicateScansIdle, type ScanProgress } from '../../src/domain/coordination/duplicates.ts';
import { startIatiImport, whenIatiImportsIdle } from '../../src/domain/iati/import-jobs.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeActivity } from '../support/activities.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';

/**
 * The duplicate scan on demand and after imports: one at a time (in the process and across
 * processes through its lease), in the background after a spreadsheet or IATI import, and folded
 * into one more scan when imports end while one runs.
 */
let env: TestEnv;
let org: Organization;
let coordinator: TestUser;
let focal: TestUser;

const scans = async () => (await env.db.kysely.selectFrom('duplicate_scans').select(['id', 'activities', 'actor_label']).orderBy('finished_at').execute());
const liveActivities = async () => Number((await sql<{ n: number }>`select count(*)::int as n from activities where deleted_at is null`.execute(env.db.kysely)).rows[0]!.n);

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env, { iatiRef: 'XM-SCAN-1' });
  coordinator = await makeUser(env, { role: 'coordinator' });
  focal = await makeUser(env, { role: 'focal_point', org });
  await makeActivity(env, org.id);
  await makeActivity(env, (await makeOrg(env)).id);
});
afterAll(async () => {
  await whenIatiImportsIdle();
  await env?.close();
});

describe('scanDuplicates', () => {
  it('reports its progress through reading, comparing and writing', async () => {
    const seen: ScanProgress[] = [];
    const r = await scanDuplicates(env.ctx(coordinator.actor), { onProgress: (p) => seen.push(p) });
    expect(r.activities).toBe(await liveActivities());
    expect(seen.map((p) => p.phase).filter((p, i, all) => all[i - 1] !== p)).toEqual(['read', 'compare', 'write']);
    expect(seen.find((p) => p.phase === 'read')?.done).toBe(r.activities);
    expect(seen.at(-1)).toMatchObject({ phase: 'write', done: r.candidates, total: r.candidates });
  });

  it('refuses a second scan while one runs, and leaves the first to finish', async () => {
    const first = scanDuplicates(env.ctx(coordinator.actor));
    await expect(scanDuplicates(env.ctx(coordinator.actor))).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(first).resolves.toMatchObject({ activities: await liveActivities() });
    // Once it ended, the next one runs.
    await expect(scanDuplicates(env.ctx(coordinator.actor))).resolves.toMatchObject({ activities: await liveActivities() });
  });

  it('waits for a scan of another process (its lease), and takes over the lease of one that died', async () => {
    expect(await takeScanLease(env.db.kysely, 'scan_elsewhere', 30)).toBe(true);
    await expect(scanDuplicates(env.ctx(coordinator.actor))).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('already running') });
    await sql`update platform_state set updated_at = now() - interval '31 minutes' where key = 'duplicate_scan.lease'`.execute(env.db.kysely);
    await expect(scanDuplicates(env.ctx(coordinator.actor))).resolves.toMatchObject({ activities: await liveActivities() });
    // Released at the end: the next scan needs no waiting.
    await expect(scanDuplicates(env.ctx(coordinator.actor))).resolves.toBeTruthy();
  });

  it('is refused to anyone but a coordinator', async () => {
    await expect(scanDuplicates(env.ctx(focal.actor))).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the scan after imports', () => {
  it('runs in the background after a spreadsheet import, as the system, over the imported records', async () => {
    const before = (await scans()).length;
    const csv = `iati_identifier,title_en,owner_org_id,visibility,country_code,country_percentage\nXM-SCAN-1-S1,Shelter support in Kenya,${org.id},draft,KE,100\n`;
    const { token } = await uploadSpreadsheet(env.ctx(focal.actor), { fileName: 'scan.csv', bytes: new TextEncoder().encode(csv) });
    const result = await commitSpreadsheetImport(env.ctx(focal.actor), token);
    expect(result.created).toBe(1);
    await whenDuplicateScansIdle(env.db);
    const after = await scans();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)).toMatchObject({ activities: await liveActivities(), actor_label: expect.stringMatching(/system/i) });
  });

  it('runs after an IATI import job that created records, and not after one that changed nothing', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03"><iati-activity last-updated-datetime="2024-01-01T00:00:00Z"><iati-identifier>XM-SCAN-1-I1</iati-identifier>
<reporting-org ref="XM-SCAN-1" type="40"><narrative>Scan org</narrative></reporting-org><title><narrative>Hotline for survivors</narrative></title>
<description><narrative>Text</narrative></description><participating-org role="4" ref="XM-SCAN-1"/>
<activity-status code="2"/><activity-date type="1" iso-date="2023-01-01"/><recipient-country code="KE" percentage="100"/></iati-activity></iati-activities>`;
    const importOnce = async () => {
      await startIatiImport(env.ctx(focal.actor), { fileName: 'scan.xml', stream: Readable.from([xml]) });
      await whenIatiImportsIdle();
      await whenDuplicateScansIdle(env.db);
    };
    const before = (await scans()).length;
    await importOnce();
    const after = await scans();
    expect(after.length).toBe(before + 1);
    expect(after.at(-1)!.activities).toBe(await liveActivities());
    await importOnce(); // the same file again: unchanged, no scan
    expect((await scans()).length).toBe(before + 1);
  });

  it('folds scans asked for while one runs into one more after it, never two at once', async () => {
    const before = (await scans()).length;
    requestDuplicateScan(env.ctx());
    requestDuplicateScan(env.ctx());
    requestDuplicateScan(env.ctx());
    await whenDuplicateScansIdle(env.db);
    expect((await scans()).length).toBe(before + 2);
  });
});
