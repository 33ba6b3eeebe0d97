-- Activities whose imported classification suggestions await a focal point's review
-- (suggestions <> '{}': the domain stores no empty lists, so an activity without suggestions
-- holds exactly '{}'). The review page lists them newest first, for all owners (administrators)
-- or for the organizations a person belongs to, and counts them; these partial indexes hold only
-- those rows, so listing, paging and counting cost what is pending, not the whole registry.
create index activities_pending_suggestions_idx on activities (updated_at desc, id desc)
  where deleted_at is null and suggestions <> '{}'::jsonb;
create index activities_pending_suggestions_owner_idx on activities (owner_organization_id, updated_at desc, id desc)
  where deleted_at is null and suggestions <> '{}'::jsonb;
