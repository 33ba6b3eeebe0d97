import type { ColumnType, Generated } from 'kysely';

/** Column types of the reference and activity tables (migrations 0003 and 0004). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;
type Narrative = Record<string, string>;
type Numeric = ColumnType<number, number | string, number | string>;

export type ReferenceRegionsTable = { m49: string; level: 'world' | 'region' | 'subregion' | 'intermediate'; parent_m49: string | null; names: Json<Narrative>; sort: Generated<number> };
export type ReferenceCountriesTable = {
  code: string;
  alpha3: string | null;
  m49: string | null;
  region_m49: string | null;
  subregion_m49: string | null;
  intermediate_m49: string | null;
  names: Json<Narrative>;
  iati_only: Generated<boolean>;
};
export type TaxonomyTermsTable = {
  taxonomy: string;
  code: string;
  labels: Json<Narrative>;
  descriptions: Json<Narrative>;
  parent_code: string | null;
  sort: Generated<number>;
  source: Generated<string>;
  withdrawn_at: Date | null;
};
export type CodelistsTable = { name: string; version: string | null; origin: 'builtin' | 'official'; complete: Generated<boolean>; loaded_at: Timestamp; source: string | null };
export type CodelistItemsTable = { codelist: string; code: string; names: Json<Narrative>; descriptions: Json<Narrative>; category: string | null; withdrawn: Generated<boolean> };

export type ActivitiesTable = {
  id: string;
  iati_identifier: string | null;
  owner_organization_id: string;
  visibility: 'public' | 'members' | 'restricted' | 'draft';
  shared_with: ColumnType<string[], string[] | undefined, string[]>;
  default_language: Generated<string>;
  reporting_org: Json<{ ref?: string | null; name?: Narrative; orgType?: string | null }>;
  title: Json<Narrative>;
  description: Json<Narrative>;
  objectives: Json<Narrative>;
  target_groups_text: Json<Narrative>;
  status: string | null;
  planned_start: string | null;
  planned_end: string | null;
  actual_start: string | null;
  actual_end: string | null;
  default_currency: string | null;
  activity_scope: string | null;
  pillars: ColumnType<string[], string[] | undefined, string[]>;
  exploitation_forms: ColumnType<string[], string[] | undefined, string[]>;
  target_groups: ColumnType<string[], string[] | undefined, string[]>;
  contexts: ColumnType<string[], string[] | undefined, string[]>;
  sdg_targets: ColumnType<string[], string[] | undefined, string[]>;
  instruments: ColumnType<string[], string[] | undefined, string[]>;
  mechanisms: ColumnType<string[], string[] | undefined, string[]>;
  suggestions: Json<Record<string, string[]>>;
  transactions_summary: Json<unknown[]>;
  results: Json<unknown[]>;
  contacts: Json<unknown[]>;
  provenance: Json<Record<string, unknown>>;
  iati_last_updated: Date | null;
  search: ColumnType<string | null, never, never>;
  version: Generated<number>;
  created_by: string | null;
  updated_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Date | null;
  /** Set by a trigger when the visibility first leaves draft (migration 0010). */
  first_published_at: Generated<Date | null>;
};
export type ActivityParticipantsTable = {
  activity_id: string;
  position: number;
  role: string;
  organization_id: string | null;
  ref: string | null;
  name: Json<Narrative>;
  org_type: string | null;
  activity_ref: string | null;
};
export type ActivityCountriesTable = { activity_id: string; country_code: string; percentage: Numeric | null; narrative: Json<Narrative> };
export type ActivityRegionsTable = { activity_id: string; vocabulary: string; code: string; percentage: Numeric | null; narrative: Json<Narrative> };
export type ActivityLocationsTable = {
  activity_id: string;
  position: number;
  ref: string | null;
  name: Json<Narrative>;
  description: Json<Narrative>;
  country_code: string | null;
  admin_vocabulary: string | null;
  admin_level: number | null;
  admin_code: string | null;
  latitude: number | null;
  longitude: number | null;
  exactness: string | null;
  location_class: string | null;
  feature_designation: string | null;
};
export type ActivitySectorsTable = { activity_id: string; vocabulary: string; code: string; percentage: Numeric | null; narrative: Json<Narrative> };
export type ActivityBudgetsTable = {
  activity_id: string;
  position: number;
  type: string;
  status: string;
  period_start: string;
  period_end: string;
  value: Numeric;
  currency: string | null;
  value_date: string | null;
};
export type ActivityRelatedTable = { activity_id: string; type: string; ref: string };
export type ActivityVersionsTable = {
  activity_id: string;
  version: number;
  snapshot: Json<unknown>;
  action: string;
  actor_label: string;
  actor_user_id: string | null;
  at: Timestamp;
};

/** The list's narrow copy of each activity (migration 0005), kept by triggers; read only by the list. */
export type ActivityListRowsTable = {
  id: string;
  owner_organization_id: string;
  visibility: string;
  shared_with: string[];
  deleted_at: Date | null;
  status: string | null;
  planned_start: string | null;
  planned_end: string | null;
  actual_start: string | null;
  actual_end: string | null;
  updated_at: Date;
  pillars: string[];
  exploitation_forms: string[];
  target_groups: string[];
  contexts: string[];
  sdg_targets: string[];
  country_codes: string[];
  region_codes: string[];
  organization_ids: string[];
};

/** Coordination analytics (migration 0007): decisions on duplicate pairs, the last scan's candidates, links and groups. */
export type DuplicateDecisionsTable = {
  key_a: string;
  key_b: string;
  decision: 'duplicate' | 'not_duplicate';
  note: Generated<string>;
  decided_by: string | null;
  decided_at: Timestamp;
};
export type DuplicateCandidatesTable = { activity_a: string; activity_b: string; score: number; explanation: Json<unknown>; found_at: Timestamp };
export type ActivityLinksTable = { activity_a: string; activity_b: string; kind: 'funder_implementer' | 'duplicate'; evidence: Json<unknown> };
export type ActivityGroupsTable = { activity_id: string; group_id: string };
export type DuplicateScansTable = {
  id: string;
  started_at: Timestamp;
  finished_at: Timestamp;
  activities: number;
  blocks: number;
  compared: ColumnType<string, number | string, number | string>;
  candidates: number;
  links: number;
  actor_label: string;
};

export type RegistryTables = {
  reference_regions: ReferenceRegionsTable;
  reference_countries: ReferenceCountriesTable;
  taxonomy_terms: TaxonomyTermsTable;
  codelists: CodelistsTable;
  codelist_items: CodelistItemsTable;
  activities: ActivitiesTable;
  activity_participants: ActivityParticipantsTable;
  activity_countries: ActivityCountriesTable;
  activity_regions: ActivityRegionsTable;
  activity_locations: ActivityLocationsTable;
  activity_sectors: ActivitySectorsTable;
  activity_budgets: ActivityBudgetsTable;
  activity_related: ActivityRelatedTable;
  activity_versions: ActivityVersionsTable;
  activity_list_rows: ActivityListRowsTable;
  duplicate_decisions: DuplicateDecisionsTable;
  duplicate_candidates: DuplicateCandidatesTable;
  activity_links: ActivityLinksTable;
  activity_groups: ActivityGroupsTable;
  duplicate_scans: DuplicateScansTable;
  iati_import_jobs: IatiImportJobsTable;
};

export type IatiImportJobsTable = {
  id: string;
  status: Generated<'queued' | 'running' | 'done' | 'failed' | 'interrupted'>;
  file_name: string;
  file_key: string;
  file_bytes: ColumnType<number, number, number>;
  options: Json<Record<string, unknown>>;
  created_by: string;
  attempts: Generated<number>;
  bytes_read: Generated<ColumnType<number, number, number>>;
  activities: Generated<number>;
  counts: Json<Record<string, number>>;
  report: ColumnType<unknown, string | null | undefined, string | null>;
  error: string | null;
  created_at: Generated<Timestamp>;
  started_at: Date | null;
  finished_at: Date | null;
  heartbeat_at: Date | null;
};
