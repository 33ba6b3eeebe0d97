import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activityDataOf } from '../../src/domain/activities/activity-mapping.ts';
import type { Activity } from '../../src/domain/activities/activity-schemas.ts';
import { deleteActivity } from '../../src/domain/activities/delete-activity.ts';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { countPendingSuggestionsFor, listPendingSuggestions } from '../../src/domain/activities/list-pending-suggestions.ts';
import { updateActivity } from '../../src/domain/activities/save-activity.ts';
import { anonymous, type TokenActor } from '../../src/domain/actor.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { makeActivity } from '../support/activities.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';
import { inlineCode, readableText, untranslatedKeys } from '../support/html.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let staffA: TestUser;
let staffB: TestUser;
let admin: TestUser;
let outsider: TestUser;
/** Org A's activities awaiting review, oldest first. */
let pendingA: Activity[];
let pendingB: Activity;

const suggestions = { pillars: ['prosecution', 'protection'], exploitationForms: ['sexual-exploitation'] };

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  staffA = await makeUser(env, { role: 'staff', org: orgA });
  staffB = await makeUser(env, { role: 'staff', org: orgB });
  admin = await makeUser(env, { role: 'administrator' });
  outsider = await makeUser(env, { role: 'none' });
  pendingA = [];
  for (let i = 0; i < 3; i++) pendingA.push(await makeActivity(env, orgA.id, { title: { en: `Pending A${i}: shelters and legal aid` }, suggestions }));
  pendingB = await makeActivity(env, orgB.id, { title: { en: 'Pending B: a hotline' }, visibility: 'draft', suggestions });
  // Neither a reviewed activity nor a deleted one awaits review.
  await makeActivity(env, orgA.id, { title: { en: 'Reviewed A' } });
  const deleted = await makeActivity(env, orgA.id, { title: { en: 'Deleted A' }, suggestions });
  await deleteActivity(env.ctx(), deleted.id, { version: deleted.version });
});
afterAll(() => env.close());

/** The text a reader sees, with runs of white space as one space. */
const plain = (html: string) => readableText(html).replace(/\s+/g, ' ');
const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);

describe('listPendingSuggestions', () => {
  it('shows a member the pending activities of their own organization only, newest first, with their suggestions and versions', async () => {
    const page = await listPendingSuggestions(env.ctx(staffA.actor));
    expect(ids(page)).toEqual(pendingA.map((a) => a.id).reverse());
    expect(page.total).toBe(3);
    expect(page.nextCursor).toBeNull();
    expect(page.owners).toEqual([]);
    expect(page.items[0]).toMatchObject({ version: pendingA[2]!.version, suggestions, owner: { id: orgA.id, acronym: orgA.acronym } });

    const b = await listPendingSuggestions(env.ctx(staffB.actor));
    expect(ids(b)).toEqual([pendingB.id]);
    expect(ids(b)).not.toContain(pendingA[0]!.id);
  });

  it('refuses visitors, people who edit no organization’s activities, read-only tokens, and an owner filter the member may not edit', async () => {
    await expect(listPendingSuggestions(env.ctx(anonymous))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(listPendingSuggestions(env.ctx(outsider.actor))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const readOnly: TokenActor = { ...staffA.actor, kind: 'token', tokenId: 'tok_test', scopes: ['read'] };
    await expect(listPendingSuggestions(env.ctx(readOnly))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(listPendingSuggestions(env.ctx(staffA.actor), { owner: orgB.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // A failure named by an earlier review is only named to those who may see it (B's draft is not A's).
    const named = await listPendingSuggestions(env.ctx(staffA.actor), { named: [pendingB.id, pendingA[0]!.id] });
    expect(Object.keys(named.named)).toEqual([pendingA[0]!.id]);
  });

  it('shows an administrator every owner’s, with a filter by owner and its counts', async () => {
    const all = await listPendingSuggestions(env.ctx(admin.actor));
    expect(ids(all)).toEqual([pendingB.id, ...pendingA.map((a) => a.id).reverse()]);
    const byAcronym = [orgA, orgB].sort((x, y) => x.acronym.toLowerCase().localeCompare(y.acronym.toLowerCase()));
    expect(all.owners.filter((o) => o.id === orgA.id || o.id === orgB.id).map((o) => [o.id, o.pending])).toEqual(byAcronym.map((o) => [o.id, o.id === orgA.id ? 3 : 1]));
    const onlyB = await listPendingSuggestions(env.ctx(admin.actor), { owner: orgB.id });
    expect(ids(onlyB)).toEqual([pendingB.id]);
    expect(onlyB.total).toBe(1);
  });

  it('pages by keyset without repeating or skipping, and refuses a cursor it did not issue', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    for (let n = 0; n < 5; n++) {
      const page = await listPendingSuggestions(env.ctx(admin.actor), { limit: 3, after });
      seen.push(...ids(page));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    expect(seen).toEqual([pendingB.id, ...pendingA.map((a) => a.id).reverse()]);
    await expect(listPendingSuggestions(env.ctx(admin.actor), { after: 'bm90LWEtY3Vyc29y' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('counts for the activity list’s badge, without a query for those who review nothing', async () => {
    expect(await countPendingSuggestionsFor(env.ctx(staffA.actor))).toBe(3);
    expect(await countPendingSuggestionsFor(env.ctx(staffB.actor))).toBe(1);
    expect(await countPendingSuggestionsFor(env.ctx(outsider.actor))).toBe(0);
    expect(await countPendingSuggestionsFor(env.ctx(anonymous))).toBe(0);
  });
});

describe('the review page', () => {
  let org: Organization;
  let focal: TestUser;
  let client: TestClient;
  let rows: Activity[];

  beforeAll(async () => {
    org = await makeOrg(env);
    focal = await makeUser(env, { role: 'focal_point', org });
    client = new TestClient(env.app);
    await signIn(client, focal);
    rows = [];
    for (const name of ['Stale', 'Reviewed', 'Later']) rows.push(await makeActivity(env, org.id, { title: { en: `${name} row: safe migration desks` }, suggestions }));
  });

  it('lists the pending activities as one form: each suggested term a ticked checkbox with its label, the version hidden, a decision per row', async () => {
    const res = await client.request('/activities/suggestions');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(untranslatedKeys(html)).toEqual([]);
    expect(inlineCode(html)).toEqual([]);
    expect(html.match(/<form method="post" action="\/activities\/suggestions"/g)).toHaveLength(1);
    expect(html).toContain('name="_csrf"');
    for (const a of rows) {
      expect(html).toContain(`<a href="/activities/${a.id}">${a.title.en}</a>`);
      expect(html).toContain(`name="version.${a.id}" value="${a.version}"`);
      expect(html).toMatch(new RegExp(`name="accept\\.${a.id}\\.pillars" value="prosecution" checked`));
      expect(html).toContain(`name="decision.${a.id}"`);
    }
    const text = plain(html);
    expect(text).toContain('Protection');
    expect(text).toContain('Sexual exploitation');
    expect(text).toContain('3 activities awaiting review');
    expect(text).toContain(org.acronym);
    expect(html).not.toContain(pendingA[0]!.id);
  });

  it('saves ticked terms and dismisses unticked ones, leaves "later" rows alone, and reports a row changed meanwhile without holding back the others', async () => {
    const [stale, reviewed, later] = rows as [Activity, Activity, Activity];
    // Someone else edits the first row after the page was opened.
    await updateActivity(env.ctx(), stale.id, { ...activityDataOf(stale), title: { en: 'Stale row: renamed meanwhile' }, version: stale.version });
    const res = await client.postForm('/activities/suggestions', {
      row: rows.map((a) => a.id),
      ...Object.fromEntries(rows.map((a) => [`version.${a.id}`, String(a.version)])),
      [`decision.${stale.id}`]: 'review',
      [`accept.${stale.id}.pillars`]: ['protection'],
      [`decision.${reviewed.id}`]: 'review',
      [`accept.${reviewed.id}.pillars`]: ['protection'],
      [`decision.${later.id}`]: 'later',
      [`accept.${later.id}.pillars`]: ['protection', 'prosecution'],
    });
    expect(res.status).toBe(303);
    const location = res.headers.get('location') ?? '';
    expect(location).toMatch(/^\/activities\/suggestions\?/);

    const [stale2, reviewed2, later2] = await Promise.all(rows.map((a) => getActivity(env.ctx(), a.id)));
    expect(reviewed2!.classification.pillars).toEqual([...new Set([...reviewed.classification.pillars, 'protection'])]);
    expect(reviewed2!.classification.pillars).not.toContain('prosecution');
    expect(reviewed2!.classification.exploitationForms).toEqual(reviewed.classification.exploitationForms);
    expect(reviewed2!.suggestions ?? {}).toEqual({});
    expect(reviewed2!.version).toBe(reviewed.version + 1);
    expect(later2!.version).toBe(later.version);
    expect(later2!.suggestions).toEqual(suggestions);
    expect(stale2!.version).toBe(stale.version + 1);
    expect(stale2!.suggestions).toEqual(suggestions);
    expect(stale2!.classification.pillars).toEqual(stale.classification.pillars);

    const page = await client.request(location);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(untranslatedKeys(html)).toEqual([]);
    const text = plain(html);
    expect(text).toContain('1 activity reviewed and saved. 1 left for later.');
    expect(text).toContain('1 activity could not be saved');
    expect(text).toContain('Stale row: renamed meanwhile — changed since you opened the page; review it again');
    // What is left to review: the row left for later and the one to review again, each once.
    expect(html.match(new RegExp(`name="version\\.${later.id}"`, 'g'))).toHaveLength(1);
    expect(html).toContain(`name="version.${stale.id}" value="${stale2!.version}"`);
    expect(html).not.toContain(`name="version.${reviewed.id}"`);
  });

  it('refuses a post without the anti-forgery token, changing nothing', async () => {
    const a = await getActivity(env.ctx(), rows[2]!.id);
    const body = new URLSearchParams([
      ['row', a.id],
      [`version.${a.id}`, String(a.version)],
      [`decision.${a.id}`, 'review'],
    ]);
    const res = await client.request('/activities/suggestions', { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(403);
    expect((await getActivity(env.ctx(), a.id)).version).toBe(a.version);
  });

  it('says when there is nothing to review, and sends visitors to sign in', async () => {
    const calm = await makeUser(env, { role: 'staff' });
    const c = new TestClient(env.app);
    await signIn(c, calm);
    const html = await (await c.request('/activities/suggestions')).text();
    expect(plain(html)).toContain('Nothing to review.');
    expect(html).not.toContain('method="post" action="/activities/suggestions"');
    const visitor = await new TestClient(env.app).request('/activities/suggestions');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toMatch(/^\/sign-in\?next=/);
  });

  it('is linked from the activity list, with a count, for those who have suggestions to review', async () => {
    const html = await (await client.request('/activities')).text();
    expect(html).toMatch(/<a class="button button-secondary" href="\/activities\/suggestions">Review suggestions <span class="badge badge-info">2<\/span><\/a>/);
    const calm = await makeUser(env, { role: 'staff' });
    const c = new TestClient(env.app);
    await signIn(c, calm);
    expect(await (await c.request('/activities')).text()).not.toContain('href="/activities/suggestions"');
    expect(await (await new TestClient(env.app).request('/activities')).text()).not.toContain('href="/activities/suggestions"');
  });

  it('speaks every interface language', async () => {
    for (const lang of ['fr', 'es', 'ar', 'zh', 'ru']) {
      const html = await (await client.request(`/activities/suggestions?lang=${lang}`)).text();
      expect(untranslatedKeys(html), lang).toEqual([]);
    }
  });
});
