-- What a sync saw (its mirror flag and every tag and digest, hashed), on the version it made: a later sync that sees
-- exactly the same while that version is still the latest would make no change, and skips the commit.
alter table mirror_repository_versions add column sync_fingerprint bytea;
