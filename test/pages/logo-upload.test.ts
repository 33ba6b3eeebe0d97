import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectImageType, LOGO_MAX_BYTES, setOrganizationLogo } from '../../src/domain/organizations/organization-logo.ts';
import { getOrganization } from '../../src/domain/organizations/organizations.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env.close());

const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const WEBP = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ')]);
const GIF = Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1');
const logosDir = () => path.join(env.config.dataDir, 'files', 'logos');
const storedFiles = () => (fs.existsSync(logosDir()) ? fs.readdirSync(logosDir()) : []);
const logoAudits = async (orgId: string) =>
  (await env.db.kysely.selectFrom('audit_log').select('action').where('record_id', '=', orgId).where('action', '=', 'organization.logo').execute()).length;

/** Posts a file like a browser's multipart form, with the anti-forgery token. */
async function upload(client: TestClient, slug: string, bytes: Buffer, filename: string, type: string) {
  const form = new FormData();
  form.set('_csrf', await client.csrf());
  form.set('logo', new File([new Uint8Array(bytes)], filename, { type }));
  return client.request(`/admin/organizations/${slug}/logo`, { method: 'POST', body: form });
}

async function admin() {
  const client = new TestClient(env.app);
  await signIn(client, await makeUser(env, { role: 'administrator' }));
  return client;
}

describe('detectImageType', () => {
  it('recognises PNG, JPEG and WebP by their first bytes and nothing else', () => {
    expect(detectImageType(PNG)).toBe('png');
    expect(detectImageType(JPEG)).toBe('jpg');
    expect(detectImageType(WEBP)).toBe('webp');
    expect(detectImageType(GIF)).toBeUndefined();
    expect(detectImageType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeUndefined();
    expect(detectImageType(new Uint8Array())).toBeUndefined();
  });
});

describe('uploading a logo', () => {
  it('stores a PNG under DATA_DIR/files/logos with a random name and serves it with a long cache life', async () => {
    const org = await makeOrg(env);
    const client = await admin();
    const res = await upload(client, org.slug, PNG, 'logo.png', 'image/png');
    expect(res.status).toBe(303);
    const { logoUrl } = await getOrganization(env.ctx(), org.id);
    expect(logoUrl).toMatch(/^\/files\/logos\/[a-f0-9]{32}\.png$/);
    expect(fs.readFileSync(path.join(logosDir(), path.basename(logoUrl!)))).toEqual(PNG);
    const served = await new TestClient(env.app).request(logoUrl!);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(served.headers.get('cache-control')).toContain('immutable');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);
    expect((await new TestClient(env.app).request(`/members/${org.slug}`).then((r) => r.text()))).toContain(`src="${logoUrl}"`);
  });

  it('replaces the previous file and removes it', async () => {
    const org = await makeOrg(env);
    const client = await admin();
    await upload(client, org.slug, PNG, 'a.png', 'image/png');
    const first = (await getOrganization(env.ctx(), org.id)).logoUrl!;
    await upload(client, org.slug, JPEG, 'b.jpg', 'image/jpeg');
    const second = (await getOrganization(env.ctx(), org.id)).logoUrl!;
    expect(second).toMatch(/\.jpg$/);
    expect(storedFiles()).not.toContain(path.basename(first));
    expect((await new TestClient(env.app).request(first)).status).toBe(404);
  });

  it('refuses a file that is not PNG, JPEG or WebP, whatever its name, and writes nothing', async () => {
    const org = await makeOrg(env);
    const client = await admin();
    const before = storedFiles();
    const res = await upload(client, org.slug, GIF, 'logo.png', 'image/png');
    expect(res.status).toBe(415);
    const body = await res.text();
    expect(body).toContain('The file is not a PNG, JPEG or WebP image.');
    expect(body).toContain('id="f-logo-error"');
    expect(storedFiles()).toEqual(before);
    expect((await getOrganization(env.ctx(), org.id)).logoUrl).toBeNull();
    expect(await logoAudits(org.id)).toBe(0);
  });

  it('refuses a file over 512 KB and writes nothing', async () => {
    const org = await makeOrg(env);
    const client = await admin();
    const before = storedFiles();
    const big = Buffer.concat([PNG, Buffer.alloc(LOGO_MAX_BYTES + 1 - PNG.length)]);
    const res = await upload(client, org.slug, big, 'big.png', 'image/png');
    expect(res.status).toBe(413);
    expect(await res.text()).toContain('The file is larger than 512 KB.');
    expect(storedFiles()).toEqual(before);
    expect((await getOrganization(env.ctx(), org.id)).logoUrl).toBeNull();
    expect(await logoAudits(org.id)).toBe(0);
  });

  it('shows the French message on a French page', async () => {
    const org = await makeOrg(env);
    const client = await admin();
    client.cookies.set('icat_lang', 'fr');
    const res = await upload(client, org.slug, GIF, 'logo.gif', 'image/gif');
    expect(await res.text()).toContain('Le fichier n’est pas une image PNG, JPEG ou WebP.');
  });

  it('lets the organization’s focal point change its logo, but not staff or another organization’s focal point', async () => {
    const org = await makeOrg(env);
    const focal = await makeUser(env, { role: 'focal_point', org });
    await expect(setOrganizationLogo(env.ctx(focal.actor), org.id, { bytes: PNG })).resolves.toMatchObject({ id: org.id });
    const staff = await makeUser(env, { role: 'staff', org });
    await expect(setOrganizationLogo(env.ctx(staff.actor), org.id, { bytes: PNG })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const otherFocal = await makeUser(env, { role: 'focal_point' });
    await expect(setOrganizationLogo(env.ctx(otherFocal.actor), org.id, { bytes: PNG })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('removes a logo and records the change in the audit log', async () => {
    const org = await makeOrg(env);
    const client = await admin();
    await upload(client, org.slug, WEBP, 'logo.webp', 'image/webp');
    const url = (await getOrganization(env.ctx(), org.id)).logoUrl!;
    expect((await client.postForm(`/admin/organizations/${org.slug}/logo/remove`, {})).status).toBe(303);
    expect((await getOrganization(env.ctx(), org.id)).logoUrl).toBeNull();
    expect(storedFiles()).not.toContain(path.basename(url));
    expect(await logoAudits(org.id)).toBe(2);
  });

  it('never serves a name outside the stored shape', async () => {
    for (const bad of ['..%2F..%2Fetc%2Fpasswd', 'x.svg', 'ABCDEF.png']) {
      expect((await new TestClient(env.app).request(`/files/logos/${bad}`)).status).toBe(404);
    }
  });
});
