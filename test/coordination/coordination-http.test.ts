import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { classBreaks, valueClass } from '../../src/domain/coordination/world-map.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeActivity } from '../support/activities.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, untranslatedKeys } from '../support/html.ts';

/** The coordination API and pages over a small known registry: Kenya ×3 (protection), Brazil ×1 (prevention), a draft in Peru. */
let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let coordinator: TestUser;
let staff: TestUser;
const ids: string[] = [];

const cls = (pillars: string[]) => ({ pillars, exploitationForms: [], targetGroups: ['women'], contexts: [], sdgTargets: [], instruments: [], mechanisms: [] });

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  coordinator = await makeUser(env, { role: 'coordinator' });
  staff = await makeUser(env, { role: 'staff', org: orgA });
  for (let i = 0; i < 3; i++) {
    ids.push((await makeActivity(env, i === 0 ? orgB.id : orgA.id, { title: { en: `Kenya shelter ${i}` }, countries: [{ code: 'KE', percentage: 100 }], classification: cls(['protection']) })).id);
  }
  ids.push((await makeActivity(env, orgB.id, { title: { en: 'Brazil awareness' }, countries: [{ code: 'BR', percentage: 100 }], classification: cls(['prevention']) })).id);
  await makeActivity(env, orgA.id, { title: { en: 'Peru draft' }, visibility: 'draft', countries: [{ code: 'PE', percentage: 100 }], classification: cls(['prevention']) });
});
afterAll(() => env?.close());

const get = (path: string, client?: TestClient) => (client ? client.request(path) : env.app.request(`http://localhost${path}`));

describe('GET /api/v1/coordination/matrix', () => {
  it('answers the matrix with drill-down queries and gaps', async () => {
    const res = await get('/api/v1/coordination/matrix?rows=country&cols=pillar');
    expect(res.status).toBe(200);
    const m = (await res.json()) as { rows: { values: { code: string }[] }; cols: { values: { code: string }[] }; cells: { value: number; gap: string | null; list: string }[][]; total: number };
    expect(m.rows.values.map((v) => v.code)).toEqual(['KE', 'BR']);
    const ke = m.cells[0]!;
    const protection = m.cols.values.findIndex((v) => v.code === 'protection');
    expect(ke[protection]).toMatchObject({ value: 3, gap: null, list: 'country=KE&pillar=protection' });
    expect(m.cells[1]![protection]).toMatchObject({ value: 0, gap: 'none' });
    expect(m.total).toBe(4); // the draft is its owner's only
  });

  it('refuses bad parameters by name', async () => {
    const res = await get('/api/v1/coordination/matrix?rows=planet&measure=stars');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path).sort()).toEqual(['query.measure', 'query.rows']);
    const same = await get('/api/v1/coordination/matrix?rows=pillar&cols=pillar');
    expect(same.status).toBe(422);
  });

  it('counts the draft for its owner organization', async () => {
    const client = new TestClient(env.app);
    await signIn(client, staff);
    const m = (await (await get('/api/v1/coordination/matrix?rows=country&cols=pillar', client)).json()) as { total: number; rows: { values: { code: string }[] } };
    expect(m.total).toBe(5);
    expect(m.rows.values.map((v) => v.code)).toContain('PE');
  });
});

describe('matrix exports', () => {
  it('writes a CSV line per cell with its gap and list query', async () => {
    const res = await get('/api/v1/coordination/matrix/export?format=csv&rows=country&cols=pillar');
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = (await res.text()).trim().split('\r\n');
    expect(lines[0]).toBe('row_dimension,row_code,row_label,column_dimension,column_code,column_label,measure,value,activities,gap,activity_list_query');
    expect(lines).toContain('country,KE,Kenya,pillar,protection,Protection and assistance,activities,3,3,,country=KE&pillar=protection');
    expect(lines.filter((l) => l.startsWith('country,BR,Brazil,pillar,protection'))[0]).toContain(',0,0,none,');
    expect(lines).toHaveLength(1 + 2 * 4);
  });

  it('writes an XLSX with the matrix and the cells', async () => {
    const res = await get('/coordination/matrix.xlsx?rows=country&cols=pillar');
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as never);
    const sheet = wb.getWorksheet('Matrix')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(2);
    const col = header.indexOf('Protection and assistance') + 2;
    expect(sheet.getRow(2).getCell(1).value).toBe('Kenya');
    expect(sheet.getRow(2).getCell(col).value).toBe(3);
    expect(sheet.getRow(3).getCell(col).value).toBe('(none)');
    expect(wb.getWorksheet('Cells')!.rowCount).toBe(1 + 2 * 4);
  });
});

describe('the map', () => {
  it('fills a known country with the class of its value, and gives the same figures as a table', async () => {
    const res = await get('/coordination/map');
    expect(res.status).toBe(200);
    const html = await res.text();
    // Kenya holds the most activity: the darkest class; Brazil the first.
    expect(html).toMatch(/<path d="M[^"]+" class="map-country map-c5" data-country="KE"><title>Kenya: 3<\/title><\/path>/);
    expect(html).toMatch(/class="map-country map-c1" data-country="BR"/);
    expect(html).toMatch(/class="map-country map-gap-none" data-country="PE"/);
    expect(html).toMatch(/<tr data-country="KE"><th scope="row"><a href="\/activities\?country=KE">Kenya<\/a><\/th><td>3<\/td>/);
    expect(html).toContain('<svg class="map-svg" viewBox="0 0 960 500" role="img"');
    expect(untranslatedKeys(html)).toEqual([]);
    expect(inlineCode(html)).toEqual([]);
  });

  it('zooms to a region and serves the SVG alone', async () => {
    const zoomed = await (await get('/coordination/map?zoom=019')).text();
    expect(zoomed).toContain('aria-current="true">Americas</a>');
    expect(zoomed).toMatch(/<tr data-country="BR">/);
    expect(zoomed).not.toMatch(/<tr data-country="KE">/);
    const svg = await get('/api/v1/coordination/map.svg?zoom=019');
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    const text = await svg.text();
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg class="map-svg" xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(text).toContain('.map-c5{fill:#253494}');
    const json = (await (await get('/api/v1/coordination/map?zoom=019')).json()) as { zoom: string; table: { code: string }[]; countries: { code: string | null; className: string }[] };
    expect(json.zoom).toBe('019');
    expect(json.table.map((r) => r.code)).toEqual(['BR']);
    // Classes come from the values of every country, so a zoom keeps the world's scale.
    expect(json.countries.find((c) => c.code === 'BR')?.className).toBe('map-c1');
  });

  it('puts values into five classes by quantile', () => {
    const breaks = classBreaks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(breaks).toEqual([2, 4, 6, 8, 10]);
    expect(valueClass(1, breaks)).toBe('map-c1');
    expect(valueClass(7, breaks)).toBe('map-c4');
    expect(valueClass(10, breaks)).toBe('map-c5');
    expect(classBreaks([0, 0])).toEqual([]);
  });
});

describe('operational presence and completeness', () => {
  it('lists organization × country × pillar rows with the source record', async () => {
    const res = await get('/api/v1/coordination/presence?country=BR');
    const body = (await res.json()) as { items: { organization: { id: string }; role: string; country: { code: string }; pillar: { code: string }; source: string; activityId: string }[]; nextCursor: string | null };
    expect(body.items).toEqual([
      expect.objectContaining({ role: 'owner', country: { code: 'BR', label: 'Brazil' }, pillar: { code: 'prevention', label: 'Prevention' }, activityId: ids[3], source: `http://localhost/activities/${ids[3]}` }),
      expect.objectContaining({ role: 'implementing', organization: expect.objectContaining({ id: orgB.id }) }),
    ]);
    const page1 = (await (await get('/api/v1/coordination/presence?limit=2')).json()) as { nextCursor: string | null; items: { activityId: string }[] };
    expect(new Set(page1.items.map((r) => r.activityId)).size).toBe(2);
    const page2 = (await (await get(`/api/v1/coordination/presence?limit=2&cursor=${page1.nextCursor}`)).json()) as { nextCursor: string | null; items: { activityId: string }[] };
    expect(page2.items.map((r) => r.activityId).some((id) => page1.items.some((r) => r.activityId === id))).toBe(false);
    expect(page2.nextCursor).toBeNull();
  });

  it('gives each member its completeness and last update', async () => {
    const body = (await (await get('/api/v1/coordination/completeness')).json()) as { items: { organizationId: string; activities: number; completeness: number | null; lastUpdate: string | null }[] };
    const a = body.items.find((r) => r.organizationId === orgA.id)!;
    expect(a).toMatchObject({ activities: 2, completeness: 1 });
    expect(a.lastUpdate).not.toBeNull();
  });
});

describe('the coordination pages', () => {
  it('show the dashboard to everyone, with duplicates only for the coordinator', async () => {
    const html = await (await get('/coordination')).text();
    expect(html).toContain('Coordination dashboard');
    expect(html).toContain('data-country="KE"');
    expect(html).toContain('Largest gaps');
    expect(html).not.toContain('New duplicate candidates');
    expect(untranslatedKeys(html)).toEqual([]);
    const client = new TestClient(env.app);
    await signIn(client, coordinator);
    const coord = await (await client.request('/coordination')).text();
    expect(coord).toContain('New duplicate candidates');
  });

  it('draw the matrix with links to the list and marked gaps', async () => {
    const html = await (await get('/coordination/matrix?rows=country&cols=pillar')).text();
    expect(html).toContain('<a href="/activities?country=KE&amp;pillar=protection"');
    expect(html).toContain('<span class="gap gap-none"');
    expect(html).toContain('href="/coordination/matrix.csv?rows=country&amp;cols=pillar"');
    const bad = await get('/coordination/matrix?rows=planet');
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('Some parameters are not valid');
  });

  it('let the coordinator scan and decide, and nobody else', async () => {
    expect((await get('/coordination/duplicates')).status).toBe(303);
    const member = new TestClient(env.app);
    await signIn(member, staff);
    expect((await member.request('/coordination/duplicates')).status).toBe(403);
    const client = new TestClient(env.app);
    await signIn(client, coordinator);
    const scan = await client.postForm('/coordination/duplicates/scan', {});
    expect(scan.status).toBe(303);
    const page = await (await client.request(scan.headers.get('location')!)).text();
    expect(page).toContain('The duplicate scan has finished.');
    const decided = await client.postForm('/coordination/duplicates/decide', { activityA: ids[0]!, activityB: ids[1]!, decision: 'duplicate', note: 'same shelter' });
    expect(decided.status).toBe(303);
    const after = await (await client.request(decided.headers.get('location')!)).text();
    expect(after).toContain('Confirmed duplicate');
    const m = (await (await get('/api/v1/coordination/matrix?rows=country&cols=pillar')).json()) as { cells: { value: number }[][]; total: number };
    expect(m.total).toBe(3);
  });
});

describe('countries too small for the map geometry', () => {
  it('draws Singapore as a circle in the class of its value, with its title, and keeps it in the table', async () => {
    await makeActivity(env, orgA.id, { title: { en: 'Singapore hotline' }, countries: [{ code: 'SG', percentage: 100 }], classification: cls(['protection']) });
    const json = (await (await get('/api/v1/coordination/map')).json()) as {
      countries: { code: string | null; className: string; marker: boolean; value: number }[];
      table: { code: string; drawn: boolean }[];
    };
    const sg = json.countries.filter((c) => c.code === 'SG');
    expect(sg).toHaveLength(1);
    expect(sg[0]).toMatchObject({ marker: true, value: 1, className: 'map-c1' });
    expect(json.table.find((r) => r.code === 'SG')).toMatchObject({ drawn: true });
    // Kenya keeps its shape; Andorra, without activity, is not drawn at all.
    expect(json.countries.find((c) => c.code === 'KE')?.marker).toBe(false);
    expect(json.countries.some((c) => c.code === 'AD')).toBe(false);

    const html = await (await get('/coordination/map')).text();
    // A circle of radius 3.5 (two arcs), after every shape so that it lies above them.
    expect(html).toMatch(/<path d="M[\d.]+,[\d.]+a3\.5,3\.5 0 1,0 7,0a3\.5,3\.5 0 1,0 -7,0Z" class="map-country map-marker map-c1" data-country="SG"><title>Singapore: 1<\/title><\/path><\/svg>/);
    expect(html).toMatch(/<tr data-country="SG"><th scope="row"><a href="\/activities\?country=SG">Singapore<\/a><\/th><td>1<\/td>/);
    // Zoomed to the Americas, Singapore is outside the view: neither drawn nor listed.
    const americas = (await (await get('/api/v1/coordination/map?zoom=019')).json()) as { countries: { code: string | null }[] };
    expect(americas.countries.some((c) => c.code === 'SG')).toBe(false);
    // Zoomed to Asia, it is drawn.
    const asia = (await (await get('/api/v1/coordination/map?zoom=142')).json()) as { countries: { code: string | null; marker: boolean }[] };
    expect(asia.countries.find((c) => c.code === 'SG')?.marker).toBe(true);
  });
});
