-- A blob whose stored bytes were found missing, short or not matching their digest (while served, synced or
-- repaired) is out of service: not served, not counted as present, fetched again by the next sync that needs it.
-- The row stays (manifests refer to it); fetching the blob again clears the mark.
alter table mirror_blobs add column damaged_at timestamptz, add column damage text;
-- The remote a blob was fetched from (Pulp's remote artifact): where a repair fetches it again.
alter table mirror_blobs add column remote_id uuid;
create index mirror_blobs_damaged on mirror_blobs (damaged_at) where damaged_at is not null;
