-- Our catalog: one row per object with the columns that lists filter and order on, and the
-- object's record as JSON so a page of a list is one query. The owning grain is the only writer.
-- Uniqueness of names lives here, in unique indexes, so two concurrent creates cannot both win.

create table mirror_repositories (
    id                   uuid primary key,
    name                 text not null,
    remote_id            uuid,
    retain_repo_versions integer,
    created              timestamptz not null,
    last_updated         timestamptz not null,
    doc                  jsonb not null
);
create unique index mirror_repositories_name on mirror_repositories (name);
create index mirror_repositories_remote on mirror_repositories (remote_id) where remote_id is not null;

-- Versions are rows: creating one costs one insert; the content they hold comes with the content index.
create table mirror_repository_versions (
    repository_id uuid not null references mirror_repositories (id) on delete cascade,
    number        integer not null,
    id            uuid not null unique,
    created       timestamptz not null,
    primary key (repository_id, number)
);

create table mirror_remotes (
    id           uuid primary key,
    name         text not null,
    created      timestamptz not null,
    last_updated timestamptz not null,
    doc          jsonb not null
);
create unique index mirror_remotes_name on mirror_remotes (name);

create table mirror_tasks (
    id                 uuid primary key,
    name               text not null,
    state              text not null,
    logging_cid        text not null,
    created            timestamptz not null,
    last_updated       timestamptz not null,
    started_at         timestamptz,
    finished_at        timestamptz,
    reserved_resources text[] not null,
    created_resources  text[] not null,
    doc                jsonb not null
);
create index mirror_tasks_created on mirror_tasks (created desc);
create index mirror_tasks_state on mirror_tasks (state);
create index mirror_tasks_reserved on mirror_tasks using gin (reserved_resources);
create index mirror_tasks_created_resources on mirror_tasks using gin (created_resources);

-- Versions read through the same list code as the other catalog tables, which reads a doc column.
create view mirror_repository_versions_doc as
select repository_id, number, id, created,
       jsonb_build_object('Id', id, 'RepositoryId', repository_id, 'Number', number, 'Created', created) as doc
from mirror_repository_versions;
