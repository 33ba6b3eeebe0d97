import type { PublicationRows } from '../../db/queries/publications.ts';
import type { Language } from '../languages.ts';
import type { Publication, PublicationData, PublicationFile, PublicationKind } from './publication-schemas.ts';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

/** Where a publication's file is downloaded (the page route checks who may). */
export const fileUrl = (fileId: string, fileName: string) => `/library/files/${fileId}/${encodeURIComponent(fileName)}`;

export function fileOf(f: PublicationRows['files'][number]): PublicationFile {
  return {
    id: f.id,
    lang: f.lang as Language,
    fileName: f.file_name,
    contentType: f.content_type,
    size: Number(f.size),
    sha256: f.sha256,
    pageCount: f.page_count,
    textStatus: f.text_status,
    textMessage: f.text_message,
    uploadedAt: iso(f.uploaded_at) ?? '',
    url: fileUrl(f.id, f.file_name),
  };
}

/** The stored rows as the API's Publication. */
export function rowsToPublication(r: PublicationRows): Publication {
  const m = r.main;
  return {
    id: m.id,
    ownerOrganizationId: m.owner_organization_id,
    kind: m.kind as PublicationKind,
    number: m.number,
    published: m.published,
    organizationIds: m.organization_ids,
    authors: m.authors,
    themes: m.themes,
    countries: m.countries,
    regions: m.regions,
    visibility: m.visibility,
    sharedWith: m.shared_with,
    status: m.status,
    defaultLanguage: m.default_language as Language,
    languages: r.languages.map((l) => ({ lang: l.lang as Language, title: l.title, summary: l.summary, keyQuestions: l.key_questions, body: l.body })),
    related: r.related,
    files: r.files.map(fileOf),
    version: m.version,
    createdAt: iso(m.created_at) ?? '',
    updatedAt: iso(m.updated_at) ?? '',
    deletedAt: iso(m.deleted_at),
  };
}

/** The editable part of a stored publication, as input for a save. */
export function publicationDataOf(p: Publication): PublicationData {
  return {
    kind: p.kind,
    number: p.number,
    published: p.published,
    organizationIds: p.organizationIds,
    authors: p.authors,
    themes: p.themes,
    countries: p.countries,
    regions: p.regions,
    visibility: p.visibility,
    sharedWith: p.sharedWith,
    status: p.status,
    defaultLanguage: p.defaultLanguage,
    languages: p.languages,
    related: p.related,
  };
}

/** The language version to show: the wanted language, else the publication's default, else the first. */
export function pickLanguage<T extends { lang: string }>(languages: readonly T[], lang: string, defaultLanguage: string): T | undefined {
  return languages.find((l) => l.lang === lang) ?? languages.find((l) => l.lang === defaultLanguage) ?? languages[0];
}
