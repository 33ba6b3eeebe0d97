import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityFiltersSchema } from '../../src/domain/activities/activity-filters.ts';
import { exportActivities } from '../../src/domain/activities/export-activities.ts';
import { createActivity } from '../../src/domain/activities/save-activity.ts';
import { iatiOrganisationChunks } from '../../src/domain/iati/export-iati.ts';
import { importIatiFile } from '../../src/domain/iati/import-iati.ts';
import { readIatiActivities, type XNode } from '../../src/domain/iati/iati-xml-reader.ts';
import { mapIatiActivity } from '../../src/domain/iati/map-iati-activity.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';
import { makeOrg } from '../support/factories.ts';

const SCHEMAS = path.join(SHARED_DATA_DIR, 'iati-schemas');
const EXAMPLE = path.join(SCHEMAS, 'examples', 'activity-standard-example-annotated.xml');
const haveShared = fs.existsSync(EXAMPLE);
const haveXmllint = spawnSync('xmllint', ['--version']).status === 0;
if (!haveShared) process.stdout.write(`Skipping the IATI export tests: ${SCHEMAS} is absent (set ICAT_SHARED_DATA).\n`);
if (!haveXmllint) process.stdout.write('Skipping the IATI export tests: xmllint is not installed (apt-get install libxml2-utils).\n');

let env: TestEnv;
let org: Organization;
let tmp: string;

beforeAll(async () => {
  env = await createTestEnv();
  org = await makeOrg(env, { iatiRef: 'XM-EXPORT-1', orgType: 'ngo' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-iati-export-'));
});
afterAll(async () => {
  await env?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const text = async (s: Readable) => {
  let out = '';
  for await (const c of s) out += typeof c === 'string' ? c : (c as Buffer).toString('utf8');
  return out;
};
const exportXml = async (filters: Record<string, string | string[]>) => text((await exportActivities(env.ctx(), activityFiltersSchema.parse(filters), 'xml')).stream);

/** xmllint --schema on the text: its exit status and messages. */
function validate(xml: string, schema: string): { ok: boolean; messages: string } {
  const file = path.join(tmp, `out-${Math.random().toString(36).slice(2)}.xml`);
  fs.writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--noout', '--schema', path.join(SCHEMAS, schema), file], { encoding: 'utf8' });
  return { ok: r.status === 0, messages: r.stderr };
}

async function activityNodes(xml: string): Promise<{ lang: string | null; nodes: XNode[] }> {
  const nodes: XNode[] = [];
  let lang: string | null = null;
  for await (const ev of readIatiActivities(Readable.from([xml]))) {
    if (ev.kind === 'header') lang = ev.header.lang;
    else nodes.push(ev.node);
  }
  return { lang, nodes };
}

describe.skipIf(!haveShared || !haveXmllint)('IATI activity export', () => {
  it('round-trips the annotated standard example: valid, same identifier, percentages and narratives with their languages', async () => {
    const r = await importIatiFile(env.ctx(), { path: EXAMPLE, fileName: 'example.xml' }, { owner: org.id });
    expect(r.counts.created + r.counts.updated + r.counts.unchanged, JSON.stringify(r.messages.filter((m) => m.severity !== 'warning'))).toBe(1);

    const xml = await exportXml({ organization: [org.id] });
    const v = validate(xml, 'iati-activities-schema.xsd');
    expect(v.messages).not.toMatch(/fails to validate|error/i);
    expect(v.ok).toBe(true);

    const original = (await activityNodes(fs.readFileSync(EXAMPLE, 'utf8'))).nodes[0]!;
    const exported = (await activityNodes(xml)).nodes.find((n) => n.children.find((c) => c.name === 'iati-identifier')?.text === 'AA-AAA-123456789-ABC123');
    expect(exported).toBeDefined();
    const before = mapIatiActivity(original, null);
    const after = mapIatiActivity(exported!, null);
    expect(after.problems.filter((p) => p.severity === 'critical')).toEqual([]);
    expect(after.identifier).toBe('AA-AAA-123456789-ABC123');
    // Percentages of sectors and countries.
    expect(after.input.sectors!.map((s) => [s.vocabulary, s.code, s.percentage])).toEqual(before.input.sectors!.map((s) => [s.vocabulary, s.code, s.percentage]));
    expect(after.input.countries!.map((c) => [c.code, c.percentage])).toEqual(before.input.countries!.map((c) => [c.code, c.percentage]));
    expect(before.input.countries!.some((c) => c.percentage !== null)).toBe(true);
    // Every narrative the registry keeps, with its language, element by element.
    for (const key of ['title', 'description', 'objectives', 'targetGroupsText', 'reportingOrg', 'participants', 'countries', 'regions', 'sectors', 'locations', 'results', 'contacts', 'budgets', 'relatedActivities'] as const) {
      expect(after.input[key], key).toEqual(before.input[key]);
    }
    expect(Object.keys(before.input.title ?? {}).sort()).toEqual(['en', 'es', 'fr']);
    // Every narrative element of the export names its language.
    expect(xml).not.toMatch(/<narrative>/);
  });

  it('exports only the activities under the list filters, escapes text, and stays valid', async () => {
    const base = {
      ownerOrganizationId: org.id,
      visibility: 'public' as const,
      title: { en: 'Shelter & <legal> aid "now"', ar: 'مأوى' },
      description: { en: 'Line one\nline two' },
      participants: [{ role: '4', organizationId: org.id, name: {} }],
      status: '2',
      plannedStart: '2024-01-01',
      budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 5000, currency: 'USD' }],
      results: [{ type: '1', title: { en: 'No indicator yet' }, indicators: [] }],
    };
    await createActivity(env.ctx(), { ...base, iatiIdentifier: 'XM-EXPORT-1-KE', countries: [{ code: 'KE', percentage: 100 }] });
    await createActivity(env.ctx(), { ...base, iatiIdentifier: 'XM-EXPORT-1-NA', countries: [{ code: 'NA', percentage: 100 }] });
    const xml = await exportXml({ country: ['KE'], organization: [org.id] });
    expect(validate(xml, 'iati-activities-schema.xsd')).toMatchObject({ ok: true });
    const { nodes } = await activityNodes(xml);
    expect(nodes.map((n) => n.children.find((c) => c.name === 'iati-identifier')?.text)).toEqual(['XM-EXPORT-1-KE']);
    const a = mapIatiActivity(nodes[0]!, null);
    expect(a.input.title).toEqual({ en: 'Shelter & <legal> aid "now"', ar: 'مأوى' });
    // The owner stands in as reporting organization and names the registered participant.
    expect(a.reportingOrgRef).toBe('XM-EXPORT-1');
    expect(a.input.participants![0]).toMatchObject({ role: '4', ref: 'XM-EXPORT-1', orgType: '21', name: { en: org.name.en } });
    // A budget without a value date takes its period's start; a result without indicators is left out and noted.
    expect(a.input.budgets![0]).toMatchObject({ value: 5000, currency: 'USD', valueDate: '2024-01-01' });
    expect(a.input.results).toEqual([]);
    expect(xml).toMatch(/<!-- ICAT export notes[\s\S]*XM-EXPORT-1-KE: result 1 is left out: it has no indicator/);
  });

  it('leaves out an activity the schema could not accept, and says why', async () => {
    const draft = await createActivity(env.ctx(), { ownerOrganizationId: org.id, visibility: 'public', title: { en: 'A draft with no identifier' } });
    const xml = await exportXml({ organization: [org.id] });
    expect(validate(xml, 'iati-activities-schema.xsd')).toMatchObject({ ok: true });
    expect(xml).not.toContain('A draft with no identifier');
    expect(xml).toMatch(new RegExp(`${draft.activity.id}: lacks an IATI identifier, a description, a participating organization, a status, a date`));
  });

  it('is offered on the activity list page and by the API, with the list filters', async () => {
    const client = new TestClient(env.app);
    const page = await (await client.request(`/activities?organization=${org.id}`)).text();
    expect(page).toMatch(new RegExp(`href="/activities/export\\.xml\\?organization=${org.id}"`));
    const res = await client.request(`/activities/export.xml?organization=${org.id}&country=NA`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    expect(res.headers.get('content-disposition')).toMatch(/activities-iati-.*\.xml/);
    const body = await res.text();
    expect(body).toContain('XM-EXPORT-1-NA');
    expect(body).not.toContain('XM-EXPORT-1-KE');
    const api = await client.request(`/api/v1/activities/export?format=xml&organization=${org.id}&country=KE`);
    expect(api.status).toBe(200);
    const apiBody = await api.text();
    expect(apiBody).toContain('XM-EXPORT-1-KE');
    expect(validate(apiBody, 'iati-activities-schema.xsd')).toMatchObject({ ok: true });
  });
});

describe.skipIf(!haveShared || !haveXmllint)('IATI organisation export', () => {
  it('writes the member organizations with an IATI identifier as a valid organisation file', async () => {
    const without = await makeOrg(env, { name: { en: 'No identifier', fr: 'Sans identifiant' } });
    const fr = await makeOrg(env, { iatiRef: 'XM-EXPORT-FR', name: { en: 'Bilingual & co', fr: 'Bilingue & cie' }, orgType: 'government' });
    const observer = await makeOrg(env, { kind: 'observer', iatiRef: 'XM-OBSERVER' });
    const xml = await text(Readable.from(iatiOrganisationChunks(env.ctx())));
    expect(validate(xml, 'iati-organisations-schema.xsd')).toMatchObject({ ok: true });
    expect(xml).toContain('<organisation-identifier>XM-EXPORT-FR</organisation-identifier>');
    expect(xml).toContain('<reporting-org ref="XM-EXPORT-FR" type="10"><narrative xml:lang="en">Bilingual &amp; co</narrative><narrative xml:lang="fr">Bilingue &amp; cie</narrative></reporting-org>');
    expect(xml).not.toContain('XM-OBSERVER');
    expect(xml).toContain(`${without.acronym}: lacks an IATI organisation identifier`);
    expect(fr.id).toBeTruthy();
    expect(observer.kind).toBe('observer');
  });

});
