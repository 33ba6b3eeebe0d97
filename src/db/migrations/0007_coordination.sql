-- Coordination analytics: which records report the same work (a funder's and its implementer's,
-- or near-duplicates the coordinator confirmed), so that counts and budgets count that work once;
-- the candidate pairs of the last duplicate scan; and the coordinator's decisions on them.

-- The coordinator's decision on a pair, keyed by what identifies each record across re-imports:
-- its IATI identifier, else its platform id. A re-import that recreates a record keeps the decision.
create table duplicate_decisions (
  key_a       text not null,
  key_b       text not null,
  decision    text not null check (decision in ('duplicate', 'not_duplicate')),
  note        text not null default '' check (length(note) <= 2000),
  decided_by  text,
  decided_at  timestamptz not null default now(),
  primary key (key_a, key_b),
  check (key_a < key_b)
);

-- Candidate pairs found by the last scan that nobody has decided yet (a and b ordered by id).
create table duplicate_candidates (
  activity_a   text not null references activities (id) on delete cascade,
  activity_b   text not null references activities (id) on delete cascade,
  score        real not null check (score >= 0 and score <= 1),
  explanation  jsonb not null default '{}'::jsonb,
  found_at     timestamptz not null default now(),
  primary key (activity_a, activity_b),
  check (activity_a < activity_b)
);
create index duplicate_candidates_score_idx on duplicate_candidates (score desc, activity_a, activity_b);

-- Links between records of the same work: 'funder_implementer' (an IATI activity reference ties
-- them) or 'duplicate' (confirmed by the coordinator). Rebuilt by every scan and decision.
create table activity_links (
  activity_a  text not null references activities (id) on delete cascade,
  activity_b  text not null references activities (id) on delete cascade,
  kind        text not null check (kind in ('funder_implementer', 'duplicate')),
  evidence    jsonb not null default '[]'::jsonb,
  primary key (activity_a, activity_b, kind),
  check (activity_a < activity_b)
);
create index activity_links_b_idx on activity_links (activity_b);

-- The linked records grouped (connected components of activity_links): analytics count each
-- group once. An activity in no link has no row here and counts as itself.
create table activity_groups (
  activity_id text primary key references activities (id) on delete cascade,
  group_id    text not null
);
create index activity_groups_group_idx on activity_groups (group_id);

-- One row per finished scan, for the dashboard ("last scan") and the benchmarks.
create table duplicate_scans (
  id             text primary key,
  started_at     timestamptz not null,
  finished_at    timestamptz not null,
  activities     integer not null,
  blocks         integer not null,
  compared       bigint not null,
  candidates     integer not null,
  links          integer not null,
  actor_label    text not null
);
