-- Pulp's remote artifacts: every remote that can fetch a blob again, one row per (blob, remote). A sync records a row for
-- each blob of what it saw upstream, whether it fetched the blob, found it stored or left it for the first pull, so a blob
-- first brought by a remote that is deleted since stays fetchable through any other remote that synced it. A row goes with
-- its remote or its blob. reclaim_space drops the bytes only of a blob with a row; a first pull fetches through one of them.
create table mirror_blob_remotes (
    blob_id   uuid not null references mirror_blobs (id) on delete cascade,
    remote_id uuid not null references mirror_remotes (id) on delete cascade,
    recorded  timestamptz not null default clock_timestamp(),
    primary key (blob_id, remote_id)
);
create index mirror_blob_remotes_remote on mirror_blob_remotes (remote_id);

-- The one remote each blob recorded before, where it still exists, is its first row; the column had no other use.
insert into mirror_blob_remotes (blob_id, remote_id)
select b.id, b.remote_id from mirror_blobs b join mirror_remotes r on r.id = b.remote_id;
alter table mirror_blobs drop column remote_id;
