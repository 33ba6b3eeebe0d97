import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmSuggestions } from '../../src/domain/activities/confirm-suggestions.ts';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { importIatiFile, type IatiImportReport } from '../../src/domain/iati/import-iati.ts';
import { suggestClassification } from '../../src/domain/iati/suggest-classification.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';

describe('guessing pillars and forms of exploitation from text', () => {
  it('reads English, French, Spanish, Russian and Arabic', () => {
    expect(suggestClassification('Shelters for survivors of sexual exploitation; awareness campaigns in schools.')).toEqual({ pillars: ['prevention', 'protection'], exploitationForms: ['sexual-exploitation'] });
    expect(suggestClassification('Renforcer la justice pénale contre le travail forcé.')).toEqual({ pillars: ['prosecution'], exploitationForms: ['forced-labour'] });
    expect(suggestClassification('Coordinación nacional contra el matrimonio forzado.')).toEqual({ pillars: ['partnerships'], exploitationForms: ['forced-marriage'] });
    expect(suggestClassification('Защита жертв принудительного труда и расследование.')).toEqual({ pillars: ['protection', 'prosecution'], exploitationForms: ['forced-labour'] });
    expect(suggestClassification('حماية ضحايا الاستغلال الجنسي')).toEqual({ pillars: ['protection'], exploitationForms: ['sexual-exploitation'] });
  });

  it('suggests nothing from unrelated text, and nothing already confirmed', () => {
    expect(suggestClassification('Road building and irrigation.')).toEqual({ pillars: [], exploitationForms: [] });
    // "unprotected" is not "protect": words are matched from their start.
    expect(suggestClassification('An unprotected road.').pillars).toEqual([]);
    expect(suggestClassification('Shelters for victims of forced labour.', { pillars: ['protection'] })).toEqual({ pillars: [], exploitationForms: ['forced-labour'] });
  });
});

describe('suggestions on imported activities, for a focal point to confirm', () => {
  let env: TestEnv;
  let org: Organization;
  let focal: TestUser;
  let tmp: string;
  beforeAll(async () => {
    env = await createTestEnv();
    org = await makeOrg(env, { iatiRef: 'XM-SUGGEST' });
    focal = await makeUser(env, { role: 'focal_point', org });
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'icat-suggest-'));
  });
  afterAll(async () => {
    await env?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  async function importOne(id: string, title: string): Promise<IatiImportReport> {
    const file = path.join(tmp, `${id}.xml`);
    fs.writeFileSync(
      file,
      `<iati-activities version="2.03" xml:lang="en"><iati-activity><iati-identifier>${id}</iati-identifier><reporting-org ref="XM-SUGGEST" type="21"><narrative>S</narrative></reporting-org>
<title><narrative>${title}</narrative></title><description><narrative>Legal aid and awareness campaigns.</narrative><narrative xml:lang="fr">Lutte contre le travail forcé.</narrative></description>
<participating-org role="4" ref="XM-SUGGEST"/><activity-status code="2"/><activity-date type="1" iso-date="2024-01-01"/><recipient-country code="KE"/></iati-activity></iati-activities>`,
    );
    const r = await importIatiFile(env.ctx(), { path: file, fileName: `${id}.xml` });
    expect(r.counts.created + r.counts.unchanged).toBe(1);
    return r;
  }

  it('stores the guesses as suggestions, not as the classification, and a re-import changes nothing', async () => {
    // The report counts the new activities that came with suggestions (the import page links to their review).
    expect((await importOne('XM-SUGGEST-1', 'Shelters for survivors of sexual exploitation')).suggested).toBe(1);
    const a = await getActivity(env.ctx(), 'XM-SUGGEST-1');
    expect(a.classification.pillars).toEqual([]);
    expect(a.classification.exploitationForms).toEqual([]);
    expect(a.suggestions).toEqual({ pillars: ['prevention', 'protection'], exploitationForms: ['forced-labour', 'sexual-exploitation'] });
    expect((await importOne('XM-SUGGEST-1', 'Shelters for survivors of sexual exploitation')).suggested).toBe(0);
    expect((await getActivity(env.ctx(), 'XM-SUGGEST-1')).version).toBe(a.version);
  });

  it('shows them marked as suggestions to the focal point, who confirms some and dismisses the others', async () => {
    await importOne('XM-SUGGEST-2', 'Shelters for survivors of sexual exploitation');
    const a = await getActivity(env.ctx(), 'XM-SUGGEST-2');
    const client = new TestClient(env.app);
    await signIn(client, focal);
    const page = await (await client.request(`/activities/${a.id}`)).text();
    expect(page).toContain('Suggested classification');
    expect(page).toMatch(/<span class="badge badge-info">Suggestion<\/span>/);
    expect(page).toMatch(/name="accept.exploitationForms" value="sexual-exploitation" checked/);
    // A visitor sees the public record without the unconfirmed suggestions.
    expect(await (await new TestClient(env.app).request(`/activities/${a.id}`)).text()).not.toContain('Suggested classification');

    const res = await client.postForm(`/activities/${a.id}/suggestions`, { version: String(a.version), 'accept.pillars': ['protection'], 'accept.exploitationForms': ['sexual-exploitation'] });
    expect(res.status).toBe(303);
    const b = await getActivity(env.ctx(), 'XM-SUGGEST-2');
    expect(b.classification.pillars).toEqual(['protection']);
    expect(b.classification.exploitationForms).toEqual(['sexual-exploitation']);
    expect(b.suggestions ?? {}).toEqual({});
    expect(b.version).toBe(a.version + 1);
    expect(await (await client.request(`/activities/${a.id}`)).text()).not.toContain('Suggested classification');
  });

  it('refuses to confirm what was not suggested, and a stale version', async () => {
    await importOne('XM-SUGGEST-3', 'Shelters for survivors of sexual exploitation');
    const a = await getActivity(env.ctx(), 'XM-SUGGEST-3');
    await expect(confirmSuggestions(env.ctx(focal.actor), a.id, { version: a.version, accept: { pillars: ['prosecution'] } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(confirmSuggestions(env.ctx(focal.actor), a.id, { version: a.version + 5, accept: {} })).rejects.toMatchObject({ code: 'VERSION_CONFLICT' });
    const other = await makeUser(env, { role: 'staff' });
    await expect(confirmSuggestions(env.ctx(other.actor), a.id, { version: a.version, accept: {} })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('reviews many activities through the API, each on its own: confirmed, stale and unknown side by side', async () => {
    const ids = ['XM-SUGGEST-4', 'XM-SUGGEST-5', 'XM-SUGGEST-6'];
    for (const id of ids) await importOne(id, 'Shelters for survivors of sexual exploitation');
    const [a, b, c] = await Promise.all(ids.map((id) => getActivity(env.ctx(), id)));
    const client = new TestClient(env.app);
    await signIn(client, focal);
    const res = await client.request('/api/v1/activities/suggestions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': await client.csrf() },
      body: JSON.stringify({
        items: [
          { id: a!.id, version: a!.version, accept: 'all' },
          { id: b!.iatiIdentifier, version: b!.version + 3, accept: 'all' },
          { id: 'XM-SUGGEST-NONE', version: 1 },
          { id: c!.id, version: c!.version, accept: { pillars: ['protection'] } },
        ],
      }),
    });
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: { id: string; status: string; code?: string; version?: number }[] };
    expect(results.map((r) => [r.status, r.code ?? r.version])).toEqual([
      ['confirmed', a!.version + 1],
      ['failed', 'VERSION_CONFLICT'],
      ['failed', 'NOT_FOUND'],
      ['confirmed', c!.version + 1],
    ]);
    const [a2, b2, c2] = await Promise.all(ids.map((id) => getActivity(env.ctx(), id)));
    expect(a2!.classification.pillars).toEqual(a!.suggestions!.pillars);
    expect(a2!.classification.exploitationForms).toEqual(a!.suggestions!.exploitationForms);
    expect(b2!.version).toBe(b!.version);
    expect(b2!.suggestions).toEqual(b!.suggestions);
    expect(c2!.classification.pillars).toEqual(['protection']);
    expect(c2!.classification.exploitationForms).toEqual([]);
    expect(c2!.suggestions ?? {}).toEqual({});

    const tooMany = await client.request('/api/v1/activities/suggestions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': await client.csrf() },
      body: JSON.stringify({ items: Array.from({ length: 201 }, () => ({ id: a!.id, version: 1 })) }),
    });
    expect(tooMany.status).toBe(422);
    // One activity through its own address, the same rules.
    const one = await client.request(`/api/v1/activities/${b!.id}/suggestions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': await client.csrf() },
      body: JSON.stringify({ version: b!.version, accept: { exploitationForms: ['sexual-exploitation'] } }),
    });
    expect(one.status).toBe(200);
    expect(one.headers.get('etag')).toBe(`"${b!.version + 1}"`);
    expect((await getActivity(env.ctx(), b!.id)).classification.exploitationForms).toEqual(['sexual-exploitation']);
  });
});
