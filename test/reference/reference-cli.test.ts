import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliWorkspace, runIcat } from '../support/cli.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';

// The real `icat reference` commands, as a person runs them, on a workspace of their own.
const OFFICIAL_DIR = path.join(SHARED_DATA_DIR, 'iati-codelists', 'xml');
const haveOfficial = fs.existsSync(path.join(OFFICIAL_DIR, 'non-embedded', 'Sector.xml'));
if (!haveOfficial) process.stdout.write(`Skipping icat reference load-iati on the official codelists: ${OFFICIAL_DIR} is absent.\n`);

let ws: Awaited<ReturnType<typeof cliWorkspace>>;
beforeAll(async () => {
  ws = await cliWorkspace();
});
afterAll(async () => {
  await ws?.close();
});
const icat = (args: string[]) => runIcat(args, { env: ws.env, timeoutMs: 120_000 });

describe('icat reference', () => {
  it('status shows the countries, regions, taxonomies and the built-in codelists of a fresh installation', async () => {
    const r = await icat(['reference', 'status']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Countries and areas: 250 \(1 valid in IATI only\)/);
    expect(r.stdout).toMatch(/UN M49 regions: 30/);
    expect(r.stdout).toMatch(/pillar 4/);
    expect(r.stdout).toMatch(/IATI codelists: 20 \(0 official, 20 built-in\)/);
    expect(r.stdout).toMatch(/^ActivityStatus\s+builtin\s+6\s+0\s+yes/m);
    expect(r.stdout).toMatch(/icat reference load-iati <dir>/);
  }, 120_000);

  it('load-iati says which folder is missing, with the not-found exit code', async () => {
    const r = await icat(['reference', 'load-iati', path.join(ws.dataDir, 'no-such-folder')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/no-such-folder does not exist/);
  }, 120_000);

  it('load-iati reports a broken file with the invalid-input exit code and loads the rest', async () => {
    const dir = path.join(ws.dataDir, 'lists');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'ResultType.xml'), '<codelist name="ResultType" complete="1"><codelist-items><codelist-item><code>1</code><name><narrative>Output</narrative></name></codelist-item></codelist-items></codelist>');
    fs.writeFileSync(path.join(dir, 'Broken.xml'), '<codelist name="Broken"><codelist-items><codelist-item>');
    const r = await icat(['reference', 'load-iati', dir]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/Loaded 1 codelists \(1 codes, 0 of them withdrawn\)/);
    expect(r.stderr).toMatch(/Broken\.xml \(Broken\): line \d+/);
  }, 120_000);

  it.runIf(haveOfficial)('load-iati loads the official codelists with progress, and status then shows them as official', async () => {
    const r = await icat(['reference', 'load-iati', OFFICIAL_DIR]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Loaded 70 codelists \(\d{4} codes, \d+ of them withdrawn\)/);
    expect(r.stderr).toMatch(/\[\d+\/70\] Sector\s+\d+ codes/);
    const s = await icat(['reference', 'status']);
    expect(s.stdout).toMatch(/IATI codelists: 70 \(70 official, 0 built-in\)/);
    expect(s.stdout).toMatch(/^Sector\s+official\s+\d{3}\s+\d+\s+yes/m);
  }, 120_000);
});
