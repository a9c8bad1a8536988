-- The content index: what was mirrored (blobs, manifests, tags) and which repository version holds what.
-- A blob row exists only once its bytes are stored and verified; a manifest row only once its blobs and
-- child manifests are in the index. So "the digest is in the index" means "nothing left to fetch".

create table mirror_blobs (
    id         uuid primary key,
    digest     text not null unique,
    size       bigint not null,
    media_type text,
    created    timestamptz not null
);

create table mirror_manifests (
    id                    uuid primary key,
    digest                text not null unique,
    media_type            text not null,
    schema_version        smallint not null,
    raw                   bytea not null,
    config_blob_id        uuid references mirror_blobs (id),
    architecture          text,
    os                    text,
    compressed_image_size bigint,
    type                  text not null,
    annotations           jsonb not null,
    labels                jsonb not null,
    created               timestamptz not null
);

-- The layers of an image manifest, in manifest order (the config blob is its own column).
create table mirror_manifest_layers (
    manifest_id uuid not null references mirror_manifests (id) on delete cascade,
    position    integer not null,
    blob_id     uuid not null references mirror_blobs (id),
    primary key (manifest_id, position)
);
create index mirror_manifest_layers_blob on mirror_manifest_layers (blob_id);

-- The entries of a manifest list or OCI index, with the platform the list gives each.
create table mirror_manifest_children (
    list_id     uuid not null references mirror_manifests (id) on delete cascade,
    position    integer not null,
    manifest_id uuid not null references mirror_manifests (id),
    platform    jsonb,
    primary key (list_id, position)
);
create index mirror_manifest_children_manifest on mirror_manifest_children (manifest_id);

-- A tag unit is a (name, manifest) pair, as in pulp_container: a tag that moves is a new unit.
create table mirror_tags (
    id          uuid primary key,
    name        text not null,
    manifest_id uuid not null references mirror_manifests (id),
    created     timestamptz not null,
    unique (name, manifest_id)
);

-- Membership as intervals: content is in version n when version_added <= n < version_removed.
-- Creating a version writes only what changed.
create table mirror_repository_content (
    repository_id   uuid not null references mirror_repositories (id) on delete cascade,
    content_id      uuid not null,
    content_type    text not null,
    version_added   integer not null,
    version_removed integer,
    primary key (repository_id, content_id, version_added)
);
create index mirror_repository_content_current on mirror_repository_content (repository_id, content_type, content_id) where version_removed is null;
create index mirror_repository_content_added on mirror_repository_content (repository_id, version_added);
create index mirror_repository_content_removed on mirror_repository_content (repository_id, version_removed) where version_removed is not null;
create index mirror_repository_content_content on mirror_repository_content (content_id);

-- What a running sync saw upstream: tags (name and manifest digest) and untagged digests. The commit
-- turns this into a version; the rows go when the task finishes.
create table mirror_sync_refs (
    task_id  uuid not null,
    tag_name text,
    digest   text not null
);
create index mirror_sync_refs_task on mirror_sync_refs (task_id);

-- Versions remember their counts (they are immutable; deleting a version recomputes its successor)
-- and the task that made them, so a sync task run twice finds the version it already committed.
alter table mirror_repository_versions
    add column content_summary jsonb not null default '{"Added": {}, "Removed": {}, "Present": {}}',
    add column task_id uuid;
create unique index mirror_repository_versions_task on mirror_repository_versions (task_id) where task_id is not null;

drop view mirror_repository_versions_doc;
create view mirror_repository_versions_doc as
select repository_id, number, id, created,
       jsonb_build_object('Id', id, 'RepositoryId', repository_id, 'Number', number, 'Created', created,
                          'ContentSummary', content_summary) as doc
from mirror_repository_versions;

-- Version numbers are never reused, even after the latest version is deleted (as in Pulp).
alter table mirror_repositories add column next_version integer not null default 1;

-- Content lists read through the same list code as the catalog tables: a doc column per row.
create view mirror_blobs_doc as
select id, digest, media_type, created,
       jsonb_build_object('Id', id, 'Digest', digest, 'Size', size, 'Created', created) as doc
from mirror_blobs;

create view mirror_manifests_doc as
select m.id, m.digest, m.media_type, m.created,
       jsonb_build_object('Id', m.id, 'Digest', m.digest, 'MediaType', m.media_type, 'SchemaVersion', m.schema_version,
                          'ConfigBlobId', m.config_blob_id, 'Architecture', m.architecture, 'Os', m.os,
                          'CompressedImageSize', m.compressed_image_size, 'Type', m.type,
                          'Annotations', m.annotations, 'Labels', m.labels, 'Created', m.created,
                          'ListedManifests', coalesce((select jsonb_agg(c.manifest_id order by c.position) from mirror_manifest_children c where c.list_id = m.id), '[]'::jsonb),
                          'Blobs', coalesce((select jsonb_agg(l.blob_id order by l.position) from mirror_manifest_layers l where l.manifest_id = m.id), '[]'::jsonb)) as doc
from mirror_manifests m;

create view mirror_tags_doc as
select t.id, t.name, m.digest, m.media_type, t.created,
       jsonb_build_object('Id', t.id, 'Name', t.name, 'ManifestId', t.manifest_id, 'Created', t.created) as doc
from mirror_tags t join mirror_manifests m on m.id = t.manifest_id;
