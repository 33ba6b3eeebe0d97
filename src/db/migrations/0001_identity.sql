-- Identity and access: organizations, users, memberships, sessions, tokens, audit.
-- Written for PostgreSQL 15 (the embedded database is newer; nothing here needs more than 15).

create extension if not exists pg_trgm;
create extension if not exists unaccent;

create table organizations (
  id            text primary key,
  slug          text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  kind          text not null check (kind in ('member', 'observer', 'partner')),
  acronym       text not null check (length(acronym) between 1 and 32),
  name          jsonb not null check (jsonb_typeof(name) = 'object' and name ? 'en'),
  description   jsonb not null default '{}'::jsonb check (jsonb_typeof(description) = 'object'),
  org_type      text not null,
  website       text,
  iati_ref      text,
  logo_file     text,
  joined_year   integer check (joined_year between 1900 and 2200),
  archived_at   timestamptz,
  version       integer not null default 1,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create index organizations_kind_idx on organizations (kind) where archived_at is null;

-- Years in which an organization chaired (or co-chaired) the group.
create table organization_chairs (
  organization_id text not null references organizations (id) on delete cascade,
  year            integer not null check (year between 2000 and 2200),
  primary key (organization_id, year)
);

create table users (
  id                 text primary key,
  email              text not null,
  name               text not null check (length(name) between 1 and 200),
  preferred_language text not null default 'en' check (preferred_language in ('en', 'fr', 'es', 'ar', 'zh', 'ru')),
  password_hash      text,
  platform_role      text check (platform_role in ('coordinator', 'administrator')),
  active             boolean not null default true,
  last_sign_in_at    timestamptz,
  version            integer not null default 1,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table memberships (
  user_id         text not null references users (id) on delete cascade,
  organization_id text not null references organizations (id) on delete cascade,
  role            text not null check (role in ('staff', 'focal_point')),
  created_at      timestamptz not null default now(),
  primary key (user_id, organization_id)
);
create index memberships_org_idx on memberships (organization_id);

create table sessions (
  id_hash      text primary key,
  user_id      text not null references users (id) on delete cascade,
  created_at   timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at   timestamptz not null,
  user_agent   text,
  ip           text
);
create index sessions_user_idx on sessions (user_id);

-- Failed sign-in counters per e-mail address and per client address.
create table sign_in_throttle (
  key          text primary key,
  failures     integer not null default 0,
  window_start timestamptz not null default now(),
  locked_until timestamptz
);

create table password_resets (
  token_hash text primary key,
  user_id    text not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at    timestamptz
);

create table invitations (
  id              text primary key,
  token_hash      text not null unique,
  email           text not null,
  name            text,
  organization_id text references organizations (id) on delete cascade,
  role            text check (role in ('staff', 'focal_point')),
  platform_role   text check (platform_role in ('coordinator', 'administrator')),
  invited_by      text references users (id) on delete set null,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  accepted_at     timestamptz,
  revoked_at      timestamptz,
  check (organization_id is not null or platform_role is not null)
);

create table api_tokens (
  id              text primary key,
  token_hash      text not null unique,
  prefix          text not null,
  name            text not null check (length(name) between 1 and 200),
  user_id         text not null references users (id) on delete cascade,
  organization_id text references organizations (id) on delete cascade,
  scopes          text[] not null check (cardinality(scopes) > 0),
  created_at      timestamptz not null default now(),
  expires_at      timestamptz,
  last_used_at    timestamptz,
  revoked_at      timestamptz
);
create index api_tokens_user_idx on api_tokens (user_id);

create table audit_log (
  id              bigint generated always as identity primary key,
  at              timestamptz not null default now(),
  actor_user_id   text,
  actor_token_id  text,
  actor_label     text not null,
  action          text not null,
  record_type     text not null,
  record_id       text not null,
  organization_id text,
  before          jsonb,
  after           jsonb,
  request_id      text,
  ip              text
);
create index audit_log_record_idx on audit_log (record_type, record_id, id);
create index audit_log_at_idx on audit_log (at desc, id desc);

-- Outgoing e-mail, written in the same transaction as the change that causes it and
-- delivered afterwards, so a crash never sends mail for a change that did not happen.
create table mail_outbox (
  id          bigint generated always as identity primary key,
  to_address  text not null,
  subject     text not null,
  text_body   text not null,
  html_body   text,
  created_at  timestamptz not null default now(),
  sent_at     timestamptz,
  attempts    integer not null default 0,
  last_error  text
);
create index mail_outbox_pending_idx on mail_outbox (id) where sent_at is null;
