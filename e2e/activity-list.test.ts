import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Journey } from './support/browser.ts';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
const { start } = suite;

/** The titles of the activities the list shows, in order. */
const titles = (j: Journey) => j.page.locator('.activity-list .activity-item h3 a').allTextContents();
const resultCount = (j: Journey) => j.page.locator('.result-count').textContent();

describe('the activity list', () => {
  it('filters by facets, and the copied address shows the same list in a fresh browser, with and without JavaScript', async () => {
    const j = await start();
    await j.visit(`${suite.server.url}/activities`);
    const all = await resultCount(j);
    expect(all).toMatch(/\d+ activit/);

    // Tick the first pillar and apply; the country counts then count under it: tick the most
    // frequent country, sort by title and apply again.
    await j.page.locator('fieldset.facet', { hasText: 'Pillar' }).locator('input[type="checkbox"]').first().check();
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Apply filters' }).first().click());
    await j.page.locator('fieldset.facet', { hasText: 'Country' }).locator('input[type="checkbox"]').first().check();
    await j.page.locator('select[name="sort"]').selectOption('title');
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Apply filters' }).first().click());

    const shared = j.page.url();
    const url = new URL(shared);
    expect(url.pathname).toBe('/activities');
    expect(url.searchParams.getAll('pillar')).toHaveLength(1);
    expect(url.searchParams.getAll('country')).toHaveLength(1);
    expect(url.searchParams.get('sort')).toBe('title');
    const filtered = await titles(j);
    const filteredCount = await resultCount(j);
    expect(filteredCount).not.toBe(all);
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered).toEqual([...filtered].sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' })));
    expect(await j.page.locator(`input[name="country"][value="${url.searchParams.get('country')}"]`).isChecked()).toBe(true);

    // A fresh browser (another profile, no cookies) opening the shared address sees the same list.
    const fresh = await start();
    await fresh.visit(shared);
    expect(await titles(fresh)).toEqual(filtered);
    expect(await resultCount(fresh)).toBe(filteredCount);

    const noScript = await start({ javaScript: false });
    await noScript.visit(shared);
    expect(await titles(noScript)).toEqual(filtered);
    // Without JavaScript the form still works: clear the filters with the link.
    await noScript.clickAndCheck(() => noScript.page.getByRole('link', { name: 'Clear all filters' }).click());
    expect(await resultCount(noScript)).toBe(all);
  });

  it('offers exports that carry the filters', async () => {
    const j = await start();
    await j.visit(`${suite.server.url}/activities?pillar=prevention`);
    const href = await j.page.getByRole('navigation', { name: 'Download' }).getByRole('link', { name: 'CSV (with HXL tags)' }).getAttribute('href');
    expect(href).toBe('/activities/export.csv?pillar=prevention');
    const res = await fetch(`${suite.server.url}${href}`);
    expect(res.status).toBe(200);
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[1]).toMatch(/^#activity \+id/);
  });
});

describe('the spreadsheet import', () => {
  it('checks an uploaded file, shows the report and imports it; every page passes axe', async () => {
    const j = await start();
    const account = suite.server.account('staff');
    await j.visit(`${suite.server.url}/sign-in`);
    await j.page.locator('input[name="email"]').fill(account.email);
    await j.page.locator('input[name="password"]').fill(account.password);
    await j.clickAndCheck(() => j.page.locator('form[action="/sign-in"] button[type="submit"]').click());

    await j.visit(`${suite.server.url}/activities/import`);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-e2e-import-'));
    const file = path.join(dir, 'activities.csv');
    fs.writeFileSync(file, 'iati_identifier,title_en,title_ru,visibility,country_code,country_percentage\nXM-E2E-IMPORT-1,Imported in the browser,Импортировано в браузере,draft,KE,100\n');
    try {
      await j.page.locator('input[type="file"][name="file"]').setInputFiles(file);
      await Promise.all([j.page.waitForEvent('load'), j.page.getByRole('button', { name: 'Check the file' }).click()]);
      await j.checkDocument();
      expect(await j.page.locator('h1').textContent()).toBe('What the file holds');
      await Promise.all([j.page.waitForEvent('load'), j.page.getByRole('button', { name: 'Import 1 activity' }).click()]);
      await j.checkDocument();
      expect(await j.page.getByRole('status').first().textContent()).toContain('Created 1, updated 0, unchanged 0.');
      await j.clickAndCheck(() => j.page.getByRole('link', { name: 'See the activities' }).click());
      expect(await titles(j)).toContain('Imported in the browser');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
