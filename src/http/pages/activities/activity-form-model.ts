import type { Activity, ActivityData, Severity, ValidationMessage } from '../../../domain/activities/activity-schemas.ts';
import type { NewActivityInput } from '../../../domain/activities/save-activity.ts';
import type { AppError } from '../../../domain/errors.ts';
import { LANGUAGES } from '../../../domain/languages.ts';
import { CLASSIFICATION_KEYS } from '../../../domain/activities/activity-mapping.ts';

/**
 * The activity form's state, independent of HTML: the values by field name (the field names
 * are the domain's paths, `countries.1.percentage`, so validation messages land on their field),
 * the multi-valued fields (check boxes), the number of rows of each repeating group, and the
 * graded messages to show.
 */
export type GroupName = 'participants' | 'countries' | 'sectors' | 'budgets';
export const GROUPS: readonly GroupName[] = ['participants', 'countries', 'sectors', 'budgets'];

/** Per group: the fields a row shows, those it only carries (hidden), and the defaults of its selects. */
export const GROUP_FIELDS: Record<GroupName, { shown: string[]; carried: string[]; defaults: Record<string, string> }> = {
  participants: {
    shown: ['role', 'organizationId', 'name.en', 'ref'],
    carried: ['orgType', 'activityRef', ...LANGUAGES.filter((l) => l !== 'en').map((l) => `name.${l}`)],
    defaults: { role: '4' },
  },
  countries: { shown: ['code', 'percentage'], carried: LANGUAGES.map((l) => `narrative.${l}`), defaults: {} },
  sectors: { shown: ['vocabulary', 'code', 'percentage'], carried: LANGUAGES.map((l) => `narrative.${l}`), defaults: { vocabulary: '1' } },
  budgets: { shown: ['periodStart', 'periodEnd', 'value', 'currency', 'type', 'status'], carried: ['valueDate'], defaults: { type: '1', status: '1' } },
};

/** Empty rows shown below the filled ones, so that most records need no "add another row". */
export const EMPTY_ROWS = 2;

/** Fields of the activity the form does not show; an edit keeps them as stored. */
export const KEPT_FIELDS = [
  'reportingOrg',
  'objectives',
  'targetGroupsText',
  'activityScope',
  'regions',
  'locations',
  'transactionsSummary',
  'relatedActivities',
  'results',
  'contacts',
  'suggestions',
  'provenance',
] as const satisfies readonly (keyof ActivityData)[];

export const MULTI_FIELDS = ['sharedWith', ...CLASSIFICATION_KEYS.map((k) => `classification.${k}`)];

export type ShownMessage = { path: string; severity: Severity; message: string; hint?: string };

export type FormModel = {
  values: Record<string, string>;
  multi: Record<string, string[]>;
  rows: Record<GroupName, number>;
  messages: ShownMessage[];
  /** The group whose "add another row" was pressed: its first new row gets the focus. */
  added?: GroupName;
  /** Rows of each group as submitted, empty ones included (to add one more). */
  submittedRows?: Record<GroupName, number>;
  /** "Save as draft" was pressed. */
  draft?: boolean;
};

const str = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** The form's values for a stored activity (or blank for a new one, with the given owner). */
export function modelFromActivity(a: Activity | null, defaults: { ownerOrganizationId?: string | null } = {}): FormModel {
  const values: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  if (!a) {
    values.ownerOrganizationId = defaults.ownerOrganizationId ?? '';
    values.visibility = 'draft';
    values.defaultLanguage = 'en';
    for (const f of MULTI_FIELDS) multi[f] = [];
    return { values, multi, rows: { participants: 0, countries: 0, sectors: 0, budgets: 0 }, messages: [] };
  }
  values.version = String(a.version);
  values.iatiIdentifier = str(a.iatiIdentifier);
  values.ownerOrganizationId = a.ownerOrganizationId;
  values.visibility = a.visibility;
  values.defaultLanguage = a.defaultLanguage;
  for (const l of LANGUAGES) {
    values[`title.${l}`] = a.title[l] ?? '';
    values[`description.${l}`] = a.description?.[l] ?? '';
  }
  for (const f of ['status', 'plannedStart', 'plannedEnd', 'actualStart', 'actualEnd', 'defaultCurrency'] as const) values[f] = str(a[f]);
  a.participants.forEach((p, i) => {
    values[`participants.${i}.role`] = p.role;
    values[`participants.${i}.organizationId`] = str(p.organizationId);
    values[`participants.${i}.ref`] = str(p.ref);
    values[`participants.${i}.orgType`] = str(p.orgType);
    values[`participants.${i}.activityRef`] = str(p.activityRef);
    for (const l of LANGUAGES) values[`participants.${i}.name.${l}`] = p.name[l] ?? '';
  });
  a.countries.forEach((c, i) => {
    values[`countries.${i}.code`] = c.code;
    values[`countries.${i}.percentage`] = str(c.percentage);
    for (const l of LANGUAGES) values[`countries.${i}.narrative.${l}`] = c.narrative?.[l] ?? '';
  });
  a.sectors.forEach((s, i) => {
    values[`sectors.${i}.vocabulary`] = s.vocabulary;
    values[`sectors.${i}.code`] = s.code;
    values[`sectors.${i}.percentage`] = str(s.percentage);
    for (const l of LANGUAGES) values[`sectors.${i}.narrative.${l}`] = s.narrative?.[l] ?? '';
  });
  a.budgets.forEach((b, i) => {
    values[`budgets.${i}.periodStart`] = b.periodStart;
    values[`budgets.${i}.periodEnd`] = b.periodEnd;
    values[`budgets.${i}.value`] = str(b.value);
    values[`budgets.${i}.currency`] = str(b.currency);
    values[`budgets.${i}.type`] = b.type;
    values[`budgets.${i}.status`] = b.status;
    values[`budgets.${i}.valueDate`] = str(b.valueDate);
  });
  multi.sharedWith = [...a.sharedWith];
  for (const k of CLASSIFICATION_KEYS) multi[`classification.${k}`] = [...a.classification[k]];
  return {
    values,
    multi,
    rows: { participants: a.participants.length, countries: a.countries.length, sectors: a.sectors.length, budgets: a.budgets.length },
    messages: [],
  };
}

type Body = Record<string, string | File | (string | File)[]>;
const ROW_FIELD = /^(participants|countries|sectors|budgets)\.(\d{1,4})\.(.+)$/;

/**
 * Reads a submitted form. Rows of the repeating groups are renumbered in order and the empty
 * ones dropped, so row i of the form is item i of the input and messages land on their row.
 */
export function modelFromBody(body: Body): FormModel {
  const values: Record<string, string> = {};
  const multi: Record<string, string[]> = Object.fromEntries(MULTI_FIELDS.map((f) => [f, []]));
  const rowsByGroup = new Map<GroupName, Map<number, Record<string, string>>>(GROUPS.map((g) => [g, new Map()]));
  for (const [key, raw] of Object.entries(body)) {
    const list = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
    if (MULTI_FIELDS.includes(key)) {
      multi[key] = [...new Set(list.map((v) => v.trim()).filter(Boolean))];
      continue;
    }
    const value = list[0] ?? '';
    const m = ROW_FIELD.exec(key);
    if (m) {
      const rows = rowsByGroup.get(m[1] as GroupName)!;
      const index = Number(m[2]);
      const row = rows.get(index) ?? {};
      row[m[3]!] = value;
      rows.set(index, row);
    } else if (!key.startsWith('_')) {
      values[key] = value;
    }
  }
  const rowCounts = { participants: 0, countries: 0, sectors: 0, budgets: 0 } as Record<GroupName, number>;
  const submitted = { ...rowCounts };
  for (const g of GROUPS) {
    const spec = GROUP_FIELDS[g];
    const content = [...spec.shown, ...spec.carried].filter((f) => !(f in spec.defaults));
    const rows = [...rowsByGroup.get(g)!.entries()].sort((a, b) => a[0] - b[0]);
    submitted[g] = rows.length;
    let n = 0;
    for (const [, row] of rows) {
      if (content.every((f) => (row[f] ?? '').trim() === '')) continue;
      for (const [f, v] of Object.entries(row)) values[`${g}.${n}.${f}`] = v;
      n++;
    }
    rowCounts[g] = n;
  }
  const add = typeof body._add === 'string' && (GROUPS as readonly string[]).includes(body._add) ? (body._add as GroupName) : undefined;
  return { values, multi, rows: rowCounts, messages: [], draft: body._draft === '1', ...(add && { added: add }), submittedRows: submitted };
}

/** How many empty rows to show after the filled ones: the default, or one more than were empty when "add another row" was pressed. */
export function emptyRows(model: FormModel, g: GroupName): number {
  if (model.added !== g) return EMPTY_ROWS;
  const before = (model.submittedRows?.[g] ?? model.rows[g]) - model.rows[g];
  return Math.max(EMPTY_ROWS, Math.max(before, 0) + 1);
}

/** A number as typed: a number when it reads as one ("12,5" too), else the text, so the validator names the field. */
function numberOrText(s: string | undefined): number | string | null {
  const v = (s ?? '').trim();
  if (v === '') return null;
  const n = v.replace(/[\s\u00a0\u202f]/g, '').replace(/,(\d+)$/, '.$1');
  return /^-?\d+(\.\d+)?$/.test(n) ? Number(n) : v;
}

const orNull = (s: string | undefined) => ((s ?? '').trim() === '' ? null : (s ?? '').trim());

function narrative(values: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of LANGUAGES) {
    const v = values[`${prefix}.${l}`]?.trim();
    if (v) out[l] = v;
  }
  return out;
}

/**
 * The domain input of a submitted form. Values are passed as typed where they do not parse
 * (a percentage "abc"), so that the domain's validation names the field.
 */
export function inputFromModel(model: FormModel): NewActivityInput {
  const v = model.values;
  const range = (g: GroupName) => Array.from({ length: model.rows[g] }, (_, i) => i);
  const input = {
    iatiIdentifier: orNull(v.iatiIdentifier),
    ownerOrganizationId: orNull(v.ownerOrganizationId),
    visibility: model.draft ? 'draft' : v.visibility || 'draft',
    sharedWith: model.multi.sharedWith ?? [],
    defaultLanguage: v.defaultLanguage || 'en',
    title: narrative(v, 'title'),
    description: narrative(v, 'description'),
    status: orNull(v.status),
    plannedStart: orNull(v.plannedStart),
    plannedEnd: orNull(v.plannedEnd),
    actualStart: orNull(v.actualStart),
    actualEnd: orNull(v.actualEnd),
    defaultCurrency: orNull(v.defaultCurrency),
    participants: range('participants').map((i) => ({
      role: v[`participants.${i}.role`] || '4',
      organizationId: orNull(v[`participants.${i}.organizationId`]),
      ref: orNull(v[`participants.${i}.ref`]),
      name: narrative(v, `participants.${i}.name`),
      orgType: orNull(v[`participants.${i}.orgType`]),
      activityRef: orNull(v[`participants.${i}.activityRef`]),
    })),
    countries: range('countries').map((i) => ({
      code: (v[`countries.${i}.code`] ?? '').trim(),
      percentage: numberOrText(v[`countries.${i}.percentage`]),
      narrative: narrative(v, `countries.${i}.narrative`),
    })),
    sectors: range('sectors').map((i) => ({
      vocabulary: v[`sectors.${i}.vocabulary`] || '1',
      code: (v[`sectors.${i}.code`] ?? '').trim(),
      percentage: numberOrText(v[`sectors.${i}.percentage`]),
      narrative: narrative(v, `sectors.${i}.narrative`),
    })),
    budgets: range('budgets').map((i) => ({
      type: v[`budgets.${i}.type`] || '1',
      status: v[`budgets.${i}.status`] || '1',
      periodStart: (v[`budgets.${i}.periodStart`] ?? '').trim(),
      periodEnd: (v[`budgets.${i}.periodEnd`] ?? '').trim(),
      value: numberOrText(v[`budgets.${i}.value`]) ?? '',
      currency: orNull(v[`budgets.${i}.currency`]),
      valueDate: orNull(v[`budgets.${i}.valueDate`]),
    })),
    classification: Object.fromEntries(CLASSIFICATION_KEYS.map((k) => [k, model.multi[`classification.${k}`] ?? []])),
  };
  return input as unknown as NewActivityInput;
}

/** Graded messages from a refused save (zod shape errors count as errors). */
export function messagesFromError(err: AppError): ShownMessage[] {
  return err.fields.map((f) => ({ path: f.path, severity: f.severity ?? 'error', message: f.message, ...(f.hint !== undefined && { hint: f.hint }) }));
}

export function messagesFromValidation(list: ValidationMessage[]): ShownMessage[] {
  return list.map((m) => ({ path: m.path, severity: m.severity, message: m.message, ...(m.hint !== undefined && { hint: m.hint }) }));
}

/** The values a person typed that differ from the current record, after a version conflict. */
export function unsavedChanges(mine: FormModel, current: FormModel): { field: string; yours: string; current: string }[] {
  const flat = (m: FormModel) => {
    const out = new Map<string, string>();
    for (const [k, v] of Object.entries(m.values)) if (k !== 'version' && !ROW_FIELD.test(k) && v.trim() !== '') out.set(k, v.trim());
    for (const [k, list] of Object.entries(m.multi)) if (list.length > 0) out.set(k, [...list].sort().join(', '));
    // Rows compare as a set: the stored record lists countries and sectors in code order.
    for (const g of GROUPS) {
      const rows = Array.from({ length: m.rows[g] }, (_, i) =>
        GROUP_FIELDS[g].shown
          .map((f) => (m.values[`${g}.${i}.${f}`] ?? '').trim())
          .filter(Boolean)
          .join(' '),
      );
      if (rows.length > 0) out.set(g, rows.sort().join('; '));
    }
    return out;
  };
  const a = flat(mine);
  const b = flat(current);
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  return keys.filter((k) => (a.get(k) ?? '') !== (b.get(k) ?? '')).map((k) => ({ field: k, yours: a.get(k) ?? '', current: b.get(k) ?? '' }));
}
