-- IATI imports run as background jobs: the uploaded file waits in DATA_DIR/uploads/iati, the job
-- row holds its progress and, once finished, its report. A running job beats its heartbeat as it
-- saves; one whose heartbeat stopped (its process was killed) reads as interrupted and may be run
-- again from the same file.

create table iati_import_jobs (
  id               text primary key,
  status           text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed', 'interrupted')),
  file_name        text not null check (length(file_name) between 1 and 500),
  file_key         text not null check (file_key ~ '^[A-Za-z0-9_-]{1,100}$'),
  file_bytes       bigint not null check (file_bytes >= 0),
  options          jsonb not null default '{}'::jsonb,
  created_by       text not null,
  attempts         integer not null default 0,
  bytes_read       bigint not null default 0,
  activities       integer not null default 0,
  counts           jsonb not null default '{}'::jsonb,
  report           jsonb,
  error            text,
  created_at       timestamptz not null default now(),
  started_at       timestamptz,
  finished_at      timestamptz,
  heartbeat_at     timestamptz
);

create index iati_import_jobs_by_creator on iati_import_jobs (created_by, created_at desc);
