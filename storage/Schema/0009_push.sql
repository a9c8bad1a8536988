-- Pushes to /v2/ (distribution spec) and what Pulp makes of them.
-- * mirror_repositories.push: a container-push repository, made by the first push to a new path; only pushes change it.
-- * mirror_uploads: a blob upload in progress, so that any gateway can continue it. Its bytes so far are the blob store's
--   parts listed in order (IBlobStore.PutPartAsync); size is their sum, the offset the next chunk must start at.
-- * mirror_pushed_blobs: blobs finished into a push repository that no manifest of it names yet (Pulp's pending blobs):
--   pullable from that repository, and what a manifest pushed there may reference.
-- * mirror_manifests.subject / artifact_type: what the OCI 1.1 referrers API lists.
alter table mirror_repositories add column push boolean not null default false;

create table mirror_uploads (
    id            uuid primary key,
    repository_id uuid not null references mirror_repositories (id) on delete cascade,
    parts         uuid[] not null default '{}',
    size          bigint not null default 0,
    created       timestamptz not null default clock_timestamp(),
    updated       timestamptz not null default clock_timestamp()
);

create table mirror_pushed_blobs (
    repository_id uuid not null references mirror_repositories (id) on delete cascade,
    blob_id       uuid not null references mirror_blobs (id) on delete cascade,
    primary key (repository_id, blob_id)
);
create index mirror_pushed_blobs_blob on mirror_pushed_blobs (blob_id);

alter table mirror_manifests add column subject text, add column artifact_type text;
create index mirror_manifests_subject on mirror_manifests (subject) where subject is not null;
