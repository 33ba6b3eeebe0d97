-- The activity list reads a narrow copy of what it filters, sorts and counts by: one row per
-- activity in activity_list_rows, kept in step by triggers. Beside the activity's own columns it
-- holds the codes of its recipient countries, the UN M49 regions they lie in (with every region
-- above them, and the UN recipient regions with theirs) and the organizations taking part (owner
-- and registered participants). A facet over 100k activities is then one scan of a table a tenth
-- of the size of `activities`, with one unnest per facet, and a filter one GIN lookup.
create table activity_list_rows (
  id                    text primary key references activities (id) on delete cascade,
  owner_organization_id text not null,
  visibility            text not null,
  shared_with           text[] not null default '{}',
  deleted_at            timestamptz,
  status                text,
  planned_start         date,
  planned_end           date,
  actual_start          date,
  actual_end            date,
  updated_at            timestamptz not null,
  pillars               text[] not null default '{}',
  exploitation_forms    text[] not null default '{}',
  target_groups         text[] not null default '{}',
  contexts              text[] not null default '{}',
  sdg_targets           text[] not null default '{}',
  country_codes         text[] not null default '{}',
  region_codes          text[] not null default '{}',
  organization_ids      text[] not null default '{}'
);

-- A row written for an id that has one replaces it: a restore from backup inserts the rows the
-- triggers already made while it restored the activities.
create function activity_list_row_replace() returns trigger language plpgsql as $$
begin
  delete from activity_list_rows where id = new.id;
  return new;
end;
$$;
create trigger activity_list_rows_replace before insert on activity_list_rows for each row execute function activity_list_row_replace();

-- Recomputes the codes drawn from child rows and reference data for the given activities.
create function activity_list_refresh(ids text[]) returns void language sql as $$
  with recursive region_up(m49, code) as (
    select m49, m49 from reference_regions
    union all
    select u.m49, rr.parent_m49 from region_up u join reference_regions rr on rr.m49 = u.code where rr.parent_m49 is not null
  )
  update activity_list_rows l set
    country_codes = coalesce((select array_agg(distinct c.country_code order by c.country_code) from activity_countries c where c.activity_id = l.id), '{}'),
    region_codes = coalesce((
      select array_agg(distinct g.code order by g.code) from (
        select unnest(array[rc.region_m49, rc.subregion_m49, rc.intermediate_m49]) as code
          from activity_countries c join reference_countries rc on rc.code = c.country_code
         where c.activity_id = l.id
        union all
        select u.code from activity_regions r join region_up u on u.m49 = r.code
         where r.activity_id = l.id and r.vocabulary = '2'
      ) g where g.code is not null and g.code <> '001'), '{}'),
    organization_ids = coalesce((
      select array_agg(distinct o.id order by o.id) from (
        select l.owner_organization_id as id
        union all
        select p.organization_id from activity_participants p where p.activity_id = l.id and p.organization_id is not null
      ) o), '{}')
  where l.id = any(ids);
$$;

-- A new or changed activity: its own columns copied, then its codes recomputed.
create function activity_list_row_changed() returns trigger language plpgsql as $$
begin
  insert into activity_list_rows (id, owner_organization_id, visibility, shared_with, deleted_at, status, planned_start, planned_end, actual_start, actual_end,
                                  updated_at, pillars, exploitation_forms, target_groups, contexts, sdg_targets, organization_ids)
  values (new.id, new.owner_organization_id, new.visibility, new.shared_with, new.deleted_at, new.status, new.planned_start, new.planned_end, new.actual_start, new.actual_end,
          new.updated_at, new.pillars, new.exploitation_forms, new.target_groups, new.contexts, new.sdg_targets, array[new.owner_organization_id]);
  -- A new activity has no child rows yet (their own triggers add their codes); a changed one may have.
  if tg_op = 'UPDATE' then
    perform activity_list_refresh(array[new.id]);
  end if;
  return null;
end;
$$;
create trigger activities_list_row after insert or update on activities for each row execute function activity_list_row_changed();

-- Child rows changed: recompute the codes of the activities they belong to, once per statement.
create function activity_children_changed() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    perform activity_list_refresh(array(select distinct activity_id from old_rows));
  else
    perform activity_list_refresh(array(select distinct activity_id from new_rows));
  end if;
  return null;
end;
$$;
create trigger activity_countries_inserted after insert on activity_countries referencing new table as new_rows for each statement execute function activity_children_changed();
create trigger activity_countries_updated after update on activity_countries referencing new table as new_rows for each statement execute function activity_children_changed();
create trigger activity_countries_deleted after delete on activity_countries referencing old table as old_rows for each statement execute function activity_children_changed();
create trigger activity_regions_inserted after insert on activity_regions referencing new table as new_rows for each statement execute function activity_children_changed();
create trigger activity_regions_updated after update on activity_regions referencing new table as new_rows for each statement execute function activity_children_changed();
create trigger activity_regions_deleted after delete on activity_regions referencing old table as old_rows for each statement execute function activity_children_changed();
create trigger activity_participants_inserted after insert on activity_participants referencing new table as new_rows for each statement execute function activity_children_changed();
create trigger activity_participants_updated after update on activity_participants referencing new table as new_rows for each statement execute function activity_children_changed();
create trigger activity_participants_deleted after delete on activity_participants referencing old table as old_rows for each statement execute function activity_children_changed();

insert into activity_list_rows (id, owner_organization_id, visibility, shared_with, deleted_at, status, planned_start, planned_end, actual_start, actual_end,
                                updated_at, pillars, exploitation_forms, target_groups, contexts, sdg_targets)
select id, owner_organization_id, visibility, shared_with, deleted_at, status, planned_start, planned_end, actual_start, actual_end,
       updated_at, pillars, exploitation_forms, target_groups, contexts, sdg_targets
  from activities;
select activity_list_refresh(array(select id from activities));

create index activity_list_rows_updated_idx on activity_list_rows (updated_at desc, id desc) where deleted_at is null;
create index activity_list_rows_start_idx on activity_list_rows ((coalesce(actual_start, planned_start, date '9999-12-31')), id) where deleted_at is null;
create index activity_list_rows_owner_idx on activity_list_rows (owner_organization_id) where deleted_at is null;
create index activity_list_rows_countries_idx on activity_list_rows using gin (country_codes);
create index activity_list_rows_regions_idx on activity_list_rows using gin (region_codes);
create index activity_list_rows_organizations_idx on activity_list_rows using gin (organization_ids);
create index activity_list_rows_pillars_idx on activity_list_rows using gin (pillars);
create index activity_list_rows_forms_idx on activity_list_rows using gin (exploitation_forms);
create index activity_list_rows_groups_idx on activity_list_rows using gin (target_groups);
create index activity_list_rows_contexts_idx on activity_list_rows using gin (contexts);
create index activity_list_rows_sdg_idx on activity_list_rows using gin (sdg_targets);

-- A number that moves whenever a list row changes, read by every process to know whether facet
-- counts it computed earlier still hold. A sequence takes no lock, so concurrent saves never wait
-- on it; the trigger is deferred to the commit, so a reader cannot cache counts under a number
-- that a change still in progress has already taken.
create sequence activity_list_version;
create function activity_list_version_bump() returns trigger language plpgsql as $$
begin
  perform nextval('activity_list_version');
  return null;
end;
$$;
create constraint trigger activity_list_rows_version after insert or update or delete on activity_list_rows
  deferrable initially deferred for each row execute function activity_list_version_bump();
