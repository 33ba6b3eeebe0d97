import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Journey } from './support/browser.ts';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
let dir: string;
let file: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-e2e-iati-'));
  file = path.join(dir, 'activities.xml');
  const activity = (i: number) =>
    `<iati-activity last-updated-datetime="2024-01-01T00:00:00Z"><iati-identifier>XM-E2E-IATI-${i}</iati-identifier>` +
    '<reporting-org ref="XM-E2E-UNREGISTERED" type="40"><narrative>Publisher</narrative></reporting-org>' +
    `<title><narrative>IATI activity ${i}</narrative></title><description><narrative>Shelters</narrative></description>` +
    '<participating-org role="4"/><activity-status code="2"/><activity-date type="1" iso-date="2024-01-01"/></iati-activity>';
  fs.writeFileSync(file, `<?xml version="1.0"?>\n<iati-activities version="2.03" xml:lang="en">${[1, 2, 3].map(activity).join('\n')}</iati-activities>\n`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Uploads the file through the form; returns once the job page has loaded. */
async function upload(j: Journey): Promise<void> {
  await suite.signIn(j, 'staff');
  await j.visit(`${suite.server.url}/activities/import/iati`);
  await j.page.locator('input[type="file"][name="file"]').setInputFiles(file);
  await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Start the import' }).click());
  expect(j.page.url()).toMatch(/\/activities\/import\/iati\/imp_[0-9a-z]{26}$/);
}

/** Waits until the job page shows the finished import (reloaded by the script, or by the refresh without it). */
async function finished(j: Journey): Promise<void> {
  await j.page.locator('[data-job-status]', { hasText: 'Finished' }).waitFor({ timeout: 30_000 });
  await j.checkAccessibility();
  // No owner was given and the publisher is not registered: every activity is reported, none saved.
  expect(await j.page.locator('[data-job-count="activities"]').textContent()).toBe('3');
  expect(await j.page.locator('[data-job-count="skipped"]').textContent()).toBe('3');
  expect(await j.page.getByRole('heading', { name: '3 activities not saved' }).count()).toBe(1);
}

describe('the IATI import pages', () => {
  it('upload, progress and report with JavaScript; every page passes axe', async () => {
    const j = await suite.start();
    await upload(j);
    await finished(j);
  });

  it('work without JavaScript: the job page refreshes itself until the import has finished', async () => {
    const j = await suite.start({ javaScript: false });
    await upload(j);
    await finished(j);
  });

  it('fit a phone', async () => {
    const j = await suite.start({ width: 360, height: 740 });
    await upload(j);
    await finished(j);
    for (const url of [j.page.url(), `${suite.server.url}/activities/import/iati`]) {
      await j.visit(url);
      const overflow = await j.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      expect(overflow, url).toBeLessThanOrEqual(0);
    }
  });
});
