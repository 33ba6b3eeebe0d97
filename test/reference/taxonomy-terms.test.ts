import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getReferenceData } from '../../src/domain/reference/reference-data.ts';
import { saveTaxonomyTerm } from '../../src/domain/reference/save-taxonomy-term.ts';
import { syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { createTestEnv, type TestEnv } from '../support/app.ts';
import { makeUser } from '../support/factories.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(() => env?.close());

describe('saveTaxonomyTerm', () => {
  it('is refused to a coordinator and to staff', async () => {
    const coordinator = await makeUser(env, { role: 'coordinator' });
    const staff = await makeUser(env, { role: 'staff' });
    for (const actor of [coordinator.actor, staff.actor]) {
      await expect(saveTaxonomyTerm(env.ctx(actor), 'context', 'climate', { labels: { en: 'Climate change' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect((await getReferenceData(env)).term('context', 'climate')).toBeUndefined();
  });

  it('adds a term that every reader sees at once, and audits it', async () => {
    const term = await saveTaxonomyTerm(env.ctx(), 'context', 'climate', { labels: { en: 'Climate change', fr: 'Changements climatiques' }, descriptions: { en: 'Slow-onset disasters and loss of livelihoods.' } });
    expect(term).toMatchObject({ source: 'custom', withdrawn: false });
    const ref = await getReferenceData(env);
    expect(ref.label('context', 'climate', 'fr')).toBe('Changements climatiques');
    expect(ref.terms('context').map((t) => t.code).at(-1)).toBe('climate');
    const audit = await env.db.kysely.selectFrom('audit_log').select(['action', 'record_id']).where('record_type', '=', 'taxonomy_term').execute();
    expect(audit).toEqual([{ action: 'taxonomy-term.create', record_id: 'context:climate' }]);
  });

  it('keeps an administrator’s change to a seeded term across the start-up sync', async () => {
    await saveTaxonomyTerm(env.ctx(), 'pillar', 'partnerships', { labels: { en: 'Partnership and cooperation', fr: 'Partenariat et coopération' } });
    await syncReferenceData(env, { force: true });
    const ref = await getReferenceData(env);
    expect(ref.term('pillar', 'partnerships')).toMatchObject({ source: 'edited', labels: { en: 'Partnership and cooperation' } });
  });

  it('withdraws a term without deleting it, so old records keep their label', async () => {
    await saveTaxonomyTerm(env.ctx(), 'context', 'climate', { labels: { en: 'Climate change' }, withdrawn: true });
    const ref = await getReferenceData(env);
    expect(ref.term('context', 'climate')?.withdrawn).toBe(true);
    expect(ref.terms('context').map((t) => t.code)).not.toContain('climate');
    expect(ref.label('context', 'climate', 'en')).toBe('Climate change');
  });

  it('refuses an unknown taxonomy, a malformed code and a parent that is not a term', async () => {
    await expect(saveTaxonomyTerm(env.ctx(), 'colour', 'red', { labels: { en: 'Red' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'taxonomy' }] });
    await expect(saveTaxonomyTerm(env.ctx(), 'context', 'Not A Code', { labels: { en: 'x' } })).rejects.toMatchObject({ code: 'VALIDATION_FAILED', fields: [{ path: 'code' }] });
    await expect(saveTaxonomyTerm(env.ctx(), 'sdg-target', '16.2.3', { labels: { en: '16.2.3' }, parent: '16.9' })).rejects.toMatchObject({ fields: [{ path: 'parent' }] });
    expect((await saveTaxonomyTerm(env.ctx(), 'sdg-target', '16.2.3', { labels: { en: '16.2.3 Young adults who experienced sexual violence' }, parent: '16.2' })).parentCode).toBe('16.2');
  });
});
