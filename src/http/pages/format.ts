import type { Language } from '../../domain/languages.ts';

/** Locale tags used for Intl formatting; Arabic keeps Arabic-Indic digits, Chinese is Simplified. */
const LOCALES: Record<Language, string> = { en: 'en-GB', fr: 'fr-FR', es: 'es-ES', ar: 'ar', zh: 'zh-CN', ru: 'ru-RU' };

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateFormat(lang: Language, kind: 'date' | 'dateTime'): Intl.DateTimeFormat {
  const key = `${lang}:${kind}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALES[lang], kind === 'date' ? { dateStyle: 'medium', timeZone: 'UTC' } : { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    cache.set(key, f);
  }
  return f;
}

/** A calendar date in the page language, e.g. "3 Mar 2025" / "3 mars 2025". */
export function formatDate(lang: Language, value: string | Date | null | undefined): string {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? '' : dateFormat(lang, 'date').format(d);
}

/** A date and time (UTC) in the page language. */
export function formatDateTime(lang: Language, value: string | Date | null | undefined): string {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? '' : `${dateFormat(lang, 'dateTime').format(d)} UTC`;
}

/** A whole number in the page language (digit grouping, native digits). */
export function formatNumber(lang: Language, value: number): string {
  const key = `${lang}:n`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[lang]);
    cache.set(key, f);
  }
  return f.format(value);
}

/** A year, written without grouping ("2007", not "2,007"), in the page's digits. */
export function formatYear(lang: Language, year: number): string {
  const key = `${lang}:y`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(LOCALES[lang], { useGrouping: false });
    cache.set(key, f);
  }
  return f.format(year);
}

/** A list joined the way the language joins it ("A, B and C" / "A, B et C"). */
export function formatList(lang: Language, items: string[]): string {
  return new Intl.ListFormat(LOCALES[lang], { style: 'long', type: 'conjunction' }).format(items);
}

/** An ISO timestamp for the machine-readable datetime attribute of <time>. */
export function isoDate(value: string | Date | null | undefined): string | undefined {
  if (!value) return undefined;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
