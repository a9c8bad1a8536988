-- A list or index mirrored through a remote's platform filter holds only the children of the listed platforms: its raw
-- bytes and digest are the upstream's, its mirror_manifest_children rows (at their list positions) only those stored.
-- Such a list is not "known" to a sync that wants every platform (or other ones), which fetches what it lacks.
alter table mirror_manifests add column sparse boolean not null default false;
