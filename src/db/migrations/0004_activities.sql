-- The activity registry: who does what, where, for whom. Shaped like an IATI activity so that
-- import and export lose nothing, plus the domain classification IATI lacks.

create table activities (
  id                    text primary key,
  iati_identifier       text unique check (iati_identifier is null or length(iati_identifier) between 3 and 250),
  owner_organization_id text not null references organizations (id),
  visibility            text not null default 'draft' check (visibility in ('public', 'members', 'restricted', 'draft')),
  shared_with           text[] not null default '{}',
  default_language      text not null default 'en',
  reporting_org         jsonb not null default '{}'::jsonb,
  title                 jsonb not null check (jsonb_typeof(title) = 'object'),
  description           jsonb not null default '{}'::jsonb,
  objectives            jsonb not null default '{}'::jsonb,
  target_groups_text    jsonb not null default '{}'::jsonb,
  status                text,
  planned_start         date,
  planned_end           date,
  actual_start          date,
  actual_end            date,
  default_currency      text,
  activity_scope        text,
  -- domain classification: codes of taxonomy_terms
  pillars               text[] not null default '{}',
  exploitation_forms    text[] not null default '{}',
  target_groups         text[] not null default '{}',
  contexts              text[] not null default '{}',
  sdg_targets           text[] not null default '{}',
  instruments           text[] not null default '{}',
  mechanisms            text[] not null default '{}',
  -- classifications guessed by an importer, awaiting confirmation: {"pillars": [...], ...}
  suggestions           jsonb not null default '{}'::jsonb,
  transactions_summary  jsonb not null default '[]'::jsonb,
  results               jsonb not null default '[]'::jsonb,
  contacts              jsonb not null default '[]'::jsonb,
  provenance            jsonb not null default '{}'::jsonb,
  iati_last_updated     timestamptz,
  search                tsvector,
  version               integer not null default 1,
  created_by            text,
  updated_by            text,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  deleted_at            timestamptz
);
create index activities_owner_idx on activities (owner_organization_id) where deleted_at is null;
create index activities_updated_idx on activities (updated_at desc, id desc) where deleted_at is null;
create index activities_status_idx on activities (status) where deleted_at is null;
create index activities_pillars_idx on activities using gin (pillars);
create index activities_forms_idx on activities using gin (exploitation_forms);
create index activities_groups_idx on activities using gin (target_groups);
create index activities_contexts_idx on activities using gin (contexts);
create index activities_sdg_idx on activities using gin (sdg_targets);
create index activities_search_idx on activities using gin (search);

-- Participating organizations in IATI order, registered on the platform or named only.
create table activity_participants (
  activity_id      text not null references activities (id) on delete cascade,
  position         integer not null,
  role             text not null,
  organization_id  text references organizations (id),
  ref              text,
  name             jsonb not null default '{}'::jsonb,
  org_type         text,
  activity_ref     text,
  primary key (activity_id, position)
);
create index activity_participants_org_idx on activity_participants (organization_id, role);
create index activity_participants_ref_idx on activity_participants (ref);

create table activity_countries (
  activity_id  text not null references activities (id) on delete cascade,
  country_code text not null,
  percentage   numeric(6, 3),
  narrative    jsonb not null default '{}'::jsonb,
  primary key (activity_id, country_code)
);
create index activity_countries_code_idx on activity_countries (country_code);

create table activity_regions (
  activity_id  text not null references activities (id) on delete cascade,
  vocabulary   text not null,
  code         text not null,
  percentage   numeric(6, 3),
  narrative    jsonb not null default '{}'::jsonb,
  primary key (activity_id, vocabulary, code)
);
create index activity_regions_code_idx on activity_regions (vocabulary, code);

create table activity_locations (
  activity_id      text not null references activities (id) on delete cascade,
  position         integer not null,
  ref              text,
  name             jsonb not null default '{}'::jsonb,
  description      jsonb not null default '{}'::jsonb,
  country_code     text,
  admin_vocabulary text,
  admin_level      integer,
  admin_code       text,
  latitude         double precision check (latitude between -90 and 90),
  longitude        double precision check (longitude between -180 and 180),
  exactness        text,
  location_class   text,
  feature_designation text,
  primary key (activity_id, position)
);

create table activity_sectors (
  activity_id  text not null references activities (id) on delete cascade,
  vocabulary   text not null,
  code         text not null,
  percentage   numeric(6, 3),
  narrative    jsonb not null default '{}'::jsonb,
  primary key (activity_id, vocabulary, code)
);
create index activity_sectors_code_idx on activity_sectors (vocabulary, code);

create table activity_budgets (
  activity_id  text not null references activities (id) on delete cascade,
  position     integer not null,
  type         text not null default '1',
  status       text not null default '1',
  period_start date not null,
  period_end   date not null,
  value        numeric(20, 2) not null,
  currency     text,
  value_date   date,
  primary key (activity_id, position)
);

create table activity_related (
  activity_id  text not null references activities (id) on delete cascade,
  type         text not null,
  ref          text not null,
  primary key (activity_id, type, ref)
);
create index activity_related_ref_idx on activity_related (ref);

-- Every saved state of an activity, for history and readable diffs.
create table activity_versions (
  activity_id   text not null references activities (id) on delete cascade,
  version       integer not null,
  snapshot      jsonb not null,
  action        text not null,
  actor_label   text not null,
  actor_user_id text,
  at            timestamptz not null default now(),
  primary key (activity_id, version)
);
