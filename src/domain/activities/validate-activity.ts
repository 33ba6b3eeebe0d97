import { REGION_VOCABULARY, type ReferenceData } from '../reference/reference-data.ts';
import { CLASSIFICATION_TAXONOMIES, type ActivityData, type Classification, type Severity, type ValidationMessage } from './activity-schemas.ts';

/**
 * How the record reaches the validator: a record being created ('new'), a change to a stored
 * one ('existing'), or an import from a spreadsheet or IATI file ('import'). A withdrawn code is
 * refused on a new record and only warned about otherwise, so old data can still come in.
 */
export type ValidationMode = 'new' | 'existing' | 'import';

export type ValidateActivityOptions = {
  mode: ValidationMode;
  /** Today as YYYY-MM-DD (UTC); for tests. */
  today?: string;
  /** The ids of registered organizations, when the caller has them: owner and participants are then checked. */
  knownOrganizationIds?: ReadonlySet<string>;
};

/**
 * Every rule, by its stable id. Severity: critical (the record means nothing without it),
 * error (a contradiction or a code that is surely wrong: blocks publishing), warning (IATI
 * would want more, or a code could not be checked). Rules marked IATI follow the IATI 2.03
 * Standard ruleset; "before" includes the same day, as there.
 */
export const ACTIVITY_RULES = {
  'title.required': 'A title in at least one language.',
  'title.default-language': 'A title in the default language.',
  'owner.unknown': 'The owner is a registered organization.',
  'participants.organization-unknown': 'A participant marked as registered is a registered organization.',
  'participants.none': 'At least one participating organization.',
  'participants.implementing-missing': 'At least one implementing organization (role 4).',
  'participants.identity-missing': 'Each participant is registered, or has an IATI reference or a name (IATI 6.10.1).',
  'codelist.unknown': 'A code is a member of its IATI codelist.',
  'codelist.withdrawn': 'A code is not withdrawn from its codelist (error on a new record, warning otherwise).',
  'codelist.unverified': 'A code that only part of its codelist is loaded to check.',
  'country.unknown': 'A country code is an ISO 3166-1 alpha-2 code, or one IATI accepts (XK).',
  'regions.m49-unknown': 'A region of vocabulary 2 (UN) is an M49 region code.',
  'geography.percentage-missing': 'When several countries and regions are given, each has a percentage (IATI 3.1.1, 3.4.1).',
  'geography.percentage-sum': 'Country and region percentages add up to 100, per region vocabulary (IATI 3.1.2, 3.4.2, 3.1.4, 3.4.4).',
  'sectors.missing': 'At least one sector (IATI 6.2.2).',
  'sectors.format': 'A DAC sector code has five digits (vocabulary 1) or three (vocabulary 2).',
  'sectors.narrative-missing': 'A sector of the reporting organisation’s own vocabulary (98, 99) has a name.',
  'sectors.percentage-missing': 'When a vocabulary has several sectors, each has a percentage (IATI 2.1.1).',
  'sectors.percentage-sum': 'Sector percentages add up to 100 within each vocabulary (IATI 2.1.2, 2.1.4).',
  'dates.start-missing': 'A planned or actual start date (IATI 6.11.1).',
  'dates.planned-order': 'The planned start is not after the planned end (IATI 11.1.2).',
  'dates.actual-order': 'The actual start is not after the actual end (IATI 11.1.3).',
  'dates.actual-future': 'Actual dates are not in the future (IATI 11.1.4, 11.1.5).',
  'dates.actual-end-without-start': 'An actual end comes with an actual start.',
  'status.actual-start-missing': 'An activity in implementation, finalisation or closed has an actual start date.',
  'status.actual-end-missing': 'A finalised or closed activity has an actual end date.',
  'budgets.period-order': 'A budget period starts before it ends (IATI 8.6.3).',
  'budgets.period-length': 'A budget period is at most one year (IATI 7.5.3).',
  'budgets.value-negative': 'A budget value is not negative.',
  'currency.missing': 'A value has a currency, or the activity a default currency (IATI 7.8.1).',
  'classification.unknown': 'A classification code is a term of its taxonomy.',
  'classification.withdrawn': 'A classification term is not withdrawn.',
  'suggestions.unknown': 'A suggested classification code is a term of its taxonomy.',
  'identifier.prefix': 'The IATI identifier begins with the reporting organisation’s reference and a hyphen (IATI 1.1.21).',
  'identifier.same-as-org': 'The IATI identifier differs from the reporting organisation’s reference (IATI 1.1.3).',
  'identifier.characters': 'The IATI identifier holds none of / & | ? (IATI 1.3.13).',
  'locations.point-incomplete': 'A location with a latitude has a longitude, and the reverse.',
  'locations.admin-vocabulary-missing': 'An administrative area code says which vocabulary it is from.',
  'locations.empty': 'A location has a name, an administrative code or a point.',
  'results.title-missing': 'A result has a title.',
  'results.indicator-missing': 'A result has at least one indicator.',
  'results.indicator-title-missing': 'An indicator has a title.',
  'results.period-order': 'An indicator period starts before it ends (IATI 8.6.1).',
  'results.value-missing': 'A baseline, target or actual of a quantitative indicator has a value (IATI 8.8.1, 8.9.1, 8.10.1).',
  'results.value-not-number': 'A value of a quantitative indicator is a number (IATI 8.8.2, 8.9.2, 8.10.2).',
  'results.value-qualitative': 'A qualitative indicator gives no value (IATI 8.8.3, 8.9.3, 8.10.3).',
  'related.self': 'An activity is not related to itself.',
} as const;
export type ActivityRule = keyof typeof ACTIVITY_RULES;

const hasText = (n: Record<string, string | undefined> | undefined) => Object.values(n ?? {}).some((v) => typeof v === 'string' && v.trim() !== '');
const isSet = (v: string | null | undefined): v is string => typeof v === 'string' && v.trim() !== '';
const thousandths = (n: number) => Math.round(n * 1000);
const fmt = (n: number) => String(thousandths(n) / 1000);
const addDays = (iso: string, days: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
};
const addOneYear = (iso: string) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
};
const QUANTITATIVE = new Set(['1', '2', '3', '4']);
const SECTOR_CODELIST: Record<string, string> = { '1': 'Sector', '2': 'SectorCategory', '7': 'UNSDG-Goals', '8': 'UNSDG-Targets' };

/**
 * The one validator of activities, shared by forms, API, spreadsheet import and IATI import.
 * Grades the data against the reference data (countries, M49 regions, taxonomies, IATI
 * codelists) and returns every problem with its severity, the field path
 * (`countries.1.percentage`), a stable rule id (ACTIVITY_RULES) and a hint of what to do.
 * Synchronous and free of I/O: load the reference data first (`getReferenceData(ctx)`).
 */
export function validateActivity(d: ActivityData, ref: ReferenceData, opts: ValidateActivityOptions): ValidationMessage[] {
  const out: ValidationMessage[] = [];
  const push = (severity: Severity, path: string, rule: ActivityRule, message: string, hint?: string) =>
    out.push({ severity, path, rule, message, ...(hint !== undefined && { hint }) });
  const today = opts.today ?? new Date().toISOString().slice(0, 10);

  /** Grades a code against an IATI codelist; lists the platform does not hold at all are not checked. */
  const code = (path: string, list: string, value: string | null | undefined, what: string) => {
    if (!isSet(value) || !ref.codelists.has(list)) return;
    const status = ref.codeStatus(list, value);
    if (status === 'active') return;
    if (status === 'withdrawn') {
      push(
        opts.mode === 'new' ? 'error' : 'warning',
        path,
        'codelist.withdrawn',
        `${what} "${value}" has been withdrawn from the IATI ${list} codelist.`,
        `Choose a current ${list} code${opts.mode === 'new' ? '' : ' when you next edit this record'}.`,
      );
    } else if (status === 'unknown') {
      push('error', path, 'codelist.unknown', `${what} "${value}" is not a code of the IATI ${list} codelist.`, `Choose one of the ${list} codes.`);
    } else {
      push(
        'warning',
        path,
        'codelist.unverified',
        `${what} "${value}" could not be checked: only part of the IATI ${list} codelist is loaded.`,
        'Check the code, or ask an administrator to load the official IATI codelists (icat reference load-iati).',
      );
    }
  };

  const country = (path: string, value: string) => {
    if (ref.country(value)) return;
    const status = ref.codelists.has('Country') ? ref.codeStatus('Country', value) : 'unknown';
    if (status === 'active') return;
    if (status === 'withdrawn') return code(path, 'Country', value, 'The country code');
    push('error', path, 'country.unknown', `"${value}" is not a known country code.`, 'Use the ISO 3166-1 alpha-2 code of the country, such as NA for Namibia or XK for Kosovo.');
  };

  // Title
  if (!hasText(d.title)) {
    push('critical', 'title', 'title.required', 'The activity has no title in any language.', 'Give a short, specific title, at least in the default language.');
  } else if (!isSet(d.title[d.defaultLanguage])) {
    push('warning', `title.${d.defaultLanguage}`, 'title.default-language', `There is no title in the default language (${d.defaultLanguage}).`, 'Add the title in the default language, or change the default language.');
  }

  // Organizations
  if (opts.knownOrganizationIds && !opts.knownOrganizationIds.has(d.ownerOrganizationId)) {
    push('critical', 'ownerOrganizationId', 'owner.unknown', 'The owner is not a registered organization.', 'Choose the organization that owns and maintains this record.');
  }
  code('reportingOrg.orgType', 'OrganisationType', d.reportingOrg?.orgType, 'The reporting organisation type');
  if (d.participants.length === 0) {
    push('warning', 'participants', 'participants.none', 'No participating organization is given.', 'Add the organizations that fund, are accountable for, extend or implement the activity.');
  } else if (!d.participants.some((p) => p.role === '4')) {
    push('warning', 'participants', 'participants.implementing-missing', 'No implementing organization is given.', 'Add the organization that carries out the activity, with the role "Implementing" (4).');
  }
  d.participants.forEach((p, i) => {
    code(`participants.${i}.role`, 'OrganisationRole', p.role, 'The role');
    code(`participants.${i}.orgType`, 'OrganisationType', p.orgType, 'The organisation type');
    if (p.organizationId && opts.knownOrganizationIds && !opts.knownOrganizationIds.has(p.organizationId)) {
      push('error', `participants.${i}.organizationId`, 'participants.organization-unknown', 'This is not a registered organization.', 'Choose a registered organization, or leave it empty and give a name and IATI reference.');
    }
    if (!p.organizationId && !isSet(p.ref) && !hasText(p.name)) {
      push('error', `participants.${i}.name`, 'participants.identity-missing', 'This participating organization has no name, reference or registered organization.', 'Choose a registered organization, or give its name or IATI organisation identifier.');
    }
  });

  // Status and codes of the activity
  code('status', 'ActivityStatus', d.status, 'The status');
  code('activityScope', 'ActivityScope', d.activityScope, 'The activity scope');
  code('defaultCurrency', 'Currency', d.defaultCurrency, 'The default currency');

  // Identifier
  const id = d.iatiIdentifier?.trim();
  const orgRef = d.reportingOrg?.ref?.trim();
  if (id) {
    if (orgRef && id === orgRef) {
      push('error', 'iatiIdentifier', 'identifier.same-as-org', 'The IATI identifier is the reporting organisation’s own identifier.', `Add the activity’s own part after it, such as ${orgRef}-2025-001.`);
    } else if (orgRef && !id.startsWith(`${orgRef}-`)) {
      push('warning', 'iatiIdentifier', 'identifier.prefix', `The IATI identifier does not begin with the reporting organisation’s reference "${orgRef}-".`, `IATI identifiers take the form ${orgRef}-<the activity’s own code>; keep an identifier published before as it is.`);
    }
    if (/[/&|?]/.test(id)) push('warning', 'iatiIdentifier', 'identifier.characters', 'The IATI identifier contains /, &, | or ?.', 'Replace these characters, for instance with a hyphen, unless the identifier was published before.');
  }

  // Dates and status
  if (!d.plannedStart && !d.actualStart) {
    push('warning', 'plannedStart', 'dates.start-missing', 'There is no start date, planned or actual.', 'Give the planned start date, or the actual one if the activity has started (IATI requires one).');
  }
  if (d.plannedStart && d.plannedEnd && d.plannedStart > d.plannedEnd) {
    push('error', 'plannedEnd', 'dates.planned-order', `The planned end (${d.plannedEnd}) is before the planned start (${d.plannedStart}).`, 'Correct one of the two dates.');
  }
  if (d.actualStart && d.actualEnd && d.actualStart > d.actualEnd) {
    push('error', 'actualEnd', 'dates.actual-order', `The actual end (${d.actualEnd}) is before the actual start (${d.actualStart}).`, 'Correct one of the two dates.');
  }
  // One day of leeway: "today" differs across time zones.
  const latest = addDays(today, 1);
  for (const field of ['actualStart', 'actualEnd'] as const) {
    const v = d[field];
    if (v && v > latest) push('error', field, 'dates.actual-future', `The ${field === 'actualStart' ? 'actual start' : 'actual end'} (${v}) is in the future.`, 'An actual date is one that has passed; use the planned date for what is still to come.');
  }
  if (d.actualEnd && !d.actualStart) push('warning', 'actualStart', 'dates.actual-end-without-start', 'There is an actual end date but no actual start date.', 'Give the date the activity actually started.');
  if (d.status && ['2', '3', '4'].includes(d.status) && !d.actualStart) {
    push('warning', 'actualStart', 'status.actual-start-missing', 'The status says the activity has started, but there is no actual start date.', 'Give the date the activity actually started.');
  }
  if (d.status && ['3', '4'].includes(d.status) && !d.actualEnd) {
    push('warning', 'actualEnd', 'status.actual-end-missing', 'The status says the activity has ended, but there is no actual end date.', 'Give the date the activity actually ended.');
  }

  // Countries and regions: percentages are shared between countries and the regions of each vocabulary.
  d.countries.forEach((c, i) => country(`countries.${i}.code`, c.code));
  d.regions.forEach((r, i) => {
    code(`regions.${i}.vocabulary`, 'RegionVocabulary', r.vocabulary, 'The region vocabulary');
    if (r.vocabulary === REGION_VOCABULARY.m49) {
      const m49 = /^\d{1,3}$/.test(r.code) ? r.code.padStart(3, '0') : r.code;
      if (!ref.regions.has(m49)) {
        const dac = ref.codelistItem('Region', r.code);
        push(
          'error',
          `regions.${i}.code`,
          'regions.m49-unknown',
          `"${r.code}" is not a UN M49 region code.`,
          dac
            ? `"${r.code}" is the OECD DAC region "${dac.names.en ?? r.code}": set the vocabulary to 1 (OECD DAC), or use the M49 code.`
            : 'M49 region codes have three digits, such as 002 Africa or 202 Sub-Saharan Africa; put countries under countries.',
        );
      }
    } else if (r.vocabulary === REGION_VOCABULARY.dac) {
      code(`regions.${i}.code`, 'Region', r.code, 'The OECD DAC region');
    }
  });
  gradeGeography(d, push);

  // Sectors
  if (d.sectors.length === 0) {
    push('warning', 'sectors', 'sectors.missing', 'No sector is given.', 'Add at least one sector, such as 15190 (migration) or 15160 (human rights); IATI requires one.');
  }
  d.sectors.forEach((s, i) => {
    code(`sectors.${i}.vocabulary`, 'SectorVocabulary', s.vocabulary, 'The sector vocabulary');
    if (s.vocabulary === '1' && !/^\d{5}$/.test(s.code)) {
      push('error', `sectors.${i}.code`, 'sectors.format', `"${s.code}" is not a five-digit DAC purpose code.`, 'Use a five-digit code such as 15160, or set the vocabulary to the one the code belongs to.');
      return;
    }
    if (s.vocabulary === '2' && !/^\d{3}$/.test(s.code)) {
      push('error', `sectors.${i}.code`, 'sectors.format', `"${s.code}" is not a three-digit DAC sector category.`, 'Use a three-digit code such as 151, or set the vocabulary to the one the code belongs to.');
      return;
    }
    const list = SECTOR_CODELIST[s.vocabulary];
    if (list) code(`sectors.${i}.code`, list, s.code, 'The sector');
    if ((s.vocabulary === '98' || s.vocabulary === '99') && !hasText(s.narrative)) {
      push('warning', `sectors.${i}.narrative`, 'sectors.narrative-missing', 'A sector of the organisation’s own vocabulary needs a name.', 'Say in words what this sector code means.');
    }
  });
  gradeSectorPercentages(d, push);

  // Budgets and money
  d.budgets.forEach((b, i) => {
    code(`budgets.${i}.type`, 'BudgetType', b.type, 'The budget type');
    code(`budgets.${i}.status`, 'BudgetStatus', b.status, 'The budget status');
    code(`budgets.${i}.currency`, 'Currency', b.currency, 'The currency');
    if (b.periodStart > b.periodEnd) {
      push('error', `budgets.${i}.periodEnd`, 'budgets.period-order', `The budget period ends (${b.periodEnd}) before it starts (${b.periodStart}).`, 'Correct the start or the end of the period.');
    } else if (b.periodEnd > addOneYear(b.periodStart)) {
      push('error', `budgets.${i}.periodEnd`, 'budgets.period-length', `The budget period ${b.periodStart} – ${b.periodEnd} is longer than one year.`, 'Split the budget into periods of at most one year each (IATI requires it).');
    }
    if (b.value < 0) push('error', `budgets.${i}.value`, 'budgets.value-negative', 'The budget value is negative.', 'Give the amount planned for the period, zero or more.');
    if (!b.currency && !d.defaultCurrency) {
      push('error', `budgets.${i}.currency`, 'currency.missing', 'The budget has no currency and the activity has no default currency.', 'Give the currency of the budget, or the activity’s default currency.');
    }
  });
  d.transactionsSummary.forEach((t, i) => {
    code(`transactionsSummary.${i}.type`, 'TransactionType', t.type, 'The transaction type');
    code(`transactionsSummary.${i}.currency`, 'Currency', t.currency, 'The currency');
  });

  // Classification
  for (const [key, taxonomy] of Object.entries(CLASSIFICATION_TAXONOMIES) as [keyof Classification, string][]) {
    d.classification[key].forEach((value, i) => {
      const term = ref.term(taxonomy, value);
      if (!term) {
        push('error', `classification.${key}.${i}`, 'classification.unknown', `"${value}" is not a term of the ${taxonomy} list.`, `Choose one of the terms listed under /api/v1/reference/taxonomies/${taxonomy}.`);
      } else if (term.withdrawn) {
        push('warning', `classification.${key}.${i}`, 'classification.withdrawn', `The term "${term.labels.en ?? value}" has been withdrawn.`, 'Choose a current term when you next edit this record.');
      }
    });
    (d.suggestions?.[key] ?? []).forEach((value, i) => {
      if (!ref.term(taxonomy, value)) push('warning', `suggestions.${key}.${i}`, 'suggestions.unknown', `The suggested "${value}" is not a term of the ${taxonomy} list.`, 'Ignore the suggestion or choose a listed term.');
    });
  }

  // Locations
  d.locations.forEach((l, i) => {
    const hasLat = l.latitude !== null && l.latitude !== undefined;
    const hasLon = l.longitude !== null && l.longitude !== undefined;
    if (hasLat !== hasLon) {
      push('error', `locations.${i}.${hasLat ? 'longitude' : 'latitude'}`, 'locations.point-incomplete', `The location has a ${hasLat ? 'latitude but no longitude' : 'longitude but no latitude'}.`, 'Give both coordinates of the point, or neither.');
    }
    if (l.countryCode) country(`locations.${i}.countryCode`, l.countryCode);
    if (isSet(l.adminCode) && !isSet(l.adminVocabulary)) {
      push('warning', `locations.${i}.adminVocabulary`, 'locations.admin-vocabulary-missing', 'The administrative area code does not say which vocabulary it comes from.', 'Choose the geographic vocabulary of the code, such as A1 (GAUL) or G1 (GeoNames).');
    }
    if (!hasText(l.name) && !isSet(l.adminCode) && !hasLat && !hasLon) {
      push('warning', `locations.${i}.name`, 'locations.empty', 'The location has no name, administrative code or point.', 'Name the place, or remove the location.');
    }
    code(`locations.${i}.adminVocabulary`, 'GeographicVocabulary', l.adminVocabulary, 'The geographic vocabulary');
    code(`locations.${i}.exactness`, 'GeographicExactness', l.exactness, 'The exactness');
    code(`locations.${i}.locationClass`, 'GeographicLocationClass', l.locationClass, 'The location class');
  });

  // Results
  d.results.forEach((r, i) => {
    code(`results.${i}.type`, 'ResultType', r.type, 'The result type');
    if (!hasText(r.title)) push('warning', `results.${i}.title`, 'results.title-missing', 'The result has no title.', 'Say in a few words what the result is.');
    if (r.indicators.length === 0) push('warning', `results.${i}.indicators`, 'results.indicator-missing', 'The result has no indicator.', 'Add at least one indicator that measures the result.');
    r.indicators.forEach((ind, j) => {
      const base = `results.${i}.indicators.${j}`;
      code(`${base}.measure`, 'IndicatorMeasure', ind.measure, 'The indicator measure');
      if (!hasText(ind.title)) push('warning', `${base}.title`, 'results.indicator-title-missing', 'The indicator has no title.', 'Say what the indicator measures.');
      const gradeValue = (path: string, value: string | null | undefined, what: string) => {
        if (QUANTITATIVE.has(ind.measure)) {
          if (!isSet(value)) push('error', path, 'results.value-missing', `The ${what} has no value.`, 'Give the value, or remove the entry.');
          else if (!Number.isFinite(Number(value.trim()))) push('warning', path, 'results.value-not-number', `The ${what} "${value}" is not a number.`, 'Give a number; put explanations in the comment.');
        } else if (ind.measure === '5' && isSet(value)) {
          push('warning', path, 'results.value-qualitative', `A qualitative indicator gives no ${what} value.`, 'Move the text to the comment and leave the value empty.');
        }
      };
      ind.baselines.forEach((b, k) => gradeValue(`${base}.baselines.${k}.value`, b.value, 'baseline'));
      ind.periods.forEach((p, k) => {
        if (p.start > p.end) push('error', `${base}.periods.${k}.end`, 'results.period-order', `The period ends (${p.end}) before it starts (${p.start}).`, 'Correct the start or the end of the period.');
        p.targets.forEach((t, m) => gradeValue(`${base}.periods.${k}.targets.${m}.value`, t.value, 'target'));
        p.actuals.forEach((a, m) => gradeValue(`${base}.periods.${k}.actuals.${m}.value`, a.value, 'actual'));
      });
    });
  });

  // Related activities
  d.relatedActivities.forEach((r, i) => {
    code(`relatedActivities.${i}.type`, 'RelatedActivityType', r.type, 'The relation type');
    if (id && r.ref === id) push('warning', `relatedActivities.${i}.ref`, 'related.self', 'The activity is listed as related to itself.', 'Remove this relation, or give the other activity’s identifier.');
  });

  return out;
}

type Push = (severity: Severity, path: string, rule: ActivityRule, message: string, hint?: string) => void;

/**
 * IATI's combined rule: the countries and the regions of one vocabulary share 100%. A lone
 * country or region may omit its percentage. When none is given though several are listed,
 * the record is still meaningful, so that is a warning; once any is given, they must be right.
 */
function gradeGeography(d: ActivityData, push: Push): void {
  const vocabularies = [...new Set(d.regions.map((r) => r.vocabulary))];
  const groups: { label: string; items: { path: string; percentage: number | null | undefined }[] }[] = [];
  const countryItems = d.countries.map((c, i) => ({ path: `countries.${i}.percentage`, percentage: c.percentage }));
  if (vocabularies.length === 0) groups.push({ label: 'countries', items: countryItems });
  for (const v of vocabularies) {
    groups.push({
      label: `countries and regions of vocabulary ${v}`,
      items: [...countryItems, ...d.regions.flatMap((r, i) => (r.vocabulary === v ? [{ path: `regions.${i}.percentage`, percentage: r.percentage }] : []))],
    });
  }
  for (const g of groups) gradeShares(g.items, g.label, 'geography', push);
}

function gradeSectorPercentages(d: ActivityData, push: Push): void {
  for (const v of [...new Set(d.sectors.map((s) => s.vocabulary))]) {
    const items = d.sectors.flatMap((s, i) => (s.vocabulary === v ? [{ path: `sectors.${i}.percentage`, percentage: s.percentage }] : []));
    gradeShares(items, `sectors of vocabulary ${v}`, 'sectors', push);
  }
}

function gradeShares(items: { path: string; percentage: number | null | undefined }[], label: string, prefix: 'geography' | 'sectors', push: Push): void {
  if (items.length === 0) return;
  const given = items.filter((it) => it.percentage !== null && it.percentage !== undefined);
  const sumPath = prefix === 'geography' ? (items[0]!.path.startsWith('countries') ? 'countries' : 'regions') : 'sectors';
  if (items.length === 1) {
    const only = items[0]!;
    if (given.length === 1 && thousandths(only.percentage!) !== 100_000) {
      push('error', only.path, `${prefix}.percentage-sum`, `A single entry among the ${label} has ${fmt(only.percentage!)}%, not 100%.`, 'Set it to 100 or leave it empty.');
    }
    return;
  }
  if (given.length === 0) {
    push('warning', sumPath, `${prefix}.percentage-missing`, `The ${label} have no percentages.`, 'Give each one its share so that they add up to 100 (IATI requires it when there are several).');
    return;
  }
  for (const it of items) {
    if (it.percentage === null || it.percentage === undefined) {
      push('error', it.path, `${prefix}.percentage-missing`, `This entry has no percentage, while other ${label} have one.`, 'Give every entry its share, so that they add up to 100.');
    }
  }
  const sum = given.reduce((n, it) => n + thousandths(it.percentage!), 0);
  if (sum !== 100_000) {
    push('error', sumPath, `${prefix}.percentage-sum`, `The percentages of the ${label} add up to ${fmt(sum / 1000)}%, not 100%.`, 'Adjust the shares so that they add up to exactly 100.');
  }
}
