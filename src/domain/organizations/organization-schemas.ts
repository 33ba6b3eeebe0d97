import { z } from 'zod';
import { localizedTextSchema, optionalLocalizedTextSchema } from '../languages.ts';

export const ORGANIZATION_KINDS = ['member', 'observer', 'partner'] as const;
/** Broad types of organization; labels live in the i18n catalogue under `orgType.*`. */
export const ORGANIZATION_TYPES = [
  'un_entity',
  'intergovernmental',
  'regional_organization',
  'government',
  'ngo',
  'academic',
  'private_sector',
  'other',
] as const;

const currentYear = new Date().getUTCFullYear();

export const organizationInputSchema = z.strictObject({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'Use lower-case letters, digits and hyphens (at most 63).')
    .optional(),
  kind: z.enum(ORGANIZATION_KINDS),
  acronym: z.string().trim().min(1).max(32),
  name: localizedTextSchema,
  description: optionalLocalizedTextSchema.optional(),
  orgType: z.enum(ORGANIZATION_TYPES),
  website: z.url({ protocol: /^https?$/ }).max(500).nullable().optional(),
  iatiRef: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$/, 'An IATI organisation identifier such as XM-DAC-41114.')
    .nullable()
    .optional(),
  joinedYear: z.number().int().min(1900).max(currentYear + 1).nullable().optional(),
  chairYears: z.array(z.number().int().min(2000).max(currentYear + 5)).max(50).optional(),
});
export type OrganizationInput = z.infer<typeof organizationInputSchema>;

export const organizationPatchSchema = organizationInputSchema.partial().extend({
  version: z.number().int().min(1).describe('The version the change is based on; a stale version is refused with 409.'),
});
export type OrganizationPatch = z.infer<typeof organizationPatchSchema>;

export const organizationSchema = z.object({
  id: z.string(),
  slug: z.string(),
  kind: z.enum(ORGANIZATION_KINDS),
  acronym: z.string(),
  name: z.record(z.string(), z.string()),
  description: z.record(z.string(), z.string()),
  orgType: z.string(),
  website: z.string().nullable(),
  iatiRef: z.string().nullable(),
  logoUrl: z.string().nullable(),
  joinedYear: z.number().nullable(),
  chairYears: z.array(z.number()),
  archived: z.boolean(),
  version: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Organization = z.infer<typeof organizationSchema>;

export const organizationListQuerySchema = z.strictObject({
  kind: z.enum(ORGANIZATION_KINDS).optional(),
  q: z.string().trim().max(200).optional(),
  includeArchived: z.coerce.boolean().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type OrganizationListQuery = z.infer<typeof organizationListQuerySchema>;
