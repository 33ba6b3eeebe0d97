import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { pickText, type Language } from '../languages.ts';
import { getReferenceData, type ReferenceData } from './reference-data.ts';
import type { CodelistSummary, CodelistView, CountryView, RegionView, TaxonomyView } from './reference-schemas.ts';
import { TAXONOMY_SEED } from './taxonomy-seed.ts';

/**
 * Public reads of the reference data, all from the in-memory snapshot (no query per request).
 * Labels are in the asked language, falling back to English.
 */

const collator = (lang: Language) => new Intl.Collator(lang, { sensitivity: 'base' });

/** The reference version and language a read depends on, for caching (ETag). */
export async function referenceVersion(ctx: DomainContext): Promise<string> {
  const ref = await getReferenceData(ctx);
  return ref.version ?? ref.loadedAt.toISOString();
}

/** Countries and areas, sorted by name in `lang`; optionally only those in one M49 region. */
export async function listCountries(ctx: DomainContext, q: { lang: Language; region?: string }): Promise<CountryView[]> {
  const ref = await getReferenceData(ctx);
  if (q.region && !ref.regions.has(q.region)) throw notFound(`The M49 region ${q.region}`);
  const region = (m49: string | null) => (m49 ? { m49, label: ref.label('m49', m49, q.lang) } : null);
  const items = [...ref.countries.values()]
    .filter((c) => !q.region || q.region === '001' || [c.regionM49, c.subregionM49, c.intermediateM49].includes(q.region))
    .map((c) => ({
      code: c.code,
      alpha3: c.alpha3,
      m49: c.m49,
      label: pickText(c.names, q.lang) || c.code,
      names: c.names,
      region: region(c.regionM49),
      subregion: region(c.subregionM49),
      intermediateRegion: region(c.intermediateM49),
      iatiOnly: c.iatiOnly,
    }));
  const cmp = collator(q.lang);
  return items.sort((a, b) => cmp.compare(a.label, b.label) || a.code.localeCompare(b.code));
}

/** Regions of one IATI region vocabulary: UN M49 (2, in M49 order) or OECD DAC (1, by code). */
export async function listRegions(ctx: DomainContext, q: { lang: Language; vocabulary: '1' | '2' }): Promise<RegionView[]> {
  const ref = await getReferenceData(ctx);
  if (q.vocabulary === '2') {
    return [...ref.regions.values()].map((r) => ({
      vocabulary: '2',
      code: r.m49,
      level: r.level,
      parent: r.parentM49,
      label: pickText(r.names, q.lang) || r.m49,
      names: r.names,
      withdrawn: false,
    }));
  }
  const list = ref.codelists.get('Region');
  return [...(list?.items.values() ?? [])]
    .map((it) => ({ vocabulary: '1', code: it.code, level: null, parent: null, label: pickText(it.names, q.lang) || it.code, names: it.names, withdrawn: it.withdrawn }))
    .sort((a, b) => Number(a.code) - Number(b.code) || a.code.localeCompare(b.code));
}

function taxonomyMeta(taxonomy: string, lang: Language) {
  const seed = TAXONOMY_SEED.find((t) => t.taxonomy === taxonomy);
  return { label: pickText(seed?.labels, lang) || taxonomy, description: pickText(seed?.descriptions, lang) };
}

/** The platform's taxonomies with their names and how many current terms each has. */
export async function listTaxonomies(ctx: DomainContext, q: { lang: Language }): Promise<{ taxonomy: string; label: string; description: string; terms: number }[]> {
  const ref = await getReferenceData(ctx);
  const order = TAXONOMY_SEED.map((t) => t.taxonomy);
  const names = [...new Set([...order, ...ref.taxonomies.keys()])].filter((t) => ref.taxonomies.has(t));
  return names.map((taxonomy) => ({ taxonomy, ...taxonomyMeta(taxonomy, q.lang), terms: ref.terms(taxonomy).length }));
}

/** One taxonomy's terms in display order; withdrawn terms only when asked. */
export async function getTaxonomy(ctx: DomainContext, taxonomy: string, q: { lang: Language; includeWithdrawn?: boolean }): Promise<TaxonomyView> {
  const ref = await getReferenceData(ctx);
  if (!ref.taxonomies.has(taxonomy)) throw notFound(`The taxonomy "${taxonomy}"`);
  return {
    taxonomy,
    ...taxonomyMeta(taxonomy, q.lang),
    terms: ref.terms(taxonomy, { includeWithdrawn: q.includeWithdrawn }).map((t) => ({
      code: t.code,
      label: pickText(t.labels, q.lang) || t.code,
      description: pickText(t.descriptions, q.lang),
      parent: t.parentCode,
      withdrawn: t.withdrawn,
      labels: t.labels,
      descriptions: t.descriptions,
    })),
  };
}

function summary(ref: ReferenceData, name: string): CodelistSummary {
  const list = ref.codelists.get(name)!;
  const items = [...list.items.values()];
  return {
    name,
    origin: list.origin,
    complete: list.complete,
    items: items.length,
    withdrawn: items.filter((i) => i.withdrawn).length,
    loadedAt: list.loadedAt,
    source: list.source,
  };
}

/** Every IATI codelist the platform holds, built-in or official, with counts. */
export async function listCodelists(ctx: DomainContext): Promise<CodelistSummary[]> {
  const ref = await getReferenceData(ctx);
  return [...ref.codelists.keys()].sort().map((name) => summary(ref, name));
}

/** One IATI codelist's codes, in code order; withdrawn codes only when asked. */
export async function getCodelist(ctx: DomainContext, name: string, q: { lang: Language; includeWithdrawn?: boolean }): Promise<CodelistView> {
  const ref = await getReferenceData(ctx);
  const list = ref.codelists.get(name);
  if (!list) throw notFound(`The codelist "${name}"`);
  const numeric = [...list.items.keys()].every((k) => /^\d+$/.test(k));
  const { items: _count, withdrawn: _withdrawn, ...head } = summary(ref, name);
  return {
    ...head,
    items: [...list.items.values()]
      .filter((it) => q.includeWithdrawn || !it.withdrawn)
      .sort((a, b) => (numeric ? Number(a.code) - Number(b.code) : a.code.localeCompare(b.code)))
      .map((it) => ({
        code: it.code,
        label: pickText(it.names, q.lang) || it.code,
        description: pickText(it.descriptions, q.lang),
        category: it.category,
        withdrawn: it.withdrawn,
        names: it.names,
      })),
  };
}

export type ReferenceStatus = {
  countries: number;
  iatiOnlyCountries: number;
  regions: number;
  taxonomies: { taxonomy: string; terms: number; withdrawn: number }[];
  codelists: CodelistSummary[];
};

/** What reference data the installation holds: counts, and which codelists are built-in or official. */
export async function referenceStatus(ctx: DomainContext): Promise<ReferenceStatus> {
  const ref = await getReferenceData(ctx);
  const countries = [...ref.countries.values()];
  return {
    countries: countries.length,
    iatiOnlyCountries: countries.filter((c) => c.iatiOnly).length,
    regions: ref.regions.size,
    taxonomies: [...ref.taxonomies.keys()].sort().map((taxonomy) => {
      const all = ref.terms(taxonomy, { includeWithdrawn: true });
      return { taxonomy, terms: all.length, withdrawn: all.filter((t) => t.withdrawn).length };
    }),
    codelists: [...ref.codelists.keys()].sort().map((name) => summary(ref, name)),
  };
}
