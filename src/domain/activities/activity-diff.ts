import { LANGUAGES } from '../languages.ts';
import type { Activity, Narrative } from './activity-schemas.ts';
import { CLASSIFICATION_KEYS, stableJson } from './activity-mapping.ts';

/**
 * A readable, field-level difference between two saved states of an activity:
 * "Countries: added KE 40%, removed UG", "Title (fr): “…” → “…”". Each change carries the
 * structured facts (codes, languages, before and after) for pages to label in their language,
 * and an English `summary` for API clients and logs.
 */
export type DiffItem = { key: string; text: string; code?: string; percentage?: number | null };
export type ActivityChange =
  | { field: string; kind: 'value'; language?: string; before: string | null; after: string | null; summary: string }
  | { field: string; kind: 'list'; added: DiffItem[]; removed: DiffItem[]; changed: { key: string; before: string; after: string }[]; summary: string };

/** English names of the fields, for summaries. Pages use their own translated labels. */
export const FIELD_NAMES: Record<string, string> = {
  iatiIdentifier: 'IATI identifier',
  ownerOrganization: 'Owner organization',
  visibility: 'Visibility',
  sharedWith: 'Shared with',
  defaultLanguage: 'Default language',
  'reportingOrg.ref': 'Reporting organization reference',
  'reportingOrg.name': 'Reporting organization',
  'reportingOrg.orgType': 'Reporting organization type',
  title: 'Title',
  description: 'Description',
  objectives: 'Objectives',
  targetGroupsText: 'Target groups (text)',
  status: 'Status',
  plannedStart: 'Planned start',
  plannedEnd: 'Planned end',
  actualStart: 'Actual start',
  actualEnd: 'Actual end',
  defaultCurrency: 'Default currency',
  activityScope: 'Activity scope',
  participants: 'Participating organizations',
  countries: 'Countries',
  regions: 'Regions',
  locations: 'Locations',
  sectors: 'Sectors',
  budgets: 'Budgets',
  transactionsSummary: 'Transactions',
  relatedActivities: 'Related activities',
  results: 'Results',
  contacts: 'Contacts',
  'classification.pillars': 'Pillars',
  'classification.exploitationForms': 'Forms of exploitation',
  'classification.targetGroups': 'Target groups',
  'classification.contexts': 'Contexts',
  'classification.sdgTargets': 'SDG targets',
  'classification.instruments': 'Instruments',
  'classification.mechanisms': 'National mechanisms',
  'suggestions.pillars': 'Suggested pillars',
  'suggestions.exploitationForms': 'Suggested forms of exploitation',
  'suggestions.targetGroups': 'Suggested target groups',
  'suggestions.contexts': 'Suggested contexts',
  'suggestions.sdgTargets': 'Suggested SDG targets',
  'suggestions.instruments': 'Suggested instruments',
  'suggestions.mechanisms': 'Suggested national mechanisms',
  provenance: 'Provenance',
  deletedAt: 'Deleted',
};

const pct = (p: number | null | undefined) => (p === null || p === undefined ? '' : ` ${p}%`);
const shorten = (s: string, n = 120) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const quoted = (s: string | null) => (s === null || s === '' ? '(empty)' : `“${shorten(s)}”`);
const firstText = (n: Narrative | undefined) => (n ? (n.en ?? Object.values(n).find(Boolean) ?? '') : '');

function valueChange(field: string, before: string | null, after: string | null, language?: string): ActivityChange | undefined {
  if ((before ?? '') === (after ?? '')) return undefined;
  const name = `${FIELD_NAMES[field] ?? field}${language ? ` (${language})` : ''}`;
  return { field, kind: 'value', ...(language && { language }), before, after, summary: `${name}: ${quoted(before)} → ${quoted(after)}` };
}

function narrativeChanges(field: string, a: Narrative | undefined, b: Narrative | undefined): ActivityChange[] {
  return LANGUAGES.map((l) => valueChange(field, a?.[l] ?? null, b?.[l] ?? null, l)).filter((c): c is ActivityChange => c !== undefined);
}

type Keyed = { key: string; item: DiffItem; deep: string };

function listChange(field: string, before: Keyed[], after: Keyed[]): ActivityChange | undefined {
  const a = new Map(before.map((k) => [k.key, k]));
  const b = new Map(after.map((k) => [k.key, k]));
  const added = after.filter((k) => !a.has(k.key)).map((k) => k.item);
  const removed = before.filter((k) => !b.has(k.key)).map((k) => k.item);
  const changed = after
    .filter((k) => a.has(k.key) && a.get(k.key)!.deep !== k.deep)
    .map((k) => ({ key: k.key, before: a.get(k.key)!.item.text, after: k.item.text }));
  if (added.length + removed.length + changed.length === 0) return undefined;
  const parts = [
    added.length > 0 ? `added ${added.map((i) => i.text).join(', ')}` : '',
    removed.length > 0 ? `removed ${removed.map((i) => i.text).join(', ')}` : '',
    changed.length > 0 ? `changed ${changed.map((c) => (c.before === c.after ? c.after : `${c.before} → ${c.after}`)).join(', ')}` : '',
  ].filter(Boolean);
  return { field, kind: 'list', added, removed, changed, summary: `${FIELD_NAMES[field] ?? field}: ${parts.join('; ')}` };
}

/** Gives list items a key that stays the same across versions, numbering repeats. */
function keyed<T>(list: readonly T[], key: (x: T, i: number) => string, item: (x: T) => Omit<DiffItem, 'key'>): Keyed[] {
  const seen = new Map<string, number>();
  return list.map((x, i) => {
    const base = key(x, i) || `#${i + 1}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    const k = n > 1 ? `${base} (${n})` : base;
    return { key: k, item: { key: k, ...item(x) }, deep: stableJson(x) };
  });
}

const codeItems = (list: readonly string[]) => keyed(list, (c) => c, (c) => ({ text: c, code: c }));

/** The changes from one saved state of an activity to another, in the order of the form. */
export function diffActivities(a: Activity, b: Activity): ActivityChange[] {
  const out: (ActivityChange | undefined)[] = [];
  out.push(valueChange('iatiIdentifier', a.iatiIdentifier ?? null, b.iatiIdentifier ?? null));
  out.push(...narrativeChanges('title', a.title, b.title));
  out.push(...narrativeChanges('description', a.description, b.description));
  out.push(...narrativeChanges('objectives', a.objectives, b.objectives));
  out.push(...narrativeChanges('targetGroupsText', a.targetGroupsText, b.targetGroupsText));
  out.push(valueChange('ownerOrganization', a.ownerOrganization.acronym, b.ownerOrganization.acronym));
  out.push(valueChange('visibility', a.visibility, b.visibility));
  out.push(listChange('sharedWith', codeItems(a.sharedWith), codeItems(b.sharedWith)));
  out.push(valueChange('defaultLanguage', a.defaultLanguage, b.defaultLanguage));
  out.push(valueChange('reportingOrg.ref', a.reportingOrg?.ref ?? null, b.reportingOrg?.ref ?? null));
  out.push(...narrativeChanges('reportingOrg.name', a.reportingOrg?.name, b.reportingOrg?.name));
  out.push(valueChange('reportingOrg.orgType', a.reportingOrg?.orgType ?? null, b.reportingOrg?.orgType ?? null));
  for (const f of ['status', 'plannedStart', 'plannedEnd', 'actualStart', 'actualEnd', 'defaultCurrency', 'activityScope'] as const) {
    out.push(valueChange(f, a[f] ?? null, b[f] ?? null));
  }
  const participants = (x: Activity) =>
    keyed(
      x.participants,
      (p) => `${p.role}:${p.organizationId ?? p.ref ?? firstText(p.name)}`,
      (p) => ({ text: `${firstText(p.name) || p.ref || p.organizationId || '?'} (role ${p.role})`, code: p.organizationId ?? p.ref ?? undefined }),
    );
  out.push(listChange('participants', participants(a), participants(b)));
  const countries = (x: Activity) => keyed(x.countries, (c) => c.code, (c) => ({ text: `${c.code}${pct(c.percentage)}`, code: c.code, percentage: c.percentage ?? null }));
  out.push(listChange('countries', countries(a), countries(b)));
  const regions = (x: Activity) =>
    keyed(x.regions, (r) => `${r.vocabulary}:${r.code}`, (r) => ({ text: `${r.code} (vocabulary ${r.vocabulary})${pct(r.percentage)}`, code: r.code, percentage: r.percentage ?? null }));
  out.push(listChange('regions', regions(a), regions(b)));
  const locations = (x: Activity) => keyed(x.locations, (l) => l.ref ?? firstText(l.name), (l) => ({ text: firstText(l.name) || l.ref || '?' }));
  out.push(listChange('locations', locations(a), locations(b)));
  const sectors = (x: Activity) =>
    keyed(x.sectors, (s) => `${s.vocabulary}:${s.code}`, (s) => ({ text: `${s.code}${s.vocabulary === '1' ? '' : ` (vocabulary ${s.vocabulary})`}${pct(s.percentage)}`, code: s.code, percentage: s.percentage ?? null }));
  out.push(listChange('sectors', sectors(a), sectors(b)));
  const budgets = (x: Activity) =>
    keyed(x.budgets, (b) => `${b.periodStart}/${b.periodEnd}/${b.type}`, (b) => ({ text: `${b.periodStart} – ${b.periodEnd}: ${b.value} ${b.currency ?? x.defaultCurrency ?? ''}`.trim() }));
  out.push(listChange('budgets', budgets(a), budgets(b)));
  const transactions = (x: Activity) => keyed(x.transactionsSummary, (t) => `${t.type}/${t.currency}`, (t) => ({ text: `type ${t.type}: ${t.value} ${t.currency} (${t.count})` }));
  out.push(listChange('transactionsSummary', transactions(a), transactions(b)));
  const related = (x: Activity) => keyed(x.relatedActivities, (r) => `${r.type}:${r.ref}`, (r) => ({ text: `${r.ref} (type ${r.type})`, code: r.ref }));
  out.push(listChange('relatedActivities', related(a), related(b)));
  const results = (x: Activity) => keyed(x.results, (r) => firstText(r.title), (r) => ({ text: firstText(r.title) || '?' }));
  out.push(listChange('results', results(a), results(b)));
  const contacts = (x: Activity) => keyed(x.contacts, (c) => c.email ?? firstText(c.personName) ?? firstText(c.organisation), (c) => ({ text: c.email ?? (firstText(c.personName) || firstText(c.organisation) || '?') }));
  out.push(listChange('contacts', contacts(a), contacts(b)));
  for (const k of CLASSIFICATION_KEYS) out.push(listChange(`classification.${k}`, codeItems(a.classification[k]), codeItems(b.classification[k])));
  for (const k of CLASSIFICATION_KEYS) out.push(listChange(`suggestions.${k}`, codeItems(a.suggestions?.[k] ?? []), codeItems(b.suggestions?.[k] ?? [])));
  out.push(valueChange('provenance', a.provenance ? stableJson(a.provenance) : null, b.provenance ? stableJson(b.provenance) : null));
  out.push(valueChange('deletedAt', a.deletedAt, b.deletedAt));
  return out.filter((c): c is ActivityChange => c !== undefined);
}
