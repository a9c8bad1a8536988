using Npgsql;
using NpgsqlTypes;

namespace Mirror.Storage.Content;

/// <summary>
/// Which indexed blobs were found damaged (missing, short, or not matching their digest in the store), and the blobs a
/// check walks. A damaged blob stays indexed (manifests refer to it) but counts as absent until it is fetched again.
/// </summary>
public sealed class BlobHealth(NpgsqlDataSource db, TimeProvider clock)
{
    /// <summary>
    /// SQL: the manifest row <paramref name="manifest"/> has a damaged config or layer, or (when the boolean SQL value
    /// <paramref name="countUnstored"/> is true) one left unstored for the first pull.
    /// </summary>
    public static string HasMissingBlob(string manifest, string countUnstored) => $"""
        exists (select 1 from mirror_blobs b where b.id = {manifest}.config_blob_id and (b.damaged_at is not null or ({countUnstored} and not b.stored)))
        or exists (select 1 from mirror_manifest_layers l join mirror_blobs b on b.id = l.blob_id
                   where l.manifest_id = {manifest}.id and (b.damaged_at is not null or ({countUnstored} and not b.stored)))
        """;

    public Task MarkDamagedAsync(string digest, string damage, CancellationToken ct) =>
        db.Command("update mirror_blobs set damaged_at = $2, damage = $3 where digest = $1", digest, clock.GetUtcNow().UtcDateTime, damage).ExecuteAsync(ct);

    /// <summary>How many blobs are out of service, and the first of them (by digest) with what was found.</summary>
    public async Task<(long Count, IReadOnlyList<(string Digest, string Damage)> First)> DamagedAsync(int first, CancellationToken ct)
    {
        var rows = await db.Command("""
            select digest, damage, count(*) over () from mirror_blobs where damaged_at is not null order by digest limit $1
            """, first).RowsAsync(r => (Digest: r.GetString(0), Damage: r.IsDBNull(1) ? "" : r.GetString(1), Count: r.GetInt64(2)), ct);
        return (rows.Count > 0 ? rows[0].Count : 0, rows.Select(r => (r.Digest, r.Damage)).ToList());
    }

    /// <summary>The stored, undamaged configs and layers of these manifests and of the manifests they list, with their sizes.</summary>
    public async Task<IReadOnlyList<(string Digest, long Size)>> BlobsOfManifestsAsync(IReadOnlyCollection<string> manifests, CancellationToken ct) =>
        await db.Command($"""
            {PartsOf("$1")}
            select b.digest, b.size from parts p join mirror_blobs b on b.id = p.blob_id
            where b.damaged_at is null and b.stored
            """, Sql.TextArray(manifests)).RowsAsync(r => (r.GetString(0), r.GetInt64(1)), ct);

    /// <summary>
    /// SQL: a <c>with recursive</c> clause whose <c>parts(blob_id)</c> are the configs and layers, each once, of the manifests
    /// whose digests are the text array <paramref name="digests"/> and of the manifests they list.
    /// </summary>
    /// <remarks>
    /// Configs and layers are gathered apart and joined to the blobs by id: a join on "config or any layer" is an OR that
    /// PostgreSQL can only run as a nested loop over every blob for every manifest (2.3 s of a 200-tag no-op re-sync).
    /// </remarks>
    internal static string PartsOf(string digests) => $"""
        with recursive wanted(id) as (
            select id from mirror_manifests where digest = any({digests})
            union select c.manifest_id from mirror_manifest_children c join wanted w on w.id = c.list_id),
        parts(blob_id) as (
            select m.config_blob_id from wanted w join mirror_manifests m on m.id = w.id where m.config_blob_id is not null
            union
            select l.blob_id from wanted w join mirror_manifest_layers l on l.manifest_id = w.id)
        """;

    /// <summary>
    /// A page of stored blobs after <paramref name="after"/> (by digest), undamaged or <paramref name="damaged"/>: all of them, or
    /// those a repository version holds (<c>mirror_version_content</c>).
    /// </summary>
    public async Task<IReadOnlyList<StoredBlob>> PageAsync(string? after, int limit, VersionRef? version, bool damaged, CancellationToken ct) =>
        await db.Command($"""
            select b.digest, b.size, b.media_type, {BlobRemotes.InFetchOrder("b")} from mirror_blobs b
            where b.stored and (b.damaged_at is not null) = $5 and ($1::text is null or b.digest > $1)
              and ($3::uuid is null or exists (select 1 from mirror_version_content($3, $4) rc where rc.content_id = b.id))
            order by b.digest limit $2
            """,
            new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            limit,
            new NpgsqlParameter { Value = (object?)version?.RepositoryId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid },
            new NpgsqlParameter { Value = (object?)version?.Number ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer },
            damaged).RowsAsync(r => new StoredBlob(r.GetString(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetFieldValue<Guid[]>(3)), ct);

    /// <summary>The repositories that hold (or held) the blob in any version: where a repair looks for a remote.</summary>
    public async Task<IReadOnlyList<Guid>> RepositoriesHoldingAsync(string digest, CancellationToken ct) =>
        await db.Command("""
            select distinct rc.repository_id from mirror_repository_content rc join mirror_blobs b on b.id = rc.content_id where b.digest = $1
            """, digest).RowsAsync(r => r.GetGuid(0), ct);
}

/// <param name="Remotes">The remotes that can fetch it again, in the order to try them (<see cref="BlobRemotes.InFetchOrder"/>).</param>
public sealed record StoredBlob(string Digest, long Size, string? MediaType, IReadOnlyList<Guid> Remotes);
