using Mirror.Repositories;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The repositories and their versions in the catalog.</summary>
public sealed class RepositoryCatalog(NpgsqlDataSource db)
{
    /// <summary>What a repository list filters and orders on.</summary>
    public static class Fields
    {
        public static ListField Name { get; } = new("name");
        public static ListField Remote { get; } = new("remote_id");
        public static ListField RetainRepoVersions { get; } = new("retain_repo_versions");
        public static ListField Created { get; } = new("created");
        public static ListField LastUpdated { get; } = new("last_updated");
        /// <summary>Whether the repository is a container-push one (Pulp lists those apart).</summary>
        public static ListField Push { get; } = new("push");
        internal static ListField[] All => [Name, Remote, RetainRepoVersions, Created, LastUpdated, Push];
    }

    /// <summary>What a list of repository versions filters and orders on.</summary>
    public static class VersionFields
    {
        public static ListField Repository { get; } = new("repository_id");
        public static ListField Number { get; } = new("number");
        public static ListField Created { get; } = new("created");
        internal static ListField[] All => [Repository, Number, Created];
    }

    private readonly CatalogSql _list = new(db, "mirror_repositories", Fields.All, new Order(Fields.Name));

    private readonly CatalogSql _versions = new(db, "mirror_repository_versions_doc", VersionFields.All, new Order(VersionFields.Number, Descending: true));

    /// <summary>
    /// Inserts or updates the repository's row; a row inserted (the repository is new, or its create died before its row) gets
    /// its empty version 0 in the same transaction. Throws <see cref="CatalogConflictException"/> for a taken name.
    /// </summary>
    public Task UpsertAsync(RepositoryRecord record, CancellationToken ct) =>
        CatalogConflict.Guard(async () =>
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            await using var tx = await connection.BeginTransactionAsync(ct);
            // xmax is 0 on a row this statement inserted, and set on one it updated.
            var inserted = (bool)(await connection.Command(tx, """
                insert into mirror_repositories (id, name, remote_id, retain_repo_versions, created, last_updated, doc, push)
                values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8)
                on conflict (id) do update set name = excluded.name, remote_id = excluded.remote_id,
                    retain_repo_versions = excluded.retain_repo_versions, last_updated = excluded.last_updated, doc = excluded.doc
                returning xmax = 0
                """, record.Id, record.Settings.Name, record.Settings.Remote, record.Settings.RetainRepoVersions, record.Created,
                record.LastUpdated, CatalogJson.Serialize(record), record.Push).ScalarAsync(ct))!;
            if (inserted)
                await connection.Command(tx, "insert into mirror_repository_versions (repository_id, number, id, created) values ($1, 0, $2, $3)",
                    record.Id, Ids.New(), record.Created).ExecuteAsync(ct);
            await tx.CommitAsync(ct);
        }, _ => "name");

    public Task DeleteAsync(Guid id, CancellationToken ct) => _list.DeleteAsync(id, ct);

    public Task<bool> NameTakenAsync(string name, Guid except, CancellationToken ct) => _list.NameTakenAsync(name, except, ct);

    public Task<Page<RepositoryRecord>> ListAsync(ListQuery query, CancellationToken ct) =>
        _list.ListAsync<RepositoryRecord>(query, ct);

    /// <summary>Ids of the repositories whose default remote is <paramref name="remoteId"/>.</summary>
    public async Task<IReadOnlyList<Guid>> UsingRemoteAsync(Guid remoteId, CancellationToken ct) =>
        await db.Command("select id from mirror_repositories where remote_id = $1", remoteId).RowsAsync(r => r.GetGuid(0), ct);

    /// <summary>Ids of every repository, sync and push alike (what Pulp's <c>["*"]</c> names).</summary>
    public async Task<List<Guid>> AllIdsAsync(CancellationToken ct) =>
        await db.Command("select id from mirror_repositories order by id").RowsAsync(r => r.GetGuid(0), ct);

    /// <summary>Which of <paramref name="ids"/> are container-push repositories.</summary>
    public async Task<IReadOnlySet<Guid>> PushAmongAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        var wanted = ids.Distinct().ToArray();
        if (wanted.Length == 0) return new HashSet<Guid>();
        return (await db.Command("select id from mirror_repositories where push and id = any($1)", wanted).RowsAsync(r => r.GetGuid(0), ct)).ToHashSet();
    }

    public Task<Page<RepositoryVersionRecord>> ListVersionsAsync(Guid repositoryId, ListQuery query, CancellationToken ct) =>
        _versions.ListAsync<RepositoryVersionRecord>(query with
        {
            Conditions = [Condition.Text(VersionFields.Repository, Match.Exact, repositoryId.ToString()), .. query.Conditions],
        }, ct);

    /// <summary>The versions of every repository (pulpcore's <c>repository_versions/</c>).</summary>
    public Task<Page<RepositoryVersionRecord>> ListAllVersionsAsync(ListQuery query, CancellationToken ct) =>
        _versions.ListAsync<RepositoryVersionRecord>(query, ct);

    public async Task<RepositoryVersionRecord?> GetVersionAsync(Guid repositoryId, int number, CancellationToken ct)
    {
        var page = await ListVersionsAsync(repositoryId, new ListQuery
        {
            Conditions = [Condition.Text(VersionFields.Number, Match.Exact, number.ToString(System.Globalization.CultureInfo.InvariantCulture))],
            Limit = 1,
        }, ct);
        return page.Items.Count > 0 ? page.Items[0] : null;
    }
}
