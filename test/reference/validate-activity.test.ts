import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { activityInputSchema, type ActivityData, type ActivityInput, type Severity } from '../../src/domain/activities/activity-schemas.ts';
import { ACTIVITY_RULES, validateActivity, type ActivityRule, type ValidateActivityOptions } from '../../src/domain/activities/validate-activity.ts';
import { loadReferenceData, ReferenceData, type TermRef } from '../../src/domain/reference/reference-data.ts';
import { createTestDb } from '../support/db.ts';

let db: Db;
let ref: ReferenceData;
beforeAll(async () => {
  db = await createTestDb();
  ref = await loadReferenceData(db);
});
afterAll(() => db?.close());

const TODAY = '2025-06-01';
const noClassification = { pillars: [], exploitationForms: [], targetGroups: [], contexts: [], sdgTargets: [], instruments: [], mechanisms: [] };

/** A complete, valid activity; each case changes one thing. */
function activity(over: Partial<ActivityInput> = {}): ActivityData {
  return activityInputSchema.parse({
    iatiIdentifier: 'XM-DAC-41119-2024-007',
    ownerOrganizationId: 'org_owner',
    reportingOrg: { ref: 'XM-DAC-41119', name: { en: 'UNODC' }, orgType: '40' },
    title: { en: 'Assistance to survivors of trafficking in Namibia', fr: 'Assistance aux survivants de la traite en Namibie' },
    status: '2',
    plannedStart: '2024-01-01',
    plannedEnd: '2026-12-31',
    actualStart: '2024-02-01',
    defaultCurrency: 'USD',
    participants: [
      { role: '1', name: { en: 'A donor' }, orgType: '10' },
      { role: '4', ref: 'XM-DAC-41119', name: { en: 'UNODC' } },
    ],
    countries: [{ code: 'NA' }],
    sectors: [{ vocabulary: '1', code: '15160' }],
    budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 250000, currency: 'USD', valueDate: '2024-01-01' }],
    classification: { ...noClassification, pillars: ['protection'], exploitationForms: ['forced-labour'], targetGroups: ['women', 'girls'], sdgTargets: ['16.2'] },
    ...over,
  });
}

const validate = (d: ActivityData, opts: Partial<ValidateActivityOptions> = {}) => validateActivity(d, ref, { mode: 'new', today: TODAY, ...opts });
const rules = (d: ActivityData, opts: Partial<ValidateActivityOptions> = {}) => validate(d, opts).map((m) => m.rule);

/** A copy of the reference data with one taxonomy term changed. */
function withTerm(base: ReferenceData, taxonomy: string, code: string, patch: Partial<TermRef>): ReferenceData {
  const taxonomies = new Map([...base.taxonomies].map(([k, v]) => [k, new Map(v)]));
  const terms = taxonomies.get(taxonomy)!;
  terms.set(code, { ...terms.get(code)!, ...patch });
  return new ReferenceData(base.version, base.countries, base.regions, taxonomies, base.codelists);
}

type Case = {
  rule: ActivityRule;
  severity: Severity;
  path: string;
  bad: Partial<ActivityInput>;
  good: Partial<ActivityInput>;
  opts?: Partial<ValidateActivityOptions>;
  name: string;
};

const indicator = (over: Record<string, unknown> = {}) => ({ measure: '1', title: { en: 'People assisted' }, ...over });
const result = (over: Record<string, unknown> = {}) => ({ type: '1', title: { en: 'Survivors receive care' }, indicators: [indicator()], ...over });
const period = (over: Record<string, unknown> = {}) => ({ start: '2024-01-01', end: '2024-12-31', targets: [{ value: '120' }], actuals: [{ value: '98' }], ...over });

const CASES: Case[] = [
  { name: 'no title in any language', rule: 'title.required', severity: 'critical', path: 'title', bad: { title: {} }, good: { title: { ru: 'Помощь пострадавшим' }, defaultLanguage: 'ru' } },
  { name: 'no title in the default language', rule: 'title.default-language', severity: 'warning', path: 'title.en', bad: { title: { fr: 'Titre' } }, good: { title: { fr: 'Titre' }, defaultLanguage: 'fr' } },
  {
    name: 'an owner that is not registered',
    rule: 'owner.unknown',
    severity: 'critical',
    path: 'ownerOrganizationId',
    bad: {},
    good: {},
    opts: { knownOrganizationIds: new Set(['org_other']) },
  },
  {
    name: 'a participant that claims to be a registered organization and is not',
    rule: 'participants.organization-unknown',
    severity: 'error',
    path: 'participants.0.organizationId',
    bad: { participants: [{ role: '4', organizationId: 'org_gone', name: {} }] },
    good: { participants: [{ role: '4', organizationId: 'org_owner', name: {} }] },
    opts: { knownOrganizationIds: new Set(['org_owner']) },
  },
  { name: 'no participating organization', rule: 'participants.none', severity: 'warning', path: 'participants', bad: { participants: [] }, good: {} },
  {
    name: 'no implementing organization',
    rule: 'participants.implementing-missing',
    severity: 'warning',
    path: 'participants',
    bad: { participants: [{ role: '1', name: { en: 'A donor' } }] },
    good: { participants: [{ role: '4', name: { en: 'An NGO' } }] },
  },
  {
    name: 'a participant with neither name, reference nor registered organization',
    rule: 'participants.identity-missing',
    severity: 'error',
    path: 'participants.0.name',
    bad: { participants: [{ role: '4', name: {} }] },
    good: { participants: [{ role: '4', ref: 'XM-DAC-41119', name: {} }] },
  },
  { name: 'an activity status outside the codelist', rule: 'codelist.unknown', severity: 'error', path: 'status', bad: { status: '9' }, good: { status: '3', actualEnd: '2025-01-31' } },
  {
    name: 'a sector the built-in subset cannot vouch for',
    rule: 'codelist.unverified',
    severity: 'warning',
    path: 'sectors.0.code',
    bad: { sectors: [{ vocabulary: '1', code: '11110' }] },
    good: { sectors: [{ vocabulary: '1', code: '15190' }] },
  },
  {
    name: 'a withdrawn sector on a new record',
    rule: 'codelist.withdrawn',
    severity: 'error',
    path: 'sectors.0.code',
    bad: { sectors: [{ vocabulary: '1', code: '15162' }] },
    good: { sectors: [{ vocabulary: '1', code: '15160' }] },
  },
  { name: 'an unknown country code', rule: 'country.unknown', severity: 'error', path: 'countries.0.code', bad: { countries: [{ code: 'ZZ' }] }, good: { countries: [{ code: 'XK' }] } },
  {
    name: 'an OECD DAC region code given as UN M49',
    rule: 'regions.m49-unknown',
    severity: 'error',
    path: 'regions.0.code',
    bad: { countries: [], regions: [{ vocabulary: '2', code: '289' }] },
    good: { countries: [], regions: [{ vocabulary: '2', code: '202' }] },
  },
  {
    name: 'one country with a percentage and one without',
    rule: 'geography.percentage-missing',
    severity: 'error',
    path: 'countries.1.percentage',
    bad: { countries: [{ code: 'NA', percentage: 60 }, { code: 'KE' }] },
    good: { countries: [{ code: 'NA', percentage: 60 }, { code: 'KE', percentage: 40 }] },
  },
  {
    name: 'country percentages that add up to 90',
    rule: 'geography.percentage-sum',
    severity: 'error',
    path: 'countries',
    bad: { countries: [{ code: 'NA', percentage: 60 }, { code: 'KE', percentage: 30 }] },
    good: { countries: [{ code: 'NA', percentage: 33.333 }, { code: 'KE', percentage: 33.333 }, { code: 'ZA', percentage: 33.334 }] },
  },
  { name: 'no sector', rule: 'sectors.missing', severity: 'warning', path: 'sectors', bad: { sectors: [] }, good: {} },
  {
    name: 'a DAC 5-digit vocabulary with a 3-digit code',
    rule: 'sectors.format',
    severity: 'error',
    path: 'sectors.0.code',
    bad: { sectors: [{ vocabulary: '1', code: '151' }] },
    good: { sectors: [{ vocabulary: '2', code: '151' }] },
  },
  {
    name: 'an organisation-defined sector without a name',
    rule: 'sectors.narrative-missing',
    severity: 'warning',
    path: 'sectors.0.narrative',
    bad: { sectors: [{ vocabulary: '99', code: 'CT-01' }] },
    good: { sectors: [{ vocabulary: '99', code: 'CT-01', narrative: { en: 'Counter-trafficking' } }] },
  },
  {
    name: 'two sectors of one vocabulary, one without percentage',
    rule: 'sectors.percentage-missing',
    severity: 'error',
    path: 'sectors.1.percentage',
    bad: { sectors: [{ vocabulary: '1', code: '15160', percentage: 50 }, { vocabulary: '1', code: '15180' }] },
    good: { sectors: [{ vocabulary: '1', code: '15160', percentage: 50 }, { vocabulary: '1', code: '15180', percentage: 50 }] },
  },
  {
    name: 'sector percentages that add up to 90 in one vocabulary',
    rule: 'sectors.percentage-sum',
    severity: 'error',
    path: 'sectors',
    bad: { sectors: [{ vocabulary: '1', code: '15160', percentage: 50 }, { vocabulary: '1', code: '15180', percentage: 40 }] },
    // Each vocabulary adds up to 100 on its own.
    good: { sectors: [{ vocabulary: '1', code: '15160', percentage: 100 }, { vocabulary: '2', code: '151', percentage: 100 }] },
  },
  { name: 'no start date at all', rule: 'dates.start-missing', severity: 'warning', path: 'plannedStart', bad: { plannedStart: null, actualStart: null, status: '1' }, good: { actualStart: null, status: '1' } },
  {
    name: 'a planned end before the planned start',
    rule: 'dates.planned-order',
    severity: 'error',
    path: 'plannedEnd',
    bad: { plannedStart: '2025-01-01', plannedEnd: '2024-12-31' },
    good: { plannedStart: '2025-01-01', plannedEnd: '2025-01-01' },
  },
  {
    name: 'an actual end before the actual start',
    rule: 'dates.actual-order',
    severity: 'error',
    path: 'actualEnd',
    bad: { actualStart: '2024-05-01', actualEnd: '2024-04-30', status: '4' },
    good: { actualStart: '2024-05-01', actualEnd: '2024-05-01', status: '4' },
  },
  { name: 'an actual start in the future', rule: 'dates.actual-future', severity: 'error', path: 'actualStart', bad: { actualStart: '2025-06-03' }, good: { actualStart: '2025-06-01' } },
  {
    name: 'an actual end without an actual start',
    rule: 'dates.actual-end-without-start',
    severity: 'warning',
    path: 'actualStart',
    bad: { status: '5', actualStart: null, actualEnd: '2025-01-01' },
    good: { status: '5', actualStart: '2024-03-01', actualEnd: '2025-01-01' },
  },
  { name: 'an activity in implementation without actual start', rule: 'status.actual-start-missing', severity: 'warning', path: 'actualStart', bad: { status: '2', actualStart: null }, good: { status: '1', actualStart: null } },
  { name: 'a closed activity without actual end', rule: 'status.actual-end-missing', severity: 'warning', path: 'actualEnd', bad: { status: '4' }, good: { status: '4', actualEnd: '2025-03-31' } },
  {
    name: 'a budget period that ends before it starts',
    rule: 'budgets.period-order',
    severity: 'error',
    path: 'budgets.0.periodEnd',
    bad: { budgets: [{ type: '1', status: '1', periodStart: '2024-12-31', periodEnd: '2024-01-01', value: 1, currency: 'USD' }] },
    good: { budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-01-01', value: 1, currency: 'USD' }] },
  },
  {
    name: 'a budget period longer than a year',
    rule: 'budgets.period-length',
    severity: 'error',
    path: 'budgets.0.periodEnd',
    bad: { budgets: [{ type: '1', status: '1', periodStart: '2019-06-06', periodEnd: '2020-07-07', value: 1, currency: 'USD' }] },
    good: { budgets: [{ type: '1', status: '1', periodStart: '2019-06-06', periodEnd: '2020-06-06', value: 1, currency: 'USD' }] },
  },
  {
    name: 'a negative budget',
    rule: 'budgets.value-negative',
    severity: 'error',
    path: 'budgets.0.value',
    bad: { budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: -5, currency: 'USD' }] },
    good: { budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 0, currency: 'USD' }] },
  },
  {
    name: 'a budget without any currency',
    rule: 'currency.missing',
    severity: 'error',
    path: 'budgets.0.currency',
    bad: { defaultCurrency: null, budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 10 }] },
    good: { defaultCurrency: 'EUR', budgets: [{ type: '1', status: '1', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 10 }] },
  },
  {
    name: 'a pillar that is not a term',
    rule: 'classification.unknown',
    severity: 'error',
    path: 'classification.pillars.0',
    bad: { classification: { ...noClassification, pillars: ['rescue'] } },
    good: { classification: { ...noClassification, pillars: ['prevention', 'partnerships'] } },
  },
  {
    name: 'a suggested form of exploitation that is not a term',
    rule: 'suggestions.unknown',
    severity: 'warning',
    path: 'suggestions.exploitationForms.0',
    bad: { suggestions: { exploitationForms: ['labor'] } },
    good: { suggestions: { exploitationForms: ['forced-labour'] } },
  },
  { name: 'an identifier without the reporting organisation prefix', rule: 'identifier.prefix', severity: 'warning', path: 'iatiIdentifier', bad: { iatiIdentifier: 'XM-DAC-4111-9' }, good: {} },
  { name: 'the organisation identifier used as activity identifier', rule: 'identifier.same-as-org', severity: 'error', path: 'iatiIdentifier', bad: { iatiIdentifier: 'XM-DAC-41119' }, good: {} },
  { name: 'an identifier with a slash', rule: 'identifier.characters', severity: 'warning', path: 'iatiIdentifier', bad: { iatiIdentifier: 'XM-DAC-41119-2024/7' }, good: { iatiIdentifier: 'XM-DAC-41119-2024-7' } },
  {
    name: 'a latitude without longitude',
    rule: 'locations.point-incomplete',
    severity: 'error',
    path: 'locations.0.longitude',
    bad: { locations: [{ name: { en: 'Windhoek' }, latitude: -22.56 }] },
    good: { locations: [{ name: { en: 'Windhoek' }, latitude: -22.56, longitude: 17.08 }] },
  },
  {
    name: 'an administrative code without vocabulary',
    rule: 'locations.admin-vocabulary-missing',
    severity: 'warning',
    path: 'locations.0.adminVocabulary',
    bad: { locations: [{ name: { en: 'Khomas' }, adminCode: 'NA-KH' }] },
    good: { locations: [{ name: { en: 'Khomas' }, adminCode: 'NA-KH', adminVocabulary: 'A1' }] },
  },
  { name: 'a location with nothing to place it', rule: 'locations.empty', severity: 'warning', path: 'locations.0.name', bad: { locations: [{ name: {} }] }, good: { locations: [{ name: { ar: 'ويندهوك' } }] } },
  { name: 'a result without title', rule: 'results.title-missing', severity: 'warning', path: 'results.0.title', bad: { results: [result({ title: {} })] }, good: { results: [result()] } },
  { name: 'a result without indicator', rule: 'results.indicator-missing', severity: 'warning', path: 'results.0.indicators', bad: { results: [result({ indicators: [] })] }, good: { results: [result()] } },
  {
    name: 'an indicator without title',
    rule: 'results.indicator-title-missing',
    severity: 'warning',
    path: 'results.0.indicators.0.title',
    bad: { results: [result({ indicators: [indicator({ title: {} })] })] },
    good: { results: [result({ indicators: [indicator({ title: { zh: '获得援助的人数' } })] })] },
  },
  {
    name: 'an indicator period that ends before it starts',
    rule: 'results.period-order',
    severity: 'error',
    path: 'results.0.indicators.0.periods.0.end',
    bad: { results: [result({ indicators: [indicator({ periods: [period({ start: '2024-12-31', end: '2024-01-01' })] })] })] },
    good: { results: [result({ indicators: [indicator({ periods: [period()] })] })] },
  },
  {
    name: 'a target of a unit indicator without value',
    rule: 'results.value-missing',
    severity: 'error',
    path: 'results.0.indicators.0.periods.0.targets.0.value',
    bad: { results: [result({ indicators: [indicator({ periods: [period({ targets: [{ comment: { en: 'to be set' } }] })] })] })] },
    good: { results: [result({ indicators: [indicator({ periods: [period({ targets: [{ value: '0' }] })] })] })] },
  },
  {
    name: 'a baseline of a unit indicator that is not a number',
    rule: 'results.value-not-number',
    severity: 'warning',
    path: 'results.0.indicators.0.baselines.0.value',
    bad: { results: [result({ indicators: [indicator({ baselines: [{ year: 2023, value: 'about forty' }] })] })] },
    good: { results: [result({ indicators: [indicator({ baselines: [{ year: 2023, value: '40.5' }] })] })] },
  },
  {
    name: 'a qualitative indicator with a value',
    rule: 'results.value-qualitative',
    severity: 'warning',
    path: 'results.0.indicators.0.periods.0.actuals.0.value',
    bad: { results: [result({ indicators: [indicator({ measure: '5', periods: [period({ targets: [], actuals: [{ value: 'better' }] })] })] })] },
    good: { results: [result({ indicators: [indicator({ measure: '5', periods: [period({ targets: [], actuals: [{ comment: { en: 'better' } }] })] })] })] },
  },
  {
    name: 'an activity related to itself',
    rule: 'related.self',
    severity: 'warning',
    path: 'relatedActivities.0.ref',
    bad: { relatedActivities: [{ type: '1', ref: 'XM-DAC-41119-2024-007' }] },
    good: { relatedActivities: [{ type: '1', ref: 'XM-DAC-41119-2020-001' }] },
  },
];

describe('validateActivity', () => {
  it('finds nothing to say about a complete, consistent activity', () => {
    expect(validate(activity())).toEqual([]);
  });

  it.each(CASES)('flags $name ($rule) and accepts the corrected record', (c) => {
    const bad = validate(activity(c.bad), c.opts);
    const hit = bad.find((m) => m.rule === c.rule);
    expect(hit, JSON.stringify(bad, null, 1)).toMatchObject({ severity: c.severity, path: c.path });
    expect(hit?.message.length).toBeGreaterThan(10);
    expect(hit?.hint?.length).toBeGreaterThan(10);
    const goodOpts = c.rule === 'owner.unknown' ? { knownOrganizationIds: new Set(['org_owner']) } : c.opts;
    expect(rules(activity(c.good), goodOpts)).not.toContain(c.rule);
  });

  it('has a failing and a passing case for every rule', () => {
    const covered = new Set([...CASES.map((c) => c.rule), 'classification.withdrawn']);
    expect(Object.keys(ACTIVITY_RULES).filter((r) => !covered.has(r))).toEqual([]);
  });

  it('refuses a withdrawn code on a new record and only warns on import or on an existing record', () => {
    const d = activity({ sectors: [{ vocabulary: '1', code: '15162' }], defaultCurrency: 'BYR' });
    const bySeverity = (mode: ValidateActivityOptions['mode']) => validate(d, { mode }).filter((m) => m.rule === 'codelist.withdrawn').map((m) => `${m.severity} ${m.path}`);
    expect(bySeverity('new')).toEqual(['error defaultCurrency', 'error sectors.0.code']);
    expect(bySeverity('import')).toEqual(['warning defaultCurrency', 'warning sectors.0.code']);
    expect(bySeverity('existing')).toEqual(['warning defaultCurrency', 'warning sectors.0.code']);
  });

  it('warns about a withdrawn taxonomy term, whatever the mode', () => {
    const withdrawn = withTerm(ref, 'pillar', 'partnerships', { withdrawn: true });
    const d = activity({ classification: { ...noClassification, pillars: ['partnerships'] } });
    for (const mode of ['new', 'import'] as const) {
      expect(validateActivity(d, withdrawn, { mode, today: TODAY })).toEqual([
        expect.objectContaining({ rule: 'classification.withdrawn', severity: 'warning', path: 'classification.pillars.0' }),
      ]);
    }
    expect(validateActivity(d, ref, { mode: 'new', today: TODAY })).toEqual([]);
  });

  it('keeps Namibia (NA) as a country code from input to validation', () => {
    const d = activity({ countries: [{ code: 'NA', percentage: 100 }] });
    expect(d.countries).toEqual([expect.objectContaining({ code: 'NA', percentage: 100 })]);
    expect(validate(d)).toEqual([]);
    expect(ref.label('country', 'NA', 'fr')).toBe('Namibie');
  });

  it('accepts Kosovo (XK), which IATI knows and ISO 3166-1 does not', () => {
    expect(validate(activity({ countries: [{ code: 'XK' }] }))).toEqual([]);
    expect(ref.country('XK')).toMatchObject({ iatiOnly: true, alpha3: null, m49: null });
  });

  it('reads a region code in its vocabulary: 289 is a DAC region, not an M49 one', () => {
    const dac = validate(activity({ countries: [], regions: [{ vocabulary: '1', code: '289' }] }));
    expect(dac).toEqual([]);
    const m49 = validate(activity({ countries: [], regions: [{ vocabulary: '2', code: '289' }] }));
    expect(m49).toEqual([expect.objectContaining({ rule: 'regions.m49-unknown', path: 'regions.0.code', hint: expect.stringMatching(/South of Sahara.*vocabulary to 1/) })]);
    expect(ref.regionLabel('1', '289', 'en')).toBe('South of Sahara, regional');
    expect(ref.regionLabel('2', '202', 'en')).toBe('Sub-Saharan Africa');
  });

  it('adds countries and the regions of each vocabulary together to 100, as IATI does', () => {
    const shared = activity({ countries: [{ code: 'NA', percentage: 50 }], regions: [{ vocabulary: '2', code: '202', percentage: 50 }] });
    expect(validate(shared)).toEqual([]);
    const twoVocabularies = activity({
      countries: [{ code: 'NA', percentage: 50 }],
      regions: [
        { vocabulary: '1', code: '289', percentage: 50 },
        { vocabulary: '2', code: '202', percentage: 50 },
      ],
    });
    expect(validate(twoVocabularies)).toEqual([]);
    const over = activity({ countries: [{ code: 'NA', percentage: 60 }], regions: [{ vocabulary: '2', code: '202', percentage: 50 }] });
    expect(validate(over)).toEqual([expect.objectContaining({ rule: 'geography.percentage-sum', severity: 'error' })]);
  });

  it('warns, without blocking, when several countries have no percentages at all', () => {
    const messages = validate(activity({ countries: [{ code: 'NA' }, { code: 'KE' }] }));
    expect(messages).toEqual([expect.objectContaining({ rule: 'geography.percentage-missing', severity: 'warning', path: 'countries' })]);
  });

  it('refuses a lone country whose percentage is not 100', () => {
    expect(validate(activity({ countries: [{ code: 'NA', percentage: 50 }] }))).toEqual([
      expect.objectContaining({ rule: 'geography.percentage-sum', severity: 'error', path: 'countries.0.percentage' }),
    ]);
  });

  it('checks the codes of every codelist-bound field', () => {
    const d = activity({
      activityScope: '42',
      participants: [{ role: '7', orgType: '99', name: { en: 'Somebody' } }],
      budgets: [{ type: '3', status: '9', periodStart: '2024-01-01', periodEnd: '2024-12-31', value: 1, currency: 'USD' }],
      relatedActivities: [{ type: '8', ref: 'XM-DAC-41119-1' }],
      results: [result({ type: '4', indicators: [indicator({ measure: '6' })] })],
      locations: [{ name: { en: 'Somewhere' }, exactness: '3', locationClass: '7', adminVocabulary: 'Z9', adminCode: 'x' }],
    });
    const unknown = validate(d)
      .filter((m) => m.rule === 'codelist.unknown')
      .map((m) => m.path);
    expect(unknown.sort()).toEqual(
      [
        'activityScope',
        'participants.0.role',
        'participants.0.orgType',
        'budgets.0.type',
        'budgets.0.status',
        'relatedActivities.0.type',
        'results.0.type',
        'results.0.indicators.0.measure',
        'locations.0.exactness',
        'locations.0.locationClass',
        'locations.0.adminVocabulary',
      ].sort(),
    );
  });
});
