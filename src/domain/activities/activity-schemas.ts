import { z } from 'zod';
import { VISIBILITIES } from '../policies.ts';

/**
 * The activity contract shared by forms, API, spreadsheet import and IATI import/export.
 * Shapes only: codelist membership, percentages, date order and other rules are graded by
 * the validator (`validate-activity.ts`) so a draft can be saved with errors.
 */

const lang = z.enum(['en', 'fr', 'es', 'ar', 'zh', 'ru']);
/** Text per language; any of the six UN languages, none required at this level. */
export const narrativeSchema = z.partialRecord(lang, z.string().max(20_000)).default({});
export type Narrative = z.infer<typeof narrativeSchema>;

const code = z.string().trim().min(1).max(100);
const isoDate = z.iso.date();
const percentage = z.number().min(0).max(100).nullable().optional();

export const participantSchema = z.strictObject({
  role: code.describe('IATI OrganisationRole: 1 funding, 2 accountable, 3 extending, 4 implementing'),
  organizationId: z.string().max(40).nullable().optional().describe('A registered organization, when the participant is one'),
  ref: z.string().trim().max(200).nullable().optional().describe('IATI organisation identifier'),
  name: narrativeSchema,
  orgType: code.nullable().optional().describe('IATI OrganisationType'),
  activityRef: z.string().max(250).nullable().optional(),
});

export const countryAllocationSchema = z.strictObject({
  code: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/, 'An ISO 3166-1 alpha-2 code such as NA or KE.'),
  percentage,
  narrative: narrativeSchema.optional(),
});

export const regionAllocationSchema = z.strictObject({
  vocabulary: code.default('1').describe('IATI RegionVocabulary: 1 OECD DAC, 2 UN M49, 99 reporting organisation'),
  code,
  percentage,
  narrative: narrativeSchema.optional(),
});

export const locationSchema = z.strictObject({
  ref: z.string().max(200).nullable().optional(),
  name: narrativeSchema,
  description: narrativeSchema.optional(),
  countryCode: z.string().trim().toUpperCase().regex(/^[A-Z]{2}$/).nullable().optional(),
  adminVocabulary: code.nullable().optional(),
  adminLevel: z.number().int().min(0).max(10).nullable().optional(),
  adminCode: z.string().max(100).nullable().optional(),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  exactness: code.nullable().optional(),
  locationClass: code.nullable().optional(),
  featureDesignation: code.nullable().optional(),
});

export const sectorAllocationSchema = z.strictObject({
  vocabulary: code.default('1').describe('IATI SectorVocabulary: 1 DAC 5-digit, 2 DAC 3-digit, …'),
  code,
  percentage,
  narrative: narrativeSchema.optional(),
});

export const budgetSchema = z.strictObject({
  type: code.default('1'),
  status: code.default('1'),
  periodStart: isoDate,
  periodEnd: isoDate,
  value: z.number().finite(),
  currency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/).nullable().optional(),
  valueDate: isoDate.nullable().optional(),
});

export const transactionSummarySchema = z.strictObject({
  type: code.describe('IATI TransactionType'),
  currency: z.string().regex(/^[A-Z]{3}$/),
  value: z.number().finite(),
  count: z.number().int().min(0),
  activityRefs: z
    .array(z.string().max(250))
    .max(100)
    .optional()
    .describe('IATI identifiers of the provider or receiver activities these transactions name (provider-activity-id, receiver-activity-id)'),
});

export const relatedActivitySchema = z.strictObject({
  type: code.describe('IATI RelatedActivityType: 1 parent, 2 child, 3 sibling, 4 co-funded, 5 third party'),
  ref: z.string().trim().min(1).max(250),
});

const dimensionSchema = z.strictObject({ name: z.string().max(200), value: z.string().max(200) });
const indicatorValueSchema = z.strictObject({
  value: z.string().max(100).nullable().optional(),
  comment: narrativeSchema.optional(),
  dimensions: z.array(dimensionSchema).max(50).default([]),
});
export const indicatorSchema = z.strictObject({
  measure: code.describe('IATI IndicatorMeasure: 1 unit, 2 percentage, 3 nominal, 4 ordinal, 5 qualitative'),
  ascending: z.boolean().nullable().optional(),
  aggregationStatus: z.boolean().nullable().optional(),
  title: narrativeSchema,
  description: narrativeSchema.optional(),
  references: z.array(z.strictObject({ vocabulary: code, code: z.string().max(200), uri: z.string().max(1000).nullable().optional() })).max(20).default([]),
  libraryIndicatorId: z.string().max(40).nullable().optional().describe('An indicator of the platform’s shared library'),
  baselines: z
    .array(z.strictObject({ year: z.number().int().min(1900).max(2200).nullable().optional(), isoDate: isoDate.nullable().optional(), ...indicatorValueSchema.shape }))
    .max(20)
    .default([]),
  periods: z
    .array(
      z.strictObject({
        start: isoDate,
        end: isoDate,
        targets: z.array(indicatorValueSchema).max(50).default([]),
        actuals: z.array(indicatorValueSchema).max(50).default([]),
      }),
    )
    .max(100)
    .default([]),
});
export const resultSchema = z.strictObject({
  type: code.describe('IATI ResultType: 1 output, 2 outcome, 3 impact, 9 other'),
  aggregationStatus: z.boolean().nullable().optional(),
  title: narrativeSchema,
  description: narrativeSchema.optional(),
  indicators: z.array(indicatorSchema).max(100).default([]),
});

export const contactSchema = z.strictObject({
  type: code.nullable().optional(),
  organisation: narrativeSchema.optional(),
  personName: narrativeSchema.optional(),
  jobTitle: narrativeSchema.optional(),
  email: z.string().max(320).nullable().optional(),
  website: z.string().max(1000).nullable().optional(),
});

const codes = z.array(z.string().trim().min(1).max(60)).max(100).default([]);

/** The classification ICAT adds to IATI: each a list of taxonomy term codes. */
export const classificationSchema = z.strictObject({
  pillars: codes.describe('Global Plan of Action pillars (taxonomy "pillar")'),
  exploitationForms: codes.describe('Forms of exploitation (taxonomy "exploitation-form")'),
  targetGroups: codes.describe('Target groups by sex and age (taxonomy "target-group")'),
  contexts: codes.describe('Contexts (taxonomy "context")'),
  sdgTargets: codes.describe('SDG targets (taxonomy "sdg-target")'),
  instruments: codes.describe('Instruments and articles served (taxonomy "instrument")'),
  mechanisms: codes.describe('National mechanisms used (taxonomy "mechanism")'),
});
export type Classification = z.infer<typeof classificationSchema>;
export const CLASSIFICATION_TAXONOMIES: Record<keyof Classification, string> = {
  pillars: 'pillar',
  exploitationForms: 'exploitation-form',
  targetGroups: 'target-group',
  contexts: 'context',
  sdgTargets: 'sdg-target',
  instruments: 'instrument',
  mechanisms: 'mechanism',
};

export const provenanceSchema = z.strictObject({
  source: z.enum(['manual', 'spreadsheet', 'iati', 'api']).default('manual'),
  fileName: z.string().max(500).nullable().optional(),
  fileSha256: z.string().max(64).nullable().optional(),
  importedAt: z.string().nullable().optional(),
  lastUpdatedDatetime: z.string().nullable().optional(),
  relevance: z.array(z.string().max(500)).max(50).optional(),
  note: z.string().max(1000).nullable().optional().describe('A word on where the record comes from, e.g. that it is demo content'),
});

/** Everything a client sends to create or replace an activity. */
export const activityInputSchema = z.strictObject({
  iatiIdentifier: z.string().trim().min(3).max(250).nullable().optional(),
  ownerOrganizationId: z.string().max(40).describe('The platform organization that owns and edits the record'),
  visibility: z.enum(VISIBILITIES).default('draft'),
  sharedWith: z.array(z.string().max(40)).max(100).default([]).describe('Organizations that may read a restricted record'),
  defaultLanguage: lang.default('en'),
  reportingOrg: z
    .strictObject({ ref: z.string().max(200).nullable().optional(), name: narrativeSchema, orgType: code.nullable().optional() })
    .optional(),
  title: narrativeSchema,
  description: narrativeSchema.optional(),
  objectives: narrativeSchema.optional(),
  targetGroupsText: narrativeSchema.optional(),
  status: code.nullable().optional().describe('IATI ActivityStatus: 1 pipeline … 6 suspended'),
  plannedStart: isoDate.nullable().optional(),
  plannedEnd: isoDate.nullable().optional(),
  actualStart: isoDate.nullable().optional(),
  actualEnd: isoDate.nullable().optional(),
  defaultCurrency: z.string().trim().toUpperCase().regex(/^[A-Z]{3}$/).nullable().optional(),
  activityScope: code.nullable().optional(),
  participants: z.array(participantSchema).max(200).default([]),
  countries: z.array(countryAllocationSchema).max(300).default([]),
  regions: z.array(regionAllocationSchema).max(100).default([]),
  locations: z.array(locationSchema).max(2000).default([]),
  sectors: z.array(sectorAllocationSchema).max(200).default([]),
  budgets: z.array(budgetSchema).max(200).default([]),
  transactionsSummary: z.array(transactionSummarySchema).max(200).default([]),
  relatedActivities: z.array(relatedActivitySchema).max(500).default([]),
  results: z.array(resultSchema).max(200).default([]),
  contacts: z.array(contactSchema).max(20).default([]),
  classification: classificationSchema.default({ pillars: [], exploitationForms: [], targetGroups: [], contexts: [], sdgTargets: [], instruments: [], mechanisms: [] }),
  suggestions: classificationSchema.partial().optional(),
  provenance: provenanceSchema.optional(),
});
export type ActivityInput = z.input<typeof activityInputSchema>;
export type ActivityData = z.output<typeof activityInputSchema>;

/** A stored activity as the API returns it. */
export const activitySchema = activityInputSchema.extend({
  id: z.string(),
  ownerOrganization: z.strictObject({ id: z.string(), slug: z.string(), acronym: z.string() }),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
  deletedAt: z.string().nullable(),
  iatiLastUpdated: z.string().nullable(),
});
export type Activity = z.infer<typeof activitySchema>;

/** Replacing an activity: the whole record plus the version it was based on. */
export const activityUpdateSchema = activityInputSchema.extend({
  version: z.number().int().min(1).describe('The version you edited; a stale one is refused with 409 and the current record.'),
});

/** A graded validation message; `path` names the field (`countries.1.percentage`). */
export const SEVERITIES = ['critical', 'error', 'warning'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const validationMessageSchema = z.object({
  severity: z.enum(SEVERITIES),
  path: z.string(),
  rule: z.string().describe('Stable rule id, e.g. countries.percentage-sum'),
  message: z.string(),
  hint: z.string().optional().describe('What to do about it'),
});
export type ValidationMessage = z.infer<typeof validationMessageSchema>;
