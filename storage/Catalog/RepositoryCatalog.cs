using Mirror.Repositories;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The repositories and their versions in the catalog.</summary>
public sealed class RepositoryCatalog(NpgsqlDataSource db)
{
    private readonly CatalogSql _list = new(db, "mirror_repositories",
        new HashSet<string> { "name", "remote_id", "retain_repo_versions", "created", "last_updated" }, "name");

    private readonly CatalogSql _versions = new(db, "mirror_repository_versions_doc",
        new HashSet<string> { "repository_id", "number", "created" }, "-number");

    /// <summary>Inserts the repository with its version 0, or throws <see cref="ValidationFailedException"/> for a taken name.</summary>
    public Task InsertAsync(RepositoryRecord record, RepositoryVersionRecord versionZero, CancellationToken ct = default) =>
        UniqueName.Guard(async () =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using (var insert = new NpgsqlCommand("""
                insert into mirror_repositories (id, name, remote_id, retain_repo_versions, created, last_updated, doc)
                values ($1, $2, $3, $4, $5, $6, $7::jsonb)
                """, connection, tx))
            {
                AddColumns(insert, record);
                await insert.ExecuteNonQueryAsync(ct);
            }
            await using (var version = new NpgsqlCommand(
                "insert into mirror_repository_versions (repository_id, number, id, created) values ($1, $2, $3, $4)", connection, tx))
            {
                version.Parameters.AddWithValue(versionZero.RepositoryId);
                version.Parameters.AddWithValue(versionZero.Number);
                version.Parameters.AddWithValue(versionZero.Id);
                version.Parameters.AddWithValue(versionZero.Created);
                await version.ExecuteNonQueryAsync(ct);
            }
            await tx.CommitAsync(ct);
        });

    /// <summary>Writes the record's columns; inserts the row when it is missing (a create that died half way).</summary>
    public Task UpdateAsync(RepositoryRecord record, CancellationToken ct = default) =>
        UniqueName.Guard(async () =>
        {
            await using var update = db.CreateCommand("""
                insert into mirror_repositories (id, name, remote_id, retain_repo_versions, created, last_updated, doc)
                values ($1, $2, $3, $4, $5, $6, $7::jsonb)
                on conflict (id) do update set name = excluded.name, remote_id = excluded.remote_id,
                    retain_repo_versions = excluded.retain_repo_versions, last_updated = excluded.last_updated, doc = excluded.doc
                """);
            AddColumns(update, record);
            await update.ExecuteNonQueryAsync(ct);
        });

    public Task DeleteAsync(Guid id, CancellationToken ct = default) => _list.DeleteAsync(id, ct);

    public Task<bool> NameTakenAsync(string name, Guid except, CancellationToken ct = default) => _list.NameTakenAsync(name, except, ct);

    public Task<Page<RepositoryRecord>> ListAsync(ListQuery query, CancellationToken ct = default) =>
        _list.ListAsync<RepositoryRecord>(query, ct);

    /// <summary>Ids of the repositories whose default remote is <paramref name="remoteId"/>.</summary>
    public async Task<IReadOnlyList<Guid>> UsingRemoteAsync(Guid remoteId, CancellationToken ct = default)
    {
        await using var select = db.CreateCommand("select id from mirror_repositories where remote_id = $1");
        select.Parameters.AddWithValue(remoteId);
        var ids = new List<Guid>();
        await using var reader = await select.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public Task<Page<RepositoryVersionRecord>> ListVersionsAsync(Guid repositoryId, ListQuery query, CancellationToken ct = default) =>
        _versions.ListAsync<RepositoryVersionRecord>(query with
        {
            Conditions = [new Condition("repository_id", Match.Exact, repositoryId.ToString()), .. query.Conditions],
        }, ct);

    /// <summary>The versions of every repository (pulpcore's <c>repository_versions/</c>).</summary>
    public Task<Page<RepositoryVersionRecord>> ListAllVersionsAsync(ListQuery query, CancellationToken ct = default) =>
        _versions.ListAsync<RepositoryVersionRecord>(query, ct);

    public async Task<RepositoryVersionRecord?> GetVersionAsync(Guid repositoryId, int number, CancellationToken ct = default)
    {
        var page = await ListVersionsAsync(repositoryId, new ListQuery
        {
            Conditions = [new Condition("number", Match.Exact, number.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            Limit = 1,
        }, ct);
        return page.Items.Count > 0 ? page.Items[0] : null;
    }

    private static void AddColumns(NpgsqlCommand command, RepositoryRecord record)
    {
        command.Parameters.AddWithValue(record.Id);
        command.Parameters.AddWithValue(record.Settings.Name);
        command.Parameters.AddWithValue((object?)record.Settings.Remote ?? DBNull.Value);
        command.Parameters.AddWithValue((object?)record.Settings.RetainRepoVersions ?? DBNull.Value);
        command.Parameters.AddWithValue(record.Created);
        command.Parameters.AddWithValue(record.LastUpdated);
        command.Parameters.AddWithValue(CatalogJson.Serialize(record));
    }
}
