import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonymous, type Actor } from '../../src/domain/actor.ts';
import { deleteActivity } from '../../src/domain/activities/delete-activity.ts';
import { activityFacets, browseActivities, listActivities, parseActivityFilters } from '../../src/domain/activities/list-activities.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { makeActivity } from '../support/activities.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let orgC: Organization;
let staffA: TestUser;
let staffB: TestUser;
let staffC: TestUser;
let coordinator: TestUser;
let loner: TestUser;
const ids: Record<string, string> = {};

const classification = (over: Partial<Record<'pillars' | 'exploitationForms' | 'targetGroups' | 'contexts' | 'sdgTargets', string[]>>) => ({
  pillars: [],
  exploitationForms: [],
  targetGroups: [],
  contexts: [],
  sdgTargets: [],
  instruments: [],
  mechanisms: [],
  ...over,
});

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  orgC = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  staffC = await makeUser(env, { role: 'staff', org: orgC });
  coordinator = await makeUser(env, { role: 'coordinator' });
  loner = await makeUser(env, { role: 'none' });

  ids.publicKenya = (
    await makeActivity(env, orgA.id, {
      title: { en: 'Shelters for survivors in Kenya and Namibia' },
      participants: [
        { role: '4', organizationId: orgA.id, name: {} },
        { role: '1', organizationId: orgB.id, name: {} },
      ],
      status: '2',
      plannedStart: '2024-01-01',
      plannedEnd: '2025-06-30',
      classification: classification({ pillars: ['protection'], targetGroups: ['women', 'girls'], sdgTargets: ['5.2'] }),
    })
  ).id;
  ids.membersUganda = (
    await makeActivity(env, orgA.id, {
      visibility: 'members',
      title: { en: 'Labour inspection training in Uganda' },
      countries: [{ code: 'UG', percentage: 100 }],
      status: '2',
      plannedStart: '2022-01-01',
      plannedEnd: '2022-12-31',
      actualStart: '2022-02-01',
      actualEnd: '2022-12-15',
      classification: classification({ pillars: ['prevention'], exploitationForms: ['forced-labour'], sdgTargets: ['8.7'] }),
    })
  ).id;
  ids.restrictedFrance = (
    await makeActivity(env, orgA.id, {
      visibility: 'restricted',
      sharedWith: [orgC.id],
      title: { en: 'Prosecutors network in France' },
      countries: [{ code: 'FR', percentage: 100 }],
      status: '3',
      classification: classification({ pillars: ['prosecution'] }),
    })
  ).id;
  ids.draftKenya = (
    await makeActivity(env, orgA.id, {
      visibility: 'draft',
      title: { en: 'Draft plan for Kenya' },
      countries: [{ code: 'KE', percentage: 100 }],
      classification: classification({ pillars: ['prevention'] }),
    })
  ).id;
  ids.publicBrazil = (
    await makeActivity(env, orgB.id, {
      title: { en: 'Online recruitment monitoring', ru: 'Мониторинг онлайн-вербовки', ar: 'رصد التجنيد عبر الإنترنت', zh: '网络招募监测' },
      participants: [{ role: '4', organizationId: orgB.id, name: {} }],
      countries: [{ code: 'BR', percentage: 100 }],
      status: '4',
      plannedStart: '2019-01-01',
      plannedEnd: '2020-12-31',
      actualStart: '2019-01-01',
      actualEnd: '2020-12-31',
      classification: classification({ pillars: ['partnerships', 'prevention'], contexts: ['online-technology'], sdgTargets: ['8.7'] }),
    })
  ).id;
  ids.publicRegion = (
    await makeActivity(env, orgB.id, {
      title: { en: 'East African regional dialogue' },
      participants: [{ role: '4', organizationId: orgB.id, name: {} }],
      countries: [],
      regions: [{ vocabulary: '2', code: '014', percentage: 100 }],
      status: '2',
      classification: classification({ pillars: ['partnerships'] }),
    })
  ).id;
  const deleted = await makeActivity(env, orgB.id, { title: { en: 'Deleted shelters' }, countries: [{ code: 'KE', percentage: 100 }] });
  await deleteActivity(env.ctx(), deleted.id);
  ids.deleted = deleted.id;
});
afterAll(() => env.close());

const idsOf = async (actor: Actor, query: string) => (await listActivities(env.ctx(actor), parseActivityFilters(new URLSearchParams(query)), { lang: 'en' })).items.map((i) => i.id);
const sorted = (list: string[]) => [...list].sort();

describe('listActivities: visibility', () => {
  it('shows visitors the public records only, never deleted ones', async () => {
    expect(sorted(await idsOf(anonymous, ''))).toEqual(sorted([ids.publicKenya!, ids.publicBrazil!, ids.publicRegion!]));
  });

  it('shows a signed-in person without an organization the public records only', async () => {
    expect(sorted(await idsOf(loner.actor, ''))).toEqual(sorted([ids.publicKenya!, ids.publicBrazil!, ids.publicRegion!]));
  });

  it('shows staff of another member organization the public and members-only records', async () => {
    expect(sorted(await idsOf(staffB.actor, ''))).toEqual(sorted([ids.publicKenya!, ids.membersUganda!, ids.publicBrazil!, ids.publicRegion!]));
  });

  it('shows a restricted record to the organization it is shared with', async () => {
    expect(await idsOf(staffC.actor, '')).toContain(ids.restrictedFrance);
    expect(await idsOf(staffC.actor, '')).not.toContain(ids.draftKenya);
  });

  it('shows the owner organization its drafts and restricted records', async () => {
    const seen = await idsOf(staffA.actor, '');
    expect(seen).toContain(ids.draftKenya);
    expect(seen).toContain(ids.restrictedFrance);
    expect(seen).not.toContain(ids.deleted);
  });

  it('shows coordinators every live record', async () => {
    expect(sorted(await idsOf(coordinator.actor, ''))).toEqual(sorted(Object.entries(ids).filter(([k]) => k !== 'deleted').map(([, v]) => v)));
  });

  it('counts facets only over what the actor may see', async () => {
    const { facets, total } = await activityFacets(env.ctx(anonymous), parseActivityFilters({}), { lang: 'en' });
    expect(total).toBe(3);
    expect(facets.country.find((c) => c.code === 'FR')).toBeUndefined();
    expect(facets.country.find((c) => c.code === 'KE')?.count).toBe(1);
  });
});

describe('listActivities: filters', () => {
  const as = () => coordinator.actor;

  it('filters by country, repeatable, as any of the values', async () => {
    expect(sorted(await idsOf(as(), 'country=KE'))).toEqual(sorted([ids.publicKenya!, ids.draftKenya!]));
    expect(sorted(await idsOf(as(), 'country=BR&country=fr'))).toEqual(sorted([ids.publicBrazil!, ids.restrictedFrance!]));
    expect(sorted(await idsOf(as(), 'country=BR,FR'))).toEqual(sorted([ids.publicBrazil!, ids.restrictedFrance!]));
  });

  it('filters by an M49 region, including its sub-regions, countries and recipient regions', async () => {
    // 002 Africa: Kenya, Namibia, Uganda by country; the East African dialogue by its region 014.
    expect(sorted(await idsOf(as(), 'region=002'))).toEqual(sorted([ids.publicKenya!, ids.membersUganda!, ids.draftKenya!, ids.publicRegion!]));
    // 014 Eastern Africa: not Namibia-only records, but Kenya and Uganda are inside.
    expect(sorted(await idsOf(as(), 'region=014'))).toEqual(sorted([ids.publicKenya!, ids.membersUganda!, ids.draftKenya!, ids.publicRegion!]));
    expect(await idsOf(as(), 'region=419')).toEqual([ids.publicBrazil]);
    expect(await idsOf(as(), 'region=150')).toEqual([ids.restrictedFrance]);
  });

  it('filters by each classification', async () => {
    expect(sorted(await idsOf(as(), 'pillar=prevention'))).toEqual(sorted([ids.membersUganda!, ids.draftKenya!, ids.publicBrazil!]));
    expect(await idsOf(as(), 'exploitationForm=forced-labour')).toEqual(expect.arrayContaining([ids.membersUganda]));
    expect(await idsOf(as(), 'targetGroup=girls')).toEqual([ids.publicKenya]);
    expect(await idsOf(as(), 'context=online-technology')).toEqual([ids.publicBrazil]);
    expect(sorted(await idsOf(as(), 'sdgTarget=8.7'))).toEqual(sorted([ids.membersUganda!, ids.publicBrazil!]));
  });

  it('combines facets with AND and values within a facet with OR', async () => {
    expect(await idsOf(as(), 'pillar=prevention&country=KE')).toEqual([ids.draftKenya]);
    expect(sorted(await idsOf(as(), 'pillar=prevention&pillar=protection&country=KE'))).toEqual(sorted([ids.draftKenya!, ids.publicKenya!]));
    expect(await idsOf(as(), 'pillar=prosecution&country=KE')).toEqual([]);
  });

  it('filters by organization as owner or participant, and by role', async () => {
    // B owns Brazil and the regional dialogue, and funds the Kenya shelters.
    expect(sorted(await idsOf(as(), `organization=${orgB.id}`))).toEqual(sorted([ids.publicKenya!, ids.publicBrazil!, ids.publicRegion!]));
    expect(sorted(await idsOf(as(), `organization=${orgB.id}&organizationRole=owner`))).toEqual(sorted([ids.publicBrazil!, ids.publicRegion!]));
    expect(await idsOf(as(), `organization=${orgB.id}&organizationRole=funding`)).toEqual([ids.publicKenya]);
    expect(await idsOf(as(), `organization=${orgB.id}&organizationRole=accountable`)).toEqual([]);
  });

  it('filters by status', async () => {
    expect(await idsOf(as(), 'status=4')).toEqual([ids.publicBrazil]);
    expect(sorted(await idsOf(as(), 'status=3&status=4'))).toEqual(sorted([ids.publicBrazil!, ids.restrictedFrance!]));
  });

  it('keeps activities whose dates overlap the period', async () => {
    // Uganda ran in 2022; Brazil 2019–2020; the Kenya shelters are planned 2024 to mid-2025.
    expect(await idsOf(as(), 'from=2022-06-01&to=2022-06-30')).toEqual([ids.membersUganda]);
    expect(sorted(await idsOf(as(), 'from=2020-12-31&to=2022-03-01'))).toEqual(sorted([ids.membersUganda!, ids.publicBrazil!]));
    expect(await idsOf(as(), 'from=2025-07-01')).not.toContain(ids.publicKenya);
    expect(await idsOf(as(), 'to=2018-12-31')).toEqual([]);
  });

  it('finds words in any of the six languages, folding accents and segmenting Chinese', async () => {
    expect(await idsOf(as(), 'q=shelters')).toEqual([ids.publicKenya]);
    expect(await idsOf(as(), 'q=вербовки')).toEqual([ids.publicBrazil]);
    expect(await idsOf(as(), 'q=التجنيد')).toEqual([ids.publicBrazil]);
    expect(await idsOf(as(), `q=${encodeURIComponent('招募')}`)).toEqual([ids.publicBrazil]);
    expect(await idsOf(as(), 'q=%22labour+inspection%22')).toEqual([ids.membersUganda]);
    expect(await idsOf(as(), 'q=training+-uganda')).toEqual([]);
  });

  it('refuses a malformed filter naming the parameter', () => {
    expect(() => parseActivityFilters({ country: 'Kenya' })).toThrow(/alpha-2/);
    expect(() => parseActivityFilters({ limit: '500' })).toThrow();
    expect(() => parseActivityFilters({ from: '2024-13-01' })).toThrow();
  });
});

describe('activityFacets', () => {
  const facets = async (query: string, actor: Actor = coordinator.actor, lang = 'en') =>
    activityFacets(env.ctx(actor), parseActivityFilters(new URLSearchParams(query)), { lang });
  const count = (values: { code: string; count: number }[], code: string) => values.find((v) => v.code === code)?.count;

  it('counts every value of each facet under no filter', async () => {
    const { facets: f, total } = await facets('');
    expect(total).toBe(6);
    expect(count(f.pillar, 'prevention')).toBe(3);
    expect(count(f.pillar, 'partnerships')).toBe(2);
    expect(count(f.country, 'KE')).toBe(2);
    expect(count(f.country, 'NA')).toBe(1);
    expect(count(f.status, '2')).toBe(4);
    expect(count(f.sdgTarget, '8.7')).toBe(2);
    expect(count(f.organization, orgA.id)).toBe(4);
    expect(count(f.organization, orgB.id)).toBe(3);
    expect(count(f.region, '002')).toBe(4);
    expect(count(f.region, '014')).toBe(4);
    expect(count(f.region, '018')).toBe(1);
    expect(count(f.region, '150')).toBe(1);
  });

  it('applies every filter but its own to each facet', async () => {
    const { facets: f, total } = await facets('pillar=prevention&country=KE');
    expect(total).toBe(1);
    // Pillar counts under country=KE only: the Kenya shelters (protection) and the Kenya draft (prevention).
    expect(count(f.pillar, 'prevention')).toBe(1);
    expect(count(f.pillar, 'protection')).toBe(1);
    expect(f.pillar.find((p) => p.code === 'prevention')?.selected).toBe(true);
    // Country counts under pillar=prevention only: KE (draft), UG, BR.
    expect(count(f.country, 'KE')).toBe(1);
    expect(count(f.country, 'UG')).toBe(1);
    expect(count(f.country, 'BR')).toBe(1);
    expect(count(f.country, 'NA')).toBeUndefined();
    // Other facets under both filters: just the draft (in implementation).
    expect(count(f.status, '2')).toBe(1);
    expect(count(f.status, '4')).toBe(0);
    expect(count(f.organization, orgA.id)).toBe(1);
  });

  it('keeps a selected value with no match so that it can be unticked', async () => {
    const { facets: f } = await facets('country=JP');
    expect(f.country.find((c) => c.code === 'JP')).toMatchObject({ count: 0, selected: true, label: 'Japan' });
  });

  it('counts organizations by the chosen role', async () => {
    const { facets: f } = await facets(`organizationRole=funding&organization=${orgB.id}`);
    expect(count(f.organization, orgB.id)).toBe(1);
    expect(count(f.organization, orgA.id)).toBeUndefined();
  });

  it('labels values in the page language', async () => {
    const { facets: f } = await facets('', coordinator.actor, 'fr');
    expect(f.country.find((c) => c.code === 'KE')?.label).toBe('Kenya');
    expect(f.status.find((c) => c.code === '2')?.label).toBe('Mise en œuvre');
    expect(f.region.find((c) => c.code === '002')?.label).toBe('Afrique');
  });

  it('counts again after any change, whoever made it (the cached counts are dropped)', async () => {
    const before = await facets('country=JP');
    const added = await makeActivity(env, orgC.id, { title: { en: 'Japan counts' }, countries: [{ code: 'JP', percentage: 100 }] });
    const after = await facets('country=JP');
    expect(after.total).toBe(before.total + 1);
    expect(count(after.facets.country, 'JP')).toBe(1);
    await deleteActivity(env.ctx(), added.id);
    expect((await facets('country=JP')).total).toBe(before.total);
  });

  it('counts under the text query and the period as well', async () => {
    const { total, facets: f } = await facets('q=monitoring');
    expect(total).toBe(1);
    expect(count(f.country, 'BR')).toBe(1);
    expect(count(f.country, 'KE')).toBeUndefined();
  });
});

describe('cursor pagination', () => {
  it('walks every record once in each order, even when records are added between pages', async () => {
    for (const sort of ['updated', 'title', 'start']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      let extra = 0;
      do {
        const page = await listActivities(env.ctx(coordinator.actor), parseActivityFilters({ sort, limit: '2', ...(cursor ? { cursor } : {}) }), { lang: 'en' });
        seen.push(...page.items.map((i) => i.id));
        cursor = page.nextCursor;
        if (extra++ === 0) await makeActivity(env, orgC.id, { visibility: 'draft', title: { en: `Added during paging ${sort}` } });
      } while (cursor);
      expect(new Set(seen).size, sort).toBe(seen.length);
      for (const id of Object.entries(ids).filter(([k]) => k !== 'deleted').map(([, v]) => v)) expect(seen, sort).toContain(id);
    }
  });

  it('sorts by title in the page language and by start date', async () => {
    const titles = (await listActivities(env.ctx(anonymous), parseActivityFilters({ sort: 'title' }), { lang: 'en' })).items.map((i) => i.displayTitle);
    expect(titles).toEqual([...titles].sort((a, b) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1)));
    const starts = (await listActivities(env.ctx(anonymous), parseActivityFilters({ sort: 'start' }), { lang: 'en' })).items.map((i) => i.actualStart ?? i.plannedStart ?? '9999');
    expect(starts).toEqual([...starts].sort());
  });

  it('ranks by relevance with a text query and pages through the ranking', async () => {
    const first = await listActivities(env.ctx(coordinator.actor), parseActivityFilters({ q: 'kenya or uganda or brazil or online', limit: '1' }), { lang: 'en' });
    expect(first.sort).toBe('relevance');
    expect(first.nextCursor).not.toBeNull();
    const second = await listActivities(env.ctx(coordinator.actor), parseActivityFilters({ q: 'kenya or uganda or brazil or online', limit: '1', cursor: first.nextCursor! }), { lang: 'en' });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
  });

  it('refuses a cursor of another sort order or a forged one', async () => {
    const page = await listActivities(env.ctx(anonymous), parseActivityFilters({ limit: '1' }));
    await expect(listActivities(env.ctx(anonymous), parseActivityFilters({ sort: 'title', cursor: page.nextCursor! }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(listActivities(env.ctx(anonymous), parseActivityFilters({ cursor: 'bm9wZQ' }))).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('GET /api/v1/activities', () => {
  it('answers items, facets, total and nextCursor, with the same filters as the page', async () => {
    const res = await env.app.request('/api/v1/activities?country=KE&limit=1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { items: { id: string; countries: { code: string; label: string }[] }[]; total: number; nextCursor: string | null; facets: Record<string, unknown[]> };
    expect(body.total).toBe(1);
    expect(body.items.map((i) => i.id)).toEqual([ids.publicKenya]);
    expect(body.items[0]?.countries).toContainEqual({ code: 'KE', label: 'Kenya' });
    expect(body.nextCursor).toBeNull();
    expect(Object.keys(body.facets).sort()).toEqual(['context', 'country', 'exploitationForm', 'organization', 'pillar', 'region', 'sdgTarget', 'status', 'targetGroup']);
  });

  it('names the parameter of a bad filter in a 422 problem', async () => {
    const res = await env.app.request('/api/v1/activities?country=Kenya');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors[0]?.path).toMatch(/country/);
  });

  it('shows a signed-in person what they may read', async () => {
    const client = new TestClient(env.app);
    await signIn(client, staffA);
    const body = (await (await client.request('/api/v1/activities?limit=200')).json()) as { items: { id: string }[] };
    expect(body.items.map((i) => i.id)).toContain(ids.draftKenya);
    const browse = await browseActivities(env.ctx(anonymous), parseActivityFilters({}));
    expect(browse.items.map((i) => i.id)).not.toContain(ids.draftKenya);
  });
});
