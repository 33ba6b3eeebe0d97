import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalSearchQuery } from '../../src/domain/alerts/alert-schemas.ts';
import { createSavedSearch, getSavedSearch, listSavedSearches, openSavedSearch, updateSavedSearch } from '../../src/domain/alerts/saved-searches.ts';
import { sendDueDigests } from '../../src/domain/alerts/send-digests.ts';
import { confirmSubscription, subscribeToSearch, SUBSCRIBE_LIMITS, unsubscribe } from '../../src/domain/alerts/subscriptions.ts';
import { anonymous } from '../../src/domain/actor.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, type TestUser } from '../support/factories.ts';
import { makeActivity } from '../support/activities.ts';
import { makePublication, publicationInput } from '../support/publications.ts';
import { updatePublication } from '../../src/domain/publications/save-publication.ts';

let env: TestEnv;
let orgA: Organization;
let orgB: Organization;
let orgC: Organization;
let staffA: TestUser;
let n = 0;
/** A word no other test uses, so each test's searches see only its own records. */
const word = () => `zq${Date.now().toString(36)}x${++n}`;

beforeAll(async () => {
  env = await createTestEnv();
  orgA = await makeOrg(env);
  orgB = await makeOrg(env);
  orgC = await makeOrg(env);
  staffA = await makeUser(env, { org: orgA });
});
afterAll(() => env.close());

/** Moves every stored moment of records and saved searches back: as if that much time had passed. */
async function travel(hours: number) {
  const by = sql`make_interval(hours => ${hours})`;
  await sql`update publications set first_published_at = first_published_at - ${by} where first_published_at is not null`.execute(env.db.kysely);
  await sql`update activities set first_published_at = first_published_at - ${by} where first_published_at is not null`.execute(env.db.kysely);
  await sql`update saved_searches set created_at = created_at - ${by}, last_visited_at = last_visited_at - ${by}, alert_watermark = alert_watermark - ${by},
              alert_checked_at = alert_checked_at - ${by}, confirm_expires_at = confirm_expires_at - ${by}`.execute(env.db.kysely);
  await sql`update sign_in_throttle set window_start = window_start - ${by}, locked_until = locked_until - ${by}`.execute(env.db.kysely);
}

const publish = (title: string, o: Parameters<typeof makePublication>[2] = {}, owner = orgA.id) =>
  makePublication(env, owner, { languages: [{ lang: 'en', title, summary: '', keyQuestions: [], body: '' }], ...o });

async function mailsTo(address: string) {
  return env.db.kysely.selectFrom('mail_outbox').selectAll().where('to_address', '=', address).orderBy('id').execute();
}

async function confirmedSubscriber(q: string, o: { email?: string; language?: 'en' | 'fr'; frequency?: 'daily' | 'weekly' } = {}) {
  const email = o.email ?? `reader.${word()}@example.org`;
  await subscribeToSearch(env.ctx(anonymous), { email, query: `q=${q}`, frequency: o.frequency ?? 'daily', language: o.language ?? 'en' });
  const mail = (await mailsTo(email)).at(-1)!;
  const token = /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!;
  await confirmSubscription(env.ctx(anonymous), token);
  return { email, token };
}

describe('the stored form of a search', () => {
  it('sorts every list, keeps each value once and leaves the page out', () => {
    expect(canonicalSearchQuery('?theme=pillar:protection&q=labour&theme=pillar:prevention&page=3&theme=pillar:protection')).toBe(
      'q=labour&theme=pillar%3Aprevention&theme=pillar%3Aprotection',
    );
    expect(canonicalSearchQuery('/library?kind=issue_brief&q=x')).toBe(canonicalSearchQuery('q=x&kind=issue_brief'));
    expect(canonicalSearchQuery('')).toBe('');
  });

  it('refuses filters that are not valid, naming the field', () => {
    expect(() => canonicalSearchQuery('kind=novel')).toThrow(expect.objectContaining({ code: 'VALIDATION_FAILED', fields: [expect.objectContaining({ path: 'query' })] }));
  });
});

describe('new matches since the last visit', () => {
  it('count records first published since the watermark that the person may see, and reset when the search is opened', async () => {
    const q = word();
    await publish(`${q} before saving`);
    const saved = await createSavedSearch(env.ctx(staffA.actor), { name: 'Mine', query: `q=${q}` });
    expect(saved.newMatches).toBe(0);

    await publish(`${q} public`);
    await publish(`${q} draft`, { status: 'draft' });
    await publish(`${q} members`, { visibility: 'members' }, orgB.id);
    await publish(`${q} restricted elsewhere`, { visibility: 'restricted', sharedWith: [orgC.id] }, orgB.id);
    await publish(`${q} restricted shared`, { visibility: 'restricted', sharedWith: [orgA.id] }, orgB.id);
    await makeActivity(env, orgA.id, { title: { en: `${q} activity` } });
    await makeActivity(env, orgB.id, { title: { en: `${q} draft activity` }, visibility: 'draft' });

    // public + members (staff A is a member person) + shared with A + the public activity
    expect((await getSavedSearch(env.ctx(staffA.actor), saved.id)).newMatches).toBe(4);
    const outsider = await makeUser(env, { role: 'none' });
    const theirs = await createSavedSearch(env.ctx(outsider.actor), { name: 'Theirs', query: `q=${q}` });
    await travel(1);
    await publish(`${q} later restricted`, { visibility: 'restricted', sharedWith: [orgC.id] }, orgB.id);
    await publish(`${q} later public`);
    expect((await getSavedSearch(env.ctx(outsider.actor), theirs.id)).newMatches).toBe(1);

    expect(await openSavedSearch(env.ctx(staffA.actor), saved.id)).toEqual({ url: `/library?q=${q}` });
    expect((await listSavedSearches(env.ctx(staffA.actor))).find((s) => s.id === saved.id)?.newMatches).toBe(0);
  });

  it('count a draft once it is published, not when it was written', async () => {
    const q = word();
    const draft = await publish(`${q} old draft`, { status: 'draft' });
    await travel(24);
    const saved = await createSavedSearch(env.ctx(staffA.actor), { name: 'Drafts', query: `q=${q}` });
    expect((await getSavedSearch(env.ctx(staffA.actor), saved.id)).newMatches).toBe(0);
    await updatePublication(env.ctx(), draft.id, { ...publicationInput(orgA.id, { languages: [{ lang: 'en', title: `${q} old draft`, summary: '', keyQuestions: [], body: '' }] }), version: draft.version });
    expect((await getSavedSearch(env.ctx(staffA.actor), saved.id)).newMatches).toBe(1);
  });

  it('refuse the same search twice and another person’s search', async () => {
    const q = word();
    const saved = await createSavedSearch(env.ctx(staffA.actor), { name: 'Once', query: `q=${q}&page=2` });
    await expect(createSavedSearch(env.ctx(staffA.actor), { name: 'Twice', query: `?q=${q}` })).rejects.toMatchObject({ code: 'CONFLICT' });
    const other = await makeUser(env);
    await expect(getSavedSearch(env.ctx(other.actor), saved.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(updateSavedSearch(env.ctx(other.actor), saved.id, { name: 'Mine now' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(createSavedSearch(env.ctx(anonymous), { name: 'Nobody', query: 'q=x' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('e-mail subscriptions', () => {
  it('send a confirmation in the reader’s language and nothing else until it is used; the link works once', async () => {
    const q = word();
    const email = `reader.${word()}@example.org`;
    await subscribeToSearch(env.ctx(anonymous), { email, query: `q=${q}`, frequency: 'daily', language: 'fr' });
    const [confirm] = await mailsTo(email);
    expect(confirm?.subject).toContain('Confirmez');
    const token = /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec(confirm!.text_body)![1]!;
    const row = await env.db.kysely.selectFrom('saved_searches').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.confirm_token_hash).not.toBe(token);
    expect(Object.keys(row).filter((k) => /ip|agent|name_of/.test(k))).toEqual([]);

    await publish(`${q} unconfirmed`);
    await travel(25);
    await sendDueDigests(env.ctx());
    expect(await mailsTo(email)).toHaveLength(1);

    await confirmSubscription(env.ctx(anonymous), token);
    await expect(confirmSubscription(env.ctx(anonymous), token)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('forget an unconfirmed subscription once its link expires', async () => {
    const email = `reader.${word()}@example.org`;
    await subscribeToSearch(env.ctx(anonymous), { email, query: `q=${word()}`, language: 'en' });
    const token = /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec((await mailsTo(email))[0]!.text_body)![1]!;
    await travel(49);
    await expect(confirmSubscription(env.ctx(anonymous), token)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await sendDueDigests(env.ctx());
    expect(await env.db.kysely.selectFrom('saved_searches').select('id').where('email', '=', email).execute()).toEqual([]);
  });

  it('limit requests per address so the form cannot flood a mailbox', async () => {
    const email = `victim.${word()}@example.org`;
    for (let i = 0; i < SUBSCRIBE_LIMITS.perEmail; i++) await subscribeToSearch(env.ctx(anonymous), { email, query: `q=${word()}`, language: 'en' });
    await expect(subscribeToSearch(env.ctx(anonymous), { email, query: `q=${word()}`, language: 'en' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(await mailsTo(email)).toHaveLength(SUBSCRIBE_LIMITS.perEmail);
    await travel(2);
    await subscribeToSearch(env.ctx(anonymous), { email, query: `q=${word()}`, language: 'en' });
    expect(await mailsTo(email)).toHaveLength(SUBSCRIBE_LIMITS.perEmail + 1);
  });

  it('limit requests per client address too', async () => {
    const ctx = { ...env.ctx(anonymous), ip: `203.0.113.${n % 250}` };
    for (let i = 0; i < SUBSCRIBE_LIMITS.perIp; i++) await subscribeToSearch(ctx, { email: `many.${word()}@example.org`, query: 'q=x', language: 'en' });
    await expect(subscribeToSearch(ctx, { email: `many.${word()}@example.org`, query: 'q=x', language: 'en' })).rejects.toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('digests', () => {
  it('list only what the reader may see, in their language, with unsubscribe headers, once', async () => {
    const q = word();
    const { email } = await confirmedSubscriber(q, { language: 'fr' });
    await publish(`${q} public brief`);
    await publish(`${q} restricted brief`, { visibility: 'restricted', sharedWith: [orgA.id] });
    await publish(`${q} members brief`, { visibility: 'members' });
    await publish(`${q} draft brief`, { status: 'draft' });
    await travel(25);

    const first = await sendDueDigests(env.ctx());
    expect(first.sent).toBeGreaterThanOrEqual(1);
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(2);
    const digest = mails[1]!;
    expect(digest.subject).toBe(`1 nouveau résultat pour « ${q} »`);
    expect(digest.text_body).toContain(`${q} public brief`);
    expect(digest.text_body).not.toMatch(/restricted brief|members brief|draft brief/);
    expect(digest.html_body).toContain(`${q} public brief`);
    expect(digest.text_body).toContain(`http://localhost/library?q=${q}`);
    const unsubscribeUrl = /http:\/\/localhost\/alerts\/unsubscribe\/[A-Za-z0-9_-]+/.exec(digest.text_body)![0];
    expect(digest.headers).toEqual({ 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' });

    await sendDueDigests(env.ctx());
    await travel(25);
    await sendDueDigests(env.ctx());
    expect(await mailsTo(email)).toHaveLength(2);
  });

  it('send nothing when nothing is new, and keep the weekly rhythm', async () => {
    const q = word();
    const { email } = await confirmedSubscriber(q, { frequency: 'weekly' });
    await travel(24 * 8);
    await sendDueDigests(env.ctx());
    expect(await mailsTo(email)).toHaveLength(1);
    await publish(`${q} this week`);
    await travel(24 * 3);
    await sendDueDigests(env.ctx());
    expect(await mailsTo(email)).toHaveLength(1);
    await travel(24 * 5);
    await sendDueDigests(env.ctx());
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toBe(`1 new result for “${q}”`);
  });

  it('go to a person in their language with their own rights, and stop when they unsubscribe', async () => {
    const q = word();
    const staffB = await makeUser(env, { org: orgB, preferredLanguage: 'fr' });
    const saved = await createSavedSearch(env.ctx(staffB.actor), { name: 'Veille', query: `q=${q}`, frequency: 'daily' });
    await publish(`${q} of B`, { visibility: 'restricted', sharedWith: [orgC.id] }, orgB.id);
    await publish(`${q} of A only`, { visibility: 'restricted', sharedWith: [orgC.id] });
    await travel(25);
    await sendDueDigests(env.ctx());
    const [digest] = await mailsTo(staffB.email);
    expect(digest?.subject).toBe('1 nouveau résultat pour « Veille »');
    expect(digest?.text_body).toContain(`${q} of B`);
    expect(digest?.text_body).not.toContain(`${q} of A only`);
    expect(digest?.text_body).toContain('http://localhost/account/searches');

    const token = /\/alerts\/unsubscribe\/([A-Za-z0-9_-]+)/.exec(digest!.text_body)![1]!;
    await unsubscribe(env.ctx(anonymous), token);
    expect((await getSavedSearch(env.ctx(staffB.actor), saved.id)).frequency).toBe('none');
    await publish(`${q} after`, { visibility: 'restricted', sharedWith: [orgC.id] }, orgB.id);
    await travel(25);
    await sendDueDigests(env.ctx());
    expect(await mailsTo(staffB.email)).toHaveLength(1);
  });

  it('start an alert switched on later from that moment, not from when the search was saved', async () => {
    const q = word();
    const saved = await createSavedSearch(env.ctx(staffA.actor), { name: 'Later', query: `q=${q}` });
    await publish(`${q} before the alert`);
    await travel(48);
    await updateSavedSearch(env.ctx(staffA.actor), saved.id, { frequency: 'daily' });
    await travel(25);
    const before = (await mailsTo(staffA.email)).length;
    await sendDueDigests(env.ctx());
    expect(await mailsTo(staffA.email)).toHaveLength(before);
  });

  it('are sent once when two senders run at the same time', async () => {
    const q = word();
    const readers = [];
    for (let i = 0; i < 6; i++) readers.push(await confirmedSubscriber(q));
    await publish(`${q} for everyone`);
    await travel(25);
    const runs = await Promise.all([sendDueDigests(env.ctx()), sendDueDigests(env.ctx())]);
    for (const r of readers) expect(await mailsTo(r.email)).toHaveLength(2);
    expect(runs.every((r) => r.failed.length === 0)).toBe(true);
  });

  it('may be sent by administrators only', async () => {
    await expect(sendDueDigests(env.ctx(staffA.actor))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(sendDueDigests(env.ctx(anonymous))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
