import { z } from 'zod';

/** The six official UN languages: interface and content languages of the platform. */
export const LANGUAGES = ['en', 'fr', 'es', 'ar', 'zh', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
export const RTL_LANGUAGES: ReadonlySet<Language> = new Set(['ar']);

export const languageSchema = z.enum(LANGUAGES);

/** Text in several languages; English is required so every record has a fallback. */
export const localizedTextSchema = z.strictObject({
  en: z.string().trim().min(1).max(2000),
  fr: z.string().trim().max(2000).optional(),
  es: z.string().trim().max(2000).optional(),
  ar: z.string().trim().max(2000).optional(),
  zh: z.string().trim().max(2000).optional(),
  ru: z.string().trim().max(2000).optional(),
});

export const optionalLocalizedTextSchema = z.strictObject({
  en: z.string().trim().max(10000).optional(),
  fr: z.string().trim().max(10000).optional(),
  es: z.string().trim().max(10000).optional(),
  ar: z.string().trim().max(10000).optional(),
  zh: z.string().trim().max(10000).optional(),
  ru: z.string().trim().max(10000).optional(),
});

/** Picks the text in the wanted language, else English, else any. */
export function pickText(text: Partial<Record<string, string>> | null | undefined, lang: string): string {
  if (!text) return '';
  return text[lang] || text.en || Object.values(text).find((v) => v) || '';
}
