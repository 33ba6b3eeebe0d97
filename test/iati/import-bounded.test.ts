import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importIatiFileBounded, outOfMemoryMessage } from '../../src/domain/iati/import-bounded.ts';
import { AppError } from '../../src/domain/errors.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg } from '../support/factories.ts';

const onServer = !!process.env.TEST_DATABASE_URL;
if (!onServer) process.stdout.write('Skipping the worker-thread checks of bounded IATI imports: they need a PostgreSQL server (TEST_DATABASE_URL); the embedded database imports in this thread.\n');

let env: TestEnv;
let dir: string;
let file: string;

const activity = (id: string) => `<iati-activity last-updated-datetime="2024-01-01T00:00:00Z"><iati-identifier>${id}</iati-identifier>
<reporting-org ref="XM-BOUND-1" type="40"><narrative>Bounded org</narrative></reporting-org>
<title><narrative>Shelters for survivors ${id}</narrative></title><description><narrative>Text</narrative></description>
<participating-org role="4" ref="XM-BOUND-1"/><activity-status code="2"/><activity-date type="1" iso-date="2023-01-01"/>
<recipient-country code="KE" percentage="100"/></iati-activity>`;

beforeAll(async () => {
  env = await createTestEnv();
  await makeOrg(env, { iatiRef: 'XM-BOUND-1' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-bounded-'));
  file = path.join(dir, 'bounded.xml');
  const ids = Array.from({ length: 250 }, (_, i) => activity(`XM-BOUND-1-${i}`));
  fs.writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" xml:lang="en">\n${ids.join('\n')}\n</iati-activities>\n`);
});
afterAll(async () => {
  await env?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('a bounded IATI import', () => {
  it('imports the file with progress, in a worker on a server and in this thread on the embedded database', async () => {
    const seen: number[] = [];
    const r = await importIatiFileBounded(env.ctx(), { path: file, fileName: 'bounded.xml' }, { onProgress: (p) => seen.push(p.activities) });
    expect(r.refused).toBeNull();
    expect(r.counts).toMatchObject({ created: 250, failed: 0 });
    expect(seen.at(-1)).toBe(250);
    const again = await importIatiFileBounded(env.ctx(), { path: file, fileName: 'bounded.xml' });
    expect(again.counts).toMatchObject({ created: 0, unchanged: 250 });
  });

  it('passes the importer’s own errors back as they are', async () => {
    const err = await importIatiFileBounded(env.ctx(), { path: file, fileName: 'bounded.xml' }, { owner: 'no-such-organization' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('no-such-organization') });
  });

  it.runIf(onServer)('ends an import that outgrows its heap as an error of the import, and this process goes on', async () => {
    const tiny = { ...env.ctx(), config: { ...env.config, IATI_IMPORT_HEAP_MB: 8 } };
    const err = await importIatiFileBounded(tiny, { path: file, fileName: 'bounded.xml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toBe(outOfMemoryMessage(8));
    // Nothing was lost or half-written: the full heap finds every activity as it was.
    const rerun = await importIatiFileBounded(env.ctx(), { path: file, fileName: 'bounded.xml' });
    expect(rerun.counts).toMatchObject({ unchanged: 250, failed: 0 });
  });

  it.runIf(onServer)('refuses a file by its head in this thread, starting no worker (which an 8 MB heap could not run)', async () => {
    const doctype = path.join(dir, 'doctype.xml');
    fs.writeFileSync(doctype, '<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY a "b"> ]>\n<iati-activities version="2.03"/>\n');
    const tiny = { ...env.ctx(), config: { ...env.config, IATI_IMPORT_HEAP_MB: 8 } };
    const r = await importIatiFileBounded(tiny, { path: doctype, fileName: 'doctype.xml' });
    expect(r.refused).toMatchObject({ kind: 'doctype', line: 2 });
    expect(r.counts).toMatchObject({ created: 0 });
  });
});
