import type { Language } from '../../../domain/languages.ts';

const LOCALES: Record<Language, string> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES', ar: 'ar', zh: 'zh-CN', ru: 'ru-RU' };
const cache = new Map<string, Intl.NumberFormat>();

function format(key: string, make: () => Intl.NumberFormat): Intl.NumberFormat {
  let f = cache.get(key);
  if (!f) cache.set(key, (f = make()));
  return f;
}

/** An amount with its currency in the page language ("US$250,000" / "250 000 $US"); without a currency, just the number. */
export function formatMoney(lang: Language, value: number, currency: string | null | undefined): string {
  if (currency && /^[A-Z]{3}$/.test(currency)) {
    return format(`${lang}:${currency}`, () => new Intl.NumberFormat(LOCALES[lang], { style: 'currency', currency, maximumFractionDigits: 2 })).format(value);
  }
  return format(`${lang}:n2`, () => new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: 2 })).format(value);
}

/** A percentage such as 40 → "40 %" in the page language; empty when none is given. */
export function formatPercent(lang: Language, value: number | null | undefined): string {
  if (value === null || value === undefined) return '';
  return format(`${lang}:pct`, () => new Intl.NumberFormat(LOCALES[lang], { style: 'percent', maximumFractionDigits: 3 })).format(value / 100);
}
