-- A transaction that writes many activities at once (a batch of an IATI import) can take the
-- upkeep of their list rows from the triggers: it sets icat.list_rows to 'batch' for itself
-- (set_config(..., true)), writes the activities and their child rows, then calls
-- activity_list_rebuild once for them. The triggers would otherwise write each list row three
-- or four times (the activity's own row trigger, then one refresh per statement on countries,
-- regions and participants, then the budget stamp), every time through the list table's nine
-- GIN indexes. Every other write keeps the triggers as they were.

create or replace function activity_list_row_changed() returns trigger language plpgsql as $$
begin
  if current_setting('icat.list_rows', true) = 'batch' then
    return null;
  end if;
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

create or replace function activity_children_changed() returns trigger language plpgsql as $$
begin
  if current_setting('icat.list_rows', true) = 'batch' then
    return null;
  end if;
  if tg_op = 'DELETE' then
    perform activity_list_refresh(array(select distinct activity_id from old_rows));
  else
    perform activity_list_refresh(array(select distinct activity_id from new_rows));
  end if;
  return null;
end;
$$;

create or replace function activity_budgets_changed() returns trigger language plpgsql as $$
begin
  if current_setting('icat.list_rows', true) = 'batch' then
    return null;
  end if;
  if tg_op = 'DELETE' then
    update activity_list_rows l set stamp = pg_current_xact_id()
     where l.id = any(array(select distinct activity_id from old_rows)) and l.stamp <> pg_current_xact_id();
  else
    update activity_list_rows l set stamp = pg_current_xact_id()
     where l.id = any(array(select distinct activity_id from new_rows)) and l.stamp <> pg_current_xact_id();
  end if;
  return null;
end;
$$;

-- The list rows of these activities written anew, as the triggers would have left them: the
-- activity's own columns (a row already there is replaced by the list table's insert trigger),
-- then the codes drawn from its child rows. Both writes stamp the row with this transaction.
create function activity_list_rebuild(ids text[]) returns void language plpgsql as $$
begin
  insert into activity_list_rows (id, owner_organization_id, visibility, shared_with, deleted_at, status, planned_start, planned_end, actual_start, actual_end,
                                  updated_at, pillars, exploitation_forms, target_groups, contexts, sdg_targets, organization_ids)
  select a.id, a.owner_organization_id, a.visibility, a.shared_with, a.deleted_at, a.status, a.planned_start, a.planned_end, a.actual_start, a.actual_end,
         a.updated_at, a.pillars, a.exploitation_forms, a.target_groups, a.contexts, a.sdg_targets, array[a.owner_organization_id]
    from activities a where a.id = any(ids);
  perform activity_list_refresh(ids);
end;
$$;
