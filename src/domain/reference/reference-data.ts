import { randomUUID } from 'node:crypto';
import type { Db, Executor } from '../../db/database.ts';
import { readPlatformState, writePlatformState } from '../../db/queries/platform-state.ts';
import { selectCodelistItems, selectCodelists, selectCountries, selectRegions, selectTaxonomyTerms } from '../../db/queries/reference.ts';
import { pickText, type Language } from '../languages.ts';

export type Names = Partial<Record<Language, string>>;

export type CountryRef = {
  code: string;
  alpha3: string | null;
  m49: string | null;
  regionM49: string | null;
  subregionM49: string | null;
  intermediateM49: string | null;
  names: Names;
  /** Valid in IATI (Kosovo, XK) but not an ISO 3166-1 code and not in M49. */
  iatiOnly: boolean;
};
export type RegionRef = { m49: string; level: 'world' | 'region' | 'subregion' | 'intermediate'; parentM49: string | null; names: Names; sort: number };
export type TermRef = {
  taxonomy: string;
  code: string;
  labels: Names;
  descriptions: Names;
  parentCode: string | null;
  sort: number;
  /** 'platform' (as seeded), 'edited' (seeded, changed by an administrator) or 'custom'. */
  source: string;
  withdrawn: boolean;
};
export type CodelistItemRef = { code: string; names: Names; descriptions: Names; category: string | null; withdrawn: boolean };
export type CodelistRef = {
  name: string;
  /** 'builtin': the platform's minimal table; 'official': loaded from the IATI codelist files. */
  origin: 'builtin' | 'official';
  /** Holds every code of the official list, so a code missing from it is surely unknown. */
  complete: boolean;
  version: string | null;
  source: string | null;
  loadedAt: string;
  items: ReadonlyMap<string, CodelistItemRef>;
};

/** How a code stands against a codelist. `unverifiable`: the list is absent or partial and lacks the code. */
export type CodeStatus = 'active' | 'withdrawn' | 'unknown' | 'unverifiable';

/** IATI RegionVocabulary codes: 1 OECD DAC regions (codelist Region), 2 UN M49 regions, 99 the reporting organisation's own. */
export const REGION_VOCABULARY = { dac: '1', m49: '2', reportingOrg: '99' } as const;

/**
 * Everything the forms, lists and validator need to know about codes, in memory: countries,
 * M49 regions, taxonomy terms and IATI codelists. Read it with `getReferenceData(ctx)`.
 */
export class ReferenceData {
  constructor(
    /** The reference version this snapshot was read at (changes with every reference change). */
    readonly version: string | null,
    readonly countries: ReadonlyMap<string, CountryRef>,
    readonly regions: ReadonlyMap<string, RegionRef>,
    /** taxonomy → code → term, in display order. */
    readonly taxonomies: ReadonlyMap<string, ReadonlyMap<string, TermRef>>,
    readonly codelists: ReadonlyMap<string, CodelistRef>,
    readonly loadedAt: Date = new Date(),
  ) {}

  country(code: string): CountryRef | undefined {
    return this.countries.get(code.trim().toUpperCase());
  }

  term(taxonomy: string, code: string): TermRef | undefined {
    return this.taxonomies.get(taxonomy)?.get(code);
  }

  /** The terms of a taxonomy in display order; withdrawn ones only when asked. */
  terms(taxonomy: string, opts: { includeWithdrawn?: boolean } = {}): TermRef[] {
    return [...(this.taxonomies.get(taxonomy)?.values() ?? [])].filter((t) => opts.includeWithdrawn || !t.withdrawn);
  }

  codelistItem(name: string, code: string): CodelistItemRef | undefined {
    return this.codelists.get(name)?.items.get(code);
  }

  /** Is `code` in codelist `name`, withdrawn, surely unknown, or beyond what the loaded list can tell? */
  codeStatus(name: string, code: string): CodeStatus {
    const list = this.codelists.get(name);
    const item = list?.items.get(code);
    if (item) return item.withdrawn ? 'withdrawn' : 'active';
    return list?.complete ? 'unknown' : 'unverifiable';
  }

  /**
   * The label of a code in a language (falling back to English, then to the code itself).
   * `kind` is 'country', 'm49' (a UN M49 region), a taxonomy ('pillar', 'exploitation-form', …)
   * or an IATI codelist name ('Sector', 'ActivityStatus', …).
   */
  label(kind: string, code: string, lang: string): string {
    let names: Names | undefined;
    if (kind === 'country') names = this.country(code)?.names;
    else if (kind === 'm49') names = this.regions.get(code)?.names;
    else if (this.taxonomies.has(kind)) names = this.term(kind, code)?.labels;
    else names = this.codelistItem(kind, code)?.names;
    return pickText(names, lang) || code;
  }

  /** The label of a recipient region, which depends on its vocabulary (289 means different things in 1 and 2). */
  regionLabel(vocabulary: string, code: string, lang: string): string {
    if (vocabulary === REGION_VOCABULARY.m49) return this.label('m49', code, lang);
    if (vocabulary === REGION_VOCABULARY.dac) return this.label('Region', code, lang);
    return code;
  }
}

const names = (v: unknown): Names => (v && typeof v === 'object' ? (v as Names) : {});

/** platform_state key whose value changes with every change of reference data. */
export const REFERENCE_VERSION_KEY = 'reference_version';

export async function readReferenceVersion(db: Executor): Promise<string | null> {
  const state = await readPlatformState<{ version?: string }>(db, REFERENCE_VERSION_KEY);
  return state?.version ?? null;
}

/** Call in the transaction of any change of reference data, so every process reloads its snapshot. */
export async function bumpReferenceVersion(tx: Executor): Promise<string> {
  const version = randomUUID();
  await writePlatformState(tx, REFERENCE_VERSION_KEY, { version, changedAt: new Date().toISOString() });
  return version;
}

/** Reads the whole reference data from the database (five queries). */
export async function loadReferenceData(db: Db | Executor): Promise<ReferenceData> {
  const k = 'kysely' in db ? db.kysely : db;
  const version = await readReferenceVersion(k);
  const [regionRows, countryRows, termRows, listRows, itemRows] = await Promise.all([
    selectRegions(k),
    selectCountries(k),
    selectTaxonomyTerms(k),
    selectCodelists(k),
    selectCodelistItems(k),
  ]);
  const regions = new Map<string, RegionRef>(regionRows.map((r) => [r.m49, { m49: r.m49, level: r.level, parentM49: r.parent_m49, names: names(r.names), sort: r.sort }]));
  const countries = new Map<string, CountryRef>(
    countryRows.map((c) => [
      c.code,
      {
        code: c.code,
        alpha3: c.alpha3,
        m49: c.m49,
        regionM49: c.region_m49,
        subregionM49: c.subregion_m49,
        intermediateM49: c.intermediate_m49,
        names: names(c.names),
        iatiOnly: c.iati_only,
      },
    ]),
  );
  const taxonomies = new Map<string, Map<string, TermRef>>();
  for (const t of termRows) {
    let terms = taxonomies.get(t.taxonomy);
    if (!terms) taxonomies.set(t.taxonomy, (terms = new Map()));
    terms.set(t.code, {
      taxonomy: t.taxonomy,
      code: t.code,
      labels: names(t.labels),
      descriptions: names(t.descriptions),
      parentCode: t.parent_code,
      sort: t.sort,
      source: t.source,
      withdrawn: t.withdrawn_at !== null,
    });
  }
  const items = new Map<string, Map<string, CodelistItemRef>>();
  for (const it of itemRows) {
    let list = items.get(it.codelist);
    if (!list) items.set(it.codelist, (list = new Map()));
    list.set(it.code, { code: it.code, names: names(it.names), descriptions: names(it.descriptions), category: it.category, withdrawn: it.withdrawn });
  }
  const codelists = new Map<string, CodelistRef>(
    listRows.map((l) => [
      l.name,
      {
        name: l.name,
        origin: l.origin,
        complete: l.complete,
        version: l.version,
        source: l.source,
        loadedAt: new Date(l.loaded_at).toISOString(),
        items: items.get(l.name) ?? new Map(),
      },
    ]),
  );
  return new ReferenceData(version, countries, regions, taxonomies, codelists);
}

/** How often a process asks (one small query) whether another process changed reference data. */
export const REFERENCE_RECHECK_MS = 30_000;

type CacheEntry = { data?: ReferenceData; checkedAt: number; pending?: Promise<ReferenceData> };
const cache = new WeakMap<Db, CacheEntry>();

/**
 * The reference data snapshot for this process, read once and then kept in memory. A change
 * made in this process refreshes it at once (`refreshReferenceData`); one made by another
 * process (the CLI, a second server) is noticed within REFERENCE_RECHECK_MS.
 *
 * On the embedded database there is one connection: inside a transaction pass it as `executor`,
 * or read the snapshot before opening the transaction.
 */
export async function getReferenceData(ctx: { db: Db }, executor?: Executor): Promise<ReferenceData> {
  let entry = cache.get(ctx.db);
  if (!entry) cache.set(ctx.db, (entry = { checkedAt: 0 }));
  if (entry.data && Date.now() - entry.checkedAt < REFERENCE_RECHECK_MS) return entry.data;
  const e = entry;
  e.pending ??= (async () => {
    try {
      const k = executor ?? ctx.db.kysely;
      if (e.data) {
        const version = await readReferenceVersion(k).catch(() => e.data!.version);
        if (version === e.data.version) {
          e.checkedAt = Date.now();
          return e.data;
        }
      }
      e.data = await loadReferenceData(k);
      e.checkedAt = Date.now();
      return e.data;
    } finally {
      e.pending = undefined;
    }
  })();
  return e.pending;
}

/** Reloads the snapshot now; call after changing reference data (the change's transaction committed). */
export async function refreshReferenceData(db: Db): Promise<ReferenceData> {
  const data = await loadReferenceData(db);
  cache.set(db, { data, checkedAt: Date.now() });
  return data;
}
