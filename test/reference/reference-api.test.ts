import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshReferenceData } from '../../src/domain/reference/reference-data.ts';
import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';

let env: TestEnv;
let client: TestClient;
beforeAll(async () => {
  env = await createTestEnv();
  client = new TestClient(env.app);
});
afterAll(() => env?.close());

const get = async (path: string, headers: Record<string, string> = {}) => {
  const res = await client.request(path, { headers });
  return { res, body: res.status === 200 ? ((await res.json()) as Record<string, unknown>) : undefined };
};
type Item = Record<string, unknown>;

describe('GET /api/v1/reference/countries', () => {
  it('lists Namibia as NA and Kosovo as valid in IATI only, with labels in the asked language', async () => {
    const { res, body } = await get('/api/v1/reference/countries?lang=fr');
    expect(res.status).toBe(200);
    const items = body!.items as Item[];
    expect(items.length).toBeGreaterThanOrEqual(249);
    expect(items.find((c) => c.code === 'NA')).toMatchObject({
      code: 'NA',
      alpha3: 'NAM',
      m49: '516',
      label: 'Namibie',
      region: { m49: '002', label: 'Afrique' },
      subregion: { m49: '202', label: 'Afrique subsaharienne' },
      intermediateRegion: { m49: '018', label: 'Afrique australe' },
      iatiOnly: false,
    });
    expect(items.find((c) => c.code === 'XK')).toMatchObject({ label: 'Kosovo', m49: null, alpha3: null, region: null, iatiOnly: true });
    expect(items.every((c) => typeof c.code === 'string' && /^[A-Z]{2}$/.test(c.code as string))).toBe(true);
    const labels = items.map((c) => c.label as string);
    expect(labels).toEqual([...labels].sort(new Intl.Collator('fr', { sensitivity: 'base' }).compare));
  });

  it('keeps only the countries of an M49 region at any level', async () => {
    const southern = ((await get('/api/v1/reference/countries?region=018')).body!.items as Item[]).map((c) => c.code).sort();
    expect(southern).toEqual(['BW', 'LS', 'NA', 'SZ', 'ZA']);
    const africa = (await get('/api/v1/reference/countries?region=002')).body!.items as Item[];
    expect(africa.length).toBeGreaterThan(50);
    expect((await get('/api/v1/reference/countries?region=999')).res.status).toBe(404);
    expect((await get('/api/v1/reference/countries?region=Africa')).res.status).toBe(422);
  });

  it('labels in Arabic, Chinese and Russian, and in the language of Accept-Language', async () => {
    const label = async (q: string, headers: Record<string, string> = {}) =>
      ((await get(`/api/v1/reference/countries${q}`, headers)).body!.items as Item[]).find((c) => c.code === 'NA')!.label;
    expect(await label('?lang=ar')).toBe('ناميبيا');
    expect(await label('?lang=zh')).toBe('纳米比亚');
    expect(await label('?lang=ru')).toBe('Намибия');
    expect(await label('', { 'accept-language': 'es-ES,es;q=0.9' })).toBe('Namibia');
  });
});

describe('GET /api/v1/reference/regions', () => {
  it('lists the M49 regions by default and the OECD DAC regions for vocabulary 1: the same code, two meanings', async () => {
    const m49 = (await get('/api/v1/reference/regions?lang=en')).body!.items as Item[];
    expect(m49[0]).toMatchObject({ vocabulary: '2', code: '001', level: 'world', parent: null, label: 'World' });
    expect(m49.find((r) => r.code === '202')).toMatchObject({ level: 'subregion', parent: '002', label: 'Sub-Saharan Africa' });
    expect(m49.find((r) => r.code === '289')).toBeUndefined();
    const dac = (await get('/api/v1/reference/regions?vocabulary=1&lang=fr')).body!.items as Item[];
    expect(dac.find((r) => r.code === '289')).toMatchObject({ vocabulary: '1', level: null, label: 'Sud du Sahara, régional' });
    expect(dac.find((r) => r.code === '380')).toMatchObject({ withdrawn: true });
  });
});

describe('GET /api/v1/reference/taxonomies', () => {
  it('lists the seven taxonomies with their current term counts', async () => {
    const items = (await get('/api/v1/reference/taxonomies?lang=fr')).body!.items as Item[];
    expect(items.map((t) => t.taxonomy)).toEqual(['pillar', 'exploitation-form', 'target-group', 'context', 'sdg-target', 'instrument', 'mechanism']);
    expect(items[0]).toMatchObject({ taxonomy: 'pillar', label: 'Pilier du Plan d’action mondial', terms: 4 });
  });

  it('gives a taxonomy’s terms in order with labels in the asked language, withdrawn ones only when asked', async () => {
    const { body } = await get('/api/v1/reference/taxonomies/pillar?lang=zh');
    expect((body!.terms as Item[]).map((t) => [t.code, t.label])).toEqual([
      ['prevention', '预防'],
      ['protection', '保护和援助'],
      ['prosecution', '起诉'],
      ['partnerships', '伙伴关系'],
    ]);
    await env.db.kysely.updateTable('taxonomy_terms').set({ withdrawn_at: new Date() }).where('taxonomy', '=', 'mechanism').where('code', '=', 'national-task-force').execute();
    await refreshReferenceData(env.db);
    const current = (await get('/api/v1/reference/taxonomies/mechanism')).body!.terms as Item[];
    expect(current.map((t) => t.code)).toEqual(['national-referral-mechanism', 'national-rapporteur']);
    const all = (await get('/api/v1/reference/taxonomies/mechanism?includeWithdrawn=true')).body!.terms as Item[];
    expect(all.find((t) => t.code === 'national-task-force')).toMatchObject({ withdrawn: true });
    const sdg = (await get('/api/v1/reference/taxonomies/sdg-target')).body!.terms as Item[];
    expect(sdg.find((t) => t.code === '16.2.2')).toMatchObject({ parent: '16.2' });
  });

  it('answers 404 for a taxonomy that does not exist', async () => {
    const res = await client.request('/api/v1/reference/taxonomies/colours');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(res.headers.get('cache-control') ?? '').not.toMatch(/max-age=3600/);
  });
});

describe('GET /api/v1/reference/codelists', () => {
  it('lists the codelists with their origin and counts', async () => {
    const items = (await get('/api/v1/reference/codelists')).body!.items as Item[];
    expect(items.find((c) => c.name === 'Sector')).toMatchObject({ origin: 'builtin', complete: false, withdrawn: 2 });
    expect(items.find((c) => c.name === 'ActivityStatus')).toMatchObject({ origin: 'builtin', complete: true, items: 6 });
  });

  it('gives one codelist in code order with labels in the asked language, withdrawn codes only when asked', async () => {
    const { body } = await get('/api/v1/reference/codelists/ActivityStatus?lang=fr');
    expect((body!.items as Item[]).map((i) => [i.code, i.label])).toEqual([
      ['1', 'Planification'],
      ['2', 'Mise en œuvre'],
      ['3', 'Finalisation'],
      ['4', 'Clôturée'],
      ['5', 'Annulée'],
      ['6', 'Suspendue'],
    ]);
    const sector = (await get('/api/v1/reference/codelists/Sector')).body!.items as Item[];
    expect(sector.find((i) => i.code === '15162')).toBeUndefined();
    const withWithdrawn = (await get('/api/v1/reference/codelists/Sector?includeWithdrawn=1')).body!.items as Item[];
    expect(withWithdrawn.find((i) => i.code === '15162')).toMatchObject({ withdrawn: true, category: '151' });
    expect((await get('/api/v1/reference/codelists/NoSuchList')).res.status).toBe(404);
  });
});

describe('caching of reference reads', () => {
  it('sends cache headers and an ETag, answers 304 to a matching If-None-Match, and changes the ETag when reference data changes', async () => {
    const first = await client.request('/api/v1/reference/codelists/BudgetType?lang=en');
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toMatch(/public, max-age=3600/);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await client.request('/api/v1/reference/codelists/BudgetType?lang=en', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const french = await client.request('/api/v1/reference/codelists/BudgetType?lang=fr', { headers: { 'if-none-match': etag } });
    expect(french.status).toBe(200);
    await syncReferenceData(env, { force: true });
    const changed = await client.request('/api/v1/reference/codelists/BudgetType?lang=en', { headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(etag);
  });
});
