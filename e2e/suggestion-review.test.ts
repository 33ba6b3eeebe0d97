import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
let dir: string;
let file: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-e2e-review-'));
  file = path.join(dir, 'suggested.xml');
  // Reported by IOM (its IATI identifier in the demo content), with texts the importer reads pillars and forms of exploitation from.
  const activity = (i: number, title: string) =>
    `<iati-activity last-updated-datetime="2024-01-01T00:00:00Z"><iati-identifier>XM-DAC-47066-REVIEW-${i}</iati-identifier>` +
    '<reporting-org ref="XM-DAC-47066" type="40"><narrative>IOM</narrative></reporting-org>' +
    `<title><narrative>${title}</narrative></title><description><narrative>Awareness campaigns, and support to the prosecution of traffickers.</narrative></description>` +
    '<participating-org role="4" ref="XM-DAC-47066"/><activity-status code="2"/><activity-date type="1" iso-date="2024-01-01"/><recipient-country code="KE"/></iati-activity>';
  fs.writeFileSync(
    file,
    `<?xml version="1.0"?>\n<iati-activities version="2.03" xml:lang="en">${activity(1, 'Review journey one: shelters for survivors of sexual exploitation')}\n${activity(2, 'Review journey two: shelters for survivors of forced labour')}</iati-activities>\n`,
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('reviewing suggested classifications in bulk', () => {
  it('from the import report to the review page: one term unticked, one row left for later, the page saved and the outcome read; every page passes axe', async () => {
    const j = await suite.start();
    await suite.signIn(j, 'focal point, IOM');
    await j.visit(`${suite.server.url}/activities/import/iati`);
    await j.page.locator('input[type="file"][name="file"]').setInputFiles(file);
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Start the import' }).click());
    await j.page.locator('[data-job-status]', { hasText: 'Finished' }).waitFor({ timeout: 30_000 });
    await j.checkAccessibility();
    expect(await j.page.getByRole('heading', { name: '2 new activities have a suggested classification' }).count()).toBe(1);

    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'Review the suggestions' }).click());
    expect(new URL(j.page.url()).pathname).toBe('/activities/suggestions');
    const one = j.page.locator('tbody tr', { hasText: 'Review journey one' });
    const two = j.page.locator('tbody tr', { hasText: 'Review journey two' });
    const oneHref = await one.getByRole('link').first().getAttribute('href');
    expect(await one.getByRole('checkbox', { name: 'Prosecution' }).isChecked()).toBe(true);
    await one.getByRole('checkbox', { name: 'Prosecution' }).uncheck();
    await two.getByRole('combobox').selectOption({ label: 'Leave for later' });
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Save the review of this page' }).click());

    expect(await j.page.getByRole('status').first().textContent()).toContain('1 activity reviewed and saved. 1 left for later.');
    // The row left for later is still there; the reviewed one is gone.
    expect(await j.page.locator('tbody tr', { hasText: 'Review journey two' }).count()).toBe(1);
    expect(await j.page.locator('tbody tr', { hasText: 'Review journey one' }).count()).toBe(0);

    // The ticked terms are now the activity's classification; Prosecution was dismissed.
    await j.visit(`${suite.server.url}${oneHref}`);
    const classification = (await j.page.locator('section[aria-labelledby="classification-title"]').textContent()) ?? '';
    expect(classification).toContain('Protection and assistance');
    expect(classification).toContain('Sexual exploitation');
    expect(classification).not.toContain('Prosecution');
    expect(await j.page.locator('section[aria-labelledby="suggestions-title"]').count()).toBe(0);
  });
});
