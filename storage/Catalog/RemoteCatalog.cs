using Mirror.Remotes;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The remotes in the catalog, without their secrets.</summary>
public sealed class RemoteCatalog(NpgsqlDataSource db)
{
    /// <summary>What a remote list filters and orders on.</summary>
    public static class Fields
    {
        public static ListField Name { get; } = new("name");
        public static ListField Created { get; } = new("created");
        public static ListField LastUpdated { get; } = new("last_updated");
        /// <summary>Whether the remote is a pull-through one (Pulp lists those apart).</summary>
        public static ListField PullThrough { get; } = new("pull_through");
        internal static ListField[] All => [Name, Created, LastUpdated, PullThrough];
    }

    private readonly CatalogSql _list = new(db, "mirror_remotes", Fields.All, new Order(Fields.Name));

    /// <summary>Inserts or updates the remote's row; throws <see cref="CatalogConflictException"/> for a taken name.</summary>
    public Task UpsertAsync(RemoteView view, CancellationToken ct) =>
        CatalogConflict.Guard(() => db.Command("""
                insert into mirror_remotes (id, name, created, last_updated, doc, pull_through) values ($1, $2, $3, $4, $5::jsonb, $6)
                on conflict (id) do update set name = excluded.name, last_updated = excluded.last_updated, doc = excluded.doc
                """, view.Id, view.Settings.Name, view.Created, view.LastUpdated, CatalogJson.Serialize(view), view.Settings.PullThrough).ExecuteAsync(ct),
            _ => "name");

    public Task DeleteAsync(Guid id, CancellationToken ct) => _list.DeleteAsync(id, ct);

    public Task<bool> NameTakenAsync(string name, Guid except, CancellationToken ct) => _list.NameTakenAsync(name, except, ct);

    public Task<Page<RemoteView>> ListAsync(ListQuery query, CancellationToken ct) => _list.ListAsync<RemoteView>(query, ct);
}
