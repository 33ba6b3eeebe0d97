import i18next, { type TFunction } from 'i18next';
import { LANGUAGES, RTL_LANGUAGES, type Language } from '../domain/languages.ts';
import ar from './locales/ar.json' with { type: 'json' };
import en from './locales/en.json' with { type: 'json' };
import es from './locales/es.json' with { type: 'json' };
import fr from './locales/fr.json' with { type: 'json' };
import ru from './locales/ru.json' with { type: 'json' };
import zh from './locales/zh.json' with { type: 'json' };

export type Translate = TFunction;

/** Every language's name in itself, for the language switcher. */
export const LANGUAGE_NAMES: Record<Language, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  ar: 'العربية',
  zh: '中文',
  ru: 'Русский',
};

const instance = i18next.createInstance();
await instance.init({
  resources: { en: { translation: en }, fr: { translation: fr }, es: { translation: es }, ar: { translation: ar }, zh: { translation: zh }, ru: { translation: ru } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
  showSupportNotice: false,
});

const fixed = new Map<Language, Translate>(LANGUAGES.map((l) => [l, instance.getFixedT(l)]));

/** The translation function for one language (falls back to English key by key). */
export function translator(lang: Language): Translate {
  return fixed.get(lang) ?? fixed.get('en')!;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function direction(lang: Language): 'rtl' | 'ltr' {
  return RTL_LANGUAGES.has(lang) ? 'rtl' : 'ltr';
}

/** Picks the best supported language from an Accept-Language header. */
export function negotiateLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      return { lang: tag.toLowerCase().split('-')[0], q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q);
  return ranked.map((r) => r.lang).find(isLanguage);
}

/** A language's messages under flat keys (`a.b.c` → text): what the catalogue completeness test compares. */
export function flatCatalogue(lang: Language): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (obj: Record<string, unknown>, prefix: string) => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v && typeof v === 'object') walk(v as Record<string, unknown>, key);
      else out[key] = String(v);
    }
  };
  walk((instance.getResourceBundle(lang, 'translation') ?? {}) as Record<string, unknown>, '');
  return out;
}
