import { joinList, splitList } from '../../lib/spreadsheet-cells.ts';
import { LANGUAGES, pickText, type Language } from '../languages.ts';
import type { ReferenceData } from '../reference/reference-data.ts';
import { activityInputSchema, type Activity, type ActivityData, type Narrative } from './activity-schemas.ts';
import type { NewActivityInput } from './save-activity.ts';

/**
 * The flat, one-row-per-activity form of an activity used by the CSV and XLSX exports, the
 * import template and the spreadsheet importer: one column list, declared once. Lists
 * (participants, countries, sectors, …) take one cell per field with the values joined by " | ",
 * the n-th value of each cell belonging to the n-th item. Text in several languages takes one
 * column per language. Columns marked `label` hold names for people to read and are ignored on
 * import; the codes beside them count. Nested data without a flat form (transactions summary,
 * results, contacts, classification suggestions) travels as JSON in one cell.
 */

export type Group =
  | 'identity'
  | 'text'
  | 'owner'
  | 'sharing'
  | 'reporting'
  | 'status'
  | 'dates'
  | 'money'
  | 'participants'
  | 'countries'
  | 'regions'
  | 'sectors'
  | 'locations'
  | 'budgets'
  | 'related'
  | 'classification'
  | 'nested';

export type SheetColumn = {
  name: string;
  /** The HXL hashtag and attributes of the column (hxlstandard.org, 1.1). */
  hxl: string;
  /** What the column holds, for the template's instructions. */
  description: string;
  /** The field group the column fills; a group absent from a file keeps its stored values. */
  group: Group;
  /** A readable name beside a code: written on export, ignored on import. */
  label?: boolean;
  /** A list cell ("a | b"). */
  list?: boolean;
  /** Holds dates (YYYY-MM-DD); a spreadsheet date number is converted on import. */
  date?: boolean;
  /** The IATI codelist or taxonomy whose codes it holds, for the template's code lists. */
  codes?: { kind: 'codelist' | 'taxonomy' | 'country'; name: string };
};

const L = LANGUAGES;
const langName: Record<Language, string> = { en: 'English', fr: 'French', es: 'Spanish', ar: 'Arabic', zh: 'Chinese', ru: 'Russian' };

const perLanguage = (prefix: string, hxl: string, description: string, group: Group, list = false): SheetColumn[] =>
  L.map((l) => ({ name: `${prefix}_${l}`, hxl: `${hxl} +i_${l}`, description: `${description} in ${langName[l]}`, group, ...(list && { list: true }) }));

/** Every column, in file order. */
export const SHEET_COLUMNS: readonly SheetColumn[] = [
  { name: 'id', hxl: '#activity +id', description: 'Platform id (act_…); empty for a new activity with an IATI identifier', group: 'identity' },
  { name: 'iati_identifier', hxl: '#activity +code', description: 'IATI activity identifier; a re-import with the same identifier updates the activity', group: 'identity' },
  ...perLanguage('title', '#activity +title', 'Title', 'text'),
  ...perLanguage('description', '#description', 'Description', 'text'),
  ...perLanguage('objectives', '#description +objectives', 'Objectives', 'text'),
  ...perLanguage('target_groups_text', '#description +targeted', 'Target groups described', 'text'),
  { name: 'owner_org_id', hxl: '#org +owner +id', description: 'Platform id of the organization that owns and edits the record', group: 'owner' },
  { name: 'owner_org', hxl: '#org +owner +name', description: 'Acronym of the owner organization', group: 'owner', label: true },
  { name: 'visibility', hxl: '#meta +visibility', description: 'public, members, restricted or draft', group: 'sharing' },
  { name: 'shared_with', hxl: '#org +shared +id', description: 'Platform ids of organizations that may read a restricted record', group: 'sharing', list: true },
  { name: 'default_language', hxl: '#meta +lang', description: 'Language of the record: en, fr, es, ar, zh or ru', group: 'text' },
  { name: 'reporting_org_ref', hxl: '#org +reporting +code', description: 'IATI organisation identifier of the reporting organisation', group: 'reporting' },
  { name: 'reporting_org_type', hxl: '#org +reporting +type +code', description: 'IATI OrganisationType code', group: 'reporting', codes: { kind: 'codelist', name: 'OrganisationType' } },
  ...perLanguage('reporting_org_name', '#org +reporting +name', 'Name of the reporting organisation', 'reporting'),
  { name: 'status', hxl: '#status +code', description: 'IATI ActivityStatus code', group: 'status', codes: { kind: 'codelist', name: 'ActivityStatus' } },
  { name: 'status_name', hxl: '#status +name', description: 'Activity status', group: 'status', label: true },
  { name: 'planned_start', hxl: '#date +start +planned', description: 'Planned start (YYYY-MM-DD)', group: 'dates', date: true },
  { name: 'planned_end', hxl: '#date +end +planned', description: 'Planned end (YYYY-MM-DD)', group: 'dates', date: true },
  { name: 'actual_start', hxl: '#date +start', description: 'Actual start (YYYY-MM-DD)', group: 'dates', date: true },
  { name: 'actual_end', hxl: '#date +end', description: 'Actual end (YYYY-MM-DD)', group: 'dates', date: true },
  { name: 'default_currency', hxl: '#currency +code', description: 'ISO 4217 currency of values without their own', group: 'money' },
  { name: 'activity_scope', hxl: '#activity +scope +code', description: 'IATI ActivityScope code', group: 'money', codes: { kind: 'codelist', name: 'ActivityScope' } },

  { name: 'participant_role', hxl: '#org +role +code', description: 'IATI OrganisationRole of each participating organization: 1 funding, 2 accountable, 3 extending, 4 implementing', group: 'participants', list: true, codes: { kind: 'codelist', name: 'OrganisationRole' } },
  { name: 'participant_role_name', hxl: '#org +role +name', description: 'Role of each participating organization', group: 'participants', list: true, label: true },
  { name: 'participant_org_id', hxl: '#org +id', description: 'Platform id of each participant that is a registered organization (else empty)', group: 'participants', list: true },
  { name: 'participant_ref', hxl: '#org +code', description: 'IATI organisation identifier of each participant', group: 'participants', list: true },
  { name: 'participant_name', hxl: '#org +name', description: 'Acronym or name of each participant', group: 'participants', list: true, label: true },
  ...perLanguage('participant_name', '#org +name', 'Name of each participant that is not registered,', 'participants', true),
  { name: 'participant_type', hxl: '#org +type +code', description: 'IATI OrganisationType code of each participant', group: 'participants', list: true, codes: { kind: 'codelist', name: 'OrganisationType' } },
  { name: 'participant_activity_ref', hxl: '#org +activity +code', description: 'The participant’s own identifier of the activity', group: 'participants', list: true },

  { name: 'country_code', hxl: '#country +code', description: 'ISO 3166-1 alpha-2 code of each recipient country', group: 'countries', list: true, codes: { kind: 'country', name: 'country' } },
  { name: 'country_name', hxl: '#country +name', description: 'Name of each recipient country', group: 'countries', list: true, label: true },
  { name: 'country_percentage', hxl: '#country +pct', description: 'Share of each country in percent', group: 'countries', list: true },
  ...perLanguage('country_narrative', '#country +description', 'Note on each country', 'countries', true),

  { name: 'region_vocabulary', hxl: '#region +vocabulary', description: 'IATI RegionVocabulary of each recipient region: 1 OECD DAC, 2 UN M49', group: 'regions', list: true, codes: { kind: 'codelist', name: 'RegionVocabulary' } },
  { name: 'region_code', hxl: '#region +code', description: 'Code of each recipient region in its vocabulary', group: 'regions', list: true },
  { name: 'region_name', hxl: '#region +name', description: 'Name of each recipient region', group: 'regions', list: true, label: true },
  { name: 'region_percentage', hxl: '#region +pct', description: 'Share of each region in percent', group: 'regions', list: true },
  ...perLanguage('region_narrative', '#region +description', 'Note on each region', 'regions', true),

  { name: 'sector_vocabulary', hxl: '#sector +vocabulary', description: 'IATI SectorVocabulary of each sector: 1 DAC 5-digit, 2 DAC 3-digit', group: 'sectors', list: true, codes: { kind: 'codelist', name: 'SectorVocabulary' } },
  { name: 'sector_code', hxl: '#sector +code', description: 'Code of each sector in its vocabulary', group: 'sectors', list: true, codes: { kind: 'codelist', name: 'Sector' } },
  { name: 'sector_name', hxl: '#sector +name', description: 'Name of each sector', group: 'sectors', list: true, label: true },
  { name: 'sector_percentage', hxl: '#sector +pct', description: 'Share of each sector in percent', group: 'sectors', list: true },
  ...perLanguage('sector_narrative', '#sector +description', 'Name of each sector of the reporting organisation’s own vocabulary', 'sectors', true),

  { name: 'location_ref', hxl: '#loc +code', description: 'Reference of each sub-national location', group: 'locations', list: true },
  ...perLanguage('location_name', '#loc +name', 'Name of each location', 'locations', true),
  ...perLanguage('location_description', '#loc +description', 'Description of each location', 'locations', true),
  { name: 'location_country', hxl: '#loc +country +code', description: 'Country (alpha-2) of each location', group: 'locations', list: true },
  { name: 'location_admin_vocabulary', hxl: '#adm1 +vocabulary', description: 'IATI GeographicVocabulary of each administrative code', group: 'locations', list: true },
  { name: 'location_admin_level', hxl: '#adm1 +level', description: 'Administrative level of each code (0–10)', group: 'locations', list: true },
  { name: 'location_admin_code', hxl: '#adm1 +code', description: 'Administrative area code of each location', group: 'locations', list: true },
  { name: 'location_lat', hxl: '#geo +lat', description: 'Latitude of each location (WGS 84)', group: 'locations', list: true },
  { name: 'location_lon', hxl: '#geo +lon', description: 'Longitude of each location (WGS 84)', group: 'locations', list: true },
  { name: 'location_exactness', hxl: '#geo +exactness +code', description: 'IATI GeographicExactness of each point', group: 'locations', list: true },
  { name: 'location_class', hxl: '#loc +class +code', description: 'IATI GeographicLocationClass of each location', group: 'locations', list: true },
  { name: 'location_feature_designation', hxl: '#loc +type +code', description: 'IATI LocationType (feature designation) of each location', group: 'locations', list: true },

  { name: 'budget_type', hxl: '#value +budget +type', description: 'IATI BudgetType of each budget: 1 original, 2 revised', group: 'budgets', list: true, codes: { kind: 'codelist', name: 'BudgetType' } },
  { name: 'budget_status', hxl: '#value +budget +status', description: 'IATI BudgetStatus of each budget: 1 indicative, 2 committed', group: 'budgets', list: true, codes: { kind: 'codelist', name: 'BudgetStatus' } },
  { name: 'budget_start', hxl: '#date +budget +start', description: 'Start of each budget period (YYYY-MM-DD)', group: 'budgets', list: true, date: true },
  { name: 'budget_end', hxl: '#date +budget +end', description: 'End of each budget period (YYYY-MM-DD)', group: 'budgets', list: true, date: true },
  { name: 'budget_value', hxl: '#value +budget', description: 'Amount of each budget', group: 'budgets', list: true },
  { name: 'budget_currency', hxl: '#currency +budget +code', description: 'ISO 4217 currency of each budget (else the default currency)', group: 'budgets', list: true },
  { name: 'budget_value_date', hxl: '#date +budget +value', description: 'Date of the exchange rate of each budget', group: 'budgets', list: true, date: true },

  { name: 'related_type', hxl: '#activity +related +type', description: 'IATI RelatedActivityType of each related activity: 1 parent, 2 child, 3 sibling, 4 co-funded', group: 'related', list: true, codes: { kind: 'codelist', name: 'RelatedActivityType' } },
  { name: 'related_ref', hxl: '#activity +related +code', description: 'IATI identifier of each related activity', group: 'related', list: true },

  { name: 'pillar_code', hxl: '#x_pillar +code', description: 'Global Plan of Action pillars', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'pillar' } },
  { name: 'pillar_name', hxl: '#x_pillar +name', description: 'Pillars', group: 'classification', list: true, label: true },
  { name: 'exploitation_form_code', hxl: '#x_exploitation +code', description: 'Forms of exploitation', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'exploitation-form' } },
  { name: 'exploitation_form_name', hxl: '#x_exploitation +name', description: 'Forms of exploitation', group: 'classification', list: true, label: true },
  { name: 'target_group_code', hxl: '#x_targetgroup +code', description: 'Target groups by sex and age', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'target-group' } },
  { name: 'target_group_name', hxl: '#x_targetgroup +name', description: 'Target groups', group: 'classification', list: true, label: true },
  { name: 'context_code', hxl: '#x_context +code', description: 'Contexts', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'context' } },
  { name: 'context_name', hxl: '#x_context +name', description: 'Contexts', group: 'classification', list: true, label: true },
  { name: 'sdg_target_code', hxl: '#x_sdg +code', description: 'SDG targets', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'sdg-target' } },
  { name: 'sdg_target_name', hxl: '#x_sdg +name', description: 'SDG targets', group: 'classification', list: true, label: true },
  { name: 'instrument_code', hxl: '#x_instrument +code', description: 'Instruments and articles served', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'instrument' } },
  { name: 'instrument_name', hxl: '#x_instrument +name', description: 'Instruments and articles', group: 'classification', list: true, label: true },
  { name: 'mechanism_code', hxl: '#x_mechanism +code', description: 'National mechanisms used', group: 'classification', list: true, codes: { kind: 'taxonomy', name: 'mechanism' } },
  { name: 'mechanism_name', hxl: '#x_mechanism +name', description: 'National mechanisms', group: 'classification', list: true, label: true },

  { name: 'transactions_json', hxl: '#value +transactions +x_json', description: 'Transactions summary as JSON, as the API gives it', group: 'nested' },
  { name: 'results_json', hxl: '#indicator +results +x_json', description: 'Results with indicators, baselines, targets and actuals as JSON, as the API gives it', group: 'nested' },
  { name: 'contacts_json', hxl: '#contact +x_json', description: 'Contacts as JSON, as the API gives it', group: 'nested' },
  { name: 'suggestions_json', hxl: '#meta +suggestions +x_json', description: 'Classification suggested by an importer, awaiting confirmation, as JSON', group: 'nested' },
  { name: 'updated_at', hxl: '#date +updated', description: 'When the record last changed (export only)', group: 'identity', label: true },
];

export const COLUMN_BY_NAME: ReadonlyMap<string, SheetColumn> = new Map(SHEET_COLUMNS.map((c) => [c.name, c]));

export type CellValue = string | number | null;

const narrative = (n: Narrative | undefined, l: Language) => n?.[l] ?? '';
const num = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v));
const nestedJson = (v: unknown) => (Array.isArray(v) ? (v.length > 0 ? JSON.stringify(v) : '') : v && Object.keys(v).length > 0 ? JSON.stringify(v) : '');

/** Names for export labels: registered organizations' acronyms by id. */
export type OrgNames = ReadonlyMap<string, string>;

type Labels = { ref: ReferenceData; lang: Language; orgs: OrgNames };
type Cell = string | number | null | undefined;
type ListSpec<T> = { items: (a: Activity) => readonly T[]; cells: [string, (x: T, l: Labels) => Cell][]; narratives: [string, (x: T) => Narrative | undefined][] };
type P = Activity['participants'][number];
type C = Activity['countries'][number];
type R = Activity['regions'][number];
type S = Activity['sectors'][number];
type Loc = Activity['locations'][number];
type B = Activity['budgets'][number];
type Rel = Activity['relatedActivities'][number];

/** How each list of an activity becomes cells; declared once, not per row (exports write 100k rows). */
const LISTS: ListSpec<never>[] = [
  {
    items: (a) => a.participants,
    cells: [
      ['participant_role', (p: P) => p.role],
      ['participant_role_name', (p: P, x) => x.ref.label('OrganisationRole', p.role, x.lang)],
      ['participant_org_id', (p: P) => p.organizationId],
      ['participant_ref', (p: P) => p.ref],
      ['participant_name', (p: P, x) => (p.organizationId && x.orgs.get(p.organizationId)) || pickText(p.name, x.lang) || p.ref],
      ['participant_type', (p: P) => p.orgType],
      ['participant_activity_ref', (p: P) => p.activityRef],
    ],
    narratives: [['participant_name', (p: P) => p.name]],
  } satisfies ListSpec<P>,
  {
    items: (a) => a.countries,
    cells: [
      ['country_code', (c: C) => c.code],
      ['country_name', (c: C, x) => x.ref.label('country', c.code, x.lang)],
      ['country_percentage', (c: C) => num(c.percentage)],
    ],
    narratives: [['country_narrative', (c: C) => c.narrative]],
  } satisfies ListSpec<C>,
  {
    items: (a) => a.regions,
    cells: [
      ['region_vocabulary', (r: R) => r.vocabulary],
      ['region_code', (r: R) => r.code],
      ['region_name', (r: R, x) => x.ref.regionLabel(r.vocabulary, r.code, x.lang)],
      ['region_percentage', (r: R) => num(r.percentage)],
    ],
    narratives: [['region_narrative', (r: R) => r.narrative]],
  } satisfies ListSpec<R>,
  {
    items: (a) => a.sectors,
    cells: [
      ['sector_vocabulary', (s: S) => s.vocabulary],
      ['sector_code', (s: S) => s.code],
      ['sector_name', (s: S, x) => (s.vocabulary === '1' || s.vocabulary === '2' ? x.ref.label('Sector', s.code, x.lang) : pickText(s.narrative, x.lang) || s.code)],
      ['sector_percentage', (s: S) => num(s.percentage)],
    ],
    narratives: [['sector_narrative', (s: S) => s.narrative]],
  } satisfies ListSpec<S>,
  {
    items: (a) => a.locations,
    cells: [
      ['location_ref', (l: Loc) => l.ref],
      ['location_country', (l: Loc) => l.countryCode],
      ['location_admin_vocabulary', (l: Loc) => l.adminVocabulary],
      ['location_admin_level', (l: Loc) => num(l.adminLevel)],
      ['location_admin_code', (l: Loc) => l.adminCode],
      ['location_lat', (l: Loc) => num(l.latitude)],
      ['location_lon', (l: Loc) => num(l.longitude)],
      ['location_exactness', (l: Loc) => l.exactness],
      ['location_class', (l: Loc) => l.locationClass],
      ['location_feature_designation', (l: Loc) => l.featureDesignation],
    ],
    narratives: [
      ['location_name', (l: Loc) => l.name],
      ['location_description', (l: Loc) => l.description],
    ],
  } satisfies ListSpec<Loc>,
  {
    items: (a) => a.budgets,
    cells: [
      ['budget_type', (b: B) => b.type],
      ['budget_status', (b: B) => b.status],
      ['budget_start', (b: B) => b.periodStart],
      ['budget_end', (b: B) => b.periodEnd],
      ['budget_value', (b: B) => num(b.value)],
      ['budget_currency', (b: B) => b.currency],
      ['budget_value_date', (b: B) => b.valueDate],
    ],
    narratives: [],
  } satisfies ListSpec<B>,
  {
    items: (a) => a.relatedActivities,
    cells: [
      ['related_type', (r: Rel) => r.type],
      ['related_ref', (r: Rel) => r.ref],
    ],
    narratives: [],
  } satisfies ListSpec<Rel>,
] as unknown as ListSpec<never>[];

const TERM_COLUMNS: [string, string, keyof Activity['classification']][] = [
  ['pillar', 'pillar', 'pillars'],
  ['exploitation_form', 'exploitation-form', 'exploitationForms'],
  ['target_group', 'target-group', 'targetGroups'],
  ['context', 'context', 'contexts'],
  ['sdg_target', 'sdg-target', 'sdgTargets'],
  ['instrument', 'instrument', 'instruments'],
  ['mechanism', 'mechanism', 'mechanisms'],
];

/** One activity as a row of cells keyed by column name, with labels in `lang`. */
export function activityToRow(a: Activity, ref: ReferenceData, lang: Language, orgs: OrgNames): Record<string, string> {
  const row: Record<string, string> = {};
  const x: Labels = { ref, lang, orgs };
  row.id = a.id;
  row.iati_identifier = a.iatiIdentifier ?? '';
  for (const l of L) {
    row[`title_${l}`] = narrative(a.title, l);
    row[`description_${l}`] = narrative(a.description, l);
    row[`objectives_${l}`] = narrative(a.objectives, l);
    row[`target_groups_text_${l}`] = narrative(a.targetGroupsText, l);
    row[`reporting_org_name_${l}`] = narrative(a.reportingOrg?.name, l);
  }
  row.owner_org_id = a.ownerOrganizationId;
  row.owner_org = a.ownerOrganization.acronym;
  row.visibility = a.visibility;
  row.shared_with = joinList(a.sharedWith);
  row.default_language = a.defaultLanguage;
  row.reporting_org_ref = a.reportingOrg?.ref ?? '';
  row.reporting_org_type = a.reportingOrg?.orgType ?? '';
  row.status = a.status ?? '';
  row.status_name = a.status ? ref.label('ActivityStatus', a.status, lang) : '';
  row.planned_start = a.plannedStart ?? '';
  row.planned_end = a.plannedEnd ?? '';
  row.actual_start = a.actualStart ?? '';
  row.actual_end = a.actualEnd ?? '';
  row.default_currency = a.defaultCurrency ?? '';
  row.activity_scope = a.activityScope ?? '';
  for (const spec of LISTS) {
    const items = spec.items(a) as readonly never[];
    for (const [name, get] of spec.cells) row[name] = items.length === 0 ? '' : joinList(items.map((it) => get(it, x)));
    for (const [prefix, get] of spec.narratives) {
      for (const l of L) row[`${prefix}_${l}`] = items.length === 0 ? '' : joinList(items.map((it) => narrative(get(it), l)));
    }
  }
  for (const [prefix, taxonomy, key] of TERM_COLUMNS) {
    const codes = a.classification[key];
    row[`${prefix}_code`] = joinList(codes);
    row[`${prefix}_name`] = codes.length === 0 ? '' : joinList(codes.map((code) => ref.label(taxonomy, code, lang)));
  }
  row.transactions_json = nestedJson(a.transactionsSummary);
  row.results_json = nestedJson(a.results);
  row.contacts_json = nestedJson(a.contacts);
  row.suggestions_json = nestedJson(a.suggestions ?? {});
  row.updated_at = a.updatedAt;
  return row;
}

/** A problem found while reading one row, before validation: the column and what is wrong. */
export type CellProblem = { column: string; message: string; hint?: string };

/** Reads a row into an activity input. `get` gives a column's text, or undefined when the file has no such column. */
export type RowReader = (column: string) => string | undefined;

/** Converts a spreadsheet date number (days since 1899-12-30) to YYYY-MM-DD; other text as it is. */
export function sheetDate(text: string): string {
  if (/^\d{4,6}(\.\d+)?$/.test(text)) {
    const days = Math.floor(Number(text));
    if (days > 0 && days < 2_958_466) return new Date(Date.UTC(1899, 11, 30) + days * 86_400_000).toISOString().slice(0, 10);
  }
  return text;
}

/** Groups of fields present in a file: a group is present when any of its (non-label) columns is. */
export function presentGroups(headers: readonly string[]): Set<Group> {
  const out = new Set<Group>();
  for (const h of headers) {
    const col = COLUMN_BY_NAME.get(h);
    if (col && !col.label) out.add(col.group);
  }
  return out;
}

/**
 * Turns one row into the input of `upsertActivityByIdentifier`. Groups of fields the file
 * does not have are taken from `stored` (the activity as it is, when it exists), so a sheet with
 * fewer columns changes only what it holds. Cells that cannot be read (a number that is not one,
 * lists of unequal length, broken JSON) are reported with their column and left out.
 */
export function rowToInput(get: RowReader, groups: ReadonlySet<Group>, stored: ActivityData | undefined): { input: NewActivityInput; problems: CellProblem[] } {
  const problems: CellProblem[] = [];
  const text = (column: string): string => (get(column) ?? '').trim();
  const opt = (column: string): string | null => text(column) || null;
  const date = (column: string): string | null => {
    const t = text(column);
    return t ? sheetDate(t) : null;
  };
  const narrativeOf = (prefix: string): Narrative => Object.fromEntries(L.flatMap((l) => (text(`${prefix}_${l}`) ? [[l, text(`${prefix}_${l}`)]] : [])));
  const number = (column: string, raw: string, integer = false): number | null => {
    const t = raw.trim().replace(/%$/, '').replace(/\s/g, '');
    if (t === '') return null;
    const v = Number(t);
    if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) {
      problems.push({ column, message: `“${raw}” is not a ${integer ? 'whole ' : ''}number.`, hint: 'Write digits with a dot for decimals, e.g. 12.5.' });
      return null;
    }
    return v;
  };
  const from = <K extends keyof ActivityData>(key: K, group: Group, read: () => ActivityData[K] | undefined): ActivityData[K] | undefined =>
    groups.has(group) ? read() : stored?.[key];

  /** The items of a list group: as many as the longest cell; each cell has that many values or none. */
  const items = (columns: string[]): ((column: string) => string)[] => {
    const cells = new Map(columns.map((c) => [c, splitList(get(c) ?? '')]));
    const n = Math.max(0, ...[...cells.values()].map((v) => v.length));
    for (const [c, values] of cells) {
      if (values.length !== 0 && values.length !== n) {
        problems.push({ column: c, message: `This cell has ${values.length} value${values.length === 1 ? '' : 's'} where the row has ${n}.`, hint: 'Give one value per item, separated by " | ", leaving a value empty between separators where needed.' });
      }
    }
    return Array.from({ length: n }, (_, i) => (c: string) => {
      const values = cells.get(c) ?? [];
      return values.length === n ? (values[i] ?? '') : '';
    });
  };
  const narrativeItem = (item: (c: string) => string, prefix: string): Narrative => Object.fromEntries(L.flatMap((l) => (item(`${prefix}_${l}`) ? [[l, item(`${prefix}_${l}`)]] : [])));
  const listCols = (group: Group) => SHEET_COLUMNS.filter((c) => c.group === group && c.list && !c.label).map((c) => c.name);
  const json = (column: string, fallback: unknown): unknown => {
    const t = text(column);
    if (!t) return fallback;
    try {
      return JSON.parse(t);
    } catch {
      problems.push({ column, message: 'This cell is not valid JSON.', hint: 'Leave it empty, or copy the value from an export unchanged.' });
      return fallback;
    }
  };

  const input: NewActivityInput = {
    iatiIdentifier: opt('iati_identifier'),
    ownerOrganizationId: groups.has('owner') ? opt('owner_org_id') : (stored?.ownerOrganizationId ?? null),
    visibility: (groups.has('sharing') ? text('visibility') || 'draft' : (stored?.visibility ?? 'draft')) as ActivityData['visibility'],
    sharedWith: from('sharedWith', 'sharing', () => splitList(get('shared_with') ?? '').filter(Boolean)),
    defaultLanguage: (groups.has('text') ? text('default_language') || 'en' : (stored?.defaultLanguage ?? 'en')) as ActivityData['defaultLanguage'],
    reportingOrg: from('reportingOrg', 'reporting', () => ({ ref: opt('reporting_org_ref'), orgType: opt('reporting_org_type'), name: narrativeOf('reporting_org_name') })),
    title: from('title', 'text', () => narrativeOf('title')) ?? {},
    description: from('description', 'text', () => narrativeOf('description')),
    objectives: from('objectives', 'text', () => narrativeOf('objectives')),
    targetGroupsText: from('targetGroupsText', 'text', () => narrativeOf('target_groups_text')),
    status: from('status', 'status', () => opt('status')),
    plannedStart: from('plannedStart', 'dates', () => date('planned_start')),
    plannedEnd: from('plannedEnd', 'dates', () => date('planned_end')),
    actualStart: from('actualStart', 'dates', () => date('actual_start')),
    actualEnd: from('actualEnd', 'dates', () => date('actual_end')),
    defaultCurrency: from('defaultCurrency', 'money', () => opt('default_currency')),
    activityScope: from('activityScope', 'money', () => opt('activity_scope')),
    participants: from('participants', 'participants', () =>
      items(listCols('participants')).map((it) => ({
        role: it('participant_role'),
        organizationId: it('participant_org_id') || null,
        ref: it('participant_ref') || null,
        name: narrativeItem(it, 'participant_name'),
        orgType: it('participant_type') || null,
        activityRef: it('participant_activity_ref') || null,
      })),
    ),
    countries: from('countries', 'countries', () =>
      items(listCols('countries')).map((it) => ({ code: it('country_code'), percentage: number('country_percentage', it('country_percentage')), narrative: narrativeItem(it, 'country_narrative') })),
    ),
    regions: from('regions', 'regions', () =>
      items(listCols('regions')).map((it) => ({
        vocabulary: it('region_vocabulary') || '1',
        code: it('region_code'),
        percentage: number('region_percentage', it('region_percentage')),
        narrative: narrativeItem(it, 'region_narrative'),
      })),
    ),
    sectors: from('sectors', 'sectors', () =>
      items(listCols('sectors')).map((it) => ({
        vocabulary: it('sector_vocabulary') || '1',
        code: it('sector_code'),
        percentage: number('sector_percentage', it('sector_percentage')),
        narrative: narrativeItem(it, 'sector_narrative'),
      })),
    ),
    locations: from('locations', 'locations', () =>
      items(listCols('locations')).map((it) => ({
        ref: it('location_ref') || null,
        name: narrativeItem(it, 'location_name'),
        description: narrativeItem(it, 'location_description'),
        countryCode: it('location_country') || null,
        adminVocabulary: it('location_admin_vocabulary') || null,
        adminLevel: number('location_admin_level', it('location_admin_level'), true),
        adminCode: it('location_admin_code') || null,
        latitude: number('location_lat', it('location_lat')),
        longitude: number('location_lon', it('location_lon')),
        exactness: it('location_exactness') || null,
        locationClass: it('location_class') || null,
        featureDesignation: it('location_feature_designation') || null,
      })),
    ),
    budgets: from('budgets', 'budgets', () =>
      items(listCols('budgets')).map((it) => ({
        type: it('budget_type') || '1',
        status: it('budget_status') || '1',
        periodStart: sheetDate(it('budget_start')),
        periodEnd: sheetDate(it('budget_end')),
        value: number('budget_value', it('budget_value')) ?? 0,
        currency: it('budget_currency') || null,
        valueDate: it('budget_value_date') ? sheetDate(it('budget_value_date')) : null,
      })),
    ),
    relatedActivities: from('relatedActivities', 'related', () => items(listCols('related')).map((it) => ({ type: it('related_type'), ref: it('related_ref') }))),
    classification: groups.has('classification')
      ? {
          pillars: splitList(get('pillar_code') ?? ''),
          exploitationForms: splitList(get('exploitation_form_code') ?? ''),
          targetGroups: splitList(get('target_group_code') ?? ''),
          contexts: splitList(get('context_code') ?? ''),
          sdgTargets: splitList(get('sdg_target_code') ?? ''),
          instruments: splitList(get('instrument_code') ?? ''),
          mechanisms: splitList(get('mechanism_code') ?? ''),
        }
      : stored?.classification,
    transactionsSummary: from('transactionsSummary', 'nested', () => json('transactions_json', []) as ActivityData['transactionsSummary']),
    results: from('results', 'nested', () => json('results_json', []) as ActivityData['results']),
    contacts: from('contacts', 'nested', () => json('contacts_json', []) as ActivityData['contacts']),
    suggestions: from('suggestions', 'nested', () => json('suggestions_json', {}) as ActivityData['suggestions']),
  };
  return { input, problems };
}

/** The column a validation path names (`countries.1.percentage` → `country_percentage`), for row/column messages. */
export function columnOfPath(path: string): string {
  const [head = '', second = '', third = ''] = path.split('.');
  const lang = (L as readonly string[]).includes(third) ? third : (L as readonly string[]).includes(second) ? second : 'en';
  const direct: Record<string, string> = {
    iatiIdentifier: 'iati_identifier',
    ownerOrganizationId: 'owner_org_id',
    visibility: 'visibility',
    sharedWith: 'shared_with',
    defaultLanguage: 'default_language',
    status: 'status',
    plannedStart: 'planned_start',
    plannedEnd: 'planned_end',
    actualStart: 'actual_start',
    actualEnd: 'actual_end',
    defaultCurrency: 'default_currency',
    activityScope: 'activity_scope',
    transactionsSummary: 'transactions_json',
    results: 'results_json',
    contacts: 'contacts_json',
    suggestions: 'suggestions_json',
    title: `title_${lang}`,
    description: `description_${lang}`,
    objectives: `objectives_${lang}`,
    targetGroupsText: `target_groups_text_${lang}`,
  };
  if (head in direct) return direct[head]!;
  const field = path.split('.').slice(2).join('.');
  const pick = (map: Record<string, string>, fallback: string) => map[field.split('.')[0] ?? ''] ?? fallback;
  switch (head) {
    case 'reportingOrg':
      return second === 'ref' ? 'reporting_org_ref' : second === 'orgType' ? 'reporting_org_type' : `reporting_org_name_${lang}`;
    case 'participants':
      return pick({ role: 'participant_role', organizationId: 'participant_org_id', ref: 'participant_ref', orgType: 'participant_type', activityRef: 'participant_activity_ref', name: 'participant_name_en' }, 'participant_role');
    case 'countries':
      return pick({ code: 'country_code', percentage: 'country_percentage' }, 'country_code');
    case 'regions':
      return pick({ vocabulary: 'region_vocabulary', code: 'region_code', percentage: 'region_percentage' }, 'region_code');
    case 'sectors':
      return pick({ vocabulary: 'sector_vocabulary', code: 'sector_code', percentage: 'sector_percentage', narrative: 'sector_narrative_en' }, 'sector_code');
    case 'locations':
      return pick(
        { countryCode: 'location_country', adminVocabulary: 'location_admin_vocabulary', adminLevel: 'location_admin_level', adminCode: 'location_admin_code', latitude: 'location_lat', longitude: 'location_lon', exactness: 'location_exactness', locationClass: 'location_class', featureDesignation: 'location_feature_designation', ref: 'location_ref', name: 'location_name_en' },
        'location_name_en',
      );
    case 'budgets':
      return pick({ type: 'budget_type', status: 'budget_status', periodStart: 'budget_start', periodEnd: 'budget_end', value: 'budget_value', currency: 'budget_currency', valueDate: 'budget_value_date' }, 'budget_value');
    case 'relatedActivities':
      return pick({ type: 'related_type', ref: 'related_ref' }, 'related_ref');
    case 'classification': {
      const map: Record<string, string> = { pillars: 'pillar_code', exploitationForms: 'exploitation_form_code', targetGroups: 'target_group_code', contexts: 'context_code', sdgTargets: 'sdg_target_code', instruments: 'instrument_code', mechanisms: 'mechanism_code' };
      return map[second] ?? 'pillar_code';
    }
    default:
      return head || 'id';
  }
}

/** Checks an input against the activity shape without saving (zod); issues come back with their columns. */
export function shapeProblems(input: NewActivityInput): CellProblem[] {
  const parsed = activityInputSchema.safeParse({ ...input, ownerOrganizationId: input.ownerOrganizationId ?? '' });
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => ({ column: columnOfPath(i.path.map(String).join('.')), message: i.message }));
}
