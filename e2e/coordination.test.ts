import { describe, expect, it } from 'vitest';
import { systemActor } from '../src/domain/actor.ts';
import { createActivity } from '../src/domain/activities/save-activity.ts';
import { classBreaks, valueClass } from '../src/domain/coordination/world-map.ts';
import { activityInput } from '../test/support/activities.ts';
import { journeySuite } from './support/suite.ts';

const suite = journeySuite();
const { start } = suite;

type MapJson = { countries: { code: string | null; className: string; value: number; marker: boolean }[]; table: { code: string; value: number; drawn: boolean }[] };

describe('the coordination map', () => {
  it('fills the country with the most activity with the darkest class, gives the data table, and zooms without JavaScript', async () => {
    const data = (await (await fetch(`${suite.server.url}/api/v1/coordination/map`)).json()) as MapJson;
    const top = data.table[0]!;
    expect(top.value).toBeGreaterThan(0);
    const drawn = data.countries.find((c) => c.code === top.code)!;
    expect(drawn.className).toBe('map-c5');

    const j = await start({ javaScript: false });
    await j.visit(`${suite.server.url}/coordination/map`);
    const path = j.page.locator(`svg.map-svg path[data-country="${top.code}"]`);
    expect(await path.getAttribute('class')).toBe('map-country map-c5');
    // The colour comes from the stylesheet: the darkest step of the scale.
    expect(await path.evaluate((el) => getComputedStyle(el).fill)).toBe('rgb(37, 52, 148)');
    expect(await path.locator('title').textContent()).toMatch(new RegExp(`: ${top.value}$`));
    // The same figure in the data table for screen readers.
    const row = j.page.locator(`table.map-data tr[data-country="${top.code}"]`);
    expect(await row.locator('td').first().textContent()).toBe(String(top.value));
    expect(await j.page.getByRole('img', { name: /Activities by country, World/ }).count()).toBe(1);

    // Region zoom is a plain link.
    await j.clickAndCheck(() => j.page.getByRole('navigation', { name: 'Zoom to a region' }).getByRole('link', { name: 'Africa' }).click());
    expect(new URL(j.page.url()).searchParams.get('zoom')).toBe('002');
    expect(await j.page.getByRole('img', { name: /Activities by country, Africa/ }).count()).toBe(1);
  });

  it('draws a country too small for the geometry (Malta) as a circle in the class of its value, with its title, beside its table row', async () => {
    const { services } = suite.server.running;
    const org = await services.db.kysely.selectFrom('organizations').select('id').orderBy('id').executeTakeFirstOrThrow();
    await createActivity({ db: services.db, config: services.config, actor: systemActor }, activityInput(org.id, { title: { en: 'Malta labour inspection' }, countries: [{ code: 'MT', percentage: 100 }] }));
    const data = (await (await fetch(`${suite.server.url}/api/v1/coordination/map`)).json()) as MapJson;
    const expected = valueClass(1, classBreaks(data.table.map((r) => r.value)));
    expect(data.countries.find((c) => c.code === 'MT')).toMatchObject({ marker: true, value: 1, className: expected });
    expect(data.table.find((r) => r.code === 'MT')).toMatchObject({ value: 1, drawn: true });

    const j = await start({ javaScript: false });
    await j.visit(`${suite.server.url}/coordination/map?zoom=150`);
    const marker = j.page.locator('svg.map-svg path[data-country="MT"]');
    expect(await marker.getAttribute('class')).toBe(`map-country map-marker ${expected}`);
    expect(await marker.locator('title').textContent()).toBe('Malta: 1');
    // Seen on the page: a few pixels wide, with an outline darker than the map's white borders.
    const box = (await marker.boundingBox())!;
    expect(box.width).toBeGreaterThan(3);
    expect(await marker.evaluate((el) => getComputedStyle(el).stroke)).toBe('rgb(61, 61, 61)');
    expect(await j.page.locator('table.map-data tr[data-country="MT"] td').first().textContent()).toBe('1');
  });

  it('fits a phone without sideways scrolling, and the dashboard opens the list from a matrix cell', async () => {
    const j = await start({ width: 375, height: 800 });
    await j.visit(`${suite.server.url}/coordination`);
    expect(await j.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const cell = j.page.locator('table.matrix td.matrix-value a').first();
    const href = await cell.getAttribute('href');
    expect(href).toMatch(/^\/activities\?country=[A-Z]{2}&pillar=/);
    const shown = Number((await cell.textContent())!.replace(/\D/g, ''));
    await j.clickAndCheck(() => cell.click());
    expect(await j.page.locator('.result-count').textContent()).toContain(`${shown} activit`);
  });

  it('lets the coordinator run a scan from the duplicates page', async () => {
    const j = await start();
    await suite.signIn(j, 'coordinator');
    await j.visit(`${suite.server.url}/coordination/duplicates`);
    await j.clickAndCheck(() => j.page.getByRole('button', { name: 'Scan for duplicates now' }).click());
    expect(await j.page.locator('.flash').textContent()).toContain('The duplicate scan has finished.');
    await j.visit(`${suite.server.url}/coordination/matrix?rows=organization&cols=period&measure=budget`);
    expect(await j.page.locator('table.matrix caption').textContent()).toContain('Budget by Organization and Year');
  });
});
