import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { pickText, type Language } from '../languages.ts';
import { organizationSummaries } from '../../db/queries/activities.ts';
import { getVisiblePublications } from './get-publication.ts';
import { pickLanguage } from './publication-mapping.ts';
import type { Publication, PublicationKind } from './publication-schemas.ts';

/**
 * Citations of publications in the three formats reference managers read: RIS, BibTeX and
 * CSL-JSON. Only publications the actor may see are cited; unknown parts (a number, a date)
 * are left out rather than guessed.
 */
export const CITATION_FORMATS = ['ris', 'bibtex', 'csl-json'] as const;
export type CitationFormat = (typeof CITATION_FORMATS)[number];

const KIND_LABEL: Record<PublicationKind, string> = {
  issue_brief: 'Issue Brief',
  submission: 'Submission',
  toolkit: 'Toolkit',
  call_to_action: 'Call to Action',
  annual_report: 'Annual Report',
  factsheet: 'Factsheet',
  paper: 'Paper',
  evaluation_report: 'Evaluation Report',
};
const RIS_TYPE: Record<PublicationKind, string> = {
  issue_brief: 'RPRT',
  submission: 'GOVDOC',
  toolkit: 'BOOK',
  call_to_action: 'GEN',
  annual_report: 'RPRT',
  factsheet: 'PAMP',
  paper: 'RPRT',
  evaluation_report: 'RPRT',
};
const CSL_TYPE: Record<PublicationKind, string> = {
  issue_brief: 'report',
  submission: 'report',
  toolkit: 'book',
  call_to_action: 'document',
  annual_report: 'report',
  factsheet: 'pamphlet',
  paper: 'report',
  evaluation_report: 'report',
};
const LANGUAGE_NAMES: Record<string, string> = { en: 'english', fr: 'french', es: 'spanish', ar: 'arabic', zh: 'chinese', ru: 'russian' };

export type CitationItem = {
  id: string;
  kind: PublicationKind;
  title: string;
  lang: string;
  authors: string[];
  publisher: string;
  number: string | null;
  dateParts: number[] | null;
  abstract: string;
  url: string;
};

function itemOf(p: Publication, lang: Language, baseUrl: string, orgNames: Map<string, string>): CitationItem {
  const l = pickLanguage(p.languages, lang, p.defaultLanguage);
  const publisher = orgNames.get(p.ownerOrganizationId) ?? '';
  return {
    id: p.id,
    kind: p.kind,
    title: l?.title ?? p.id,
    lang: l?.lang ?? p.defaultLanguage,
    authors: p.authors.length > 0 ? p.authors : publisher ? [publisher] : [],
    publisher,
    number: p.number,
    dateParts: p.published ? p.published.split('-').map(Number) : null,
    abstract: l?.summary ?? '',
    url: `${baseUrl.replace(/\/$/, '')}/library/${p.id}`,
  };
}

/** One line of RIS: a tag, two spaces, a hyphen, a space and a value on one line. */
const risLine = (tag: string, value: string) => `${tag}  - ${value.replace(/\s+/g, ' ').trim()}`;

export function toRis(items: CitationItem[]): string {
  const lines: string[] = [];
  for (const c of items) {
    lines.push(risLine('TY', RIS_TYPE[c.kind]));
    lines.push(risLine('TI', c.title));
    for (const a of c.authors) lines.push(risLine('AU', a));
    if (c.dateParts) {
      lines.push(risLine('PY', String(c.dateParts[0])));
      lines.push(risLine('DA', `${c.dateParts[0]}/${c.dateParts[1] ? String(c.dateParts[1]).padStart(2, '0') : ''}/${c.dateParts[2] ? String(c.dateParts[2]).padStart(2, '0') : ''}/`));
    }
    if (c.publisher) lines.push(risLine('PB', c.publisher));
    lines.push(risLine('T3', KIND_LABEL[c.kind]));
    if (c.number) lines.push(risLine('IS', c.number));
    if (c.abstract) lines.push(risLine('AB', c.abstract));
    lines.push(risLine('LA', LANGUAGE_NAMES[c.lang] ?? c.lang));
    lines.push(risLine('UR', c.url));
    lines.push(risLine('ID', c.id));
    lines.push('ER  - ');
  }
  return lines.join('\r\n') + '\r\n';
}

const BIB_ESCAPES: Record<string, string> = {
  '\\': '\\textbackslash{}',
  '{': '\\{',
  '}': '\\}',
  '&': '\\&',
  '%': '\\%',
  '$': '\\$',
  '#': '\\#',
  '_': '\\_',
  '~': '\\textasciitilde{}',
  '^': '\\textasciicircum{}',
};
/** A BibTeX value for braces: the special characters escaped in one pass, so any title is safe. */
const bibValue = (s: string) =>
  s
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[\\{}&%$#_~^]/g, (c) => BIB_ESCAPES[c] ?? c);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function toBibtex(items: CitationItem[]): string {
  return items
    .map((c) => {
      const entry = c.kind === 'toolkit' ? 'book' : c.kind === 'call_to_action' ? 'misc' : 'techreport';
      const fields: [string, string][] = [['title', `{${bibValue(c.title)}}`]];
      // Organizations as authors go in double braces so BibTeX does not split them into names.
      if (c.authors.length > 0) fields.push(['author', `{${c.authors.map((a) => `{${bibValue(a)}}`).join(' and ')}}`]);
      if (entry === 'techreport' && c.publisher) fields.push(['institution', `{${bibValue(c.publisher)}}`]);
      if (entry !== 'techreport' && c.publisher) fields.push(['publisher', `{${bibValue(c.publisher)}}`]);
      if (entry === 'techreport') fields.push(['type', `{${bibValue(KIND_LABEL[c.kind])}}`]);
      if (c.number && entry === 'techreport') fields.push(['number', `{${bibValue(c.number)}}`]);
      if (c.dateParts) {
        fields.push(['year', `{${c.dateParts[0]}}`]);
        const month = c.dateParts[1];
        if (month) fields.push(['month', MONTHS[month - 1]!]);
      }
      fields.push(['language', `{${LANGUAGE_NAMES[c.lang] ?? c.lang}}`]);
      fields.push(['url', `{${bibValue(c.url)}}`]);
      return `@${entry}{${c.id},\n${fields.map(([k, v]) => `  ${k} = ${v}`).join(',\n')}\n}\n`;
    })
    .join('\n');
}

export function toCslJson(items: CitationItem[]): unknown[] {
  return items.map((c) => ({
    id: c.id,
    type: CSL_TYPE[c.kind],
    title: c.title,
    author: c.authors.map((a) => ({ literal: a })),
    ...(c.publisher ? { publisher: c.publisher } : {}),
    ...(c.dateParts ? { issued: { 'date-parts': [c.dateParts] } } : {}),
    ...(c.number ? { number: c.number } : {}),
    genre: KIND_LABEL[c.kind],
    ...(c.abstract ? { abstract: c.abstract } : {}),
    language: c.lang,
    URL: c.url,
  }));
}

export type Citation = { format: CitationFormat; contentType: string; fileName: string; body: string; count: number };

/**
 * Cites one publication or a selection, in the reader's language where a version exists.
 * Publications the actor may not see are left out; NOT_FOUND when none is left.
 */
export async function citePublications(ctx: DomainContext, ids: readonly string[], format: CitationFormat, lang: Language): Promise<Citation> {
  const pubs = await getVisiblePublications(ctx, ids.slice(0, 500));
  if (pubs.length === 0) throw notFound(ids.length === 1 ? 'The publication' : 'None of these publications');
  const orgs = await organizationSummaries(ctx.db.kysely, pubs.map((p) => p.ownerOrganizationId));
  const names = new Map(orgs.map((o) => [o.id, pickText(o.name as Record<string, string>, lang) || o.acronym]));
  const items = pubs.map((p) => itemOf(p, lang, ctx.config.baseUrl, names));
  const stem = pubs.length === 1 ? pubs[0]!.id : 'icat-publications';
  if (format === 'ris') return { format, contentType: 'application/x-research-info-systems; charset=utf-8', fileName: `${stem}.ris`, body: toRis(items), count: items.length };
  if (format === 'bibtex') return { format, contentType: 'application/x-bibtex; charset=utf-8', fileName: `${stem}.bib`, body: toBibtex(items), count: items.length };
  return { format, contentType: 'application/vnd.citationstyles.csl+json; charset=utf-8', fileName: `${stem}.json`, body: JSON.stringify(toCslJson(items), null, 2), count: items.length };
}
