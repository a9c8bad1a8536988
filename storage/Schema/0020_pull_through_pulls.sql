-- When each reference of a pull-through cache's path was last pulled: a tag by its name, a manifest by its digest (the references
-- clients ask for). The cache's retention sweep removes from the path's repository what nobody pulled for longer than
-- Mirror:PullThroughRetention. Written at most once per reference every few minutes (see PullThroughRetention.RecordEvery), so a
-- pull costs no write in the common case; the database's clock, so that silos' clocks do not matter.
create table mirror_pull_through_pulls (
    repository_id uuid not null references mirror_repositories (id) on delete cascade,
    reference     text not null,
    pulled        timestamptz not null,
    primary key (repository_id, reference)
);
