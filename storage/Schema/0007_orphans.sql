-- Orphan cleanup (orphans/cleanup/) deletes content that no repository version holds. Two facts keep it from deleting
-- what a running sync is about to put in a version:
-- * touched: when something last relied on the unit (created it, or found it already indexed and decided not to fetch
--   it). Written with the database's clock, like the cutoff it is compared with.
-- * mirror_tasks.running_since: when a task first started running, by the database's clock. Content touched since the
--   oldest running task began is never an orphan candidate, whatever orphan_protection_time says.
alter table mirror_blobs add column touched timestamptz;
alter table mirror_manifests add column touched timestamptz;
alter table mirror_tags add column touched timestamptz;
update mirror_blobs set touched = created;
update mirror_manifests set touched = created;
update mirror_tags set touched = created;
alter table mirror_blobs alter column touched set not null, alter column touched set default clock_timestamp();
alter table mirror_manifests alter column touched set not null, alter column touched set default clock_timestamp();
alter table mirror_tags alter column touched set not null, alter column touched set default clock_timestamp();

alter table mirror_tasks add column running_since timestamptz;

-- What the cleanup asks of each unit: is it in any repository's history, is it referenced by a manifest or a tag.
create index mirror_manifests_config_blob on mirror_manifests (config_blob_id) where config_blob_id is not null;
create index mirror_tags_manifest on mirror_tags (manifest_id);
