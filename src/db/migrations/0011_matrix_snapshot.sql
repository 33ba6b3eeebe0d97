-- The coverage matrix reads a copy of the activity list rows held in each server process and
-- brought up to date before every matrix from the rows changed since it last looked (ADR 028).
-- What changed is told by a stamp on each list row: the id of the transaction that last wrote it.
-- A reader takes the oldest transaction still running in its snapshot (pg_snapshot_xmin) as its
-- mark; every row written by a transaction that ends later carries a stamp at or above that mark,
-- so the next look finds it. Rows removed are found by their count (the list rows are removed only
-- with their activity, or all at once by a restore).
alter table activity_list_rows add column stamp xid8 not null default pg_current_xact_id();
create index activity_list_rows_stamp_idx on activity_list_rows (stamp);

-- Every update of a list row stamps it (the refresh of codes, the budget trigger below, any other).
create function activity_list_row_stamp() returns trigger language plpgsql as $$
begin
  new.stamp := pg_current_xact_id();
  return new;
end;
$$;
create trigger activity_list_rows_stamp before update on activity_list_rows for each row execute function activity_list_row_stamp();

-- Budgets are not copied into the list row, but the matrix sums them: a statement that changes
-- budgets stamps the rows of their activities once (rows already stamped by this transaction, such
-- as those of activities it created, are left alone).
create function activity_budgets_changed() returns trigger language plpgsql as $$
begin
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
create trigger activity_budgets_inserted after insert on activity_budgets referencing new table as new_rows for each statement execute function activity_budgets_changed();
create trigger activity_budgets_updated after update on activity_budgets referencing new table as new_rows for each statement execute function activity_budgets_changed();
create trigger activity_budgets_deleted after delete on activity_budgets referencing old table as old_rows for each statement execute function activity_budgets_changed();

-- The linked groups are rebuilt as a whole by each scan; a reader reloads them when a row is
-- stamped at or above its mark or when their count changed.
alter table activity_groups add column stamp xid8 not null default pg_current_xact_id();
