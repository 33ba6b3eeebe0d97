import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityDataOf } from '../../src/domain/activities/activity-mapping.ts';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { updateActivity } from '../../src/domain/activities/save-activity.ts';
import { LANGUAGES } from '../../src/domain/languages.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeActivity } from '../support/activities.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, untranslatedKeys } from '../support/html.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let staffA: TestUser;
let staffB: TestUser;
let a: TestClient;
let b: TestClient;

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  a = new TestClient(env.app);
  await signIn(a, staffA);
  b = new TestClient(env.app);
  await signIn(b, staffB);
});
afterAll(() => env.close());

/** The fields of a complete, publishable activity as the form posts them without JavaScript. */
function formFields(over: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    'title.en': 'Mobile legal clinics for migrant workers',
    'title.fr': 'Cliniques juridiques mobiles pour les travailleurs migrants',
    'description.en': 'Lawyers visit worksites and dormitories.',
    ownerOrganizationId: orgA.id,
    visibility: 'public',
    defaultLanguage: 'en',
    status: '2',
    plannedStart: '2024-03-01',
    plannedEnd: '2025-02-28',
    defaultCurrency: 'USD',
    'participants.0.role': '4',
    'participants.0.organizationId': orgA.id,
    'participants.1.role': '4',
    'participants.1.organizationId': '',
    'countries.0.code': 'NA',
    'countries.0.percentage': '60',
    'countries.1.code': '',
    'countries.1.percentage': '',
    'countries.2.code': 'KE',
    'countries.2.percentage': '40',
    'sectors.0.vocabulary': '1',
    'sectors.0.code': '16070',
    'sectors.0.percentage': '100',
    'budgets.0.periodStart': '2024-03-01',
    'budgets.0.periodEnd': '2025-02-28',
    'budgets.0.value': '120 000',
    'budgets.0.currency': 'USD',
    'budgets.0.type': '1',
    'budgets.0.status': '1',
    'classification.pillars': ['protection', 'prosecution'],
    'classification.exploitationForms': 'forced-labour',
    'classification.targetGroups': ['men', 'women'],
    ...over,
  };
}

const idFrom = (res: Response) => /\/activities\/(act_[0-9a-z]+)/.exec(res.headers.get('location') ?? '')?.[1];

describe('the create form', () => {
  it('is offered to staff with empty rows and an "add another row" button per group, and no inline script', async () => {
    const res = await a.request('/activities/new');
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const g of ['participants', 'countries', 'sectors', 'budgets']) {
      expect(html).toContain(`name="_add" value="${g}"`);
      expect(html).toContain(`name="${g}.1.`);
    }
    expect(html).toContain(`<option value="${orgA.id}" selected="">`);
    expect(html).toMatch(/<script type="module" src="\/assets\/activity-form\.[0-9a-f]{12}\.js"/);
    expect(inlineCode(html)).toEqual([]);
    expect(untranslatedKeys(html)).toEqual([]);
  });

  it('sends visitors to sign in', async () => {
    const res = await new TestClient(env.app).request('/activities/new');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/sign-in?next=%2Factivities%2Fnew');
  });

  it('creates an activity without JavaScript, skipping empty rows', async () => {
    const res = await a.postForm('/activities', formFields());
    expect(res.status).toBe(303);
    const id = idFrom(res)!;
    expect(res.headers.get('location')).toBe(`/activities/${id}?notice=activityCreated`);
    const saved = await getActivity(env.ctx(), id);
    expect(saved.countries.map((c) => [c.code, c.percentage])).toEqual([
      ['KE', 40],
      ['NA', 60],
    ]);
    expect(saved.participants).toHaveLength(1);
    expect(saved.budgets[0]!.value).toBe(120000);
    expect(saved.classification.pillars).toEqual(['prosecution', 'protection']);
    expect(saved.title.fr).toBe('Cliniques juridiques mobiles pour les travailleurs migrants');
  });

  it('adds a row on the server, keeping everything typed so far', async () => {
    const res = await a.postForm('/activities', { ...formFields(), _add: 'countries' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('value="Mobile legal clinics for migrant workers"');
    expect(html).toMatch(/<option value="KE" selected="">/);
    // Two filled countries (the empty middle row dropped), then one more empty row than were sent.
    expect(html).toContain('name="countries.1.percentage" value="40"');
    const again = await a.postForm('/activities', { ...formFields(), 'countries.3.code': '', 'countries.4.code': '', _add: 'countries' });
    const more = await again.text();
    expect(more).toMatch(/name="countries\.5\.code"/);
    expect(more).not.toMatch(/name="countries\.6\.code"/);
    expect(html).toMatch(/<select id="f-countries-2-code" name="countries.2.code"[^>]*autofocus/);
  });

  it('refuses to publish with errors: messages next to the fields and a summary linking to them; nothing saved', async () => {
    const before = await env.db.kysely.selectFrom('activities').select('id').execute();
    const res = await a.postForm('/activities', formFields({ 'countries.2.percentage': '10', 'budgets.0.periodEnd': '2023-01-01' }));
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('class="error-summary"');
    // The empty middle row was dropped: the second country is now row 1.
    expect(html).toMatch(/href="#f-countries-1-percentage"|href="#f-countries-0-percentage"|href="#f-countries"/);
    expect(html).toMatch(/id="f-budgets-0-periodEnd-messages"/);
    expect(html).toMatch(/aria-describedby="[^"]*f-budgets-0-periodEnd-messages/);
    expect(html).toContain('value="Mobile legal clinics for migrant workers"');
    expect((await env.db.kysely.selectFrom('activities').select('id').execute()).length).toBe(before.length);
  });

  it('saves a draft with errors and shows them to the editor on the record', async () => {
    const res = await a.postForm('/activities', formFields({ 'countries.2.percentage': '10', _draft: '1' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/\?notice=activitySavedWithProblems$/);
    const page = await (await a.request(res.headers.get('location')!)).text();
    expect(page).toContain('Saved as a draft.');
    expect(page).toMatch(/<code class="meta">countries[.\w]*<\/code>/);
    expect(page).toMatch(/<strong>Error:<\/strong>/);
    expect((await new TestClient(env.app).request(`/activities/${idFrom(res)}`)).status).toBe(404);
  });

  it('refuses staff of B creating an activity owned by A', async () => {
    const res = await b.postForm('/activities', formFields());
    expect(res.status).toBe(403);
  });
});

describe('the record page', () => {
  it('shows a public record to visitors with labels for codes, and no editing actions', async () => {
    const act = await makeActivity(env, orgA.id, {
      title: { en: 'Hotline for survivors', fr: 'Ligne d’écoute pour les survivants' },
      results: [
        {
          type: '1',
          title: { en: 'Calls answered' },
          indicators: [{ measure: '1', title: { en: 'Number of calls' }, baselines: [{ year: 2023, value: '0', dimensions: [] }], periods: [{ start: '2024-01-01', end: '2024-12-31', targets: [{ value: '500', dimensions: [] }], actuals: [{ value: '612', dimensions: [] }] }], references: [] }],
        },
      ],
    });
    const res = await new TestClient(env.app).request(`/activities/${act.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Hotline for survivors');
    expect(html).toContain('Namibia');
    expect(html).toContain('Ending violence against women and girls');
    expect(html).toContain('Prevention');
    expect(html).toContain('Number of calls');
    expect(html).toContain('612');
    expect(html).not.toContain(`/activities/${act.id}/edit`);
    expect(html).not.toContain(`/activities/${act.id}/history`);
    expect(untranslatedKeys(html)).toEqual([]);
  });

  it('falls back to another language with a note and the right lang attribute', async () => {
    const act = await makeActivity(env, orgA.id, { title: { en: 'Only in English' }, description: { en: 'An English description.' } });
    const client = new TestClient(env.app);
    client.cookies.set('icat_lang', 'fr');
    const html = await (await client.request(`/activities/${act.id}`)).text();
    expect(html).toMatch(/<h1 lang="en" dir="ltr">Only in English<\/h1>/);
    expect(html).toContain('Non disponible dans cette langue ; affiché en anglais.');
    expect(untranslatedKeys(html)).toEqual([]);
  });

  it('has no untranslated text in any language', async () => {
    const act = await makeActivity(env, orgA.id);
    for (const lang of LANGUAGES) {
      const client = new TestClient(env.app);
      await signIn(client, staffA);
      client.cookies.set('icat_lang', lang);
      for (const path of [`/activities/${act.id}`, `/activities/${act.id}/edit`, `/activities/${act.id}/history`, '/activities/new']) {
        const html = await (await client.request(path)).text();
        expect(untranslatedKeys(html), `${path} in ${lang}`).toEqual([]);
      }
    }
  });
});

describe('the edit form', () => {
  it('saves a change and keeps what the form does not show', async () => {
    const act = await makeActivity(env, orgA.id, { locations: [{ name: { en: 'Windhoek' }, countryCode: 'NA', latitude: -22.56, longitude: 17.08 }] });
    const form = await (await a.request(`/activities/${act.id}/edit`)).text();
    expect(form).toContain('name="version" value="1"');
    const res = await a.postForm(`/activities/${act.id}`, formFields({ version: '1', 'title.en': 'Renamed through the form' }));
    expect(res.status).toBe(303);
    const saved = await getActivity(env.ctx(), act.id);
    expect(saved.title.en).toBe('Renamed through the form');
    expect(saved.locations).toEqual(act.locations);
  });

  it('shows the current version and your unsaved values after a conflict, and saves nothing', async () => {
    const act = await makeActivity(env, orgA.id, { title: { en: 'Original' } });
    await updateActivity(env.ctx(), act.id, { ...activityDataOf(act), title: { en: 'Changed by a colleague' }, version: 1 });
    const res = await a.postForm(`/activities/${act.id}`, formFields({ version: '1', 'title.en': 'My edit' }));
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('Someone else saved this activity in the meantime');
    expect(html).toContain('name="version" value="2"');
    expect(html).toContain('value="Changed by a colleague"');
    expect(html).toMatch(/<td>My edit<\/td>/);
    expect((await getActivity(env.ctx(), act.id)).title).toEqual({ en: 'Changed by a colleague' });
  });

  it('refuses staff of B: the edit page and the save', async () => {
    const act = await makeActivity(env, orgA.id);
    expect((await b.request(`/activities/${act.id}/edit`)).status).toBe(403);
    expect((await b.postForm(`/activities/${act.id}`, formFields({ ownerOrganizationId: orgB.id, version: '1' }))).status).toBe(403);
    expect((await b.postForm(`/activities/${act.id}/delete`, { version: '1' })).status).toBe(403);
    expect((await getActivity(env.ctx(), act.id)).version).toBe(1);
  });
});

describe('delete, restore and history pages', () => {
  it('deletes and restores through the record page, and tells the history in words', async () => {
    const act = await makeActivity(env, orgA.id, { countries: [{ code: 'UG', percentage: 100 }] });
    await updateActivity(env.ctx(), act.id, { ...activityDataOf(act), countries: [{ code: 'KE', percentage: 100 }], version: 1 });
    const del = await a.postForm(`/activities/${act.id}/delete`, { version: '2' });
    expect(del.status).toBe(303);
    expect((await new TestClient(env.app).request(`/activities/${act.id}`)).status).toBe(404);
    const page = await (await a.request(`/activities/${act.id}`)).text();
    expect(page).toContain(`action="/activities/${act.id}/restore"`);
    expect((await a.postForm(`/activities/${act.id}/restore`, { version: '3' })).status).toBe(303);
    const history = await a.request(`/activities/${act.id}/history`);
    expect(history.status).toBe(200);
    const html = await history.text();
    expect(html).toMatch(/added: <ins>Kenya \(KE\) 100 %<\/ins>/);
    expect(html).toMatch(/removed: <del>Uganda \(UG\) 100 %<\/del>/);
    expect(html).toContain('restored');
    expect((await b.request(`/activities/${act.id}/history`)).status).toBe(403);
  });
});
