import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getActivity } from '../../src/domain/activities/get-activity.ts';
import { insertIatiJob } from '../../src/db/queries/iati-jobs.ts';
import { whenIatiImportsIdle, type IatiImportJob } from '../../src/domain/iati/import-jobs.ts';
import type { Organization } from '../../src/domain/organizations/organization-schemas.ts';
import { createTestEnv, TestClient, type TestEnv } from '../support/app.ts';
import { makeOrg, makeUser, signIn, type TestUser } from '../support/factories.ts';

let env: TestEnv;
let org: Organization;
let focal: TestUser;
let other: TestUser;
let client: TestClient;

beforeAll(async () => {
  env = await createTestEnv({ MAX_IATI_UPLOAD_BYTES: String(64 * 1024) });
  org = await makeOrg(env, { iatiRef: 'XM-JOBS-1' });
  focal = await makeUser(env, { role: 'focal_point', org });
  other = await makeUser(env, { role: 'staff', org: await makeOrg(env) });
  client = new TestClient(env.app);
  await signIn(client, focal);
});
afterAll(async () => {
  await whenIatiImportsIdle();
  await env?.close();
});

function activity(id: string, opts: { title?: string; broken?: boolean } = {}): string {
  return `<iati-activity last-updated-datetime="2024-01-01T00:00:00Z"><iati-identifier>${id}</iati-identifier>
<reporting-org ref="XM-JOBS-1" type="40"><narrative>Jobs org</narrative></reporting-org>
${opts.broken ? '' : `<title><narrative>${opts.title ?? 'Shelters for survivors'}</narrative></title>`}
<description><narrative>Text</narrative></description><participating-org role="4" ref="XM-JOBS-1"/>
<activity-status code="2"/><activity-date type="1" iso-date="2023-01-01"/><recipient-country code="KE" percentage="100"/></iati-activity>`;
}
const file = (activities: string[]) => `<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" xml:lang="en">\n${activities.join('\n')}\n</iati-activities>\n`;

async function postXml(c: TestClient, xml: string, query = ''): Promise<Response> {
  return c.request(`/api/v1/iati/imports${query}`, { method: 'POST', body: xml, headers: { 'content-type': 'application/xml', 'x-csrf-token': await c.csrf() } });
}
const getJob = async (id: string, c = client) => (await (await c.request(`/api/v1/iati/imports/${id}`)).json()) as IatiImportJob;

describe('IATI import jobs through the API', () => {
  it('imports a raw XML upload in the background, with progress and a report; one bad activity does not stop it', async () => {
    const res = await postXml(client, file([activity('XM-JOBS-1-A'), activity('XM-JOBS-1-B', { broken: true }), activity('XM-JOBS-1-C')]), '?fileName=jobs.xml');
    expect(res.status, await res.clone().text()).toBe(202);
    const started = (await res.json()) as IatiImportJob;
    expect(started).toMatchObject({ fileName: 'jobs.xml', status: 'running', attempts: 1 });
    await whenIatiImportsIdle();

    const job = await getJob(started.id);
    expect(job.status).toBe('done');
    expect(job.progress).toMatchObject({ percent: 100, activities: 3, counts: { created: 2, failed: 1 } });
    const { report } = (await (await client.request(`/api/v1/iati/imports/${started.id}/report`)).json()) as { report: { perActivity: { identifier: string; outcome: string }[]; messages: { identifier: string; severity: string; message: string }[] } };
    expect(report.perActivity.map((a) => [a.identifier, a.outcome])).toEqual([
      ['XM-JOBS-1-A', 'created'],
      ['XM-JOBS-1-B', 'failed'],
      ['XM-JOBS-1-C', 'created'],
    ]);
    expect(report.messages.some((m) => m.identifier === 'XM-JOBS-1-B' && m.severity === 'critical' && /<title>/.test(m.message))).toBe(true);
    expect((await getActivity(env.ctx(), 'XM-JOBS-1-C')).title.en).toBe('Shelters for survivors');
    // The stored upload is removed once the import has finished.
    expect(fs.existsSync(path.join(env.config.dataDir, 'iati-imports', `${started.id}.xml`))).toBe(false);
  });

  it('accepts a multipart upload with its options as form fields', async () => {
    const form = new FormData();
    form.set('file', new File([file([activity('XM-JOBS-1-M', { title: 'Road works' })])], 'multi.xml', { type: 'application/xml' }));
    form.set('relevance', 'relevant-only');
    const res = await client.request('/api/v1/iati/imports', { method: 'POST', body: form, headers: { 'x-csrf-token': await client.csrf() } });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as IatiImportJob;
    await whenIatiImportsIdle();
    const job = await getJob(id);
    expect(job).toMatchObject({ status: 'done', fileName: 'multi.xml', options: { relevance: 'relevant-only' }, progress: { counts: { skipped: 1, created: 0 } } });
  });

  it('marks a refused file as failed with the reason, and keeps it for a look', async () => {
    const res = await postXml(client, '<iati-activities version="1.05"><iati-activity/></iati-activities>');
    const { id } = (await res.json()) as IatiImportJob;
    await whenIatiImportsIdle();
    const job = await getJob(id);
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/^IATI 1\.x is not supported/);
    const body = (await (await client.request(`/api/v1/iati/imports/${id}/report`)).json()) as { report: { refused: { kind: string } } };
    expect(body.report.refused.kind).toBe('iati-v1');
  });

  it('refuses an oversized upload clearly, keeping nothing', async () => {
    const before = Number((await sql<{ n: string }>`select count(*) as n from iati_import_jobs`.execute(env.db.kysely)).rows[0]!.n);
    const big = file(Array.from({ length: 300 }, (_, i) => activity(`XM-JOBS-1-BIG-${i}`)));
    expect(big.length).toBeGreaterThan(64 * 1024 + 64 * 1024);
    const res = await postXml(client, big);
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/larger than the limit of 65536 bytes .* for IATI uploads/);
    // Between the file limit and the body limit (the room left for a form): refused while streaming to disk.
    const middle = file(Array.from({ length: 150 }, (_, i) => activity(`XM-JOBS-1-MID-${i}`)));
    expect(middle.length).toBeGreaterThan(64 * 1024);
    expect(middle.length).toBeLessThan(128 * 1024);
    const res2 = await postXml(client, middle);
    expect(res2.status).toBe(413);
    const after = Number((await sql<{ n: string }>`select count(*) as n from iati_import_jobs`.execute(env.db.kysely)).rows[0]!.n);
    expect(after).toBe(before);
    expect(fs.readdirSync(path.join(env.config.dataDir, 'iati-imports')).filter((f) => f.includes('MID'))).toEqual([]);
  });

  it('refuses what is not XML, and hides one person’s import from another', async () => {
    const res = await client.request('/api/v1/iati/imports', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'x-csrf-token': await client.csrf() } });
    expect(res.status).toBe(415);
    const mine = (await (await postXml(client, file([activity('XM-JOBS-1-P')]))).json()) as IatiImportJob;
    await whenIatiImportsIdle();
    const stranger = new TestClient(env.app);
    await signIn(stranger, other);
    expect((await stranger.request(`/api/v1/iati/imports/${mine.id}`)).status).toBe(404);
    expect((await new TestClient(env.app).request(`/api/v1/iati/imports/${mine.id}`)).status).toBe(401);
    const list = (await (await stranger.request('/api/v1/iati/imports')).json()) as { items: IatiImportJob[] };
    expect(list.items.map((j) => j.id)).not.toContain(mine.id);
  });

  it('shows a job whose process was killed as interrupted; running it again reaches the same state as an uninterrupted run', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `XM-JOBS-1-K${String(i).padStart(2, '0')}`);
    const xml = file(ids.map((id) => activity(id)));
    // The reference: the same file in one uninterrupted job.
    const reference = (await (await postXml(client, xml.replaceAll('XM-JOBS-1-K', 'XM-JOBS-1-R'))).json()) as IatiImportJob;
    await whenIatiImportsIdle();
    expect((await getJob(reference.id)).progress.counts.created).toBe(30);

    // A job that a killed process left behind: its file stored, a third of it saved, its heartbeat stopped two minutes ago.
    const partial = (await (await postXml(client, file(ids.slice(0, 10).map((id) => activity(id))))).json()) as IatiImportJob;
    await whenIatiImportsIdle();
    const id = 'imp_0000000000killedkilledkilled'.slice(0, 30);
    fs.writeFileSync(path.join(env.config.dataDir, 'iati-imports', `${id}.xml`), xml);
    await insertIatiJob(env.db.kysely, { id, fileName: 'killed.xml', fileKey: id, fileBytes: Buffer.byteLength(xml), options: { relevance: 'all' }, createdBy: focal.id });
    await sql`update iati_import_jobs set status = 'running', attempts = 1, bytes_read = 1000, activities = 10, heartbeat_at = now() - interval '2 minutes' where id = ${id}`.execute(env.db.kysely);
    expect(partial.id).not.toBe(id);

    const seen = await getJob(id);
    expect(seen).toMatchObject({ status: 'interrupted', canRetry: true });
    expect(seen.error).toMatch(/stopped without finishing/);
    const page = await (await client.request(`/activities/import/iati/${id}`)).text();
    expect(page).toContain('Run the import again');

    const retry = await client.request(`/api/v1/iati/imports/${id}/retry`, { method: 'POST', headers: { 'x-csrf-token': await client.csrf() } });
    expect(retry.status).toBe(202);
    await whenIatiImportsIdle();
    const done = await getJob(id);
    expect(done).toMatchObject({ status: 'done', attempts: 2, canRetry: false, progress: { activities: 30, counts: { created: 20, unchanged: 10, failed: 0 } } });
    // Same records as the uninterrupted run (titles, countries, one version each).
    for (const [k, r] of [ids[0]!, ids[29]!].map((k) => [k, k.replace('XM-JOBS-1-K', 'XM-JOBS-1-R')])) {
      const a = await getActivity(env.ctx(), k!);
      const b = await getActivity(env.ctx(), r!);
      expect([a.title, a.countries, a.version]).toEqual([b.title, b.countries, b.version]);
    }
    // A finished job is not run again.
    const again = await client.request(`/api/v1/iati/imports/${id}/retry`, { method: 'POST', headers: { 'x-csrf-token': await client.csrf() } });
    expect(again.status).toBe(409);
  });
});

describe('IATI import pages', () => {
  it('uploads through a form and shows the job, refreshing without JavaScript while it runs', async () => {
    const form = await (await client.request('/activities/import/iati')).text();
    expect(form).toContain('enctype="multipart/form-data"');
    expect(form).toContain('name="relevance"');

    // A running job's page: a refresh for browsers without JavaScript, the script for the others.
    const id = 'imp_0000000000runningrunningru'.slice(0, 30);
    await insertIatiJob(env.db.kysely, { id, fileName: 'running.xml', fileKey: id, fileBytes: 1000, options: {}, createdBy: focal.id });
    await sql`update iati_import_jobs set status = 'running', bytes_read = 400, activities = 7, counts = '{"created": 7}'::jsonb, heartbeat_at = now() where id = ${id}`.execute(env.db.kysely);
    const live = await (await client.request(`/activities/import/iati/${id}`)).text();
    expect(live).toMatch(/<noscript><meta http-equiv="refresh" content="3"\/?><\/noscript>/);
    expect(live).toMatch(/<script type="module" src="\/assets\/iati-import\.[0-9a-f]{12}\.js"/);
    expect(live).toMatch(/<progress id="job-progress" max="100" value="40"/);
    expect(live).toContain('Refresh now');

    const body = new FormData();
    body.set('_csrf', await client.csrf());
    body.set('file', new File([file([activity('XM-JOBS-1-PAGE')])], 'page.xml'));
    body.set('relevance', 'all');
    const res = await client.request('/activities/import/iati', { method: 'POST', body });
    expect(res.status).toBe(303);
    const where = res.headers.get('location')!;
    expect(where).toMatch(/^\/activities\/import\/iati\/imp_[0-9a-z]{26}$/);
    await whenIatiImportsIdle();
    const done = await (await client.request(where)).text();
    expect(done).not.toContain('http-equiv="refresh"');
    expect(done).toContain('Finished');
    expect(done).toMatch(/data-job-count="created">1</);
  });

  it('says clearly when no file, or too large a file, is sent', async () => {
    const empty = new FormData();
    empty.set('_csrf', await client.csrf());
    const res = await client.request('/activities/import/iati', { method: 'POST', body: empty });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('Choose an IATI activity file to import.');

    const big = new FormData();
    big.set('_csrf', await client.csrf());
    big.set('file', new File([file(Array.from({ length: 200 }, (_, i) => activity(`XM-JOBS-1-PBIG-${i}`)))], 'big.xml'));
    const tooBig = await client.request('/activities/import/iati', { method: 'POST', body: big });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toMatch(/larger than the limit of 65536 bytes/);
  });
});

/** A multipart body built as it is read (nothing held whole): `parts` in order, each text or a file of `size` bytes of `fill`. */
function streamedForm(parts: ({ name: string; value: string } | { name: string; fileName: string; head: string; size: number })[]): { body: ReadableStream<Uint8Array>; type: string } {
  const boundary = 'icat-test-boundary-7f3a9c';
  const pad = Buffer.alloc(1024 * 1024, 0x20);
  async function* chunks() {
    for (const p of parts) {
      if ('value' in p) {
        yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`);
        continue;
      }
      yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.fileName}"\r\nContent-Type: application/xml\r\n\r\n${p.head}`);
      for (let sent = 0; sent < p.size; sent += pad.length) yield pad.subarray(0, Math.min(pad.length, p.size - sent));
      yield Buffer.from('\r\n');
    }
    yield Buffer.from(`--${boundary}--\r\n`);
  }
  const it = chunks();
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    body: new ReadableStream({
      async pull(controller) {
        const next = await it.next();
        if (next.done) controller.close();
        else controller.enqueue(new Uint8Array(next.value));
      },
    }),
  };
}

describe('IATI uploads through the form, streamed', () => {
  let big: TestEnv;
  let bigClient: TestClient;
  const jobsDir = () => path.join(big.config.dataDir, 'iati-imports');
  const stored = () => (fs.existsSync(jobsDir()) ? fs.readdirSync(jobsDir()) : []);
  const post = (form: ReturnType<typeof streamedForm>) =>
    bigClient.request('/activities/import/iati', { method: 'POST', body: form.body, headers: { 'content-type': form.type }, duplex: 'half' } as RequestInit);

  beforeAll(async () => {
    big = await createTestEnv({ MAX_IATI_UPLOAD_BYTES: String(512 * 1024 * 1024) });
    const o = await makeOrg(big, { iatiRef: 'XM-JOBS-2' });
    bigClient = new TestClient(big.app);
    await signIn(bigClient, await makeUser(big, { role: 'focal_point', org: o }));
  });
  afterAll(async () => {
    await whenIatiImportsIdle();
    await big?.close();
  });

  it('writes a 128 MB file to disk as it arrives, without holding it in memory', async () => {
    const before = stored().length;
    const head = '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03"><!--';
    const form = streamedForm([
      { name: '_csrf', value: await bigClient.csrf() },
      { name: 'file', fileName: 'large.xml', head, size: 128 * 1024 * 1024 },
      { name: 'relevance', value: 'relevant-only' },
    ]);
    global.gc?.();
    const base = process.memoryUsage();
    let peak = 0;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.heapUsed + m.arrayBuffers - (base.heapUsed + base.arrayBuffers));
    }, 10);
    const res = await post(form);
    clearInterval(sampler);
    expect(res.status).toBe(303);
    const id = res.headers.get('location')!.split('/').pop()!;
    // The whole file is on disk, and the option sent after it applies.
    expect(fs.statSync(path.join(jobsDir(), `${id}.xml`)).size).toBe(head.length + 128 * 1024 * 1024);
    expect(stored().length).toBe(before + 1);
    const job = (await (await bigClient.request(`/api/v1/iati/imports/${id}`)).json()) as IatiImportJob;
    expect(job.options.relevance).toBe('relevant-only');
    expect(job.fileBytes).toBe(head.length + 128 * 1024 * 1024);
    // Held whole, the body alone would be 128 MB more.
    expect(peak).toBeLessThan(48 * 1024 * 1024);
    await whenIatiImportsIdle();
  });

  it('refuses a form without its token, or with the token after the file, and keeps nothing', async () => {
    const before = stored();
    const file = { name: 'file', fileName: 'x.xml', head: '<iati-activities version="2.03">', size: 4 * 1024 * 1024 };
    const none = await post(streamedForm([file]));
    expect(none.status).toBe(403);
    const late = await post(streamedForm([file, { name: '_csrf', value: await bigClient.csrf() }]));
    expect(late.status).toBe(403);
    const wrong = await post(streamedForm([{ name: '_csrf', value: 'x'.repeat(32) }, file]));
    expect(wrong.status).toBe(403);
    expect(stored()).toEqual(before);
  });

  it('removes a file whose form turns out to be invalid after it arrived', async () => {
    const before = stored();
    const res = await bigClient.request('/api/v1/iati/imports', {
      method: 'POST',
      ...(() => {
        const f = streamedForm([
          { name: 'file', fileName: 'x.xml', head: '<iati-activities version="2.03">', size: 1024 * 1024 },
          { name: 'relevance', value: 'some' },
        ]);
        return { body: f.body, headers: { 'content-type': f.type, 'x-csrf-token': '' }, duplex: 'half' };
      })(),
    } as RequestInit);
    // No token header: refused before anything is read.
    expect(res.status).toBe(403);
    const f = streamedForm([
      { name: 'file', fileName: 'x.xml', head: '<iati-activities version="2.03">', size: 1024 * 1024 },
      { name: 'relevance', value: 'some' },
    ]);
    const invalid = await bigClient.request('/api/v1/iati/imports', { method: 'POST', body: f.body, headers: { 'content-type': f.type, 'x-csrf-token': await bigClient.csrf() }, duplex: 'half' } as RequestInit);
    expect(invalid.status).toBe(422);
    expect(stored()).toEqual(before);
  });
});
