import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous } from '../../src/domain/actor.ts';
import { listActivities, parseActivityFilters } from '../../src/domain/activities/list-activities.ts';
import { coverageMatrix, type CoverageMatrix } from '../../src/domain/coordination/coverage-matrix.ts';
import { decideDuplicate, listActivityLinks, listDuplicateCandidates, scanDuplicates } from '../../src/domain/coordination/duplicates.ts';
import { textFeatures } from '../../src/domain/coordination/text-features.ts';
import { importIatiFile } from '../../src/domain/iati/import-iati.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeActivity } from '../support/activities.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';

/**
 * Hand-built fixtures whose matrix, gaps and duplicate pairs are known in advance:
 *
 *   kenyaEn   A  KE  protection   women  2024        "Training border officials to identify victims of trafficking in Kenya"   100,000 USD
 *   kenyaFr   B  KE  protection   women  2024–2025   the same work written in French                                            80,000 USD
 *   funder    C  UG  prevention   girls  2024        XM-FUND-1                                                                   200,000 USD
 *   impl      A  UG  prevention   girls  2024        names XM-FUND-1 as its funder's activity                                    200,000 USD
 *   eastAfr   B  region 014 (Eastern Africa), no country   prosecution   men
 *   nigeria   C  NG  partnerships (no target group)   "Legal aid hotline"
 */
let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let orgC: Organization;
let coordinator: TestUser;
let staff: TestUser;
const ids: Record<string, string> = {};

const cls = (pillars: string[], targetGroups: string[]) => ({ pillars, exploitationForms: [], targetGroups, contexts: [], sdgTargets: [], instruments: [], mechanisms: [] });
const budget = (value: number) => [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value, currency: 'USD' }];

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  orgC = await makeOrg(env);
  coordinator = await makeUser(env, { role: 'coordinator' });
  staff = await makeUser(env, { role: 'staff', org: orgA });
  const mk = async (name: string, owner: Organization, o: Parameters<typeof makeActivity>[2]) => (ids[name] = (await makeActivity(env, owner.id, o)).id);
  await mk('kenyaEn', orgA, {
    title: { en: 'Training border officials to identify victims of trafficking in Kenya' },
    description: { en: 'Border officials learn to identify and refer victims of trafficking in persons at the Namanga crossing.' },
    countries: [{ code: 'KE', percentage: 100 }],
    plannedStart: '2024-01-01',
    plannedEnd: '2024-12-31',
    actualStart: null,
    budgets: budget(100_000),
    classification: cls(['protection'], ['women']),
  });
  await mk('kenyaFr', orgB, {
    title: { fr: 'Formation des agents frontaliers à l’identification des victimes de la traite au Kenya' },
    description: { fr: 'Les agents des frontières apprennent à identifier et orienter les victimes de la traite des personnes au poste de Namanga.' },
    defaultLanguage: 'fr',
    countries: [{ code: 'KE', percentage: 100 }],
    plannedStart: '2024-03-01',
    plannedEnd: '2025-02-28',
    actualStart: null,
    budgets: budget(80_000),
    classification: cls(['protection'], ['women']),
  });
  await mk('funder', orgC, {
    iatiIdentifier: 'XM-FUND-1',
    title: { en: 'Grant for community prevention of child trafficking in Uganda' },
    description: { en: 'Funding to a partner.' },
    countries: [{ code: 'UG', percentage: 100 }],
    plannedStart: '2024-01-01',
    plannedEnd: '2024-12-31',
    actualStart: null,
    budgets: budget(200_000),
    classification: cls(['prevention'], ['girls']),
  });
  await mk('impl', orgA, {
    iatiIdentifier: 'XM-IMPL-1',
    title: { en: 'Schools and parents against the recruitment of girls' },
    description: { en: 'Sessions in schools of the Busia district.' },
    countries: [{ code: 'UG', percentage: 100 }],
    participants: [
      { role: '1', organizationId: orgC.id, activityRef: 'XM-FUND-1', name: {} },
      { role: '4', organizationId: orgA.id, name: {} },
    ],
    plannedStart: '2024-01-01',
    plannedEnd: '2024-12-31',
    actualStart: null,
    budgets: budget(200_000),
    classification: cls(['prevention'], ['girls']),
  });
  await mk('eastAfr', orgB, {
    title: { en: 'Regional judicial cooperation network' },
    countries: [],
    regions: [{ vocabulary: '2', code: '014', percentage: 100 }],
    classification: cls(['prosecution'], ['men']),
  });
  await mk('nigeria', orgC, {
    title: { en: 'Legal aid hotline' },
    countries: [{ code: 'NG', percentage: 100 }],
    classification: cls(['partnerships'], []),
  });
});
afterAll(() => env?.close());

const cell = (m: CoverageMatrix, row: string, col: string) => {
  const i = m.rows.values.findIndex((v) => v.code === row);
  const j = m.cols.values.findIndex((v) => v.code === col);
  if (i < 0 || j < 0) throw new Error(`no cell ${row} × ${col}`);
  return m.cells[i]![j]!;
};

describe('coverageMatrix', () => {
  it('counts activities by country and pillar, with the rows that have activity and every pillar', async () => {
    const m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar' });
    expect(m.rows.values.map((v) => v.code)).toEqual(['KE', 'UG', 'NG']);
    expect(m.cols.values.map((v) => v.code)).toEqual(['prevention', 'protection', 'prosecution', 'partnerships']);
    expect(cell(m, 'KE', 'protection').value).toBe(2);
    expect(cell(m, 'UG', 'prevention').value).toBe(2);
    expect(cell(m, 'NG', 'partnerships').value).toBe(1);
    expect(m.total).toBe(6);
  });

  it('tells the three kinds of gap apart', async () => {
    const m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar' });
    // Eastern Africa (014) holds Kenya and Uganda: the regional prosecution work covers them at a coarser level.
    expect(cell(m, 'KE', 'prosecution').gap).toBe('coarser');
    expect(cell(m, 'UG', 'prosecution').gap).toBe('coarser');
    // Nigeria lies in Western Africa: nobody works there on prosecution.
    expect(cell(m, 'NG', 'prosecution').gap).toBe('none');
    expect(cell(m, 'KE', 'prevention').gap).toBe('none');
    expect(cell(m, 'KE', 'protection').gap).toBeNull();

    const g = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'targetGroup' });
    // The only activity in Nigeria states no target group: the data cannot tell.
    expect(cell(g, 'NG', 'women').gap).toBe('unreported');
    expect(cell(g, 'KE', 'men').gap).toBe('coarser');
    expect(cell(g, 'KE', 'girls').gap).toBe('none');
    expect(g.gaps.unreported).toBeGreaterThan(0);
  });

  it('drills every cell down to the activity list with the same filters', async () => {
    const m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar', from: '2024-01-01' });
    const c = cell(m, 'KE', 'protection');
    expect(c.list).toBe('country=KE&pillar=protection&from=2024-01-01');
    const listed = await listActivities(env.ctx(), parseActivityFilters(new URLSearchParams(c.list)));
    expect(listed.items.map((a) => a.id).sort()).toEqual([ids.kenyaEn, ids.kenyaFr].sort());
  });

  it('crosses organizations with years and sums budgets in one currency', async () => {
    const m = await coverageMatrix(env.ctx(), { rows: 'organization', cols: 'period', from: '2024-01-01', to: '2025-12-31' });
    expect(m.cols.values.map((v) => v.code)).toEqual(['2024', '2025']);
    // Kenya in French runs into 2025; the regional network (2024–2026) too.
    expect(cell(m, orgB.id, '2025').value).toBe(2);
    expect(cell(m, orgA.id, '2025').value).toBe(0);
    expect(cell(m, orgB.id, '2025').list).toContain('from=2025-01-01&to=2025-12-31');
    const b = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar', measure: 'budget' });
    expect(cell(b, 'KE', 'protection').value).toBe(180_000);
    const o = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar', measure: 'organizations' });
    expect(cell(o, 'KE', 'protection').value).toBe(2);
    // The implementer names its funder as a participant, so Uganda's prevention involves two organizations.
    expect(cell(o, 'UG', 'prevention').value).toBe(2);
  });

  it('counts only what the actor may read', async () => {
    const m = await coverageMatrix(env.ctx(anonymous), { rows: 'country', cols: 'pillar' });
    expect(m.total).toBe(6); // all fixtures are public
    await expect(coverageMatrix(env.ctx(), { rows: 'pillar', cols: 'pillar' })).rejects.toThrow('Choose two different dimensions.');
  });
});

describe('text features', () => {
  it('joins a French and an English title through concepts and cognates', () => {
    const en = textFeatures('Training border officials to identify victims of trafficking in Kenya');
    const fr = textFeatures('Formation des agents frontaliers à l’identification des victimes de la traite au Kenya');
    const shared = [...en.keys()].filter((k) => fr.has(k));
    expect(shared).toEqual(expect.arrayContaining(['c:training', 'c:border', 'c:official', 'c:identification', 'c:victim', 'c:trafficking', 'w:kenya']));
  });

  it('reads Russian, Arabic and Chinese words as the same concepts', () => {
    expect([...textFeatures('торговля людьми и жертвы').keys()]).toEqual(expect.arrayContaining(['c:trafficking', 'c:victim']));
    expect([...textFeatures('مكافحة الاتجار بالبشر وحماية الضحايا').keys()]).toEqual(expect.arrayContaining(['c:trafficking', 'c:protection', 'c:victim']));
    expect([...textFeatures('打击人口贩运，保护受害者').keys()]).toEqual(expect.arrayContaining(['c:trafficking', 'c:protection', 'c:victim']));
  });
});

describe('duplicate scan and decisions', () => {
  it('is for the coordinator only', async () => {
    await expect(scanDuplicates(env.ctx(staff.actor))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(listDuplicateCandidates(env.ctx(anonymous))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('finds the funder/implementer pair and the French/English near-duplicate, with an explanation', async () => {
    const scan = await scanDuplicates(env.ctx(coordinator.actor));
    expect(scan.activities).toBe(6);
    // Blocking: only records sharing country, pillar and an informative word were compared.
    expect(scan.compared).toBeLessThan((6 * 5) / 2);
    const links = await listActivityLinks(env.ctx(coordinator.actor));
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ kind: 'funder_implementer' });
    expect([links[0]!.activityA.id, links[0]!.activityB.id].sort()).toEqual([ids.funder, ids.impl].sort());

    const { items } = await listDuplicateCandidates(env.ctx(coordinator.actor));
    expect(items).toHaveLength(1);
    const pair = items[0]!;
    expect([pair.activityA.id, pair.activityB.id].sort()).toEqual([ids.kenyaEn, ids.kenyaFr].sort());
    expect(pair.score).toBeGreaterThan(0.35);
    const why = pair.explanation as { countries: string[]; pillars: string[]; targetGroups: string[]; period: { from: string; to: string }; languages: { a: string[]; b: string[] }; sharedTerms: { feature: string; a: string; b: string }[] };
    expect(why).toMatchObject({ countries: ['KE'], pillars: ['protection'], targetGroups: ['women'], period: { from: '2024-03-01', to: '2024-12-31' } });
    expect(why.sharedTerms.map((t) => t.feature)).toContain('c:trafficking');
    const words = Object.fromEntries(why.sharedTerms.map((t) => [t.feature, [t.a, t.b].sort()]));
    expect(words['c:trafficking']).toEqual(['trafficking', 'traite']);
  });

  it('counts the funder/implementer pair once, and a confirmed duplicate once, in counts and budgets', async () => {
    let m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar', measure: 'budget' });
    expect(cell(m, 'UG', 'prevention').value).toBe(200_000);
    expect(cell(m, 'UG', 'prevention').activities).toBe(1);
    expect(cell(m, 'KE', 'protection').value).toBe(180_000);
    expect(m.total).toBe(5);

    await decideDuplicate(env.ctx(coordinator.actor), { activityA: ids.kenyaFr!, activityB: ids.kenyaEn!, decision: 'duplicate', note: 'Same training, reported by both.' });
    m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar', measure: 'budget' });
    expect(cell(m, 'KE', 'protection').activities).toBe(1);
    expect(cell(m, 'KE', 'protection').value).toBe(100_000);
    expect(m.total).toBe(4);
    const a = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar' });
    expect(cell(a, 'KE', 'protection').value).toBe(1);
    // A re-run keeps the confirmation and proposes nothing new.
    await scanDuplicates(env.ctx(coordinator.actor));
    expect((await listDuplicateCandidates(env.ctx(coordinator.actor))).items).toHaveLength(0);
    expect(cell(await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar' }), 'KE', 'protection').value).toBe(1);
  });

  it('refuses a decision on an unknown activity or a pair of one', async () => {
    await expect(decideDuplicate(env.ctx(coordinator.actor), { activityA: ids.kenyaEn!, activityB: 'act_unknown000', decision: 'duplicate' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(decideDuplicate(env.ctx(coordinator.actor), { activityA: ids.kenyaEn!, activityB: ids.kenyaEn!, decision: 'duplicate' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(decideDuplicate(env.ctx(staff.actor), { activityA: ids.kenyaEn!, activityB: ids.kenyaFr!, decision: 'not_duplicate' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('a "not a duplicate" decision across re-runs and re-imports', () => {
  let tmp: string;
  let orgX: Organization;
  let orgY: Organization;
  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-coord-'));
    orgX = await makeOrg(env, { iatiRef: 'XM-DUPX' });
    orgY = await makeOrg(env, { iatiRef: 'XM-DUPY' });
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const xml = (ref: string, id: string, lang: string, title: string, updated: string) => `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00Z">
<iati-activity last-updated-datetime="${updated}" default-currency="USD" xml:lang="${lang}">
  <iati-identifier>${id}</iati-identifier>
  <reporting-org ref="${ref}" type="40"><narrative>Org</narrative></reporting-org>
  <title><narrative>${title}</narrative></title>
  <description><narrative>${title}.</narrative></description>
  <participating-org role="4" ref="${ref}" type="40"><narrative>Org</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <activity-date type="3" iso-date="2024-12-31"/>
  <recipient-country code="SN" percentage="100"/>
  <sector vocabulary="1" code="15180" percentage="100"/>
</iati-activity>
</iati-activities>`;
  const importXml = async (name: string, text: string) => {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, text);
    return importIatiFile(env.ctx(), { path: file, fileName: name });
  };

  it('never proposes the pair again', async () => {
    await importXml('x.xml', xml('XM-DUPX', 'XM-DUPX-1', 'en', 'Shelter and protection for victims of trafficking in Senegal', '2024-01-01T00:00:00Z'));
    await importXml('y.xml', xml('XM-DUPY', 'XM-DUPY-1', 'fr', 'Refuge et protection des victimes de la traite au Sénégal', '2024-01-01T00:00:00Z'));
    await scanDuplicates(env.ctx(coordinator.actor));
    const found = (await listDuplicateCandidates(env.ctx(coordinator.actor))).items;
    expect(found).toHaveLength(1);
    await decideDuplicate(env.ctx(coordinator.actor), { activityA: found[0]!.activityA.id, activityB: found[0]!.activityB.id, decision: 'not_duplicate' });
    expect((await listDuplicateCandidates(env.ctx(coordinator.actor))).items).toHaveLength(0);

    await scanDuplicates(env.ctx(coordinator.actor));
    expect((await listDuplicateCandidates(env.ctx(coordinator.actor))).items).toHaveLength(0);

    // Both files again, changed: the records are updated in place and the decision still holds.
    const again = await importXml('y2.xml', xml('XM-DUPY', 'XM-DUPY-1', 'fr', 'Refuge et protection des victimes de la traite au Sénégal (phase 2)', '2024-06-01T00:00:00Z'));
    expect(again.counts.updated).toBe(1);
    await scanDuplicates(env.ctx(coordinator.actor));
    expect((await listDuplicateCandidates(env.ctx(coordinator.actor))).items).toHaveLength(0);
    const m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'pillar', country: ['SN'] });
    expect(m.total).toBe(2);
    expect([orgX.id, orgY.id]).toHaveLength(2);
  });

  it('links a funder and an implementer through the provider activity of a transaction, and counts their budget once', async () => {
    const one = (ref: string, id: string, title: string, extra: string) => `<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00Z">
<iati-activity last-updated-datetime="2024-01-01T00:00:00Z" default-currency="USD" xml:lang="en">
  <iati-identifier>${id}</iati-identifier>
  <reporting-org ref="${ref}" type="40"><narrative>Org</narrative></reporting-org>
  <title><narrative>${title}</narrative></title>
  <description><narrative>${title}.</narrative></description>
  <participating-org role="4" ref="${ref}" type="40"><narrative>Org</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2024-01-01"/>
  <activity-date type="3" iso-date="2024-12-31"/>
  <recipient-country code="ML" percentage="100"/>
  <sector vocabulary="1" code="15180" percentage="100"/>
  <budget type="1" status="1"><period-start iso-date="2024-01-01"/><period-end iso-date="2024-12-31"/><value currency="USD" value-date="2024-01-01">50000</value></budget>
  ${extra}
</iati-activity>
</iati-activities>`;
    await importXml('fund.xml', one('XM-DUPX', 'XM-DUPX-GRANT', 'Grant to a partner in Mali', '<transaction><transaction-type code="3"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">50000</value><receiver-org ref="XM-DUPY" receiver-activity-id="XM-DUPY-MALI"><narrative>Partner</narrative></receiver-org></transaction>'));
    await importXml('impl.xml', one('XM-DUPY', 'XM-DUPY-MALI', 'Community outreach in Mopti', '<transaction><transaction-type code="1"/><transaction-date iso-date="2024-02-01"/><value value-date="2024-02-01">50000</value><provider-org ref="XM-DUPX" provider-activity-id="XM-DUPX-GRANT"><narrative>Funder</narrative></provider-org></transaction>'));
    await scanDuplicates(env.ctx(coordinator.actor));
    const link = (await listActivityLinks(env.ctx(coordinator.actor))).find((l) => l.activityA.title.includes('Mali') || l.activityB.title.includes('Mali'));
    expect(link).toMatchObject({ kind: 'funder_implementer' });
    expect((link!.evidence as { via: string }[]).map((e) => e.via)).toEqual(['transaction', 'transaction']);
    const m = await coverageMatrix(env.ctx(), { rows: 'country', cols: 'period', country: ['ML'], from: '2024-01-01', to: '2024-12-31', measure: 'budget' });
    expect(m.cells[0]![0]).toMatchObject({ activities: 1, value: 50_000 });
  });
});
