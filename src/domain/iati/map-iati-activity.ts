import type { z } from 'zod';
import type { Severity } from '../activities/activity-schemas.ts';
import type { NewActivityInput } from '../activities/save-activity.ts';
import type { indicatorSchema, resultSchema } from '../activities/activity-schemas.ts';
import { LANGUAGES, type Language } from '../languages.ts';
import { child, children, type XNode } from './iati-xml-reader.ts';
import { suggestClassification } from './suggest-classification.ts';

/**
 * One `<iati-activity>` element tree → the registry's activity input. Structural problems the
 * IATI schema would refuse (a missing identifier, a second title, an unknown element, a budget
 * without its period) are critical: the activity is reported and not imported. Values the
 * registry cannot hold (a narrative in a language other than the six UN languages, a repeated
 * country) are warnings and dropped.
 */

export type MapProblem = { severity: Severity; element: string; line: number; message: string };

export type MappedActivity = {
  identifier: string;
  reportingOrgRef: string | null;
  lastUpdated: string | null;
  input: Omit<NewActivityInput, 'ownerOrganizationId' | 'visibility' | 'sharedWith'>;
  /** Every IATI tag (vocabulary, code) and sector (vocabulary, code), for the relevance filter. */
  tags: { vocabulary: string; code: string }[];
  text: string;
  problems: MapProblem[];
};

const ACTIVITY_ELEMENTS = new Set([
  'iati-identifier', 'reporting-org', 'title', 'description', 'participating-org', 'other-identifier', 'activity-status', 'activity-date',
  'contact-info', 'activity-scope', 'recipient-country', 'recipient-region', 'location', 'sector', 'tag', 'country-budget-items',
  'humanitarian-scope', 'policy-marker', 'collaboration-type', 'default-flow-type', 'default-finance-type', 'default-aid-type',
  'default-tied-status', 'budget', 'planned-disbursement', 'capital-spend', 'transaction', 'document-link', 'related-activity',
  'legacy-data', 'conditions', 'result', 'crs-add', 'fss',
]);
/** Elements the schema allows once at most. */
const ONCE = ['iati-identifier', 'reporting-org', 'title', 'activity-status', 'activity-scope', 'collaboration-type', 'default-flow-type', 'default-finance-type', 'default-tied-status', 'capital-spend', 'conditions', 'crs-add', 'fss', 'country-budget-items'];

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$/;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;
const DECIMAL = /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/;

export function mapIatiActivity(node: XNode, fileLang: string | null): MappedActivity {
  const problems: MapProblem[] = [];
  const problem = (severity: Severity, n: XNode, message: string) => problems.push({ severity, element: n.name, line: n.line, message });
  const critical = (n: XNode, message: string) => problem('critical', n, message);

  const baseLang = node.attrs['xml:lang'] ?? fileLang ?? 'en';
  const dropped = new Set<string>();
  const narrative = (n: XNode | undefined, required = false): Record<string, string> => {
    const out: Record<string, string> = {};
    if (!n) return out;
    const list = children(n, 'narrative');
    if (required && list.length === 0) critical(n, `<${n.name}> has no <narrative>.`);
    for (const nar of list) {
      const lang = (nar.attrs['xml:lang'] ?? baseLang).trim().toLowerCase().slice(0, 2);
      const text = nar.text.trim();
      if (!text) continue;
      if (!(LANGUAGES as readonly string[]).includes(lang)) {
        dropped.add(lang);
        continue;
      }
      out[lang] ??= text;
    }
    return out;
  };
  const date = (n: XNode | undefined, attr = 'iso-date', required = true): string | null => {
    if (!n) return null;
    const v = n.attrs[attr]?.trim();
    if (!v) {
      if (required) critical(n, `<${n.name}> has no ${attr} attribute.`);
      return null;
    }
    if (!ISO_DATE.test(v)) {
      critical(n, `<${n.name}> ${attr}="${v.slice(0, 40)}" is not a date (YYYY-MM-DD).`);
      return null;
    }
    return v.slice(0, 10);
  };
  const decimal = (n: XNode, raw: string | undefined, what: string): number | null => {
    if (raw === undefined || raw.trim() === '') return null;
    if (!DECIMAL.test(raw)) {
      critical(n, `<${n.name}> ${what} "${raw.slice(0, 40)}" is not a number.`);
      return null;
    }
    return Number(raw);
  };
  const bool = (v: string | undefined): boolean | null => (v === '1' || v === 'true' ? true : v === '0' || v === 'false' ? false : null);
  const code = (n: XNode | undefined, attr = 'code'): string | null => n?.attrs[attr]?.trim() || null;

  // Structure the schema requires.
  for (const c of node.children) {
    if (!c.name.includes(':') && !ACTIVITY_ELEMENTS.has(c.name)) critical(c, `<${c.name}> is not an IATI activity element (extensions need a namespace of their own).`);
  }
  for (const name of ONCE) {
    const list = children(node, name);
    if (list.length > 1) critical(list[1]!, `<${name}> appears ${list.length} times; an activity has at most one.`);
  }
  for (const name of ['reporting-org', 'title', 'activity-status']) if (!child(node, name)) problem('critical', node, `The activity has no <${name}>.`);
  if (children(node, 'description').length === 0) problem('critical', node, 'The activity has no <description>.');
  if (children(node, 'participating-org').length === 0) problem('critical', node, 'The activity has no <participating-org>.');
  if (children(node, 'activity-date').length === 0) problem('critical', node, 'The activity has no <activity-date>.');
  const lastUpdated = node.attrs['last-updated-datetime']?.trim() || null;
  if (lastUpdated && !ISO_DATETIME.test(lastUpdated)) critical(node, `last-updated-datetime="${lastUpdated.slice(0, 40)}" is not a date and time.`);

  const idNode = child(node, 'iati-identifier');
  const identifier = idNode?.text.trim() ?? '';
  if (!idNode) problem('critical', node, 'The activity has no <iati-identifier>.');
  else if (identifier.length < 3) {
    // The identifier is the key a later import updates by (ADR 024): without one, nothing to import.
    const why = 'an imported activity is kept and updated by its identifier ({publisher}-{activity}, at least 3 characters), so this one is not imported';
    critical(idNode, identifier ? `The identifier “${identifier}” is too short: ${why}.` : `The <iati-identifier> is empty: ${why}.`);
  }

  const rep = child(node, 'reporting-org');
  const reportingOrgRef = rep?.attrs.ref?.trim() || null;
  if (rep && !reportingOrgRef) critical(rep, '<reporting-org> has no ref.');

  // Descriptions: general (1, or no type), objectives (2), target groups (3); type 4 joins the general one.
  const descriptions: Record<'1' | '2' | '3', Record<string, string>> = { '1': {}, '2': {}, '3': {} };
  for (const d of children(node, 'description')) {
    const t = (d.attrs.type ?? '1') as string;
    const key = t === '2' || t === '3' ? t : '1';
    for (const [l, v] of Object.entries(narrative(d, true))) descriptions[key][l] = descriptions[key][l] ? `${descriptions[key][l]}\n\n${v}` : v;
  }

  const dates: Record<string, string | null> = {};
  for (const d of children(node, 'activity-date')) {
    const t = d.attrs.type?.trim();
    if (!t) critical(d, '<activity-date> has no type.');
    const v = date(d);
    if (t && v && !dates[t]) dates[t] = v;
  }

  const participants = children(node, 'participating-org').map((p) => {
    if (!p.attrs.role) critical(p, '<participating-org> has no role.');
    return { role: p.attrs.role?.trim() || '4', ref: p.attrs.ref?.trim() || null, orgType: p.attrs.type?.trim() || null, activityRef: p.attrs['activity-id']?.trim() || null, name: narrative(p) };
  });

  const unique = <T>(list: T[], key: (t: T) => string, what: string, nodes: XNode[]): T[] => {
    const seen = new Set<string>();
    return list.filter((t, i) => {
      const k = key(t);
      if (seen.has(k)) {
        problem('warning', nodes[i]!, `${what} ${k} is listed twice; the first one is kept.`);
        return false;
      }
      seen.add(k);
      return true;
    });
  };

  const countryNodes = children(node, 'recipient-country');
  for (const c of countryNodes) if (!code(c)) critical(c, '<recipient-country> has no code.');
  const countries = unique(
    countryNodes.filter((c) => code(c)).map((c) => ({ code: code(c)!.toUpperCase(), percentage: decimal(c, c.attrs.percentage, 'percentage'), narrative: narrative(c) })),
    (c) => c.code,
    'The country',
    countryNodes.filter((c) => code(c)),
  );
  const regionNodes = children(node, 'recipient-region').filter((r) => code(r));
  const regions = unique(
    regionNodes.map((r) => ({ vocabulary: r.attrs.vocabulary?.trim() || '1', code: code(r)!, percentage: decimal(r, r.attrs.percentage, 'percentage'), narrative: narrative(r) })),
    (r) => `${r.vocabulary} ${r.code}`,
    'The region',
    regionNodes,
  );
  const sectorNodes = children(node, 'sector').filter((s) => code(s));
  const sectors = unique(
    sectorNodes.map((s) => ({ vocabulary: s.attrs.vocabulary?.trim() || '1', code: code(s)!, percentage: decimal(s, s.attrs.percentage, 'percentage'), narrative: narrative(s) })),
    (s) => `${s.vocabulary} ${s.code}`,
    'The sector',
    sectorNodes,
  );

  const locations = children(node, 'location').map((l) => {
    const adm = child(l, 'administrative');
    const pos = child(child(l, 'point') ?? l, 'pos')?.text.trim().split(/\s+/).map(Number);
    const ok = pos && pos.length === 2 && pos.every(Number.isFinite) && Math.abs(pos[0]!) <= 90 && Math.abs(pos[1]!) <= 180;
    if (pos && !ok) problem('warning', l, 'The location’s <pos> is not “latitude longitude”; the point is left out.');
    const level = adm?.attrs.level !== undefined ? Number(adm.attrs.level) : null;
    return {
      ref: l.attrs.ref?.trim() || null,
      name: narrative(child(l, 'name')),
      description: narrative(child(l, 'description')),
      adminVocabulary: adm?.attrs.vocabulary?.trim() || null,
      adminLevel: level !== null && Number.isInteger(level) && level >= 0 && level <= 10 ? level : null,
      adminCode: adm?.attrs.code?.trim() || null,
      latitude: ok ? pos[0]! : null,
      longitude: ok ? pos[1]! : null,
      exactness: code(child(l, 'exactness')),
      locationClass: code(child(l, 'location-class')),
      featureDesignation: code(child(l, 'feature-designation')),
    };
  });

  const tags = [
    ...children(node, 'tag').map((t) => ({ vocabulary: `tag:${t.attrs.vocabulary?.trim() ?? '1'}`, code: code(t) ?? '' })),
    ...sectors.map((s) => ({ vocabulary: `sector:${s.vocabulary}`, code: s.code })),
  ].filter((t) => t.code);
  const sdgTargets = children(node, 'tag').filter((t) => t.attrs.vocabulary?.trim() === '3' && code(t)).map((t) => code(t)!);

  const defaultCurrency = node.attrs['default-currency']?.trim().toUpperCase() || null;
  const budgets = children(node, 'budget').flatMap((b) => {
    const start = child(b, 'period-start');
    const end = child(b, 'period-end');
    const value = child(b, 'value');
    if (!start) critical(b, '<budget> has no <period-start>.');
    if (!end) critical(b, '<budget> has no <period-end>.');
    if (!value) critical(b, '<budget> has no <value>.');
    const periodStart = date(start);
    const periodEnd = date(end);
    const v = value ? decimal(value, value.text, 'value') : null;
    const valueDate = value ? date(value, 'value-date') : null;
    if (!periodStart || !periodEnd || v === null) return [];
    return [{ type: b.attrs.type?.trim() || '1', status: b.attrs.status?.trim() || '1', periodStart, periodEnd, value: v, currency: value?.attrs.currency?.trim().toUpperCase() || defaultCurrency, valueDate }];
  });

  const sums = new Map<string, { type: string; currency: string; value: number; count: number; activityRefs?: string[] }>();
  for (const t of children(node, 'transaction')) {
    const type = code(child(t, 'transaction-type'));
    const value = child(t, 'value');
    if (!type) critical(t, '<transaction> has no <transaction-type> code.');
    if (!child(t, 'transaction-date')) critical(t, '<transaction> has no <transaction-date>.');
    else date(child(t, 'transaction-date'));
    if (!value) critical(t, '<transaction> has no <value>.');
    const v = value ? decimal(value, value.text, 'value') : null;
    if (value) date(value, 'value-date');
    const currency = value?.attrs.currency?.trim().toUpperCase() || defaultCurrency;
    if (!type || v === null) continue;
    if (!currency || !/^[A-Z]{3}$/.test(currency)) {
      problem('warning', t, 'The transaction has no currency (and the activity no default-currency); it is left out of the summary.');
      continue;
    }
    const key = `${type} ${currency}`;
    const s = sums.get(key) ?? { type, currency, value: 0, count: 0 };
    s.value = Math.round((s.value + v) * 100) / 100;
    s.count++;
    // The other side's activity, which ties a funder's record to its implementer's (coordination analytics).
    for (const ref of [child(t, 'provider-org')?.attrs['provider-activity-id'], child(t, 'receiver-org')?.attrs['receiver-activity-id']]) {
      const r = ref?.trim();
      if (r && r.length <= 250 && !(s.activityRefs ??= []).includes(r) && s.activityRefs.length < 100) s.activityRefs.push(r);
    }
    sums.set(key, s);
  }

  const relatedNodes = children(node, 'related-activity').filter((r) => r.attrs.ref?.trim() && r.attrs.type?.trim());
  const relatedActivities = unique(
    relatedNodes.map((r) => ({ type: r.attrs.type!.trim(), ref: r.attrs.ref!.trim() })),
    (r) => `${r.type} ${r.ref}`,
    'The related activity',
    relatedNodes,
  );

  const indicatorValue = (v: XNode) => ({
    value: v.attrs.value?.trim().slice(0, 100) || null,
    comment: narrative(child(v, 'comment')),
    dimensions: children(v, 'dimension').map((d) => ({ name: (d.attrs.name ?? '').slice(0, 200), value: (d.attrs.value ?? '').slice(0, 200) })),
  });
  const results = children(node, 'result').map((r): z.input<typeof resultSchema> => {
    if (!r.attrs.type) critical(r, '<result> has no type.');
    return {
      type: r.attrs.type?.trim() || '9',
      aggregationStatus: bool(r.attrs['aggregation-status']),
      title: narrative(child(r, 'title')),
      description: narrative(child(r, 'description')),
      indicators: children(r, 'indicator').map((i): z.input<typeof indicatorSchema> => {
        if (!i.attrs.measure) critical(i, '<indicator> has no measure.');
        return {
          measure: i.attrs.measure?.trim() || '1',
          ascending: bool(i.attrs.ascending),
          aggregationStatus: bool(i.attrs['aggregation-status']),
          title: narrative(child(i, 'title')),
          description: narrative(child(i, 'description')),
          references: children(i, 'reference').map((ref) => ({ vocabulary: ref.attrs.vocabulary?.trim() || '99', code: (ref.attrs.code ?? '').slice(0, 200), uri: ref.attrs['indicator-uri'] ?? null })),
          baselines: children(i, 'baseline').map((b) => {
            const year = b.attrs.year ? Number(b.attrs.year) : null;
            return { year: year !== null && Number.isInteger(year) && year >= 1900 && year <= 2200 ? year : null, isoDate: date(b, 'iso-date', false), ...indicatorValue(b) };
          }),
          periods: children(i, 'period').flatMap((p) => {
            const start = date(child(p, 'period-start'));
            const end = date(child(p, 'period-end'));
            if (!child(p, 'period-start') || !child(p, 'period-end')) critical(p, '<period> needs a <period-start> and a <period-end>.');
            if (!start || !end) return [];
            return [{ start, end, targets: children(p, 'target').map(indicatorValue), actuals: children(p, 'actual').map(indicatorValue) }];
          }),
        };
      }),
    };
  });

  const contacts = children(node, 'contact-info').map((c) => ({
    type: c.attrs.type?.trim() || null,
    organisation: narrative(child(c, 'organisation')),
    personName: narrative(child(c, 'person-name')),
    jobTitle: narrative(child(c, 'job-title')),
    email: child(c, 'email')?.text.trim().slice(0, 320) || null,
    website: child(c, 'website')?.text.trim().slice(0, 1000) || null,
  }));

  const title = narrative(child(node, 'title'), !!child(node, 'title'));
  if (dropped.size > 0) {
    problem('warning', node, `Texts in ${[...dropped].sort().join(', ')} are left out: the platform keeps English, French, Spanish, Arabic, Chinese and Russian.`);
  }
  const defaultLanguage = [node.attrs['xml:lang'], fileLang].map((l) => l?.trim().toLowerCase().slice(0, 2)).find((l) => (LANGUAGES as readonly string[]).includes(l ?? '')) as Language | undefined;

  const text = [title, descriptions['1'], descriptions['2'], descriptions['3']].flatMap((n) => Object.values(n)).join('\n');
  // Guessed from the text, kept apart from the classification until a focal point confirms them.
  const guessed = suggestClassification(text);
  const suggestions = Object.fromEntries(Object.entries(guessed).filter(([, v]) => v.length > 0));

  return {
    identifier,
    reportingOrgRef,
    lastUpdated,
    tags,
    text,
    problems,
    input: {
      iatiIdentifier: identifier || null,
      defaultLanguage: defaultLanguage ?? 'en',
      reportingOrg: { ref: reportingOrgRef, name: narrative(rep), orgType: rep?.attrs.type?.trim() || null },
      title,
      description: descriptions['1'],
      objectives: descriptions['2'],
      targetGroupsText: descriptions['3'],
      status: code(child(node, 'activity-status')),
      plannedStart: dates['1'] ?? null,
      actualStart: dates['2'] ?? null,
      plannedEnd: dates['3'] ?? null,
      actualEnd: dates['4'] ?? null,
      defaultCurrency: defaultCurrency && /^[A-Z]{3}$/.test(defaultCurrency) ? defaultCurrency : null,
      activityScope: code(child(node, 'activity-scope')),
      participants,
      countries,
      regions,
      locations,
      sectors,
      budgets,
      transactionsSummary: [...sums.values()].sort((a, b) => (a.type + a.currency < b.type + b.currency ? -1 : 1)),
      relatedActivities,
      results,
      contacts,
      classification: { pillars: [], exploitationForms: [], targetGroups: [], contexts: [], sdgTargets, instruments: [], mechanisms: [] },
      suggestions,
    },
  };
}
