import type { Executor } from '../../db/database.ts';
import { loadActivityRows, type ActivityChildValues, type ActivityMainValues, type ActivityRows } from '../../db/queries/activities.ts';
import { LANGUAGES } from '../languages.ts';
import type { Activity, ActivityData, Classification, Narrative } from './activity-schemas.ts';

/**
 * One canonical form of an activity's data: what the database gives back after a save.
 * Saving stores it, reading produces it, and comparing two canonical forms tells whether a
 * re-import changes anything. Empty texts are dropped, absent values are null, lists without
 * an order of their own (countries, regions, sectors, related activities, codes) are sorted,
 * and numbers are rounded as their columns store them.
 */

const text = (v: string | null | undefined): string | null => {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return s === '' ? null : s;
};

/** Text per language in the fixed language order, without empty entries. */
export function canonicalNarrative(n: Partial<Record<string, string | undefined>> | null | undefined): Narrative {
  const out: Record<string, string> = {};
  if (!n) return out;
  for (const l of LANGUAGES) {
    const v = n[l];
    if (typeof v === 'string' && v.trim() !== '') out[l] = v.trim();
  }
  return out;
}

const round = (v: number | null | undefined, digits: number): number | null => {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

const codes = (list: readonly string[] | undefined): string[] => [...new Set((list ?? []).map((c) => c.trim()).filter(Boolean))].sort();

/** Sorts object keys and drops undefined values, deeply: JSON stored in jsonb comes back this way. */
export function deepClean<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => deepClean(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[k];
      if (v !== undefined) out[k] = deepClean(v);
    }
    return out as T;
  }
  return value;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const CLASSIFICATION_KEYS = ['pillars', 'exploitationForms', 'targetGroups', 'contexts', 'sdgTargets', 'instruments', 'mechanisms'] as const satisfies readonly (keyof Classification)[];

/**
 * Activity data tidied for storage, in the order given: texts trimmed, empty ones dropped,
 * numbers rounded as stored, codes de-duplicated. Validation messages of a save point into
 * this order, which is the client's (a form's rows, an API body's arrays).
 */
export function normalizeActivityData(d: ActivityData): ActivityData {
  const suggestions: Partial<Classification> = {};
  for (const k of CLASSIFICATION_KEYS) {
    const list = codes(d.suggestions?.[k]);
    if (list.length > 0) suggestions[k] = list;
  }
  return {
    iatiIdentifier: text(d.iatiIdentifier),
    ownerOrganizationId: d.ownerOrganizationId,
    visibility: d.visibility,
    sharedWith: codes(d.sharedWith),
    defaultLanguage: d.defaultLanguage,
    reportingOrg: { ref: text(d.reportingOrg?.ref), name: canonicalNarrative(d.reportingOrg?.name), orgType: text(d.reportingOrg?.orgType) },
    title: canonicalNarrative(d.title),
    description: canonicalNarrative(d.description),
    objectives: canonicalNarrative(d.objectives),
    targetGroupsText: canonicalNarrative(d.targetGroupsText),
    status: text(d.status),
    plannedStart: text(d.plannedStart),
    plannedEnd: text(d.plannedEnd),
    actualStart: text(d.actualStart),
    actualEnd: text(d.actualEnd),
    defaultCurrency: text(d.defaultCurrency),
    activityScope: text(d.activityScope),
    participants: d.participants.map((p) => ({
      role: p.role.trim(),
      organizationId: text(p.organizationId),
      ref: text(p.ref),
      name: canonicalNarrative(p.name),
      orgType: text(p.orgType),
      activityRef: text(p.activityRef),
    })),
    countries: d.countries
      .map((c) => ({ code: c.code, percentage: round(c.percentage, 3), narrative: canonicalNarrative(c.narrative) })),
    regions: d.regions
      .map((r) => ({ vocabulary: r.vocabulary.trim(), code: r.code.trim(), percentage: round(r.percentage, 3), narrative: canonicalNarrative(r.narrative) })),
    locations: d.locations.map((l) => ({
      ref: text(l.ref),
      name: canonicalNarrative(l.name),
      description: canonicalNarrative(l.description),
      countryCode: text(l.countryCode),
      adminVocabulary: text(l.adminVocabulary),
      adminLevel: l.adminLevel ?? null,
      adminCode: text(l.adminCode),
      latitude: l.latitude ?? null,
      longitude: l.longitude ?? null,
      exactness: text(l.exactness),
      locationClass: text(l.locationClass),
      featureDesignation: text(l.featureDesignation),
    })),
    sectors: d.sectors
      .map((s) => ({ vocabulary: s.vocabulary.trim(), code: s.code.trim(), percentage: round(s.percentage, 3), narrative: canonicalNarrative(s.narrative) })),
    budgets: d.budgets.map((b) => ({
      type: b.type.trim(),
      status: b.status.trim(),
      periodStart: b.periodStart,
      periodEnd: b.periodEnd,
      value: round(b.value, 2) ?? 0,
      currency: text(b.currency),
      valueDate: text(b.valueDate),
    })),
    transactionsSummary: deepClean(d.transactionsSummary),
    relatedActivities: d.relatedActivities.map((r) => ({ type: r.type.trim(), ref: r.ref.trim() })),
    results: deepClean(d.results),
    contacts: deepClean(d.contacts),
    classification: {
      pillars: codes(d.classification.pillars),
      exploitationForms: codes(d.classification.exploitationForms),
      targetGroups: codes(d.classification.targetGroups),
      contexts: codes(d.classification.contexts),
      sdgTargets: codes(d.classification.sdgTargets),
      instruments: codes(d.classification.instruments),
      mechanisms: codes(d.classification.mechanisms),
    },
    suggestions,
    provenance: deepClean(d.provenance ?? { source: 'manual' }),
  };
}

/**
 * The canonical form (see above): normalized, and with the lists that have no order of their
 * own (countries, regions, sectors, related activities) sorted as the database returns them.
 */
export function canonicalActivityData(d: ActivityData): ActivityData {
  const n = normalizeActivityData(d);
  return {
    ...n,
    countries: [...n.countries].sort((a, b) => cmp(a.code, b.code)),
    regions: [...n.regions].sort((a, b) => cmp(a.vocabulary, b.vocabulary) || cmp(a.code, b.code)),
    sectors: [...n.sectors].sort((a, b) => cmp(a.vocabulary, b.vocabulary) || cmp(a.code, b.code)),
    relatedActivities: [...n.relatedActivities].sort((a, b) => cmp(a.type, b.type) || cmp(a.ref, b.ref)),
  };
}

/** A stable JSON text of any value (keys sorted), for equality of canonical forms. */
export function stableJson(value: unknown): string {
  return JSON.stringify(deepClean(value));
}

/** Do two activities hold the same data? Provenance is left out: importing the same data from another file changes nothing. */
export function sameActivityData(a: ActivityData, b: ActivityData): boolean {
  const strip = (d: ActivityData) => ({ ...canonicalActivityData(d), provenance: undefined });
  return stableJson(strip(a)) === stableJson(strip(b));
}

const iso = (v: Date | string | null): string | null => (v === null ? null : new Date(v).toISOString());
const json = (v: unknown) => JSON.stringify(v);

/** Turns stored rows into the activity the API returns. */
export function rowsToActivity(rows: ActivityRows): Activity {
  const { main: m, children: ch } = rows;
  const data: ActivityData = canonicalActivityData({
    iatiIdentifier: m.iati_identifier,
    ownerOrganizationId: m.owner_organization_id,
    visibility: m.visibility,
    sharedWith: m.shared_with,
    defaultLanguage: m.default_language as ActivityData['defaultLanguage'],
    reportingOrg: { ref: m.reporting_org.ref ?? null, name: m.reporting_org.name ?? {}, orgType: m.reporting_org.orgType ?? null },
    title: m.title,
    description: m.description,
    objectives: m.objectives,
    targetGroupsText: m.target_groups_text,
    status: m.status,
    plannedStart: m.planned_start,
    plannedEnd: m.planned_end,
    actualStart: m.actual_start,
    actualEnd: m.actual_end,
    defaultCurrency: m.default_currency,
    activityScope: m.activity_scope,
    participants: ch.participants.map((p) => ({
      role: p.role,
      organizationId: p.organization_id,
      ref: p.ref,
      name: p.name,
      orgType: p.org_type,
      activityRef: p.activity_ref,
    })),
    countries: ch.countries.map((c) => ({ code: c.country_code, percentage: c.percentage === null ? null : Number(c.percentage), narrative: c.narrative })),
    regions: ch.regions.map((r) => ({ vocabulary: r.vocabulary, code: r.code, percentage: r.percentage === null ? null : Number(r.percentage), narrative: r.narrative })),
    locations: ch.locations.map((l) => ({
      ref: l.ref,
      name: l.name,
      description: l.description,
      countryCode: l.country_code,
      adminVocabulary: l.admin_vocabulary,
      adminLevel: l.admin_level,
      adminCode: l.admin_code,
      latitude: l.latitude,
      longitude: l.longitude,
      exactness: l.exactness,
      locationClass: l.location_class,
      featureDesignation: l.feature_designation,
    })),
    sectors: ch.sectors.map((s) => ({ vocabulary: s.vocabulary, code: s.code, percentage: s.percentage === null ? null : Number(s.percentage), narrative: s.narrative })),
    budgets: ch.budgets.map((b) => ({
      type: b.type,
      status: b.status,
      periodStart: b.period_start,
      periodEnd: b.period_end,
      value: Number(b.value),
      currency: b.currency,
      valueDate: b.value_date,
    })),
    transactionsSummary: m.transactions_summary as ActivityData['transactionsSummary'],
    relatedActivities: ch.related.map((r) => ({ type: r.type, ref: r.ref })),
    results: m.results as ActivityData['results'],
    contacts: m.contacts as ActivityData['contacts'],
    classification: {
      pillars: m.pillars,
      exploitationForms: m.exploitation_forms,
      targetGroups: m.target_groups,
      contexts: m.contexts,
      sdgTargets: m.sdg_targets,
      instruments: m.instruments,
      mechanisms: m.mechanisms,
    },
    suggestions: m.suggestions as ActivityData['suggestions'],
    provenance: m.provenance as ActivityData['provenance'],
  });
  return {
    id: m.id,
    ...data,
    ownerOrganization: rows.owner,
    version: m.version,
    createdAt: iso(m.created_at)!,
    updatedAt: iso(m.updated_at)!,
    deletedAt: iso(m.deleted_at),
    iatiLastUpdated: iso(m.iati_last_updated),
  };
}

/** The data part of a stored activity (what a client sends to replace it). */
export function activityDataOf(a: Activity): ActivityData {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { id, ownerOrganization, version, createdAt, updatedAt, deletedAt, iatiLastUpdated, ...data } = a;
  return data;
}

/**
 * Loads whole activities by id, in the order given, in eight queries. For lists and exports
 * that already decided which activities the actor may see; it checks no permission itself.
 */
export async function loadActivities(db: Executor, ids: readonly string[]): Promise<Activity[]> {
  const rows = await loadActivityRows(db, ids);
  return [...rows.values()].map(rowsToActivity);
}

function lastUpdated(d: ActivityData): Date | null {
  const v = d.provenance?.lastUpdatedDatetime;
  if (!v) return null;
  const t = new Date(v);
  return Number.isNaN(t.getTime()) ? null : t;
}

/** The main-row columns of canonical activity data. */
export function mainValues(d: ActivityData, meta: { updatedBy: string | null; at: Date }): ActivityMainValues {
  return {
    iati_identifier: d.iatiIdentifier ?? null,
    owner_organization_id: d.ownerOrganizationId,
    visibility: d.visibility,
    shared_with: d.sharedWith,
    default_language: d.defaultLanguage,
    reporting_org: json(d.reportingOrg ?? {}),
    title: json(d.title),
    description: json(d.description ?? {}),
    objectives: json(d.objectives ?? {}),
    target_groups_text: json(d.targetGroupsText ?? {}),
    status: d.status ?? null,
    planned_start: d.plannedStart ?? null,
    planned_end: d.plannedEnd ?? null,
    actual_start: d.actualStart ?? null,
    actual_end: d.actualEnd ?? null,
    default_currency: d.defaultCurrency ?? null,
    activity_scope: d.activityScope ?? null,
    pillars: d.classification.pillars,
    exploitation_forms: d.classification.exploitationForms,
    target_groups: d.classification.targetGroups,
    contexts: d.classification.contexts,
    sdg_targets: d.classification.sdgTargets,
    instruments: d.classification.instruments,
    mechanisms: d.classification.mechanisms,
    suggestions: json(d.suggestions ?? {}),
    transactions_summary: json(d.transactionsSummary),
    results: json(d.results),
    contacts: json(d.contacts),
    provenance: json(d.provenance ?? {}),
    iati_last_updated: lastUpdated(d),
    updated_by: meta.updatedBy,
    updated_at: meta.at,
  };
}

/** The child-table rows of canonical activity data. */
export function childValues(d: ActivityData): ActivityChildValues {
  return {
    participants: d.participants.map((p, position) => ({
      position,
      role: p.role,
      organization_id: p.organizationId ?? null,
      ref: p.ref ?? null,
      name: json(p.name),
      org_type: p.orgType ?? null,
      activity_ref: p.activityRef ?? null,
    })),
    countries: d.countries.map((c) => ({ country_code: c.code, percentage: c.percentage ?? null, narrative: json(c.narrative ?? {}) })),
    regions: d.regions.map((r) => ({ vocabulary: r.vocabulary, code: r.code, percentage: r.percentage ?? null, narrative: json(r.narrative ?? {}) })),
    locations: d.locations.map((l, position) => ({
      position,
      ref: l.ref ?? null,
      name: json(l.name),
      description: json(l.description ?? {}),
      country_code: l.countryCode ?? null,
      admin_vocabulary: l.adminVocabulary ?? null,
      admin_level: l.adminLevel ?? null,
      admin_code: l.adminCode ?? null,
      latitude: l.latitude ?? null,
      longitude: l.longitude ?? null,
      exactness: l.exactness ?? null,
      location_class: l.locationClass ?? null,
      feature_designation: l.featureDesignation ?? null,
    })),
    sectors: d.sectors.map((s) => ({ vocabulary: s.vocabulary, code: s.code, percentage: s.percentage ?? null, narrative: json(s.narrative ?? {}) })),
    budgets: d.budgets.map((b, position) => ({
      position,
      type: b.type,
      status: b.status,
      period_start: b.periodStart,
      period_end: b.periodEnd,
      value: b.value,
      currency: b.currency ?? null,
      value_date: b.valueDate ?? null,
    })),
    related: d.relatedActivities.map((r) => ({ type: r.type, ref: r.ref })),
  };
}
