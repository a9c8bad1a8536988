-- Scheduled syncs (this mirror's addition, shown read-only as Pulp's task-schedules): the catalog copy of each
-- ScheduleGrain's record, which lists read. The grain state is the truth (CatalogedRecord), as for remotes.
create table mirror_sync_schedules (
    id            uuid primary key,
    name          text not null,
    task_name     text not null,
    created       timestamptz not null,
    last_updated  timestamptz not null,
    next_dispatch timestamptz,
    doc           jsonb not null
);
create unique index mirror_sync_schedules_name on mirror_sync_schedules (name);
