using Mirror.Schedules;
using Mirror.Tasks;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The scheduled syncs in the catalog: what <c>task-schedules/</c> and <c>mirror/sync-schedules/</c> list.</summary>
public sealed class ScheduleCatalog(NpgsqlDataSource db)
{
    /// <summary>What a schedule list filters and orders on.</summary>
    public static class Fields
    {
        public static ListField Name { get; } = new("name");
        public static ListField TaskName { get; } = new("task_name");
        public static ListField Created { get; } = new("created");
        public static ListField LastUpdated { get; } = new("last_updated");
        public static ListField NextDispatch { get; } = new("next_dispatch");
        internal static ListField[] All => [Name, TaskName, Created, LastUpdated, NextDispatch];
    }

    private readonly CatalogSql _list = new(db, "mirror_sync_schedules", Fields.All, new Order(Fields.Name));

    /// <summary>Inserts or updates the schedule's row; throws <see cref="CatalogConflictException"/> for a taken name.</summary>
    public Task UpsertAsync(ScheduleRecord record, CancellationToken ct) =>
        CatalogConflict.Guard(() => db.Command("""
                insert into mirror_sync_schedules (id, name, task_name, created, last_updated, next_dispatch, doc) values ($1, $2, $3, $4, $5, $6, $7::jsonb)
                on conflict (id) do update set name = excluded.name, last_updated = excluded.last_updated, next_dispatch = excluded.next_dispatch, doc = excluded.doc
                """, record.Id, record.Settings.Name, SyncRepository.Name, record.Created, record.LastUpdated, record.NextDispatch,
                CatalogJson.Serialize(record)).ExecuteAsync(ct),
            _ => "name");

    public Task DeleteAsync(Guid id, CancellationToken ct) => _list.DeleteAsync(id, ct);

    /// <summary>The schedules that sync <paramref name="repositoryId"/>.</summary>
    public Task<List<Guid>> OfRepositoryAsync(Guid repositoryId, CancellationToken ct) =>
        db.Command("select id from mirror_sync_schedules where doc->'Settings'->>'RepositoryId' = $1", repositoryId.ToString()).RowsAsync(r => r.GetGuid(0), ct);

    public Task<bool> NameTakenAsync(string name, Guid except, CancellationToken ct) => _list.NameTakenAsync(name, except, ct);

    public Task<Page<ScheduleRecord>> ListAsync(ListQuery query, CancellationToken ct) => _list.ListAsync<ScheduleRecord>(query, ct);
}
