-- The knowledge library: ICAT's publications (issue briefs, submissions, toolkits, …), each with
-- language versions, PDF files whose text is extracted per page, related publications and a
-- version history; and the search documents that the one search service reads beside the
-- activities' own search column.

-- Text search configurations per language that fold accents before stemming, so "ecole" finds
-- "école" and headlines still show the original text. Chinese is segmented into words by the
-- application and indexed with icat_simple.
create text search configuration icat_english (copy = english);
alter text search configuration icat_english alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part with unaccent, english_stem;
create text search configuration icat_french (copy = french);
alter text search configuration icat_french alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part with unaccent, french_stem;
create text search configuration icat_spanish (copy = spanish);
alter text search configuration icat_spanish alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part with unaccent, spanish_stem;
create text search configuration icat_russian (copy = russian);
alter text search configuration icat_russian alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part with unaccent, russian_stem;
create text search configuration icat_arabic (copy = arabic);
alter text search configuration icat_arabic alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part with unaccent, arabic_stem;
create text search configuration icat_simple (copy = simple);
alter text search configuration icat_simple alter mapping for asciiword, asciihword, hword_asciipart, word, hword, hword_part with unaccent, simple;

create table publications (
  id                    text primary key,
  owner_organization_id text not null references organizations (id),
  kind                  text not null check (kind in ('issue_brief', 'submission', 'toolkit', 'call_to_action', 'annual_report', 'factsheet', 'paper', 'evaluation_report')),
  number                text check (number is null or length(number) between 1 and 40),
  -- A year, a month or a day (ISO 8601): unknown parts stay unknown.
  published             text check (published is null or published ~ '^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$'),
  organization_ids      text[] not null default '{}',
  authors               text[] not null default '{}',
  -- taxonomy:code of taxonomy_terms, the same taxonomies as activities
  themes                text[] not null default '{}',
  countries             text[] not null default '{}',
  regions               text[] not null default '{}',
  visibility            text not null default 'public' check (visibility in ('public', 'members', 'restricted')),
  shared_with           text[] not null default '{}',
  status                text not null default 'draft' check (status in ('draft', 'published')),
  default_language      text not null default 'en',
  version               integer not null default 1,
  created_by            text,
  updated_by            text,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  deleted_at            timestamptz
);
create index publications_owner_idx on publications (owner_organization_id) where deleted_at is null;
create index publications_published_idx on publications (published desc, id) where deleted_at is null;

create table publication_languages (
  publication_id text not null references publications (id) on delete cascade,
  lang           text not null check (lang in ('en', 'fr', 'es', 'ar', 'zh', 'ru')),
  title          text not null check (length(title) between 1 and 500),
  summary        text not null default '',
  key_questions  jsonb not null default '[]'::jsonb check (jsonb_typeof(key_questions) = 'array'),
  body           text not null default '',
  primary key (publication_id, lang)
);

create table publication_files (
  id             text primary key,
  publication_id text not null references publications (id) on delete cascade,
  lang           text not null check (lang in ('en', 'fr', 'es', 'ar', 'zh', 'ru')),
  file_name      text not null,
  storage_key    text not null,
  content_type   text not null,
  size           bigint not null,
  sha256         text not null,
  page_count     integer,
  -- extracted: text read per page; no_text: a PDF without text (scanned); encrypted or unreadable: kept without text
  text_status    text not null check (text_status in ('extracted', 'no_text', 'encrypted', 'unreadable')),
  text_message   text,
  uploaded_by    text,
  uploaded_at    timestamptz not null default now()
);
create index publication_files_publication_idx on publication_files (publication_id, lang);

create table publication_file_pages (
  file_id text not null references publication_files (id) on delete cascade,
  page    integer not null,
  text    text not null,
  primary key (file_id, page)
);

create table publication_related (
  publication_id text not null references publications (id) on delete cascade,
  related_id     text not null references publications (id) on delete cascade,
  primary key (publication_id, related_id),
  check (publication_id <> related_id)
);
create index publication_related_related_idx on publication_related (related_id);

create table publication_versions (
  publication_id text not null references publications (id) on delete cascade,
  version        integer not null,
  snapshot       jsonb not null,
  action         text not null,
  actor_label    text not null,
  actor_user_id  text,
  at             timestamptz not null default now(),
  primary key (publication_id, version)
);

-- One search document per language version of a live publication, written by the domain at
-- every change: who may see it (a draft reads as visibility 'draft'), the facets, and the text
-- weighted A title, B key questions and summary, C body, D text of the files, stemmed with the
-- language's configuration (cfg).
create table publication_search (
  publication_id        text not null references publications (id) on delete cascade,
  lang                  text not null,
  cfg                   regconfig not null,
  title                 text not null,
  owner_organization_id text not null,
  visibility            text not null,
  shared_with           text[] not null default '{}',
  kind                  text not null,
  published             text,
  year                  integer,
  themes                text[] not null default '{}',
  countries             text[] not null default '{}',
  regions               text[] not null default '{}',
  organization_ids      text[] not null default '{}',
  tsv                   tsvector not null,
  primary key (publication_id, lang)
);
create index publication_search_tsv_idx on publication_search using gin (tsv);
create index publication_search_title_trgm_idx on publication_search using gin (lower(title) gin_trgm_ops);
create index publication_search_published_idx on publication_search (published desc nulls last, publication_id);

-- Typo tolerance on activity titles (the full text of activities stays in activities.search).
create index activities_title_trgm_idx on activities using gin (lower(title::text) gin_trgm_ops);
