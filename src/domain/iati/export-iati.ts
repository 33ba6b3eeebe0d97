import { organizationsForIati, type IatiOrganizationRow } from '../../db/queries/iati.ts';
import type { Activity, Narrative } from '../activities/activity-schemas.ts';
import type { DomainContext } from '../context.ts';
import { LANGUAGES } from '../languages.ts';
import { listOrganizations } from '../organizations/organizations.ts';

/**
 * Writes activities as an IATI 2.03 activity file and member organizations as an IATI
 * organisation file, a string chunk per batch so a download streams whatever its size. The
 * elements follow the schema's order; every narrative carries its language. What the schema
 * requires and a record lacks (an identifier, a reporting organization's identifier, a
 * description, a participating organization, a status, a date) leaves the activity out rather
 * than inventing it; those left out, and parts left out of the others, are listed in a comment
 * at the end of the file. Transactions are stored as summaries only and are not exported.
 */

export const IATI_VERSION = '2.03';

/** The platform's broad organization types as IATI OrganisationType codes. */
export const IATI_ORGANISATION_TYPES: Record<string, string> = {
  un_entity: '40',
  intergovernmental: '40',
  regional_organization: '40',
  government: '10',
  ngo: '21',
  academic: '80',
  private_sector: '70',
  other: '90',
};

const WGS84 = 'http://www.opengis.net/def/crs/EPSG/0/4326';

// XML 1.0 forbids most control characters even as references: they are dropped.
// eslint-disable-next-line no-control-regex
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const escText = (s: string) => s.replace(INVALID_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escAttr = (s: string) => escText(s).replace(/"/g, '&quot;').replace(/\r/g, '&#13;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');

type Attrs = Record<string, string | number | boolean | null | undefined>;
const attrs = (a: Attrs) =>
  Object.entries(a)
    .filter(([, v]) => v !== null && v !== undefined && v !== '')
    .map(([k, v]) => ` ${k}="${escAttr(typeof v === 'boolean' ? (v ? '1' : '0') : String(v))}"`)
    .join('');
/** An element: empty when it has no content. */
const el = (name: string, a: Attrs = {}, content = '') => (content ? `<${name}${attrs(a)}>${content}</${name}>` : `<${name}${attrs(a)}/>`);

/** The narratives of a text, each with its language, in the order of the six UN languages. */
const narratives = (text: Narrative | undefined | null): string =>
  LANGUAGES.filter((l) => text?.[l]?.trim())
    .map((l) => `<narrative xml:lang="${l}">${escText(text![l]!.trim())}</narrative>`)
    .join('');
const hasText = (text: Narrative | undefined | null) => LANGUAGES.some((l) => text?.[l]?.trim());
/** An element whose schema type needs at least one narrative: left out when there is none. */
const textEl = (name: string, text: Narrative | undefined | null, a: Attrs = {}) => (hasText(text) ? el(name, a, narratives(text)) : '');
const comment = (s: string) => `<!-- ${s.replace(/-{2,}/g, '-').replace(/-$/, '- ')} -->`;

export type IatiActivityXml = { xml: string; notes: string[] } | { leftOut: string };

/** One activity as an `<iati-activity>` element, or why it cannot be one. */
export function activityToIatiXml(a: Activity, orgs: Map<string, IatiOrganizationRow>): IatiActivityXml {
  const notes: string[] = [];
  const owner = orgs.get(a.ownerOrganization.id);
  const missing: string[] = [];
  if (!a.iatiIdentifier) missing.push('an IATI identifier');
  const repRef = a.reportingOrg?.ref?.trim() || owner?.iatiRef || null;
  const repType = a.reportingOrg?.orgType?.trim() || (owner ? IATI_ORGANISATION_TYPES[owner.orgType] : undefined) || null;
  const repName = hasText(a.reportingOrg?.name) ? a.reportingOrg!.name : (owner?.name as Narrative | undefined);
  if (!repRef) missing.push('the reporting organization’s IATI identifier');
  if (!repType) missing.push('the reporting organization’s type');
  if (!hasText(repName)) missing.push('the reporting organization’s name');
  if (!hasText(a.title)) missing.push('a title');
  if (!hasText(a.description) && !hasText(a.objectives) && !hasText(a.targetGroupsText)) missing.push('a description');
  if (a.participants.length === 0) missing.push('a participating organization');
  if (!a.status) missing.push('a status');
  if (!a.plannedStart && !a.actualStart && !a.plannedEnd && !a.actualEnd) missing.push('a date');
  if (missing.length > 0) return { leftOut: `lacks ${missing.join(', ')}` };

  const out: string[] = [];
  out.push(el('iati-identifier', {}, escText(a.iatiIdentifier!)));
  out.push(el('reporting-org', { ref: repRef, type: repType }, narratives(repName)));
  out.push(textEl('title', a.title));
  out.push(textEl('description', a.description, { type: 1 }), textEl('description', a.objectives, { type: 2 }), textEl('description', a.targetGroupsText, { type: 3 }));
  for (const p of a.participants) {
    const org = p.organizationId ? orgs.get(p.organizationId) : undefined;
    const name = hasText(p.name) ? p.name : (org?.name as Narrative | undefined);
    out.push(el('participating-org', { ref: p.ref || org?.iatiRef, type: p.orgType || (org ? IATI_ORGANISATION_TYPES[org.orgType] : null), role: p.role, 'activity-id': p.activityRef }, narratives(name)));
  }
  out.push(el('activity-status', { code: a.status }));
  for (const [type, date] of [['1', a.plannedStart], ['2', a.actualStart], ['3', a.plannedEnd], ['4', a.actualEnd]] as const) {
    if (date) out.push(el('activity-date', { type, 'iso-date': date }));
  }
  for (const c of a.contacts) {
    const parts = [
      textEl('organisation', c.organisation),
      textEl('person-name', c.personName),
      textEl('job-title', c.jobTitle),
      c.email ? el('email', {}, escText(c.email)) : '',
      c.website ? el('website', {}, escText(c.website)) : '',
    ].join('');
    out.push(el('contact-info', { type: c.type }, parts));
  }
  if (a.activityScope) out.push(el('activity-scope', { code: a.activityScope }));
  for (const c of a.countries) out.push(el('recipient-country', { code: c.code, percentage: c.percentage }, narratives(c.narrative)));
  for (const r of a.regions) out.push(el('recipient-region', { code: r.code, vocabulary: r.vocabulary, percentage: r.percentage }, narratives(r.narrative)));
  for (const l of a.locations) {
    const parts = [
      textEl('name', l.name),
      textEl('description', l.description),
      l.adminCode && l.adminVocabulary ? el('administrative', { vocabulary: l.adminVocabulary, level: l.adminLevel, code: l.adminCode }) : '',
      l.latitude != null && l.longitude != null ? el('point', { srsName: WGS84 }, el('pos', {}, `${l.latitude} ${l.longitude}`)) : '',
      l.exactness ? el('exactness', { code: l.exactness }) : '',
      l.locationClass ? el('location-class', { code: l.locationClass }) : '',
      l.featureDesignation ? el('feature-designation', { code: l.featureDesignation }) : '',
    ].join('');
    out.push(el('location', { ref: l.ref }, parts));
  }
  for (const s of a.sectors) out.push(el('sector', { vocabulary: s.vocabulary, code: s.code, percentage: s.percentage }, narratives(s.narrative)));
  for (const t of a.classification.sdgTargets) out.push(el('tag', { vocabulary: 3, code: t }));
  for (const b of a.budgets) {
    out.push(
      el(
        'budget',
        { type: b.type, status: b.status },
        el('period-start', { 'iso-date': b.periodStart }) + el('period-end', { 'iso-date': b.periodEnd }) + el('value', { currency: b.currency, 'value-date': b.valueDate ?? b.periodStart }, String(b.value)),
      ),
    );
  }
  if (a.transactionsSummary.length > 0) notes.push('transactions are stored as totals and not exported');
  for (const r of a.relatedActivities) out.push(el('related-activity', { ref: r.ref, type: r.type }));
  a.results.forEach((r, ri) => {
    const indicators = r.indicators.flatMap((i, ii) => {
      if (!hasText(i.title)) {
        notes.push(`result ${ri + 1}, indicator ${ii + 1} has no title and is left out`);
        return [];
      }
      const value = (tag: string, v: { value?: string | null; comment?: Narrative; dimensions: { name: string; value: string }[] }, extra: Attrs = {}) =>
        el(tag, { ...extra, value: v.value }, v.dimensions.map((d) => el('dimension', { name: d.name, value: d.value })).join('') + textEl('comment', v.comment));
      const baselines = i.baselines.flatMap((b) => {
        const year = b.year ?? (b.isoDate ? Number(b.isoDate.slice(0, 4)) : null);
        if (!year) {
          notes.push(`result ${ri + 1}, indicator ${ii + 1}: a baseline without a year is left out`);
          return [];
        }
        return [value('baseline', b, { year, 'iso-date': b.isoDate })];
      });
      const periods = i.periods.map((p) =>
        el('period', {}, el('period-start', { 'iso-date': p.start }) + el('period-end', { 'iso-date': p.end }) + p.targets.map((t) => value('target', t)).join('') + p.actuals.map((t) => value('actual', t)).join('')),
      );
      const refs = i.references.map((x) => el('reference', { vocabulary: x.vocabulary, code: x.code, 'indicator-uri': x.uri }));
      return [
        el(
          'indicator',
          { measure: i.measure, ascending: i.ascending, 'aggregation-status': i.aggregationStatus },
          textEl('title', i.title) + textEl('description', i.description) + refs.join('') + baselines.join('') + periods.join(''),
        ),
      ];
    });
    if (!hasText(r.title) || indicators.length === 0) {
      notes.push(`result ${ri + 1} is left out: it has no ${hasText(r.title) ? 'indicator' : 'title'}`);
      return;
    }
    out.push(el('result', { type: r.type, 'aggregation-status': r.aggregationStatus }, textEl('title', r.title) + textEl('description', r.description) + indicators.join('')));
  });

  const head = attrs({ 'xml:lang': a.defaultLanguage, 'default-currency': a.defaultCurrency, 'last-updated-datetime': a.updatedAt });
  return { xml: ` <iati-activity${head}>\n  ${out.filter(Boolean).join('\n  ')}\n </iati-activity>\n`, notes };
}

const fileHead = (root: string) => `<?xml version="1.0" encoding="UTF-8"?>\n<${root} version="${IATI_VERSION}" generated-datetime="${new Date().toISOString()}">\n`;

/** What is left out, as a closing comment (nothing when nothing is). */
function closingNotes(leftOut: string[], notes: string[], total: number): string {
  if (leftOut.length === 0 && notes.length === 0) return '';
  const lines = [
    ...(leftOut.length > 0 ? [`${total} left out (the IATI schema requires what they lack):`, ...leftOut.slice(0, 1000)] : []),
    ...(total > 1000 ? [`… and ${total - 1000} more`] : []),
    ...(notes.length > 0 ? ['Parts left out:', ...notes.slice(0, 1000)] : []),
  ];
  return `${comment(`ICAT export notes\n  ${lines.join('\n  ')}\n`)}\n`;
}

/**
 * The activities of the batches as an IATI activity file, a chunk per batch. The organizations
 * they name (owners, registered participants) are read once per batch.
 */
export async function* iatiActivityChunks(ctx: DomainContext, batches: AsyncIterable<{ activities: Activity[] }>): AsyncGenerator<string> {
  yield fileHead('iati-activities');
  const leftOut: string[] = [];
  const notes: string[] = [];
  let leftCount = 0;
  for await (const batch of batches) {
    const ids = [...new Set(batch.activities.flatMap((a) => [a.ownerOrganization.id, ...a.participants.map((p) => p.organizationId ?? '').filter(Boolean)]))];
    const orgs = new Map((await organizationsForIati(ctx.db.kysely, ids)).map((o) => [o.id, o]));
    const parts: string[] = [];
    for (const a of batch.activities) {
      const r = activityToIatiXml(a, orgs);
      const name = a.iatiIdentifier ?? a.id;
      if ('leftOut' in r) {
        leftCount++;
        if (leftOut.length < 1000) leftOut.push(`${name}: ${r.leftOut}`);
        continue;
      }
      parts.push(r.xml);
      if (notes.length < 1000) notes.push(...r.notes.map((n) => `${name}: ${n}`));
    }
    if (parts.length > 0) yield parts.join('');
  }
  yield closingNotes(leftOut, notes.slice(0, 1000), leftCount);
  yield '</iati-activities>\n';
}

/** The member organizations that have an IATI identifier, as an IATI organisation file (each its own reporter). */
export async function* iatiOrganisationChunks(ctx: DomainContext): AsyncGenerator<string> {
  yield fileHead('iati-organisations');
  const leftOut: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await listOrganizations(ctx, { kind: 'member', limit: 200, cursor });
    cursor = page.nextCursor ?? undefined;
    const parts: string[] = [];
    for (const o of page.items) {
      if (!o.iatiRef) {
        leftOut.push(`${o.acronym}: lacks an IATI organisation identifier`);
        continue;
      }
      const type = IATI_ORGANISATION_TYPES[o.orgType] ?? '90';
      const name = narratives(o.name as Narrative);
      parts.push(
        ` <iati-organisation${attrs({ 'xml:lang': 'en', 'last-updated-datetime': o.updatedAt })}>\n` +
          `  ${el('organisation-identifier', {}, escText(o.iatiRef))}\n` +
          `  ${el('name', {}, name)}\n` +
          `  ${el('reporting-org', { ref: o.iatiRef, type }, name)}\n` +
          ' </iati-organisation>\n',
      );
    }
    if (parts.length > 0) yield parts.join('');
  } while (cursor);
  yield closingNotes(leftOut, [], leftOut.length);
  yield '</iati-organisations>\n';
}
