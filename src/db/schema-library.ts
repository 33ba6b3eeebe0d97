import type { ColumnType, Generated } from 'kysely';

/** Column types of the knowledge library (migration 0006). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string | undefined, string>;
type TextArray = ColumnType<string[], string[] | undefined, string[]>;

export type PublicationsTable = {
  id: string;
  owner_organization_id: string;
  kind: string;
  number: string | null;
  published: string | null;
  organization_ids: TextArray;
  authors: TextArray;
  themes: TextArray;
  countries: TextArray;
  regions: TextArray;
  visibility: 'public' | 'members' | 'restricted';
  shared_with: TextArray;
  status: 'draft' | 'published';
  default_language: string;
  version: Generated<number>;
  created_by: string | null;
  updated_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Date | null;
  /** Set by a trigger when the status first becomes published (migration 0010). */
  first_published_at: Generated<Date | null>;
};
export type PublicationLanguagesTable = {
  publication_id: string;
  lang: string;
  title: string;
  summary: string;
  key_questions: Json<string[]>;
  body: string;
};
export type PublicationFilesTable = {
  id: string;
  publication_id: string;
  lang: string;
  file_name: string;
  storage_key: string;
  content_type: string;
  size: number;
  sha256: string;
  page_count: number | null;
  text_status: 'extracted' | 'no_text' | 'encrypted' | 'unreadable';
  text_message: string | null;
  uploaded_by: string | null;
  uploaded_at: Timestamp;
};
export type PublicationFilePagesTable = { file_id: string; page: number; text: string };
export type PublicationRelatedTable = { publication_id: string; related_id: string };
export type PublicationVersionsTable = {
  publication_id: string;
  version: number;
  snapshot: Json<unknown>;
  action: string;
  actor_label: string;
  actor_user_id: string | null;
  at: Timestamp;
};
/** Search documents of publications, written by the domain at every change; read only by the search service. */
export type PublicationSearchTable = {
  publication_id: string;
  lang: string;
  cfg: string;
  title: string;
  owner_organization_id: string;
  visibility: string;
  shared_with: TextArray;
  kind: string;
  published: string | null;
  year: number | null;
  themes: TextArray;
  countries: TextArray;
  regions: TextArray;
  organization_ids: TextArray;
  tsv: ColumnType<string, never, never>;
};

export type LibraryTables = {
  publications: PublicationsTable;
  publication_languages: PublicationLanguagesTable;
  publication_files: PublicationFilesTable;
  publication_file_pages: PublicationFilePagesTable;
  publication_related: PublicationRelatedTable;
  publication_versions: PublicationVersionsTable;
  publication_search: PublicationSearchTable;
  document_removals: DocumentRemovalsTable;
  search_frequent_words: SearchFrequentWordsTable;
  search_word_top: SearchWordTopTable;
};

/** A frequent word of the library (0018_search_frequent_words.sql). */
export type SearchFrequentWordsTable = {
  lexeme: string;
  documents: number;
  floor_score: Generated<number>;
  filled_at: Generated<Timestamp>;
};

/** One of the documents that score best for a frequent word. */
export type SearchWordTopTable = {
  lexeme: string;
  publication_id: string;
  lang: string;
  score: number;
};

/** A stored document whose removal is owed (0012_document_removals.sql). */
export type DocumentRemovalsTable = {
  storage_key: string;
  requested_at: Timestamp;
  attempts: Generated<number>;
  last_error: string | null;
};
