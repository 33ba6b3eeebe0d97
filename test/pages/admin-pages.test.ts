import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/domain/identity/invitations.ts';
import { getUser } from '../../src/domain/identity/users.ts';
import { getOrganization, updateOrganization } from '../../src/domain/organizations/organizations.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeToken, makeUser, signIn, type Role, type TestUser } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

async function as(role: Role, opts: Parameters<typeof makeUser>[1] = {}): Promise<{ client: TestClient; user: TestUser }> {
  const user = await makeUser(env, { role, ...opts });
  const client = new TestClient(env.app);
  await signIn(client, user);
  return { client, user };
}
const text = async (res: Response) => ({ status: res.status, body: await res.text(), location: res.headers.get('location') });

const ADMIN_PAGES = ['/admin', '/admin/organizations', '/admin/organizations/new', '/admin/users', '/admin/invitations', '/admin/tokens', '/admin/audit'];

describe('the administration area', () => {
  it.each(ADMIN_PAGES)('sends a visitor from %s to sign in, coming back afterwards', async (path) => {
    const res = await new TestClient(env.app).request(path);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/sign-in?next=${encodeURIComponent(path)}`);
  });

  it.each(ADMIN_PAGES)('refuses %s to staff with a "not allowed" page', async (path) => {
    const { client } = await as('staff');
    const { status, body } = await text(await client.request(path));
    expect(status).toBe(403);
    expect(body).toContain('Not allowed');
  });

  it('shows the administration link only to those who may use it', async () => {
    const { client: staff } = await as('staff');
    expect((await text(await staff.request('/'))).body).not.toContain('href="/admin"');
    const { client: coordinator } = await as('coordinator');
    expect((await text(await coordinator.request('/'))).body).toContain('href="/admin"');
  });

  it('gives coordinators the people and the audit log, but not organization creation or tokens', async () => {
    const { client } = await as('coordinator');
    const overview = (await text(await client.request('/admin'))).body;
    expect(overview).toContain('href="/admin/users"');
    expect(overview).toContain('href="/admin/audit"');
    expect(overview).not.toContain('href="/admin/tokens"');
    expect((await client.request('/admin/users')).status).toBe(200);
    expect((await client.request('/admin/audit')).status).toBe(200);
    expect((await client.request('/admin/tokens')).status).toBe(403);
    expect((await client.request('/admin/organizations/new')).status).toBe(403);
    expect((await text(await client.request('/admin/organizations'))).body).not.toContain('href="/admin/organizations/new"');
    const create = await client.postForm('/admin/organizations', { acronym: 'NOPE', kind: 'member', orgType: 'other', 'name.en': 'Nope' });
    expect(create.status).toBe(403);
  });

  it('lets a focal point edit their own organization but not another', async () => {
    const own = await makeOrg(env);
    const other = await makeOrg(env);
    const { client } = await as('focal_point', { org: own });
    expect((await client.request(`/admin/organizations/${own.slug}/edit`)).status).toBe(200);
    expect((await client.request(`/admin/organizations/${other.slug}/edit`)).status).toBe(403);
    const page = (await text(await client.request(`/members/${own.slug}`))).body;
    expect(page).toContain(`href="/admin/organizations/${own.slug}/edit"`);
  });
});

describe('organizations in the administration', () => {
  it('creates an organization from the form and lists it in the directory', async () => {
    const { client } = await as('administrator');
    const res = await client.postForm('/admin/organizations', {
      acronym: 'NEWO',
      slug: '',
      kind: 'observer',
      orgType: 'ngo',
      'name.en': 'New Observer Organization',
      'name.fr': 'Nouvelle organisation observatrice',
      'description.en': 'Created through the form.',
      website: 'https://newo.example.org',
      iatiRef: '',
      joinedYear: '2024',
      chairYears: '',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/organizations/newo/edit?notice=organizationCreated');
    const org = await getOrganization(env.ctx(), 'newo');
    expect(org).toMatchObject({ kind: 'observer', joinedYear: 2024, name: { en: 'New Observer Organization', fr: 'Nouvelle organisation observatrice' } });
    expect((await text(await new TestClient(env.app).request('/members?kind=observer'))).body).toContain('New Observer Organization');
  });

  it('shows each invalid field next to its input and keeps what was typed', async () => {
    const { client } = await as('administrator');
    const { status, body } = await text(
      await client.postForm('/admin/organizations', { acronym: 'BAD', kind: 'member', orgType: 'other', 'name.en': '', website: 'not a url', joinedYear: 'soon', chairYears: '2020, later' }),
    );
    expect(status).toBe(422);
    expect(body).toContain('There is a problem');
    for (const field of ['name-en', 'website', 'joinedYear', 'chairYears']) {
      expect(body, field).toMatch(new RegExp(`<p class="error" id="f-${field}-error">`));
      expect(body, field).toMatch(new RegExp(`id="f-${field}"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*id="f-${field}"`));
    }
    expect(body).toContain('value="not a url"');
    expect(body).toContain('value="2020, later"');
    expect(await env.db.kysely.selectFrom('organizations').select('id').where('acronym', '=', 'BAD').execute()).toEqual([]);
  });

  it('shows the error messages in French on a French page', async () => {
    const { client } = await as('administrator');
    client.cookies.set('icat_lang', 'fr');
    const { body } = await text(await client.postForm('/admin/organizations', { acronym: 'BADFR', kind: 'member', orgType: 'other', 'name.en': '' }));
    expect(body).toContain('Un problème est survenu');
    expect(body).toContain('Ce champ est obligatoire');
  });

  it('refuses a stale edit, shows the current values and the refused ones, and overwrites nothing', async () => {
    const org = await makeOrg(env, { website: 'https://before.example.org' });
    const { client } = await as('administrator');
    const form = (await text(await client.request(`/admin/organizations/${org.slug}/edit`))).body;
    expect(form).toContain('name="version" value="1"');
    await updateOrganization(env.ctx(), org.id, { version: 1, website: 'https://someone-else.example.org' });
    const { status, body } = await text(
      await client.postForm(`/admin/organizations/${org.slug}`, {
        version: '1',
        acronym: org.acronym,
        slug: org.slug,
        kind: 'member',
        orgType: 'un_entity',
        'name.en': org.name.en!,
        website: 'https://mine.example.org',
      }),
    );
    expect(status).toBe(409);
    expect(body).toContain('The record changed while you were editing it.');
    expect(body).toContain('Your changes were not saved');
    expect(body).toContain('value="https://someone-else.example.org"');
    expect(body).toContain('https://mine.example.org');
    expect(body).toContain('name="version" value="2"');
    expect((await getOrganization(env.ctx(), org.id)).website).toBe('https://someone-else.example.org');
  });

  it('saves an edit based on the current version', async () => {
    const org = await makeOrg(env);
    const { client } = await as('administrator');
    const res = await client.postForm(`/admin/organizations/${org.slug}`, {
      version: '1',
      acronym: org.acronym,
      slug: org.slug,
      kind: 'partner',
      orgType: 'academic',
      'name.en': 'Renamed',
      chairYears: '2022; 2023',
    });
    expect(res.status).toBe(303);
    expect(await getOrganization(env.ctx(), org.id)).toMatchObject({ kind: 'partner', orgType: 'academic', name: { en: 'Renamed' }, chairYears: [2022, 2023], version: 2 });
  });

  it('archives and restores an organization', async () => {
    const org = await makeOrg(env);
    const { client } = await as('administrator');
    expect((await client.postForm(`/admin/organizations/${org.slug}/archive`, {})).status).toBe(303);
    expect((await getOrganization(env.ctx(), org.id)).archived).toBe(true);
    expect((await new TestClient(env.app).request(`/members/${org.slug}`)).status).toBe(404);
    const list = (await text(await client.request('/admin/organizations?archived=1'))).body;
    expect(list).toContain(org.acronym);
    expect((await client.postForm(`/admin/organizations/${org.slug}/restore`, {})).status).toBe(303);
    expect((await getOrganization(env.ctx(), org.id)).archived).toBe(false);
  });
});

describe('people in the administration', () => {
  it('changes a person’s platform role and memberships, then deactivates and reactivates them', async () => {
    const org = await makeOrg(env);
    const person = await makeUser(env, { role: 'staff', org });
    const second = await makeOrg(env);
    const { client } = await as('administrator');
    expect((await text(await client.request('/admin/users'))).body).toContain(person.email);

    expect((await client.postForm(`/admin/users/${person.id}/role`, { platformRole: 'coordinator', version: String(person.version) })).status).toBe(303);
    expect((await getUser(env.ctx(), person.id)).platformRole).toBe('coordinator');

    const res = await client.postForm(`/admin/users/${person.id}/memberships`, { 'org.0': org.id, 'role.0': 'focal_point', 'org.new': second.id, 'role.new': 'staff' });
    expect(res.status).toBe(303);
    expect((await getUser(env.ctx(), person.id)).memberships).toEqual(
      expect.arrayContaining([
        { organizationId: org.id, role: 'focal_point' },
        { organizationId: second.id, role: 'staff' },
      ]),
    );
    await client.postForm(`/admin/users/${person.id}/memberships`, { 'org.0': org.id, 'role.0': '', 'org.1': second.id, 'role.1': 'staff' });
    expect((await getUser(env.ctx(), person.id)).memberships).toEqual([{ organizationId: second.id, role: 'staff' }]);

    expect((await client.postForm(`/admin/users/${person.id}/deactivate`, {})).status).toBe(303);
    const off = await getUser(env.ctx(), person.id);
    expect(off.active).toBe(false);
    expect((await client.postForm(`/admin/users/${person.id}/reactivate`, { version: String(off.version) })).status).toBe(303);
    expect((await getUser(env.ctx(), person.id)).active).toBe(true);
  });

  it('explains, without changing anything, when administrators try to demote themselves', async () => {
    const { client, user } = await as('administrator');
    const { status, body } = await text(await client.postForm(`/admin/users/${user.id}/role`, { platformRole: '', version: String(user.version) }));
    expect(status).toBe(409);
    expect(body).toContain('you cannot change your own role');
    expect((await getUser(env.ctx(), user.id)).platformRole).toBe('administrator');
  });

  it('sends an invitation and lists it as pending, then withdraws it', async () => {
    const org = await makeOrg(env);
    const { client } = await as('administrator');
    const res = await client.postForm('/admin/invitations', { email: 'new.person@example.org', name: 'New Person', organizationId: org.id, role: 'staff', platformRole: '', language: 'fr' });
    expect(res.status).toBe(303);
    const mail = await env.db.kysely.selectFrom('mail_outbox').select('subject').where('to_address', '=', 'new.person@example.org').executeTakeFirst();
    expect(mail).toBeDefined();
    const list = (await text(await client.request('/admin/invitations'))).body;
    expect(list).toContain('new.person@example.org');
    expect(list).toContain('Pending');
    const id = /\/admin\/invitations\/(inv_[a-z0-9]+)\/revoke/.exec(list)?.[1];
    expect(id).toBeDefined();
    expect((await client.postForm(`/admin/invitations/${id}/revoke`, {})).status).toBe(303);
    expect((await text(await client.request('/admin/invitations'))).body).toContain('Withdrawn');
  });

  it('lets a focal point invite only to their own organization', async () => {
    const own = await makeOrg(env);
    const other = await makeOrg(env);
    const { client } = await as('focal_point', { org: own });
    const page = (await text(await client.request('/admin/invitations'))).body;
    expect(page).toContain(`<option value="${own.id}"`);
    expect(page).not.toContain(`<option value="${other.id}"`);
    expect(page).not.toContain('name="platformRole"');
    const refused = await client.postForm('/admin/invitations', { email: 'x@example.org', organizationId: other.id, role: 'staff' });
    expect(refused.status).toBe(403);
  });

  it('shows an invitation form error next to the e-mail field', async () => {
    const { client } = await as('administrator');
    const existing = await makeUser(env);
    const { status, body } = await text(await client.postForm('/admin/invitations', { email: existing.email, platformRole: 'coordinator' }));
    expect(status).toBe(422);
    expect(body).toContain('This person already has an account');
    expect(body).toContain('id="f-email-error"');
  });
});

describe('API tokens in the administration', () => {
  it('lists every person’s tokens for administrators and revokes one', async () => {
    const owner = await makeUser(env, { role: 'staff' });
    const { token } = await makeToken(env, owner, { name: 'Reporting system' });
    const { client } = await as('administrator');
    const list = (await text(await client.request('/admin/tokens'))).body;
    expect(list).toContain('Reporting system');
    expect(list).toContain(owner.email);
    expect((await client.postForm(`/admin/tokens/${token.id}/revoke`, {})).status).toBe(303);
    const row = await env.db.kysely.selectFrom('api_tokens').select('revoked_at').where('id', '=', token.id).executeTakeFirstOrThrow();
    expect(row.revoked_at).not.toBeNull();
  });
});

describe('the audit log page', () => {
  it('shows a change as a diff of the changed fields only', async () => {
    const org = await makeOrg(env, { website: 'https://old.example.org' });
    await updateOrganization(env.ctx(), org.id, { version: 1, website: 'https://new.example.org' });
    const { client } = await as('coordinator');
    const { body } = await text(await client.request(`/admin/audit?recordType=organization&action=organization.update`));
    expect(body).toContain('Organization changed');
    expect(body).toContain('<del>https://old.example.org</del>');
    expect(body).toContain('<ins>https://new.example.org</ins>');
    const entry = body.slice(body.indexOf('<del>https://old.example.org</del>') - 600, body.indexOf('<ins>https://new.example.org</ins>') + 400);
    expect(entry).not.toContain('<code>acronym</code>');
  });

  it('filters by actor and pages through older entries', async () => {
    const { client, user } = await as('administrator');
    for (let i = 0; i < 3; i++) await createInvitation(env.ctx(user.actor), { email: `paged.${i}@example.org`, platformRole: 'coordinator' });
    const mine = (await text(await client.request(`/admin/audit?actor=${encodeURIComponent(user.email)}&action=invitation.create`))).body;
    expect(mine.match(/class="audit-entry"/g)).toHaveLength(3);
    const many = (await text(await client.request('/admin/audit'))).body;
    expect(many).toContain('rel="next"');
  });

  it('shows an impossible period next to the date fields', async () => {
    const { client } = await as('coordinator');
    const { status, body } = await text(await client.request('/admin/audit?from=2025-05-02&to=2025-05-01'));
    expect(status).toBe(422);
    expect(body).toContain('id="f-to-error"');
  });
});
