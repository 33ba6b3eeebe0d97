-- Stored documents whose removal is owed: a file's row is deleted in a transaction that records
-- its storage key here; the object is removed once that transaction has committed, and the row
-- goes with it. A removal that fails (the storage is unreachable) stays here and is tried again.

create table document_removals (
  storage_key   text primary key check (storage_key ~ '^[a-f0-9]{32}\.pdf$'),
  requested_at  timestamptz not null default now(),
  attempts      integer not null default 0,
  last_error    text
);
