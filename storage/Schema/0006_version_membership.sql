-- Version membership, defined once: the content of version n of a repository is every row of
-- mirror_repository_content with version_added <= n < version_removed (null: not removed yet).
-- Every query that asks "what is in version n" selects from this function. It is LANGUAGE sql, STABLE and
-- not STRICT, so the planner inlines it into the calling query: the indexes on mirror_repository_content
-- (primary key, mirror_repository_content_added) serve the caller's joins as if the predicate were written there.
create function mirror_version_content(repository_id uuid, number integer)
returns setof mirror_repository_content
language sql stable
as $$
    select * from mirror_repository_content rc
    where rc.repository_id = $1 and rc.version_added <= $2 and (rc.version_removed is null or rc.version_removed > $2)
$$;
