using Mirror.Remotes;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The remotes in the catalog, without their secrets.</summary>
public sealed class RemoteCatalog(NpgsqlDataSource db)
{
    private readonly CatalogSql _list = new(db, "mirror_remotes",
        new HashSet<string> { "name", "created", "last_updated" }, "name");

    /// <summary>Inserts or updates the remote's row; throws <see cref="ValidationFailedException"/> for a taken name.</summary>
    public Task UpsertAsync(RemoteView view, CancellationToken ct = default) =>
        UniqueName.Guard(async () =>
        {
            await using var upsert = db.CreateCommand("""
                insert into mirror_remotes (id, name, created, last_updated, doc) values ($1, $2, $3, $4, $5::jsonb)
                on conflict (id) do update set name = excluded.name, last_updated = excluded.last_updated, doc = excluded.doc
                """);
            upsert.Parameters.AddWithValue(view.Id);
            upsert.Parameters.AddWithValue(view.Settings.Name);
            upsert.Parameters.AddWithValue(view.Created);
            upsert.Parameters.AddWithValue(view.LastUpdated);
            upsert.Parameters.AddWithValue(CatalogJson.Serialize(view));
            await upsert.ExecuteNonQueryAsync(ct);
        });

    public Task DeleteAsync(Guid id, CancellationToken ct = default) => _list.DeleteAsync(id, ct);

    public Task<bool> NameTakenAsync(string name, Guid except, CancellationToken ct = default) => _list.NameTakenAsync(name, except, ct);

    public Task<Page<RemoteView>> ListAsync(ListQuery query, CancellationToken ct = default) => _list.ListAsync<RemoteView>(query, ct);
}
