-- Atomic container signatures (pulp_container's container.signature): OpenPGP signed messages fetched from a sigstore or
-- a registry's signature extension, each about one manifest. The bytes are kept whole (a kilobyte) to serve them back;
-- the fields Pulp shows are read from them once. A signature goes with its manifest.
create table mirror_signatures (
    id          uuid primary key,
    name        text not null,
    digest      text not null unique,
    type        text not null,
    key_id      text not null,
    fingerprint text,
    timestamp   bigint not null,
    creator     text,
    manifest_id uuid not null references mirror_manifests (id) on delete cascade,
    raw         bytea not null,
    created     timestamptz not null,
    touched     timestamptz not null default clock_timestamp()
);
create index mirror_signatures_manifest on mirror_signatures (manifest_id);

-- The signatures a running sync found, by digest, for the version commit (as mirror_sync_refs holds its references).
create table mirror_sync_signatures (
    task_id uuid not null,
    digest  text not null
);
create index mirror_sync_signatures_task on mirror_sync_signatures (task_id);

create view mirror_signatures_doc as
select s.id, s.name, s.digest, s.key_id, m.digest as manifest_digest, s.created,
       jsonb_build_object('Id', s.id, 'Name', s.name, 'Digest', s.digest, 'Type', s.type, 'KeyId', s.key_id,
                          'Fingerprint', s.fingerprint, 'Timestamp', s.timestamp, 'Creator', s.creator,
                          'ManifestId', s.manifest_id, 'Created', s.created) as doc
from mirror_signatures s join mirror_manifests m on m.id = s.manifest_id;
