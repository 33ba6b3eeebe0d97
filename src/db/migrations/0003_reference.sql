-- Reference data: countries and M49 regions (filled at start from npm packages made for
-- them), the platform's own taxonomies (pillars, forms of exploitation, …) and the IATI
-- codelists (a built-in minimal set until `icat reference load-iati` loads the official files).

create table reference_regions (
  m49        text primary key check (m49 ~ '^[0-9]{3}$'),
  level      text not null check (level in ('world', 'region', 'subregion', 'intermediate')),
  parent_m49 text references reference_regions (m49),
  names      jsonb not null check (names ? 'en'),
  sort       integer not null default 0
);

create table reference_countries (
  code             text primary key check (code ~ '^[A-Z]{2}$'),
  alpha3           text check (alpha3 ~ '^[A-Z]{3}$'),
  m49              text check (m49 ~ '^[0-9]{3}$'),
  region_m49       text references reference_regions (m49),
  subregion_m49    text references reference_regions (m49),
  intermediate_m49 text references reference_regions (m49),
  names            jsonb not null check (names ? 'en'),
  -- true for codes valid in IATI but not in ISO 3166-1 / M49 (Kosovo, XK)
  iati_only        boolean not null default false
);
create index reference_countries_region_idx on reference_countries (region_m49, subregion_m49);

-- One row per term of a platform taxonomy. Labels and descriptions per language; terms are
-- withdrawn, never deleted, so old records keep their meaning.
create table taxonomy_terms (
  taxonomy     text not null check (taxonomy ~ '^[a-z][a-z0-9-]{1,40}$'),
  code         text not null check (code ~ '^[a-z0-9][a-z0-9._-]{0,60}$'),
  labels       jsonb not null check (labels ? 'en'),
  descriptions jsonb not null default '{}'::jsonb,
  parent_code  text,
  sort         integer not null default 0,
  source       text not null default 'platform',
  withdrawn_at timestamptz,
  primary key (taxonomy, code)
);

create table codelists (
  name       text primary key check (name ~ '^[A-Za-z][A-Za-z0-9-]{1,80}$'),
  version    text,
  origin     text not null check (origin in ('builtin', 'official')),
  complete   boolean not null default false,
  loaded_at  timestamptz not null default now(),
  source     text
);

create table codelist_items (
  codelist     text not null references codelists (name) on delete cascade,
  code         text not null check (length(code) between 1 and 100),
  names        jsonb not null default '{}'::jsonb,
  descriptions jsonb not null default '{}'::jsonb,
  category     text,
  withdrawn    boolean not null default false,
  primary key (codelist, code)
);
