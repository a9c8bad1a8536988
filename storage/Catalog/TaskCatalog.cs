using Mirror.Tasks;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The tasks in the catalog.</summary>
public sealed class TaskCatalog(NpgsqlDataSource db)
{
    private readonly CatalogSql _list = new(db, "mirror_tasks",
        new HashSet<string> { "name", "state", "logging_cid", "created", "last_updated", "started_at", "finished_at", "reserved_resources", "created_resources" },
        "-created");

    public async Task UpsertAsync(TaskRecord task, CancellationToken ct = default)
    {
        await using var upsert = db.CreateCommand("""
            insert into mirror_tasks (id, name, state, logging_cid, created, last_updated, started_at, finished_at, reserved_resources, created_resources, doc)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb)
            on conflict (id) do update set state = excluded.state, last_updated = excluded.last_updated,
                started_at = excluded.started_at, finished_at = excluded.finished_at,
                created_resources = excluded.created_resources, doc = excluded.doc
            """);
        upsert.Parameters.AddWithValue(task.Id);
        upsert.Parameters.AddWithValue(task.Name);
        upsert.Parameters.AddWithValue(task.State);
        upsert.Parameters.AddWithValue(task.LoggingCid);
        upsert.Parameters.AddWithValue(task.Created);
        upsert.Parameters.AddWithValue(task.LastUpdated);
        upsert.Parameters.AddWithValue((object?)task.StartedAt ?? DBNull.Value);
        upsert.Parameters.AddWithValue((object?)task.FinishedAt ?? DBNull.Value);
        upsert.Parameters.AddWithValue(task.ReservedResources.ToArray());
        upsert.Parameters.AddWithValue(task.CreatedResources.ToArray());
        upsert.Parameters.AddWithValue(CatalogJson.Serialize(task));
        await upsert.ExecuteNonQueryAsync(ct);
    }

    public Task DeleteAsync(Guid id, CancellationToken ct = default) => _list.DeleteAsync(id, ct);

    public Task<Page<TaskRecord>> ListAsync(ListQuery query, CancellationToken ct = default) => _list.ListAsync<TaskRecord>(query, ct);
}
