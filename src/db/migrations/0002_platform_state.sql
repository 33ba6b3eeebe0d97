-- Facts about the installation itself, one row per key: for instance whether the demo content
-- of the first start was created completely (so a start interrupted half-way is retried).
create table platform_state (
  key        text primary key check (key ~ '^[a-z][a-z0-9_.]{0,62}$'),
  value      jsonb not null default '{}'::jsonb,
  updated_at timestamptz not null default now()
);
