-- Content lists of a repository version, deep pages included, walk one index instead of sorting the version.
-- A list's default order is the content's creation time (newest first), then its id. That time is copied into the
-- membership row (it never changes: content rows are immutable), so the version's content of one type comes out of
-- mirror_repository_content_listed already in list order, and the version's bounds are read from the index too
-- (an index-only scan): page n costs a walk over n pages of narrow index entries, never a sort of the whole version.
alter table mirror_repository_content add column content_created timestamptz;
update mirror_repository_content rc set content_created = t.created from mirror_tags t where rc.content_type = 'container.tag' and t.id = rc.content_id;
update mirror_repository_content rc set content_created = m.created from mirror_manifests m where rc.content_type = 'container.manifest' and m.id = rc.content_id;
update mirror_repository_content rc set content_created = b.created from mirror_blobs b where rc.content_type = 'container.blob' and b.id = rc.content_id;
-- A membership row whose content is gone has no list entry to order (orphan cleanup never leaves one; this is a guard).
update mirror_repository_content set content_created = '-infinity' where content_created is null;
alter table mirror_repository_content alter column content_created set not null;
create index mirror_repository_content_listed on mirror_repository_content (repository_id, content_type, content_created desc, content_id)
    include (version_added, version_removed);
