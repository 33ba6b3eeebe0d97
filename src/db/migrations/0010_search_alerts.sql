-- Saved searches and search alerts.
--
-- "New since" is measured against the moment a record was first published (first left draft):
-- a publication when its status first becomes 'published', an activity when its visibility first
-- leaves 'draft'. Triggers set it, so every path that publishes (forms, API, imports) is covered
-- and a restored backup keeps the value it had.
alter table publications add column first_published_at timestamptz;
update publications set first_published_at = created_at where status = 'published';
create index publications_first_published_idx on publications (first_published_at) where first_published_at is not null;

create function publication_first_published() returns trigger language plpgsql as $$
begin
  if new.first_published_at is null and new.status = 'published' then
    new.first_published_at := now();
  end if;
  return new;
end;
$$;
create trigger publications_first_published before insert or update on publications for each row execute function publication_first_published();

alter table activities add column first_published_at timestamptz;
update activities set first_published_at = created_at where visibility <> 'draft';
create index activities_first_published_idx on activities (first_published_at) where first_published_at is not null;

create function activity_first_published() returns trigger language plpgsql as $$
begin
  if new.first_published_at is null and new.visibility <> 'draft' then
    new.first_published_at := now();
  end if;
  return new;
end;
$$;
create trigger activities_first_published before insert or update on activities for each row execute function activity_first_published();

-- One row per saved search: a signed-in person's (user_id; the alert goes to the account's
-- address in its language) or a reader's e-mail subscription (email and language, nothing else
-- about the reader). `query` is the canonical URL query of the search (no leading '?').
create table saved_searches (
  id                  text primary key,
  user_id             text references users (id) on delete cascade,
  email               text check (email is null or length(email) between 3 and 254),
  language            text,
  name                text not null check (length(name) between 1 and 200),
  query               text not null check (length(query) <= 4000),
  frequency           text not null default 'none' check (frequency in ('none', 'daily', 'weekly')),
  -- e-mail subscriptions: double opt-in. Only the sha256 of the confirmation token is kept.
  confirm_token_hash  text unique,
  confirm_expires_at  timestamptz,
  confirmed_at        timestamptz,
  -- the unsubscribe token travels in every digest, so it is kept as is: it can only unsubscribe.
  unsubscribe_token   text not null unique,
  -- records first published after this moment are "new" for the reader of the saved search
  last_visited_at     timestamptz not null default now(),
  -- the digest's watermark: records first published after it have not been announced yet
  alert_watermark     timestamptz not null default now(),
  alert_checked_at    timestamptz,
  alert_sent_at       timestamptz,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  check ((user_id is null) <> (email is null)),
  check (email is null or (language is not null and frequency <> 'none'))
);
create unique index saved_searches_user_query_idx on saved_searches (user_id, query) where user_id is not null;
create unique index saved_searches_email_query_idx on saved_searches (lower(email), query) where email is not null;
create index saved_searches_due_idx on saved_searches (alert_checked_at nulls first) where frequency <> 'none';

-- Extra headers of a queued message (List-Unsubscribe and the like), as a JSON object.
alter table mail_outbox add column headers jsonb;
