import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writePlatformState } from '../../src/db/queries/platform-state.ts';
import { anonymous } from '../../src/domain/actor.ts';
import { getVisiblePublications } from '../../src/domain/publications/get-publication.ts';
import { search } from '../../src/domain/search/search.ts';
import { DEMO_PUBLICATIONS } from '../../src/seed/demo-publications.ts';
import { seedOnFirstStart } from '../../src/seed/first-start.ts';
import { DEMO_PUBLICATIONS_KEY, seedDemoPublications } from '../../src/seed/seed-demo-publications.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';

const logger = pino({ level: 'silent' });
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
  await seedOnFirstStart({ db: env.db, config: env.config, logger });
});
afterAll(() => env.close());

const allIds = async () => (await env.db.kysely.selectFrom('publications').select('id').execute()).map((r) => r.id);

describe('seedDemoPublications', () => {
  it('adds ICAT’s publications once, public and searchable, with nothing invented', async () => {
    expect(await seedDemoPublications({ db: env.db, config: env.config, logger })).toBe(DEMO_PUBLICATIONS.length);
    const pubs = await getVisiblePublications(env.ctx(anonymous), await allIds());
    expect(pubs).toHaveLength(DEMO_PUBLICATIONS.length);
    const brief02 = pubs.find((p) => p.number === '02')!;
    expect(brief02.published).toBe('2017-06');
    expect(brief02.languages[0]!.keyQuestions).toHaveLength(3);
    expect(brief02.related).toHaveLength(1);
    // Unconfirmed numbers and years stay empty.
    const children = pubs.find((p) => p.languages[0]!.title === 'Trafficking in Children')!;
    expect([children.number, children.published]).toEqual([null, null]);
    expect(pubs.find((p) => p.number === '07')!.published).toBeNull();
    const toolkit = pubs.find((p) => p.kind === 'toolkit')!;
    expect(toolkit.organizationIds.length).toBe(5);
    const r = await search(env.ctx(anonymous), { q: 'humanitarian community responding', type: 'publication' });
    expect(r.results.map((x) => x.id)).toEqual([brief02.id]);
    expect(r.results[0]!.explanation.matched.map((m) => m.field)).toEqual(['keyQuestions']);
  });
  it('completes an interrupted run without duplicating anything', async () => {
    expect(await seedDemoPublications({ db: env.db, config: env.config, logger })).toBeNull();
    await writePlatformState(env.db.kysely, DEMO_PUBLICATIONS_KEY, { status: 'started' });
    expect(await seedDemoPublications({ db: env.db, config: env.config, logger })).toBe(0);
    expect(await allIds()).toHaveLength(DEMO_PUBLICATIONS.length);
  });
});
