using Mirror.Tasks;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The tasks in the catalog.</summary>
public sealed class TaskCatalog(NpgsqlDataSource db)
{
    /// <summary>What a task list filters and orders on.</summary>
    public static class Fields
    {
        public static ListField Name { get; } = new("name");
        public static ListField State { get; } = new("state");
        public static ListField LoggingCid { get; } = new("logging_cid");
        public static ListField Created { get; } = new("created");
        public static ListField LastUpdated { get; } = new("last_updated");
        public static ListField StartedAt { get; } = new("started_at");
        public static ListField FinishedAt { get; } = new("finished_at");
        /// <summary>The PRNs of the resources a task reserved, shared ones prefixed <c>shared:</c>.</summary>
        public static ListField ReservedResources { get; } = new("reserved_resources");
        public static ListField CreatedResources { get; } = new("created_resources");
        /// <summary>The id of the task that started this one, as the task's document holds it (few tasks have one).</summary>
        public static ListField ParentTask { get; } = new("(doc->>'ParentTask')");
        internal static ListField[] All => [Name, State, LoggingCid, Created, LastUpdated, StartedAt, FinishedAt, ReservedResources, CreatedResources, ParentTask];
    }

    private readonly CatalogSql _list = new(db, "mirror_tasks", Fields.All, new Order(Fields.Created, Descending: true));

    /// <summary>
    /// Writes the task's row. <c>running_since</c> is the database's time of the first write that found the task running:
    /// orphan cleanup keeps every unit touched since the oldest running task began (see <c>Orphans</c>).
    /// </summary>
    public Task UpsertAsync(TaskRecord task, CancellationToken ct) => db.Command("""
            insert into mirror_tasks (id, name, state, logging_cid, created, last_updated, started_at, finished_at, reserved_resources, created_resources, doc, running_since)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, case when $3 = 'running' then clock_timestamp() end)
            on conflict (id) do update set state = excluded.state, last_updated = excluded.last_updated,
                started_at = excluded.started_at, finished_at = excluded.finished_at,
                created_resources = excluded.created_resources, doc = excluded.doc,
                running_since = coalesce(mirror_tasks.running_since, excluded.running_since)
            """, task.Id, task.Name, task.State, task.LoggingCid, task.Created, task.LastUpdated, task.StartedAt, task.FinishedAt,
            task.ReservedResources.ToArray(), task.CreatedResources.ToArray(), CatalogJson.Serialize(task)).ExecuteAsync(ct);

    public Task DeleteAsync(Guid id, CancellationToken ct) => _list.DeleteAsync(id, ct);

    public Task<Page<TaskRecord>> ListAsync(ListQuery query, CancellationToken ct) => _list.ListAsync<TaskRecord>(query, ct);
}
