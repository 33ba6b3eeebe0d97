import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { readPlatformState } from '../../src/db/queries/platform-state.ts';
import { buildCountrySeed } from '../../src/domain/reference/countries.ts';
import { M49_REGIONS } from '../../src/domain/reference/m49-regions.ts';
import {
  bumpReferenceVersion,
  getReferenceData,
  loadReferenceData,
  refreshReferenceData,
  REFERENCE_RECHECK_MS,
} from '../../src/domain/reference/reference-data.ts';
import { REFERENCE_SEED_KEY, syncReferenceData } from '../../src/domain/reference/sync-reference-data.ts';
import { TAXONOMY_SEED } from '../../src/domain/reference/taxonomy-seed.ts';
import { LANGUAGES } from '../../src/domain/languages.ts';
import { createTestDb } from '../support/db.ts';
import { SHARED_DATA_DIR } from '../support/env.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(() => db?.close());

/** A CSV line split into fields (the UNSD files quote every field but the English one). Never turns "NA" into a missing value. */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

const UNSD_DIR = path.join(SHARED_DATA_DIR, 'un-m49-country-codes', 'm49');
const UNSD_FILES = { en: 'en', fr: 'fr', es: 'es', ar: 'ar', zh: 'cn', ru: 'ru' } as const;
const haveUnsd = fs.existsSync(path.join(UNSD_DIR, 'UNSD-en.csv'));
if (!haveUnsd) process.stdout.write(`Skipping the comparison with the UNSD M49 tables: ${UNSD_DIR} is absent.\n`);

function unsdRows(lang: keyof typeof UNSD_FILES): string[][] {
  const text = fs.readFileSync(path.join(UNSD_DIR, `UNSD-${UNSD_FILES[lang]}.csv`), 'utf8').replace(/^\uFEFF/, '');
  return text
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map(csvFields);
}
const normalize = (s: string) => s.replace(/[’‘]/g, "'").trim();

describe('countries', () => {
  const seed = buildCountrySeed();

  it('lists Namibia as NA, with its alpha-3, M49 code, region chain and names in the six languages', () => {
    const na = seed.find((c) => c.code === 'NA');
    expect(na).toEqual({
      code: 'NA',
      alpha3: 'NAM',
      m49: '516',
      regionM49: '002',
      subregionM49: '202',
      intermediateM49: '018',
      iatiOnly: false,
      names: { en: 'Namibia', fr: 'Namibie', es: 'Namibia', ar: 'ناميبيا', zh: '纳米比亚', ru: 'Намибия' },
    });
  });

  it('keeps Kosovo (XK) as valid in IATI only, without ISO alpha-3 or M49 code', () => {
    expect(seed.find((c) => c.code === 'XK')).toMatchObject({ iatiOnly: true, alpha3: null, m49: null, regionM49: null, names: { en: 'Kosovo', ru: 'Косово' } });
    expect(seed.filter((c) => c.iatiOnly).map((c) => c.code)).toEqual(['XK']);
  });

  it('gives every country a two-letter code and a name in every UN language, and every M49 link a known region', () => {
    const regions = new Set(M49_REGIONS.map((r) => r.m49));
    expect(seed.length).toBeGreaterThanOrEqual(249);
    for (const c of seed) {
      expect(c.code).toMatch(/^[A-Z]{2}$/);
      for (const lang of LANGUAGES) expect(c.names[lang], `${c.code} ${lang}`).toBeTruthy();
      for (const m of [c.regionM49, c.subregionM49, c.intermediateM49]) if (m) expect(regions.has(m), `${c.code} → ${m}`).toBe(true);
    }
  });

  it.runIf(haveUnsd)('places every country in the same M49 region, sub-region and intermediate region as the UNSD table', () => {
    const byCode = new Map(seed.map((c) => [c.code, c]));
    const rows = unsdRows('en');
    expect(rows.length).toBe(249);
    for (const f of rows) {
      const [, , region, , subregion, , intermediate, , name, m49, alpha2, alpha3] = f;
      const c = byCode.get(alpha2!);
      expect(c, `${name} (${alpha2})`).toBeDefined();
      expect({ alpha3: c!.alpha3, m49: c!.m49, region: c!.regionM49, subregion: c!.subregionM49, intermediate: c!.intermediateM49 }, name).toEqual({
        alpha3,
        m49,
        region: region || null,
        subregion: subregion || null,
        intermediate: intermediate || null,
      });
    }
    expect(rows.some((f) => f[10] === 'NA')).toBe(true);
  });

  it.runIf(haveUnsd)('names every M49 region as the UNSD table does, in the six languages', () => {
    for (const lang of LANGUAGES) {
      const names = new Map<string, string>();
      for (const f of unsdRows(lang)) for (const [code, name] of [[0, 1], [2, 3], [4, 5], [6, 7]] as const) if (f[code]) names.set(f[code]!, f[name]!);
      for (const r of M49_REGIONS) expect(normalize(r.names[lang]), `${r.m49} ${lang}`).toBe(normalize(names.get(r.m49) ?? '(absent)'));
      expect([...names.keys()].filter((k) => !M49_REGIONS.some((r) => r.m49 === k))).toEqual([]);
    }
  });
});

describe('syncReferenceData', () => {
  it('fills the reference tables: Namibia is stored as NA, never as an empty or null code', async () => {
    const na = await db.kysely.selectFrom('reference_countries').selectAll().where('code', '=', 'NA').executeTakeFirst();
    expect(na).toMatchObject({ code: 'NA', alpha3: 'NAM', m49: '516', region_m49: '002', iati_only: false });
    const blank = await db.kysely.selectFrom('reference_countries').select('code').where((eb) => eb.or([eb('code', '=', ''), eb('code', 'is', null)])).execute();
    expect(blank).toEqual([]);
    expect(await db.kysely.selectFrom('reference_regions').select('m49').execute()).toHaveLength(M49_REGIONS.length);
    const terms = await db.kysely.selectFrom('taxonomy_terms').select(['taxonomy', 'code']).execute();
    expect(terms.length).toBe(TAXONOMY_SEED.reduce((n, t) => n + t.terms.length, 0));
  });

  it('does nothing, with one read, when the seed has not changed since the last start', async () => {
    const before = await readPlatformState<{ syncedAt: string }>(db.kysely, REFERENCE_SEED_KEY);
    const summary = await syncReferenceData({ db });
    expect(summary.changed).toBe(false);
    expect(await readPlatformState(db.kysely, REFERENCE_SEED_KEY)).toEqual(before);
  });

  it('marks a seeded term that left the seed as withdrawn and never deletes it', async () => {
    await db.kysely
      .insertInto('taxonomy_terms')
      .values({ taxonomy: 'pillar', code: 'protect-old', labels: JSON.stringify({ en: 'An old pillar' }), descriptions: '{}', parent_code: null, sort: 99, withdrawn_at: null })
      .execute();
    const summary = await syncReferenceData({ db }, { force: true });
    expect(summary).toMatchObject({ changed: true, withdrawnTerms: 1, newTerms: 0 });
    const row = await db.kysely.selectFrom('taxonomy_terms').selectAll().where('code', '=', 'protect-old').executeTakeFirstOrThrow();
    expect(row.withdrawn_at).not.toBeNull();
    const ref = await getReferenceData({ db });
    expect(ref.term('pillar', 'protect-old')?.withdrawn).toBe(true);
    expect(ref.terms('pillar').map((t) => t.code)).toEqual(['prevention', 'protection', 'prosecution', 'partnerships']);
  });

  it('inserts a missing seed term again and leaves a term an administrator edited as it is', async () => {
    await db.kysely.deleteFrom('taxonomy_terms').where('taxonomy', '=', 'context').where('code', '=', 'armed-conflict').execute();
    await db.kysely
      .updateTable('taxonomy_terms')
      .set({ labels: JSON.stringify({ en: 'Prevention of trafficking', fr: 'Prévention de la traite' }), source: 'edited' })
      .where('taxonomy', '=', 'pillar')
      .where('code', '=', 'prevention')
      .execute();
    const summary = await syncReferenceData({ db }, { force: true });
    expect(summary.newTerms).toBe(1);
    const ref = await getReferenceData({ db });
    expect(ref.term('context', 'armed-conflict')?.labels.fr).toBe('Conflit armé');
    expect(ref.label('pillar', 'prevention', 'fr')).toBe('Prévention de la traite');
  });

  it('never replaces an official codelist by the built-in one', async () => {
    await db.kysely.updateTable('codelists').set({ origin: 'official', source: 'core/ActivityStatus.xml' }).where('name', '=', 'ActivityStatus').execute();
    await db.kysely.deleteFrom('codelist_items').where('codelist', '=', 'ActivityStatus').where('code', '=', '6').execute();
    await syncReferenceData({ db }, { force: true });
    const ref = await getReferenceData({ db });
    expect(ref.codelists.get('ActivityStatus')?.origin).toBe('official');
    expect(ref.codelistItem('ActivityStatus', '6')).toBeUndefined();
    expect(ref.codelists.get('BudgetType')?.origin).toBe('builtin');
  });
});

describe('getReferenceData', () => {
  it('reads once per process and answers from memory afterwards', async () => {
    const first = await getReferenceData({ db });
    const spy = vi.spyOn(db.kysely, 'selectFrom');
    const second = await getReferenceData({ db });
    expect(second).toBe(first);
    expect(spy).not.toHaveBeenCalled();
  });

  it('notices a change made by another process at the next check, and a change made here at once', async () => {
    const first = await refreshReferenceData(db);
    await db.kysely.updateTable('reference_countries').set({ names: JSON.stringify({ en: 'Namibia (changed elsewhere)' }) }).where('code', '=', 'NA').execute();
    await bumpReferenceVersion(db.kysely);
    expect((await getReferenceData({ db })).label('country', 'NA', 'en')).toBe('Namibia');
    const now = Date.now();
    vi.spyOn(Date, 'now').mockReturnValue(now + REFERENCE_RECHECK_MS + 1);
    const later = await getReferenceData({ db });
    expect(later).not.toBe(first);
    expect(later.label('country', 'NA', 'en')).toBe('Namibia (changed elsewhere)');
    vi.restoreAllMocks();
    await syncReferenceData({ db }, { force: true });
    expect((await getReferenceData({ db })).label('country', 'NA', 'en')).toBe('Namibia');
  });

  it('keeps the snapshot when nothing changed at the check', async () => {
    const first = await refreshReferenceData(db);
    vi.spyOn(Date, 'now').mockReturnValue(Date.now() + REFERENCE_RECHECK_MS + 1);
    expect(await getReferenceData({ db })).toBe(first);
  });
});

describe('ReferenceData labels', () => {
  it('labels codes in the asked language and falls back to English, then to the code', async () => {
    const ref = await loadReferenceData(db);
    expect(ref.label('country', 'NA', 'zh')).toBe('纳米比亚');
    expect(ref.label('m49', '202', 'ru')).toBe('Африка к югу от Сахары');
    expect(ref.label('exploitation-form', 'forced-labour', 'ar')).toBe('السخرة أو الخدمة قسرا');
    expect(ref.label('exploitation-form', 'baby-selling', 'zh')).toBe('Baby selling');
    expect(ref.label('Sector', '15160', 'fr')).toBe('Droits de la personne');
    expect(ref.label('Sector', '99999', 'fr')).toBe('99999');
    expect(ref.regionLabel('99', 'NORTH', 'en')).toBe('NORTH');
  });

  it('tells an active, withdrawn, unknown and unverifiable code apart', async () => {
    const ref = await loadReferenceData(db);
    expect(ref.codeStatus('BudgetType', '1')).toBe('active');
    expect(ref.codeStatus('Sector', '15162')).toBe('withdrawn');
    expect(ref.codeStatus('BudgetType', '3')).toBe('unknown');
    expect(ref.codeStatus('Sector', '11110')).toBe('unverifiable');
    expect(ref.codeStatus('NoSuchList', '1')).toBe('unverifiable');
  });
});
