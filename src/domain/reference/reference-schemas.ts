import { z } from 'zod';
import { LANGUAGES } from '../languages.ts';

/** Response shapes of the reference data (API and CLI). Labels are in the requested language. */

const names = z.partialRecord(z.enum(LANGUAGES), z.string()).describe('The name in every language the platform has it in');

export const regionRefSchema = z.object({ m49: z.string(), label: z.string() });

export const countrySchema = z.object({
  code: z.string().describe('ISO 3166-1 alpha-2 (IATI Country); NA is Namibia'),
  alpha3: z.string().nullable(),
  m49: z.string().nullable().describe('UN M49 numeric code; null for XK (Kosovo) and areas M49 does not list'),
  label: z.string(),
  names,
  region: regionRefSchema.nullable(),
  subregion: regionRefSchema.nullable(),
  intermediateRegion: regionRefSchema.nullable(),
  iatiOnly: z.boolean().describe('Valid in IATI but not an ISO 3166-1 code nor in M49 (XK)'),
});
export type CountryView = z.infer<typeof countrySchema>;

export const regionSchema = z.object({
  vocabulary: z.string().describe('IATI RegionVocabulary of the code: 2 UN M49, 1 OECD DAC'),
  code: z.string(),
  level: z.enum(['world', 'region', 'subregion', 'intermediate']).nullable().describe('M49 level; null for OECD DAC regions'),
  parent: z.string().nullable(),
  label: z.string(),
  names,
  withdrawn: z.boolean(),
});
export type RegionView = z.infer<typeof regionSchema>;

export const taxonomySummarySchema = z.object({
  taxonomy: z.string(),
  label: z.string(),
  description: z.string(),
  terms: z.number().int().describe('Current (not withdrawn) terms'),
});
export const taxonomyTermSchema = z.object({
  code: z.string(),
  label: z.string(),
  description: z.string(),
  parent: z.string().nullable(),
  withdrawn: z.boolean(),
  labels: names,
  descriptions: names,
});
export const taxonomySchema = taxonomySummarySchema.omit({ terms: true }).extend({ terms: z.array(taxonomyTermSchema) });
export type TaxonomyView = z.infer<typeof taxonomySchema>;

export const codelistSummarySchema = z.object({
  name: z.string(),
  origin: z.enum(['builtin', 'official']).describe('builtin: the platform’s minimal table; official: loaded from the IATI codelist files'),
  complete: z.boolean().describe('Holds every code of the official list'),
  items: z.number().int(),
  withdrawn: z.number().int(),
  loadedAt: z.string(),
  source: z.string().nullable(),
});
export type CodelistSummary = z.infer<typeof codelistSummarySchema>;
export const codelistItemSchema = z.object({
  code: z.string(),
  label: z.string(),
  description: z.string(),
  category: z.string().nullable(),
  withdrawn: z.boolean(),
  names,
});
export const codelistSchema = codelistSummarySchema.omit({ items: true, withdrawn: true }).extend({ items: z.array(codelistItemSchema) });
export type CodelistView = z.infer<typeof codelistSchema>;

export const referenceQuerySchema = z.object({
  lang: z.enum(LANGUAGES).optional().describe('Language of the labels (default: the request’s language)'),
});
const flag = z
  .enum(['true', 'false', '1', '0'])
  .optional()
  .transform((v) => v === 'true' || v === '1');
export const countryQuerySchema = referenceQuerySchema.extend({
  region: z
    .string()
    .regex(/^\d{3}$/)
    .optional()
    .describe('Only the countries in this M49 region, sub-region or intermediate region (e.g. 002 Africa, 202 Sub-Saharan Africa)'),
});
export const regionQuerySchema = referenceQuerySchema.extend({
  vocabulary: z.enum(['1', '2']).default('2').describe('2: UN M49 regions (default); 1: OECD DAC regions. The same code means different regions in each.'),
});
export const withdrawnQuerySchema = referenceQuerySchema.extend({ includeWithdrawn: flag.describe('Include withdrawn terms or codes') });
