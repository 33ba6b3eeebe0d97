import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../support/app.ts';

let env: TestEnv;
let n = 0;
const word = () => `sub${Date.now().toString(36)}x${++n}`;

beforeAll(async () => {
  env = await createTestEnv({ TRUST_PROXY: 'true' });
});
afterAll(() => env.close());

/** A client without cookies (no session, no form token), from one client address. */
function call(path: string, body: unknown, ip = '198.51.100.7', headers: Record<string, string> = {}) {
  return env.app.request(`http://localhost/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, ...headers },
    body: JSON.stringify(body),
  });
}
const mails = (to: string) => env.db.kysely.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).orderBy('id', 'asc').execute();
const confirmToken = (text: string) => /\/alerts\/confirm\/([A-Za-z0-9_-]+)/.exec(text)![1]!;
/** A problem document without what differs from one request to the next. */
const problem = async (res: Response) => {
  const { requestId: _r, instance: _i, ...rest } = (await res.json()) as Record<string, unknown>;
  return { status: res.status, ...rest };
};

describe('readers’ subscriptions through the API', () => {
  it('start with 202 and a mailed link, confirm once, and stop with the unsubscribe token', async () => {
    const q = word();
    const email = `api.reader.${q}@example.org`;
    const started = await call('/search-subscriptions', { email, query: `?q=${q}&page=3`, frequency: 'daily' }, '198.51.100.1', { 'accept-language': 'es' });
    expect(started.status).toBe(202);
    expect(await started.json()).toMatchObject({ status: 'pending', expiresInHours: 48 });
    const [mail] = await mails(email);
    expect(mail?.subject).toContain('Confirme');
    const token = confirmToken(mail!.text_body);
    const stored = await env.db.kysely.selectFrom('saved_searches').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ query: `q=${q}`, frequency: 'daily', language: 'es', confirmed_at: null });
    expect(stored.confirm_token_hash).not.toContain(token);

    const confirmed = await call('/search-subscriptions/confirm', { token });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.json()).toEqual({ status: 'confirmed', name: q, query: `q=${q}`, url: `/library?q=${q}` });

    // Used once: the second confirmation is refused, with the same answer as a token never issued.
    const again = await call('/search-subscriptions/confirm', { token });
    const unknown = await call('/search-subscriptions/confirm', { token: 'x'.repeat(token.length) });
    expect(again.status).toBe(404);
    expect(await problem(again)).toEqual(await problem(unknown));

    const stop = await call('/search-subscriptions/unsubscribe', { token: stored.unsubscribe_token });
    expect(stop.status).toBe(200);
    expect(await stop.json()).toEqual({ status: 'unsubscribed', name: q });
    expect(await env.db.kysely.selectFrom('saved_searches').select('id').where('email', '=', email).execute()).toEqual([]);
    expect((await call('/search-subscriptions/unsubscribe', { token: stored.unsubscribe_token })).status).toBe(404);
  });

  it('answer the same whether or not the address already follows the search, and mail nothing new to a confirmed one', async () => {
    const q = word();
    const email = `api.twice.${q}@example.org`;
    const first = await call('/search-subscriptions', { email, query: `q=${q}` }, '198.51.100.2');
    await call('/search-subscriptions/confirm', { token: confirmToken((await mails(email))[0]!.text_body) });
    const second = await call('/search-subscriptions', { email, query: `q=${q}` }, '198.51.100.2');
    const stranger = await call('/search-subscriptions', { email: `api.new.${q}@example.org`, query: `q=${q}` }, '198.51.100.2');
    expect([first.status, second.status, stranger.status]).toEqual([202, 202, 202]);
    const bodies = await Promise.all([first.json(), second.json(), stranger.json()]);
    expect(bodies[1]).toEqual(bodies[0]);
    expect(bodies[2]).toEqual(bodies[0]);
    expect(await mails(email)).toHaveLength(1);
  });

  it('refuse a link past its 48 hours, as if it had never existed', async () => {
    const q = word();
    const email = `api.late.${q}@example.org`;
    await call('/search-subscriptions', { email, query: `q=${q}` }, '198.51.100.3');
    const token = confirmToken((await mails(email))[0]!.text_body);
    await sql`update saved_searches set confirm_expires_at = now() - interval '1 minute' where email = ${email}`.execute(env.db.kysely);
    const late = await call('/search-subscriptions/confirm', { token });
    expect(late.status).toBe(404);
    expect(await problem(late)).toEqual(await problem(await call('/search-subscriptions/confirm', { token: 'y'.repeat(token.length) })));
    const row = await env.db.kysely.selectFrom('saved_searches').select('confirmed_at').where('email', '=', email).executeTakeFirstOrThrow();
    expect(row.confirmed_at).toBeNull();
  });

  it('limit requests to 3 an hour per address and 20 an hour per client address, with 429 and Retry-After', async () => {
    const email = `api.flood.${word()}@example.org`;
    const perAddress: number[] = [];
    for (let i = 0; i < 4; i++) perAddress.push((await call('/search-subscriptions', { email, query: `q=${word()}` }, `203.0.113.${i + 1}`)).status);
    expect(perAddress).toEqual([202, 202, 202, 429]);
    expect(await mails(email)).toHaveLength(3);

    const ip = '192.0.2.99';
    const perClient: Response[] = [];
    for (let i = 0; i < 21; i++) perClient.push(await call('/search-subscriptions', { email: `api.many.${word()}@example.org`, query: 'q=many' }, ip));
    expect(perClient.slice(0, 20).map((r) => r.status)).toEqual(Array(20).fill(202));
    const refused = perClient[20]!;
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await refused.json()) as { code: string }).code).toBe('RATE_LIMITED');
  });

  it('name the bad field, and refuse a token that is too short to be one', async () => {
    const bad = await call('/search-subscriptions', { email: 'not an address', query: 'q=x', frequency: 'hourly' }, '198.51.100.4');
    expect(bad.status).toBe(422);
    const fields = ((await bad.json()) as { errors: { path: string }[] }).errors.map((e) => e.path).sort();
    expect(fields).toEqual(['email', 'frequency']);
    expect((await call('/search-subscriptions/confirm', { token: 'short' })).status).toBe(404);
    expect((await call('/search-subscriptions/unsubscribe', {})).status).toBe(422);
  });
});
