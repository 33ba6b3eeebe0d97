import { describe, expect, it } from 'vitest';
import type { Journey } from './support/browser.ts';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
const { start, signIn } = suite;

/** Fills what a publishable activity needs, apart from its countries. */
async function fillBasics(j: Journey, title: string) {
  const p = j.page;
  await p.locator('input[name="title.en"]').fill(title);
  await p.locator('textarea[name="description.en"]').fill('Walk-in advice for people offered work abroad.');
  await p.locator('select[name="visibility"]').selectOption('public');
  await p.locator('select[name="status"]').selectOption('2');
  await p.locator('input[name="plannedStart"]').fill('2024-01-01');
  await p.locator('input[name="plannedEnd"]').fill('2026-12-31');
  await p.locator('input[name="actualStart"]').fill('2024-02-01');
  await p.locator('select[name="participants.0.organizationId"]').selectOption({ label: 'IOM — International Organization for Migration' });
  await p.locator('input[name="sectors.0.code"]').fill('15190');
  await p.locator('input[name="sectors.0.percentage"]').fill('100');
  await p.getByRole('group', { name: 'Global Plan of Action pillars' }).getByLabel('Prevention').check();
}

describe('registering an activity', () => {
  it('with JavaScript: rows are added and removed in the page, messages appear by the field, and the record and its history read well', async () => {
    const j = await start();
    await signIn(j, 'staff');
    await j.visit(`${suite.server.url}/activities/new`);
    await fillBasics(j, 'Safe migration desks in bus stations');
    const countries = j.page.locator('fieldset[data-repeat-group="countries"] [data-repeat-rows] > fieldset');
    expect(await countries.count()).toBe(2);
    const loads = j.loaded.length;
    await j.page.getByRole('button', { name: 'Add another country' }).click();
    expect(await countries.count()).toBe(3);
    expect(j.loaded.length, 'adding a row does not reload the page').toBe(loads);
    expect(await j.page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('countries.2.code');
    await j.page.locator('select[name="countries.0.code"]').selectOption('NA');
    await j.page.locator('input[name="countries.0.percentage"]').fill('60');
    await j.page.locator('select[name="countries.2.code"]').selectOption('KE');
    await j.page.locator('input[name="countries.2.percentage"]').fill('40');
    // Remove the empty middle row; the legends are renumbered.
    await countries.nth(1).getByRole('button', { name: /Remove/ }).click();
    expect(await countries.count()).toBe(2);
    expect(await countries.nth(1).locator('legend').textContent()).toBe('Country 2');

    // Unbalanced percentages: publishing is refused, with the message by the field and in the summary.
    await j.page.locator('input[name="countries.2.percentage"]').fill('10');
    await j.clickAndCheck(() => j.page.locator('.form-actions').getByRole('button', { name: 'Save', exact: true }).click());
    const summary = j.page.locator('.error-summary');
    expect(await summary.textContent()).toContain('stops this record from being published');
    expect(await j.page.locator('input[name="title.en"]').inputValue()).toBe('Safe migration desks in bus stations');
    await j.page.locator('input[name="countries.1.percentage"]').fill('40');
    await j.clickAndCheck(() => j.page.locator('.form-actions').getByRole('button', { name: 'Save', exact: true }).click());

    expect(new URL(j.page.url()).pathname).toMatch(/^\/activities\/act_[0-9a-z]{26}$/);
    expect(await j.page.locator('h1').textContent()).toBe('Safe migration desks in bus stations');
    const where = j.page.getByRole('table', { name: 'Countries' });
    expect(await where.textContent()).toContain('Namibia');
    expect(await where.textContent()).toContain('Kenya');

    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'Edit' }).click());
    await j.page.locator('input[name="title.en"]').fill('Safe migration desks in bus and train stations');
    await j.clickAndCheck(() => j.page.locator('.form-actions').getByRole('button', { name: 'Save', exact: true }).click());
    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'History' }).click());
    const history = await j.page.locator('main').textContent();
    expect(history).toContain('Version 2');
    expect(history).toContain('Safe migration desks in bus and train stations');
  });

  it('without JavaScript: "add another row" asks the server, keeps what was typed, and the activity is saved', async () => {
    const j = await start({ javaScript: false });
    await signIn(j, 'staff');
    await j.visit(`${suite.server.url}/activities/new`);
    await fillBasics(j, 'Hotline for workers in the fishing industry');
    await j.page.locator('select[name="countries.0.code"]').selectOption('NA');
    await j.page.locator('input[name="countries.0.percentage"]').fill('70');
    await Promise.all([j.page.waitForEvent('load'), j.page.getByRole('button', { name: 'Add another country' }).click()]);
    await j.checkDocument();
    expect(await j.page.locator('input[name="title.en"]').inputValue()).toBe('Hotline for workers in the fishing industry');
    expect(await j.page.locator('select[name="countries.0.code"]').inputValue()).toBe('NA');
    expect(await j.page.locator('select[name="countries.2.code"]').count()).toBe(1);
    await j.page.locator('select[name="countries.1.code"]').selectOption('ZM');
    await j.page.locator('input[name="countries.1.percentage"]').fill('30');
    await j.clickAndCheck(() => j.page.locator('.form-actions').getByRole('button', { name: 'Save', exact: true }).click());
    expect(new URL(j.page.url()).pathname).toMatch(/^\/activities\/act_[0-9a-z]{26}$/);
    expect(await j.page.locator('h1').textContent()).toBe('Hotline for workers in the fishing industry');
    expect(await j.page.getByRole('table', { name: 'Countries' }).textContent()).toContain('Zambia');
    await j.clickAndCheck(() => j.page.getByRole('link', { name: 'History' }).click());
    expect(await j.page.locator('h1').textContent()).toBe('History of changes');
  });

  it('shows a demo activity to a visitor without signing in', async () => {
    const j = await start({ javaScript: false });
    const row = await suite.server.running.services.db.kysely.selectFrom('activities').select('id').where('iati_identifier', '=', 'DEMO-IOM-002').executeTakeFirstOrThrow();
    await j.visit(`${suite.server.url}/activities/${row.id}`);
    expect(await j.page.locator('h1').textContent()).toBe('Safe migration information centres in Namibia and Zambia');
    expect(await j.page.getByText('a fictional activity', { exact: false }).count()).toBe(1);
  });
});
