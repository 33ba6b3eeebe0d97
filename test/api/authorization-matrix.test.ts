import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/domain/identity/invitations.ts';
import { openApiDocument, buildApi } from '../../src/http/api/index.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeToken, makeUser, signIn, type TestUser } from '../support/factories.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { deleteActivity } from '../../src/domain/activities/delete-activity.ts';
import { activityInput, makeActivity } from '../support/activities.ts';
import { uploadSpreadsheet } from '../../src/domain/activities/import-spreadsheet.ts';
import { uploadPublicationFile } from '../../src/domain/publications/publication-files.ts';
import { makePublication, publicationInput } from '../support/publications.ts';
import { makePdf } from '../support/pdf.ts';

/** A PDF upload as a browser or client sends it. */
function pdfForm(): FormData {
  const form = new FormData();
  form.set('file', new File([makePdf(['Matrix page'])], 'matrix.pdf', { type: 'application/pdf' }));
  form.set('lang', 'en');
  return form;
}
/** A public publication of organization A with one file. */
async function publicationWithFile(f: Fixtures) {
  const p = await makePublication(f.env, f.orgA.id);
  const { file } = await uploadPublicationFile(f.env.ctx(), p.id, { lang: 'en', fileName: 'matrix.pdf', bytes: makePdf(['Matrix page']) });
  return { p, file };
}
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { insertIatiJob } from '../../src/db/queries/iati-jobs.ts';
import { startIatiImport, whenIatiImportsIdle } from '../../src/domain/iati/import-jobs.ts';
import { newId } from '../../src/lib/ids.ts';
import { createSavedSearch } from '../../src/domain/alerts/saved-searches.ts';
import { subscribeToSearch } from '../../src/domain/alerts/subscriptions.ts';

/** A saved search of staff A. */
const savedSearchOfStaffA = async (f: Fixtures) => (await createSavedSearch(f.env.ctx(f.users.staffA.actor), { name: 'Matrix', query: `q=matrix-${f.seq()}` })).id;
/** A reader's subscription awaiting confirmation: its mailed confirmation token and its unsubscribe token. */
async function readerSubscription(f: Fixtures): Promise<{ confirm: string; unsubscribe: string }> {
  const email = `matrix.reader.${f.seq()}.${Date.now()}@example.org`;
  await subscribeToSearch(f.env.ctx(), { email, query: 'q=matrix', frequency: 'weekly' });
  const mail = await f.env.db.kysely.selectFrom('mail_outbox').select('text_body').where('to_address', '=', email).executeTakeFirstOrThrow();
  const row = await f.env.db.kysely.selectFrom('saved_searches').select('unsubscribe_token').where('email', '=', email).executeTakeFirstOrThrow();
  return { confirm: /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec(mail.text_body)![1]!, unsubscribe: row.unsubscribe_token };
}
const ownOnly: Record<Role, Outcome> = { anonymous: 'deny', staffA: 'ok', focalA: 'hidden', staffB: 'hidden', coordinator: 'hidden', administrator: 'hidden' };

const iatiXml = (id: string) =>
  `<iati-activities version="2.03"><iati-activity><iati-identifier>${id}</iati-identifier><reporting-org ref="XM-MATRIX-NONE" type="40"><narrative>M</narrative></reporting-org>` +
  '<title><narrative>Matrix</narrative></title><description><narrative>M</narrative></description><participating-org role="4"/><activity-status code="2"/><activity-date type="1" iso-date="2024-01-01"/></iati-activity></iati-activities>';

/** An IATI import of staff A: finished, or left interrupted by a killed process. */
async function iatiJobOfStaffA(f: Fixtures, interrupted = false): Promise<string> {
  if (!interrupted) {
    const job = await startIatiImport(f.env.ctx(f.users.staffA.actor), { fileName: 'matrix.xml', stream: Readable.from([iatiXml(`XM-MATRIX-J-${f.seq()}`)]) });
    await whenIatiImportsIdle();
    return job.id;
  }
  const id = newId('imp');
  const xml = iatiXml(`XM-MATRIX-J-${f.seq()}`);
  fs.mkdirSync(path.join(f.env.config.dataDir, 'iati-imports'), { recursive: true });
  fs.writeFileSync(path.join(f.env.config.dataDir, 'iati-imports', `${id}.xml`), xml);
  await insertIatiJob(f.env.db.kysely, { id, fileName: 'matrix.xml', fileKey: id, fileBytes: xml.length, options: {}, createdBy: f.users.staffA.id });
  await sql`update iati_import_jobs set status = 'interrupted' where id = ${id}`.execute(f.env.db.kysely);
  return id;
}

/** A one-activity IATI upload as a multipart form. */
function iatiForm(id: string): FormData {
  const form = new FormData();
  form.set('file', new File([iatiXml(id)], 'matrix.xml', { type: 'application/xml' }));
  return form;
}

/** A one-row spreadsheet upload as a browser or client sends it. */
function importForm(identifier: string, owner: string): FormData {
  const form = new FormData();
  form.set('file', new File([`iati_identifier,title_en,owner_org_id,visibility\n${identifier},Matrix import,${owner},draft\n`], 'matrix.csv', { type: 'text/csv' }));
  return form;
}

/**
 * Every API route × every kind of caller → allowed or denied. Routes are discovered from the
 * router and the OpenAPI document, so a new route without a row here fails this test.
 *
 * ok: a 2xx answer. deny: 401 for visitors, 403 for everyone else. hidden: 404 (the record
 * exists but is not this caller's to see, so its existence is not revealed).
 */
const ROLES = ['anonymous', 'staffA', 'focalA', 'staffB', 'coordinator', 'administrator'] as const;
type Role = (typeof ROLES)[number];
type Outcome = 'ok' | 'deny' | 'hidden';
type Fixtures = {
  env: TestEnv;
  orgA: Organization;
  orgB: Organization;
  users: Record<Exclude<Role, 'anonymous'>, TestUser>;
  seq: () => number;
};
/** `form`: a multipart body (a file upload) instead of JSON. */
type Req = { path: string; body?: unknown; form?: FormData };
type Entry = { request: (f: Fixtures, role: Role) => Req | Promise<Req>; expect: Record<Role, Outcome> };

const all = (o: Outcome): Record<Role, Outcome> => ({ anonymous: o, staffA: o, focalA: o, staffB: o, coordinator: o, administrator: o });
const signedIn = (o: Outcome): Record<Role, Outcome> => ({ ...all(o), anonymous: 'deny' });
const only = (...roles: Role[]): Record<Role, Outcome> =>
  Object.fromEntries(ROLES.map((r) => [r, roles.includes(r) ? 'ok' : 'deny'])) as Record<Role, Outcome>;

const version = async (f: Fixtures, table: 'users' | 'organizations', id: string) =>
  (await f.env.db.kysely.selectFrom(table).select('version').where('id', '=', id).executeTakeFirstOrThrow()).version;

const MATRIX: Record<string, Entry> = {
  'GET /api/v1/openapi.json': { request: () => ({ path: '/api/v1/openapi.json' }), expect: all('ok') },

  'GET /api/v1/organizations': { request: () => ({ path: '/api/v1/organizations' }), expect: all('ok') },
  'GET /api/v1/organizations/{id}': { request: (f) => ({ path: `/api/v1/organizations/${f.orgA.id}` }), expect: all('ok') },
  'POST /api/v1/organizations': {
    request: (f) => ({ path: '/api/v1/organizations', body: { kind: 'member', acronym: `MX${f.seq()}`, orgType: 'ngo', name: { en: 'Matrix org' } } }),
    expect: only('administrator'),
  },
  'PATCH /api/v1/organizations/{id}': {
    request: async (f) => ({ path: `/api/v1/organizations/${f.orgA.id}`, body: { version: await version(f, 'organizations', f.orgA.id), website: `https://a${f.seq()}.example` } }),
    expect: only('focalA', 'administrator'),
  },
  'POST /api/v1/organizations/{id}/archive': {
    request: async (f) => ({ path: `/api/v1/organizations/${(await makeOrg(f.env)).id}/archive` }),
    expect: only('administrator'),
  },
  'POST /api/v1/organizations/{id}/restore': {
    request: async (f) => ({ path: `/api/v1/organizations/${(await makeOrg(f.env)).id}/restore` }),
    expect: only('administrator'),
  },

  'GET /api/v1/me': { request: () => ({ path: '/api/v1/me' }), expect: signedIn('ok') },
  'GET /api/v1/users': { request: () => ({ path: '/api/v1/users' }), expect: only('coordinator', 'administrator') },
  'POST /api/v1/users': {
    request: (f) => ({ path: '/api/v1/users', body: { email: `matrix.${f.seq()}.${Date.now()}@example.org`, name: 'Matrix Person' } }),
    expect: only('administrator'),
  },
  'GET /api/v1/users/{id}': { request: (f) => ({ path: `/api/v1/users/${f.users.staffA.id}` }), expect: only('staffA', 'coordinator', 'administrator') },
  'PATCH /api/v1/users/{id}': {
    request: async (f) => ({ path: `/api/v1/users/${f.users.staffA.id}`, body: { version: await version(f, 'users', f.users.staffA.id), name: `Staff A ${f.seq()}` } }),
    expect: only('staffA', 'administrator'),
  },
  'PUT /api/v1/users/{id}/memberships': {
    request: async (f) => ({ path: `/api/v1/users/${(await makeUser(f.env, { role: 'none' })).id}/memberships`, body: { memberships: [{ organizationId: f.orgA.id, role: 'staff' }] } }),
    expect: only('administrator'),
  },

  'GET /api/v1/tokens': { request: () => ({ path: '/api/v1/tokens' }), expect: signedIn('ok') },
  'POST /api/v1/tokens': { request: () => ({ path: '/api/v1/tokens', body: { name: 'matrix', scopes: ['read'] } }), expect: signedIn('ok') },
  'DELETE /api/v1/tokens/{id}': {
    request: async (f) => ({ path: `/api/v1/tokens/${(await makeToken(f.env, f.users.staffA)).token.id}` }),
    expect: { anonymous: 'deny', staffA: 'ok', focalA: 'hidden', staffB: 'hidden', coordinator: 'hidden', administrator: 'ok' },
  },

  'GET /api/v1/saved-searches': { request: () => ({ path: '/api/v1/saved-searches' }), expect: signedIn('ok') },
  'POST /api/v1/saved-searches': { request: (f) => ({ path: '/api/v1/saved-searches', body: { name: 'Matrix', query: `q=matrix-new-${f.seq()}` } }), expect: signedIn('ok') },
  'GET /api/v1/saved-searches/{id}': { request: async (f) => ({ path: `/api/v1/saved-searches/${await savedSearchOfStaffA(f)}` }), expect: ownOnly },
  'PATCH /api/v1/saved-searches/{id}': {
    request: async (f) => ({ path: `/api/v1/saved-searches/${await savedSearchOfStaffA(f)}`, body: { name: 'Renamed', frequency: 'weekly' } }),
    expect: ownOnly,
  },
  'DELETE /api/v1/saved-searches/{id}': { request: async (f) => ({ path: `/api/v1/saved-searches/${await savedSearchOfStaffA(f)}` }), expect: ownOnly },

  // Readers' subscriptions act for nobody: anyone may ask (a new address each time), and a mailed token is the whole authority.
  'POST /api/v1/search-subscriptions': {
    request: (f) => ({ path: '/api/v1/search-subscriptions', body: { email: `matrix.ask.${f.seq()}.${Date.now()}@example.org`, query: 'q=matrix' } }),
    expect: all('ok'),
  },
  'POST /api/v1/search-subscriptions/confirm': {
    request: async (f) => ({ path: '/api/v1/search-subscriptions/confirm', body: { token: (await readerSubscription(f)).confirm } }),
    expect: all('ok'),
  },
  'POST /api/v1/search-subscriptions/unsubscribe': {
    request: async (f) => ({ path: '/api/v1/search-subscriptions/unsubscribe', body: { token: (await readerSubscription(f)).unsubscribe } }),
    expect: all('ok'),
  },

  'GET /api/v1/invitations': { request: () => ({ path: '/api/v1/invitations' }), expect: only('focalA', 'administrator') },
  'POST /api/v1/invitations': {
    request: (f) => ({ path: '/api/v1/invitations', body: { email: `invite.${f.seq()}.${Date.now()}@example.org`, organizationId: f.orgA.id, role: 'staff' } }),
    expect: only('focalA', 'administrator'),
  },
  'DELETE /api/v1/invitations/{id}': {
    request: async (f) => ({
      path: `/api/v1/invitations/${(await createInvitation(f.env.ctx(), { email: `revoke.${f.seq()}.${Date.now()}@example.org`, organizationId: f.orgA.id, role: 'staff' })).id}`,
    }),
    expect: only('focalA', 'administrator'),
  },

  'GET /api/v1/audit': { request: () => ({ path: '/api/v1/audit' }), expect: only('coordinator', 'administrator') },

  'GET /api/v1/reference/countries': { request: () => ({ path: '/api/v1/reference/countries?region=002' }), expect: all('ok') },
  'GET /api/v1/reference/regions': { request: () => ({ path: '/api/v1/reference/regions' }), expect: all('ok') },
  'GET /api/v1/reference/taxonomies': { request: () => ({ path: '/api/v1/reference/taxonomies' }), expect: all('ok') },
  'GET /api/v1/reference/taxonomies/{taxonomy}': { request: () => ({ path: '/api/v1/reference/taxonomies/pillar' }), expect: all('ok') },
  'GET /api/v1/reference/codelists': { request: () => ({ path: '/api/v1/reference/codelists' }), expect: all('ok') },
  'GET /api/v1/reference/codelists/{name}': { request: () => ({ path: '/api/v1/reference/codelists/ActivityStatus' }), expect: all('ok') },

  // Activities: a public record of organization A unless said otherwise; each change on a fresh one.
  // The list and exports: everyone, each seeing what they may read.
  'GET /api/v1/activities': { request: () => ({ path: '/api/v1/activities?limit=5' }), expect: all('ok') },
  'GET /api/v1/activities/export': { request: () => ({ path: '/api/v1/activities/export?format=json' }), expect: all('ok') },
  'GET /api/v1/activities/import/template': { request: () => ({ path: '/api/v1/activities/import/template?format=csv' }), expect: all('ok') },
  // Uploading checks the file (a dry run); committing saves it. Each upload is the caller's own, with a row of an organization they belong to.
  'POST /api/v1/activities/import': {
    request: (f) => ({ path: '/api/v1/activities/import', form: importForm(`XM-MATRIX-${f.seq()}`, f.orgA.id) }),
    expect: only('staffA', 'focalA', 'administrator', 'staffB'),
  },
  'POST /api/v1/activities/import/{token}/commit': {
    request: async (f, role) => {
      const uploader = role === 'staffA' || role === 'focalA' || role === 'staffB' || role === 'administrator' ? f.users[role] : f.users.administrator;
      const owner = role === 'staffB' ? f.orgB.id : f.orgA.id;
      const csv = `iati_identifier,title_en,owner_org_id,visibility\nXM-MATRIX-C-${f.seq()},Matrix import,${owner},draft\n`;
      const { token } = await uploadSpreadsheet(f.env.ctx(uploader.actor), { fileName: 'matrix.csv', bytes: new TextEncoder().encode(csv) });
      return { path: `/api/v1/activities/import/${token}/commit` };
    },
    expect: only('staffA', 'focalA', 'administrator', 'staffB'),
  },
  // IATI imports: started by those who may import; followed by their starter and coordinators; run again by their starter and administrators.
  'POST /api/v1/iati/imports': {
    request: (f) => ({ path: '/api/v1/iati/imports', form: iatiForm(`XM-MATRIX-I-${f.seq()}`) }),
    expect: only('staffA', 'focalA', 'administrator', 'staffB'),
  },
  'GET /api/v1/iati/imports': { request: () => ({ path: '/api/v1/iati/imports' }), expect: only('staffA', 'focalA', 'staffB', 'coordinator', 'administrator') },
  'GET /api/v1/iati/imports/{id}': {
    request: async (f) => ({ path: `/api/v1/iati/imports/${await iatiJobOfStaffA(f)}` }),
    expect: { anonymous: 'deny', staffA: 'ok', focalA: 'hidden', staffB: 'hidden', coordinator: 'ok', administrator: 'ok' },
  },
  'GET /api/v1/iati/imports/{id}/report': {
    request: async (f) => ({ path: `/api/v1/iati/imports/${await iatiJobOfStaffA(f)}/report` }),
    expect: { anonymous: 'deny', staffA: 'ok', focalA: 'hidden', staffB: 'hidden', coordinator: 'ok', administrator: 'ok' },
  },
  'POST /api/v1/iati/imports/{id}/retry': {
    request: async (f) => ({ path: `/api/v1/iati/imports/${await iatiJobOfStaffA(f, true)}/retry` }),
    expect: { anonymous: 'deny', staffA: 'ok', focalA: 'hidden', staffB: 'hidden', coordinator: 'deny', administrator: 'ok' },
  },
  'POST /api/v1/activities/validate': { request: (f) => ({ path: '/api/v1/activities/validate', body: activityInput(f.orgA.id) }), expect: all('ok') },
  'POST /api/v1/activities': {
    request: (f) => ({ path: '/api/v1/activities', body: activityInput(f.orgA.id, { visibility: 'draft' }) }),
    expect: only('staffA', 'focalA', 'administrator'),
  },
  'GET /api/v1/activities/{id}': { request: async (f) => ({ path: `/api/v1/activities/${(await makeActivity(f.env, f.orgA.id)).id}` }), expect: all('ok') },
  'PUT /api/v1/activities/{id}': {
    request: async (f) => {
      const a = await makeActivity(f.env, f.orgA.id);
      return { path: `/api/v1/activities/${a.id}`, body: { ...activityInput(f.orgA.id), version: a.version } };
    },
    expect: only('staffA', 'focalA', 'administrator'),
  },
  'DELETE /api/v1/activities/{id}': { request: async (f) => ({ path: `/api/v1/activities/${(await makeActivity(f.env, f.orgA.id)).id}` }), expect: only('staffA', 'focalA', 'administrator') },
  'POST /api/v1/activities/{id}/restore': {
    request: async (f) => {
      const a = await makeActivity(f.env, f.orgA.id);
      await deleteActivity(f.env.ctx(), a.id);
      return { path: `/api/v1/activities/${a.id}/restore` };
    },
    // A deleted record is hidden from those who may neither restore it nor coordinate.
    expect: { anonymous: 'deny', staffA: 'ok', focalA: 'ok', staffB: 'hidden', coordinator: 'deny', administrator: 'ok' },
  },
  'POST /api/v1/activities/{id}/suggestions': {
    request: async (f) => {
      const a = await makeActivity(f.env, f.orgA.id, { suggestions: { pillars: ['protection'] } });
      return { path: `/api/v1/activities/${a.id}/suggestions`, body: { version: a.version, accept: 'all' } };
    },
    expect: only('staffA', 'focalA', 'administrator'),
  },
  // Each review is saved or refused on its own; the call itself needs a signed-in person.
  'POST /api/v1/activities/suggestions': {
    request: async (f) => {
      const a = await makeActivity(f.env, f.orgA.id, { suggestions: { pillars: ['protection'] } });
      return { path: '/api/v1/activities/suggestions', body: { items: [{ id: a.id, version: a.version, accept: 'all' }] } };
    },
    expect: signedIn('ok'),
  },
  'GET /api/v1/activities/{id}/versions': {
    request: async (f) => ({ path: `/api/v1/activities/${(await makeActivity(f.env, f.orgA.id)).id}/versions` }),
    expect: only('staffA', 'focalA', 'coordinator', 'administrator'),
  },
  'GET /api/v1/activities/{id}/versions/{a}/diff/{b}': {
    request: async (f) => ({ path: `/api/v1/activities/${(await makeActivity(f.env, f.orgA.id)).id}/versions/1/diff/1` }),
    expect: only('staffA', 'focalA', 'coordinator', 'administrator'),
  },

  // Search and the knowledge library: publications of organization A, public and published unless said otherwise.
  'GET /api/v1/search': { request: () => ({ path: '/api/v1/search?q=matrix&type=publication' }), expect: all('ok') },
  'POST /api/v1/publications': {
    request: (f) => ({ path: '/api/v1/publications', body: publicationInput(f.orgA.id, { status: 'draft' }) }),
    expect: only('focalA', 'coordinator', 'administrator'),
  },
  'GET /api/v1/publications/citations': {
    request: async (f) => ({ path: `/api/v1/publications/citations?format=bibtex&ids=${(await makePublication(f.env, f.orgA.id)).id}` }),
    expect: all('ok'),
  },
  'GET /api/v1/publications/{id}': { request: async (f) => ({ path: `/api/v1/publications/${(await makePublication(f.env, f.orgA.id)).id}` }), expect: all('ok') },
  'PUT /api/v1/publications/{id}': {
    request: async (f) => {
      const p = await makePublication(f.env, f.orgA.id);
      return { path: `/api/v1/publications/${p.id}`, body: { ...publicationInput(f.orgA.id), version: p.version } };
    },
    expect: only('focalA', 'coordinator', 'administrator'),
  },
  'DELETE /api/v1/publications/{id}': {
    request: async (f) => ({ path: `/api/v1/publications/${(await makePublication(f.env, f.orgA.id)).id}` }),
    expect: only('focalA', 'coordinator', 'administrator'),
  },
  'GET /api/v1/publications/{id}/versions': {
    request: async (f) => ({ path: `/api/v1/publications/${(await makePublication(f.env, f.orgA.id)).id}/versions` }),
    expect: only('staffA', 'focalA', 'coordinator', 'administrator'),
  },
  'GET /api/v1/publications/{id}/citation': {
    request: async (f) => ({ path: `/api/v1/publications/${(await makePublication(f.env, f.orgA.id)).id}/citation?format=ris` }),
    expect: all('ok'),
  },
  'POST /api/v1/publications/{id}/files': {
    request: async (f) => ({ path: `/api/v1/publications/${(await makePublication(f.env, f.orgA.id)).id}/files`, form: pdfForm() }),
    expect: only('focalA', 'coordinator', 'administrator'),
  },
  'GET /api/v1/publications/{id}/files/{fileId}': {
    request: async (f) => {
      const { p, file } = await publicationWithFile(f);
      return { path: `/api/v1/publications/${p.id}/files/${file.id}` };
    },
    expect: all('ok'),
  },
  'DELETE /api/v1/publications/{id}/files/{fileId}': {
    request: async (f) => {
      const { p, file } = await publicationWithFile(f);
      return { path: `/api/v1/publications/${p.id}/files/${file.id}` };
    },
    expect: only('focalA', 'coordinator', 'administrator'),
  },
  'GET /api/v1/coordination/matrix': { request: () => ({ path: '/api/v1/coordination/matrix?rows=country&cols=pillar' }), expect: all('ok') },
  'GET /api/v1/coordination/matrix/export': { request: () => ({ path: '/api/v1/coordination/matrix/export?format=csv' }), expect: all('ok') },
  'GET /api/v1/coordination/gaps': { request: () => ({ path: '/api/v1/coordination/gaps?rows=country&cols=targetGroup' }), expect: all('ok') },
  'GET /api/v1/coordination/map': { request: () => ({ path: '/api/v1/coordination/map?zoom=002' }), expect: all('ok') },
  'GET /api/v1/coordination/map.svg': { request: () => ({ path: '/api/v1/coordination/map.svg' }), expect: all('ok') },
  'GET /api/v1/coordination/completeness': { request: () => ({ path: '/api/v1/coordination/completeness' }), expect: all('ok') },
  'GET /api/v1/coordination/presence': { request: () => ({ path: '/api/v1/coordination/presence?limit=5' }), expect: all('ok') },
  'GET /api/v1/coordination/dashboard': { request: () => ({ path: '/api/v1/coordination/dashboard' }), expect: all('ok') },
  'GET /api/v1/coordination/duplicates': { request: () => ({ path: '/api/v1/coordination/duplicates' }), expect: only('coordinator', 'administrator') },
  'POST /api/v1/coordination/duplicates/scan': { request: () => ({ path: '/api/v1/coordination/duplicates/scan' }), expect: only('coordinator', 'administrator') },
  'POST /api/v1/coordination/duplicates/decisions': {
    request: async (f) => {
      const a = await makeActivity(f.env, f.orgA.id);
      const b = await makeActivity(f.env, f.orgB.id);
      return { path: '/api/v1/coordination/duplicates/decisions', body: { activityA: a.id, activityB: b.id, decision: 'not_duplicate' } };
    },
    expect: only('coordinator', 'administrator'),
  },
  'GET /api/v1/coordination/links': { request: () => ({ path: '/api/v1/coordination/links' }), expect: only('coordinator', 'administrator') },
};

let env: TestEnv;
let fixtures: Fixtures;
const clients = new Map<Role, TestClient>();

beforeAll(async () => {
  env = await createTestEnv();
  const orgA = await makeOrg(env);
  const orgB = await makeOrg(env);
  const users = {
    staffA: await makeUser(env, { role: 'staff', org: orgA }),
    focalA: await makeUser(env, { role: 'focal_point', org: orgA }),
    staffB: await makeUser(env, { role: 'staff', org: orgB }),
    coordinator: await makeUser(env, { role: 'coordinator' }),
    administrator: await makeUser(env, { role: 'administrator' }),
  };
  let n = 0;
  fixtures = { env, orgA, orgB, users, seq: () => ++n };
  clients.set('anonymous', new TestClient(env.app));
  for (const [role, user] of Object.entries(users)) {
    const client = new TestClient(env.app);
    await signIn(client, user);
    clients.set(role as Role, client);
  }
});
afterAll(async () => {
  await whenIatiImportsIdle();
  await env.close();
});

/** Every API operation the application answers, as "METHOD /api/v1/path/{param}". */
function discoveredRoutes(): string[] {
  const found = new Set<string>();
  for (const r of env.app.routes) {
    if (r.method === 'ALL' || !r.path.startsWith('/api/v1/')) continue;
    found.add(`${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`);
  }
  const doc = openApiDocument(buildApi()) as unknown as { paths: Record<string, Record<string, unknown>> };
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) found.add(`${method.toUpperCase()} /api/v1${path}`);
  }
  return [...found].sort();
}

describe('the authorization matrix', () => {
  it('has a row for every API route, and no row for a route that does not exist', () => {
    const routes = discoveredRoutes();
    expect(routes.filter((r) => !(r in MATRIX)), 'routes without a row in MATRIX').toEqual([]);
    expect(Object.keys(MATRIX).filter((r) => !routes.includes(r)), 'rows for routes that do not exist').toEqual([]);
  });

  for (const [route, entry] of Object.entries(MATRIX)) {
    for (const role of ROLES) {
      const expected = entry.expect[role];
      it(`${route} as ${role}: ${expected}`, async () => {
        const client = clients.get(role)!;
        const method = route.split(' ')[0]!;
        const req = await entry.request(fixtures, role);
        const headers: Record<string, string> = {};
        if (req.body !== undefined) headers['content-type'] = 'application/json';
        if (method !== 'GET') headers['x-csrf-token'] = await client.csrf();
        const res = await client.request(req.path, { method, headers, body: req.form ?? (req.body === undefined ? undefined : JSON.stringify(req.body)) });
        const detail = `${res.status} ${res.status >= 300 ? await res.clone().text() : ''}`;
        if (expected === 'ok') expect(res.status, detail).toBeGreaterThanOrEqual(200);
        if (expected === 'ok') expect(res.status, detail).toBeLessThan(300);
        if (expected === 'deny') expect(res.status, detail).toBe(role === 'anonymous' ? 401 : 403);
        if (expected === 'hidden') expect(res.status, detail).toBe(404);
      });
    }
  }
});
