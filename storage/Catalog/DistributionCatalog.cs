using Mirror.Distributions;
using Npgsql;

namespace Mirror.Storage.Catalog;

/// <summary>The distributions in the catalog; the distribution grains are its only writers.</summary>
public sealed class DistributionCatalog(NpgsqlDataSource db)
{
    // One lock for every distribution write: writes are rare, and the overlap check must see every other write's result.
    private const long OverlapLock = 0x6d69_7272_6f72_6470; // "mirrordp"

    /// <summary>What a distribution list filters and orders on.</summary>
    public static class Fields
    {
        public static ListField Name { get; } = new("name");
        public static ListField BasePath { get; } = new("base_path");
        /// <summary>The repository whose latest version is served (null for a fixed version).</summary>
        public static ListField Repository { get; } = new("repository_id");
        public static ListField Created { get; } = new("created");
        public static ListField LastUpdated { get; } = new("last_updated");
        /// <summary>Whether the distribution is a pull-through one (Pulp lists those apart).</summary>
        public static ListField PullThrough { get; } = new("pull_through");
        internal static ListField[] All => [Name, BasePath, Repository, Created, LastUpdated, PullThrough];
    }

    private readonly CatalogSql _list = new(db, "mirror_distributions", Fields.All, new Order(Fields.Name));

    /// <summary>
    /// Inserts or updates the distribution's row. Throws <see cref="CatalogConflictException"/> for a taken name or base path, or a
    /// base path that nests in another distribution's (or another's in it); the check and the write share one transaction and lock.
    /// </summary>
    public async Task UpsertAsync(DistributionRecord record, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await connection.Command(tx, "select pg_advisory_xact_lock($1)", OverlapLock).ExecuteAsync(ct);
        if (await OverlappingAsync(connection, tx, record.Settings, record.Id, ct) is { } other)
            throw new CatalogConflictException(new CatalogConflict("base_path", OverlapsWith: other));
        var s = record.Settings;
        await CatalogConflict.Guard(() => connection.Command(tx, """
                insert into mirror_distributions (id, name, base_path, repository_id, version_repository_id, version_number, private, hidden, created, last_updated, doc,
                    pull_through, pull_through_parent)
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
                on conflict (id) do update set name = excluded.name, base_path = excluded.base_path, repository_id = excluded.repository_id,
                    version_repository_id = excluded.version_repository_id, version_number = excluded.version_number,
                    private = excluded.private, hidden = excluded.hidden, last_updated = excluded.last_updated, doc = excluded.doc,
                    pull_through = excluded.pull_through, pull_through_parent = excluded.pull_through_parent
                """, record.Id, s.Name, s.BasePath, s.Repository, s.RepositoryVersion?.RepositoryId, s.RepositoryVersion?.Number,
                s.Private, s.Hidden, record.Created, record.LastUpdated, CatalogJson.Serialize(record), s.IsPullThrough, s.PullThroughParent).ExecuteAsync(ct),
            index => index == "mirror_distributions_base_path" ? "base_path" : "name");
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// The checks an API request gets before its task starts, in the order Pulp reports them: the first rule
    /// <paramref name="settings"/> breaks against the other distributions, or null. The task's write checks again, race-free.
    /// </summary>
    public async Task<CatalogConflict?> ConflictAsync(DistributionSettings settings, Guid except, CancellationToken ct)
    {
        if (await _list.NameTakenAsync(settings.Name, except, ct)) return new CatalogConflict("name");
        await using var connection = await db.OpenConnectionAsync(ct);
        if ((bool)(await connection.Command(null, "select exists (select 1 from mirror_distributions where base_path = $1 and id <> $2)",
                settings.BasePath, except).ScalarAsync(ct))!)
            return new CatalogConflict("base_path");
        return await OverlappingAsync(connection, null, settings, except, ct) is { } other
            ? new CatalogConflict("base_path", OverlapsWith: other)
            : null;
    }

    // Another distribution whose base path is a whole-component prefix of this one, or has this one as such a prefix. The paths a
    // pull-through distribution made nest in it and may nest in each other (upstream names do): those pairs are not overlaps.
    private static async Task<string?> OverlappingAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, DistributionSettings settings, Guid except, CancellationToken ct)
    {
        var basePath = settings.BasePath;
        var parts = basePath.Split('/');
        var ancestors = Enumerable.Range(1, parts.Length - 1).Select(n => string.Join('/', parts.Take(n))).ToArray();
        // '_' is a LIKE wildcard that base paths may contain; '%' they cannot.
        return await connection.Command(tx, """
            select name from mirror_distributions
            where id <> $1 and (base_path = any($2) or base_path like $3)
              and not (id = $4 or coalesce(pull_through_parent = $1, false) or coalesce(pull_through_parent = $4, false))
            order by name limit 1
            """, except, ancestors, basePath.Replace("_", "\\_") + "/%", settings.PullThroughParent ?? Guid.Empty).ScalarAsync(ct) as string;
    }

    public Task DeleteAsync(Guid id, CancellationToken ct) => _list.DeleteAsync(id, ct);

    public Task<Page<DistributionRecord>> ListAsync(ListQuery query, CancellationToken ct) => _list.ListAsync<DistributionRecord>(query, ct);

    /// <summary>
    /// The pull-through distribution a <c>/v2/</c> name falls under: the one whose base path is the longest whole-component prefix of it
    /// (Pulp's rule), with the upstream name that remains; null when none is.
    /// </summary>
    public async Task<(DistributionRecord Distribution, string UpstreamName)?> PullThroughForAsync(string name, CancellationToken ct)
    {
        var parts = name.Split('/');
        var prefixes = Enumerable.Range(1, parts.Length - 1).Select(n => string.Join('/', parts.Take(n))).ToArray();
        var found = await db.Command("""
            select doc from mirror_distributions where pull_through and base_path = any($1) order by length(base_path) desc limit 1
            """, (object)prefixes).FirstAsync(r => System.Text.Json.JsonSerializer.Deserialize<DistributionRecord>(r.GetString(0), CatalogJson.Options)!, ct);
        return found is null ? null : (found, name[(found.Settings.BasePath.Length + 1)..]);
    }

    /// <summary>The distributions each of <paramref name="parents"/> (pull-through distributions) made, by parent: Pulp's <c>distributions</c>.</summary>
    public async Task<ILookup<Guid, Guid>> MadeByAsync(IEnumerable<Guid> parents, CancellationToken ct) =>
        (await db.Command("select pull_through_parent, id from mirror_distributions where pull_through_parent = any($1) order by name",
            parents.Distinct().ToArray()).RowsAsync(r => (Parent: r.GetGuid(0), Id: r.GetGuid(1)), ct)).ToLookup(p => p.Parent, p => p.Id);

    /// <summary>Ids of the distributions that serve <paramref name="repositoryId"/> or one of its versions.</summary>
    public async Task<IReadOnlyList<Guid>> ServingRepositoryAsync(Guid repositoryId, CancellationToken ct) =>
        await db.Command("select id from mirror_distributions where repository_id = $1 or version_repository_id = $1", repositoryId)
            .RowsAsync(r => r.GetGuid(0), ct);

    /// <summary>Whether a distribution serves version <paramref name="number"/>: fixed, or as the latest version of the repository it serves.</summary>
    public async Task<bool> ServesVersionAsync(Guid repositoryId, int number, CancellationToken ct) =>
        (bool)(await db.Command("""
            select exists (select 1 from mirror_distributions where version_repository_id = $1 and version_number = $2)
                or (exists (select 1 from mirror_distributions where repository_id = $1)
                    and $2 = (select max(number) from mirror_repository_versions where repository_id = $1))
            """, repositoryId, number).ScalarAsync(ct))!;
}
