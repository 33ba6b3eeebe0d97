import { z } from 'zod';
import { LANGUAGES, languageSchema } from '../languages.ts';

/** The kinds of ICAT publication, in the order the library lists them. */
export const PUBLICATION_KINDS = ['issue_brief', 'submission', 'toolkit', 'call_to_action', 'annual_report', 'factsheet', 'paper', 'evaluation_report'] as const;
export type PublicationKind = (typeof PUBLICATION_KINDS)[number];
export const PUBLICATION_STATUSES = ['draft', 'published'] as const;
export const PUBLICATION_VISIBILITIES = ['public', 'members', 'restricted'] as const;

const id = z.string().trim().min(1).max(40);
const shortText = (max: number) => z.string().trim().min(1).max(max);

/** One language version: the title, a summary, the key questions it answers and the body text. */
export const publicationLanguageSchema = z.strictObject({
  lang: languageSchema,
  title: shortText(500),
  summary: z.string().trim().max(10_000).default(''),
  keyQuestions: z.array(shortText(1000)).max(20).default([]),
  body: z.string().trim().max(200_000).default(''),
});
export type PublicationLanguageInput = z.infer<typeof publicationLanguageSchema>;

/** What a client sends to create or replace a publication. */
export const publicationInputSchema = z.strictObject({
  kind: z.enum(PUBLICATION_KINDS),
  number: z.string().trim().min(1).max(40).nullable().default(null).describe('The number in its series, e.g. "02" for Issue Brief 02; empty when it has none.'),
  published: z
    .string()
    .trim()
    .regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'Give a year (2017), a month (2017-06) or a day (2017-06-30).')
    .nullable()
    .default(null)
    .describe('When it was published: a year, a month or a day; empty when unknown.'),
  organizationIds: z.array(id).max(60).default([]).describe('Registered organizations that published it together (the owner need not be repeated).'),
  authors: z.array(shortText(200)).max(50).default([]).describe('Authors or issuing bodies as printed, e.g. "ICAT".'),
  themes: z
    .array(z.string().trim().regex(/^[a-z0-9-]+:[A-Za-z0-9._-]+$/, 'A theme is taxonomy:code, e.g. pillar:prevention.'))
    .max(60)
    .default([])
    .describe('Terms of the platform taxonomies as `taxonomy:code`, the same taxonomies as activities.'),
  countries: z.array(z.string().trim().regex(/^[A-Za-z]{2}$/, 'An ISO 3166-1 alpha-2 code.')).max(250).default([]),
  regions: z.array(z.string().trim().regex(/^\d{3}$/, 'A UN M49 region code of three digits.')).max(40).default([]),
  visibility: z.enum(PUBLICATION_VISIBILITIES).default('public'),
  sharedWith: z.array(id).max(60).default([]).describe('For `restricted`: the organizations that may read it.'),
  status: z.enum(PUBLICATION_STATUSES).default('draft').describe('A draft is seen only by its owner organization and the coordinator.'),
  defaultLanguage: languageSchema.default('en'),
  languages: z.array(publicationLanguageSchema).min(1).max(LANGUAGES.length),
  related: z.array(id).max(50).default([]).describe('Ids of related publications.'),
});
export type PublicationInput = z.input<typeof publicationInputSchema>;
export type PublicationData = z.output<typeof publicationInputSchema>;

export const publicationFileSchema = z.object({
  id: z.string(),
  lang: languageSchema,
  fileName: z.string(),
  contentType: z.string(),
  size: z.number().int(),
  sha256: z.string(),
  pageCount: z.number().int().nullable(),
  textStatus: z.enum(['extracted', 'no_text', 'encrypted', 'unreadable']),
  textMessage: z.string().nullable(),
  uploadedAt: z.string(),
  url: z.string().describe('Where to download it.'),
});
export type PublicationFile = z.infer<typeof publicationFileSchema>;

export const publicationSchema = z.object({
  id: z.string(),
  ownerOrganizationId: z.string(),
  kind: z.enum(PUBLICATION_KINDS),
  number: z.string().nullable(),
  published: z.string().nullable(),
  organizationIds: z.array(z.string()),
  authors: z.array(z.string()),
  themes: z.array(z.string()),
  countries: z.array(z.string()),
  regions: z.array(z.string()),
  visibility: z.enum(PUBLICATION_VISIBILITIES),
  sharedWith: z.array(z.string()),
  status: z.enum(PUBLICATION_STATUSES),
  defaultLanguage: languageSchema,
  languages: z.array(
    z.object({ lang: languageSchema, title: z.string(), summary: z.string(), keyQuestions: z.array(z.string()), body: z.string() }),
  ),
  related: z.array(z.string()),
  files: z.array(publicationFileSchema),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
});
export type Publication = z.infer<typeof publicationSchema>;
