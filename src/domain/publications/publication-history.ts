import { organizationSummaries } from '../../db/queries/activities.ts';
import type { DomainContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { LANGUAGES, type Language } from '../languages.ts';
import { getReferenceData } from '../reference/reference-data.ts';
import { getVisiblePublications, listPublicationVersions, type PublicationVersion } from './get-publication.ts';
import type { Publication } from './publication-schemas.ts';

/**
 * The version history of a publication as people read it: what each version changed (fields
 * per language version, files added and removed) and, for one version, a field-by-field
 * comparison with the version before. Built from the snapshots kept at each change; who may
 * read it is the `publication.history` policy (listPublicationVersions).
 */

/** Fields of the publication as a whole, in the order a comparison shows them. */
export const PUBLICATION_FIELDS = ['kind', 'number', 'published', 'status', 'visibility', 'sharedWith', 'organizationIds', 'authors', 'themes', 'countries', 'regions', 'defaultLanguage', 'related'] as const;
/** Fields of one language version. */
export const LANGUAGE_FIELDS = ['title', 'summary', 'keyQuestions', 'body'] as const;
export type PublicationField = (typeof PUBLICATION_FIELDS)[number];
export type LanguageField = (typeof LANGUAGE_FIELDS)[number];

type Snapshot = Publication;
type FileRef = { id: string; lang: Language; fileName: string };

/** What one version changed from the one before (everything is new in the first). */
export type VersionChanges = {
  fields: PublicationField[];
  /** Per language version: added, removed, or the fields that changed. */
  languages: { lang: Language; change: 'added' | 'removed' | 'changed'; fields: LanguageField[] }[];
  filesAdded: FileRef[];
  filesRemoved: FileRef[];
};

export type HistoryEntry = Omit<PublicationVersion, 'snapshot'> & { changes: VersionChanges };

/** A piece of a compared value: kept, removed (del) or added (ins). */
export type Segment = { op: 'same' | 'del' | 'ins'; text: string };
/** One compared field: a text (word by word) or a list (item by item). */
export type FieldDiff = { field: PublicationField | LanguageField; lang: Language | null; shape: 'text' | 'list'; segments: Segment[] };

export type VersionDiff = {
  publication: Publication;
  title: string;
  entry: HistoryEntry;
  previous: number | null;
  newer: number | null;
  fields: FieldDiff[];
};

const listOf = (p: Snapshot, f: PublicationField): string[] => {
  const v = p[f];
  return Array.isArray(v) ? v : v === null ? [] : [String(v)];
};
const langValue = (l: Snapshot['languages'][number] | undefined, f: LanguageField): string[] | string => (l ? l[f] : f === 'keyQuestions' ? [] : '');
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const fileRefs = (p: Snapshot | undefined): FileRef[] => (p?.files ?? []).map((f) => ({ id: f.id, lang: f.lang, fileName: f.fileName }));

function changesBetween(before: Snapshot | undefined, after: Snapshot): VersionChanges {
  const fields = PUBLICATION_FIELDS.filter((f) => (before ? !same(before[f], after[f]) : listOf(after, f).length > 0));
  const languages: VersionChanges['languages'] = [];
  for (const lang of LANGUAGES) {
    const a = before?.languages.find((l) => l.lang === lang);
    const b = after.languages.find((l) => l.lang === lang);
    if (!a && b) languages.push({ lang, change: 'added', fields: LANGUAGE_FIELDS.filter((f) => langValue(b, f).length > 0) });
    else if (a && !b) languages.push({ lang, change: 'removed', fields: [] });
    else if (a && b) {
      const changed = LANGUAGE_FIELDS.filter((f) => !same(a[f], b[f]));
      if (changed.length > 0) languages.push({ lang, change: 'changed', fields: changed });
    }
  }
  const beforeIds = new Set(fileRefs(before).map((f) => f.id));
  const afterIds = new Set(fileRefs(after).map((f) => f.id));
  return {
    fields,
    languages,
    filesAdded: fileRefs(after).filter((f) => !beforeIds.has(f.id)),
    filesRemoved: fileRefs(before).filter((f) => !afterIds.has(f.id)),
  };
}

/** Versions oldest first, each with the changes from the one before. */
function withChanges(versions: PublicationVersion[]): (HistoryEntry & { snapshot: Snapshot })[] {
  const ordered = [...versions].sort((a, b) => a.version - b.version);
  return ordered.map((v, i) => ({ ...v, changes: changesBetween(ordered[i - 1]?.snapshot, v.snapshot) }));
}

const strip = ({ snapshot: _s, ...rest }: HistoryEntry & { snapshot: Snapshot }): HistoryEntry => rest;

/** The history of a publication, newest first, with a summary of each change. */
export async function publicationHistory(ctx: DomainContext, id: string): Promise<{ entries: HistoryEntry[]; latest: Snapshot | undefined }> {
  const versions = withChanges(await listPublicationVersions(ctx, id));
  return { entries: versions.map(strip).reverse(), latest: versions.at(-1)?.snapshot };
}

/**
 * One version compared with the one before it, field by field (NOT_FOUND for a version that
 * does not exist). Codes are shown by their names in `lang`: organizations by acronym, themes,
 * countries and regions by label, related publications by title when the actor may see them.
 */
export async function publicationVersionDiff(ctx: DomainContext, id: string, version: number, lang: Language): Promise<VersionDiff> {
  const versions = withChanges(await listPublicationVersions(ctx, id));
  const i = versions.findIndex((v) => v.version === version);
  const current = versions[i];
  if (!current) throw notFound('The version');
  const before = versions[i - 1]?.snapshot;
  const after = current.snapshot;
  const orgs = await organizationSummaries(ctx.db.kysely, [...new Set([...(before?.organizationIds ?? []), ...(before?.sharedWith ?? []), ...after.organizationIds, ...after.sharedWith])]);
  const acronym = new Map(orgs.map((o) => [o.id, o.acronym]));
  const ref = await getReferenceData(ctx);
  const relatedIds = [...new Set([...(before?.related ?? []), ...after.related])];
  const titles = new Map((await getVisiblePublications(ctx, relatedIds)).map((p) => [p.id, p.languages.find((l) => l.lang === lang)?.title ?? p.languages[0]?.title ?? p.id]));
  const shown = (f: PublicationField, values: string[]): string[] => {
    if (f === 'organizationIds' || f === 'sharedWith') return values.map((v) => acronym.get(v) ?? v);
    if (f === 'themes') return values.map((v) => ref.label(v.split(':')[0] ?? '', v.split(':')[1] ?? '', lang));
    if (f === 'countries') return values.map((v) => ref.label('country', v, lang));
    if (f === 'regions') return values.map((v) => ref.label('m49', v, lang));
    if (f === 'related') return values.map((v) => titles.get(v) ?? v);
    return values;
  };

  const fields: FieldDiff[] = [];
  for (const f of current.changes.fields) {
    fields.push({ field: f, lang: null, shape: 'list', segments: listDiff(shown(f, before ? listOf(before, f) : []), shown(f, listOf(after, f))) });
  }
  for (const l of current.changes.languages) {
    const a = before?.languages.find((x) => x.lang === l.lang);
    const b = after.languages.find((x) => x.lang === l.lang);
    const changed = l.change === 'removed' ? LANGUAGE_FIELDS.filter((f) => langValue(a, f).length > 0) : l.fields;
    for (const f of changed) {
      const va = langValue(a, f);
      const vb = langValue(b, f);
      fields.push(
        Array.isArray(va) || Array.isArray(vb)
          ? { field: f, lang: l.lang, shape: 'list', segments: listDiff(va as string[], vb as string[]) }
          : { field: f, lang: l.lang, shape: 'text', segments: textDiff(va, vb) },
      );
    }
  }
  const title = after.languages.find((l) => l.lang === after.defaultLanguage)?.title ?? after.languages[0]?.title ?? id;
  return { publication: after, title, entry: strip(current), previous: versions[i - 1]?.version ?? null, newer: versions[i + 1]?.version ?? null, fields };
}

/** Items kept, removed and added, in the order of the newer list with removed ones where they were. */
export function listDiff(before: readonly string[], after: readonly string[]): Segment[] {
  return lcs(before, after).map(([op, text]) => ({ op, text }));
}

/** Above this many cells (changed words before × after), the changed middle is shown as replaced whole. */
const MAX_CELLS = 1_000_000;

/** A text compared word by word (spaces and line breaks kept), neighbouring pieces of one kind joined. */
export function textDiff(before: string, after: string): Segment[] {
  const split = (s: string) => s.match(/\s+|[^\s]+/g) ?? [];
  const a = split(before);
  const b = split(after);
  const out: Segment[] = [];
  for (const [op, text] of lcs(a, b)) {
    const last = out.at(-1);
    if (last && last.op === op) last.text += text;
    else out.push({ op, text });
  }
  return out.filter((s) => s.text !== '');
}

/** Longest common subsequence of two token lists, as kept/removed/added tokens. */
function lcs(a: readonly string[], b: readonly string[]): [Segment['op'], string][] {
  // Common head and tail first: most edits touch a small part of a long text.
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let end = 0;
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++;
  const ma = a.slice(start, a.length - end);
  const mb = b.slice(start, b.length - end);
  const n = ma.length;
  const m = mb.length;
  const head = a.slice(0, start).map((t): [Segment['op'], string] => ['same', t]);
  const tail = b.slice(b.length - end).map((t): [Segment['op'], string] => ['same', t]);
  if (n * m > MAX_CELLS) return [...head, ...ma.map((t): [Segment['op'], string] => ['del', t]), ...mb.map((t): [Segment['op'], string] => ['ins', t]), ...tail];
  const table = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) table[i]![j] = ma[i] === mb[j] ? table[i + 1]![j + 1]! + 1 : Math.max(table[i + 1]![j]!, table[i]![j + 1]!);
  }
  const middle: [Segment['op'], string][] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (ma[i] === mb[j]) {
      middle.push(['same', ma[i]!]);
      i++;
      j++;
    } else if (table[i + 1]![j]! >= table[i]![j + 1]!) middle.push(['del', ma[i++]!]);
    else middle.push(['ins', mb[j++]!]);
  }
  while (i < n) middle.push(['del', ma[i++]!]);
  while (j < m) middle.push(['ins', mb[j++]!]);
  return [...head, ...middle, ...tail];
}
